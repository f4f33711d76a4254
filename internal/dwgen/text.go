package main

// Fixed text of dw_amd64.s: the file comment, register roles and macros.

const header = `//go:build gc && !purego

#include "textflag.h"

// Depthwise 3x3 kernels; see dw_amd64.go for the packed layouts and
// dw_stubs_amd64.go for the reference loops. The tile code is regular and is
// written out by a small generator, internal/dwgen.
//
// A tap kernel computes npix output pixels that share one tap list (a row
// segment, or a border column of several rows): input pixels are
// pstride bytes apart, output pixels ostride. Pixels go in full tiles (8
// for float, 4 for integer), then one tile of exactly the pixels left (a
// tile size per remainder). Inside a tile the channel blocks run in turn,
// and per block the tap list: one weight vector per tap against every pixel
// of the tile, so weights load once per tile and block, inputs once per tap.

// Register roles shared by all kernels.
#define BASE SI  // centre input pixel of the tile's first output pixel
#define TAPS DX  // taps list
#define TEND R8  // end of the taps list
#define NPIX CX  // output pixels left
#define PSTR R9  // input bytes between output pixels
#define PST3 R14 // 3*PSTR
#define WBLK R10 // packed weights of the current channel block
#define OUT R11  // output of the tile's first pixel
#define OSTR R12 // output bytes between pixels
#define CB BX    // channel block byte offset into an input pixel
#define TP R13   // taps iterator; output addressing after the tap loop
`

const floatMacros = `
// ---------------------------------------------------------------- float

// AVX-512: blocks of 16 channels, 704 packed bytes (9 taps x 64, scale at
// 576, bias at 640); K1 masks the channel tail (K2 the tail mask, K3 full).
// AVX2: blocks of 8 channels, 352 bytes (scale at 288, bias at 320); Go
// does the channels past cbytes. Accumulators Z0..Z7 / Y0..Y7, weight in
// register 8, scratch 9; lo, hi in Z30, Z31 / Y14, Y15.

// acc += in * w
#define F32_FMA_Z(addr, acc) \
	VFMADD231PS addr, Z8, K1, acc

#define F16_FMA_Z(addr, acc) \
	VMOVDQU16.Z addr, K1, Y9 \
	VCVTPH2PS Y9, Z9 \
	VFMADD231PS Z9, Z8, acc

#define F32_FMA_Y(addr, acc) \
	VFMADD231PS addr, Y8, acc

#define F16_FMA_Y(addr, acc) \
	VCVTPH2PS addr, Y9 \
	VFMADD231PS Y9, Y8, acc

// y = min(max(acc*scale + bias, lo), hi), scale in register 8
#define EPI_Z(acc, bias) \
	VFMADD213PS bias(WBLK), Z8, acc \
	VMAXPS Z30, acc, acc \
	VMINPS Z31, acc, acc

#define EPI_Y(acc, bias) \
	VFMADD213PS bias(WBLK), Y8, acc \
	VMAXPS Y14, acc, acc \
	VMINPS Y15, acc, acc

#define F32_STORE_Z(acc, addr) \
	VMOVUPS acc, K1, addr

#define F16_STORE_Z(acc, addr) \
	VCVTPS2PH $0, acc, Y9 \
	VMOVDQU16 Y9, K1, addr

#define F32_STORE_Y(acc, addr) \
	VMOVUPS acc, addr

#define F16_STORE_Y(acc, addr) \
	VCVTPS2PH $0, acc, X9 \
	VMOVDQU X9, addr`

