//go:build gc && !purego

package kernels

import "unsafe"

// The depthwise kernels compute one output pixel, every whole block of
// channels (8 for float, 16 for integer); Go does the remaining channels.
// Taps outside the image read a padding row (zeros for float, In.Zero for
// integer, which contributes (In.Zero-In.Zero)*w = 0).
//
//	for c in whole blocks {
//		acc := sum over taps t of in_t[c] * w[t][c]   (integer: (x-In.Zero)*w)
//		out[c] = float or integer epilogue of acc     (see Epilogue)
//	}
//
// The uint8 output is DepthwiseQ's one-step requantization (requantU8):
// t = B8[c] + float32(acc)*S8[c] in one FMLA, rounded once, then the clamp
// to [max(Lo8, 0), Hi8] and FCVTNS. The float output rounds the product
// and the sum apart (FMUL, FADD).

// dwF32NEON: FMLA .4S, blocks of 8 channels; constants scale[8], bias[8].
//
//go:noescape
func dwF32NEON(p *dwArgs)

// dwF16NEON: binary16 widened with FCVTL, FMLA .4S, FCVTN; blocks of 8.
//
//go:noescape
func dwF16NEON(p *dwArgs)

// dwF16FP16: FMLA .8H accumulating the 9 taps in binary16 (FPHP/ASIMDHP),
// then the epilogue in float32. Nine roundings to 11 bits stay within the
// depthwise fp16 tolerance; the GEMM, with K up to thousands, does not use it.
//
//go:noescape
func dwF16FP16(p *dwArgs)

// dwQDot8, dwQDot4: SDOT on x ^ 0x80 with taps interleaved four per lane
// (ZIP1/ZIP2), acc starting at (128 - In.Zero) * sum_t w[t][c].
//
//go:noescape
func dwQDot8(p *dwArgs)

// dwQDot4 is dwQDot8 with int4 weights unpacked by SHL/SSHR.
//
//go:noescape
func dwQDot4(p *dwArgs)

// dwQWide8, dwQWide4: UXTL/SXTL and SMLAL, acc starting at
// -In.Zero * sum_t w[t][c].
//
//go:noescape
func dwQWide8(p *dwArgs)

// dwQWide4 is dwQWide8 with int4 weights unpacked by SHL/SSHR.
//
//go:noescape
func dwQWide4(p *dwArgs)

const (
	dwBlockF = 8  // channels per float block
	dwBlockQ = 16 // channels per integer block
)

// Packed layout (float): per block 9 taps x 8 weights; then per block
// scale[8], bias[8]; then a zero padding row of C values.
func (d *DepthwiseF32) pack() {
	d.Variant = variantFor("dw/fp32")
	if d.Variant == "generic" {
		return
	}
	nb := d.C / dwBlockF
	d.packed = make([]float32, nb*9*dwBlockF+nb*2*dwBlockF+d.C)
	meta := d.packed[nb*9*dwBlockF:]
	for b := 0; b < nb; b++ {
		for i := 0; i < dwBlockF; i++ {
			c := b*dwBlockF + i
			for t := 0; t < 9; t++ {
				d.packed[(b*9+t)*dwBlockF+i] = d.W[t*d.C+c]
			}
			meta[b*2*dwBlockF+i] = d.Scale[c]
			meta[b*2*dwBlockF+dwBlockF+i] = d.Bias[c]
		}
	}
}

func (d *DepthwiseF32) runRows(h, w, r0, r1 int, in, out []float32) {
	if d.Variant == "generic" || d.C < dwBlockF { // no whole block for the assembly
		dwF32Generic(d, h, w, r0, r1, in, out)
		return
	}
	C := d.C
	ho, wo := DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride)
	nb := C / dwBlockF
	pad := nb*9*dwBlockF + nb*2*dwBlockF
	p := dwArgs{nblk: nb, act: int(d.Act)}
	var idx [9]int
	for r := r0; r < r1; r++ {
		img, oy := r/ho, r%ho
		src := in[img*h*w*C:]
		for ox := 0; ox < wo; ox++ {
			dwTapIndex(&idx, h, w, d.Stride, oy, ox)
			dst := out[(r*wo+ox)*C:]
			for t, i := range idx {
				if i < 0 {
					p.in[t] = unsafe.Pointer(&d.packed[pad])
				} else {
					p.in[t] = unsafe.Pointer(&src[i*C])
				}
			}
			p.out, p.w, p.meta = unsafe.Pointer(&dst[0]), unsafe.Pointer(&d.packed[0]), unsafe.Pointer(&d.packed[nb*9*dwBlockF])
			dwF32NEON(&p)
		}
	}
	if c0 := nb * dwBlockF; c0 < C {
		dwF32GenericFrom(d, h, w, r0, r1, c0, in, out)
	}
}

