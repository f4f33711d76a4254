//go:build gc && !purego

#include "textflag.h"

// func mulAddF32Asm(acc, w, x *float32, n int)
TEXT ·mulAddF32Asm(SB), NOSPLIT, $0-32
	MOVQ acc+0(FP), DI
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   muladd_done

muladd_loop:
	// acc += w * x (a multiply, then an add: the Go loop's two roundings)
	VMOVUPS (SI), Z0
	VMULPS  (DX), Z0, Z0
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	DECQ    CX
	JNZ     muladd_loop

muladd_done:
	VZEROUPPER
	RET
