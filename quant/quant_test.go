package quant

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/kernels"
)

// TestRTNExact: weights that are integer multiples of max/qmax come back exactly.
func TestRTNExact(t *testing.T) {
	for _, bits := range []int{8, 4} {
		qmax := 1<<(bits-1) - 1
		k, n := 7, 3
		w := make([]float32, k*n)
		for r := 0; r < k; r++ {
			for c := 0; c < n; c++ {
				w[r*n+c] = float32((r*5+c*3)%(2*qmax+1)-qmax) * 0.125 * float32(c+1)
			}
		}
		for c := 0; c < n; c++ { // make max|w| = qmax*step in every column
			w[c] = float32(qmax) * 0.125 * float32(c+1)
		}
		for _, m := range []WeightMethod{WeightRTN, WeightMSE} {
			qw, err := Weights(w, k, n, bits, 0, m)
			if err != nil {
				t.Fatal(err)
			}
			back := Dequantize(qw)
			for i := range w {
				if back[i] != w[i] {
					t.Fatalf("int%d %v: weight %d: %v -> %v (q %d scale %v)", bits, m, i, w[i], back[i], qw.Q[i], qw.Scale[i%n])
				}
			}
		}
	}
}

// TestMSENoWorse: the MSE clip never has more error than max scaling, and
// with an outlier it is clearly better.
func TestMSENoWorse(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	k, n := 288, 16
	w := make([]float32, k*n)
	for i := range w {
		w[i] = float32(r.NormFloat64() * 0.1)
	}
	w[5*n+3] = 2 // an outlier in column 3
	for _, bits := range []int{8, 4} {
		rtn, _ := Weights(w, k, n, bits, 0, WeightRTN)
		mse, _ := Weights(w, k, n, bits, 0, WeightMSE)
		er, em := colErr(w, Dequantize(rtn), n), colErr(w, Dequantize(mse), n)
		for c := 0; c < n; c++ {
			if em[c] > er[c]*(1+1e-9) {
				t.Errorf("int%d column %d: MSE clip error %.3g > RTN %.3g", bits, c, em[c], er[c])
			}
		}
		if bits == 4 && !(em[0] < 0.9*er[0]) {
			t.Errorf("int4: MSE clip gains too little on a Gaussian column: %.3g vs %.3g", em[0], er[0])
		}
	}
}

func colErr(w, q []float32, n int) []float64 {
	e := make([]float64, n)
	for i := range w {
		d := float64(w[i] - q[i])
		e[i%n] += d * d
	}
	return e
}

func TestGroups(t *testing.T) {
	w := make([]float32, 16*2)
	for i := range w {
		w[i] = float32(i%7) - 3
	}
	w[0] = 100 // only the first group of column 0 has a large scale
	qw, err := Weights(w, 16, 2, 4, 8, WeightRTN)
	if err != nil {
		t.Fatal(err)
	}
	if qw.Groups() != 2 || len(qw.Scale) != 4 || !(qw.Scale[0] > 10*qw.Scale[2]) {
		t.Errorf("group scales %v", qw.Scale)
	}
	for _, bad := range []struct{ bits, group int }{{8, 8}, {4, 6}, {3, 0}} {
		if _, err := Weights(w, 16, 2, bad.bits, bad.group, WeightMSE); err == nil {
			t.Errorf("bits %d group %d accepted", bad.bits, bad.group)
		}
	}
	if _, err := Weights(w[:5], 16, 2, 8, 0, WeightMSE); err == nil {
		t.Error("short weights accepted")
	}
	nan := append([]float32(nil), w...)
	nan[3] = float32(math.NaN())
	if _, err := Weights(nan, 16, 2, 8, 0, WeightMSE); err == nil {
		t.Error("NaN weight accepted")
	}
}

