package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestActBounds(t *testing.T) {
	ys := []float32{float32(math.Inf(-1)), -7, -1, float32(math.Copysign(0, -1)), 0, 0.5, 6, 6.5, float32(math.Inf(1)), float32(math.NaN())}
	for _, a := range []Act{ActNone, ActReLU, ActReLU6} {
		lo, hi := ActBounds(a)
		for _, y := range ys {
			want := y // the activations as Act's doc states them
			switch a {
			case ActReLU:
				want = max(y, 0)
			case ActReLU6:
				want = min(max(y, 0), 6)
			}
			got := actF32(y, a)
			if math.Float32bits(got) != math.Float32bits(want) && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
				t.Errorf("%v(%v) = %v, want %v", a, y, got, want)
			}
			if c := min(max(y, lo), hi); math.Float32bits(c) != math.Float32bits(got) && !math.IsNaN(float64(y)) {
				t.Errorf("%v: clamp(%v, %v, %v) = %v, act %v", a, y, lo, hi, c, got)
			}
		}
	}
}

// QuantizeU8 equals the 1.5*2^23 rounding trick the engine's epilogues use
// (float32 addition rounds to an integer, ties to even).
func TestQuantizeU8(t *testing.T) {
	const magic = 12582912 // 1.5 * 2^23
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 200000 {
		y := float32(r.NormFloat64() * 40)
		if i%4 == 0 {
			y = float32(math.Round(float64(y))) / 2 // ties
		}
		inv, zero := float32(0.5+r.Float64()*4), uint8(r.IntN(256))
		t0 := min(max(float32(y*inv)+float32(zero), 0), 255)
		if got, want := QuantizeU8(y, inv, zero), uint8(float32(t0+magic)-magic); got != want {
			t.Fatalf("QuantizeU8(%v, %v, %d) = %d, trick gives %d", y, inv, zero, got, want)
		}
	}
}
