package quant

import (
	"slices"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/kernels"
)

// TestWeightsScaled gives back a file's int8 codes from its dequantized
// weights and refuses scales the weights were not quantized with.
func TestWeightsScaled(t *testing.T) {
	const k, n = 5, 3
	scale := []float32{0.013, 0.5, 1e-4}
	codes := []int8{-128, 127, 0, 1, -1, 64, 100, -7, 3, 0, 0, 0, 77, -77, 12}
	w := make([]float32, k*n)
	for i, q := range codes {
		w[i] = float32(q) * scale[i%n]
	}
	qw, err := WeightsScaled(w, k, n, scale)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(qw.Q, codes) || !slices.Equal(qw.Scale, scale) || qw.Bits != 8 || qw.K != k || qw.N != n {
		t.Fatalf("got %+v, want codes %v scales %v", qw, codes, scale)
	}
	if got := Dequantize(qw); !slices.Equal(got, w) {
		t.Errorf("dequantized %v, want %v", got, w)
	}
	bad := []float32{0.013, 0.3, 1e-4}
	if _, err := WeightsScaled(w, k, n, bad); err == nil || !strings.Contains(err.Error(), "not an int8 multiple") {
		t.Errorf("wrong scale: %v", err)
	}
	if _, err := WeightsScaled(w, k, n, scale[:2]); err == nil {
		t.Error("2 scales for 3 channels: no error")
	}
	big := []float32{0.013 / 2, 0.5, 1e-4} // -256 and 254 codes
	if _, err := WeightsScaled(w, k, n, big); err == nil {
		t.Error("codes outside int8: no error")
	}
}

// TestCalibrationQuant: a file's quantization takes precedence over a range.
func TestCalibrationQuant(t *testing.T) {
	c := &Calibration{Ranges: map[string]Range{"a": {-1, 3}, "b": {0, 2}},
		Quants: map[string]kernels.Quant{"a": {Scale: 0.5, Zero: 7}}}
	if q, ok := c.Quant("a"); !ok || q != (kernels.Quant{Scale: 0.5, Zero: 7}) {
		t.Errorf("a: %v %v", q, ok)
	}
	if q, ok := c.Quant("b"); !ok || q != (Range{0, 2}).Quant() {
		t.Errorf("b: %v %v", q, ok)
	}
	if _, ok := c.Quant("c"); ok {
		t.Error("c: found")
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
	c.Quants["z"] = kernels.Quant{Scale: 0, Zero: 1}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `"z"`) {
		t.Errorf("zero scale: %v", err)
	}
}

// TestWeightsFrom: a file's codes are kept when they fit the format, int8
// codes asked for in int4 (or in groups) are quantized again.
func TestWeightsFrom(t *testing.T) {
	const k, n = 4, 2
	scale := []float32{0.1, 0.01}
	w4 := []float32{0.7, -0.08, -0.8, 0.07, 0.1, 0, 0, 0.01} // codes in [-8, 7]
	qw, err := WeightsFrom(w4, k, n, 4, 0, WeightMSE, scale)
	if err != nil || qw.Bits != 4 || !slices.Equal(qw.Q, []int8{7, -8, -8, 7, 1, 0, 0, 1}) || !slices.Equal(qw.Scale, scale) {
		t.Errorf("int4 codes: %+v, %v", qw, err)
	}
	w8 := []float32{12.7, -0.08, -0.8, 0.07, 0.1, 0, 0, 0.01} // 127: not int4
	qw, err = WeightsFrom(w8, k, n, 4, 0, WeightRTN, scale)
	want, _ := Weights(w8, k, n, 4, 0, WeightRTN)
	if err != nil || !slices.Equal(qw.Q, want.Q) || !slices.Equal(qw.Scale, want.Scale) {
		t.Errorf("int8 codes in int4: %+v, want %+v (%v)", qw, want, err)
	}
	if qw, err = WeightsFrom(w8, k, n, 8, 0, WeightRTN, scale); err != nil || qw.Q[0] != 127 || qw.Bits != 8 {
		t.Errorf("int8 codes: %+v, %v", qw, err)
	}
	if _, err := WeightsFrom(w8, k, n, 8, 0, WeightRTN, []float32{0.3, 0.01}); err == nil {
		t.Error("weights that are not multiples of the file's scales: no error")
	}
}