// TestZeroPoint: 0 is exactly representable, ReLU ranges get zero point 0,
// and codes round-trip within half a step.
func TestZeroPoint(t *testing.T) {
	for _, r := range []Range{{0, 6}, {-1, 3}, {-2.5, 2.5}, {0.5, 4}, {-3, -1}, {0, 0}} {
		q := r.Quant()
		if Dequant(Quantize(0, q), q) != 0 {
			t.Errorf("range %v: 0 is not exact (scale %v zero %d)", r, q.Scale, q.Zero)
		}
		if r.Lo == 0 && q.Zero != 0 {
			t.Errorf("range %v: zero point %d, want 0", r, q.Zero)
		}
		for v := min(r.Lo, 0); v <= max(r.Hi, 0); v += 0.01 {
			if d := math.Abs(float64(Dequant(Quantize(v, q), q) - v)); d > float64(q.Scale)/2*1.0001+1e-6 {
				t.Fatalf("range %v: %v round-trips with error %v > scale/2 %v", r, v, d, q.Scale/2)
			}
		}
	}
	q := kernels.Quant{Scale: 0.1, Zero: 10}
	if Quantize(100, q) != 255 || Quantize(-100, q) != 0 {
		t.Error("quantize does not saturate")
	}
}

func TestRangeMethods(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	data := make([]float32, 200000)
	for i := range data {
		data[i] = float32(math.Abs(r.NormFloat64()))
	}
	data[0] = 40 // one outlier
	var s TensorStats
	s.Observe(data, 1)
	s.FinishMeans()
	s.ObserveHist(data)
	mm, pc, ms := s.Range(MinMax), s.Range(Percentile), s.Range(MSE)
	if mm.Hi != 40 || mm.Lo < 0 || mm.Lo > 1e-3 {
		t.Errorf("min-max %v", mm)
	}
	if !(pc.Hi < 6 && pc.Hi > 3) || pc.Lo != mm.Lo {
		t.Errorf("percentile %v", pc)
	}
	if !(ms.Hi <= mm.Hi) || ms.Lo != 0 {
		t.Errorf("mse %v", ms)
	}
	// Without the outlier the MSE range clips the Gaussian tail.
	var g TensorStats
	g.Observe(data[1:], 1)
	g.ObserveHist(data[1:])
	if gm, gs := g.Range(MinMax), g.Range(MSE); !(gs.Hi < gm.Hi && gs.Hi > 2) {
		t.Errorf("mse %v vs min-max %v", gs, gm)
	}
	if math.Abs(s.Mean[0]-math.Sqrt(2/math.Pi)) > 0.01 {
		t.Errorf("mean %v", s.Mean[0])
	}
}

func TestCache(t *testing.T) {
	dir := t.TempDir()
	c := &Calibration{Model: "abc", Data: "d", Method: "mse", N: 7,
		Ranges: map[string]Range{"x": {-1, 2}}, Means: map[string][]float64{"x": {0.5}}}
	p := CachePath(dir, "abc", "d", MSE, 7)
	if got, err := LoadCache(p, "abc", "d", MSE, 7); got != nil || err != nil {
		t.Fatalf("missing cache: %v, %v", got, err)
	}
	if err := SaveCache(p, c); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCache(p, "abc", "d", MSE, 7)
	if err != nil || got.Ranges["x"] != c.Ranges["x"] || got.Means["x"][0] != 0.5 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	// A cache for other parameters, or a corrupt one, is not used: it is
	// rebuilt after a warning, never an error that fails every run.
	var warn bytes.Buffer
	if got, err := loadCache(p, "abc", "d", MSE, 8, &warn); got != nil || err != nil || !strings.Contains(warn.String(), p) {
		t.Errorf("cache for other n: %v, %v, warning %q", got, err, warn.String())
	}
	for _, junk := range []string{"{", "", `{"model": "abc", "data": "d", "method": "mse", "n": 7, "ranges": {"x": {"Lo": 2, "Hi": -1}}}`} {
		os.WriteFile(p, []byte(junk), 0o644)
		warn.Reset()
		if got, err := loadCache(p, "abc", "d", MSE, 7, &warn); got != nil || err != nil || !strings.Contains(warn.String(), "calibrating again") {
			t.Errorf("corrupt cache %q: %v, %v, warning %q", junk, got, err, warn.String())
		}
	}
	if err := SaveCache(p, c); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadCache(p, "abc", "d", MSE, 7); err != nil || got == nil {
		t.Errorf("rebuilt cache: %v, %v", got, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".calib-*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
