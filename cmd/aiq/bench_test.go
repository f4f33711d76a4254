package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
	"github.com/aiq-project/aiq/results"
)

const (
	testModels   = "../../models/"
	testRoofline = "../../report/testdata/roofline.json"
	testCalib    = "../../data/cifar10/cifar10-train-5k.bin"
)

func needFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("not shipped here: %v", err)
	}
}

// The kernel shapes derived from the models reproduce their layer counts
// and the distinct shapes the hand-written table had (ResNet-20: 20 layers
// in 7 shapes; MobileNetV2: 53 layers in 31 shapes, 10 of them depthwise).
func TestKernelShapes(t *testing.T) {
	for model, want := range map[string]struct{ layers, shapes, dw int }{
		"resnet20.onnx": {20, 7, 0}, "mobilenetv2.onnx": {53, 31, 10},
	} {
		needFile(t, testModels+model)
		g, err := graph.Load(testModels+model, 1)
		if err != nil {
			t.Fatal(err)
		}
		ls := layers.Of(g)
		shapes := kernelShapes(ls)
		n, dw := 0, 0
		var macs, want64 int64
		for _, l := range ls {
			want64 += l.MACs
		}
		for _, s := range shapes {
			n += len(s.layers)
			per := int64(s.hw) * int64(s.k) * int64(s.n)
			if s.depthwise {
				dw++
				per = 9 * int64(s.c) * int64(kernels.DepthwiseOut(s.h, s.stride)) * int64(kernels.DepthwiseOut(s.w, s.stride))
			}
			macs += per * int64(len(s.layers))
		}
		if n != want.layers || len(shapes) != want.shapes || dw != want.dw || macs != want64 {
			t.Errorf("%s: %d layers in %d shapes (%d depthwise), %d MACs; want %d in %d (%d), %d MACs",
				model, n, len(shapes), dw, macs, want.layers, want.shapes, want.dw, want64)
		}
	}
}

func TestSummarize(t *testing.T) {
	few := summarize([]float64{5, 1, 3})
	if few.Median != 3 || few.Lo != 1 || few.Hi != 5 {
		t.Errorf("3 samples: %+v, want median 3 in the range [1, 5]", few)
	}
	var xs []float64
	for i := range 50 {
		xs = append(xs, float64(100+i))
	}
	iv := summarize(xs)
	if !(iv.Lo > 100 && iv.Lo <= iv.Median && iv.Median <= iv.Hi && iv.Hi < 149) || iv.N != 50 {
		t.Errorf("50 samples: %+v, want a finite interval inside the range around the median", iv)
	}
}

// benchJSONOut is the part of the --json (--out) output the tests check.
type benchJSONOut struct {
	Mode    string       `json:"mode"`
	Batch   int          `json:"batch"`
	Points  []benchPoint `json:"points"`
	Samples []struct {
		Name string    `json:"name"`
		Ns   []float64 `json:"samples_ns_per_op"`
	} `json:"samples"`
	Runs []modelRun `json:"runs"`
}

func readBenchJSON(t *testing.T, path string) ([]byte, benchJSONOut) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out benchJSONOut
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return raw, out
}

