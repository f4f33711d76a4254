//go:build gc && !purego

#include "textflag.h"

// Bandwidth kernels process 128 float32 (512 bytes, eight zmm) per
// iteration; the Go side only passes lengths that are multiples of 128.

// func sumAVX512(x []float32) float32
TEXT ·sumAVX512(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	SHRQ   $7, CX
	JZ     sum_reduce

sum_loop:
	// acc[j] += x[16j : 16j+16], eight independent chains hide the add latency
	VADDPS 0(SI), Z0, Z0
	VADDPS 64(SI), Z1, Z1
	VADDPS 128(SI), Z2, Z2
	VADDPS 192(SI), Z3, Z3
	VADDPS 256(SI), Z4, Z4
	VADDPS 320(SI), Z5, Z5
	VADDPS 384(SI), Z6, Z6
	VADDPS 448(SI), Z7, Z7
	ADDQ   $512, SI
	DECQ   CX
	JNZ    sum_loop

sum_reduce:
	VADDPS        Z1, Z0, Z0
	VADDPS        Z3, Z2, Z2
	VADDPS        Z5, Z4, Z4
	VADDPS        Z7, Z6, Z6
	VADDPS        Z2, Z0, Z0
	VADDPS        Z6, Z4, Z4
	VADDPS        Z4, Z0, Z0
	VEXTRACTF32X8 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VMOVHLPS      X0, X0, X1
	VADDPS        X1, X0, X0
	VMOVSHDUP     X0, X1
	VADDSS        X1, X0, X0
	VZEROUPPER
	MOVSS         X0, ret+24(FP)
	RET

// func fillAVX512(x []float32, v float32)
TEXT ·fillAVX512(SB), NOSPLIT, $0-28
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS v+24(FP), Z0
	SHRQ         $7, CX
	JZ           fill_done

fill_loop:
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z0, 64(DI)
	VMOVUPS Z0, 128(DI)
	VMOVUPS Z0, 192(DI)
	VMOVUPS Z0, 256(DI)
	VMOVUPS Z0, 320(DI)
	VMOVUPS Z0, 384(DI)
	VMOVUPS Z0, 448(DI)
	ADDQ    $512, DI
	DECQ    CX
	JNZ     fill_loop

fill_done:
	VZEROUPPER
	RET

// func fillNTAVX512(x []float32, v float32)
// x must be 64-byte aligned.
TEXT ·fillNTAVX512(SB), NOSPLIT, $0-28
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS v+24(FP), Z0
	SHRQ         $7, CX
	JZ           fillnt_done

fillnt_loop:
	// non-temporal stores skip the read-for-ownership of the target line
	VMOVNTPS Z0, 0(DI)
	VMOVNTPS Z0, 64(DI)
	VMOVNTPS Z0, 128(DI)
	VMOVNTPS Z0, 192(DI)
	VMOVNTPS Z0, 256(DI)
	VMOVNTPS Z0, 320(DI)
	VMOVNTPS Z0, 384(DI)
	VMOVNTPS Z0, 448(DI)
	ADDQ     $512, DI
	DECQ     CX
	JNZ      fillnt_loop

fillnt_done:
	SFENCE
	VZEROUPPER
	RET

#define LOAD8(src) \
	VMOVUPS 0(src), Z0   \
	VMOVUPS 64(src), Z1  \
	VMOVUPS 128(src), Z2 \
	VMOVUPS 192(src), Z3 \
	VMOVUPS 256(src), Z4 \
	VMOVUPS 320(src), Z5 \
	VMOVUPS 384(src), Z6 \
	VMOVUPS 448(src), Z7

// func copyAVX512(dst, src []float32)
TEXT ·copyAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ dst_len+8(FP), CX
	SHRQ $7, CX
	JZ   copy_done

copy_loop:
	// dst[0:128] = src[0:128]
	LOAD8(SI)
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	ADDQ    $512, SI
	ADDQ    $512, DI
	DECQ    CX
	JNZ     copy_loop

copy_done:
	VZEROUPPER
	RET

// func copyNTAVX512(dst, src []float32)
// dst must be 64-byte aligned.
TEXT ·copyNTAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ dst_len+8(FP), CX
	SHRQ $7, CX
	JZ   copynt_done

copynt_loop:
	LOAD8(SI)
	VMOVNTPS Z0, 0(DI)
	VMOVNTPS Z1, 64(DI)
	VMOVNTPS Z2, 128(DI)
	VMOVNTPS Z3, 192(DI)
	VMOVNTPS Z4, 256(DI)
	VMOVNTPS Z5, 320(DI)
	VMOVNTPS Z6, 384(DI)
	VMOVNTPS Z7, 448(DI)
	ADDQ     $512, SI
	ADDQ     $512, DI
	DECQ     CX
	JNZ      copynt_loop

copynt_done:
	SFENCE
	VZEROUPPER
	RET

#define TRIAD8(STORE) \
	VMOVUPS     0(SI), Z0            \
	VMOVUPS     64(SI), Z1           \
	VMOVUPS     128(SI), Z2          \
	VMOVUPS     192(SI), Z3          \
	VMOVUPS     256(SI), Z4          \
	VMOVUPS     320(SI), Z5          \
	VMOVUPS     384(SI), Z6          \
	VMOVUPS     448(SI), Z7          \
	VFMADD231PS 0(DX), Z8, Z0        \
	VFMADD231PS 64(DX), Z8, Z1       \
	VFMADD231PS 128(DX), Z8, Z2      \
	VFMADD231PS 192(DX), Z8, Z3      \
	VFMADD231PS 256(DX), Z8, Z4      \
	VFMADD231PS 320(DX), Z8, Z5      \
	VFMADD231PS 384(DX), Z8, Z6      \
	VFMADD231PS 448(DX), Z8, Z7      \
	STORE       Z0, 0(DI)            \
	STORE       Z1, 64(DI)           \
	STORE       Z2, 128(DI)          \
	STORE       Z3, 192(DI)          \
	STORE       Z4, 256(DI)          \
	STORE       Z5, 320(DI)          \
	STORE       Z6, 384(DI)          \
	STORE       Z7, 448(DI)          \
	ADDQ        $512, SI             \
	ADDQ        $512, DX             \
	ADDQ        $512, DI

// func triadAVX512(a, b, c []float32, s float32)
TEXT ·triadAVX512(SB), NOSPLIT, $0-76
	MOVQ         a_base+0(FP), DI
	MOVQ         b_base+24(FP), SI
	MOVQ         c_base+48(FP), DX
	MOVQ         a_len+8(FP), CX
	VBROADCASTSS s+72(FP), Z8
	SHRQ         $7, CX
	JZ           triad_done

triad_loop:
	// a[i] = b[i] + s*c[i]
	TRIAD8(VMOVUPS)
	DECQ CX
	JNZ  triad_loop

triad_done:
	VZEROUPPER
	RET

// func triadNTAVX512(a, b, c []float32, s float32)
// a must be 64-byte aligned.
TEXT ·triadNTAVX512(SB), NOSPLIT, $0-76
	MOVQ         a_base+0(FP), DI
	MOVQ         b_base+24(FP), SI
	MOVQ         c_base+48(FP), DX
	MOVQ         a_len+8(FP), CX
	VBROADCASTSS s+72(FP), Z8
	SHRQ         $7, CX
	JZ           triadnt_done

triadnt_loop:
	TRIAD8(VMOVNTPS)
	DECQ CX
	JNZ  triadnt_loop

triadnt_done:
	SFENCE
	VZEROUPPER
	RET

// Compute kernels: n iterations over register-resident data; every
// accumulator chain is independent so throughput, not latency, limits them.

// func addChain(n int) int
// One iteration is 32 dependent register adds: 32 cycles at 1-cycle latency.
// (A register operand, not an immediate, so the renamer cannot fold it.)
TEXT ·addChain(SB), NOSPLIT, $0-16
	MOVQ n+0(FP), CX
	XORQ AX, AX
	MOVQ $1, BX
	TESTQ CX, CX
	JLE  chain_done

chain_loop:
	ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX
	ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX
	ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX
	ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX
	ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX
	ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX
	ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX
	ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX; ADDQ BX, AX
	DECQ CX
	JNZ  chain_loop

chain_done:
	MOVQ AX, ret+8(FP)
	RET

#define ZERO16 \
	VPXORD Z0, Z0, Z0; VPXORD Z1, Z1, Z1; VPXORD Z2, Z2, Z2; VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4; VPXORD Z5, Z5, Z5; VPXORD Z6, Z6, Z6; VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11 \
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15

#define FMA16 \
	VFMADD231PS Z16, Z17, Z0; VFMADD231PS Z16, Z17, Z1; VFMADD231PS Z16, Z17, Z2; VFMADD231PS Z16, Z17, Z3 \
	VFMADD231PS Z16, Z17, Z4; VFMADD231PS Z16, Z17, Z5; VFMADD231PS Z16, Z17, Z6; VFMADD231PS Z16, Z17, Z7 \
	VFMADD231PS Z16, Z17, Z8; VFMADD231PS Z16, Z17, Z9; VFMADD231PS Z16, Z17, Z10; VFMADD231PS Z16, Z17, Z11 \
	VFMADD231PS Z16, Z17, Z12; VFMADD231PS Z16, Z17, Z13; VFMADD231PS Z16, Z17, Z14; VFMADD231PS Z16, Z17, Z15

// func fmaFP32AVX512(n int, a, b float32) float32
// 16 chains x 2 FMAs x 16 lanes per iteration; returns acc[0][0].
TEXT ·fmaFP32AVX512(SB), NOSPLIT, $0-20
	MOVQ         n+0(FP), CX
	VBROADCASTSS a+8(FP), Z16
	VBROADCASTSS b+12(FP), Z17
	ZERO16
	TESTQ        CX, CX
	JLE          fma_done

fma_loop:
	// acc[j] += a*b, j = 0..15, twice
	FMA16
	FMA16
	DECQ CX
	JNZ  fma_loop

fma_done:
	VZEROUPPER
	MOVSS X0, ret+16(FP)
	RET

// func fp16FMAAVX512(n int, w []uint16, a float32) float32
// Per iteration: convert 32 fp16 weights (two zmm) and do a 12x2 tile of
// FMAs (24 accumulators), as a GEMM with fp16 weights reuses each converted
// vector for twelve rows; returns acc[0][0]. len(w) >= 32.
TEXT ·fp16FMAAVX512(SB), NOSPLIT, $0-44
	MOVQ         n+0(FP), CX
	MOVQ         w_base+8(FP), SI
	VBROADCASTSS a+32(FP), Z26
	ZERO16
	VPXORD       Z16, Z16, Z16
	VPXORD       Z17, Z17, Z17
	VPXORD       Z18, Z18, Z18
	VPXORD       Z19, Z19, Z19
	VPXORD       Z20, Z20, Z20
	VPXORD       Z21, Z21, Z21
	VPXORD       Z22, Z22, Z22
	VPXORD       Z23, Z23, Z23
	TESTQ        CX, CX
	JLE          fp16_done

fp16_loop:
	// w0, w1 = float32(w[0:16]), float32(w[16:32]); acc[2r+j] += a * wj
	VCVTPH2PS   0(SI), Z24
	VCVTPH2PS   32(SI), Z25
	VFMADD231PS Z24, Z26, Z0
	VFMADD231PS Z25, Z26, Z1
	VFMADD231PS Z24, Z26, Z2
	VFMADD231PS Z25, Z26, Z3
	VFMADD231PS Z24, Z26, Z4
	VFMADD231PS Z25, Z26, Z5
	VFMADD231PS Z24, Z26, Z6
	VFMADD231PS Z25, Z26, Z7
	VFMADD231PS Z24, Z26, Z8
	VFMADD231PS Z25, Z26, Z9
	VFMADD231PS Z24, Z26, Z10
	VFMADD231PS Z25, Z26, Z11
	VFMADD231PS Z24, Z26, Z12
	VFMADD231PS Z25, Z26, Z13
	VFMADD231PS Z24, Z26, Z14
	VFMADD231PS Z25, Z26, Z15
	VFMADD231PS Z24, Z26, Z16
	VFMADD231PS Z25, Z26, Z17
	VFMADD231PS Z24, Z26, Z18
	VFMADD231PS Z25, Z26, Z19
	VFMADD231PS Z24, Z26, Z20
	VFMADD231PS Z25, Z26, Z21
	VFMADD231PS Z24, Z26, Z22
	VFMADD231PS Z25, Z26, Z23
	DECQ        CX
	JNZ         fp16_loop

fp16_done:
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

#define DOT16 \
	VPDPBUSD Z17, Z16, Z0; VPDPBUSD Z17, Z16, Z1; VPDPBUSD Z17, Z16, Z2; VPDPBUSD Z17, Z16, Z3 \
	VPDPBUSD Z17, Z16, Z4; VPDPBUSD Z17, Z16, Z5; VPDPBUSD Z17, Z16, Z6; VPDPBUSD Z17, Z16, Z7 \
	VPDPBUSD Z17, Z16, Z8; VPDPBUSD Z17, Z16, Z9; VPDPBUSD Z17, Z16, Z10; VPDPBUSD Z17, Z16, Z11 \
	VPDPBUSD Z17, Z16, Z12; VPDPBUSD Z17, Z16, Z13; VPDPBUSD Z17, Z16, Z14; VPDPBUSD Z17, Z16, Z15

// func dotInt8VNNI(n int, u, s uint32) int32
// u holds four uint8, s four int8, broadcast to every lane. Per iteration
// 16 chains x 2 VPDPBUSD, each 64 multiply-accumulates; returns acc[0][0].
TEXT ·dotInt8VNNI(SB), NOSPLIT, $0-20
	MOVQ         n+0(FP), CX
	MOVL         u+8(FP), AX
	VPBROADCASTD AX, Z16
	MOVL         s+12(FP), AX
	VPBROADCASTD AX, Z17
	ZERO16
	TESTQ        CX, CX
	JLE          vnni_done

vnni_loop:
	// acc[j] += dot4(u, s) per lane
	DOT16
	DOT16
	DECQ CX
	JNZ  vnni_loop

vnni_done:
	VMOVD X0, AX
	VZEROUPPER
	MOVL  AX, ret+16(FP)
	RET

#define MADD4(acc0, acc1, acc2, acc3) \
	VPMADDUBSW Z17, Z16, Z20; VPMADDUBSW Z17, Z16, Z21; VPMADDUBSW Z17, Z16, Z22; VPMADDUBSW Z17, Z16, Z23 \
	VPMADDWD   Z18, Z20, Z20; VPMADDWD   Z18, Z21, Z21; VPMADDWD   Z18, Z22, Z22; VPMADDWD   Z18, Z23, Z23 \
	VPADDD     Z20, acc0, acc0; VPADDD   Z21, acc1, acc1; VPADDD     Z22, acc2, acc2; VPADDD   Z23, acc3, acc3

// func dotInt8BW(n int, u, s uint32) int32
// The AVX-512BW sequence for CPUs without VNNI: VPMADDUBSW (u8*s8 pairs to
// saturating int16), VPMADDWD by ones (pairs to int32), VPADDD. Same work
// per iteration as dotInt8VNNI; returns acc[0][0].
TEXT ·dotInt8BW(SB), NOSPLIT, $0-20
	MOVQ         n+0(FP), CX
	MOVL         u+8(FP), AX
	VPBROADCASTD AX, Z16
	MOVL         s+12(FP), AX
	VPBROADCASTD AX, Z17
	MOVL         $0x00010001, AX
	VPBROADCASTD AX, Z18
	ZERO16
	TESTQ        CX, CX
	JLE          bw_done

bw_loop:
	MADD4(Z0, Z1, Z2, Z3)
	MADD4(Z4, Z5, Z6, Z7)
	MADD4(Z8, Z9, Z10, Z11)
	MADD4(Z12, Z13, Z14, Z15)
	MADD4(Z0, Z1, Z2, Z3)
	MADD4(Z4, Z5, Z6, Z7)
	MADD4(Z8, Z9, Z10, Z11)
	MADD4(Z12, Z13, Z14, Z15)
	DECQ CX
	JNZ  bw_loop

bw_done:
	VMOVD X0, AX
	VZEROUPPER
	MOVL  AX, ret+16(FP)
	RET

// func dotInt4VNNI(n int, w []byte, s uint32) int32
// Per iteration: unpack 64 bytes of packed int4 weights (128 nibbles, as
// unsigned 0..15) into two zmm, then a 6x2 tile of VPDPBUSD against the int8
// activations s (four int8, broadcast), as a GEMM with int4 weights reuses
// each unpacked vector for six rows; returns acc[0][0]. len(w) >= 64.
TEXT ·dotInt4VNNI(SB), NOSPLIT, $0-44
	MOVQ         n+0(FP), CX
	MOVQ         w_base+8(FP), SI
	MOVL         s+32(FP), AX
	VPBROADCASTD AX, Z17
	MOVL         $0x0F0F0F0F, AX
	VPBROADCASTD AX, Z18
	ZERO16
	TESTQ        CX, CX
	JLE          int4_done

int4_loop:
	// lo = w & 0x0f; hi = (w >> 4) & 0x0f; acc[2r] += lo.s; acc[2r+1] += hi.s
	VMOVDQU64 0(SI), Z19
	VPSRLW    $4, Z19, Z21
	VPANDD    Z18, Z19, Z20
	VPANDD    Z18, Z21, Z21
	VPDPBUSD  Z17, Z20, Z0
	VPDPBUSD  Z17, Z21, Z1
	VPDPBUSD  Z17, Z20, Z2
	VPDPBUSD  Z17, Z21, Z3
	VPDPBUSD  Z17, Z20, Z4
	VPDPBUSD  Z17, Z21, Z5
	VPDPBUSD  Z17, Z20, Z6
	VPDPBUSD  Z17, Z21, Z7
	VPDPBUSD  Z17, Z20, Z8
	VPDPBUSD  Z17, Z21, Z9
	VPDPBUSD  Z17, Z20, Z10
	VPDPBUSD  Z17, Z21, Z11
	DECQ      CX
	JNZ       int4_loop

int4_done:
	VMOVD X0, AX
	VZEROUPPER
	MOVL  AX, ret+40(FP)
	RET


// func addChainFMA(n int) int
// addChain with 60 independent zmm FMAs interleaved per iteration: the 32
// dependent adds (32 cycles) still bound the loop while the FMAs (30 cycles
// on two ports) keep the core near full FMA load, where it runs at a lower
// clock than on scalar code; this measures that clock.
TEXT ·addChainFMA(SB), NOSPLIT, $0-16
	MOVQ         n+0(FP), CX
	XORQ         AX, AX
	MOVQ         $1, BX
	MOVL         $0x3f800000, DX
	VPBROADCASTD DX, Z16
	VMOVDQA64    Z16, Z17
	ZERO16
	TESTQ        CX, CX
	JLE          chainfma_done

chainfma_loop:
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z0; VFMADD231PS Z16, Z17, Z1
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z2; VFMADD231PS Z16, Z17, Z3
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z4; VFMADD231PS Z16, Z17, Z5
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z6; VFMADD231PS Z16, Z17, Z7
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z8; VFMADD231PS Z16, Z17, Z9
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z10; VFMADD231PS Z16, Z17, Z11
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z12; VFMADD231PS Z16, Z17, Z13
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z14; VFMADD231PS Z16, Z17, Z15
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z0; VFMADD231PS Z16, Z17, Z1
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z2; VFMADD231PS Z16, Z17, Z3
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z4; VFMADD231PS Z16, Z17, Z5
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z6; VFMADD231PS Z16, Z17, Z7
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z8; VFMADD231PS Z16, Z17, Z9
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z10; VFMADD231PS Z16, Z17, Z11
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z12; VFMADD231PS Z16, Z17, Z13
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z14; VFMADD231PS Z16, Z17, Z15
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z0; VFMADD231PS Z16, Z17, Z1
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z2; VFMADD231PS Z16, Z17, Z3
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z4; VFMADD231PS Z16, Z17, Z5
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z6; VFMADD231PS Z16, Z17, Z7
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z8; VFMADD231PS Z16, Z17, Z9
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z10; VFMADD231PS Z16, Z17, Z11
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z12; VFMADD231PS Z16, Z17, Z13
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z14; VFMADD231PS Z16, Z17, Z15
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z0; VFMADD231PS Z16, Z17, Z1
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z2; VFMADD231PS Z16, Z17, Z3
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z4; VFMADD231PS Z16, Z17, Z5
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z6; VFMADD231PS Z16, Z17, Z7
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z8; VFMADD231PS Z16, Z17, Z9
	ADDQ BX, AX; VFMADD231PS Z16, Z17, Z10; VFMADD231PS Z16, Z17, Z11
	ADDQ BX, AX
	ADDQ BX, AX
	DECQ CX
	JNZ  chainfma_loop

chainfma_done:
	VZEROUPPER
	MOVQ AX, ret+8(FP)
	RET

// AVX2 versions of the bandwidth kernels: 64 float32 (256 bytes, eight ymm)
// per iteration; lengths are multiples of 128 as for AVX-512.

// func sumAVX2(x []float32) float32
TEXT ·sumAVX2(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	SHRQ   $6, CX
	JZ     a2_sum_reduce

a2_sum_loop:
	// acc[j] += x[16j : 16j+16], eight independent chains hide the add latency
	VADDPS 0(SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VADDPS 64(SI), Y2, Y2
	VADDPS 96(SI), Y3, Y3
	VADDPS 128(SI), Y4, Y4
	VADDPS 160(SI), Y5, Y5
	VADDPS 192(SI), Y6, Y6
	VADDPS 224(SI), Y7, Y7
	ADDQ   $256, SI
	DECQ   CX
	JNZ    a2_sum_loop

a2_sum_reduce:
	VADDPS        Y1, Y0, Y0
	VADDPS        Y3, Y2, Y2
	VADDPS        Y5, Y4, Y4
	VADDPS        Y7, Y6, Y6
	VADDPS        Y2, Y0, Y0
	VADDPS        Y6, Y4, Y4
	VADDPS        Y4, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VMOVHLPS      X0, X0, X1
	VADDPS        X1, X0, X0
	VMOVSHDUP     X0, X1
	VADDSS        X1, X0, X0
	VZEROUPPER
	MOVSS         X0, ret+24(FP)
	RET

// func fillAVX2(x []float32, v float32)
TEXT ·fillAVX2(SB), NOSPLIT, $0-28
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS v+24(FP), Y0
	SHRQ         $6, CX
	JZ           a2_fill_done

a2_fill_loop:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y0, 32(DI)
	VMOVUPS Y0, 64(DI)
	VMOVUPS Y0, 96(DI)
	VMOVUPS Y0, 128(DI)
	VMOVUPS Y0, 160(DI)
	VMOVUPS Y0, 192(DI)
	VMOVUPS Y0, 224(DI)
	ADDQ    $256, DI
	DECQ    CX
	JNZ     a2_fill_loop

a2_fill_done:
	VZEROUPPER
	RET

// func fillNTAVX2(x []float32, v float32)
// x must be 64-byte aligned.
TEXT ·fillNTAVX2(SB), NOSPLIT, $0-28
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS v+24(FP), Y0
	SHRQ         $6, CX
	JZ           a2_fillnt_done

a2_fillnt_loop:
	// non-temporal stores skip the read-for-ownership of the target line
	VMOVNTPS Y0, 0(DI)
	VMOVNTPS Y0, 32(DI)
	VMOVNTPS Y0, 64(DI)
	VMOVNTPS Y0, 96(DI)
	VMOVNTPS Y0, 128(DI)
	VMOVNTPS Y0, 160(DI)
	VMOVNTPS Y0, 192(DI)
	VMOVNTPS Y0, 224(DI)
	ADDQ     $256, DI
	DECQ     CX
	JNZ      a2_fillnt_loop

a2_fillnt_done:
	SFENCE
	VZEROUPPER
	RET

#define LOAD8Y(src) \
	VMOVUPS 0(src), Y0   \
	VMOVUPS 32(src), Y1  \
	VMOVUPS 64(src), Y2 \
	VMOVUPS 96(src), Y3 \
	VMOVUPS 128(src), Y4 \
	VMOVUPS 160(src), Y5 \
	VMOVUPS 192(src), Y6 \
	VMOVUPS 224(src), Y7

// func copyAVX2(dst, src []float32)
TEXT ·copyAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ dst_len+8(FP), CX
	SHRQ $6, CX
	JZ   a2_copy_done

a2_copy_loop:
	// dst[0:128] = src[0:128]
	LOAD8Y(SI)
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ    $256, SI
	ADDQ    $256, DI
	DECQ    CX
	JNZ     a2_copy_loop

a2_copy_done:
	VZEROUPPER
	RET

// func copyNTAVX2(dst, src []float32)
// dst must be 64-byte aligned.
TEXT ·copyNTAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ dst_len+8(FP), CX
	SHRQ $6, CX
	JZ   a2_copynt_done

a2_copynt_loop:
	LOAD8Y(SI)
	VMOVNTPS Y0, 0(DI)
	VMOVNTPS Y1, 32(DI)
	VMOVNTPS Y2, 64(DI)
	VMOVNTPS Y3, 96(DI)
	VMOVNTPS Y4, 128(DI)
	VMOVNTPS Y5, 160(DI)
	VMOVNTPS Y6, 192(DI)
	VMOVNTPS Y7, 224(DI)
	ADDQ     $256, SI
	ADDQ     $256, DI
	DECQ     CX
	JNZ      a2_copynt_loop

a2_copynt_done:
	SFENCE
	VZEROUPPER
	RET

#define TRIAD8Y(STORE) \
	VMOVUPS     0(SI), Y0            \
	VMOVUPS     32(SI), Y1           \
	VMOVUPS     64(SI), Y2          \
	VMOVUPS     96(SI), Y3          \
	VMOVUPS     128(SI), Y4          \
	VMOVUPS     160(SI), Y5          \
	VMOVUPS     192(SI), Y6          \
	VMOVUPS     224(SI), Y7          \
	VFMADD231PS 0(DX), Y8, Y0        \
	VFMADD231PS 32(DX), Y8, Y1       \
	VFMADD231PS 64(DX), Y8, Y2      \
	VFMADD231PS 96(DX), Y8, Y3      \
	VFMADD231PS 128(DX), Y8, Y4      \
	VFMADD231PS 160(DX), Y8, Y5      \
	VFMADD231PS 192(DX), Y8, Y6      \
	VFMADD231PS 224(DX), Y8, Y7      \
	STORE       Y0, 0(DI)            \
	STORE       Y1, 32(DI)           \
	STORE       Y2, 64(DI)          \
	STORE       Y3, 96(DI)          \
	STORE       Y4, 128(DI)          \
	STORE       Y5, 160(DI)          \
	STORE       Y6, 192(DI)          \
	STORE       Y7, 224(DI)          \
	ADDQ        $256, SI             \
	ADDQ        $256, DX             \
	ADDQ        $256, DI

// func triadAVX2(a, b, c []float32, s float32)
TEXT ·triadAVX2(SB), NOSPLIT, $0-76
	MOVQ         a_base+0(FP), DI
	MOVQ         b_base+24(FP), SI
	MOVQ         c_base+48(FP), DX
	MOVQ         a_len+8(FP), CX
	VBROADCASTSS s+72(FP), Y8
	SHRQ         $6, CX
	JZ           a2_triad_done

a2_triad_loop:
	// a[i] = b[i] + s*c[i]
	TRIAD8Y(VMOVUPS)
	DECQ CX
	JNZ  a2_triad_loop

a2_triad_done:
	VZEROUPPER
	RET

// func triadNTAVX2(a, b, c []float32, s float32)
// a must be 64-byte aligned.
TEXT ·triadNTAVX2(SB), NOSPLIT, $0-76
	MOVQ         a_base+0(FP), DI
	MOVQ         b_base+24(FP), SI
	MOVQ         c_base+48(FP), DX
	MOVQ         a_len+8(FP), CX
	VBROADCASTSS s+72(FP), Y8
	SHRQ         $6, CX
	JZ           a2_triadnt_done

a2_triadnt_loop:
	TRIAD8Y(VMOVNTPS)
	DECQ CX
	JNZ  a2_triadnt_loop

a2_triadnt_done:
	SFENCE
	VZEROUPPER
	RET


// AVX2 compute kernels: 12 ymm accumulator chains (16 registers in all).

#define ZERO12Y \
	VPXOR Y0, Y0, Y0; VPXOR Y1, Y1, Y1; VPXOR Y2, Y2, Y2; VPXOR Y3, Y3, Y3 \
	VPXOR Y4, Y4, Y4; VPXOR Y5, Y5, Y5; VPXOR Y6, Y6, Y6; VPXOR Y7, Y7, Y7 \
	VPXOR Y8, Y8, Y8; VPXOR Y9, Y9, Y9; VPXOR Y10, Y10, Y10; VPXOR Y11, Y11, Y11

#define FMA12Y \
	VFMADD231PS Y12, Y13, Y0; VFMADD231PS Y12, Y13, Y1; VFMADD231PS Y12, Y13, Y2; VFMADD231PS Y12, Y13, Y3 \
	VFMADD231PS Y12, Y13, Y4; VFMADD231PS Y12, Y13, Y5; VFMADD231PS Y12, Y13, Y6; VFMADD231PS Y12, Y13, Y7 \
	VFMADD231PS Y12, Y13, Y8; VFMADD231PS Y12, Y13, Y9; VFMADD231PS Y12, Y13, Y10; VFMADD231PS Y12, Y13, Y11

// func fmaFP32AVX2(n int, a, b float32) float32
// 12 chains x 2 FMAs x 8 lanes per iteration; returns acc[0][0].
TEXT ·fmaFP32AVX2(SB), NOSPLIT, $0-20
	MOVQ         n+0(FP), CX
	VBROADCASTSS a+8(FP), Y12
	VBROADCASTSS b+12(FP), Y13
	ZERO12Y
	TESTQ        CX, CX
	JLE          a2fma_done

a2fma_loop:
	FMA12Y
	FMA12Y
	DECQ CX
	JNZ  a2fma_loop

a2fma_done:
	VZEROUPPER
	MOVSS X0, ret+16(FP)
	RET

// func fp16FMAAVX2(n int, w []uint16, a float32) float32
// Per iteration: convert 16 fp16 weights (two ymm), then a 6x2 tile of FMAs.
TEXT ·fp16FMAAVX2(SB), NOSPLIT, $0-44
	MOVQ         n+0(FP), CX
	MOVQ         w_base+8(FP), SI
	VBROADCASTSS a+32(FP), Y12
	ZERO12Y
	TESTQ        CX, CX
	JLE          a2fp16_done

a2fp16_loop:
	VCVTPH2PS   0(SI), Y13
	VCVTPH2PS   16(SI), Y14
	VFMADD231PS Y13, Y12, Y0
	VFMADD231PS Y14, Y12, Y1
	VFMADD231PS Y13, Y12, Y2
	VFMADD231PS Y14, Y12, Y3
	VFMADD231PS Y13, Y12, Y4
	VFMADD231PS Y14, Y12, Y5
	VFMADD231PS Y13, Y12, Y6
	VFMADD231PS Y14, Y12, Y7
	VFMADD231PS Y13, Y12, Y8
	VFMADD231PS Y14, Y12, Y9
	VFMADD231PS Y13, Y12, Y10
	VFMADD231PS Y14, Y12, Y11
	DECQ        CX
	JNZ         a2fp16_loop

a2fp16_done:
	VZEROUPPER
	MOVSS X0, ret+40(FP)
	RET

#define MADD2Y(acc0, acc1) \
	VPMADDUBSW Y13, Y12, Y14; VPMADDUBSW Y13, Y12, Y15 \
	VPMADDWD   Y11, Y14, Y14; VPMADDWD   Y11, Y15, Y15 \
	VPADDD     Y14, acc0, acc0; VPADDD   Y15, acc1, acc1

// func dotInt8AVX2(n int, u, s uint32) int32
// The VPMADDUBSW, VPMADDWD (by ones), VPADDD sequence on ymm over 10
// chains (Y11 holds the ones); per iteration 20 dot4 steps x 8 lanes x 4
// multiply-accumulates. Returns acc[0][0].
TEXT ·dotInt8AVX2(SB), NOSPLIT, $0-20
	MOVQ         n+0(FP), CX
	MOVL         u+8(FP), AX
	MOVD         AX, X12
	VPBROADCASTD X12, Y12
	MOVL         s+12(FP), AX
	MOVD         AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $0x00010001, AX
	MOVD         AX, X11
	VPBROADCASTD X11, Y11
	VPXOR        Y0, Y0, Y0
	VPXOR        Y1, Y1, Y1
	VPXOR        Y2, Y2, Y2
	VPXOR        Y3, Y3, Y3
	VPXOR        Y4, Y4, Y4
	VPXOR        Y5, Y5, Y5
	VPXOR        Y6, Y6, Y6
	VPXOR        Y7, Y7, Y7
	VPXOR        Y8, Y8, Y8
	VPXOR        Y9, Y9, Y9
	TESTQ        CX, CX
	JLE          a2dot_done

a2dot_loop:
	MADD2Y(Y0, Y1)
	MADD2Y(Y2, Y3)
	MADD2Y(Y4, Y5)
	MADD2Y(Y6, Y7)
	MADD2Y(Y8, Y9)
	MADD2Y(Y0, Y1)
	MADD2Y(Y2, Y3)
	MADD2Y(Y4, Y5)
	MADD2Y(Y6, Y7)
	MADD2Y(Y8, Y9)
	DECQ CX
	JNZ  a2dot_loop

a2dot_done:
	VMOVD X0, AX
	VZEROUPPER
	MOVL  AX, ret+16(FP)
	RET

// func dotInt4AVX2(n int, w []byte, s uint32) int32
// Per iteration: unpack 32 bytes of packed int4 weights into two ymm of
// nibbles, then for each of 3 rows the madd sequence on both (6 chains).
// Returns acc[0][0].
TEXT ·dotInt4AVX2(SB), NOSPLIT, $0-44
	MOVQ         n+0(FP), CX
	MOVQ         w_base+8(FP), SI
	MOVL         s+32(FP), AX
	MOVD         AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $0x0F0F0F0F, AX
	MOVD         AX, X10
	VPBROADCASTD X10, Y10
	MOVL         $0x00010001, AX
	MOVD         AX, X11
	VPBROADCASTD X11, Y11
	VPXOR        Y0, Y0, Y0
	VPXOR        Y1, Y1, Y1
	VPXOR        Y2, Y2, Y2
	VPXOR        Y3, Y3, Y3
	VPXOR        Y4, Y4, Y4
	VPXOR        Y5, Y5, Y5
	TESTQ        CX, CX
	JLE          a2int4_done

a2int4_loop:
	// lo = w & 0x0f; hi = (w >> 4) & 0x0f; acc[2r] += lo.s; acc[2r+1] += hi.s
	VMOVDQU    0(SI), Y9
	VPSRLW     $4, Y9, Y8
	VPAND      Y10, Y9, Y9
	VPAND      Y10, Y8, Y8
	VPMADDUBSW Y13, Y9, Y14
	VPMADDUBSW Y13, Y8, Y15
	VPMADDWD   Y11, Y14, Y14
	VPMADDWD   Y11, Y15, Y15
	VPADDD     Y14, Y0, Y0
	VPADDD     Y15, Y1, Y1
	VPMADDUBSW Y13, Y9, Y14
	VPMADDUBSW Y13, Y8, Y15
	VPMADDWD   Y11, Y14, Y14
	VPMADDWD   Y11, Y15, Y15
	VPADDD     Y14, Y2, Y2
	VPADDD     Y15, Y3, Y3
	VPMADDUBSW Y13, Y9, Y14
	VPMADDUBSW Y13, Y8, Y15
	VPMADDWD   Y11, Y14, Y14
	VPMADDWD   Y11, Y15, Y15
	VPADDD     Y14, Y4, Y4
	VPADDD     Y15, Y5, Y5
	DECQ       CX
	JNZ        a2int4_loop

a2int4_done:
	VMOVD X0, AX
	VZEROUPPER
	MOVL  AX, ret+40(FP)
	RET
