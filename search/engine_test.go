package search

import (
	"os"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
)

func TestEngineConfigRoundTrip(t *testing.T) {
	ls := []layers.Layer{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	c := Config{kernels.Int4, kernels.FP16, kernels.Int8}
	ec := EngineConfig(ls, c)
	if ec.Format("b") != kernels.FP16 || len(ec.Layers) != 3 {
		t.Fatalf("EngineConfig: %+v", ec)
	}
	if got := FromEngine(ls, ec); got.Key() != c.Key() {
		t.Fatalf("FromEngine = %s, want %s", got.Key(), c.Key())
	}
	if got := FromEngine(ls, engine.Uniform(kernels.Int8)); got.Key() != "int8,int8,int8" {
		t.Fatalf("FromEngine(uniform int8) = %s", got.Key())
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
