package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aiq-project/aiq/kernels"
)

// TestEpilogueAsm compares the assembly epilogues with the Go ones on every
// length up to 70 (tails), random values and extremes, with guard bytes.
func TestEpilogueAsm(t *testing.T) {
	if !asmLevel() {
		t.Skip("no assembly epilogues at this ISA level")
	}
	r := rand.New(rand.NewPCG(5, 6))
	res := &tensor{st: stU8, q: kernels.Quant{Scale: 0.037, Zero: 17}}
	outQ := kernels.Quant{Scale: 0.05, Zero: 3}
	for n := 0; n <= 70; n++ {
		for _, a := range []kernels.Act{kernels.ActNone, kernels.ActReLU, kernels.ActReLU6} {
			y := make([]float32, n)
			rf := make([]float32, n)
			res.b = make([]uint8, n)
			for i := range y {
				y[i] = float32(r.NormFloat64() * 4)
				rf[i] = float32(r.NormFloat64() * 4)
				res.b[i] = uint8(r.IntN(256))
			}
			if n > 3 {
				y[0], y[1], y[2] = 1e9, -1e9, 0.025 // saturation and a tie
			}
			const guard = 8
			d1, d2 := make([]uint8, n+guard), make([]uint8, n+guard)
			addActU8(false, d1[:n], y, res, 0, a, outQ)
			addActU8(true, d2[:n], y, res, 0, a, outQ)
			for i := range d1 {
				if d1[i] != d2[i] {
					t.Fatalf("addActU8 n=%d act=%v: index %d: go %d asm %d", n, a, i, d1[i], d2[i])
				}
			}
			quantizeU8(false, d1[:n], y, outQ)
			quantizeU8(true, d2[:n], y, outQ)
			for i := range d1 {
				if d1[i] != d2[i] {
					t.Fatalf("quantizeU8 n=%d: index %d: go %d asm %d", n, i, d1[i], d2[i])
				}
			}
			y1, y2 := append([]float32(nil), y...), append(append([]float32(nil), y...), 42)
			addActF32(false, y1, rf, a)
			addActF32(true, y2[:n], rf, a)
			for i := range y1 {
				if y1[i] != y2[i] {
					t.Fatalf("addActF32 n=%d act=%v: index %d: go %v asm %v", n, a, i, y1[i], y2[i])
				}
			}
			if y2[n] != 42 {
				t.Fatalf("addActF32 n=%d wrote past the end", n)
			}
			y1, y2 = append([]float32(nil), y...), append(append([]float32(nil), y...), 42)
			addActDeq(false, y1, res, 0, a)
			addActDeq(true, y2[:n], res, 0, a)
			for i := range y1 {
				if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) {
					t.Fatalf("addActDeq n=%d act=%v: index %d: go %v asm %v", n, a, i, y1[i], y2[i])
				}
			}
			if y2[n] != 42 {
				t.Fatalf("addActDeq n=%d wrote past the end", n)
			}
		}
	}
}
