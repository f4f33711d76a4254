# Generates kernels/dw_amd64.s: python3 internal/dwgen/dw_gen.py [OUT] (default kernels/dw_amd64.s).
import sys
OUT = sys.argv[1] if len(sys.argv) > 1 else "kernels/dw_amd64.s"
out = []
def w(s=""): out.append(s)

w('''//go:build gc && !purego

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
''')

in_addr = ["(DI)", "(DI)(PSTR*1)", "(DI)(PSTR*2)", "(DI)(PST3*1)", "(AX)", "(AX)(PSTR*1)", "(AX)(PSTR*2)", "(AX)(PST3*1)"]
out_addr = ["(DI)", "(DI)(OSTR*1)", "(DI)(OSTR*2)", "(DI)(TP*1)", "(AX)", "(AX)(OSTR*1)", "(AX)(OSTR*2)", "(AX)(TP*1)"]

def tile_exact(P, T, top):
    # full tiles of `top` pixels loop; a smaller tier runs once, for exactly
    # the pixels left
    if T == top:
        w(f"\tLEAQ (BASE)(PSTR*{T}), BASE\n\tLEAQ (OUT)(OSTR*{T}), OUT\n\tSUBQ ${T}, NPIX\n\tJMP  {P}_tile{T}")
    else:
        w(f"\tJMP  {P}_done // the remainder was exactly {T}")

# ------------------------------------------------------------------ float
def float_kernel(name, P, zmm, half):
    V = "Z" if zmm else "Y"
    es = 2 if half else 4
    lanes = 16 if zmm else 8
    cbstep = lanes * es
    blk = 11 * lanes * 4
    soff, boff = 9 * lanes * 4, 10 * lanes * 4
    lo, hi = ("Z30", "Z31") if zmm else ("Y14", "Y15")
    ty = "uint16" if half else "float32"
    w(f"\n// func {name}(base *{ty}, taps *dwTap, ntaps, npix, pstride, ostride int, w *float32, out *{ty}, cbytes int, lo, hi float32)")
    w(f"TEXT ·{name}(SB), NOSPLIT, $0-80")
    if zmm:
        w(f"\t// K2 = mask of the last block: 0xffff >> (15 - (c-1)%16), c = cbytes/{es}")
        w(f"\tMOVQ cbytes+64(FP), CX\n\tSHRQ ${es.bit_length()-1}, CX\n\tDECQ CX\n\tANDQ $15, CX\n\tNEGQ CX\n\tADDQ $15, CX\n\tMOVL $0xffff, AX\n\tSHRL CX, AX\n\tKMOVW AX, K2\n\tMOVL $0xffff, AX\n\tKMOVW AX, K3")
    w(f"\tMOVQ base+0(FP), BASE\n\tMOVQ taps+8(FP), TAPS\n\tMOVQ ntaps+16(FP), TEND\n\tSHLQ $4, TEND\n\tADDQ TAPS, TEND\n\tMOVQ npix+24(FP), NPIX\n\tMOVQ pstride+32(FP), PSTR\n\tLEAQ (PSTR)(PSTR*2), PST3\n\tMOVQ ostride+40(FP), OSTR\n\tMOVQ out+56(FP), OUT")
    w(f"\tVBROADCASTSS lo+72(FP), {lo}\n\tVBROADCASTSS hi+76(FP), {hi}")
    tiers = [8, 7, 6, 5, 4, 3, 2, 1] # 8s, then the exact remainder
    for ti, T in enumerate(tiers):
        nxt = f"{P}_tile{tiers[ti+1]}" if T > 1 else f"{P}_done"
        w(f"\n{P}_tile{T}:\n\tCMPQ NPIX, ${T}\n\tJLT  {nxt}\n\n{P}_run{T}:\n\tMOVQ w+48(FP), WBLK\n\tXORQ CB, CB\n\n{P}_block{T}:")
        if zmm:
            w(f"\t// K1 = full, or the tail mask for the last block\n\tKMOVW K3, K1\n\tLEAQ {cbstep}(CB), AX\n\tCMPQ AX, cbytes+64(FP)\n\tJLT  2(PC)\n\tKMOVW K2, K1")
        for p in range(T):
            w(f"\tVXORPS {V}{p}, {V}{p}, {V}{p}" if not zmm else f"\tVPXORD Z{p}, Z{p}, Z{p}")
        w(f"\tMOVQ TAPS, TP\n\n{P}_tap{T}:")
        w(f"\t// acc[p] += in[p][tap] * w[tap] for the tile's pixels")
        w(f"\tMOVQ (TP), DI\n\tMOVQ 8(TP), AX\n\tVMOVUPS (WBLK)(AX*1), {V}8\n\tADDQ BASE, DI\n\tADDQ CB, DI")
        if T > 4:
            w("\tLEAQ (DI)(PSTR*4), AX")
        for p in range(T):
            w(f"\t{'F16_FMA' if half else 'F32_FMA'}_{V}({in_addr[p]}, {V}{p})")
        w(f"\tADDQ $16, TP\n\tCMPQ TP, TEND\n\tJLT  {P}_tap{T}")
        w(f"\t// out = min(max(acc*scale + bias, lo), hi)\n\tVMOVUPS {soff}(WBLK), {V}8")
        for p in range(T):
            w(f"\tEPI_{V}({V}{p}, {boff})")
        w("\tLEAQ (OUT)(CB*1), DI")
        if T > 4:
            w("\tLEAQ (DI)(OSTR*4), AX")
        if T >= 4:
            w("\tLEAQ (OSTR)(OSTR*2), TP")
        for p in range(T):
            w(f"\t{'F16_STORE' if half else 'F32_STORE'}_{V}({V}{p}, {out_addr[p]})")
        w(f"\tADDQ ${blk}, WBLK\n\tADDQ ${cbstep}, CB\n\tCMPQ CB, cbytes+64(FP)\n\tJLT  {P}_block{T}")
        tile_exact(P, T, 8)
    w(f"\n{P}_done:\n\tVZEROUPPER\n\tRET")