// TestBenchModel runs the model mode on ResNet-20 at batch 1 with a tiny
// time per round and checks every layer x format is there with its
// interval and samples, the formats that run as another, the saved run
// and the CPU profile's attribution.
func TestBenchModel(t *testing.T) {
	model := testModels + "resnet20.onnx"
	for _, p := range []string{model, testRoofline, testCalib} {
		needFile(t, p)
	}
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "bench.json")
	resultsDir := filepath.Join(dir, "results")
	profPath := filepath.Join(dir, "cpu.pprof")
	var stdout, stderr bytes.Buffer
	err := bench([]string{"--model", model, "--batch", "1", "--min-time", "1ms", "--roofline", testRoofline,
		"--calib", testCalib, "--calib-n", "16", "--cache", dir, "--out", jsonPath, "--text", filepath.Join(dir, "bench.txt"),
		"--results", resultsDir, "--cpuprofile", profPath}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	_, out := readBenchJSON(t, jsonPath)
	g, err := graph.Load(model, 1)
	if err != nil {
		t.Fatal(err)
	}
	ls := layers.Of(g)
	formats := []string{"fp32", "fp16", "int8", "int4"}
	if out.Mode != "model" || out.Batch != 1 || len(out.Points) != len(ls)*len(formats) || len(out.Samples) != len(out.Points) {
		t.Fatalf("mode %q batch %d, %d points, %d sample sets; want model, 1, %d, %d", out.Mode, out.Batch, len(out.Points), len(out.Samples), len(ls)*4, len(ls)*4)
	}
	table := stdout.String()
	for i, p := range out.Points {
		l, f := ls[i/len(formats)], formats[i%len(formats)]
		if p.Layer != l.Name || p.Format != f || p.Model != "resnet20" {
			t.Fatalf("point %d is %s %s %s, want resnet20 %s %s", i, p.Model, p.Layer, p.Format, l.Name, f)
		}
		if !(p.MedianNs > 0 && p.LoNs > 0 && p.LoNs <= p.MedianNs && p.MedianNs <= p.HiNs) || p.NSamples < 5 || len(out.Samples[i].Ns) != p.NSamples {
			t.Errorf("%s %s: median %v in [%v, %v] of %d samples (%d kept); want 0 < lo <= median <= hi, >= 5 samples, all kept",
				p.Layer, f, p.MedianNs, p.LoNs, p.HiNs, p.NSamples, len(out.Samples[i].Ns))
		}
		for _, v := range out.Samples[i].Ns {
			if !(v > 0) {
				t.Fatalf("%s %s: sample %v", p.Layer, f, v)
			}
		}
		ff, _ := kernels.ParseFormat(f)
		if p.Ops != 2*float64(l.MACs) || p.PaperBytes != layers.Bytes(l, ff, 1) || !(p.GOPS > 0 && p.GBs > 0 && p.Attainable > 0 && p.Percent > 0) {
			t.Errorf("%s %s: ops %v, paper bytes %v, %v GOP/s, %v GB/s, attainable %v, %v%%", p.Layer, f, p.Ops, p.PaperBytes, p.GOPS, p.GBs, p.Attainable, p.Percent)
		}
		// int4 runs as int8 exactly where the kernels say so, and the
		// table says so.
		wantExec := f
		if f == "int4" {
			bits := 0
			if l.Depthwise {
				bits = kernels.DepthwiseQExecBits(4, l.Shape.C)
			} else {
				bits = kernels.GEMMQExecBits(4, l.Shape.K, l.Shape.N)
			}
			if bits == 8 {
				wantExec = "int8"
			}
		}
		if ef, _ := kernels.ParseFormat(p.Exec); p.Exec != wantExec || p.Bytes != layers.Bytes(l, ef, 1) {
			t.Errorf("%s %s: exec %q with %v bytes, want %q", p.Layer, f, p.Exec, p.Bytes, wantExec)
		}
		if p.Exec != p.Format && !strings.Contains(table, "int4 (runs as int8)") {
			t.Errorf("%s: int4 runs as int8 but the table does not say so", p.Layer)
		}
	}
	if len(out.Runs) != len(formats) {
		t.Fatalf("%d runs, want one per format", len(out.Runs))
	}
	for _, r := range out.Runs {
		if !(r.ImagesPerS > 0) || len(r.PassNs) < 5 || !(r.Pass.Lo <= r.Pass.Median && r.Pass.Median <= r.Pass.Hi) || len(r.Other) == 0 {
			t.Errorf("%s: %v images/s, %d passes, pass %+v, %d other steps", r.Format, r.ImagesPerS, len(r.PassNs), r.Pass, len(r.Other))
		}
	}
	for _, want := range []string{"/net/layer3/layer3.2/conv2/Conv", "whole pass", "other steps", "images/s"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	run := loadOnlyRun(t, resultsDir, results.KindBench)
	var b results.Bench
	if err := run.DecodePayload(&b); err != nil {
		t.Fatal(err)
	}
	if run.Batch != 1 || run.Threads != 1 || len(b.Models) != 1 || b.Models[0].Model != "resnet20" {
		t.Fatalf("run: batch %d threads %d, %d models", run.Batch, run.Threads, len(b.Models))
	}
	bm := b.Models[0]
	if len(bm.Layers) != len(out.Points) || len(bm.Passes) != len(formats) {
		t.Fatalf("run: %d layers x formats, %d passes; want %d, %d", len(bm.Layers), len(bm.Passes), len(out.Points), len(formats))
	}
	for i, l := range bm.Layers {
		p := out.Points[i]
		if l.Name != p.Layer || l.Format != p.Format || l.Exec != p.Exec || l.Kind != p.Kernel || l.Ops != p.Ops || l.Bytes != p.PaperBytes {
			t.Errorf("run layer %d: %+v, want the point %s %s (exec %s, %s, %v ops, %v paper bytes)", i, l, p.Layer, p.Format, p.Exec, p.Kernel, p.Ops, p.PaperBytes)
		}
	}
	checkSamples(t, run, 5)
	for _, pt := range mustPoints(t, run) {
		if strings.Contains(pt.Name, "/e2e/") && pt.Unit != "images/s" {
			t.Errorf("%s: unit %s, want images/s", pt.Name, pt.Unit)
		}
	}
	checkAttribution(t, profPath, bm.Attribution, stdout.String())
}

// loadOnlyRun loads the one run saved under dir and checks its kind.
func loadOnlyRun(t *testing.T, dir, kind string) *results.Run {
	t.Helper()
	runs, err := results.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("%d runs under %s, want 1", len(runs), dir)
	}
	r, err := results.Load(runs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != kind {
		t.Fatalf("%s: kind %q, want %q", r.Path, r.Kind, kind)
	}
	return r
}

func mustPoints(t *testing.T, r *results.Run) []results.Point {
	t.Helper()
	pts, err := r.Points()
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) == 0 {
		t.Fatalf("%s: no points", r.Path)
	}
	return pts
}

