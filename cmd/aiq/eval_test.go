package main

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/results"
)

const testData = "../../data/cifar10/cifar10-test.bin"

// hugeBatch is a batch whose plan fits in no machine's memory (about 20 TB
// for ResNet-20): refused before anything is allocated.
const hugeBatch = "16000000"

// aiq eval --results saves an eval run: top-1 in percent on the named
// images, images/s with one sample per timed batch; --cpuprofile writes a
// profile go tool pprof reads.
func TestEvalResults(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testData)
	dir := t.TempDir()
	resultsDir := filepath.Join(dir, "results")
	prof := filepath.Join(dir, "eval.pprof")
	var stdout, stderr bytes.Buffer
	err := eval([]string{"--model", model, "--data", testData, "--offset", "5000", "--n", "32", "--batch", "8",
		"--bench-time", "20ms", "--precision", "fp32", "--cache", "", "--results", resultsDir, "--cpuprofile", prof}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr.String())
	}
	run := loadOnlyRun(t, resultsDir, results.KindEval)
	checkSamples(t, run, 5)
	var e results.Eval
	if err := run.DecodePayload(&e); err != nil {
		t.Fatal(err)
	}
	if e.Model != "resnet20" || e.Config != "fp32" || e.Images != "cifar10-test.bin[5000:5032]" || e.Count != 32 || len(e.Formats) != 20 {
		t.Errorf("eval payload: %s %s on %s (%d images), %d formats", e.Model, e.Config, e.Images, e.Count, len(e.Formats))
	}
	// 32 images: top-1 is a multiple of 100/32 points.
	if k := e.Top1 * 32 / 100; !(e.Top1 > 50) || math.Abs(k-math.Round(k)) > 1e-9 {
		t.Errorf("top-1 %v%%, want percent of 32 images", e.Top1)
	}
	if len(e.Metrics) != 1 || e.Metrics[0].Name != "batch8" || e.Metrics[0].Unit != "images/s" || len(e.Metrics[0].Values) < 5 {
		t.Errorf("eval metrics %+v, want batch8 images/s with >= 5 samples", e.Metrics)
	}
	if run.Batch != 8 || run.Threads != 1 || !strings.Contains(stdout.String(), "top-1") {
		t.Errorf("run batch %d threads %d; stdout:\n%s", run.Batch, run.Threads, stdout.String())
	}
	checkPprofReads(t, prof)
}

// Bad flags are usage errors and bad inputs name the input; neither leaves
// a run or a profile.
func TestEvalBadInput(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testData)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.onnx")
	for _, c := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"unknown flag", []string{"--no-such-flag"}, true, ""},
		{"results without images", []string{"--n", "0"}, true, ""},
		{"negative bench time", []string{"--bench-time", "-1s"}, true, ""},
		{"batch 0", []string{"--batch", "0"}, true, ""},
		{"missing model", []string{"--model", missing}, false, missing},
		{"unknown precision", []string{"--precision", "int3"}, false, "int3"},
		{"too many images", []string{"--offset", "9990", "--n", "64"}, false, "--offset 9990"},
		{"offset past the data", []string{"--offset", "10000"}, false, "--offset 10000"},
		{"offset past the data, no timing", []string{"--offset", "10000", "--n", "-1"}, false, "--offset 10000"},
		{"negative n", []string{"--n", "-5"}, true, "--n -5"},
		{"negative offset", []string{"--offset", "-1"}, true, "--offset -1"},
		{"negative int4 group", []string{"--int4-group", "-1"}, true, "--int4-group -1"},
		{"config of another model", []string{"--precision", "../../configs/mobilenetv2-ai.json"}, false, "--force"},
		{"batch beyond memory", []string{"--batch", hugeBatch}, false, "--batch " + hugeBatch},
		{"profile into a missing directory", []string{"--cpuprofile", filepath.Join(missing, "p")}, false, missing},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"--model", model, "--data", testData, "--cache", "", "--bench-time", "0",
				"--results", filepath.Join(dir, "results")}
			if !containsArg(c.args, "--cpuprofile") {
				args = append(args, "--cpuprofile", filepath.Join(dir, "eval.pprof"))
			}
			var stdout, stderr bytes.Buffer
			err := eval(append(args, c.args...), &stdout, &stderr)
			switch {
			case err == nil:
				t.Fatal("no error")
			case c.usage && !errors.Is(err, errUsage):
				t.Errorf("error %v, want a usage error", err)
			case !strings.Contains(err.Error(), c.want):
				t.Errorf("error %q does not name %s", err, c.want)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left %s behind", e.Name())
	}
}

// A corrupt calibration cache is rebuilt (with a warning), not an error
// that fails every later run.
func TestEvalCorruptCalibCache(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testData)
	needFile(t, testCalib)
	cache := t.TempDir()
	args := []string{"--model", model, "--data", testData, "--calib", testCalib, "--calib-n", "8", "--cache", cache,
		"--precision", "int8", "--n", "8", "--batch", "8", "--bench-time", "0"}
	for i := range 2 {
		var stdout, stderr bytes.Buffer
		if err := eval(args, &stdout, &stderr); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		files, _ := filepath.Glob(filepath.Join(cache, "calib-*.json"))
		if len(files) != 1 {
			t.Fatalf("run %d: cache files %v", i, files)
		}
		if err := os.WriteFile(files[0], []byte(`{"model": tru`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The chunked evaluation behind the progress bar predicts what one
// engine.Predict call does.
func TestPredictChunks(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testData)
	g, err := graph.Load(model, 16)
	if err != nil {
		t.Fatal(err)
	}
	m, err := engine.Compile(g, engine.Uniform(kernels.FP32), engine.Options{Batch: 16, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	set, err := dataset.Open(testData)
	if err != nil {
		t.Fatal(err)
	}
	const offset, n = 100, 16*17 + 5 // more than one chunk, a partial batch at the end
	want, err := engine.Predict(m, set, offset, n)
	if err != nil {
		t.Fatal(err)
	}
	var bar bytes.Buffer
	got, err := predict(m, set, offset, n, true, &bar)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || bar.Len() == 0 {
		t.Errorf("chunked predictions differ (%d vs %d) or no bar drawn (%d bytes)", len(got), len(want), bar.Len())
	}
}
