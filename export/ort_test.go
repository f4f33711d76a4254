package export

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/onnx"
)

// ortPackage returns the onnxruntime-node package directory that
// peers/run.sh installs, or skips the test naming what is missing.
func ortPackage(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: ONNX Runtime (onnxruntime-node) cannot run; .ci/run installs it")
	}
	cache := os.Getenv("ORT_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				t.Skipf("no home directory to find onnxruntime-node in: %v", err)
			}
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "aiq", "onnxruntime-node-1.30.0")
	}
	pkg := filepath.Join(cache, "node_modules", "onnxruntime-node")
	if _, err := os.Stat(filepath.Join(pkg, "package.json")); err != nil {
		t.Skipf("onnxruntime-node is not installed in %s (bash peers/install-ort.sh installs it; ORT_CACHE overrides the place)", cache)
	}
	return pkg
}

type ortResult struct {
	N           int     `json:"n"`
	Correct     int     `json:"correct"`
	Top1        float64 `json:"top1"`
	Predictions []int   `json:"predictions"`
}

// runORT runs peers/ort_eval.js on model over images [offset, offset+n).
func runORT(t *testing.T, pkg, model string, offset, n int, extra ...string) ortResult {
	t.Helper()
	args := append([]string{"../peers/ort_eval.js", model, testData, "--offset", strconv.Itoa(offset), "--n", strconv.Itoa(n), "--predictions"}, extra...)
	cmd := exec.Command("node", args...)
	cmd.Env = append(os.Environ(), "ORT_NODE="+pkg)
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("node %v: %v\n%s", args, err, msg)
	}
	var r ortResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("ort_eval output %q: %v", out, err)
	}
	if len(r.Predictions) != n {
		t.Fatalf("ort_eval gave %d predictions for %d images", len(r.Predictions), n)
	}
	return r
}

// TestORTAgreesInt8 exports uniform int8 ResNet-20 and runs it in ONNX
// Runtime on 1,000 test images beside aiq's engine with the same
// calibration. Without graph optimizations ONNX Runtime computes the
// exported graph as written, and its predictions are aiq's on all but at
// most one image (float vs integer accumulation can flip a requantization
// at a tie). With all optimizations (the deployment setting) it rounds
// float biases to int32 and fuses QLinearConv, so a few images more differ:
// at most 1%, and top-1 within 3 images.
func TestORTAgreesInt8(t *testing.T) {
	pkg := ortPackage(t)
	const n = 1000
	g, src, calib := setup(t, "resnet20")
	cfg := engine.Uniform(kernels.Int8)
	m, _, err := QDQ(src, g, cfg, Options{Calib: calib})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "resnet20-int8.onnx")
	if err := onnx.WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	em, err := engine.Compile(g, cfg, engine.Options{Batch: 64, Calib: calib})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	set, err := dataset.Open(testData)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := engine.Predict(em, set, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := set.Labels(0, n)
	if err != nil {
		t.Fatal(err)
	}
	aiqCorrect := 0
	for i := range pred {
		if pred[i] == labels[i] {
			aiqCorrect++
		}
	}
	for _, c := range []struct {
		opt               string
		maxDiffer, maxTop int
	}{{"disabled", 1, 1}, {"all", n / 100, 3}} {
		ort := runORT(t, pkg, path, 0, n, "--opt", c.opt)
		differ := 0
		for i := range pred {
			if pred[i] != ort.Predictions[i] {
				differ++
			}
		}
		t.Logf("optimizations %s: ONNX Runtime top-1 %.1f%%, aiq %.1f%%; predictions differ on %d of %d images",
			c.opt, 100*ort.Top1, 100*float64(aiqCorrect)/n, differ, n)
		if differ > c.maxDiffer {
			t.Errorf("optimizations %s: predictions differ on %d of %d images, want at most %d", c.opt, differ, n, c.maxDiffer)
		}
		if d := ort.Correct - aiqCorrect; d > c.maxTop || d < -c.maxTop {
			t.Errorf("optimizations %s: ONNX Runtime gets %d images right, aiq %d; want at most %d apart", c.opt, ort.Correct, aiqCorrect, c.maxTop)
		}
	}
}
