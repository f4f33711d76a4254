//go:build gc && !purego

#include "textflag.h"

// Depthwise 3x3 kernels; see dw_amd64.go for the packed layouts and the
// reference loops. The tile code is regular and was written out by a small
// generator script, internal/dwgen/dw_gen.py.
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
	VMOVDQU X9, addr

// func dwF32AVX512(base *float32, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *float32, cbytes int, lo, hi float32)
TEXT ·dwF32AVX512(SB), NOSPLIT, $0-80
	// K2 = mask of the last block: 0xffff >> (15 - (c-1)%16), c = cbytes/4
	MOVQ cbytes+64(FP), CX
	SHRQ $2, CX
	DECQ CX
	ANDQ $15, CX
	NEGQ CX
	ADDQ $15, CX
	MOVL $0xffff, AX
	SHRL CX, AX
	KMOVW AX, K2
	MOVL $0xffff, AX
	KMOVW AX, K3
	MOVQ base+0(FP), BASE
	MOVQ taps+8(FP), TAPS
	MOVQ ntaps+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	LEAQ (PSTR)(PSTR*2), PST3
	MOVQ ostride+40(FP), OSTR
	MOVQ out+56(FP), OUT
	VBROADCASTSS lo+72(FP), Z30
	VBROADCASTSS hi+76(FP), Z31

dwf32z_tile8:
	CMPQ NPIX, $8
	JLT  dwf32z_tile7

dwf32z_run8:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32z_block8:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ TAPS, TP

