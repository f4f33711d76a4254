//go:build gc && !purego

#include "textflag.h"

// Offsets in epiParams.
#define P_SC 0
#define P_Z 4
#define P_LO 8
#define P_HI 12
#define P_INV 16
#define P_OZ 20
#define P_C0 24
#define P_C255 28

// func addActU8Asm(dst, r *uint8, y *float32, n int, p *epiParams)
TEXT ·addActU8Asm(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ r+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ p+32(FP), AX
	VBROADCASTSS P_SC(AX), Z1
	VBROADCASTSS P_Z(AX), Z2
	VBROADCASTSS P_LO(AX), Z3
	VBROADCASTSS P_HI(AX), Z4
	VBROADCASTSS P_INV(AX), Z5
	VBROADCASTSS P_OZ(AX), Z6
	VBROADCASTSS P_C0(AX), Z7
	VBROADCASTSS P_C255(AX), Z8
	SHRQ $4, CX
	JZ   addactu8_done

addactu8_loop:
	// v := y + sc*(float(r) - z), clamped to [lo, hi]
	VPMOVZXBD (SI), Z0
	VCVTDQ2PS Z0, Z0
	VSUBPS    Z2, Z0, Z0
	VMULPS    Z1, Z0, Z0
	VADDPS    (DX), Z0, Z0
	VMAXPS    Z3, Z0, Z0
	VMINPS    Z4, Z0, Z0
	// q := round(clamp(v*inv + oz, 0, 255))
	VMULPS    Z5, Z0, Z0
	VADDPS    Z6, Z0, Z0
	VMAXPS    Z7, Z0, Z0
	VMINPS    Z8, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPMOVUSDB Z0, (DI)
	ADDQ      $16, SI
	ADDQ      $64, DX
	ADDQ      $16, DI
	DECQ      CX
	JNZ       addactu8_loop

addactu8_done:
	VZEROUPPER
	RET

// func addActDeqAsm(y *float32, r *uint8, n int, p *epiParams)
TEXT ·addActDeqAsm(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ r+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ p+24(FP), AX
	VBROADCASTSS P_SC(AX), Z1
	VBROADCASTSS P_Z(AX), Z2
	VBROADCASTSS P_LO(AX), Z3
	VBROADCASTSS P_HI(AX), Z4
	SHRQ $4, CX
	JZ   addactdeq_done

addactdeq_loop:
	// y = min(max(y + sc*(float(r) - z), lo), hi)
	VPMOVZXBD (SI), Z0
	VCVTDQ2PS Z0, Z0
	VSUBPS    Z2, Z0, Z0
	VMULPS    Z1, Z0, Z0
	VADDPS    (DI), Z0, Z0
	VMAXPS    Z3, Z0, Z0
	VMINPS    Z4, Z0, Z0
	VMOVUPS   Z0, (DI)
	ADDQ      $16, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       addactdeq_loop

addactdeq_done:
	VZEROUPPER
	RET

// func addActF32Asm(y, r *float32, n int, p *epiParams)
TEXT ·addActF32Asm(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ r+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ p+24(FP), AX
	VBROADCASTSS P_LO(AX), Z3
	VBROADCASTSS P_HI(AX), Z4
	SHRQ $4, CX
	JZ   addactf32_done

addactf32_loop:
	// y = min(max(y + r, lo), hi)
	VMOVUPS (DI), Z0
	VADDPS  (SI), Z0, Z0
	VMAXPS  Z3, Z0, Z0
	VMINPS  Z4, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     addactf32_loop

addactf32_done:
	VZEROUPPER
	RET

// func quantizeU8Asm(dst *uint8, y *float32, n int, p *epiParams)
TEXT ·quantizeU8Asm(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ y+8(FP), DX
	MOVQ n+16(FP), CX
	MOVQ p+24(FP), AX
	VBROADCASTSS P_INV(AX), Z5
	VBROADCASTSS P_OZ(AX), Z6
	VBROADCASTSS P_C0(AX), Z7
	VBROADCASTSS P_C255(AX), Z8
	SHRQ $4, CX
	JZ   quantize_done

quantize_loop:
	// q := round(clamp(y*inv + oz, 0, 255))
	VMULPS    (DX), Z5, Z0
	VADDPS    Z6, Z0, Z0
	VMAXPS    Z7, Z0, Z0
	VMINPS    Z8, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPMOVUSDB Z0, (DI)
	ADDQ      $64, DX
	ADDQ      $16, DI
	DECQ      CX
	JNZ       quantize_loop

quantize_done:
	VZEROUPPER
	RET

// func copyStridedAsm(dst, src *byte, count, dstStride, srcStride, n int)
TEXT ·copyStridedAsm(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ count+16(FP), R10
	MOVQ dstStride+24(FP), R11
	MOVQ srcStride+32(FP), R12
	MOVQ n+40(FP), R13
	// K1 masks the last n%64 bytes of a row (0 when n is a multiple of 64).
	MOVQ  R13, CX
	ANDQ  $63, CX
	MOVQ  $1, R9
	SHLQ  CX, R9
	DECQ  R9
	KMOVQ R9, K1
	SHRQ  $6, R13
	TESTQ R10, R10
	JLE   copystrided_done

copystrided_row:
	// copy(dst[:n], src[:n]) in 64-byte blocks, then the masked tail
	MOVQ  DI, AX
	MOVQ  SI, BX
	MOVQ  R13, R15
	TESTQ R15, R15
	JZ    copystrided_tail

copystrided_block:
	VMOVDQU64 (BX), Z0
	VMOVDQU64 Z0, (AX)
	ADDQ      $64, AX
	ADDQ      $64, BX
	DECQ      R15
	JNZ       copystrided_block

copystrided_tail:
	// Masked-off bytes are neither read (no fault) nor written.
	VMOVDQU8.Z (BX), K1, Z0
	VMOVDQU8   Z0, K1, (AX)
	ADDQ       R11, DI
	ADDQ       R12, SI
	DECQ       R10
	JNZ        copystrided_row

copystrided_done:
	VZEROUPPER
	RET
