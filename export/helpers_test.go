package export

import (
	"os"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/onnx"
	"github.com/aiq-project/aiq/quant"
)

const (
	testData  = "../data/cifar10/cifar10-test.bin"
	calibData = "../data/cifar10/cifar10-train-5k.bin"
)

// setup imports a shipped model (batch 64, as aiq eval) with a second,
// untouched decoding for export, and its default calibration (min-max on
// 512 training images) through the user's cache, as aiq eval does.
func setup(t *testing.T, name string) (*graph.Graph, *onnx.Model, *quant.Calibration) {
	t.Helper()
	path := "../models/" + name + ".onnx"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("model not available: %v", err)
	}
	src, err := onnx.Parse(data, path)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := onnx.Parse(data, path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := graph.FromONNX(imp, 64)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := dataset.Open(calibData)
	if err != nil {
		t.Skipf("calibration images not available: %v", err)
	}
	cache := ""
	if d, err := os.UserCacheDir(); err == nil {
		cache = d + "/aiq"
	}
	// aiq eval's default calibration; -short (the purego run) takes fewer
	// images: the structural tests hold for any ranges.
	n := 512
	if testing.Short() {
		n = 64
	}
	calib, err := engine.CalibrateCached(path, g, cs, n, quant.MinMax, engine.Options{Batch: 64}, cache)
	if err != nil {
		t.Fatal(err)
	}
	return g, src, calib
}