// Packed layout as DepthwiseF32, weights binary16, scale and bias float32
// in two uint16 cells each.
func (d *DepthwiseF16) pack() {
	d.Variant = variantFor("dw/fp16")
	if d.Variant == "generic" {
		return
	}
	nb := d.C / dwBlockF
	d.packed = make([]uint16, nb*9*dwBlockF+nb*4*dwBlockF+d.C)
	if nb == 0 {
		return
	}
	meta := unsafe.Slice((*float32)(unsafe.Pointer(&d.packed[nb*9*dwBlockF])), nb*2*dwBlockF)
	for b := 0; b < nb; b++ {
		for i := 0; i < dwBlockF; i++ {
			c := b*dwBlockF + i
			for t := 0; t < 9; t++ {
				d.packed[(b*9+t)*dwBlockF+i] = d.W[t*d.C+c]
			}
			meta[b*2*dwBlockF+i] = d.Scale[c]
			meta[b*2*dwBlockF+dwBlockF+i] = d.Bias[c]
		}
	}
}

func (d *DepthwiseF16) runRows(h, w, r0, r1 int, in, out []uint16) {
	if d.Variant == "generic" || d.C < dwBlockF { // no whole block for the assembly
		dwF16Generic(d, h, w, r0, r1, in, out)
		return
	}
	C := d.C
	ho, wo := DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride)
	nb := C / dwBlockF
	pad := nb*9*dwBlockF + nb*4*dwBlockF
	native := d.Variant == "neon-fp16"
	p := dwArgs{nblk: nb, act: int(d.Act)}
	var idx [9]int
	for r := r0; r < r1; r++ {
		img, oy := r/ho, r%ho
		src := in[img*h*w*C:]
		for ox := 0; ox < wo; ox++ {
			dwTapIndex(&idx, h, w, d.Stride, oy, ox)
			dst := out[(r*wo+ox)*C:]
			for t, i := range idx {
				if i < 0 {
					p.in[t] = unsafe.Pointer(&d.packed[pad])
				} else {
					p.in[t] = unsafe.Pointer(&src[i*C])
				}
			}
			p.out, p.w, p.meta = unsafe.Pointer(&dst[0]), unsafe.Pointer(&d.packed[0]), unsafe.Pointer(&d.packed[nb*9*dwBlockF])
			if native {
				dwF16FP16(&p)
			} else {
				dwF16NEON(&p)
			}
		}
	}
	if c0 := nb * dwBlockF; c0 < C {
		dwF16GenericFrom(d, h, w, r0, r1, c0, in, out)
	}
}

// dwQVariant is the DepthwiseQ variant pack selects under the current
// features for bits-bit weights.
func dwQVariant(bits int) string { return variantFor("dw/int" + itoa(bits)) }

// dwQExecBits is the weight width the vector kernels of the variant run
// for c channels: both NEON variants nibble-pack int4 blocks of 16
// channels (dwQDot4, dwQWide4); with c < 16 there is no block and only the
// scalar loop runs, on int8 values, as does the generic variant (see
// DepthwiseQExecBits). The packing and the dispatch take the width from
// here.
func dwQExecBits(variant string, bits, c int) int {
	if variant == "generic" || c < dwBlockQ {
		return 8
	}
	return bits
}

// dwQWeightBytes is the packed weight size of one 16-channel block.
func (d *DepthwiseQ) dwQWeightBytes() int {
	bits := d.ExecBits()
	if d.Variant == "neon-dotprod" {
		return 3 * 64 * bits / 8 // three groups of four taps, tap 8 with three zero taps
	}
	return 9 * dwBlockQ * bits / 8
}