const qz512Macros = `
// ---------------------------------------------------------------- integer AVX-512 (VNNI)

// Blocks of 64 channels: one masked 64-byte load per pixel and tap, and per
// tap four weight vectors Z16..Z19 (vector k holds channel 4j+k's weight in
// byte 4j+k, zeros elsewhere), so accumulator k gets channel 4j+k in dword
// j. Accumulators of pixel p: Z(4p)..Z(4p+3). The zero point is in the
// initial accumulators (corr). Constants: Z22 words of 1, Z23 lo, Z24 hi,
// Z20 scratch, Z29 the byte transpose, Z30 lo', Z31 hi'. K1 block
// mask, K2 tail mask, K3 full, K4..K7 the 16-lane quarters of K1.

// acc[k] += a . W[k] (VNNI: 4 byte products per dword, 3 of them zero)
#define DOT_VNNI(a, c0, c1, c2, c3) \
	VPDPBUSD Z16, a, c0 \
	VPDPBUSD Z17, a, c1 \
	VPDPBUSD Z18, a, c2 \
	VPDPBUSD Z19, a, c3

// The same without VNNI: u8 x s8 pairs to int16 (one product is zero, so
// no saturation), pairs of int16 to int32, add.
#define DOT_BW(a, c0, c1, c2, c3) \
	VPMADDUBSW Z16, a, Z21 \
	VPMADDWD   Z22, Z21, Z21 \
	VPADDD     Z21, c0, c0 \
	VPMADDUBSW Z17, a, Z21 \
	VPMADDWD   Z22, Z21, Z21 \
	VPADDD     Z21, c1, c1 \
	VPMADDUBSW Z18, a, Z21 \
	VPMADDWD   Z22, Z21, Z21 \
	VPADDD     Z21, c2, c2 \
	VPMADDUBSW Z19, a, Z21 \
	VPMADDWD   Z22, Z21, Z21 \
	VPADDD     Z21, c3, c3

// y = min(max(float32(acc)*s + bias, lo), hi); s at (AX), bias at (DI).
#define QEPI(z, off) \
	VCVTDQ2PS z, z \
	VMULPS off(AX), z, z \
	VADDPS off(DI), z, z \
	VMAXPS Z23, z, z \
	VMINPS Z24, z, z

#define QEPI4(c0, c1, c2, c3) \
	QEPI(c0, 0) \
	QEPI(c1, 64) \
	QEPI(c2, 128) \
	QEPI(c3, 192)

// uint8 output: AX holds S8 and DI B8 (see DepthwiseQ), so t = acc*S8 + B8
// is one fused multiply-add, rounded once, and q = int32(roundEven(min(max(t,
// lo'), hi'))) with lo' = max(Lo8, 0) and hi' = Hi8 <= 255; the clamp also
// keeps t in int32 range.
#define QEPI_U8(z, off) \
	VCVTDQ2PS z, z \
	VMOVUPS off(AX), Z20 \
	VFMADD213PS off(DI), Z20, z \
	VMAXPS Z30, z, z \
	VMINPS Z31, z, z \
	VCVTPS2DQ z, z

#define QEPI4_U8(c0, c1, c2, c3) \
	QEPI_U8(c0, 0) \
	QEPI_U8(c1, 64) \
	QEPI_U8(c2, 128) \
	QEPI_U8(c3, 192)

// Pack the four accumulators to bytes: per 128-bit lane L the packs give
// c0[4L..4L+3], c1[..], c2[..], c3[..], i.e. channel 16L+4i+k at byte 4k+i;
// the shuffle moves it to byte 4i+k.
#define STORE_U8(c0, c1, c2, c3, r) \
	VPACKSSDW c1, c0, c0 \
	VPACKSSDW c3, c2, c2 \
	VPACKUSWB c2, c0, c0 \
	VPSHUFB Z29, c0, c0 \
	VMOVDQU8 c0, K1, (r)

// Float output: transpose the 4 x 16 (k, j) accumulators to channel order.
// After the unpacks c_a lane L holds channels 16L+4a..16L+4a+3; the 128-bit
// shuffles then put lane L of every c_a together.
#define STORE_F32(c0, c1, c2, c3, r) \
	VUNPCKLPS c1, c0, Z20 \
	VUNPCKHPS c1, c0, Z21 \
	VUNPCKLPS c3, c2, Z16 \
	VUNPCKHPS c3, c2, Z17 \
	VUNPCKLPD Z16, Z20, c0 \
	VUNPCKHPD Z16, Z20, c1 \
	VUNPCKLPD Z17, Z21, c2 \
	VUNPCKHPD Z17, Z21, c3 \
	VSHUFF32X4 $0x44, c1, c0, Z16 \
	VSHUFF32X4 $0xee, c1, c0, Z17 \
	VSHUFF32X4 $0x44, c3, c2, Z18 \
	VSHUFF32X4 $0xee, c3, c2, Z19 \
	VSHUFF32X4 $0x88, Z18, Z16, c0 \
	VSHUFF32X4 $0xdd, Z18, Z16, c1 \
	VSHUFF32X4 $0x88, Z19, Z17, c2 \
	VSHUFF32X4 $0xdd, Z19, Z17, c3 \
	VMOVUPS c0, K4, (r) \
	VMOVUPS c1, K5, 64(r) \
	VMOVUPS c2, K6, 128(r) \
	VMOVUPS c3, K7, 192(r)

// Byte transpose of STORE_U8: byte 4i+k of a lane takes byte 4k+i.
DATA dwqperm<>+0(SB)/8, $0x0d0905010c080400
DATA dwqperm<>+8(SB)/8, $0x0f0b07030e0a0602
GLOBL dwqperm<>(SB), RODATA|NOPTR, $16
`