w('''
// ---------------------------------------------------------------- float

// AVX-512: blocks of 16 channels, 704 packed bytes (9 taps x 64, scale at
// 576, bias at 640); K1 masks the channel tail (K2 the tail mask, K3 full).
// AVX2: blocks of 8 channels, 352 bytes (scale at 288, bias at 320); Go
// does the channels past cbytes. Accumulators Z0..Z7 / Y0..Y7, weight in
// register 8, scratch 9; lo, hi in Z30, Z31 / Y14, Y15.

// acc += in * w
#define F32_FMA_Z(addr, acc) \\
	VFMADD231PS addr, Z8, K1, acc

#define F16_FMA_Z(addr, acc) \\
	VMOVDQU16.Z addr, K1, Y9 \\
	VCVTPH2PS Y9, Z9 \\
	VFMADD231PS Z9, Z8, acc

#define F32_FMA_Y(addr, acc) \\
	VFMADD231PS addr, Y8, acc

#define F16_FMA_Y(addr, acc) \\
	VCVTPH2PS addr, Y9 \\
	VFMADD231PS Y9, Y8, acc

// y = min(max(acc*scale + bias, lo), hi), scale in register 8
#define EPI_Z(acc, bias) \\
	VFMADD213PS bias(WBLK), Z8, acc \\
	VMAXPS Z30, acc, acc \\
	VMINPS Z31, acc, acc

#define EPI_Y(acc, bias) \\
	VFMADD213PS bias(WBLK), Y8, acc \\
	VMAXPS Y14, acc, acc \\
	VMINPS Y15, acc, acc

#define F32_STORE_Z(acc, addr) \\
	VMOVUPS acc, K1, addr

#define F16_STORE_Z(acc, addr) \\
	VCVTPS2PH $0, acc, Y9 \\
	VMOVDQU16 Y9, K1, addr

#define F32_STORE_Y(acc, addr) \\
	VMOVUPS acc, addr

#define F16_STORE_Y(acc, addr) \\
	VCVTPS2PH $0, acc, X9 \\
	VMOVDQU X9, addr''')

float_kernel("dwF32AVX512", "dwf32z", True, False)
float_kernel("dwF16AVX512", "dwf16z", True, True)
float_kernel("dwF32AVX2", "dwf32y", False, False)
float_kernel("dwF16AVX2", "dwf16y", False, True)

# ------------------------------------------------------------------ integer AVX-512
w('''
// ---------------------------------------------------------------- integer AVX-512 (VNNI)

// Blocks of 64 channels: one masked 64-byte load per pixel and tap, and per
// tap four weight vectors Z16..Z19 (vector k holds channel 4j+k's weight in
// byte 4j+k, zeros elsewhere), so accumulator k gets channel 4j+k in dword
// j. Accumulators of pixel p: Z(4p)..Z(4p+3). The zero point is in the
// initial accumulators (corr). Constants: Z22 words of 1, Z23 lo, Z24 hi,
// Z25 1/out scale, Z26 out zero, Z29 the byte transpose, Z30 lo', Z31 hi'. K1 block
// mask, K2 tail mask, K3 full, K4..K7 the 16-lane quarters of K1.

// acc[k] += a . W[k] (VNNI: 4 byte products per dword, 3 of them zero)
#define DOT_VNNI(a, c0, c1, c2, c3) \\
	VPDPBUSD Z16, a, c0 \\
	VPDPBUSD Z17, a, c1 \\
	VPDPBUSD Z18, a, c2 \\
	VPDPBUSD Z19, a, c3

// The same without VNNI: u8 x s8 pairs to int16 (one product is zero, so
// no saturation), pairs of int16 to int32, add.
#define DOT_BW(a, c0, c1, c2, c3) \\
	VPMADDUBSW Z16, a, Z21 \\
	VPMADDWD   Z22, Z21, Z21 \\
	VPADDD     Z21, c0, c0 \\
	VPMADDUBSW Z17, a, Z21 \\
	VPMADDWD   Z22, Z21, Z21 \\
	VPADDD     Z21, c1, c1 \\
	VPMADDUBSW Z18, a, Z21 \\
	VPMADDWD   Z22, Z21, Z21 \\
	VPADDD     Z21, c2, c2 \\
	VPMADDUBSW Z19, a, Z21 \\
	VPMADDWD   Z22, Z21, Z21 \\
	VPADDD     Z21, c3, c3

// y = min(max(float32(acc)*s + bias, lo), hi); s at (AX), bias at (DI).
#define QEPI(z, off) \\
	VCVTDQ2PS z, z \\
	VMULPS off(AX), z, z \\
	VADDPS off(DI), z, z \\
	VMAXPS Z23, z, z \\
	VMINPS Z24, z, z

#define QEPI4(c0, c1, c2, c3) \\
	QEPI(c0, 0) \\
	QEPI(c1, 64) \\
	QEPI(c2, 128) \\
	QEPI(c3, 192)

// uint8 output: q = int32(roundEven(min(max(t, lo'), hi'))) with
// t = float32(y*invOut) + zero. t(y) is monotonic, so clamping t at lo' =
// t(lo) and hi' = min(t(hi), 255) equals clamping y at lo, hi first and t
// at 255 after (bit for bit); the clamp at 0 is the saturation of the packs
// (a negative t, or one out of int32 range, converts to a negative int32).
#define QEPI_U8(z, off) \\
	VCVTDQ2PS z, z \\
	VMULPS off(AX), z, z \\
	VADDPS off(DI), z, z \\
	VMULPS Z25, z, z \\
	VADDPS Z26, z, z \\
	VMAXPS Z30, z, z \\
	VMINPS Z31, z, z \\
	VCVTPS2DQ z, z

#define QEPI4_U8(c0, c1, c2, c3) \\
	QEPI_U8(c0, 0) \\
	QEPI_U8(c1, 64) \\
	QEPI_U8(c2, 128) \\
	QEPI_U8(c3, 192)

// Pack the four accumulators to bytes: per 128-bit lane L the packs give
// c0[4L..4L+3], c1[..], c2[..], c3[..], i.e. channel 16L+4i+k at byte 4k+i;
// the shuffle moves it to byte 4i+k.
#define STORE_U8(c0, c1, c2, c3, r) \\
	VPACKSSDW c1, c0, c0 \\
	VPACKSSDW c3, c2, c2 \\
	VPACKUSWB c2, c0, c0 \\
	VPSHUFB Z29, c0, c0 \\
	VMOVDQU8 c0, K1, (r)

// Float output: transpose the 4 x 16 (k, j) accumulators to channel order.
// After the unpacks c_a lane L holds channels 16L+4a..16L+4a+3; the 128-bit
// shuffles then put lane L of every c_a together.
#define STORE_F32(c0, c1, c2, c3, r) \\
	VUNPCKLPS c1, c0, Z20 \\
	VUNPCKHPS c1, c0, Z21 \\
	VUNPCKLPS c3, c2, Z16 \\
	VUNPCKHPS c3, c2, Z17 \\
	VUNPCKLPD Z16, Z20, c0 \\
	VUNPCKHPD Z16, Z20, c1 \\
	VUNPCKLPD Z17, Z21, c2 \\
	VUNPCKHPD Z17, Z21, c3 \\
	VSHUFF32X4 $0x44, c1, c0, Z16 \\
	VSHUFF32X4 $0xee, c1, c0, Z17 \\
	VSHUFF32X4 $0x44, c3, c2, Z18 \\
	VSHUFF32X4 $0xee, c3, c2, Z19 \\
	VSHUFF32X4 $0x88, Z18, Z16, c0 \\
	VSHUFF32X4 $0xdd, Z18, Z16, c1 \\
	VSHUFF32X4 $0x88, Z19, Z17, c2 \\
	VSHUFF32X4 $0xdd, Z19, Z17, c3 \\
	VMOVUPS c0, K4, (r) \\
	VMOVUPS c1, K5, 64(r) \\
	VMOVUPS c2, K6, 128(r) \\
	VMOVUPS c3, K7, 192(r)

// Byte transpose of STORE_U8: byte 4i+k of a lane takes byte 4k+i.
DATA dwqperm<>+0(SB)/8, $0x0d0905010c080400
DATA dwqperm<>+8(SB)/8, $0x0f0b07030e0a0602
GLOBL dwqperm<>(SB), RODATA|NOPTR, $16
''')

