// Package operands makes random kernel operands for timing kernels at a
// layer's shape (aiq bench --kernels and the search's cost tables).
package operands

import (
	"math/rand/v2"

	"github.com/aiq-project/aiq/kernels"
)

// Float32 returns n standard normal values.
func Float32(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// Float16 returns n standard normal values rounded to binary16.
func Float16(rng *rand.Rand, n int) []uint16 {
	h := make([]uint16, n)
	kernels.F32ToF16(h, Float32(rng, n))
	return h
}

// Bytes returns n uniform uint8 activations.
func Bytes(rng *rand.Rand, n int) []uint8 {
	x := make([]uint8, n)
	for i := range x {
		x[i] = uint8(rng.UintN(256))
	}
	return x
}

// QuantWeights returns k x n uniform weights of the given width with one
// scale per column.
func QuantWeights(rng *rand.Rand, k, n, bits int) kernels.QuantWeights {
	lo, span := -128, 256
	if bits == 4 {
		lo, span = -8, 16
	}
	q := make([]int8, k*n)
	for i := range q {
		q[i] = int8(lo + rng.IntN(span))
	}
	s := make([]float32, n)
	for i := range s {
		s[i] = 0.01
	}
	return kernels.QuantWeights{K: k, N: n, Bits: bits, Q: q, Scale: s}
}