// Packed layout: per block the weights (dot: per group of four taps, vector
// j holds channels 4j..4j+3 with their four taps; wide: per tap 16
// channels; int4 nibble-packed as in GEMMQ), then per block 16 int32
// constants, 16 scales, 16 biases; the same again with the uint8 output's
// S8 and B8 in place of scales and biases; then a padding row of C bytes
// In.Zero.
func (d *DepthwiseQ) pack() {
	d.Variant = dwQVariant(d.Bits)
	if d.Variant == "generic" {
		return
	}
	dot := d.Variant == "neon-dotprod"
	bits := d.ExecBits()
	nb := d.C / dwBlockQ
	wb := d.dwQWeightBytes()
	metaOff := nb * wb
	d.packed = make([]byte, metaOff+2*nb*3*4*dwBlockQ+d.C)
	for i := metaOff + 2*nb*3*4*dwBlockQ; i < len(d.packed); i++ {
		d.packed[i] = d.In.Zero
	}
	var un [64]int8
	for b := 0; b < nb; b++ {
		dst := d.packed[b*wb:]
		c0 := b * dwBlockQ
		if dot {
			for gi := 0; gi < 3; gi++ {
				for i := range un {
					j, c, tt := i/16, i%16/4, i%4
					un[i] = 0
					if t := 4*gi + tt; t < 9 {
						un[i] = d.Q[t*d.C+c0+4*j+c]
					}
				}
				packStep(dst[gi*64*bits/8:], un[:], bits, 16)
			}
		} else {
			for t := 0; t < 9; t++ {
				for i := 0; i < dwBlockQ; i++ {
					un[i] = d.Q[t*d.C+c0+i]
				}
				packStep(dst[t*dwBlockQ*bits/8:], un[:dwBlockQ], bits, 8)
			}
		}
		meta := d.packed[metaOff+b*3*4*dwBlockQ:]
		corr := unsafe.Slice((*int32)(unsafe.Pointer(&meta[0])), dwBlockQ)
		sc := unsafe.Slice((*float32)(unsafe.Pointer(&meta[4*dwBlockQ])), 2*dwBlockQ)
		meta8 := d.packed[metaOff+(nb+b)*3*4*dwBlockQ:]
		corr8 := unsafe.Slice((*int32)(unsafe.Pointer(&meta8[0])), dwBlockQ)
		sc8 := unsafe.Slice((*float32)(unsafe.Pointer(&meta8[4*dwBlockQ])), 2*dwBlockQ)
		for i := 0; i < dwBlockQ; i++ {
			c := c0 + i
			var sum int32
			for t := 0; t < 9; t++ {
				sum += int32(d.Q[t*d.C+c])
			}
			corr[i] = -int32(d.In.Zero) * sum
			if dot {
				corr[i] += 128 * sum
			}
			sc[i], sc[dwBlockQ+i] = d.S[c], d.Bias[c]
			corr8[i], sc8[i], sc8[dwBlockQ+i] = corr[i], d.S8[c], d.B8[c]
		}
	}
}

func (d *DepthwiseQ) runRows(h, w, r0, r1 int, in, out8 []uint8, out32 []float32) {
	if d.Variant == "generic" || d.C < dwBlockQ { // no whole block for the assembly
		dwQGeneric(d, h, w, r0, r1, in, out8, out32)
		return
	}
	C := d.C
	ho, wo := DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride)
	nb := C / dwBlockQ
	metaOff := nb * d.dwQWeightBytes()
	pad := metaOff + 2*nb*3*4*dwBlockQ
	dot := d.Variant == "neon-dotprod"
	bits := d.ExecBits()
	p := dwArgs{nblk: nb, act: int(d.Act)}
	if out8 != nil {
		// S8 and B8 put t in the output scale; the clamp is lo8, hi8.
		metaOff += nb * 3 * 4 * dwBlockQ
		p = dwArgs{nblk: nb, out8: 1, lo8: max(d.Lo8, 0), hi8: d.Hi8}
	}
	var idx [9]int
	for r := r0; r < r1; r++ {
		img, oy := r/ho, r%ho
		src := in[img*h*w*C:]
		for ox := 0; ox < wo; ox++ {
			dwTapIndex(&idx, h, w, d.Stride, oy, ox)
			o := (r*wo + ox) * C
			for t, i := range idx {
				if i < 0 {
					p.in[t] = unsafe.Pointer(&d.packed[pad])
				} else {
					p.in[t] = unsafe.Pointer(&src[i*C])
				}
			}
			if out8 != nil {
				p.out = unsafe.Pointer(&out8[o])
			} else {
				p.out = unsafe.Pointer(&out32[o])
			}
			p.w, p.meta = unsafe.Pointer(&d.packed[0]), unsafe.Pointer(&d.packed[metaOff])
			switch {
			case dot && bits == 8:
				dwQDot8(&p)
			case dot:
				dwQDot4(&p)
			case bits == 8:
				dwQWide8(&p)
			default:
				dwQWide4(&p)
			}
		}
	}
	if c0 := nb * dwBlockQ; c0 < C {
		dwQGenericFrom(d, h, w, r0, r1, c0, in, out8, out32)
	}
}
