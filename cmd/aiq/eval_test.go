package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
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

// cifarPNGs writes CIFAR-10 test images offset..offset+n-1 as PNGs into
// dir (or into dir/<class>/ when byClass), and returns dir.
func cifarPNGs(t *testing.T, dir string, offset, n int, byClass bool) string {
	t.Helper()
	set, err := dataset.Open(testData)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := set.Labels(offset, n)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		px, _ := set.Pixels(offset+i, 1)
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		for p := range 1024 {
			img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] = px[p], px[1024+p], px[2048+p], 255
		}
		sub := dir
		if byClass {
			sub = filepath.Join(dir, set.Classes[labels[i]])
		}
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("%05d.png", offset+i)), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func evalJSON(t *testing.T, args ...string) evalResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := eval(append([]string{"--json", "--bench-time", "0", "-q"}, args...), &stdout, &stderr); err != nil {
		t.Fatalf("eval %q: %v\n%s", args, err, stderr.String())
	}
	var r evalResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// --metric agreement on an unlabelled folder of CIFAR-10 test images: FP32
// agrees with itself on every image, int8 on most but not necessarily all;
// top-1 on the folder is refused with the way out.
func TestEvalAgreement(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testData)
	needFile(t, testCalib)
	const n = 160
	dir := cifarPNGs(t, t.TempDir(), 0, n, false)
	cache := t.TempDir()
	base := []string{"--model", model, "--data", dir, "--metric", "agreement", "--batch", "32", "--calib", testCalib, "--calib-n", "64", "--cache", cache}
	fp32 := evalJSON(t, append(base, "--precision", "fp32")...)
	if fp32.Agreement == nil || *fp32.Agreement != 1 || fp32.Labelled || fp32.N != n {
		t.Fatalf("fp32: agreement %v, labelled %v, %d images", fp32.Agreement, fp32.Labelled, fp32.N)
	}
	// FP32's predictions are cached by the images' bytes: a second run
	// reads them (proved here by a doctored file), a missing file is rebuilt.
	files, _ := filepath.Glob(filepath.Join(cache, "fp32pred-*.json"))
	if len(files) != 1 {
		t.Fatalf("prediction cache files %v", files)
	}
	good, _ := os.ReadFile(files[0])
	var c map[string]any
	if err := json.Unmarshal(good, &c); err != nil {
		t.Fatal(err)
	}
	c["Pred"] = make([]int, n) // every image class 0
	bad, _ := json.Marshal(c)
	os.WriteFile(files[0], bad, 0o644)
	if r := evalJSON(t, append(base, "--precision", "fp32")...); !(*r.Agreement < 0.5) {
		t.Errorf("fp32 against doctored cached predictions: agreement %v, want the share of class 0", *r.Agreement)
	}
	os.Remove(files[0])
	if r := evalJSON(t, append(base, "--precision", "fp32")...); *r.Agreement != 1 {
		t.Errorf("fp32 after the cache was removed: agreement %v", *r.Agreement)
	}
	if b, _ := os.ReadFile(files[0]); !bytes.Equal(b, good) {
		t.Errorf("rebuilt cache differs")
	}
	resultsDir := t.TempDir()
	int8 := evalJSON(t, append(base, "--precision", "int8", "--results", resultsDir)...)
	var saved results.Eval
	if err := loadOnlyRun(t, resultsDir, results.KindEval).DecodePayload(&saved); err != nil {
		t.Fatal(err)
	}
	// Saved so that compare never takes it for a labelled top-1.
	if saved.Images != filepath.Base(dir)+"[0:160] agreement with fp32" || saved.Top1 != 100**int8.Agreement {
		t.Errorf("saved run: %v%% on %q", saved.Top1, saved.Images)
	}
	if a := int8.Agreement; a == nil || !(*a > 0.85 && *a <= 1) {
		t.Fatalf("int8 agreement %v, want most of %d images", a, n)
	} else if k := *a * n; math.Abs(k-math.Round(k)) > 1e-9 {
		t.Fatalf("int8 agreement %v is not a count of %d images", *a, n)
	}
	// The same images with labels: both numbers, and the labelled top-1 of
	// the folder is the .bin file's.
	labelled := evalJSON(t, append(base, "--precision", "int8", "--data", cifarPNGs(t, t.TempDir(), 0, n, true))...)
	bin := evalJSON(t, append(base, "--precision", "int8", "--data", testData, "--n", fmt.Sprint(n))...)
	if !labelled.Labelled || labelled.Top1 != bin.Top1 || *labelled.Agreement != *int8.Agreement || *bin.Agreement != *int8.Agreement {
		t.Fatalf("class folders: top-1 %v agreement %v; .bin: top-1 %v agreement %v; unlabelled folder: agreement %v",
			labelled.Top1, *labelled.Agreement, bin.Top1, *bin.Agreement, *int8.Agreement)
	}
	var stdout, stderr bytes.Buffer
	err := eval([]string{"--model", model, "--data", dir, "--bench-time", "0", "--cache", ""}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--metric agreement") || !strings.Contains(err.Error(), dir) {
		t.Errorf("top-1 on unlabelled images: %v", err)
	}
	if err := eval([]string{"--model", model, "--unlabelled"}, &stdout, &stderr); !errors.Is(err, errUsage) {
		t.Errorf("--unlabelled with top-1: %v, want a usage error", err)
	}
	if err := eval([]string{"--model", model, "--metric", "kl"}, &stdout, &stderr); !errors.Is(err, errUsage) {
		t.Errorf("--metric kl: %v, want a usage error", err)
	}
}

