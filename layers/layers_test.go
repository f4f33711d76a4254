package layers

import (
	"math"
	"os"
	"testing"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

func uniform(n int, f kernels.Format) []kernels.Format {
	c := make([]kernels.Format, n)
	for i := range c {
		c[i] = f
	}
	return c
}

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
	return Of(g)
}

// TestAIOfShippedModels checks the byte accounting against the figures in
// the project brief (computed there independently).
func TestAIOfShippedModels(t *testing.T) {
	r := loadLayers(t, "resnet20.onnx")
	if len(r) != 20 {
		t.Fatalf("resnet20: %d layers, want 20", len(r))
	}
	n := len(r)
	fp32 := AI(r, uniform(n, kernels.FP32), 1)
	check := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.3f, want %.2f", what, got, want)
		}
	}
	check("resnet20 fp32 AI at batch 1", fp32, 31.5, 0.05)
	check("int8 / fp32 at batch 1", AI(r, uniform(n, kernels.Int8), 1)/fp32, 4.00, 0.005)
	check("int4 / fp32 at batch 1", AI(r, uniform(n, kernels.Int4), 1)/fp32, 5.05, 0.005)
	check("int4 / fp32 at batch 64", AI(r, uniform(n, kernels.Int4), 64)/AI(r, uniform(n, kernels.FP32), 64), 4.02, 0.005)
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
	check("mobilenetv2 fp32 AI at batch 1", AI(m, uniform(len(m), kernels.FP32), 1), 8.0, 0.05)
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

func TestBytesAndAI(t *testing.T) {
	l := Layer{MACs: 1000, Weights: 100, InActs: 10, OutActs: 20}
	cases := []struct {
		f     kernels.Format
		batch int
		want  float64
	}{
		{kernels.FP32, 1, 100*4 + 30*4},
		{kernels.FP16, 2, 100*2 + 2*30*2},
		{kernels.Int8, 4, 100 + 4*30},
		{kernels.Int4, 4, 50 + 4*30},
	}
	for _, c := range cases {
		if got := Bytes(l, c.f, c.batch); got != c.want {
			t.Errorf("Bytes(%s, batch %d) = %v, want %v", c.f, c.batch, got, c.want)
		}
	}
	ls := []Layer{l, {MACs: 500, Weights: 10, InActs: 20, OutActs: 5}}
	cfg := []kernels.Format{kernels.FP32, kernels.Int4}
	wantBytes := (100*4 + 30*4) + (5 + 25.0)
	if got := TotalBytes(ls, cfg, 1); got != wantBytes {
		t.Fatalf("TotalBytes = %v, want %v", got, wantBytes)
	}
	if got, want := AI(ls, cfg, 1), 2*1500/wantBytes; math.Abs(got-want) > 1e-12 {
		t.Fatalf("AI = %v, want %v", got, want)
	}
}
