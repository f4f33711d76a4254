//go:build gc && !purego

package roofline

import "github.com/aiq-project/aiq/kernels"

// sumAVX512 returns the sum of x in an order of its own:
//
//	for i := range x { acc[(i/16)%8][i%16] += x[i] }; return sum(acc)
//
// len(x) must be a multiple of 128; the rest is ignored.
//
//go:noescape
func sumAVX512(x []float32) float32

// fillAVX512 is: for i := range x { x[i] = v } (len(x) a multiple of 128).
//
//go:noescape
func fillAVX512(x []float32, v float32)

// fillNTAVX512 is fillAVX512 with non-temporal stores; x is 64-byte aligned.
//
//go:noescape
func fillNTAVX512(x []float32, v float32)

// copyAVX512 is: copy(dst, src[:len(dst)]) (len(dst) a multiple of 128).
//
//go:noescape
func copyAVX512(dst, src []float32)

// copyNTAVX512 is copyAVX512 with non-temporal stores; dst is 64-byte aligned.
//
//go:noescape
func copyNTAVX512(dst, src []float32)

// triadAVX512 is: for i := range a { a[i] = b[i] + s*c[i] } (fused
// multiply-add; len(a) a multiple of 128, b and c at least as long).
//
//go:noescape
func triadAVX512(a, b, c []float32, s float32)

// triadNTAVX512 is triadAVX512 with non-temporal stores; a is 64-byte aligned.
//
//go:noescape
func triadNTAVX512(a, b, c []float32, s float32)

// addChain is: x := 0; for range 32*n { x++ } with each add depending on
// the previous one; it runs at one add per cycle and so measures the clock.
func addChain(n int) int

// fmaFP32AVX512 is: for range 2*n { for j := range 16 { acc[j] += a*b } }
// over 16-lane vectors; returns acc[0][0].
func fmaFP32AVX512(n int, a, b float32) float32

// fp16FMAAVX512 is: for range n { w0, w1 := f32(w[:16]), f32(w[16:32]);
// for r := range 12 { acc[2r] += a*w0; acc[2r+1] += a*w1 } }; returns acc[0][0].
//
//go:noescape
func fp16FMAAVX512(n int, w []uint16, a float32) float32

// dotInt8VNNI is: for range 2*n { for j := range 16 { acc[j] += dot4(u, s) } }
// per 32-bit lane, u as four uint8 and s as four int8; returns acc[0][0].
func dotInt8VNNI(n int, u, s uint32) int32

// dotInt8BW computes what dotInt8VNNI does without VNNI instructions.
func dotInt8BW(n int, u, s uint32) int32

// dotInt4VNNI is: for range n { lo, hi := w[:64]&15, w[:64]>>4;
// for r := range 6 { acc[2r] += dot4(lo, s); acc[2r+1] += dot4(hi, s) } }
// per lane; returns acc[0][0].
//
//go:noescape
func dotInt4VNNI(n int, w []byte, s uint32) int32

// The AVX2 versions do what their AVX-512 namesakes do, on ymm registers;
// the int8 and int4 ones use the VPMADDUBSW/VPMADDWD sequence (Go's
// assembler has no VEX-encoded VPDPBUSD).

//go:noescape
func sumAVX2(x []float32) float32

//go:noescape
func fillAVX2(x []float32, v float32)

//go:noescape
func fillNTAVX2(x []float32, v float32)

//go:noescape
func copyAVX2(dst, src []float32)

//go:noescape
func copyNTAVX2(dst, src []float32)

//go:noescape
func triadAVX2(a, b, c []float32, s float32)

//go:noescape
func triadNTAVX2(a, b, c []float32, s float32)

// fmaFP32AVX2 is: for range 2*n { for j := range 12 { acc[j] += a*b } }
// over 8-lane vectors; returns acc[0][0].
func fmaFP32AVX2(n int, a, b float32) float32

// fp16FMAAVX2 is: for range n { w0, w1 := f32(w[:8]), f32(w[8:16]);
// for r := range 6 { acc[2r] += a*w0; acc[2r+1] += a*w1 } }; returns acc[0][0].
//
//go:noescape
func fp16FMAAVX2(n int, w []uint16, a float32) float32