def q512():
    P = "dwqz"
    w("\n// func dwQAVX512(base *uint8, taps *dwTap, ntaps, npix, pstride, ostride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, c int, k *dwQConsts, vnni bool)")
    w("TEXT ·dwQAVX512(SB), NOSPLIT, $0-113")
    w("\t// K2 = ^0 >> (63 - (c-1)%64)\n\tMOVQ c+96(FP), CX\n\tDECQ CX\n\tANDQ $63, CX\n\tNEGQ CX\n\tADDQ $63, CX\n\tMOVQ $-1, AX\n\tSHRQ CX, AX\n\tKMOVQ AX, K2\n\tMOVQ $-1, AX\n\tKMOVQ AX, K3")
    w("\tMOVQ k+104(FP), AX\n\tVBROADCASTSS 0(AX), Z23\n\tVBROADCASTSS 4(AX), Z24\n\tVBROADCASTSS 8(AX), Z25\n\tVBROADCASTSS 12(AX), Z26\n\tVBROADCASTSS 16(AX), Z30\n\tVBROADCASTSS 20(AX), Z31\n\tMOVL $0x00010001, DI\n\tVPBROADCASTD DI, Z22\n\tVBROADCASTI32X4 dwqperm<>(SB), Z29")
    w("\tMOVQ base+0(FP), BASE\n\tMOVQ taps+8(FP), TAPS\n\tMOVQ ntaps+16(FP), TEND\n\tSHLQ $4, TEND\n\tADDQ TAPS, TEND\n\tMOVQ npix+24(FP), NPIX\n\tMOVQ pstride+32(FP), PSTR\n\tLEAQ (PSTR)(PSTR*2), PST3\n\tMOVQ ostride+40(FP), OSTR\n\tMOVQ out8+80(FP), OUT\n\tTESTQ OUT, OUT\n\tJNZ  2(PC)\n\tMOVQ out32+88(FP), OUT")
    tiers = [4, 3, 2, 1]
    qaddr = ["(DI)", "(DI)(PSTR*1)", "(DI)(PSTR*2)", "(DI)(PST3*1)"]
    for ti, T in enumerate(tiers):
        nxt = f"{P}_tile{tiers[ti+1]}" if T > 1 else f"{P}_done"
        w(f"\n{P}_tile{T}:\n\tCMPQ NPIX, ${T}\n\tJLT  {nxt}\n\n{P}_run{T}:\n\tXORQ CB, CB\n\n{P}_block{T}:")
        w("\t// masks, block weights, accumulators = zero-point correction\n\tKMOVQ K3, K1\n\tLEAQ 64(CB), AX\n\tCMPQ AX, c+96(FP)\n\tJLT  2(PC)\n\tKMOVQ K2, K1\n\tKMOVQ K1, K4\n\tKSHIFTRQ $16, K1, K5\n\tKSHIFTRQ $32, K1, K6\n\tKSHIFTRQ $48, K1, K7")
        w("\tMOVQ w+48(FP), AX\n\tLEAQ (AX)(CB*4), WBLK\n\tMOVQ corr+56(FP), AX\n\tLEAQ (AX)(CB*4), AX\n\tVMOVDQU32 (AX), Z0\n\tVMOVDQU32 64(AX), Z1\n\tVMOVDQU32 128(AX), Z2\n\tVMOVDQU32 192(AX), Z3")
        for p in range(1, T):
            for k in range(4):
                w(f"\tVMOVDQA32 Z{k}, Z{4*p+k}")
        w(f"\tMOVQ TAPS, TP\n\tCMPB vnni+112(FP), $0\n\tJEQ  {P}_tapbw{T}")
        for kind in ["vnni", "bw"]:
            lbl = f"{P}_tap{T}" if kind == "vnni" else f"{P}_tapbw{T}"
            w(f"\n{lbl}:\n\tMOVQ (TP), DI\n\tMOVQ 8(TP), AX\n\tADDQ WBLK, AX\n\tVMOVDQU32 (AX), Z16\n\tVMOVDQU32 64(AX), Z17\n\tVMOVDQU32 128(AX), Z18\n\tVMOVDQU32 192(AX), Z19\n\tADDQ BASE, DI\n\tADDQ CB, DI")
            for p in range(T):
                w(f"\tVMOVDQU8.Z {qaddr[p]}, K1, Z20")
                m = "DOT_VNNI" if kind == "vnni" else "DOT_BW"
                w(f"\t{m}(Z20, Z{4*p}, Z{4*p+1}, Z{4*p+2}, Z{4*p+3})")
            w(f"\tADDQ $16, TP\n\tCMPQ TP, TEND\n\tJLT  {lbl}")
            if kind == "vnni":
                w(f"\tJMP  {P}_epi{T}")
        w(f"\n{P}_epi{T}:\n\t// AX = scale, DI = bias of the block\n\tMOVQ sb+64(FP), AX\n\tLEAQ (AX)(CB*4), AX\n\tMOVQ cp+72(FP), DI\n\tLEAQ (AX)(DI*4), DI")
        w(f"\tCMPQ out8+80(FP), $0\n\tJEQ  {P}_f32out{T}\n\tLEAQ (OUT)(CB*1), TP")
        for p in range(T):
            w(f"\tQEPI4_U8(Z{4*p}, Z{4*p+1}, Z{4*p+2}, Z{4*p+3})")
        for p in range(T):
            if p > 0:
                w("\tADDQ OSTR, TP")
            w(f"\tSTORE_U8(Z{4*p}, Z{4*p+1}, Z{4*p+2}, Z{4*p+3}, TP)")
        w(f"\tJMP  {P}_next{T}\n\n{P}_f32out{T}:\n\tLEAQ (OUT)(CB*4), TP")
        for p in range(T):
            w(f"\tQEPI4(Z{4*p}, Z{4*p+1}, Z{4*p+2}, Z{4*p+3})")
        for p in range(T):
            if p > 0:
                w("\tADDQ OSTR, TP")
            w(f"\tSTORE_F32(Z{4*p}, Z{4*p+1}, Z{4*p+2}, Z{4*p+3}, TP)")
        w(f"\n{P}_next{T}:\n\tADDQ $64, CB\n\tCMPQ CB, c+96(FP)\n\tJLT  {P}_block{T}")
        tile_exact(P, T, 4)
    w(f"\n{P}_done:\n\tVZEROUPPER\n\tRET")