dwf32z_tap8:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F32_FMA_Z((DI), Z0)
	F32_FMA_Z((DI)(PSTR*1), Z1)
	F32_FMA_Z((DI)(PSTR*2), Z2)
	F32_FMA_Z((DI)(PST3*1), Z3)
	F32_FMA_Z((AX), Z4)
	F32_FMA_Z((AX)(PSTR*1), Z5)
	F32_FMA_Z((AX)(PSTR*2), Z6)
	F32_FMA_Z((AX)(PST3*1), Z7)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32z_tap8
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	EPI_Z(Z7, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	F32_STORE_Z(Z6, (AX)(OSTR*2))
	F32_STORE_Z(Z7, (AX)(TP*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32z_block8
	LEAQ (BASE)(PSTR*8), BASE
	LEAQ (OUT)(OSTR*8), OUT
	SUBQ $8, NPIX
	JMP  dwf32z_tile8

dwf32z_tile7:
	CMPQ NPIX, $7
	JLT  dwf32z_tile6

dwf32z_run7:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32z_block7:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	MOVQ TAPS, TP

dwf32z_tap7:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F32_FMA_Z((DI), Z0)
	F32_FMA_Z((DI)(PSTR*1), Z1)
	F32_FMA_Z((DI)(PSTR*2), Z2)
	F32_FMA_Z((DI)(PST3*1), Z3)
	F32_FMA_Z((AX), Z4)
	F32_FMA_Z((AX)(PSTR*1), Z5)
	F32_FMA_Z((AX)(PSTR*2), Z6)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32z_tap7
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	F32_STORE_Z(Z6, (AX)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32z_block7
	JMP  dwf32z_done // the remainder was exactly 7

dwf32z_tile6:
	CMPQ NPIX, $6
	JLT  dwf32z_tile5

dwf32z_run6:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32z_block6:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	MOVQ TAPS, TP

dwf32z_tap6:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F32_FMA_Z((DI), Z0)
	F32_FMA_Z((DI)(PSTR*1), Z1)
	F32_FMA_Z((DI)(PSTR*2), Z2)
	F32_FMA_Z((DI)(PST3*1), Z3)
	F32_FMA_Z((AX), Z4)
	F32_FMA_Z((AX)(PSTR*1), Z5)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32z_tap6
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32z_block6
	JMP  dwf32z_done // the remainder was exactly 6

dwf32z_tile5:
	CMPQ NPIX, $5
	JLT  dwf32z_tile4

dwf32z_run5:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32z_block5:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	MOVQ TAPS, TP

dwf32z_tap5:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F32_FMA_Z((DI), Z0)
	F32_FMA_Z((DI)(PSTR*1), Z1)
	F32_FMA_Z((DI)(PSTR*2), Z2)
	F32_FMA_Z((DI)(PST3*1), Z3)
	F32_FMA_Z((AX), Z4)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32z_tap5
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32z_block5
	JMP  dwf32z_done // the remainder was exactly 5

dwf32z_tile4:
	CMPQ NPIX, $4
	JLT  dwf32z_tile3

dwf32z_run4:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32z_block4:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ TAPS, TP

dwf32z_tap4:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	F32_FMA_Z((DI), Z0)
	F32_FMA_Z((DI)(PSTR*1), Z1)
	F32_FMA_Z((DI)(PSTR*2), Z2)
	F32_FMA_Z((DI)(PST3*1), Z3)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32z_tap4
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32z_block4
	JMP  dwf32z_done // the remainder was exactly 4

dwf32z_tile3:
	CMPQ NPIX, $3
	JLT  dwf32z_tile2

dwf32z_run3:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32z_block3:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	MOVQ TAPS, TP

dwf32z_tap3:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	F32_FMA_Z((DI), Z0)
	F32_FMA_Z((DI)(PSTR*1), Z1)
	F32_FMA_Z((DI)(PSTR*2), Z2)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32z_tap3
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32z_block3
	JMP  dwf32z_done // the remainder was exactly 3

dwf32z_tile2:
	CMPQ NPIX, $2
	JLT  dwf32z_tile1

dwf32z_run2:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32z_block2:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ TAPS, TP

dwf32z_tap2:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	F32_FMA_Z((DI), Z0)
	F32_FMA_Z((DI)(PSTR*1), Z1)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32z_tap2
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32z_block2
	JMP  dwf32z_done // the remainder was exactly 2

dwf32z_tile1:
	CMPQ NPIX, $1
	JLT  dwf32z_done

dwf32z_run1:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32z_block1:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	MOVQ TAPS, TP

dwf32z_tap1:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	F32_FMA_Z((DI), Z0)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32z_tap1
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32z_block1
	JMP  dwf32z_done // the remainder was exactly 1

dwf32z_done:
	VZEROUPPER
	RET

// func dwF16AVX512(base *uint16, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *uint16, cbytes int, lo, hi float32)
TEXT ·dwF16AVX512(SB), NOSPLIT, $0-80
	// K2 = mask of the last block: 0xffff >> (15 - (c-1)%16), c = cbytes/2
	MOVQ cbytes+64(FP), CX
	SHRQ $1, CX
	DECQ CX
	ANDQ $15, CX
	NEGQ CX
	ADDQ $15, CX
	MOVL $0xffff, AX
	SHRL CX, AX
	KMOVW AX, K2
	MOVL $0xffff, AX
	KMOVW AX, K3
	MOVQ base+0(FP), BASE
	MOVQ taps+8(FP), TAPS
	MOVQ ntaps+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	LEAQ (PSTR)(PSTR*2), PST3
	MOVQ ostride+40(FP), OSTR
	MOVQ out+56(FP), OUT
	VBROADCASTSS lo+72(FP), Z30
	VBROADCASTSS hi+76(FP), Z31

dwf16z_tile8:
	CMPQ NPIX, $8
	JLT  dwf16z_tile7

dwf16z_run8:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16z_block8:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ TAPS, TP

dwf16z_tap8:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F16_FMA_Z((DI), Z0)
	F16_FMA_Z((DI)(PSTR*1), Z1)
	F16_FMA_Z((DI)(PSTR*2), Z2)
	F16_FMA_Z((DI)(PST3*1), Z3)
	F16_FMA_Z((AX), Z4)
	F16_FMA_Z((AX)(PSTR*1), Z5)
	F16_FMA_Z((AX)(PSTR*2), Z6)
	F16_FMA_Z((AX)(PST3*1), Z7)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16z_tap8
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	EPI_Z(Z7, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	F16_STORE_Z(Z6, (AX)(OSTR*2))
	F16_STORE_Z(Z7, (AX)(TP*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16z_block8
	LEAQ (BASE)(PSTR*8), BASE
	LEAQ (OUT)(OSTR*8), OUT
	SUBQ $8, NPIX
	JMP  dwf16z_tile8

dwf16z_tile7:
	CMPQ NPIX, $7
	JLT  dwf16z_tile6

dwf16z_run7:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16z_block7:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	MOVQ TAPS, TP

dwf16z_tap7:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F16_FMA_Z((DI), Z0)
	F16_FMA_Z((DI)(PSTR*1), Z1)
	F16_FMA_Z((DI)(PSTR*2), Z2)
	F16_FMA_Z((DI)(PST3*1), Z3)
	F16_FMA_Z((AX), Z4)
	F16_FMA_Z((AX)(PSTR*1), Z5)
	F16_FMA_Z((AX)(PSTR*2), Z6)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16z_tap7
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	F16_STORE_Z(Z6, (AX)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16z_block7
	JMP  dwf16z_done // the remainder was exactly 7

dwf16z_tile6:
	CMPQ NPIX, $6
	JLT  dwf16z_tile5

dwf16z_run6:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16z_block6:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	MOVQ TAPS, TP

dwf16z_tap6:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F16_FMA_Z((DI), Z0)
	F16_FMA_Z((DI)(PSTR*1), Z1)
	F16_FMA_Z((DI)(PSTR*2), Z2)
	F16_FMA_Z((DI)(PST3*1), Z3)
	F16_FMA_Z((AX), Z4)
	F16_FMA_Z((AX)(PSTR*1), Z5)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16z_tap6
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16z_block6
	JMP  dwf16z_done // the remainder was exactly 6

dwf16z_tile5:
	CMPQ NPIX, $5
	JLT  dwf16z_tile4

dwf16z_run5:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16z_block5:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	MOVQ TAPS, TP

dwf16z_tap5:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F16_FMA_Z((DI), Z0)
	F16_FMA_Z((DI)(PSTR*1), Z1)
	F16_FMA_Z((DI)(PSTR*2), Z2)
	F16_FMA_Z((DI)(PST3*1), Z3)
	F16_FMA_Z((AX), Z4)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16z_tap5
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16z_block5
	JMP  dwf16z_done // the remainder was exactly 5

dwf16z_tile4:
	CMPQ NPIX, $4
	JLT  dwf16z_tile3

dwf16z_run4:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16z_block4:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ TAPS, TP

dwf16z_tap4:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	F16_FMA_Z((DI), Z0)
	F16_FMA_Z((DI)(PSTR*1), Z1)
	F16_FMA_Z((DI)(PSTR*2), Z2)
	F16_FMA_Z((DI)(PST3*1), Z3)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16z_tap4
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16z_block4
	JMP  dwf16z_done // the remainder was exactly 4

dwf16z_tile3:
	CMPQ NPIX, $3
	JLT  dwf16z_tile2

dwf16z_run3:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16z_block3:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	MOVQ TAPS, TP

dwf16z_tap3:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	F16_FMA_Z((DI), Z0)
	F16_FMA_Z((DI)(PSTR*1), Z1)
	F16_FMA_Z((DI)(PSTR*2), Z2)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16z_tap3
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16z_block3
	JMP  dwf16z_done // the remainder was exactly 3

dwf16z_tile2:
	CMPQ NPIX, $2
	JLT  dwf16z_tile1

dwf16z_run2:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16z_block2:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ TAPS, TP

dwf16z_tap2:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	F16_FMA_Z((DI), Z0)
	F16_FMA_Z((DI)(PSTR*1), Z1)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16z_tap2
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16z_block2
	JMP  dwf16z_done // the remainder was exactly 2

dwf16z_tile1:
	CMPQ NPIX, $1
	JLT  dwf16z_done

dwf16z_run1:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16z_block1:
	// K1 = full, or the tail mask for the last block
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	MOVQ TAPS, TP

dwf16z_tap1:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z8
	ADDQ BASE, DI
	ADDQ CB, DI
	F16_FMA_Z((DI), Z0)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16z_tap1
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16z_block1
	JMP  dwf16z_done // the remainder was exactly 1

dwf16z_done:
	VZEROUPPER
	RET

// func dwF32AVX2(base *float32, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *float32, cbytes int, lo, hi float32)
TEXT ·dwF32AVX2(SB), NOSPLIT, $0-80
	MOVQ base+0(FP), BASE
	MOVQ taps+8(FP), TAPS
	MOVQ ntaps+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	LEAQ (PSTR)(PSTR*2), PST3
	MOVQ ostride+40(FP), OSTR
	MOVQ out+56(FP), OUT
	VBROADCASTSS lo+72(FP), Y14
	VBROADCASTSS hi+76(FP), Y15

dwf32y_tile8:
	CMPQ NPIX, $8
	JLT  dwf32y_tile7

dwf32y_run8:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32y_block8:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ TAPS, TP

dwf32y_tap8:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F32_FMA_Y((DI), Y0)
	F32_FMA_Y((DI)(PSTR*1), Y1)
	F32_FMA_Y((DI)(PSTR*2), Y2)
	F32_FMA_Y((DI)(PST3*1), Y3)
	F32_FMA_Y((AX), Y4)
	F32_FMA_Y((AX)(PSTR*1), Y5)
	F32_FMA_Y((AX)(PSTR*2), Y6)
	F32_FMA_Y((AX)(PST3*1), Y7)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32y_tap8
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	EPI_Y(Y4, 320)
	EPI_Y(Y5, 320)
	EPI_Y(Y6, 320)
	EPI_Y(Y7, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Y(Y0, (DI))
	F32_STORE_Y(Y1, (DI)(OSTR*1))
	F32_STORE_Y(Y2, (DI)(OSTR*2))
	F32_STORE_Y(Y3, (DI)(TP*1))
	F32_STORE_Y(Y4, (AX))
	F32_STORE_Y(Y5, (AX)(OSTR*1))
	F32_STORE_Y(Y6, (AX)(OSTR*2))
	F32_STORE_Y(Y7, (AX)(TP*1))
	ADDQ $352, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32y_block8
	LEAQ (BASE)(PSTR*8), BASE
	LEAQ (OUT)(OSTR*8), OUT
	SUBQ $8, NPIX
	JMP  dwf32y_tile8

dwf32y_tile7:
	CMPQ NPIX, $7
	JLT  dwf32y_tile6

dwf32y_run7:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32y_block7:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	MOVQ TAPS, TP

dwf32y_tap7:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F32_FMA_Y((DI), Y0)
	F32_FMA_Y((DI)(PSTR*1), Y1)
	F32_FMA_Y((DI)(PSTR*2), Y2)
	F32_FMA_Y((DI)(PST3*1), Y3)
	F32_FMA_Y((AX), Y4)
	F32_FMA_Y((AX)(PSTR*1), Y5)
	F32_FMA_Y((AX)(PSTR*2), Y6)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32y_tap7
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	EPI_Y(Y4, 320)
	EPI_Y(Y5, 320)
	EPI_Y(Y6, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Y(Y0, (DI))
	F32_STORE_Y(Y1, (DI)(OSTR*1))
	F32_STORE_Y(Y2, (DI)(OSTR*2))
	F32_STORE_Y(Y3, (DI)(TP*1))
	F32_STORE_Y(Y4, (AX))
	F32_STORE_Y(Y5, (AX)(OSTR*1))
	F32_STORE_Y(Y6, (AX)(OSTR*2))
	ADDQ $352, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32y_block7
	JMP  dwf32y_done // the remainder was exactly 7

dwf32y_tile6:
	CMPQ NPIX, $6
	JLT  dwf32y_tile5

dwf32y_run6:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32y_block6:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	MOVQ TAPS, TP

dwf32y_tap6:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F32_FMA_Y((DI), Y0)
	F32_FMA_Y((DI)(PSTR*1), Y1)
	F32_FMA_Y((DI)(PSTR*2), Y2)
	F32_FMA_Y((DI)(PST3*1), Y3)
	F32_FMA_Y((AX), Y4)
	F32_FMA_Y((AX)(PSTR*1), Y5)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32y_tap6
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	EPI_Y(Y4, 320)
	EPI_Y(Y5, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Y(Y0, (DI))
	F32_STORE_Y(Y1, (DI)(OSTR*1))
	F32_STORE_Y(Y2, (DI)(OSTR*2))
	F32_STORE_Y(Y3, (DI)(TP*1))
	F32_STORE_Y(Y4, (AX))
	F32_STORE_Y(Y5, (AX)(OSTR*1))
	ADDQ $352, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32y_block6
	JMP  dwf32y_done // the remainder was exactly 6

dwf32y_tile5:
	CMPQ NPIX, $5
	JLT  dwf32y_tile4

dwf32y_run5:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32y_block5:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	MOVQ TAPS, TP

dwf32y_tap5:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F32_FMA_Y((DI), Y0)
	F32_FMA_Y((DI)(PSTR*1), Y1)
	F32_FMA_Y((DI)(PSTR*2), Y2)
	F32_FMA_Y((DI)(PST3*1), Y3)
	F32_FMA_Y((AX), Y4)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32y_tap5
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	EPI_Y(Y4, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Y(Y0, (DI))
	F32_STORE_Y(Y1, (DI)(OSTR*1))
	F32_STORE_Y(Y2, (DI)(OSTR*2))
	F32_STORE_Y(Y3, (DI)(TP*1))
	F32_STORE_Y(Y4, (AX))
	ADDQ $352, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32y_block5
	JMP  dwf32y_done // the remainder was exactly 5

dwf32y_tile4:
	CMPQ NPIX, $4
	JLT  dwf32y_tile3

dwf32y_run4:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32y_block4:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ TAPS, TP

dwf32y_tap4:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	F32_FMA_Y((DI), Y0)
	F32_FMA_Y((DI)(PSTR*1), Y1)
	F32_FMA_Y((DI)(PSTR*2), Y2)
	F32_FMA_Y((DI)(PST3*1), Y3)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32y_tap4
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Y(Y0, (DI))
	F32_STORE_Y(Y1, (DI)(OSTR*1))
	F32_STORE_Y(Y2, (DI)(OSTR*2))
	F32_STORE_Y(Y3, (DI)(TP*1))
	ADDQ $352, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32y_block4
	JMP  dwf32y_done // the remainder was exactly 4

dwf32y_tile3:
	CMPQ NPIX, $3
	JLT  dwf32y_tile2

dwf32y_run3:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32y_block3:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	MOVQ TAPS, TP

dwf32y_tap3:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	F32_FMA_Y((DI), Y0)
	F32_FMA_Y((DI)(PSTR*1), Y1)
	F32_FMA_Y((DI)(PSTR*2), Y2)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32y_tap3
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Y(Y0, (DI))
	F32_STORE_Y(Y1, (DI)(OSTR*1))
	F32_STORE_Y(Y2, (DI)(OSTR*2))
	ADDQ $352, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32y_block3
	JMP  dwf32y_done // the remainder was exactly 3

dwf32y_tile2:
	CMPQ NPIX, $2
	JLT  dwf32y_tile1

dwf32y_run2:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32y_block2:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ TAPS, TP

dwf32y_tap2:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	F32_FMA_Y((DI), Y0)
	F32_FMA_Y((DI)(PSTR*1), Y1)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32y_tap2
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Y(Y0, (DI))
	F32_STORE_Y(Y1, (DI)(OSTR*1))
	ADDQ $352, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32y_block2
	JMP  dwf32y_done // the remainder was exactly 2

dwf32y_tile1:
	CMPQ NPIX, $1
	JLT  dwf32y_done

dwf32y_run1:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32y_block1:
	VXORPS Y0, Y0, Y0
	MOVQ TAPS, TP

dwf32y_tap1:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	F32_FMA_Y((DI), Y0)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32y_tap1
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Y(Y0, (DI))
	ADDQ $352, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32y_block1
	JMP  dwf32y_done // the remainder was exactly 1

dwf32y_done:
	VZEROUPPER
	RET

// func dwF16AVX2(base *uint16, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *uint16, cbytes int, lo, hi float32)
TEXT ·dwF16AVX2(SB), NOSPLIT, $0-80
	MOVQ base+0(FP), BASE
	MOVQ taps+8(FP), TAPS
	MOVQ ntaps+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	LEAQ (PSTR)(PSTR*2), PST3
	MOVQ ostride+40(FP), OSTR
	MOVQ out+56(FP), OUT
	VBROADCASTSS lo+72(FP), Y14
	VBROADCASTSS hi+76(FP), Y15

dwf16y_tile8:
	CMPQ NPIX, $8
	JLT  dwf16y_tile7

dwf16y_run8:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16y_block8:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ TAPS, TP

dwf16y_tap8:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F16_FMA_Y((DI), Y0)
	F16_FMA_Y((DI)(PSTR*1), Y1)
	F16_FMA_Y((DI)(PSTR*2), Y2)
	F16_FMA_Y((DI)(PST3*1), Y3)
	F16_FMA_Y((AX), Y4)
	F16_FMA_Y((AX)(PSTR*1), Y5)
	F16_FMA_Y((AX)(PSTR*2), Y6)
	F16_FMA_Y((AX)(PST3*1), Y7)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16y_tap8
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	EPI_Y(Y4, 320)
	EPI_Y(Y5, 320)
	EPI_Y(Y6, 320)
	EPI_Y(Y7, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Y(Y0, (DI))
	F16_STORE_Y(Y1, (DI)(OSTR*1))
	F16_STORE_Y(Y2, (DI)(OSTR*2))
	F16_STORE_Y(Y3, (DI)(TP*1))
	F16_STORE_Y(Y4, (AX))
	F16_STORE_Y(Y5, (AX)(OSTR*1))
	F16_STORE_Y(Y6, (AX)(OSTR*2))
	F16_STORE_Y(Y7, (AX)(TP*1))
	ADDQ $352, WBLK
	ADDQ $16, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16y_block8
	LEAQ (BASE)(PSTR*8), BASE
	LEAQ (OUT)(OSTR*8), OUT
	SUBQ $8, NPIX
	JMP  dwf16y_tile8

dwf16y_tile7:
	CMPQ NPIX, $7
	JLT  dwf16y_tile6

dwf16y_run7:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16y_block7:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	MOVQ TAPS, TP

dwf16y_tap7:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F16_FMA_Y((DI), Y0)
	F16_FMA_Y((DI)(PSTR*1), Y1)
	F16_FMA_Y((DI)(PSTR*2), Y2)
	F16_FMA_Y((DI)(PST3*1), Y3)
	F16_FMA_Y((AX), Y4)
	F16_FMA_Y((AX)(PSTR*1), Y5)
	F16_FMA_Y((AX)(PSTR*2), Y6)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16y_tap7
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	EPI_Y(Y4, 320)
	EPI_Y(Y5, 320)
	EPI_Y(Y6, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Y(Y0, (DI))
	F16_STORE_Y(Y1, (DI)(OSTR*1))
	F16_STORE_Y(Y2, (DI)(OSTR*2))
	F16_STORE_Y(Y3, (DI)(TP*1))
	F16_STORE_Y(Y4, (AX))
	F16_STORE_Y(Y5, (AX)(OSTR*1))
	F16_STORE_Y(Y6, (AX)(OSTR*2))
	ADDQ $352, WBLK
	ADDQ $16, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16y_block7
	JMP  dwf16y_done // the remainder was exactly 7

dwf16y_tile6:
	CMPQ NPIX, $6
	JLT  dwf16y_tile5

dwf16y_run6:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16y_block6:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	MOVQ TAPS, TP

dwf16y_tap6:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F16_FMA_Y((DI), Y0)
	F16_FMA_Y((DI)(PSTR*1), Y1)
	F16_FMA_Y((DI)(PSTR*2), Y2)
	F16_FMA_Y((DI)(PST3*1), Y3)
	F16_FMA_Y((AX), Y4)
	F16_FMA_Y((AX)(PSTR*1), Y5)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16y_tap6
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	EPI_Y(Y4, 320)
	EPI_Y(Y5, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Y(Y0, (DI))
	F16_STORE_Y(Y1, (DI)(OSTR*1))
	F16_STORE_Y(Y2, (DI)(OSTR*2))
	F16_STORE_Y(Y3, (DI)(TP*1))
	F16_STORE_Y(Y4, (AX))
	F16_STORE_Y(Y5, (AX)(OSTR*1))
	ADDQ $352, WBLK
	ADDQ $16, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16y_block6
	JMP  dwf16y_done // the remainder was exactly 6

dwf16y_tile5:
	CMPQ NPIX, $5
	JLT  dwf16y_tile4

dwf16y_run5:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16y_block5:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	MOVQ TAPS, TP

dwf16y_tap5:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	LEAQ (DI)(PSTR*4), AX
	F16_FMA_Y((DI), Y0)
	F16_FMA_Y((DI)(PSTR*1), Y1)
	F16_FMA_Y((DI)(PSTR*2), Y2)
	F16_FMA_Y((DI)(PST3*1), Y3)
	F16_FMA_Y((AX), Y4)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16y_tap5
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	EPI_Y(Y4, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Y(Y0, (DI))
	F16_STORE_Y(Y1, (DI)(OSTR*1))
	F16_STORE_Y(Y2, (DI)(OSTR*2))
	F16_STORE_Y(Y3, (DI)(TP*1))
	F16_STORE_Y(Y4, (AX))
	ADDQ $352, WBLK
	ADDQ $16, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16y_block5
	JMP  dwf16y_done // the remainder was exactly 5

dwf16y_tile4:
	CMPQ NPIX, $4
	JLT  dwf16y_tile3

dwf16y_run4:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16y_block4:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ TAPS, TP

dwf16y_tap4:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	F16_FMA_Y((DI), Y0)
	F16_FMA_Y((DI)(PSTR*1), Y1)
	F16_FMA_Y((DI)(PSTR*2), Y2)
	F16_FMA_Y((DI)(PST3*1), Y3)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16y_tap4
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	EPI_Y(Y3, 320)
	LEAQ (OUT)(CB*1), DI
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Y(Y0, (DI))
	F16_STORE_Y(Y1, (DI)(OSTR*1))
	F16_STORE_Y(Y2, (DI)(OSTR*2))
	F16_STORE_Y(Y3, (DI)(TP*1))
	ADDQ $352, WBLK
	ADDQ $16, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16y_block4
	JMP  dwf16y_done // the remainder was exactly 4

dwf16y_tile3:
	CMPQ NPIX, $3
	JLT  dwf16y_tile2

dwf16y_run3:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16y_block3:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	MOVQ TAPS, TP

dwf16y_tap3:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	F16_FMA_Y((DI), Y0)
	F16_FMA_Y((DI)(PSTR*1), Y1)
	F16_FMA_Y((DI)(PSTR*2), Y2)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16y_tap3
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	EPI_Y(Y2, 320)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Y(Y0, (DI))
	F16_STORE_Y(Y1, (DI)(OSTR*1))
	F16_STORE_Y(Y2, (DI)(OSTR*2))
	ADDQ $352, WBLK
	ADDQ $16, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16y_block3
	JMP  dwf16y_done // the remainder was exactly 3

dwf16y_tile2:
	CMPQ NPIX, $2
	JLT  dwf16y_tile1

dwf16y_run2:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16y_block2:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ TAPS, TP

dwf16y_tap2:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	F16_FMA_Y((DI), Y0)
	F16_FMA_Y((DI)(PSTR*1), Y1)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16y_tap2
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	EPI_Y(Y1, 320)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Y(Y0, (DI))
	F16_STORE_Y(Y1, (DI)(OSTR*1))
	ADDQ $352, WBLK
	ADDQ $16, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16y_block2
	JMP  dwf16y_done // the remainder was exactly 2

dwf16y_tile1:
	CMPQ NPIX, $1
	JLT  dwf16y_done

dwf16y_run1:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16y_block1:
	VXORPS Y0, Y0, Y0
	MOVQ TAPS, TP

dwf16y_tap1:
	// acc[p] += in[p][tap] * w[tap] for the tile's pixels
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	F16_FMA_Y((DI), Y0)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16y_tap1
	// out = min(max(acc*scale + bias, lo), hi)
	VMOVUPS 288(WBLK), Y8
	EPI_Y(Y0, 320)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Y(Y0, (DI))
	ADDQ $352, WBLK
	ADDQ $16, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16y_block1
	JMP  dwf16y_done // the remainder was exactly 1

dwf16y_done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------- integer AVX-512 (VNNI)

// Blocks of 64 channels: one masked 64-byte load per pixel and tap, and per
// tap four weight vectors Z16..Z19 (vector k holds channel 4j+k's weight in
// byte 4j+k, zeros elsewhere), so accumulator k gets channel 4j+k in dword
// j. Accumulators of pixel p: Z(4p)..Z(4p+3). The zero point is in the
// initial accumulators (corr). Constants: Z22 words of 1, Z23 lo, Z24 hi,
// Z25 1/out scale, Z26 out zero, Z29 the byte transpose, Z30 lo', Z31 hi'. K1 block
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

// uint8 output: q = int32(roundEven(min(max(t, lo'), hi'))) with
// t = float32(y*invOut) + zero. t(y) is monotonic, so clamping t at lo' =
// t(lo) and hi' = min(t(hi), 255) equals clamping y at lo, hi first and t
// at 255 after (bit for bit); the clamp at 0 is the saturation of the packs
// (a negative t, or one out of int32 range, converts to a negative int32).
#define QEPI_U8(z, off) \
	VCVTDQ2PS z, z \
	VMULPS off(AX), z, z \
	VADDPS off(DI), z, z \
	VMULPS Z25, z, z \
	VADDPS Z26, z, z \
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


// func dwQAVX512(base *uint8, taps *dwTap, ntaps, npix, pstride, ostride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, c int, k *dwQConsts, vnni bool)
TEXT ·dwQAVX512(SB), NOSPLIT, $0-113
	// K2 = ^0 >> (63 - (c-1)%64)
	MOVQ c+96(FP), CX
	DECQ CX
	ANDQ $63, CX
	NEGQ CX
	ADDQ $63, CX
	MOVQ $-1, AX
	SHRQ CX, AX
	KMOVQ AX, K2
	MOVQ $-1, AX
	KMOVQ AX, K3
	MOVQ k+104(FP), AX
	VBROADCASTSS 0(AX), Z23
	VBROADCASTSS 4(AX), Z24
	VBROADCASTSS 8(AX), Z25
	VBROADCASTSS 12(AX), Z26
	VBROADCASTSS 16(AX), Z30
	VBROADCASTSS 20(AX), Z31
	MOVL $0x00010001, DI
	VPBROADCASTD DI, Z22
	VBROADCASTI32X4 dwqperm<>(SB), Z29
	MOVQ base+0(FP), BASE
	MOVQ taps+8(FP), TAPS
	MOVQ ntaps+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	LEAQ (PSTR)(PSTR*2), PST3
	MOVQ ostride+40(FP), OSTR
	MOVQ out8+80(FP), OUT
	TESTQ OUT, OUT
	JNZ  2(PC)
	MOVQ out32+88(FP), OUT

dwqz_tile4:
	CMPQ NPIX, $4
	JLT  dwqz_tile3

dwqz_run4:
	XORQ CB, CB

dwqz_block4:
	// masks, block weights, accumulators = zero-point correction
	KMOVQ K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, c+96(FP)
	JLT  2(PC)
	KMOVQ K2, K1
	KMOVQ K1, K4
	KSHIFTRQ $16, K1, K5
	KSHIFTRQ $32, K1, K6
	KSHIFTRQ $48, K1, K7
	MOVQ w+48(FP), AX
	LEAQ (AX)(CB*4), WBLK
	MOVQ corr+56(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z0
	VMOVDQU32 64(AX), Z1
	VMOVDQU32 128(AX), Z2
	VMOVDQU32 192(AX), Z3
	VMOVDQA32 Z0, Z4
	VMOVDQA32 Z1, Z5
	VMOVDQA32 Z2, Z6
	VMOVDQA32 Z3, Z7
	VMOVDQA32 Z0, Z8
	VMOVDQA32 Z1, Z9
	VMOVDQA32 Z2, Z10
	VMOVDQA32 Z3, Z11
	VMOVDQA32 Z0, Z12
	VMOVDQA32 Z1, Z13
	VMOVDQA32 Z2, Z14
	VMOVDQA32 Z3, Z15
	MOVQ TAPS, TP
	CMPB vnni+112(FP), $0
	JEQ  dwqz_tapbw4

dwqz_tap4:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	ADDQ WBLK, AX
	VMOVDQU32 (AX), Z16
	VMOVDQU32 64(AX), Z17
	VMOVDQU32 128(AX), Z18
	VMOVDQU32 192(AX), Z19
	ADDQ BASE, DI
	ADDQ CB, DI
	VMOVDQU8.Z (DI), K1, Z20
	DOT_VNNI(Z20, Z0, Z1, Z2, Z3)
	VMOVDQU8.Z (DI)(PSTR*1), K1, Z20
	DOT_VNNI(Z20, Z4, Z5, Z6, Z7)
	VMOVDQU8.Z (DI)(PSTR*2), K1, Z20
	DOT_VNNI(Z20, Z8, Z9, Z10, Z11)
	VMOVDQU8.Z (DI)(PST3*1), K1, Z20
	DOT_VNNI(Z20, Z12, Z13, Z14, Z15)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqz_tap4
	JMP  dwqz_epi4

dwqz_tapbw4:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	ADDQ WBLK, AX
	VMOVDQU32 (AX), Z16
	VMOVDQU32 64(AX), Z17
	VMOVDQU32 128(AX), Z18
	VMOVDQU32 192(AX), Z19
	ADDQ BASE, DI
	ADDQ CB, DI
	VMOVDQU8.Z (DI), K1, Z20
	DOT_BW(Z20, Z0, Z1, Z2, Z3)
	VMOVDQU8.Z (DI)(PSTR*1), K1, Z20
	DOT_BW(Z20, Z4, Z5, Z6, Z7)
	VMOVDQU8.Z (DI)(PSTR*2), K1, Z20
	DOT_BW(Z20, Z8, Z9, Z10, Z11)
	VMOVDQU8.Z (DI)(PST3*1), K1, Z20
	DOT_BW(Z20, Z12, Z13, Z14, Z15)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqz_tapbw4

dwqz_epi4:
	// AX = scale, DI = bias of the block
	MOVQ sb+64(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+72(FP), DI
	LEAQ (AX)(DI*4), DI
	CMPQ out8+80(FP), $0
	JEQ  dwqz_f32out4
	LEAQ (OUT)(CB*1), TP
	QEPI4_U8(Z0, Z1, Z2, Z3)
	QEPI4_U8(Z4, Z5, Z6, Z7)
	QEPI4_U8(Z8, Z9, Z10, Z11)
	QEPI4_U8(Z12, Z13, Z14, Z15)
	STORE_U8(Z0, Z1, Z2, Z3, TP)
	ADDQ OSTR, TP
	STORE_U8(Z4, Z5, Z6, Z7, TP)
	ADDQ OSTR, TP
	STORE_U8(Z8, Z9, Z10, Z11, TP)
	ADDQ OSTR, TP
	STORE_U8(Z12, Z13, Z14, Z15, TP)
	JMP  dwqz_next4

dwqz_f32out4:
	LEAQ (OUT)(CB*4), TP
	QEPI4(Z0, Z1, Z2, Z3)
	QEPI4(Z4, Z5, Z6, Z7)
	QEPI4(Z8, Z9, Z10, Z11)
	QEPI4(Z12, Z13, Z14, Z15)
	STORE_F32(Z0, Z1, Z2, Z3, TP)
	ADDQ OSTR, TP
	STORE_F32(Z4, Z5, Z6, Z7, TP)
	ADDQ OSTR, TP
	STORE_F32(Z8, Z9, Z10, Z11, TP)
	ADDQ OSTR, TP
	STORE_F32(Z12, Z13, Z14, Z15, TP)

dwqz_next4:
	ADDQ $64, CB
	CMPQ CB, c+96(FP)
	JLT  dwqz_block4
	LEAQ (BASE)(PSTR*4), BASE
	LEAQ (OUT)(OSTR*4), OUT
	SUBQ $4, NPIX
	JMP  dwqz_tile4

dwqz_tile3:
	CMPQ NPIX, $3
	JLT  dwqz_tile2

dwqz_run3:
	XORQ CB, CB

dwqz_block3:
	// masks, block weights, accumulators = zero-point correction
	KMOVQ K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, c+96(FP)
	JLT  2(PC)
	KMOVQ K2, K1
	KMOVQ K1, K4
	KSHIFTRQ $16, K1, K5
	KSHIFTRQ $32, K1, K6
	KSHIFTRQ $48, K1, K7
	MOVQ w+48(FP), AX
	LEAQ (AX)(CB*4), WBLK
	MOVQ corr+56(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z0
	VMOVDQU32 64(AX), Z1
	VMOVDQU32 128(AX), Z2
	VMOVDQU32 192(AX), Z3
	VMOVDQA32 Z0, Z4
	VMOVDQA32 Z1, Z5
	VMOVDQA32 Z2, Z6
	VMOVDQA32 Z3, Z7
	VMOVDQA32 Z0, Z8
	VMOVDQA32 Z1, Z9
	VMOVDQA32 Z2, Z10
	VMOVDQA32 Z3, Z11
	MOVQ TAPS, TP
	CMPB vnni+112(FP), $0
	JEQ  dwqz_tapbw3

dwqz_tap3:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	ADDQ WBLK, AX
	VMOVDQU32 (AX), Z16
	VMOVDQU32 64(AX), Z17
	VMOVDQU32 128(AX), Z18
	VMOVDQU32 192(AX), Z19
	ADDQ BASE, DI
	ADDQ CB, DI
	VMOVDQU8.Z (DI), K1, Z20
	DOT_VNNI(Z20, Z0, Z1, Z2, Z3)
	VMOVDQU8.Z (DI)(PSTR*1), K1, Z20
	DOT_VNNI(Z20, Z4, Z5, Z6, Z7)
	VMOVDQU8.Z (DI)(PSTR*2), K1, Z20
	DOT_VNNI(Z20, Z8, Z9, Z10, Z11)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqz_tap3
	JMP  dwqz_epi3

dwqz_tapbw3:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	ADDQ WBLK, AX
	VMOVDQU32 (AX), Z16
	VMOVDQU32 64(AX), Z17
	VMOVDQU32 128(AX), Z18
	VMOVDQU32 192(AX), Z19
	ADDQ BASE, DI
	ADDQ CB, DI
	VMOVDQU8.Z (DI), K1, Z20
	DOT_BW(Z20, Z0, Z1, Z2, Z3)
	VMOVDQU8.Z (DI)(PSTR*1), K1, Z20
	DOT_BW(Z20, Z4, Z5, Z6, Z7)
	VMOVDQU8.Z (DI)(PSTR*2), K1, Z20
	DOT_BW(Z20, Z8, Z9, Z10, Z11)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqz_tapbw3

dwqz_epi3:
	// AX = scale, DI = bias of the block
	MOVQ sb+64(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+72(FP), DI
	LEAQ (AX)(DI*4), DI
	CMPQ out8+80(FP), $0
	JEQ  dwqz_f32out3
	LEAQ (OUT)(CB*1), TP
	QEPI4_U8(Z0, Z1, Z2, Z3)
	QEPI4_U8(Z4, Z5, Z6, Z7)
	QEPI4_U8(Z8, Z9, Z10, Z11)
	STORE_U8(Z0, Z1, Z2, Z3, TP)
	ADDQ OSTR, TP
	STORE_U8(Z4, Z5, Z6, Z7, TP)
	ADDQ OSTR, TP
	STORE_U8(Z8, Z9, Z10, Z11, TP)
	JMP  dwqz_next3

dwqz_f32out3:
	LEAQ (OUT)(CB*4), TP
	QEPI4(Z0, Z1, Z2, Z3)
	QEPI4(Z4, Z5, Z6, Z7)
	QEPI4(Z8, Z9, Z10, Z11)
	STORE_F32(Z0, Z1, Z2, Z3, TP)
	ADDQ OSTR, TP
	STORE_F32(Z4, Z5, Z6, Z7, TP)
	ADDQ OSTR, TP
	STORE_F32(Z8, Z9, Z10, Z11, TP)

dwqz_next3:
	ADDQ $64, CB
	CMPQ CB, c+96(FP)
	JLT  dwqz_block3
	JMP  dwqz_done // the remainder was exactly 3

dwqz_tile2:
	CMPQ NPIX, $2
	JLT  dwqz_tile1

dwqz_run2:
	XORQ CB, CB

dwqz_block2:
	// masks, block weights, accumulators = zero-point correction
	KMOVQ K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, c+96(FP)
	JLT  2(PC)
	KMOVQ K2, K1
	KMOVQ K1, K4
	KSHIFTRQ $16, K1, K5
	KSHIFTRQ $32, K1, K6
	KSHIFTRQ $48, K1, K7
	MOVQ w+48(FP), AX
	LEAQ (AX)(CB*4), WBLK
	MOVQ corr+56(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z0
	VMOVDQU32 64(AX), Z1
	VMOVDQU32 128(AX), Z2
	VMOVDQU32 192(AX), Z3
	VMOVDQA32 Z0, Z4
	VMOVDQA32 Z1, Z5
	VMOVDQA32 Z2, Z6
	VMOVDQA32 Z3, Z7
	MOVQ TAPS, TP
	CMPB vnni+112(FP), $0
	JEQ  dwqz_tapbw2

dwqz_tap2:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	ADDQ WBLK, AX
	VMOVDQU32 (AX), Z16
	VMOVDQU32 64(AX), Z17
	VMOVDQU32 128(AX), Z18
	VMOVDQU32 192(AX), Z19
	ADDQ BASE, DI
	ADDQ CB, DI
	VMOVDQU8.Z (DI), K1, Z20
	DOT_VNNI(Z20, Z0, Z1, Z2, Z3)
	VMOVDQU8.Z (DI)(PSTR*1), K1, Z20
	DOT_VNNI(Z20, Z4, Z5, Z6, Z7)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqz_tap2
	JMP  dwqz_epi2

dwqz_tapbw2:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	ADDQ WBLK, AX
	VMOVDQU32 (AX), Z16
	VMOVDQU32 64(AX), Z17
	VMOVDQU32 128(AX), Z18
	VMOVDQU32 192(AX), Z19
	ADDQ BASE, DI
	ADDQ CB, DI
	VMOVDQU8.Z (DI), K1, Z20
	DOT_BW(Z20, Z0, Z1, Z2, Z3)
	VMOVDQU8.Z (DI)(PSTR*1), K1, Z20
	DOT_BW(Z20, Z4, Z5, Z6, Z7)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqz_tapbw2

dwqz_epi2:
	// AX = scale, DI = bias of the block
	MOVQ sb+64(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+72(FP), DI
	LEAQ (AX)(DI*4), DI
	CMPQ out8+80(FP), $0
	JEQ  dwqz_f32out2
	LEAQ (OUT)(CB*1), TP
	QEPI4_U8(Z0, Z1, Z2, Z3)
	QEPI4_U8(Z4, Z5, Z6, Z7)
	STORE_U8(Z0, Z1, Z2, Z3, TP)
	ADDQ OSTR, TP
	STORE_U8(Z4, Z5, Z6, Z7, TP)
	JMP  dwqz_next2

dwqz_f32out2:
	LEAQ (OUT)(CB*4), TP
	QEPI4(Z0, Z1, Z2, Z3)
	QEPI4(Z4, Z5, Z6, Z7)
	STORE_F32(Z0, Z1, Z2, Z3, TP)
	ADDQ OSTR, TP
	STORE_F32(Z4, Z5, Z6, Z7, TP)

dwqz_next2:
	ADDQ $64, CB
	CMPQ CB, c+96(FP)
	JLT  dwqz_block2
	JMP  dwqz_done // the remainder was exactly 2

dwqz_tile1:
	CMPQ NPIX, $1
	JLT  dwqz_done

dwqz_run1:
	XORQ CB, CB

dwqz_block1:
	// masks, block weights, accumulators = zero-point correction
	KMOVQ K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, c+96(FP)
	JLT  2(PC)
	KMOVQ K2, K1
	KMOVQ K1, K4
	KSHIFTRQ $16, K1, K5
	KSHIFTRQ $32, K1, K6
	KSHIFTRQ $48, K1, K7
	MOVQ w+48(FP), AX
	LEAQ (AX)(CB*4), WBLK
	MOVQ corr+56(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z0
	VMOVDQU32 64(AX), Z1
	VMOVDQU32 128(AX), Z2
	VMOVDQU32 192(AX), Z3
	MOVQ TAPS, TP
	CMPB vnni+112(FP), $0
	JEQ  dwqz_tapbw1

dwqz_tap1:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	ADDQ WBLK, AX
	VMOVDQU32 (AX), Z16
	VMOVDQU32 64(AX), Z17
	VMOVDQU32 128(AX), Z18
	VMOVDQU32 192(AX), Z19
	ADDQ BASE, DI
	ADDQ CB, DI
	VMOVDQU8.Z (DI), K1, Z20
	DOT_VNNI(Z20, Z0, Z1, Z2, Z3)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqz_tap1
	JMP  dwqz_epi1

dwqz_tapbw1:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	ADDQ WBLK, AX
	VMOVDQU32 (AX), Z16
	VMOVDQU32 64(AX), Z17
	VMOVDQU32 128(AX), Z18
	VMOVDQU32 192(AX), Z19
	ADDQ BASE, DI
	ADDQ CB, DI
	VMOVDQU8.Z (DI), K1, Z20
	DOT_BW(Z20, Z0, Z1, Z2, Z3)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqz_tapbw1

dwqz_epi1:
	// AX = scale, DI = bias of the block
	MOVQ sb+64(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+72(FP), DI
	LEAQ (AX)(DI*4), DI
	CMPQ out8+80(FP), $0
	JEQ  dwqz_f32out1
	LEAQ (OUT)(CB*1), TP
	QEPI4_U8(Z0, Z1, Z2, Z3)
	STORE_U8(Z0, Z1, Z2, Z3, TP)
	JMP  dwqz_next1

dwqz_f32out1:
	LEAQ (OUT)(CB*4), TP
	QEPI4(Z0, Z1, Z2, Z3)
	STORE_F32(Z0, Z1, Z2, Z3, TP)

dwqz_next1:
	ADDQ $64, CB
	CMPQ CB, c+96(FP)
	JLT  dwqz_block1
	JMP  dwqz_done // the remainder was exactly 1

dwqz_done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------- integer AVX2

// Blocks of 8 channels, activations widened to int32 (VPMOVZXBD) and
// multiplied by int32 weights with VPMADDWD (the high words are zero on the
// activation side, so each dword is a*w). Accumulators Y0..Y3 (pixels),
// weight Y8, Y9 scratch, constants Y10 lo, Y11 hi, Y12 1/out scale, Y13 out
// zero, Y14 0, Y15 255. Channels [0, c) only; Go does the rest.

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

#define STORE_U8_Y(y, x, r) \
	VMULPS Y12, y, y \
	VADDPS Y13, y, y \
	VMAXPS Y14, y, y \
	VMINPS Y15, y, y \
	VCVTPS2DQ y, y \
	VEXTRACTI128 $1, y, X9 \
	VPACKUSDW X9, x, x \
	VPACKUSWB x, x, x \
	VMOVQ x, (r)

// func dwQAVX2(base *uint8, taps *dwTap, ntaps, npix, pstride, ostride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, c int, k *dwQConsts)
TEXT ·dwQAVX2(SB), NOSPLIT, $0-112
	MOVQ k+104(FP), AX
	VBROADCASTSS 0(AX), Y10
	VBROADCASTSS 4(AX), Y11
	VBROADCASTSS 8(AX), Y12
	VBROADCASTSS 12(AX), Y13
	VXORPS Y14, Y14, Y14
	MOVL $0x437f0000, DI // 255.0
	MOVQ DI, X15
	VPBROADCASTD X15, Y15
	MOVQ base+0(FP), BASE
	MOVQ taps+8(FP), TAPS
	MOVQ ntaps+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	LEAQ (PSTR)(PSTR*2), PST3
	MOVQ ostride+40(FP), OSTR
	MOVQ out8+80(FP), OUT
	TESTQ OUT, OUT
	JNZ  2(PC)
	MOVQ out32+88(FP), OUT

dwqy_tile4:
	CMPQ NPIX, $4
	JLT  dwqy_tile3

dwqy_run4:
	XORQ CB, CB

dwqy_block4:
	MOVQ w+48(FP), AX
	LEAQ (AX)(CB*4), WBLK
	MOVQ corr+56(FP), AX
	VMOVDQU (AX)(CB*4), Y0
	VMOVDQA Y0, Y1
	VMOVDQA Y0, Y2
	VMOVDQA Y0, Y3
	MOVQ TAPS, TP

dwqy_tap4:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVDQU (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	QDOT_Y((DI), Y0)
	QDOT_Y((DI)(PSTR*1), Y1)
	QDOT_Y((DI)(PSTR*2), Y2)
	QDOT_Y((DI)(PST3*1), Y3)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqy_tap4
	MOVQ sb+64(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+72(FP), DI
	LEAQ (AX)(DI*4), DI
	QEPI_Y(Y0)
	QEPI_Y(Y1)
	QEPI_Y(Y2)
	QEPI_Y(Y3)
	CMPQ out8+80(FP), $0
	JEQ  dwqy_f32out4
	LEAQ (OUT)(CB*1), TP
	STORE_U8_Y(Y0, X0, TP)
	ADDQ OSTR, TP
	STORE_U8_Y(Y1, X1, TP)
	ADDQ OSTR, TP
	STORE_U8_Y(Y2, X2, TP)
	ADDQ OSTR, TP
	STORE_U8_Y(Y3, X3, TP)
	JMP  dwqy_next4

dwqy_f32out4:
	LEAQ (OUT)(CB*4), TP
	VMOVUPS Y0, (TP)
	ADDQ OSTR, TP
	VMOVUPS Y1, (TP)
	ADDQ OSTR, TP
	VMOVUPS Y2, (TP)
	ADDQ OSTR, TP
	VMOVUPS Y3, (TP)

dwqy_next4:
	ADDQ $8, CB
	CMPQ CB, c+96(FP)
	JLT  dwqy_block4
	LEAQ (BASE)(PSTR*4), BASE
	LEAQ (OUT)(OSTR*4), OUT
	SUBQ $4, NPIX
	JMP  dwqy_tile4

dwqy_tile3:
	CMPQ NPIX, $3
	JLT  dwqy_tile2

dwqy_run3:
	XORQ CB, CB

dwqy_block3:
	MOVQ w+48(FP), AX
	LEAQ (AX)(CB*4), WBLK
	MOVQ corr+56(FP), AX
	VMOVDQU (AX)(CB*4), Y0
	VMOVDQA Y0, Y1
	VMOVDQA Y0, Y2
	MOVQ TAPS, TP

dwqy_tap3:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVDQU (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	QDOT_Y((DI), Y0)
	QDOT_Y((DI)(PSTR*1), Y1)
	QDOT_Y((DI)(PSTR*2), Y2)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqy_tap3
	MOVQ sb+64(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+72(FP), DI
	LEAQ (AX)(DI*4), DI
	QEPI_Y(Y0)
	QEPI_Y(Y1)
	QEPI_Y(Y2)
	CMPQ out8+80(FP), $0
	JEQ  dwqy_f32out3
	LEAQ (OUT)(CB*1), TP
	STORE_U8_Y(Y0, X0, TP)
	ADDQ OSTR, TP
	STORE_U8_Y(Y1, X1, TP)
	ADDQ OSTR, TP
	STORE_U8_Y(Y2, X2, TP)
	JMP  dwqy_next3

dwqy_f32out3:
	LEAQ (OUT)(CB*4), TP
	VMOVUPS Y0, (TP)
	ADDQ OSTR, TP
	VMOVUPS Y1, (TP)
	ADDQ OSTR, TP
	VMOVUPS Y2, (TP)

dwqy_next3:
	ADDQ $8, CB
	CMPQ CB, c+96(FP)
	JLT  dwqy_block3
	JMP  dwqy_done // the remainder was exactly 3

dwqy_tile2:
	CMPQ NPIX, $2
	JLT  dwqy_tile1

dwqy_run2:
	XORQ CB, CB

dwqy_block2:
	MOVQ w+48(FP), AX
	LEAQ (AX)(CB*4), WBLK
	MOVQ corr+56(FP), AX
	VMOVDQU (AX)(CB*4), Y0
	VMOVDQA Y0, Y1
	MOVQ TAPS, TP

dwqy_tap2:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVDQU (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	QDOT_Y((DI), Y0)
	QDOT_Y((DI)(PSTR*1), Y1)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqy_tap2
	MOVQ sb+64(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+72(FP), DI
	LEAQ (AX)(DI*4), DI
	QEPI_Y(Y0)
	QEPI_Y(Y1)
	CMPQ out8+80(FP), $0
	JEQ  dwqy_f32out2
	LEAQ (OUT)(CB*1), TP
	STORE_U8_Y(Y0, X0, TP)
	ADDQ OSTR, TP
	STORE_U8_Y(Y1, X1, TP)
	JMP  dwqy_next2

dwqy_f32out2:
	LEAQ (OUT)(CB*4), TP
	VMOVUPS Y0, (TP)
	ADDQ OSTR, TP
	VMOVUPS Y1, (TP)

dwqy_next2:
	ADDQ $8, CB
	CMPQ CB, c+96(FP)
	JLT  dwqy_block2
	JMP  dwqy_done // the remainder was exactly 2

dwqy_tile1:
	CMPQ NPIX, $1
	JLT  dwqy_done

dwqy_run1:
	XORQ CB, CB

dwqy_block1:
	MOVQ w+48(FP), AX
	LEAQ (AX)(CB*4), WBLK
	MOVQ corr+56(FP), AX
	VMOVDQU (AX)(CB*4), Y0
	MOVQ TAPS, TP

dwqy_tap1:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVDQU (WBLK)(AX*1), Y8
	ADDQ BASE, DI
	ADDQ CB, DI
	QDOT_Y((DI), Y0)
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwqy_tap1
	MOVQ sb+64(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+72(FP), DI
	LEAQ (AX)(DI*4), DI
	QEPI_Y(Y0)
	CMPQ out8+80(FP), $0
	JEQ  dwqy_f32out1
	LEAQ (OUT)(CB*1), TP
	STORE_U8_Y(Y0, X0, TP)
	JMP  dwqy_next1

dwqy_f32out1:
	LEAQ (OUT)(CB*4), TP
	VMOVUPS Y0, (TP)

dwqy_next1:
	ADDQ $8, CB
	CMPQ CB, c+96(FP)
	JLT  dwqy_block1
	JMP  dwqy_done // the remainder was exactly 1

dwqy_done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------- integer rows, VNNI with packed taps

// For the interior of a row (all three columns in bounds) the three rows of
// a column go into the bytes of one dword lane, (above, centre, below, 0),
// so one VPDPBUSD does three taps. A column is interleaved once (8 shuffles
// per 64 channels) and used by the output pixels to its left, on it and to
// its right: a window of three columns V (4 registers each) slides along
// the row. V_k lane (L, i) is channel 16L+4k+i; the packs of STORE_ROW_U8
// bring those back to channel order. Absent rows load as zero (mask 0); the
// zero-point correction excludes their taps. Registers: window Z0..Z11,
// accumulators Z12..Z15, scratch Z16..Z22, constants Z23 lo, Z24 hi, Z25
// 1/out scale, Z26 out zero, Z27 0, Z30 lo', Z31 hi'. K1 block mask, K4 above, K5
// below, K6/K7 float store masks.

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
	VMULPS off(AX), y, y \
	VADDPS off(DI), y, y \
	VMULPS Y25, y, y \
	VADDPS Y26, y, y \
	VMAXPS Y30, y, y \
	VMINPS Y31, y, y \
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

// func dwQRowVNNI(base *uint8, up, down, npix, pstride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, ostride, c int, k *dwQConsts, top, bottom int, s2 bool)
TEXT ·dwQRowVNNI(SB), NOSPLIT, $0-129
	MOVQ k+104(FP), AX
	VBROADCASTSS 0(AX), Z23
	VBROADCASTSS 4(AX), Z24
	VBROADCASTSS 8(AX), Z25
	VBROADCASTSS 12(AX), Z26
	VBROADCASTSS 16(AX), Z30
	VBROADCASTSS 20(AX), Z31
	VPXORD Z27, Z27, Z27
	MOVQ up+8(FP), UP
	MOVQ down+16(FP), DOWN
	MOVQ pstride+32(FP), R9
	MOVQ c+96(FP), R8 // channel bytes of an input pixel
	XORQ CB, CB

dwqr_block:
	// block mask in AX: all ones, or the channel tail
	MOVQ $-1, AX
	MOVQ R8, CX
	SUBQ CB, CX
	CMPQ CX, $64
	JGE  6(PC)
	CMPQ CX, $32
	JLE  dwqr_half
	NEGQ CX
	ADDQ $64, CX
	SHRQ CX, AX
	KMOVQ AX, K1
	MOVQ AX, CX
	ANDQ top+112(FP), CX
	KMOVQ CX, K4
	ANDQ bottom+120(FP), AX
	KMOVQ AX, K5
	// WBLK = w + 12*CB (768 bytes a block), XP = first pixel, OP = its output
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
	MOVQ npix+24(FP), CX
	// left column of the first pixel
	MOVQ XP, AX
	SUBQ R8, AX
	QCOL(AX, Z0, Z1, Z2, Z3)
	CMPB s2+128(FP), $0
	JNE  dwqr_s2
	QCOL(XP, Z4, Z5, Z6, Z7)

dwqr_s1:
	LEAQ (XP)(R8*1), AX
	QCOL(AX, Z8, Z9, Z10, Z11)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z12
	VMOVDQU32 64(AX), Z13
	VMOVDQU32 128(AX), Z14
	VMOVDQU32 192(AX), Z15
	QROWDOT(0, Z0, Z1, Z2, Z3)
	QROWDOT(256, Z4, Z5, Z6, Z7)
	QROWDOT(512, Z8, Z9, Z10, Z11)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqr_s1_f0
	QEPI4_U8(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_U8(OP)
	JMP  dwqr_s1_n0
dwqr_s1_f0:
	QEPI4(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_F32(OP)
dwqr_s1_n0:
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqr_next
	LEAQ (XP)(R8*1), AX
	QCOL(AX, Z0, Z1, Z2, Z3)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z12
	VMOVDQU32 64(AX), Z13
	VMOVDQU32 128(AX), Z14
	VMOVDQU32 192(AX), Z15
	QROWDOT(0, Z4, Z5, Z6, Z7)
	QROWDOT(256, Z8, Z9, Z10, Z11)
	QROWDOT(512, Z0, Z1, Z2, Z3)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqr_s1_f1
	QEPI4_U8(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_U8(OP)
	JMP  dwqr_s1_n1
dwqr_s1_f1:
	QEPI4(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_F32(OP)
dwqr_s1_n1:
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqr_next
	LEAQ (XP)(R8*1), AX
	QCOL(AX, Z4, Z5, Z6, Z7)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z12
	VMOVDQU32 64(AX), Z13
	VMOVDQU32 128(AX), Z14
	VMOVDQU32 192(AX), Z15
	QROWDOT(0, Z8, Z9, Z10, Z11)
	QROWDOT(256, Z0, Z1, Z2, Z3)
	QROWDOT(512, Z4, Z5, Z6, Z7)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqr_s1_f2
	QEPI4_U8(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_U8(OP)
	JMP  dwqr_s1_n2
dwqr_s1_f2:
	QEPI4(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_F32(OP)
dwqr_s1_n2:
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqr_next
	JMP  dwqr_s1

dwqr_s2:
	QCOL(XP, Z4, Z5, Z6, Z7)
	LEAQ (XP)(R8*1), AX
	QCOL(AX, Z8, Z9, Z10, Z11)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z12
	VMOVDQU32 64(AX), Z13
	VMOVDQU32 128(AX), Z14
	VMOVDQU32 192(AX), Z15
	QROWDOT(0, Z0, Z1, Z2, Z3)
	QROWDOT(256, Z4, Z5, Z6, Z7)
	QROWDOT(512, Z8, Z9, Z10, Z11)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqr_s2_f0
	QEPI4_U8(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_U8(OP)
	JMP  dwqr_s2_n0
dwqr_s2_f0:
	QEPI4(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_F32(OP)
dwqr_s2_n0:
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqr_next
	QCOL(XP, Z0, Z1, Z2, Z3)
	LEAQ (XP)(R8*1), AX
	QCOL(AX, Z4, Z5, Z6, Z7)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z12
	VMOVDQU32 64(AX), Z13
	VMOVDQU32 128(AX), Z14
	VMOVDQU32 192(AX), Z15
	QROWDOT(0, Z8, Z9, Z10, Z11)
	QROWDOT(256, Z0, Z1, Z2, Z3)
	QROWDOT(512, Z4, Z5, Z6, Z7)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqr_s2_f1
	QEPI4_U8(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_U8(OP)
	JMP  dwqr_s2_n1
dwqr_s2_f1:
	QEPI4(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_F32(OP)
dwqr_s2_n1:
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqr_next
	QCOL(XP, Z8, Z9, Z10, Z11)
	LEAQ (XP)(R8*1), AX
	QCOL(AX, Z0, Z1, Z2, Z3)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Z12
	VMOVDQU32 64(AX), Z13
	VMOVDQU32 128(AX), Z14
	VMOVDQU32 192(AX), Z15
	QROWDOT(0, Z4, Z5, Z6, Z7)
	QROWDOT(256, Z8, Z9, Z10, Z11)
	QROWDOT(512, Z0, Z1, Z2, Z3)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqr_s2_f2
	QEPI4_U8(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_U8(OP)
	JMP  dwqr_s2_n2
dwqr_s2_f2:
	QEPI4(Z12, Z13, Z14, Z15)
	XCHGQ SI, DI
	STORE_ROW_F32(OP)
dwqr_s2_n2:
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqr_next
	JMP  dwqr_s2

dwqr_next:
	ADDQ $64, CB
	CMPQ CB, R8
	JLT  dwqr_block
	VZEROUPPER
	RET

dwqr_half:
	// last block of at most 32 channels: mask (1<<rem)-1, YMM registers
	NEGQ CX
	ADDQ $64, CX
	SHRQ CX, AX
	KMOVQ AX, K1
	MOVQ AX, CX
	ANDQ top+112(FP), CX
	KMOVQ CX, K4
	ANDQ bottom+120(FP), AX
	KMOVQ AX, K5
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
	MOVQ npix+24(FP), CX
	MOVQ XP, AX
	SUBQ R8, AX
	QCOL_Y(AX, Y0, Y1, Y2, Y3)
	CMPB s2+128(FP), $0
	JNE  dwqrh_s2
	QCOL_Y(XP, Y4, Y5, Y6, Y7)

dwqrh_s1:
	LEAQ (XP)(R8*1), AX
	QCOL_Y(AX, Y8, Y9, Y10, Y11)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Y12
	VMOVDQU32 32(AX), Y13
	VMOVDQU32 64(AX), Y14
	VMOVDQU32 96(AX), Y15
	QROWDOT_Y(0, Y0, Y1, Y2, Y3)
	QROWDOT_Y(128, Y4, Y5, Y6, Y7)
	QROWDOT_Y(256, Y8, Y9, Y10, Y11)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqrh_s1_f0
	STORE_ROW_U8_Y(OP)
	JMP  dwqrh_s1_n0
dwqrh_s1_f0:
	STORE_ROW_F32_Y(OP)
dwqrh_s1_n0:
	XCHGQ SI, DI
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqrh_done
	LEAQ (XP)(R8*1), AX
	QCOL_Y(AX, Y0, Y1, Y2, Y3)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Y12
	VMOVDQU32 32(AX), Y13
	VMOVDQU32 64(AX), Y14
	VMOVDQU32 96(AX), Y15
	QROWDOT_Y(0, Y4, Y5, Y6, Y7)
	QROWDOT_Y(128, Y8, Y9, Y10, Y11)
	QROWDOT_Y(256, Y0, Y1, Y2, Y3)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqrh_s1_f1
	STORE_ROW_U8_Y(OP)
	JMP  dwqrh_s1_n1
dwqrh_s1_f1:
	STORE_ROW_F32_Y(OP)
dwqrh_s1_n1:
	XCHGQ SI, DI
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqrh_done
	LEAQ (XP)(R8*1), AX
	QCOL_Y(AX, Y4, Y5, Y6, Y7)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Y12
	VMOVDQU32 32(AX), Y13
	VMOVDQU32 64(AX), Y14
	VMOVDQU32 96(AX), Y15
	QROWDOT_Y(0, Y8, Y9, Y10, Y11)
	QROWDOT_Y(128, Y0, Y1, Y2, Y3)
	QROWDOT_Y(256, Y4, Y5, Y6, Y7)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqrh_s1_f2
	STORE_ROW_U8_Y(OP)
	JMP  dwqrh_s1_n2
dwqrh_s1_f2:
	STORE_ROW_F32_Y(OP)
dwqrh_s1_n2:
	XCHGQ SI, DI
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqrh_done
	JMP  dwqrh_s1

dwqrh_s2:
	QCOL_Y(XP, Y4, Y5, Y6, Y7)
	LEAQ (XP)(R8*1), AX
	QCOL_Y(AX, Y8, Y9, Y10, Y11)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Y12
	VMOVDQU32 32(AX), Y13
	VMOVDQU32 64(AX), Y14
	VMOVDQU32 96(AX), Y15
	QROWDOT_Y(0, Y0, Y1, Y2, Y3)
	QROWDOT_Y(128, Y4, Y5, Y6, Y7)
	QROWDOT_Y(256, Y8, Y9, Y10, Y11)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqrh_s2_f0
	STORE_ROW_U8_Y(OP)
	JMP  dwqrh_s2_n0
dwqrh_s2_f0:
	STORE_ROW_F32_Y(OP)
dwqrh_s2_n0:
	XCHGQ SI, DI
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqrh_done
	QCOL_Y(XP, Y0, Y1, Y2, Y3)
	LEAQ (XP)(R8*1), AX
	QCOL_Y(AX, Y4, Y5, Y6, Y7)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Y12
	VMOVDQU32 32(AX), Y13
	VMOVDQU32 64(AX), Y14
	VMOVDQU32 96(AX), Y15
	QROWDOT_Y(0, Y8, Y9, Y10, Y11)
	QROWDOT_Y(128, Y0, Y1, Y2, Y3)
	QROWDOT_Y(256, Y4, Y5, Y6, Y7)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqrh_s2_f1
	STORE_ROW_U8_Y(OP)
	JMP  dwqrh_s2_n1
dwqrh_s2_f1:
	STORE_ROW_F32_Y(OP)
dwqrh_s2_n1:
	XCHGQ SI, DI
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqrh_done
	QCOL_Y(XP, Y8, Y9, Y10, Y11)
	LEAQ (XP)(R8*1), AX
	QCOL_Y(AX, Y0, Y1, Y2, Y3)
	MOVQ corr+48(FP), AX
	LEAQ (AX)(CB*4), AX
	VMOVDQU32 (AX), Y12
	VMOVDQU32 32(AX), Y13
	VMOVDQU32 64(AX), Y14
	VMOVDQU32 96(AX), Y15
	QROWDOT_Y(0, Y4, Y5, Y6, Y7)
	QROWDOT_Y(128, Y8, Y9, Y10, Y11)
	QROWDOT_Y(256, Y0, Y1, Y2, Y3)
	MOVQ sb+56(FP), AX
	LEAQ (AX)(CB*4), AX
	MOVQ cp+64(FP), SI
	LEAQ (AX)(SI*4), SI
	XCHGQ SI, DI
	CMPQ out8+72(FP), $0
	JEQ  dwqrh_s2_f2
	STORE_ROW_U8_Y(OP)
	JMP  dwqrh_s2_n2
dwqrh_s2_f2:
	STORE_ROW_F32_Y(OP)
dwqrh_s2_n2:
	XCHGQ SI, DI
	ADDQ R9, XP
	ADDQ ostride+88(FP), OP
	DECQ CX
	JZ   dwqrh_done
	JMP  dwqrh_s2

dwqrh_done:
	VZEROUPPER
	RET

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


// func dwF32RowS1AVX512(base *float32, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *float32, cbytes int, lo, hi float32)
TEXT ·dwF32RowS1AVX512(SB), NOSPLIT, $0-80
	MOVQ cbytes+64(FP), CX
	SHRQ $2, CX
	DECQ CX
	ANDQ $15, CX
	NEGQ CX
	ADDQ $15, CX
	MOVL $0xffff, AX
	SHRL CX, AX
	KMOVW AX, K2
	MOVL $0xffff, AX
	KMOVW AX, K3
	MOVQ base+0(FP), BASE
	MOVQ rows+8(FP), TAPS
	MOVQ nrows+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	MOVQ cbytes+64(FP), CS
	MOVQ ostride+40(FP), OSTR
	MOVQ out+56(FP), OUT
	VBROADCASTSS lo+72(FP), Z30
	VBROADCASTSS hi+76(FP), Z31

dwf32r1_tile8:
	CMPQ NPIX, $8
	JLT  dwf32r1_tile7

dwf32r1_run8:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r1_block8:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ TAPS, TP

dwf32r1_row8:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..8 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z15
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z16
	VMOVUPS.Z (DI)(CS*1), K1, Z17
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	VFMADD231PS Z12, Z25, Z4
	VFMADD231PS Z13, Z26, Z4
	VFMADD231PS Z14, Z27, Z4
	VFMADD231PS Z13, Z25, Z5
	VFMADD231PS Z14, Z26, Z5
	VFMADD231PS Z15, Z27, Z5
	VFMADD231PS Z14, Z25, Z6
	VFMADD231PS Z15, Z26, Z6
	VFMADD231PS Z16, Z27, Z6
	VFMADD231PS Z15, Z25, Z7
	VFMADD231PS Z16, Z26, Z7
	VFMADD231PS Z17, Z27, Z7
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r1_row8
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	EPI_Z(Z7, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	F32_STORE_Z(Z6, (AX)(OSTR*2))
	F32_STORE_Z(Z7, (AX)(TP*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r1_block8
	LEAQ (BASE)(PSTR*8), BASE
	LEAQ (OUT)(OSTR*8), OUT
	SUBQ $8, NPIX
	JMP  dwf32r1_tile8

dwf32r1_tile7:
	CMPQ NPIX, $7
	JLT  dwf32r1_tile6

dwf32r1_run7:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r1_block7:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	MOVQ TAPS, TP

dwf32r1_row7:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..7 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z15
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z16
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	VFMADD231PS Z12, Z25, Z4
	VFMADD231PS Z13, Z26, Z4
	VFMADD231PS Z14, Z27, Z4
	VFMADD231PS Z13, Z25, Z5
	VFMADD231PS Z14, Z26, Z5
	VFMADD231PS Z15, Z27, Z5
	VFMADD231PS Z14, Z25, Z6
	VFMADD231PS Z15, Z26, Z6
	VFMADD231PS Z16, Z27, Z6
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r1_row7
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	F32_STORE_Z(Z6, (AX)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r1_block7
	JMP  dwf32r1_done // the remainder was exactly 7

dwf32r1_tile6:
	CMPQ NPIX, $6
	JLT  dwf32r1_tile5

dwf32r1_run6:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r1_block6:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	MOVQ TAPS, TP

dwf32r1_row6:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..6 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z15
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	VFMADD231PS Z12, Z25, Z4
	VFMADD231PS Z13, Z26, Z4
	VFMADD231PS Z14, Z27, Z4
	VFMADD231PS Z13, Z25, Z5
	VFMADD231PS Z14, Z26, Z5
	VFMADD231PS Z15, Z27, Z5
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r1_row6
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r1_block6
	JMP  dwf32r1_done // the remainder was exactly 6

dwf32r1_tile5:
	CMPQ NPIX, $5
	JLT  dwf32r1_tile4

dwf32r1_run5:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r1_block5:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	MOVQ TAPS, TP

dwf32r1_row5:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..5 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	VFMADD231PS Z12, Z25, Z4
	VFMADD231PS Z13, Z26, Z4
	VFMADD231PS Z14, Z27, Z4
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r1_row5
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r1_block5
	JMP  dwf32r1_done // the remainder was exactly 5

dwf32r1_tile4:
	CMPQ NPIX, $4
	JLT  dwf32r1_tile3

dwf32r1_run4:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r1_block4:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ TAPS, TP

dwf32r1_row4:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..4 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r1_row4
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r1_block4
	JMP  dwf32r1_done // the remainder was exactly 4

dwf32r1_tile3:
	CMPQ NPIX, $3
	JLT  dwf32r1_tile2

dwf32r1_run3:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r1_block3:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	MOVQ TAPS, TP

dwf32r1_row3:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..3 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r1_row3
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r1_block3
	JMP  dwf32r1_done // the remainder was exactly 3

dwf32r1_tile2:
	CMPQ NPIX, $2
	JLT  dwf32r1_tile1

dwf32r1_run2:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r1_block2:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ TAPS, TP

dwf32r1_row2:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..2 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r1_row2
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r1_block2
	JMP  dwf32r1_done // the remainder was exactly 2

dwf32r1_tile1:
	CMPQ NPIX, $1
	JLT  dwf32r1_done

dwf32r1_run1:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r1_block1:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	MOVQ TAPS, TP

dwf32r1_row1:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..1 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r1_row1
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r1_block1
	JMP  dwf32r1_done // the remainder was exactly 1

dwf32r1_done:
	VZEROUPPER
	RET

// func dwF32RowS2AVX512(base *float32, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *float32, cbytes int, lo, hi float32)
TEXT ·dwF32RowS2AVX512(SB), NOSPLIT, $0-80
	MOVQ cbytes+64(FP), CX
	SHRQ $2, CX
	DECQ CX
	ANDQ $15, CX
	NEGQ CX
	ADDQ $15, CX
	MOVL $0xffff, AX
	SHRL CX, AX
	KMOVW AX, K2
	MOVL $0xffff, AX
	KMOVW AX, K3
	MOVQ base+0(FP), BASE
	MOVQ rows+8(FP), TAPS
	MOVQ nrows+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	MOVQ cbytes+64(FP), CS
	MOVQ ostride+40(FP), OSTR
	MOVQ out+56(FP), OUT
	VBROADCASTSS lo+72(FP), Z30
	VBROADCASTSS hi+76(FP), Z31

dwf32r2_tile8:
	CMPQ NPIX, $8
	JLT  dwf32r2_tile7

dwf32r2_run8:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r2_block8:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ TAPS, TP

dwf32r2_row8:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..15 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z15
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z16
	VMOVUPS.Z (DI)(CS*1), K1, Z17
	VMOVUPS.Z (DI)(CS*2), K1, Z18
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z19
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z20
	VMOVUPS.Z (DI)(CS*1), K1, Z21
	VMOVUPS.Z (DI)(CS*2), K1, Z22
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z23
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z24
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	VFMADD231PS Z16, Z25, Z4
	VFMADD231PS Z17, Z26, Z4
	VFMADD231PS Z18, Z27, Z4
	VFMADD231PS Z18, Z25, Z5
	VFMADD231PS Z19, Z26, Z5
	VFMADD231PS Z20, Z27, Z5
	VFMADD231PS Z20, Z25, Z6
	VFMADD231PS Z21, Z26, Z6
	VFMADD231PS Z22, Z27, Z6
	VFMADD231PS Z22, Z25, Z7
	VFMADD231PS Z23, Z26, Z7
	VFMADD231PS Z24, Z27, Z7
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r2_row8
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	EPI_Z(Z7, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	F32_STORE_Z(Z6, (AX)(OSTR*2))
	F32_STORE_Z(Z7, (AX)(TP*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r2_block8
	LEAQ (BASE)(PSTR*8), BASE
	LEAQ (OUT)(OSTR*8), OUT
	SUBQ $8, NPIX
	JMP  dwf32r2_tile8

dwf32r2_tile7:
	CMPQ NPIX, $7
	JLT  dwf32r2_tile6

dwf32r2_run7:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r2_block7:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	MOVQ TAPS, TP

dwf32r2_row7:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..13 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z15
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z16
	VMOVUPS.Z (DI)(CS*1), K1, Z17
	VMOVUPS.Z (DI)(CS*2), K1, Z18
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z19
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z20
	VMOVUPS.Z (DI)(CS*1), K1, Z21
	VMOVUPS.Z (DI)(CS*2), K1, Z22
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	VFMADD231PS Z16, Z25, Z4
	VFMADD231PS Z17, Z26, Z4
	VFMADD231PS Z18, Z27, Z4
	VFMADD231PS Z18, Z25, Z5
	VFMADD231PS Z19, Z26, Z5
	VFMADD231PS Z20, Z27, Z5
	VFMADD231PS Z20, Z25, Z6
	VFMADD231PS Z21, Z26, Z6
	VFMADD231PS Z22, Z27, Z6
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r2_row7
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	F32_STORE_Z(Z6, (AX)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r2_block7
	JMP  dwf32r2_done // the remainder was exactly 7

dwf32r2_tile6:
	CMPQ NPIX, $6
	JLT  dwf32r2_tile5

dwf32r2_run6:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r2_block6:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	MOVQ TAPS, TP

dwf32r2_row6:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..11 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z15
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z16
	VMOVUPS.Z (DI)(CS*1), K1, Z17
	VMOVUPS.Z (DI)(CS*2), K1, Z18
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z19
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z20
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	VFMADD231PS Z16, Z25, Z4
	VFMADD231PS Z17, Z26, Z4
	VFMADD231PS Z18, Z27, Z4
	VFMADD231PS Z18, Z25, Z5
	VFMADD231PS Z19, Z26, Z5
	VFMADD231PS Z20, Z27, Z5
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r2_row6
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	F32_STORE_Z(Z5, (AX)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r2_block6
	JMP  dwf32r2_done // the remainder was exactly 6

dwf32r2_tile5:
	CMPQ NPIX, $5
	JLT  dwf32r2_tile4

dwf32r2_run5:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r2_block5:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	MOVQ TAPS, TP

dwf32r2_row5:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..9 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z15
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z16
	VMOVUPS.Z (DI)(CS*1), K1, Z17
	VMOVUPS.Z (DI)(CS*2), K1, Z18
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	VFMADD231PS Z16, Z25, Z4
	VFMADD231PS Z17, Z26, Z4
	VFMADD231PS Z18, Z27, Z4
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r2_row5
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	F32_STORE_Z(Z4, (AX))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r2_block5
	JMP  dwf32r2_done // the remainder was exactly 5

dwf32r2_tile4:
	CMPQ NPIX, $4
	JLT  dwf32r2_tile3

dwf32r2_run4:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r2_block4:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ TAPS, TP

dwf32r2_row4:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..7 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z15
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z16
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r2_row4
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (OSTR)(OSTR*2), TP
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	F32_STORE_Z(Z3, (DI)(TP*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r2_block4
	JMP  dwf32r2_done // the remainder was exactly 4

dwf32r2_tile3:
	CMPQ NPIX, $3
	JLT  dwf32r2_tile2

dwf32r2_run3:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r2_block3:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	MOVQ TAPS, TP

dwf32r2_row3:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..5 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	VMOVUPS.Z (DI)(CS*1), K1, Z13
	VMOVUPS.Z (DI)(CS*2), K1, Z14
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r2_row3
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	F32_STORE_Z(Z2, (DI)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r2_block3
	JMP  dwf32r2_done // the remainder was exactly 3

dwf32r2_tile2:
	CMPQ NPIX, $2
	JLT  dwf32r2_tile1

dwf32r2_run2:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r2_block2:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ TAPS, TP

dwf32r2_row2:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..3 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	LEAQ (DI)(CS*2), AX
	VMOVUPS.Z (AX)(CS*1), K1, Z11
	LEAQ (DI)(CS*4), DI
	VMOVUPS.Z (DI), K1, Z12
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r2_row2
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	F32_STORE_Z(Z1, (DI)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r2_block2
	JMP  dwf32r2_done // the remainder was exactly 2

dwf32r2_tile1:
	CMPQ NPIX, $1
	JLT  dwf32r2_done

dwf32r2_run1:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf32r2_block1:
	KMOVW K3, K1
	LEAQ 64(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	MOVQ TAPS, TP

dwf32r2_row1:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..1 of this kernel row
	VMOVUPS.Z (DI), K1, Z8
	VMOVUPS.Z (DI)(CS*1), K1, Z9
	VMOVUPS.Z (DI)(CS*2), K1, Z10
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf32r2_row1
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	LEAQ (OUT)(CB*1), DI
	F32_STORE_Z(Z0, (DI))
	ADDQ $704, WBLK
	ADDQ $64, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf32r2_block1
	JMP  dwf32r2_done // the remainder was exactly 1

dwf32r2_done:
	VZEROUPPER
	RET

// func dwF16RowS1AVX512(base *uint16, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *uint16, cbytes int, lo, hi float32)
TEXT ·dwF16RowS1AVX512(SB), NOSPLIT, $0-80
	MOVQ cbytes+64(FP), CX
	SHRQ $1, CX
	DECQ CX
	ANDQ $15, CX
	NEGQ CX
	ADDQ $15, CX
	MOVL $0xffff, AX
	SHRL CX, AX
	KMOVW AX, K2
	MOVL $0xffff, AX
	KMOVW AX, K3
	MOVQ base+0(FP), BASE
	MOVQ rows+8(FP), TAPS
	MOVQ nrows+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	MOVQ cbytes+64(FP), CS
	MOVQ ostride+40(FP), OSTR
	MOVQ out+56(FP), OUT
	VBROADCASTSS lo+72(FP), Z30
	VBROADCASTSS hi+76(FP), Z31

dwf16r1_tile8:
	CMPQ NPIX, $8
	JLT  dwf16r1_tile7

dwf16r1_run8:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r1_block8:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ TAPS, TP

dwf16r1_row8:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..8 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y15
	VCVTPH2PS Y15, Z15
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y16
	VCVTPH2PS Y16, Z16
	VMOVDQU16.Z (DI)(CS*1), K1, Y17
	VCVTPH2PS Y17, Z17
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	VFMADD231PS Z12, Z25, Z4
	VFMADD231PS Z13, Z26, Z4
	VFMADD231PS Z14, Z27, Z4
	VFMADD231PS Z13, Z25, Z5
	VFMADD231PS Z14, Z26, Z5
	VFMADD231PS Z15, Z27, Z5
	VFMADD231PS Z14, Z25, Z6
	VFMADD231PS Z15, Z26, Z6
	VFMADD231PS Z16, Z27, Z6
	VFMADD231PS Z15, Z25, Z7
	VFMADD231PS Z16, Z26, Z7
	VFMADD231PS Z17, Z27, Z7
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r1_row8
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	EPI_Z(Z7, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	F16_STORE_Z(Z6, (AX)(OSTR*2))
	F16_STORE_Z(Z7, (AX)(TP*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r1_block8
	LEAQ (BASE)(PSTR*8), BASE
	LEAQ (OUT)(OSTR*8), OUT
	SUBQ $8, NPIX
	JMP  dwf16r1_tile8

dwf16r1_tile7:
	CMPQ NPIX, $7
	JLT  dwf16r1_tile6

dwf16r1_run7:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r1_block7:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	MOVQ TAPS, TP

dwf16r1_row7:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..7 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y15
	VCVTPH2PS Y15, Z15
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y16
	VCVTPH2PS Y16, Z16
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	VFMADD231PS Z12, Z25, Z4
	VFMADD231PS Z13, Z26, Z4
	VFMADD231PS Z14, Z27, Z4
	VFMADD231PS Z13, Z25, Z5
	VFMADD231PS Z14, Z26, Z5
	VFMADD231PS Z15, Z27, Z5
	VFMADD231PS Z14, Z25, Z6
	VFMADD231PS Z15, Z26, Z6
	VFMADD231PS Z16, Z27, Z6
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r1_row7
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	F16_STORE_Z(Z6, (AX)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r1_block7
	JMP  dwf16r1_done // the remainder was exactly 7

dwf16r1_tile6:
	CMPQ NPIX, $6
	JLT  dwf16r1_tile5

dwf16r1_run6:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r1_block6:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	MOVQ TAPS, TP

dwf16r1_row6:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..6 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y15
	VCVTPH2PS Y15, Z15
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	VFMADD231PS Z12, Z25, Z4
	VFMADD231PS Z13, Z26, Z4
	VFMADD231PS Z14, Z27, Z4
	VFMADD231PS Z13, Z25, Z5
	VFMADD231PS Z14, Z26, Z5
	VFMADD231PS Z15, Z27, Z5
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r1_row6
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r1_block6
	JMP  dwf16r1_done // the remainder was exactly 6

dwf16r1_tile5:
	CMPQ NPIX, $5
	JLT  dwf16r1_tile4

dwf16r1_run5:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r1_block5:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	MOVQ TAPS, TP

dwf16r1_row5:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..5 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	VFMADD231PS Z12, Z25, Z4
	VFMADD231PS Z13, Z26, Z4
	VFMADD231PS Z14, Z27, Z4
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r1_row5
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r1_block5
	JMP  dwf16r1_done // the remainder was exactly 5

dwf16r1_tile4:
	CMPQ NPIX, $4
	JLT  dwf16r1_tile3

dwf16r1_run4:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r1_block4:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ TAPS, TP

dwf16r1_row4:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..4 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	VFMADD231PS Z11, Z25, Z3
	VFMADD231PS Z12, Z26, Z3
	VFMADD231PS Z13, Z27, Z3
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r1_row4
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r1_block4
	JMP  dwf16r1_done // the remainder was exactly 4

dwf16r1_tile3:
	CMPQ NPIX, $3
	JLT  dwf16r1_tile2

dwf16r1_run3:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r1_block3:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	MOVQ TAPS, TP

dwf16r1_row3:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..3 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	VFMADD231PS Z10, Z25, Z2
	VFMADD231PS Z11, Z26, Z2
	VFMADD231PS Z12, Z27, Z2
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r1_row3
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r1_block3
	JMP  dwf16r1_done // the remainder was exactly 3

dwf16r1_tile2:
	CMPQ NPIX, $2
	JLT  dwf16r1_tile1

dwf16r1_run2:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r1_block2:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ TAPS, TP

dwf16r1_row2:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..2 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z9, Z25, Z1
	VFMADD231PS Z10, Z26, Z1
	VFMADD231PS Z11, Z27, Z1
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r1_row2
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r1_block2
	JMP  dwf16r1_done // the remainder was exactly 2

dwf16r1_tile1:
	CMPQ NPIX, $1
	JLT  dwf16r1_done

dwf16r1_run1:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r1_block1:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	MOVQ TAPS, TP

dwf16r1_row1:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..1 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r1_row1
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r1_block1
	JMP  dwf16r1_done // the remainder was exactly 1

dwf16r1_done:
	VZEROUPPER
	RET

// func dwF16RowS2AVX512(base *uint16, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *uint16, cbytes int, lo, hi float32)
TEXT ·dwF16RowS2AVX512(SB), NOSPLIT, $0-80
	MOVQ cbytes+64(FP), CX
	SHRQ $1, CX
	DECQ CX
	ANDQ $15, CX
	NEGQ CX
	ADDQ $15, CX
	MOVL $0xffff, AX
	SHRL CX, AX
	KMOVW AX, K2
	MOVL $0xffff, AX
	KMOVW AX, K3
	MOVQ base+0(FP), BASE
	MOVQ rows+8(FP), TAPS
	MOVQ nrows+16(FP), TEND
	SHLQ $4, TEND
	ADDQ TAPS, TEND
	MOVQ npix+24(FP), NPIX
	MOVQ pstride+32(FP), PSTR
	MOVQ cbytes+64(FP), CS
	MOVQ ostride+40(FP), OSTR
	MOVQ out+56(FP), OUT
	VBROADCASTSS lo+72(FP), Z30
	VBROADCASTSS hi+76(FP), Z31

dwf16r2_tile8:
	CMPQ NPIX, $8
	JLT  dwf16r2_tile7

dwf16r2_run8:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r2_block8:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ TAPS, TP

dwf16r2_row8:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..15 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y15
	VCVTPH2PS Y15, Z15
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y16
	VCVTPH2PS Y16, Z16
	VMOVDQU16.Z (DI)(CS*1), K1, Y17
	VCVTPH2PS Y17, Z17
	VMOVDQU16.Z (DI)(CS*2), K1, Y18
	VCVTPH2PS Y18, Z18
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y19
	VCVTPH2PS Y19, Z19
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y20
	VCVTPH2PS Y20, Z20
	VMOVDQU16.Z (DI)(CS*1), K1, Y21
	VCVTPH2PS Y21, Z21
	VMOVDQU16.Z (DI)(CS*2), K1, Y22
	VCVTPH2PS Y22, Z22
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y23
	VCVTPH2PS Y23, Z23
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y24
	VCVTPH2PS Y24, Z24
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	VFMADD231PS Z16, Z25, Z4
	VFMADD231PS Z17, Z26, Z4
	VFMADD231PS Z18, Z27, Z4
	VFMADD231PS Z18, Z25, Z5
	VFMADD231PS Z19, Z26, Z5
	VFMADD231PS Z20, Z27, Z5
	VFMADD231PS Z20, Z25, Z6
	VFMADD231PS Z21, Z26, Z6
	VFMADD231PS Z22, Z27, Z6
	VFMADD231PS Z22, Z25, Z7
	VFMADD231PS Z23, Z26, Z7
	VFMADD231PS Z24, Z27, Z7
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r2_row8
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	EPI_Z(Z7, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	F16_STORE_Z(Z6, (AX)(OSTR*2))
	F16_STORE_Z(Z7, (AX)(TP*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r2_block8
	LEAQ (BASE)(PSTR*8), BASE
	LEAQ (OUT)(OSTR*8), OUT
	SUBQ $8, NPIX
	JMP  dwf16r2_tile8

dwf16r2_tile7:
	CMPQ NPIX, $7
	JLT  dwf16r2_tile6

dwf16r2_run7:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r2_block7:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	MOVQ TAPS, TP

dwf16r2_row7:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..13 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y15
	VCVTPH2PS Y15, Z15
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y16
	VCVTPH2PS Y16, Z16
	VMOVDQU16.Z (DI)(CS*1), K1, Y17
	VCVTPH2PS Y17, Z17
	VMOVDQU16.Z (DI)(CS*2), K1, Y18
	VCVTPH2PS Y18, Z18
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y19
	VCVTPH2PS Y19, Z19
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y20
	VCVTPH2PS Y20, Z20
	VMOVDQU16.Z (DI)(CS*1), K1, Y21
	VCVTPH2PS Y21, Z21
	VMOVDQU16.Z (DI)(CS*2), K1, Y22
	VCVTPH2PS Y22, Z22
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	VFMADD231PS Z16, Z25, Z4
	VFMADD231PS Z17, Z26, Z4
	VFMADD231PS Z18, Z27, Z4
	VFMADD231PS Z18, Z25, Z5
	VFMADD231PS Z19, Z26, Z5
	VFMADD231PS Z20, Z27, Z5
	VFMADD231PS Z20, Z25, Z6
	VFMADD231PS Z21, Z26, Z6
	VFMADD231PS Z22, Z27, Z6
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r2_row7
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	EPI_Z(Z6, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	F16_STORE_Z(Z6, (AX)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r2_block7
	JMP  dwf16r2_done // the remainder was exactly 7

dwf16r2_tile6:
	CMPQ NPIX, $6
	JLT  dwf16r2_tile5

dwf16r2_run6:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r2_block6:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	MOVQ TAPS, TP

dwf16r2_row6:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..11 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y15
	VCVTPH2PS Y15, Z15
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y16
	VCVTPH2PS Y16, Z16
	VMOVDQU16.Z (DI)(CS*1), K1, Y17
	VCVTPH2PS Y17, Z17
	VMOVDQU16.Z (DI)(CS*2), K1, Y18
	VCVTPH2PS Y18, Z18
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y19
	VCVTPH2PS Y19, Z19
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y20
	VCVTPH2PS Y20, Z20
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	VFMADD231PS Z16, Z25, Z4
	VFMADD231PS Z17, Z26, Z4
	VFMADD231PS Z18, Z27, Z4
	VFMADD231PS Z18, Z25, Z5
	VFMADD231PS Z19, Z26, Z5
	VFMADD231PS Z20, Z27, Z5
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r2_row6
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	EPI_Z(Z5, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	F16_STORE_Z(Z5, (AX)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r2_block6
	JMP  dwf16r2_done // the remainder was exactly 6

dwf16r2_tile5:
	CMPQ NPIX, $5
	JLT  dwf16r2_tile4

dwf16r2_run5:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r2_block5:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	MOVQ TAPS, TP

dwf16r2_row5:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..9 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y15
	VCVTPH2PS Y15, Z15
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y16
	VCVTPH2PS Y16, Z16
	VMOVDQU16.Z (DI)(CS*1), K1, Y17
	VCVTPH2PS Y17, Z17
	VMOVDQU16.Z (DI)(CS*2), K1, Y18
	VCVTPH2PS Y18, Z18
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	VFMADD231PS Z16, Z25, Z4
	VFMADD231PS Z17, Z26, Z4
	VFMADD231PS Z18, Z27, Z4
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r2_row5
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	EPI_Z(Z4, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (DI)(OSTR*4), AX
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	F16_STORE_Z(Z4, (AX))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r2_block5
	JMP  dwf16r2_done // the remainder was exactly 5

dwf16r2_tile4:
	CMPQ NPIX, $4
	JLT  dwf16r2_tile3

dwf16r2_run4:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r2_block4:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ TAPS, TP

dwf16r2_row4:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..7 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y15
	VCVTPH2PS Y15, Z15
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y16
	VCVTPH2PS Y16, Z16
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	VFMADD231PS Z14, Z25, Z3
	VFMADD231PS Z15, Z26, Z3
	VFMADD231PS Z16, Z27, Z3
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r2_row4
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	EPI_Z(Z3, 640)
	LEAQ (OUT)(CB*1), DI
	LEAQ (OSTR)(OSTR*2), TP
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	F16_STORE_Z(Z3, (DI)(TP*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r2_block4
	JMP  dwf16r2_done // the remainder was exactly 4

dwf16r2_tile3:
	CMPQ NPIX, $3
	JLT  dwf16r2_tile2

dwf16r2_run3:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r2_block3:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	MOVQ TAPS, TP

dwf16r2_row3:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..5 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	VMOVDQU16.Z (DI)(CS*1), K1, Y13
	VCVTPH2PS Y13, Z13
	VMOVDQU16.Z (DI)(CS*2), K1, Y14
	VCVTPH2PS Y14, Z14
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	VFMADD231PS Z12, Z25, Z2
	VFMADD231PS Z13, Z26, Z2
	VFMADD231PS Z14, Z27, Z2
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r2_row3
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	EPI_Z(Z2, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	F16_STORE_Z(Z2, (DI)(OSTR*2))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r2_block3
	JMP  dwf16r2_done // the remainder was exactly 3

dwf16r2_tile2:
	CMPQ NPIX, $2
	JLT  dwf16r2_tile1

dwf16r2_run2:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r2_block2:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ TAPS, TP

dwf16r2_row2:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..3 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	LEAQ (DI)(CS*2), AX
	VMOVDQU16.Z (AX)(CS*1), K1, Y11
	VCVTPH2PS Y11, Z11
	LEAQ (DI)(CS*4), DI
	VMOVDQU16.Z (DI), K1, Y12
	VCVTPH2PS Y12, Z12
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	VFMADD231PS Z10, Z25, Z1
	VFMADD231PS Z11, Z26, Z1
	VFMADD231PS Z12, Z27, Z1
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r2_row2
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	EPI_Z(Z1, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	F16_STORE_Z(Z1, (DI)(OSTR*1))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r2_block2
	JMP  dwf16r2_done // the remainder was exactly 2

dwf16r2_tile1:
	CMPQ NPIX, $1
	JLT  dwf16r2_done

dwf16r2_run1:
	MOVQ w+48(FP), WBLK
	XORQ CB, CB

dwf16r2_block1:
	KMOVW K3, K1
	LEAQ 32(CB), AX
	CMPQ AX, cbytes+64(FP)
	JLT  2(PC)
	KMOVW K2, K1
	VPXORD Z0, Z0, Z0
	MOVQ TAPS, TP

dwf16r2_row1:
	MOVQ (TP), DI
	MOVQ 8(TP), AX
	VMOVUPS (WBLK)(AX*1), Z25
	VMOVUPS 64(WBLK)(AX*1), Z26
	VMOVUPS 128(WBLK)(AX*1), Z27
	ADDQ BASE, DI
	ADDQ CB, DI
	// columns -1..1 of this kernel row
	VMOVDQU16.Z (DI), K1, Y8
	VCVTPH2PS Y8, Z8
	VMOVDQU16.Z (DI)(CS*1), K1, Y9
	VCVTPH2PS Y9, Z9
	VMOVDQU16.Z (DI)(CS*2), K1, Y10
	VCVTPH2PS Y10, Z10
	// acc[p] += col[p*s+kx] * w[kx]
	VFMADD231PS Z8, Z25, Z0
	VFMADD231PS Z9, Z26, Z0
	VFMADD231PS Z10, Z27, Z0
	ADDQ $16, TP
	CMPQ TP, TEND
	JLT  dwf16r2_row1
	VMOVUPS 576(WBLK), Z8
	EPI_Z(Z0, 640)
	LEAQ (OUT)(CB*1), DI
	F16_STORE_Z(Z0, (DI))
	ADDQ $704, WBLK
	ADDQ $32, CB
	CMPQ CB, cbytes+64(FP)
	JLT  dwf16r2_block1
	JMP  dwf16r2_done // the remainder was exactly 1

dwf16r2_done:
	VZEROUPPER
	RET