const qy2Macros = `
// ---------------------------------------------------------------- integer AVX2

// Blocks of 8 channels, activations widened to int32 (VPMOVZXBD) and
// multiplied by int32 weights with VPMADDWD (the high words are zero on the
// activation side, so each dword is a*w). Accumulators Y0..Y3 (pixels),
// weight Y8, Y9 scratch, constants Y10 lo, Y11 hi. Channels [0, c) only; Go does the rest.

#define QDOT_Y(addr, acc) \
	VPMOVZXBD addr, Y9 \
	VPMADDWD Y8, Y9, Y9 \
	VPADDD Y9, acc, acc

#define QEPI_Y(y) \
	VCVTDQ2PS y, y \
	VMULPS (AX), y, y \
	VADDPS (DI), y, y \
	VMAXPS Y10, y, y \
	VMINPS Y11, y, y

// uint8 output: AX holds S8 and DI B8, lo and hi are max(Lo8, 0) and Hi8:
// t = acc*S8 + B8 rounded once, clamped, converted and packed.
#define STORE_U8_Y(y, x, r) \
	VCVTDQ2PS y, y \
	VMOVUPS (AX), Y9 \
	VFMADD213PS (DI), Y9, y \
	VMAXPS Y10, y, y \
	VMINPS Y11, y, y \
	VCVTPS2DQ y, y \
	VEXTRACTI128 $1, y, X9 \
	VPACKUSDW X9, x, x \
	VPACKUSWB x, x, x \
	VMOVQ x, (r)`