q512()

w('''
// ---------------------------------------------------------------- integer AVX2

// Blocks of 8 channels, activations widened to int32 (VPMOVZXBD) and
// multiplied by int32 weights with VPMADDWD (the high words are zero on the
// activation side, so each dword is a*w). Accumulators Y0..Y3 (pixels),
// weight Y8, Y9 scratch, constants Y10 lo, Y11 hi, Y12 1/out scale, Y13 out
// zero, Y14 0, Y15 255. Channels [0, c) only; Go does the rest.

#define QDOT_Y(addr, acc) \\
	VPMOVZXBD addr, Y9 \\
	VPMADDWD Y8, Y9, Y9 \\
	VPADDD Y9, acc, acc

#define QEPI_Y(y) \\
	VCVTDQ2PS y, y \\
	VMULPS (AX), y, y \\
	VADDPS (DI), y, y \\
	VMAXPS Y10, y, y \\
	VMINPS Y11, y, y

#define STORE_U8_Y(y, x, r) \\
	VMULPS Y12, y, y \\
	VADDPS Y13, y, y \\
	VMAXPS Y14, y, y \\
	VMINPS Y15, y, y \\
	VCVTPS2DQ y, y \\
	VEXTRACTI128 $1, y, X9 \\
	VPACKUSDW X9, x, x \\
	VPACKUSWB x, x, x \\
	VMOVQ x, (r)''')

