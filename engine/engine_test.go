package engine

import (
	"math"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

var models = []string{"resnet20", "mobilenetv2"}

func loadGraph(t testing.TB, name string, batch int) *graph.Graph {
	t.Helper()
	g, err := graph.Load("../models/"+name+".onnx", batch)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func testSet(t testing.TB, file string) *dataset.Set {
	t.Helper()
	s, err := dataset.Open("../data/cifar10/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFP32MatchesReference compares the engine's logits with the graph
// reference interpreter on a few test images, with a batch that does not
// divide the image count and two threads.
func TestFP32MatchesReference(t *testing.T) {
	set := testSet(t, "cifar10-test.bin")
	const n = 5
	x := make([]float32, n*set.ImageSize())
	if err := set.Images(100, n, x); err != nil {
		t.Fatal(err)
	}
	for _, name := range models {
		g := loadGraph(t, name, n)
		want, err := graph.Reference(g, x)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Compile(g, Config{}, Options{Batch: 3, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Run(x, n)
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		var maxDiff float64
		for i := range want {
			maxDiff = math.Max(maxDiff, math.Abs(float64(got[i]-want[i])))
		}
		t.Logf("%s: max |engine - reference| = %.2g", name, maxDiff)
		if maxDiff > 1e-3 || len(got) != len(want) {
			t.Errorf("%s: logits differ from the reference by %.3g (len %d vs %d)", name, maxDiff, len(got), len(want))
		}
	}
}

// TestTop1 checks fp32 top-1 on the first 500 test images against the
// reference interpreter's figures on the same images (exact agreement is
// expected: the logits differ by ~1e-5).
func TestTop1(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 1000 images")
	}
	set := testSet(t, "cifar10-test.bin")
	// Top-1 of the reference interpreter on test images 0..499.
	want := map[string]float64{"resnet20": 0.914, "mobilenetv2": 0.914}
	for _, name := range models {
		m, err := Compile(loadGraph(t, name, 1), Config{}, Options{Batch: 50, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		acc, err := Evaluate(m, set, 0, 500)
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s fp32: top-1 %.2f%% on test images 0..499", name, 100*acc)
		if math.Abs(acc-want[name]) > 1e-9 {
			t.Errorf("%s: top-1 %.4f, want %.4f", name, acc, want[name])
		}
	}
}

// TestQuantizedAgreement runs int8, int4 and fp16 on 200 test images and
// checks that they agree with fp32 on nearly every prediction.
func TestQuantizedAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("calibrates both models")
	}
	set := testSet(t, "cifar10-test.bin")
	train := testSet(t, "cifar10-train-5k.bin")
	const n = 200
	// Minimum fraction of predictions equal to fp32's.
	floor := map[kernels.Format]float64{kernels.FP16: 0.995, kernels.Int8: 0.96, kernels.Int4: 0.80}
	for _, name := range models {
		g := loadGraph(t, name, 1)
		opts := Options{Batch: 32, Threads: 2}
		calib, err := Calibrate(g, train, 0, 64, quant.MinMax, opts)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := Compile(g, Config{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Predict(ref, set, 0, n)
		ref.Close()
		if err != nil {
			t.Fatal(err)
		}
		opts.Calib = calib
		for _, f := range []kernels.Format{kernels.FP16, kernels.Int8, kernels.Int4} {
			m, err := Compile(g, Uniform(f), opts)
			if err != nil {
				t.Fatalf("%s %v: %v", name, f, err)
			}
			got, err := Predict(m, set, 0, n)
			m.Close()
			if err != nil {
				t.Fatal(err)
			}
			same := 0
			for i := range got {
				if got[i] == want[i] {
					same++
				}
			}
			agree := float64(same) / n
			t.Logf("%s %v: %.1f%% of predictions equal fp32's", name, f, 100*agree)
			if agree < floor[f] {
				t.Errorf("%s %v: only %.1f%% agreement with fp32, want >= %.1f%%", name, f, 100*agree, 100*floor[f])
			}
		}
	}
}

// TestMixedFormats runs a configuration that alternates formats layer by
// layer, so every conversion path (f32/f16/u8 in and out, residuals in
// each storage) is exercised, and compares logits with fp32.
// mixedCase is model name at batch n, calibrated, with a configuration
// cycling through every format and the first n test images.
func mixedCase(t testing.TB, name string, n int) (*graph.Graph, Options, Config, []float32) {
	set := testSet(t, "cifar10-test.bin")
	train := testSet(t, "cifar10-train-5k.bin")
	x := make([]float32, n*set.ImageSize())
	if err := set.Images(0, n, x); err != nil {
		t.Fatal(err)
	}
	g := loadGraph(t, name, 1)
	opts := Options{Batch: n, Threads: 1}
	calib, err := Calibrate(g, train, 0, 16, quant.MinMax, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Calib = calib
	cycle := []kernels.Format{kernels.Int8, kernels.FP16, kernels.FP32, kernels.Int4, kernels.Int8, kernels.FP32}
	cfg := Config{Layers: map[string]kernels.Format{}}
	for i, l := range g.Layers() {
		cfg.Layers[l.Name] = cycle[i%len(cycle)]
	}
	return g, opts, cfg, x
}

func TestMixedFormats(t *testing.T) {
	const n = 8
	for _, name := range models {
		g, opts, cfg, x := mixedCase(t, name, n)
		ref, _ := Compile(g, Config{}, opts)
		want, _ := ref.Run(x, n)
		want = append([]float32(nil), want...)
		m, err := Compile(g, cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Run(x, n)
		if err != nil {
			t.Fatal(err)
		}
		var maxDiff, scale float64
		for i := range want {
			maxDiff = math.Max(maxDiff, math.Abs(float64(got[i]-want[i])))
			scale = math.Max(scale, math.Abs(float64(want[i])))
		}
		t.Logf("%s mixed: max |mixed - fp32| = %.3g (logits up to %.3g)", name, maxDiff, scale)
		if maxDiff > 0.3*scale || math.IsNaN(maxDiff) {
			t.Errorf("%s mixed: logits off by %.3g", name, maxDiff)
		}
	}
}

func TestBadConfig(t *testing.T) {
	g := loadGraph(t, "resnet20", 1)
	if _, err := Compile(g, Config{Layers: map[string]kernels.Format{"nope": kernels.Int8}}, Options{}); err == nil {
		t.Error("unknown layer name accepted")
	}
	if _, err := Compile(g, Uniform(kernels.Int8), Options{}); err == nil {
		t.Error("int8 without calibration accepted")
	}
	if _, err := Compile(g, Config{}, Options{Batch: -1}); err == nil {
		t.Error("negative batch accepted")
	}
	if _, err := ParseConfig([]byte(`{"layers": {"/net/conv1/Conv": "int3"}}`)); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := ParseConfig([]byte(`{"layers": {}, "extra": 1}`)); err == nil {
		t.Error("unknown field accepted")
	}
	c, err := ParseConfig([]byte(`{"model": "resnet20.onnx", "default": "int8", "layers": {"/net/conv1/Conv": "fp32"}}`))
	if err != nil || c.Default != kernels.Int8 || c.Format("/net/conv1/Conv") != kernels.FP32 {
		t.Errorf("config parsed as %+v, %v", c, err)
	}
	calib := &quant.Calibration{Ranges: map[string]quant.Range{}}
	if _, err := Compile(g, Uniform(kernels.Int8), Options{Calib: calib}); err == nil {
		t.Error("calibration without ranges accepted")
	}
	m, err := Compile(g, Config{}, Options{Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Run(make([]float32, 10), 1); err == nil {
		t.Error("short input accepted")
	}
}

// TestRunNoAlloc: buffers are planned at Compile, so a float run allocates
// nothing (integer runs inherit whatever the kernels allocate).
func TestRunNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	set := testSet(t, "cifar10-test.bin")
	for _, name := range models {
		m, err := Compile(loadGraph(t, name, 1), Config{}, Options{Batch: 4, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 4*set.ImageSize())
		set.Images(0, 4, x)
		m.Run(x, 4)
		if a := testing.AllocsPerRun(3, func() { m.Run(x, 4) }); a != 0 {
			t.Errorf("%s: %v allocations per run", name, a)
		}
		m.Close()
	}
}

// tinyGraph is x[1,4,5,5] -> Conv(4->4, 3x3, group) -> op.
func tinyGraph(group int, op string) *graph.Graph {
	g := &graph.Graph{Name: "tiny", Batch: 1, Values: map[string]*graph.Tensor{}}
	g.Values["x"] = &graph.Tensor{Name: "x", Shape: []int{1, 4, 5, 5}}
	w := make([]float32, 4*4/group*9)
	g.Values["w"] = &graph.Tensor{Name: "w", Shape: []int{4, 4 / group, 3, 3}, F: w}
	g.Values["y"] = &graph.Tensor{Name: "y", Shape: []int{1, 4, 5, 5}}
	g.Values["z"] = &graph.Tensor{Name: "z", Shape: []int{1, 4, 5, 5}}
	g.Nodes = []*graph.Node{
		{Name: "conv", Op: "Conv", Inputs: []string{"x", "w"}, Outputs: []string{"y"},
			Conv: graph.ConvParams{KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DilationH: 1, DilationW: 1, Group: group}},
		{Name: "last", Op: op, Inputs: []string{"y"}, Outputs: []string{"z"},
			Clip: graph.ClipParams{Min: 0, Max: float32(math.Inf(1))}}, // as the importer sets for Relu
	}
	g.Inputs, g.Outputs = []string{"x"}, []string{"z"}
	return g
}

func TestUnsupported(t *testing.T) {
	if _, err := Compile(tinyGraph(1, "Softmax"), Config{}, Options{}); err == nil || !strings.Contains(err.Error(), `"last"`) {
		t.Errorf("unsupported operator: %v", err)
	}
	if _, err := Compile(tinyGraph(1, "Sin"), Config{}, Options{}); err == nil || !strings.Contains(err.Error(), `"last" (Sin): operator not supported`) {
		t.Errorf("unknown operator: %v", err)
	}
	m, err := Compile(tinyGraph(1, "Relu"), Config{}, Options{Batch: 2})
	if err != nil {
		t.Fatalf("tiny graph: %v", err)
	}
	defer m.Close()
	if m.Classes != 100 {
		t.Errorf("classes %d", m.Classes)
	}
}

// TestTinyVsReference: a plain, a grouped and a depthwise conv with a
// [N,C,H,W] output match the reference interpreter.
func TestTinyVsReference(t *testing.T) {
	for _, group := range []int{1, 2, 4} {
		g := tinyGraph(group, "Relu")
		w := g.Values["w"].F
		for i := range w {
			w[i] = float32(i%7)/7 - 0.4
		}
		x := make([]float32, 2*4*5*5)
		for i := range x {
			x[i] = float32(i%11)/5 - 1
		}
		g.Batch = 2
		for _, v := range g.Values {
			if !v.Const() {
				v.Shape[0] = 2
			}
		}
		want, err := graph.Reference(g, x)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Compile(g, Config{}, Options{Batch: 2})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := m.Run(x, 2)
		m.Close()
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-5 {
				t.Fatalf("group %d: value %d: got %v want %v", group, i, got[i], want[i])
			}
		}
	}
}