const qRowMacros = `
// ---------------------------------------------------------------- integer rows, VNNI with packed taps

// For the interior of a row (all three columns in bounds) the three rows of
// a column go into the bytes of one dword lane, (above, centre, below, 0),
// so one VPDPBUSD does three taps. A column is interleaved once (8 shuffles
// per 64 channels) and used by the output pixels to its left, on it and to
// its right: a window of three columns V (4 registers each) slides along
// the row. V_k lane (L, i) is channel 16L+4k+i; the packs of STORE_ROW_U8
// bring those back to channel order. Absent rows load as zero (mask 0); the
// zero-point correction excludes their taps. Registers: window Z0..Z11,
// accumulators Z12..Z15, scratch Z16..Z22, constants Z23 lo, Z24 hi, Z27 0,
// Z28, Z29 the uint8 bounds in every byte. K1 block mask, K4 above,
// K5 below, K6/K7 float store masks.
//
// uint8 output: sb holds S8 and B8 (see DepthwiseQ), so t = acc*S8 + B8 is
// a conversion and one fused multiply-add (rounded once), converted at once
// (the kernel runs only when t is in int32 range, DepthwiseQ.tFits); the
// packs saturate at 0 and 255, and one byte max and min per 64 outputs
// apply the bounds: rounding is monotonic, so round(min(max(t, lo), hi)) =
// min(max(round(t), round(lo)), round(hi)).
#define QREQ_U8(z, off) \
	VCVTDQ2PS z, z \
	VMOVUPS off(AX), Z16 \
	VFMADD213PS off(DI), Z16, z \
	VCVTPS2DQ z, z

#define QREQ4_U8(c0, c1, c2, c3) \
	QREQ_U8(c0, 0) \
	QREQ_U8(c1, 64) \
	QREQ_U8(c2, 128) \
	QREQ_U8(c3, 192)

// Build column V (v0..v3) from the centre-row address a.
#define QCOL(a, v0, v1, v2, v3) \
	VMOVDQU8.Z (a)(UP*1), K4, Z16 \
	VMOVDQU8.Z (a), K1, Z17 \
	VMOVDQU8.Z (a)(DOWN*1), K5, Z18 \
	VPUNPCKLBW Z17, Z16, Z19 \
	VPUNPCKHBW Z17, Z16, Z20 \
	VPUNPCKLBW Z27, Z18, Z21 \
	VPUNPCKHBW Z27, Z18, Z22 \
	VPUNPCKLWD Z21, Z19, v0 \
	VPUNPCKHWD Z21, Z19, v1 \
	VPUNPCKLWD Z22, Z20, v2 \
	VPUNPCKHWD Z22, Z20, v3

// acc[k] += column . W[kx][k]
#define QROWDOT(off, v0, v1, v2, v3) \
	VPDPBUSD off(WBLK), v0, Z12 \
	VPDPBUSD off+64(WBLK), v1, Z13 \
	VPDPBUSD off+128(WBLK), v2, Z14 \
	VPDPBUSD off+192(WBLK), v3, Z15

// Byte order: the packs give channels 16L..16L+15 in lane L directly.
#define STORE_ROW_U8(r) \
	VPACKSSDW Z13, Z12, Z12 \
	VPACKSSDW Z15, Z14, Z14 \
	VPACKUSWB Z14, Z12, Z12 \
	VPMAXUB Z28, Z12, Z12 \
	VPMINUB Z29, Z12, Z12 \
	VMOVDQU8 Z12, K1, (r)

// Float output: lane L of accumulator k is channels 16L+4k..16L+4k+3, so
// output vector m is lane m of Z12..Z15 (a 4x4 transpose of 128-bit lanes).
#define STORE_ROW_F32(r) \
	VSHUFF32X4 $0x44, Z13, Z12, Z16 \
	VSHUFF32X4 $0xee, Z13, Z12, Z17 \
	VSHUFF32X4 $0x44, Z15, Z14, Z18 \
	VSHUFF32X4 $0xee, Z15, Z14, Z19 \
	VSHUFF32X4 $0x88, Z18, Z16, Z12 \
	VSHUFF32X4 $0xdd, Z18, Z16, Z13 \
	VSHUFF32X4 $0x88, Z19, Z17, Z14 \
	VSHUFF32X4 $0xdd, Z19, Z17, Z15 \
	VMOVUPS Z12, K1, (r) \
	KSHIFTRQ $16, K1, K6 \
	VMOVUPS Z13, K6, 64(r) \
	KSHIFTRQ $32, K1, K7 \
	VMOVUPS Z14, K7, 128(r) \
	KSHIFTRQ $48, K1, K6 \
	VMOVUPS Z15, K6, 192(r)

// The last block, when it has at most 32 channels, runs on YMM registers
// (the same numbers) with its own layout: weights [3 kx][4][8]uint32, scale,
// bias and corrections at k*8+4L+i for channel 16L+4k+i of the block.
#define QCOL_Y(a, v0, v1, v2, v3) \
	VMOVDQU8.Z (a)(UP*1), K4, Y16 \
	VMOVDQU8.Z (a), K1, Y17 \
	VMOVDQU8.Z (a)(DOWN*1), K5, Y18 \
	VPUNPCKLBW Y17, Y16, Y19 \
	VPUNPCKHBW Y17, Y16, Y20 \
	VPUNPCKLBW Y27, Y18, Y21 \
	VPUNPCKHBW Y27, Y18, Y22 \
	VPUNPCKLWD Y21, Y19, v0 \
	VPUNPCKHWD Y21, Y19, v1 \
	VPUNPCKLWD Y22, Y20, v2 \
	VPUNPCKHWD Y22, Y20, v3

#define QROWDOT_Y(off, v0, v1, v2, v3) \
	VPDPBUSD off(WBLK), v0, Y12 \
	VPDPBUSD off+32(WBLK), v1, Y13 \
	VPDPBUSD off+64(WBLK), v2, Y14 \
	VPDPBUSD off+96(WBLK), v3, Y15

#define QEPI_U8_RY(y, off) \
	VCVTDQ2PS y, y \
	VMOVUPS off(AX), Y16 \
	VFMADD213PS off(DI), Y16, y \
	VCVTPS2DQ y, y

#define QEPI_RY(y, off) \
	VCVTDQ2PS y, y \
	VMULPS off(AX), y, y \
	VADDPS off(DI), y, y \
	VMAXPS Y23, y, y \
	VMINPS Y24, y, y

#define STORE_ROW_U8_Y(r) \
	QEPI_U8_RY(Y12, 0) \
	QEPI_U8_RY(Y13, 32) \
	QEPI_U8_RY(Y14, 64) \
	QEPI_U8_RY(Y15, 96) \
	VPACKSSDW Y13, Y12, Y12 \
	VPACKSSDW Y15, Y14, Y14 \
	VPACKUSWB Y14, Y12, Y12 \
	VPMAXUB Y28, Y12, Y12 \
	VPMINUB Y29, Y12, Y12 \
	VMOVDQU8 Y12, K1, (r)

// Output vector m (16 floats) is lane m of Y12..Y15.
#define STORE_ROW_F32_Y(r) \
	QEPI_RY(Y12, 0) \
	QEPI_RY(Y13, 32) \
	QEPI_RY(Y14, 64) \
	QEPI_RY(Y15, 96) \
	VINSERTF64X4 $1, Y13, Z12, Z16 \
	VINSERTF64X4 $1, Y15, Z14, Z17 \
	VSHUFF32X4 $0x88, Z17, Z16, Z12 \
	VSHUFF32X4 $0xdd, Z17, Z16, Z13 \
	VMOVUPS Z12, K1, (r) \
	KSHIFTRQ $16, K1, K6 \
	VMOVUPS Z13, K6, 64(r)

#define UP R12
#define DOWN R13
#define XP DI    // centre input of the current output pixel
#define OP R11   // current output pixel
`

