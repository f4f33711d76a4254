package search

import (
	"math"
	"os"
	"testing"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

func loadLayers(t *testing.T, model string) []Layer {
	t.Helper()
	path := "../models/" + model
	if _, err := os.Stat(path); err != nil {
		t.Skipf("model not shipped here: %v", err)
	}
	g, err := graph.Load(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	return LayersOf(g)
}

// TestAIOfShippedModels checks the byte accounting against the figures in
// MISSION.md (computed there independently).
func TestAIOfShippedModels(t *testing.T) {
	r := loadLayers(t, "resnet20.onnx")
	if len(r) != 20 {
		t.Fatalf("resnet20: %d layers, want 20", len(r))
	}
	n := len(r)
	fp32 := AI(r, Uniform(n, kernels.FP32), 1)
	check := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.3f, want %.2f", what, got, want)
		}
	}
	check("resnet20 fp32 AI at batch 1", fp32, 31.5, 0.05)
	check("int8 / fp32 at batch 1", AI(r, Uniform(n, kernels.Int8), 1)/fp32, 4.00, 0.005)
	check("int4 / fp32 at batch 1", AI(r, Uniform(n, kernels.Int4), 1)/fp32, 5.05, 0.005)
	check("int4 / fp32 at batch 64", AI(r, Uniform(n, kernels.Int4), 64)/AI(r, Uniform(n, kernels.FP32), 64), 4.02, 0.005)
	var macs int64
	for _, l := range r {
		macs += l.MACs
	}
	if macs < 40.5e6 || macs > 40.7e6 {
		t.Errorf("resnet20: %d MACs, want 40.6M", macs)
	}
	m := loadLayers(t, "mobilenetv2.onnx")
	if len(m) != 53 {
		t.Fatalf("mobilenetv2: %d layers, want 53", len(m))
	}
	check("mobilenetv2 fp32 AI at batch 1", AI(m, Uniform(len(m), kernels.FP32), 1), 8.0, 0.05)
	dw := 0
	for _, l := range m {
		if l.Depthwise {
			dw++
			if l.Shape.KH != 3 || l.Shape.C == 0 {
				t.Fatalf("depthwise layer %s: shape %+v", l.Name, l.Shape)
			}
		}
	}
	if dw != 17 {
		t.Errorf("mobilenetv2: %d depthwise layers, want 17", dw)
	}
}

func TestEngineConfigRoundTrip(t *testing.T) {
	layers := []Layer{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	c := Config{kernels.Int4, kernels.FP16, kernels.Int8}
	ec := EngineConfig(layers, c)
	if ec.Format("b") != kernels.FP16 || len(ec.Layers) != 3 {
		t.Fatalf("EngineConfig: %+v", ec)
	}
	if got := FromEngine(layers, ec); got.Key() != c.Key() {
		t.Fatalf("FromEngine = %s, want %s", got.Key(), c.Key())
	}
	if got := FromEngine(layers, engine.Uniform(kernels.Int8)); got.Key() != "int8,int8,int8" {
		t.Fatalf("FromEngine(uniform int8) = %s", got.Key())
	}
}

func TestMeasureTimes(t *testing.T) {
	layers := []Layer{
		{Name: "conv", Shape: Shape{M: 16, N: 16, K: 144}},
		{Name: "conv-again", Shape: Shape{M: 16, N: 16, K: 144}},
		{Name: "dw", Depthwise: true, Shape: Shape{C: 32, H: 8, W: 8, KH: 3, Stride: 2}},
	}
	fs := []kernels.Format{kernels.FP32, kernels.Int8}
	tab, err := MeasureTimes(layers, fs, TimingOptions{Batch: 2, Threads: 1, MinTime: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for l, row := range tab {
		for _, f := range kernels.Formats {
			measured := f == kernels.FP32 || f == kernels.Int8
			if measured != !math.IsInf(row[f], 1) || (measured && !(row[f] > 0 && row[f] < 1)) {
				t.Fatalf("layer %d %s: %v", l, f, row[f])
			}
		}
	}
	if tab[0][kernels.Int8] != tab[1][kernels.Int8] {
		t.Fatal("layers of one shape were measured twice")
	}
	if _, err := MeasureTimes(layers, fs, TimingOptions{Batch: 0, Threads: 1}); err == nil {
		t.Fatal("batch 0 accepted")
	}
	bad := []Layer{{Name: "dw5", Depthwise: true, Shape: Shape{C: 8, H: 8, W: 8, KH: 5, Stride: 1}}}
	if _, err := MeasureTimes(bad, fs, TimingOptions{Batch: 1, Threads: 1}); err == nil {
		t.Fatal("5x5 depthwise accepted")
	}
}

func TestEngineTop1(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the engine")
	}
	if _, err := os.Stat("../data/cifar10/cifar10-test.bin"); err != nil {
		t.Skipf("data not here: %v", err)
	}
	set, err := dataset.Open("../data/cifar10/cifar10-test.bin")
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine("../models/resnet20.onnx", set, engine.Options{Batch: 64, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	top, err := e.Top1(Uniform(len(e.Layers), kernels.FP32), 0, 256)
	if err != nil {
		t.Fatal(err)
	}
	// The FP32 model gets about 91.6% on the val half; 256 images leave noise.
	if top < 85 || top > 97 {
		t.Fatalf("fp32 top-1 on 256 images = %.2f%%", top)
	}
	if _, err := e.Top1(Uniform(len(e.Layers), kernels.Int8), 0, 64); err == nil {
		t.Fatal("int8 without calibration accepted")
	}
}