// dotInt8AVX2 is: for range 2*n { for j := range 10 { acc[j] += dot4(u, s) } }
// per lane, with int16 saturation of pairs (VPMADDUBSW); returns acc[0][0].
func dotInt8AVX2(n int, u, s uint32) int32

// dotInt4AVX2 is: for range n { lo, hi := w[:32]&15, w[:32]>>4;
// for r := range 3 { acc[2r] += dot4(lo, s); acc[2r+1] += dot4(hi, s) } }
// per lane; returns acc[0][0].
//
//go:noescape
func dotInt4AVX2(n int, w []byte, s uint32) int32

// The streaming loops of each level.
var (
	avx512Bandwidth = bandwidthKernels{
		isa: "avx512", sum: sumAVX512, fill: fillAVX512, fillNT: fillNTAVX512,
		copy: copyAVX512, copyNT: copyNTAVX512, triad: triadAVX512, triadNT: triadNTAVX512,
	}
	avx2Bandwidth = bandwidthKernels{
		isa: "avx2", sum: sumAVX2, fill: fillAVX2, fillNT: fillNTAVX2,
		copy: copyAVX2, copyNT: copyNTAVX2, triad: triadAVX2, triadNT: triadNTAVX2,
	}
)

// selectKernels picks the loops of the highest level package kernels has
// enabled now, so AIQ_ISA (and kernels.ForceISA) cap the probe as they cap
// the kernels. The kernels' avx2 level includes FMA3 and F16C.
func selectKernels() kernelSet {
	ks := genericKernels()
	avx2, avx512, vnni := kernels.Enabled("avx2"), kernels.Enabled("avx512"), kernels.Enabled("avx512vnni")
	if !avx2 {
		return ks
	}
	ks.clock = addChain
	if avx512 {
		ks.clockVector = addChainFMA
	}
	w16, w4 := fp16Weights(), int4Weights()
	if avx512 {
		ks.bw = avx512Bandwidth
		ks.compute[kernels.FP32] = computeKernel{isa: "avx512", opsPerIter: 2 * 16 * 2 * 16, run: func(n int) { fmaFP32AVX512(n, 1, 0.5) }}
		ks.compute[kernels.FP16] = computeKernel{isa: "avx512+f16c", opsPerIter: 2 * 24 * 16, run: func(n int) { fp16FMAAVX512(n, w16, 0.25) }}
	} else {
		ks.bw = avx2Bandwidth
		ks.compute[kernels.FP32] = computeKernel{isa: "avx2", opsPerIter: 2 * 12 * 2 * 8, run: func(n int) { fmaFP32AVX2(n, 1, 0.5) }}
		ks.compute[kernels.FP16] = computeKernel{isa: "avx2+f16c", opsPerIter: 2 * 12 * 8, run: func(n int) { fp16FMAAVX2(n, w16, 0.25) }}
	}
	switch {
	case vnni:
		ks.compute[kernels.Int8] = computeKernel{isa: "avx512-vnni", opsPerIter: 2 * 32 * 64, run: func(n int) { dotInt8VNNI(n, 0x01020304, 0x01ff01ff) }}
	case avx512:
		ks.compute[kernels.Int8] = computeKernel{isa: "avx512bw", opsPerIter: 2 * 32 * 64, run: func(n int) { dotInt8BW(n, 0x01020304, 0x01ff01ff) }}
	default:
		ks.compute[kernels.Int8] = computeKernel{isa: "avx2", opsPerIter: 2 * 20 * 32, run: func(n int) { dotInt8AVX2(n, 0x01020304, 0x01ff01ff) }}
	}
	if vnni {
		ks.compute[kernels.Int4] = computeKernel{isa: "avx512-vnni", opsPerIter: 2 * 12 * 64, run: func(n int) { dotInt4VNNI(n, w4, 0x01ff01ff) }}
	} else {
		ks.compute[kernels.Int4] = computeKernel{isa: "avx2", opsPerIter: 2 * 6 * 32, run: func(n int) { dotInt4AVX2(n, w4, 0x01ff01ff) }}
	}
	return ks
}

// addChainFMA is addChain (32 dependent adds per iteration) with 60
// independent zmm FMAs alongside, to read the clock under AVX-512 load.
func addChainFMA(n int) int