const floatRowMacros = `
// ---------------------------------------------------------------- float rows, AVX-512

// For the interior of a row the three taps of a kernel row read neighbouring
// input pixels, which neighbouring output pixels share: per kernel row the
// tile's T*s+2-s input columns are loaded (and for fp16 converted) once into
// Z8.., the row's three weight vectors into Z25..Z27, and output p takes
// columns p*s, p*s+1, p*s+2 of them. The list entries are (offset of column
// -1 of the kernel row, offset of the row's first weight vector). Column
// stride CS = cbytes. Same layout, masks and epilogue as the tap kernels.
// Tiles of 8 pixels, then one tile of exactly the 1..7 pixels left.
#define CS R14
`

// rowBlockStart points WBLK at the block's weights, XP at the first pixel,
// OP at its output and CX at npix.
const rowBlockStart = `	// WBLK = w + 12*CB (768 bytes a block), XP = first pixel, OP = its output
	LEAQ (CB)(CB*2), AX
	MOVQ w+40(FP), WBLK
	LEAQ (WBLK)(AX*4), WBLK
	MOVQ base+0(FP), XP
	ADDQ CB, XP
	MOVQ out8+72(FP), OP
	TESTQ OP, OP
	JZ   3(PC)
	ADDQ CB, OP
	JMP  3(PC)
	MOVQ out32+80(FP), OP
	LEAQ (OP)(CB*4), OP
	MOVQ npix+24(FP), CX`