// checkSamples wants every timed point of r to keep at least min samples,
// and every exact one to be top-1 in percent on named images (or AI).
func checkSamples(t *testing.T, r *results.Run, min int) {
	t.Helper()
	for _, p := range mustPoints(t, r) {
		switch {
		case p.Exact && results.IsAccuracy(p.Unit):
			if len(p.Values) != 1 || p.Images == "" || !(p.Values[0] > 1 && p.Values[0] <= 100) {
				t.Errorf("%s (%s): %v on %q, want one percent value on named images", p.Name, p.Unit, p.Values, p.Images)
			}
		case p.Exact:
			if p.Unit != "flop/byte" {
				t.Errorf("%s (%s): exact, but no accuracy or AI", p.Name, p.Unit)
			}
		case len(p.Values) < min:
			t.Errorf("%s (%s): %d samples, want >= %d", p.Name, p.Unit, len(p.Values), min)
		}
		for _, v := range p.Values {
			if !(v > 0) {
				t.Errorf("%s (%s): sample %v", p.Name, p.Unit, v)
			}
		}
	}
}

// TestBenchKernels runs the kernel mode on ResNet-20's shapes in one format.
func TestBenchKernels(t *testing.T) {
	model := testModels + "resnet20.onnx"
	for _, p := range []string{model, testRoofline} {
		needFile(t, p)
	}
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "k.json")
	var stdout, stderr bytes.Buffer
	resultsDir := filepath.Join(dir, "results")
	err := bench([]string{"--kernels", "--model", model, "--formats", "int4", "--min-time", "1ms", "--roofline", testRoofline, "--out", jsonPath,
		"--results", resultsDir}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench --kernels: %v\n%s", err, stderr.String())
	}
	_, out := readBenchJSON(t, jsonPath)
	run := loadOnlyRun(t, resultsDir, results.KindKernels)
	checkSamples(t, run, 5)
	var k results.Kernels
	if err := run.DecodePayload(&k); err != nil {
		t.Fatal(err)
	}
	if len(k.Kernels) != len(out.Points) {
		t.Errorf("run: %d kernels, want %d", len(k.Kernels), len(out.Points))
	}
	for i, kk := range k.Kernels {
		if p := out.Points[i]; kk.Format != p.Exec || !strings.HasPrefix(kk.Name, "resnet20/"+p.Layer+"/int4/") || len(kk.Metrics) != 2 {
			t.Errorf("run kernel %d: %s format %s with %d metrics, want the point %s int4 running as %s", i, kk.Name, kk.Format, len(kk.Metrics), p.Layer, p.Exec)
		}
	}
	n := 0
	for _, p := range out.Points {
		n += len(p.Layers)
		if p.Format != "int4" || !(p.LoNs <= p.MedianNs && p.MedianNs <= p.HiNs && p.MedianNs > 0) || (p.Exec != "int4" && p.Exec != "int8") {
			t.Errorf("%s: format %s exec %s, median %v in [%v, %v]", p.Layer, p.Format, p.Exec, p.MedianNs, p.LoNs, p.HiNs)
		}
	}
	if out.Mode != "kernels" || len(out.Points) != 7 || n != 20 {
		t.Errorf("mode %q: %d points covering %d layers, want kernels, 7 shapes covering 20", out.Mode, len(out.Points), n)
	}
}