def q2():
    P = "dwqy"
    w("\n// func dwQAVX2(base *uint8, taps *dwTap, ntaps, npix, pstride, ostride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, c int, k *dwQConsts)")
    w("TEXT ·dwQAVX2(SB), NOSPLIT, $0-112")
    w("\tMOVQ k+104(FP), AX\n\tVBROADCASTSS 0(AX), Y10\n\tVBROADCASTSS 4(AX), Y11\n\tVBROADCASTSS 8(AX), Y12\n\tVBROADCASTSS 12(AX), Y13\n\tVXORPS Y14, Y14, Y14\n\tMOVL $0x437f0000, DI // 255.0\n\tMOVQ DI, X15\n\tVPBROADCASTD X15, Y15")
    w("\tMOVQ base+0(FP), BASE\n\tMOVQ taps+8(FP), TAPS\n\tMOVQ ntaps+16(FP), TEND\n\tSHLQ $4, TEND\n\tADDQ TAPS, TEND\n\tMOVQ npix+24(FP), NPIX\n\tMOVQ pstride+32(FP), PSTR\n\tLEAQ (PSTR)(PSTR*2), PST3\n\tMOVQ ostride+40(FP), OSTR\n\tMOVQ out8+80(FP), OUT\n\tTESTQ OUT, OUT\n\tJNZ  2(PC)\n\tMOVQ out32+88(FP), OUT")
    tiers = [4, 3, 2, 1]
    qaddr = ["(DI)", "(DI)(PSTR*1)", "(DI)(PSTR*2)", "(DI)(PST3*1)"]
    for ti, T in enumerate(tiers):
        nxt = f"{P}_tile{tiers[ti+1]}" if T > 1 else f"{P}_done"
        w(f"\n{P}_tile{T}:\n\tCMPQ NPIX, ${T}\n\tJLT  {nxt}\n\n{P}_run{T}:\n\tXORQ CB, CB\n\n{P}_block{T}:")
        w("\tMOVQ w+48(FP), AX\n\tLEAQ (AX)(CB*4), WBLK\n\tMOVQ corr+56(FP), AX\n\tVMOVDQU (AX)(CB*4), Y0")
        for p in range(1, T):
            w(f"\tVMOVDQA Y0, Y{p}")
        w(f"\tMOVQ TAPS, TP\n\n{P}_tap{T}:\n\tMOVQ (TP), DI\n\tMOVQ 8(TP), AX\n\tVMOVDQU (WBLK)(AX*1), Y8\n\tADDQ BASE, DI\n\tADDQ CB, DI")
        for p in range(T):
            w(f"\tQDOT_Y({qaddr[p]}, Y{p})")
        w(f"\tADDQ $16, TP\n\tCMPQ TP, TEND\n\tJLT  {P}_tap{T}")
        w("\tMOVQ sb+64(FP), AX\n\tLEAQ (AX)(CB*4), AX\n\tMOVQ cp+72(FP), DI\n\tLEAQ (AX)(DI*4), DI")
        for p in range(T):
            w(f"\tQEPI_Y(Y{p})")
        w(f"\tCMPQ out8+80(FP), $0\n\tJEQ  {P}_f32out{T}\n\tLEAQ (OUT)(CB*1), TP")
        for p in range(T):
            if p > 0:
                w("\tADDQ OSTR, TP")
            w(f"\tSTORE_U8_Y(Y{p}, X{p}, TP)")
        w(f"\tJMP  {P}_next{T}\n\n{P}_f32out{T}:\n\tLEAQ (OUT)(CB*4), TP")
        for p in range(T):
            if p > 0:
                w("\tADDQ OSTR, TP")
            w(f"\tVMOVUPS Y{p}, (TP)")
        w(f"\n{P}_next{T}:\n\tADDQ $8, CB\n\tCMPQ CB, c+96(FP)\n\tJLT  {P}_block{T}")
        tile_exact(P, T, 4)
    w(f"\n{P}_done:\n\tVZEROUPPER\n\tRET")

q2()
open(OUT, "w").write("\n".join(out) + "\n")

# ------------------------------------------------------------------ integer row kernel (VNNI, tap packing)
out2 = []
def w2(s=""): out2.append(s)
w2('''
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
#define QCOL(a, v0, v1, v2, v3) \\
	VMOVDQU8.Z (a)(UP*1), K4, Z16 \\
	VMOVDQU8.Z (a), K1, Z17 \\
	VMOVDQU8.Z (a)(DOWN*1), K5, Z18 \\
	VPUNPCKLBW Z17, Z16, Z19 \\
	VPUNPCKHBW Z17, Z16, Z20 \\
	VPUNPCKLBW Z27, Z18, Z21 \\
	VPUNPCKHBW Z27, Z18, Z22 \\
	VPUNPCKLWD Z21, Z19, v0 \\
	VPUNPCKHWD Z21, Z19, v1 \\
	VPUNPCKLWD Z22, Z20, v2 \\
	VPUNPCKHWD Z22, Z20, v3

// acc[k] += column . W[kx][k]
#define QROWDOT(off, v0, v1, v2, v3) \\
	VPDPBUSD off(WBLK), v0, Z12 \\
	VPDPBUSD off+64(WBLK), v1, Z13 \\
	VPDPBUSD off+128(WBLK), v2, Z14 \\
	VPDPBUSD off+192(WBLK), v3, Z15

// Byte order: the packs give channels 16L..16L+15 in lane L directly.
#define STORE_ROW_U8(r) \\
	VPACKSSDW Z13, Z12, Z12 \\
	VPACKSSDW Z15, Z14, Z14 \\
	VPACKUSWB Z14, Z12, Z12 \\
	VMOVDQU8 Z12, K1, (r)

// Float output: lane L of accumulator k is channels 16L+4k..16L+4k+3, so
// output vector m is lane m of Z12..Z15 (a 4x4 transpose of 128-bit lanes).
#define STORE_ROW_F32(r) \\
	VSHUFF32X4 $0x44, Z13, Z12, Z16 \\
	VSHUFF32X4 $0xee, Z13, Z12, Z17 \\
	VSHUFF32X4 $0x44, Z15, Z14, Z18 \\
	VSHUFF32X4 $0xee, Z15, Z14, Z19 \\
	VSHUFF32X4 $0x88, Z18, Z16, Z12 \\
	VSHUFF32X4 $0xdd, Z18, Z16, Z13 \\
	VSHUFF32X4 $0x88, Z19, Z17, Z14 \\
	VSHUFF32X4 $0xdd, Z19, Z17, Z15 \\
	VMOVUPS Z12, K1, (r) \\
	KSHIFTRQ $16, K1, K6 \\
	VMOVUPS Z13, K6, 64(r) \\
	KSHIFTRQ $32, K1, K7 \\
	VMOVUPS Z14, K7, 128(r) \\
	KSHIFTRQ $48, K1, K6 \\
	VMOVUPS Z15, K6, 192(r)

// The last block, when it has at most 32 channels, runs on YMM registers
// (the same numbers) with its own layout: weights [3 kx][4][8]uint32, scale,
// bias and corrections at k*8+4L+i for channel 16L+4k+i of the block.
#define QCOL_Y(a, v0, v1, v2, v3) \\
	VMOVDQU8.Z (a)(UP*1), K4, Y16 \\
	VMOVDQU8.Z (a), K1, Y17 \\
	VMOVDQU8.Z (a)(DOWN*1), K5, Y18 \\
	VPUNPCKLBW Y17, Y16, Y19 \\
	VPUNPCKHBW Y17, Y16, Y20 \\
	VPUNPCKLBW Y27, Y18, Y21 \\
	VPUNPCKHBW Y27, Y18, Y22 \\
	VPUNPCKLWD Y21, Y19, v0 \\
	VPUNPCKHWD Y21, Y19, v1 \\
	VPUNPCKLWD Y22, Y20, v2 \\
	VPUNPCKHWD Y22, Y20, v3

#define QROWDOT_Y(off, v0, v1, v2, v3) \\
	VPDPBUSD off(WBLK), v0, Y12 \\
	VPDPBUSD off+32(WBLK), v1, Y13 \\
	VPDPBUSD off+64(WBLK), v2, Y14 \\
	VPDPBUSD off+96(WBLK), v3, Y15

#define QEPI_U8_RY(y, off) \\
	VCVTDQ2PS y, y \\
	VMULPS off(AX), y, y \\
	VADDPS off(DI), y, y \\
	VMULPS Y25, y, y \\
	VADDPS Y26, y, y \\
	VMAXPS Y30, y, y \\
	VMINPS Y31, y, y \\
	VCVTPS2DQ y, y

#define QEPI_RY(y, off) \\
	VCVTDQ2PS y, y \\
	VMULPS off(AX), y, y \\
	VADDPS off(DI), y, y \\
	VMAXPS Y23, y, y \\
	VMINPS Y24, y, y

#define STORE_ROW_U8_Y(r) \\
	QEPI_U8_RY(Y12, 0) \\
	QEPI_U8_RY(Y13, 32) \\
	QEPI_U8_RY(Y14, 64) \\
	QEPI_U8_RY(Y15, 96) \\
	VPACKSSDW Y13, Y12, Y12 \\
	VPACKSSDW Y15, Y14, Y14 \\
	VPACKUSWB Y14, Y12, Y12 \\
	VMOVDQU8 Y12, K1, (r)

// Output vector m (16 floats) is lane m of Y12..Y15.
#define STORE_ROW_F32_Y(r) \\
	QEPI_RY(Y12, 0) \\
	QEPI_RY(Y13, 32) \\
	QEPI_RY(Y14, 64) \\
	QEPI_RY(Y15, 96) \\
	VINSERTF64X4 $1, Y13, Z12, Z16 \\
	VINSERTF64X4 $1, Y15, Z14, Z17 \\
	VSHUFF32X4 $0x88, Z17, Z16, Z12 \\
	VSHUFF32X4 $0xdd, Z17, Z16, Z13 \\
	VMOVUPS Z12, K1, (r) \\
	KSHIFTRQ $16, K1, K6 \\
	VMOVUPS Z13, K6, 64(r)

#define UP R12
#define DOWN R13
#define XP DI    // centre input of the current output pixel
#define OP R11   // current output pixel
''')

