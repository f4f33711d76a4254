package kernels

import "fmt"

// Some integer kernels run int4 weights as int8: they store each weight in
// a byte (or wider) and multiply exactly as for int8, because for that
// shape or variant a nibble layout would not pay. The results are the same
// (the values are in [-8, 7] either way); the memory traffic and the speed
// are those of int8. The functions below say which width a kernel really
// executes, so a caller (a cost model, a report) does not credit int4 with
// savings it does not get.
//
// The static functions answer for the variant Pack* would select now
// (the CPU features capped by AIQ_ISA, SetISA or ForceISA); the methods
// answer for a packed object's own variant (Variant), which does not change
// when the level does. For the same variant and shape they agree: both go
// through one decision function per architecture, the one the packing and
// the dispatch use.

// GEMMQExecBits returns the weight width, 8 or 4, that the integer GEMM
// variant selected now executes for a K x N weight matrix (k = K, n = N) of
// bits-bit weights. bits is 8 or 4, as QuantWeights.Bits; any other value
// panics. It is 8 when bits is 8, and 8 when int4 weights are packed and
// run as int8. Group scales (QuantWeights.Group) do not change it.
//
// For bits 4, by variant:
//
//	generic (also every purego build and other GOARCH): 8, the reference
//	    loop multiplies int8 values whatever the format
//	avx512vnni: 4 when n > 32 and k <= 65536 (nibble pairs, VPDPBUSD on
//	    16*q_odd + q_even + 8), else 8 (int8 VNNI: up to 32 columns the row
//	    sums cost more than the halved weights save, and beyond 65536 the
//	    trick can overflow int32)
//	avx512: 4 when n > 16, else 8 (one vector of columns: a nibble pair
//	    would waste half the multiplies)
//	avx2: 4 when n > 8, else 8 (likewise)
//	neon, neon-dotprod (arm64; the neon-fp16 level runs the neon-dotprod
//	    integer kernels): 4 for every shape, nibble-packed and unpacked by
//	    SHL/SSHR in the kernels
func GEMMQExecBits(bits, k, n int) int {
	checkExecBits("GEMMQExecBits", bits)
	return gemmQExecBits(gemmQVariant(bits), bits, k, n)
}

// ExecBits returns the weight width, 8 or 4, that this packed GEMM executes
// with its variant (Variant) and shape: GEMMQExecBits(g.Bits, g.K, g.N)
// under the level it was packed at.
func (g *GEMMQ) ExecBits() int {
	return gemmQExecBits(g.Variant, g.Bits, g.K, g.N)
}

// DepthwiseQExecBits returns the weight width, 8 or 4, that the integer 3x3
// depthwise variant selected now executes for c channels (C, the N of
// its QuantWeights) of bits-bit weights. bits is 8 or 4; any other value
// panics. It is 8 when bits is 8, and 8 when int4 weights are stored and
// run as int8.
//
// For bits 4, by variant:
//
//	generic (also every purego build and other GOARCH): 8
//	avx2, avx512, avx512vnni (amd64): 8 for every c; the weights are
//	    stored as int32 (avx2) or bytes (avx512, VNNI), exactly as int8
//	neon, neon-dotprod (arm64): 4 when c >= 16: the vector kernel runs
//	    the whole blocks of 16 channels on nibble-packed weights (the
//	    c%16 channels after them run a scalar Go loop on int8 values);
//	    8 when c < 16, where only that scalar loop runs
func DepthwiseQExecBits(bits, c int) int {
	checkExecBits("DepthwiseQExecBits", bits)
	return dwQExecBits(dwQVariant(bits), bits, c)
}

// ExecBits returns the weight width, 8 or 4, that this packed depthwise
// convolution executes with its variant (Variant): DepthwiseQExecBits(d.Bits,
// d.C) under the level it was packed at.
func (d *DepthwiseQ) ExecBits() int {
	return dwQExecBits(d.Variant, d.Bits, d.C)
}

func checkExecBits(name string, bits int) {
	if bits != 8 && bits != 4 {
		panic(fmt.Sprintf("kernels: %s: weight bits %d, want 8 or 4", name, bits))
	}
}