// Bad inputs fail before anything is measured, with an error naming the
// input, and leave no file: no JSON, no run, no profile.
func TestBenchBadInput(t *testing.T) {
	needFile(t, testRoofline)
	needFile(t, testModels+"resnet20.onnx")
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.onnx")
	if err := os.WriteFile(corrupt, []byte("this is not a protobuf \x00\xff\x07"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.onnx")
	good := testModels + "resnet20.onnx"
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"--model", missing}, missing},
		{"missing file in a list", []string{"--model", good + "," + missing}, missing},
		{"corrupt onnx", []string{"--model", corrupt}, corrupt},
		{"unknown format", []string{"--model", good, "--formats", "fp32,int3"}, `"int3"`},
		{"batch 0", []string{"--model", good, "--batch", "0"}, "--batch 0"},
		{"threads 0", []string{"--model", good, "--threads", "0"}, "--threads 0"},
		{"batch beyond memory", []string{"--model", good, "--batch", hugeBatch}, "--batch " + hugeBatch},
		{"kernels batch 0", []string{"--kernels", "--model", good, "--batch", "0"}, "--batch 0"},
		{"missing calibration", []string{"--model", good, "--formats", "int8", "--calib", missing}, missing},
		{"missing roofline", []string{"--model", good, "--formats", "fp32", "--roofline", missing}, missing},
		{"too few rounds to save", []string{"--model", good, "--rounds", "3"}, "--rounds 3"},
		{"profile into a missing directory", []string{"--model", good, "--formats", "fp32", "--cpuprofile", filepath.Join(missing, "cpu.pprof")}, missing},
	} {
		t.Run(c.name, func(t *testing.T) {
			jsonPath := filepath.Join(dir, "out.json")
			args := append([]string{"--out", jsonPath, "--cache", "", "--min-time", "1ms", "--results", filepath.Join(dir, "results")}, c.args...)
			if !containsArg(args, "--cpuprofile") {
				args = append(args, "--cpuprofile", filepath.Join(dir, "cpu.pprof"))
			}
			if !containsArg(args, "--roofline") {
				args = append(args, "--roofline", testRoofline)
			}
			var stdout, stderr bytes.Buffer
			err := bench(args, &stdout, &stderr)
			if err == nil {
				t.Fatalf("no error; stdout:\n%s", stdout.String())
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name %s", err, c.want)
			}
			if _, err := os.Stat(jsonPath); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a JSON file was written (stat: %v)", err)
			}
			if stdout.Len() > 0 {
				t.Errorf("printed a table before failing:\n%s", stdout.String())
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "corrupt.onnx" {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

func containsArg(args []string, a string) bool {
	for _, x := range args {
		if x == a {
			return true
		}
	}
	return false
}

// A bad flag is a usage error (exit 2), before anything runs.
func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--no-such-flag"}, {"--rounds", "five"}, {"stray"}, {"--quick=maybe"}} {
		var stdout, stderr bytes.Buffer
		if err := bench(args, &stdout, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("%q: error %v, want a usage error", args, err)
		}
	}
}

// --quick --kernels times a fixed subset of the shapes: the GEMM and
// depthwise shapes of most MACs, the same in every run, with enough
// samples per point to compare.
func TestBenchKernelsQuick(t *testing.T) {
	for model, want := range map[string][]string{
		"resnet20.onnx":    {"gemm_64x64x576", "gemm_256x32x288", "gemm_1024x16x144", "gemm_256x32x144"},
		"mobilenetv2.onnx": nil,
	} {
		needFile(t, testModels+model)
		g, err := graph.Load(testModels+model, 1)
		if err != nil {
			t.Fatal(err)
		}
		all := kernelShapes(layers.Of(g))
		q := quickShapes(all)
		gemm, dw := 0, 0
		var names []string
		for _, s := range q {
			names = append(names, s.name)
			if s.depthwise {
				dw++
			} else {
				gemm++
			}
		}
		if gemm != min(quickGEMMShapes, len(all)) || (model == "mobilenetv2.onnx" && dw != quickDWShapes) {
			t.Errorf("%s: %d GEMM and %d depthwise shapes of %d: %v", model, gemm, dw, len(all), names)
		}
		if want != nil && strings.Join(sortedCopy(names), " ") != strings.Join(sortedCopy(want), " ") {
			t.Errorf("%s: quick shapes %v, want %v", model, names, want)
		}
		if again := quickShapes(all); len(again) != len(q) || again[0].name != q[0].name {
			t.Errorf("%s: quick shapes differ between calls", model)
		}
	}
	model := testModels + "resnet20.onnx"
	needFile(t, testRoofline)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := bench([]string{"--kernels", "--quick", "--model", model, "--formats", "int8", "--min-time", "2ms", "--roofline", testRoofline, "--results", dir}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench --kernels --quick: %v\n%s", err, stderr.String())
	}
	run := loadOnlyRun(t, dir, results.KindKernels)
	checkSamples(t, run, 5)
	var k results.Kernels
	if err := run.DecodePayload(&k); err != nil {
		t.Fatal(err)
	}
	if len(k.Kernels) != quickGEMMShapes || run.Protocol["quick"] != "true" {
		t.Errorf("quick run: %d kernels, protocol %v; want %d", len(k.Kernels), run.Protocol, quickGEMMShapes)
	}
}

func sortedCopy(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

// bench --json prints the report as JSON and nothing else on stdout.
func TestBenchJSONStdout(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testRoofline)
	var stdout, stderr bytes.Buffer
	err := bench([]string{"--kernels", "--quick", "--model", model, "--formats", "int8", "--min-time", "1ms", "--roofline", testRoofline, "--json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench --json: %v\n%s", err, stderr.String())
	}
	var out benchJSONOut
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("--json stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	if out.Mode != "kernels" || len(out.Points) == 0 {
		t.Errorf("--json: mode %q, %d points", out.Mode, len(out.Points))
	}
}