def qrow():
    P = "dwqr"
    w2("// func dwQRowVNNI(base *uint8, up, down, npix, pstride int, w *byte, corr *int32, sb *float32, cp int, out8 *uint8, out32 *float32, ostride, c int, k *dwQConsts, top, bottom int, s2 bool)")
    w2("TEXT ·dwQRowVNNI(SB), NOSPLIT, $0-129")
    w2("\tMOVQ k+104(FP), AX\n\tVBROADCASTSS 0(AX), Z23\n\tVBROADCASTSS 4(AX), Z24\n\tVBROADCASTSS 8(AX), Z25\n\tVBROADCASTSS 12(AX), Z26\n\tVBROADCASTSS 16(AX), Z30\n\tVBROADCASTSS 20(AX), Z31\n\tVPXORD Z27, Z27, Z27")
    w2("\tMOVQ up+8(FP), UP\n\tMOVQ down+16(FP), DOWN\n\tMOVQ pstride+32(FP), R9\n\tMOVQ c+96(FP), R8 // channel bytes of an input pixel\n\tXORQ CB, CB")
    # rotations: (left, mid, right) sets of 4 regs
    A, B, C = ["Z0", "Z1", "Z2", "Z3"], ["Z4", "Z5", "Z6", "Z7"], ["Z8", "Z9", "Z10", "Z11"]
    w2(f"\n{P}_block:")
    w2("\t// block mask in AX: all ones, or the channel tail\n\tMOVQ $-1, AX\n\tMOVQ R8, CX\n\tSUBQ CB, CX\n\tCMPQ CX, $64\n\tJGE  6(PC)\n\tCMPQ CX, $32\n\tJLE  " + P + "_half\n\tNEGQ CX\n\tADDQ $64, CX\n\tSHRQ CX, AX")
    w2("\tKMOVQ AX, K1\n\tMOVQ AX, CX\n\tANDQ top+112(FP), CX\n\tKMOVQ CX, K4\n\tANDQ bottom+120(FP), AX\n\tKMOVQ AX, K5")
    w2("\t// WBLK = w + 12*CB (768 bytes a block), XP = first pixel, OP = its output\n\tLEAQ (CB)(CB*2), AX\n\tMOVQ w+40(FP), WBLK\n\tLEAQ (WBLK)(AX*4), WBLK\n\tMOVQ base+0(FP), XP\n\tADDQ CB, XP\n\tMOVQ out8+72(FP), OP\n\tTESTQ OP, OP\n\tJZ   3(PC)\n\tADDQ CB, OP\n\tJMP  3(PC)\n\tMOVQ out32+80(FP), OP\n\tLEAQ (OP)(CB*4), OP\n\tMOVQ npix+24(FP), CX")
    w2("\t// left column of the first pixel\n\tMOVQ XP, AX\n\tSUBQ R8, AX")
    w2(f"\tQCOL(AX, {', '.join(A)})")
    w2("\tCMPB s2+128(FP), $0\n\tJNE  " + P + "_s2")
    w2(f"\tQCOL(XP, {', '.join(B)})")
    # stride 1: steps with (l, m, r) rotating A,B,C
    def step(l, m, r, s2, idx, loop):
        lbl = f"{P}_{'s2' if s2 else 's1'}"
        if s2:
            w2(f"\tQCOL(XP, {', '.join(m)})")
        w2(f"\tLEAQ (XP)(R8*1), AX\n\tQCOL(AX, {', '.join(r)})")
        w2("\tMOVQ corr+48(FP), AX\n\tLEAQ (AX)(CB*4), AX\n\tVMOVDQU32 (AX), Z12\n\tVMOVDQU32 64(AX), Z13\n\tVMOVDQU32 128(AX), Z14\n\tVMOVDQU32 192(AX), Z15")
        w2(f"\tQROWDOT(0, {', '.join(l)})\n\tQROWDOT(256, {', '.join(m)})\n\tQROWDOT(512, {', '.join(r)})")
        w2("\tMOVQ sb+56(FP), AX\n\tLEAQ (AX)(CB*4), AX\n\tMOVQ cp+64(FP), SI\n\tLEAQ (AX)(SI*4), SI\n\tXCHGQ SI, DI")
        w2(f"\tCMPQ out8+72(FP), $0\n\tJEQ  {lbl}_f{idx}\n\tQEPI4_U8(Z12, Z13, Z14, Z15)\n\tXCHGQ SI, DI\n\tSTORE_ROW_U8(OP)\n\tJMP  {lbl}_n{idx}\n{lbl}_f{idx}:\n\tQEPI4(Z12, Z13, Z14, Z15)\n\tXCHGQ SI, DI\n\tSTORE_ROW_F32(OP)\n{lbl}_n{idx}:")
        w2(f"\tADDQ R9, XP\n\tADDQ ostride+88(FP), OP\n\tDECQ CX\n\tJZ   {P}_next")
    w2(f"\n{P}_s1:")
    step(A, B, C, False, 0, None)
    step(B, C, A, False, 1, None)
    step(C, A, B, False, 2, None)
    w2(f"\tJMP  {P}_s1")
    w2(f"\n{P}_s2:")
    step(A, B, C, True, 0, None)
    step(C, A, B, True, 1, None)
    step(B, C, A, True, 2, None)
    w2(f"\tJMP  {P}_s2")
    w2(f"\n{P}_next:\n\tADDQ $64, CB\n\tCMPQ CB, R8\n\tJLT  {P}_block\n\tVZEROUPPER\n\tRET")
    # half block: same flow on YMM
    H = P + "h"
    Ay, By, Cy = [r.replace("Z", "Y") for r in A], [r.replace("Z", "Y") for r in B], [r.replace("Z", "Y") for r in C]
    w2(f"\n{P}_half:\n\t// last block of at most 32 channels: mask (1<<rem)-1, YMM registers\n\tNEGQ CX\n\tADDQ $64, CX\n\tSHRQ CX, AX")
    w2("\tKMOVQ AX, K1\n\tMOVQ AX, CX\n\tANDQ top+112(FP), CX\n\tKMOVQ CX, K4\n\tANDQ bottom+120(FP), AX\n\tKMOVQ AX, K5")
    w2("\tLEAQ (CB)(CB*2), AX\n\tMOVQ w+40(FP), WBLK\n\tLEAQ (WBLK)(AX*4), WBLK\n\tMOVQ base+0(FP), XP\n\tADDQ CB, XP\n\tMOVQ out8+72(FP), OP\n\tTESTQ OP, OP\n\tJZ   3(PC)\n\tADDQ CB, OP\n\tJMP  3(PC)\n\tMOVQ out32+80(FP), OP\n\tLEAQ (OP)(CB*4), OP\n\tMOVQ npix+24(FP), CX")
    w2(f"\tMOVQ XP, AX\n\tSUBQ R8, AX\n\tQCOL_Y(AX, {', '.join(Ay)})")
    w2("\tCMPB s2+128(FP), $0\n\tJNE  " + H + "_s2")
    w2(f"\tQCOL_Y(XP, {', '.join(By)})")
    def hstep(l, m, r, s2, idx):
        lbl = f"{H}_{'s2' if s2 else 's1'}"
        if s2:
            w2(f"\tQCOL_Y(XP, {', '.join(m)})")
        w2(f"\tLEAQ (XP)(R8*1), AX\n\tQCOL_Y(AX, {', '.join(r)})")
        w2("\tMOVQ corr+48(FP), AX\n\tLEAQ (AX)(CB*4), AX\n\tVMOVDQU32 (AX), Y12\n\tVMOVDQU32 32(AX), Y13\n\tVMOVDQU32 64(AX), Y14\n\tVMOVDQU32 96(AX), Y15")
        w2(f"\tQROWDOT_Y(0, {', '.join(l)})\n\tQROWDOT_Y(128, {', '.join(m)})\n\tQROWDOT_Y(256, {', '.join(r)})")
        w2("\tMOVQ sb+56(FP), AX\n\tLEAQ (AX)(CB*4), AX\n\tMOVQ cp+64(FP), SI\n\tLEAQ (AX)(SI*4), SI\n\tXCHGQ SI, DI")
        w2(f"\tCMPQ out8+72(FP), $0\n\tJEQ  {lbl}_f{idx}\n\tSTORE_ROW_U8_Y(OP)\n\tJMP  {lbl}_n{idx}\n{lbl}_f{idx}:\n\tSTORE_ROW_F32_Y(OP)\n{lbl}_n{idx}:\n\tXCHGQ SI, DI")
        w2(f"\tADDQ R9, XP\n\tADDQ ostride+88(FP), OP\n\tDECQ CX\n\tJZ   {H}_done")
    w2(f"\n{H}_s1:")
    hstep(Ay, By, Cy, False, 0)
    hstep(By, Cy, Ay, False, 1)
    hstep(Cy, Ay, By, False, 2)
    w2(f"\tJMP  {H}_s1")
    w2(f"\n{H}_s2:")
    hstep(Ay, By, Cy, True, 0)
    hstep(Cy, Ay, By, True, 1)
    hstep(By, Cy, Ay, True, 2)
    w2(f"\tJMP  {H}_s2")
    w2(f"\n{H}_done:\n\tVZEROUPPER\n\tRET")
