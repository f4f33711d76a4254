package roofline

import (
	"math"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/kernels/fp16"
)

// bandwidthKernels is the set of streaming loops the sweep times. All take
// lengths that are multiples of 128 float32.
type bandwidthKernels struct {
	isa     string
	sum     func(x []float32) float32
	fill    func(x []float32, v float32)
	fillNT  func(x []float32, v float32)
	copy    func(dst, src []float32)
	copyNT  func(dst, src []float32)
	triad   func(a, b, c []float32, s float32)
	triadNT func(a, b, c []float32, s float32)
}

// computeKernel is one peak-throughput loop: run(n) does n iterations of
// opsPerIter operations (a multiply-accumulate counts as two).
type computeKernel struct {
	isa        string
	opsPerIter float64
	run        func(n int)
}

// kernelSet is what a probe runs, chosen by selectKernels from the levels
// package kernels has enabled.
type kernelSet struct {
	bw      bandwidthKernels
	compute map[kernels.Format]computeKernel
	// clock, when set, runs 32*n dependent one-cycle adds.
	clock func(n int) int
	// clockVector, when set, does the same under vector load, for CPUs
	// that lower their clock when running wide vectors.
	clockVector func(n int) int
}

// genericKernels are the Go loops, the set without assembly;
// kernels_amd64.go replaces what the enabled level allows.
func genericKernels() kernelSet {
	w16, w4 := fp16Weights(), int4Weights()
	return kernelSet{
		bw: bandwidthKernels{
			isa: "generic", sum: sumGeneric, fill: fillGeneric, fillNT: fillGeneric,
			copy: copyGeneric, copyNT: copyGeneric, triad: triadGeneric, triadNT: triadGeneric,
		},
		compute: map[kernels.Format]computeKernel{
			kernels.FP32: {isa: "generic", opsPerIter: 2 * 2 * 16, run: func(n int) { fmaFP32Generic(n, 1, 0.5) }},
			kernels.FP16: {isa: "generic", opsPerIter: 2 * 12 * 16, run: func(n int) { fp16FMAGeneric(n, w16, 0.25) }},
			kernels.Int8: {isa: "generic", opsPerIter: 2 * 2 * 16 * 4, run: func(n int) { dotInt8Generic(n, 0x01020304, 0x01ff01ff) }},
			kernels.Int4: {isa: "generic", opsPerIter: 2 * 12 * 64, run: func(n int) { dotInt4Generic(n, w4, 0x01ff01ff) }},
		},
	}
}

func sumGeneric(x []float32) float32 {
	var acc [8]float32
	x = x[:len(x)&^127]
	for i := 0; i < len(x); i += 8 {
		// Eight independent chains, as in the assembly.
		acc[0] += x[i]
		acc[1] += x[i+1]
		acc[2] += x[i+2]
		acc[3] += x[i+3]
		acc[4] += x[i+4]
		acc[5] += x[i+5]
		acc[6] += x[i+6]
		acc[7] += x[i+7]
	}
	return acc[0] + acc[1] + acc[2] + acc[3] + acc[4] + acc[5] + acc[6] + acc[7]
}

func fillGeneric(x []float32, v float32) {
	x = x[:len(x)&^127]
	for i := range x {
		x[i] = v
	}
}

func copyGeneric(dst, src []float32) {
	copy(dst[:len(dst)&^127], src)
}

func triadGeneric(a, b, c []float32, s float32) {
	a = a[:len(a)&^127]
	b, c = b[:len(a)], c[:len(a)]
	for i := range a {
		a[i] = float32(math.FMA(float64(s), float64(c[i]), float64(b[i])))
	}
}

// fmaFP32Generic is the scalar reference of fmaFP32AVX512 for one lane of
// each of 16 chains.
func fmaFP32Generic(n int, a, b float32) float32 {
	var acc [16]float32
	for range n {
		for range 2 {
			for j := range acc {
				acc[j] += a * b
			}
		}
	}
	return acc[0]
}

// fp16FMAGeneric is the scalar reference of fp16FMAAVX512: 12 chains of 16
// lanes each.
func fp16FMAGeneric(n int, w []uint16, a float32) float32 {
	var acc [12][16]float32
	var w0, w1 [16]float32
	for range n {
		for i := range 16 {
			w0[i], w1[i] = fp16.ToFloat32(w[i]), fp16.ToFloat32(w[16+i])
		}
		for r := range 6 {
			for i := range 16 {
				acc[2*r][i] += a * w0[i]
				acc[2*r+1][i] += a * w1[i]
			}
		}
	}
	return acc[0][0]
}

// dotInt8Generic is the scalar reference of dotInt8VNNI for one lane of
// each of 16 chains.
func dotInt8Generic(n int, u, s uint32) int32 {
	var acc [16]int32
	d := dot4(u, s)
	for range n {
		for range 2 {
			for j := range acc {
				acc[j] += d
			}
		}
	}
	return acc[0]
}

// dotInt4Generic is the scalar reference of dotInt4VNNI: lane 0 of chain 0.
func dotInt4Generic(n int, w []byte, s uint32) int32 {
	var acc [12]int32
	for range n {
		for lane := range 16 {
			var lo, hi uint32
			for k := range 4 {
				b := uint32(w[4*lane+k])
				lo |= (b & 15) << (8 * k)
				hi |= (b >> 4) << (8 * k)
			}
			if lane != 0 {
				continue // only lane 0 is reported; the loop keeps the work
			}
			for r := range 6 {
				acc[2*r] += dot4(lo, s)
				acc[2*r+1] += dot4(hi, s)
			}
		}
	}
	return acc[0]
}

// dot4 is the VPDPBUSD lane operation: u as four uint8 times s as four int8.
func dot4(u, s uint32) int32 {
	var d int32
	for k := range 4 {
		d += int32(uint8(u>>(8*k))) * int32(int8(s>>(8*k)))
	}
	return d
}

// fp16Weights are 32 fp16 values of 1.5, exact in every format involved.
func fp16Weights() []uint16 {
	w := make([]uint16, 32)
	for i := range w {
		w[i] = 0x3e00
	}
	return w
}

// int4Weights are 64 bytes of packed nibbles (lo 3, hi 5).
func int4Weights() []byte {
	w := make([]byte, 64)
	for i := range w {
		w[i] = 0x53
	}
	return w
}
