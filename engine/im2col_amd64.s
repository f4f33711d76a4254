//go:build gc && !purego

#include "textflag.h"

// func im2colRowAsm(dst, base *byte, offs *int, kh, count, step, n int)
//
// Windows are written in dst order, so those of every pixel but the last
// are copied in whole blocks (16, 32 or 64 bytes): the bytes past a
// window's end are overwritten by the next one. The last pixel's windows
// end with a masked block.
TEXT ·im2colRowAsm(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ base+8(FP), SI
	MOVQ offs+16(FP), R8
	MOVQ kh+24(FP), R9
	MOVQ count+32(FP), R10
	MOVQ step+40(FP), R12
	MOVQ n+48(FP), DX
	TESTQ R10, R10
	JLE   im2colrow_done
	TESTQ R9, R9
	JLE   im2colrow_done
	// R13: 64-byte blocks per window, rounded up.
	LEAQ  63(DX), R13
	SHRQ  $6, R13
	XORQ  R14, R14 // pixel * step
	CMPQ  R9, $3
	JNE   im2colrow_pixel
	CMPQ  R10, $1
	JEQ   im2colrow_pixel

	// kh = 3 (3x3 convolutions): the three tap rows in registers, all
	// pixels but the last without per-window checks; the general loop
	// does the last pixel.
	MOVQ (R8), AX
	ADDQ SI, AX
	MOVQ 8(R8), BX
	ADDQ SI, BX
	MOVQ 16(R8), R11
	ADDQ SI, R11
	DECQ R10
	// Narrow windows (the first layer: 3 channels, 9 bytes a tap row) in
	// one 16- or 32-byte move each: a 64-byte block would store 7 times the
	// window and often cross a cache line.
	CMPQ DX, $16
	JLE  im2colrow3_x16
	CMPQ DX, $32
	JLE  im2colrow3_y32

im2colrow3_pixel:
	MOVQ R13, R15
	XORQ CX, CX

im2colrow3_b0:
	VMOVDQU64 (AX)(CX*1), Z0
	VMOVDQU64 Z0, (DI)(CX*1)
	ADDQ      $64, CX
	DECQ      R15
	JNZ       im2colrow3_b0
	ADDQ      DX, DI
	MOVQ      R13, R15
	XORQ      CX, CX

im2colrow3_b1:
	VMOVDQU64 (BX)(CX*1), Z0
	VMOVDQU64 Z0, (DI)(CX*1)
	ADDQ      $64, CX
	DECQ      R15
	JNZ       im2colrow3_b1
	ADDQ      DX, DI
	MOVQ      R13, R15
	XORQ      CX, CX

im2colrow3_b2:
	VMOVDQU64 (R11)(CX*1), Z0
	VMOVDQU64 Z0, (DI)(CX*1)
	ADDQ      $64, CX
	DECQ      R15
	JNZ       im2colrow3_b2
	ADDQ      DX, DI
	ADDQ      R12, AX
	ADDQ      R12, BX
	ADDQ      R12, R11
	ADDQ      R12, R14
	DECQ      R10
	JNZ       im2colrow3_pixel
	MOVQ      $1, R10
	JMP       im2colrow_pixel

im2colrow3_x16:
	VMOVDQU (AX), X0
	VMOVDQU (BX), X1
	VMOVDQU (R11), X2
	VMOVDQU X0, (DI)
	ADDQ    DX, DI
	VMOVDQU X1, (DI)
	ADDQ    DX, DI
	VMOVDQU X2, (DI)
	ADDQ    DX, DI
	ADDQ    R12, AX
	ADDQ    R12, BX
	ADDQ    R12, R11
	ADDQ    R12, R14
	DECQ    R10
	JNZ     im2colrow3_x16
	MOVQ    $1, R10
	JMP     im2colrow_pixel

im2colrow3_y32:
	VMOVDQU (AX), Y0
	VMOVDQU (BX), Y1
	VMOVDQU (R11), Y2
	VMOVDQU Y0, (DI)
	ADDQ    DX, DI
	VMOVDQU Y1, (DI)
	ADDQ    DX, DI
	VMOVDQU Y2, (DI)
	ADDQ    DX, DI
	ADDQ    R12, AX
	ADDQ    R12, BX
	ADDQ    R12, R11
	ADDQ    R12, R14
	DECQ    R10
	JNZ     im2colrow3_y32
	MOVQ    $1, R10

im2colrow_pixel:
	XORQ CX, CX // ky

im2colrow_tap:
	// The window of tap row ky: base + offs[ky] + pixel*step.
	MOVQ (R8)(CX*8), AX
	ADDQ SI, AX
	ADDQ R14, AX
	INCQ CX
	CMPQ R10, $1
	JEQ  im2colrow_exact

im2colrow_full:
	MOVQ DI, BX
	MOVQ R13, R15

im2colrow_block:
	VMOVDQU64 (AX), Z0
	VMOVDQU64 Z0, (BX)
	ADDQ      $64, AX
	ADDQ      $64, BX
	DECQ      R15
	JNZ       im2colrow_block
	ADDQ      DX, DI
	CMPQ      CX, R9
	JLT       im2colrow_tap
	ADDQ      R12, R14
	DECQ      R10
	JNZ       im2colrow_pixel
	JMP       im2colrow_done

im2colrow_exact:
	// The last pixel, every tap: whole blocks, then the masked rest, so
	// nothing is written past dst's end.
	MOVQ DI, BX
	MOVQ DX, R15
	SHRQ $6, R15
	JZ   im2colrow_exacttail

im2colrow_exactblock:
	VMOVDQU64 (AX), Z0
	VMOVDQU64 Z0, (BX)
	ADDQ      $64, AX
	ADDQ      $64, BX
	DECQ      R15
	JNZ       im2colrow_exactblock

im2colrow_exacttail:
	MOVQ  CX, R13 // ky; R13 (blocks per window) is not needed for the last pixel
	MOVQ  DX, CX
	ANDQ  $63, CX
	MOVQ  $1, R15
	SHLQ  CX, R15
	DECQ  R15
	KMOVQ R15, K1
	MOVQ  R13, CX
	VMOVDQU8.Z (AX), K1, Z0
	VMOVDQU8   Z0, K1, (BX)
	ADDQ  DX, DI
	CMPQ  CX, R9
	JLT   im2colrow_tap

im2colrow_done:
	VZEROUPPER
	RET

// func prefetchAsm(p *byte, n int)
TEXT ·prefetchAsm(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), CX
	ADDQ AX, CX

prefetch_loop:
	CMPQ       AX, CX
	JAE        prefetch_done
	PREFETCHT0 (AX)
	ADDQ       $64, AX
	JMP        prefetch_loop

prefetch_done:
	RET