qrow()
open(OUT, "a").write("\n".join(out2) + "\n")

# ------------------------------------------------------------------ float row kernels (AVX-512)
out3 = []
def w3(s=""): out3.append(s)
w3('''
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
''')

def float_row(name, P, half, s):
    es = 2 if half else 4
    cbstep = 16 * es
    ty = "uint16" if half else "float32"
    w3(f"\n// func {name}(base *{ty}, rows *dwTap, nrows, npix, pstride, ostride int, w *float32, out *{ty}, cbytes int, lo, hi float32)")
    w3(f"TEXT ·{name}(SB), NOSPLIT, $0-80")
    w3(f"\tMOVQ cbytes+64(FP), CX\n\tSHRQ ${es.bit_length()-1}, CX\n\tDECQ CX\n\tANDQ $15, CX\n\tNEGQ CX\n\tADDQ $15, CX\n\tMOVL $0xffff, AX\n\tSHRL CX, AX\n\tKMOVW AX, K2\n\tMOVL $0xffff, AX\n\tKMOVW AX, K3")
    w3(f"\tMOVQ base+0(FP), BASE\n\tMOVQ rows+8(FP), TAPS\n\tMOVQ nrows+16(FP), TEND\n\tSHLQ $4, TEND\n\tADDQ TAPS, TEND\n\tMOVQ npix+24(FP), NPIX\n\tMOVQ pstride+32(FP), PSTR\n\tMOVQ cbytes+64(FP), CS\n\tMOVQ ostride+40(FP), OSTR\n\tMOVQ out+56(FP), OUT")
    w3(f"\tVBROADCASTSS lo+72(FP), Z30\n\tVBROADCASTSS hi+76(FP), Z31")
    # Full tiles of 8, then one exact tile for the remaining 1..7 pixels.
    tiers = [8, 7, 6, 5, 4, 3, 2, 1]
    for ti, T in enumerate(tiers):
        nin = T * s + 3 - s
        nxt = f"{P}_tile{tiers[ti+1]}" if T > 1 else f"{P}_done"
        w3(f"\n{P}_tile{T}:\n\tCMPQ NPIX, ${T}\n\tJLT  {nxt}\n\n{P}_run{T}:\n\tMOVQ w+48(FP), WBLK\n\tXORQ CB, CB\n\n{P}_block{T}:")
        w3(f"\tKMOVW K3, K1\n\tLEAQ {cbstep}(CB), AX\n\tCMPQ AX, cbytes+64(FP)\n\tJLT  2(PC)\n\tKMOVW K2, K1")
        for p in range(T):
            w3(f"\tVPXORD Z{p}, Z{p}, Z{p}")
        w3(f"\tMOVQ TAPS, TP\n\n{P}_row{T}:")
        w3("\tMOVQ (TP), DI\n\tMOVQ 8(TP), AX\n\tVMOVUPS (WBLK)(AX*1), Z25\n\tVMOVUPS 64(WBLK)(AX*1), Z26\n\tVMOVUPS 128(WBLK)(AX*1), Z27\n\tADDQ BASE, DI\n\tADDQ CB, DI")
        w3(f"\t// columns -1..{nin-2} of this kernel row")
        for j in range(nin):
            g = j % 4
            if g == 0 and j > 0:
                w3("\tLEAQ (DI)(CS*4), DI")
            if g == 3:
                w3("\tLEAQ (DI)(CS*2), AX")
            addr = ["(DI)", "(DI)(CS*1)", "(DI)(CS*2)", "(AX)(CS*1)"][g]
            z = 8 + j
            if half:
                w3(f"\tVMOVDQU16.Z {addr}, K1, Y{z}\n\tVCVTPH2PS Y{z}, Z{z}")
            else:
                w3(f"\tVMOVUPS.Z {addr}, K1, Z{z}")
        w3("\t// acc[p] += col[p*s+kx] * w[kx]")
        for p in range(T):
            for kx in range(3):
                w3(f"\tVFMADD231PS Z{8 + p*s + kx}, Z{25+kx}, Z{p}")
        w3(f"\tADDQ $16, TP\n\tCMPQ TP, TEND\n\tJLT  {P}_row{T}")
        w3("\tVMOVUPS 576(WBLK), Z8")
        for p in range(T):
            w3(f"\tEPI_Z(Z{p}, 640)")
        w3("\tLEAQ (OUT)(CB*1), DI")
        if T > 4:
            w3("\tLEAQ (DI)(OSTR*4), AX")
        if T >= 4:
            w3("\tLEAQ (OSTR)(OSTR*2), TP")
        for p in range(T):
            w3(f"\t{'F16_STORE' if half else 'F32_STORE'}_Z(Z{p}, {out_addr[p]})")
        w3(f"\tADDQ $704, WBLK\n\tADDQ ${cbstep}, CB\n\tCMPQ CB, cbytes+64(FP)\n\tJLT  {P}_block{T}")
        if T == 8:
            w3(f"\tLEAQ (BASE)(PSTR*8), BASE\n\tLEAQ (OUT)(OSTR*8), OUT\n\tSUBQ $8, NPIX\n\tJMP  {P}_tile8")
        else:
            w3(f"\tJMP  {P}_done // the remainder was exactly {T}")
    w3(f"\n{P}_done:\n\tVZEROUPPER\n\tRET")

float_row("dwF32RowS1AVX512", "dwf32r1", False, 1)
float_row("dwF32RowS2AVX512", "dwf32r2", False, 2)
float_row("dwF16RowS1AVX512", "dwf16r1", True, 1)
float_row("dwF16RowS2AVX512", "dwf16r2", True, 2)
open(OUT, "a").write("\n".join(out3) + "\n")