// stubs is the body of dw_stubs_amd64.go: the assembly functions'
// declarations with the reference loop they implement.
const stubs = `
// The assembly kernels compute npix output pixels that share one tap list:
// input pixel p is pstride bytes after base, output pixel p ostride bytes
// after out. For channel ch < c (cbytes/element size), with in(x) reading
// at byte address x:
//
//	acc := 0
//	for _, t := range taps[:ntaps] {
//		acc += in(base + p*pstride + t.off)[ch] * weight(t.woff, ch)
//	}
//	out(out + p*ostride)[ch] = min(max(acc*scale[ch]+bias[ch], lo), hi)
//
// The integer kernels start acc at corr[ch] (the folded zero point), use
// uint8 activations and int8 weights, and apply the integer epilogue
// (Epilogue doc) with the constants in k, to out8 or, when out8 is nil, out32.

// dwF32AVX512 is the reference loop with float32 data, 16 channels a vector.
//
//go:noescape
func dwF32AVX512(base *float32, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *float32, cbytes int, lo, hi float32)

// dwF32AVX2 is the reference loop with float32 data, 8 channels a vector;
// cbytes is a multiple of 32.
//
//go:noescape
func dwF32AVX2(base *float32, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *float32, cbytes int, lo, hi float32)

// dwF16AVX512 is the reference loop with binary16 data.
//
//go:noescape
func dwF16AVX512(base *uint16, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *uint16, cbytes int, lo, hi float32)

// dwF16AVX2 is the reference loop with binary16 data; cbytes is a multiple
// of 16.
//
//go:noescape
func dwF16AVX2(base *uint16, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *uint16, cbytes int, lo, hi float32)

// dwQAVX512 is the integer reference loop, 64 channels a block, with
// VPDPBUSD when vnni is set.
//
//go:noescape
func dwQAVX512(base *uint8, taps *dwTap, ntaps, npix, pstride, ostride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, c int, k *dwQConsts, vnni bool)

// dwQAVX2 is the integer reference loop, 8 channels a block; c is a
// multiple of 8.
//
//go:noescape
func dwQAVX2(base *uint8, taps *dwTap, ntaps, npix, pstride, ostride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, c int, k *dwQConsts)

// dwQRowVNNI is the integer reference loop for the interior of a row (every
// tap column in bounds; rows above and below at byte offsets up and down,
// read only where top and bottom are -1), with the row kernel's layout.
//
//go:noescape
func dwQRowVNNI(base *uint8, up, down, npix, pstride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, ostride, c int, k *dwQConsts, top, bottom int, s2 bool)

// The float row kernels compute the interior of a row (every tap column in
// bounds) with the AVX-512 layout; rows[:nrows] are the in-bounds kernel
// rows (dwKernelRows), pstride = stride*cbytes, and the result is the
// reference loop's.
//
//go:noescape
func dwF32RowS1AVX512(base *float32, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *float32, cbytes int, lo, hi float32)

//go:noescape
func dwF32RowS2AVX512(base *float32, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *float32, cbytes int, lo, hi float32)

//go:noescape
func dwF16RowS1AVX512(base *uint16, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *uint16, cbytes int, lo, hi float32)

//go:noescape
func dwF16RowS2AVX512(base *uint16, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *uint16, cbytes int, lo, hi float32)
`
