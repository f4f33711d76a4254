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

// TestORTAgrees exports ResNet-20 and runs it in ONNX Runtime on 1,000
// test images beside aiq's engine with the same calibration. Without graph
// optimizations ONNX Runtime computes the exported graph as written: uniform
// int8 predicts what aiq predicts on all but at most one image (float vs
// integer accumulation can flip a requantization at a tie); with fp16
// layers, whose float sums ONNX Runtime adds in another order before the
// binary16 rounding, a few more differ. With all optimizations (the
// deployment setting) ONNX Runtime rounds float biases to int32 and fuses
// QLinearConv: at most 1% of the predictions differ. Top-1 stays within 3
// images in every case.
func TestORTAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 3,000 images through ONNX Runtime and the engine: not in -short")
	}
	pkg := ortPackage(t)
	const n = 1000
	g, src, calib := setup(t, "resnet20")
	set, err := dataset.Open(testData)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := set.Labels(0, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opt  string
		// most predictions that may differ, and most images top-1 may differ by
		maxDiffer, maxTop int
	}{
		{"int8", "disabled", 1, 1},
		{"int8", "all", n / 100, 3},
		{"resnet20-mixed-fp16.json", "disabled", n / 200, 3},
	} {
		cfg := configsOf(t, "resnet20")[c.name]
		m, _, err := QDQ(src, g, cfg, Options{Calib: calib})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "resnet20.onnx")
		if err := onnx.WriteFile(path, m); err != nil {
			t.Fatal(err)
		}
		em, err := engine.Compile(g, cfg, engine.Options{Batch: 64, Calib: calib})
		if err != nil {
			t.Fatal(err)
		}
		pred, err := engine.Predict(em, set, 0, n)
		em.Close()
		if err != nil {
			t.Fatal(err)
		}
		ort := runORT(t, pkg, path, 0, n, "--opt", c.opt)
		differ, aiqCorrect := 0, 0
		for i := range pred {
			if pred[i] != ort.Predictions[i] {
				differ++
			}
			if pred[i] == labels[i] {
				aiqCorrect++
			}
		}
		t.Logf("%s, optimizations %s: ONNX Runtime top-1 %.1f%%, aiq %.1f%%; predictions differ on %d of %d images",
			c.name, c.opt, 100*ort.Top1, 100*float64(aiqCorrect)/n, differ, n)
		if differ > c.maxDiffer {
			t.Errorf("%s, optimizations %s: predictions differ on %d of %d images, want at most %d", c.name, c.opt, differ, n, c.maxDiffer)
		}
		if d := ort.Correct - aiqCorrect; d > c.maxTop || d < -c.maxTop {
			t.Errorf("%s, optimizations %s: ONNX Runtime gets %d images right, aiq %d; want at most %d apart", c.name, c.opt, ort.Correct, aiqCorrect, c.maxTop)
		}
	}
}