// A class-folder set with 3 of the model's 10 classes under names that are
// not CIFAR-10's is refused with the fix; --classes (a list or @FILE) fixes it.
func TestEvalClasses(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testData)
	dir := t.TempDir()
	cifar := cifarPNGs(t, t.TempDir(), 0, 30, true)
	// CIFAR-10 names for 3 classes only: their CIFAR-10 labels, as the .bin.
	for _, c := range []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog"} {
		os.RemoveAll(filepath.Join(cifar, c))
	}
	kept := evalJSON(t, "--model", model, "--data", cifar, "--cache", "")
	if kept.N != 9 || !(kept.Top1 > 0.5) {
		t.Errorf("horse, ship, truck folders: %d images, top-1 %v", kept.N, kept.Top1)
	}
	// The same folders renamed: no list, no known names.
	for i, c := range []string{"horse", "ship", "truck"} {
		if err := os.Rename(filepath.Join(cifar, c), filepath.Join(dir, fmt.Sprintf("c%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	err := eval([]string{"--model", model, "--data", dir, "--bench-time", "0", "--cache", ""}, &stdout, &stderr)
	for _, want := range []string{dir, "3 class subfolders", "10 outputs", "classes.txt", "--classes"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("3 unnamed classes: error %v does not say %q", err, want)
		}
	}
	list := "a,b,c,d,e,f,g,c0,c1,c2" // horse, ship, truck are 7, 8, 9
	if r := evalJSON(t, "--model", model, "--data", dir, "--cache", "", "--classes", list); r.Top1 != kept.Top1 {
		t.Errorf("--classes: top-1 %v, want %v", r.Top1, kept.Top1)
	}
	file := filepath.Join(t.TempDir(), "classes.txt")
	os.WriteFile(file, []byte(strings.ReplaceAll(list, ",", "\n")), 0o644)
	if r := evalJSON(t, "--model", model, "--data", dir, "--cache", "", "--classes", "@"+file); r.Top1 != kept.Top1 {
		t.Errorf("--classes @FILE: top-1 %v, want %v", r.Top1, kept.Top1)
	}
	if err := eval([]string{"--model", model, "--data", dir, "--classes", "@" + filepath.Join(dir, "none.txt")}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "none.txt") {
		t.Errorf("--classes of a missing file: %v", err)
	}
}
