//go:build gc && !purego

package kernels

import (
	"math"
	"unsafe"
)

// Depthwise 3x3 on amd64. Go walks the output rows (dwWalk) and cuts them
// into runs of output pixels that share one set of in-bounds taps: the
// interior of each row, and the left and right border columns over the rows
// with the same top/bottom case. The assembly keeps channels in vector
// lanes and a tile of output pixels in registers, so no bounds test runs
// per pixel and padding taps are never read.
//
// Two kinds of kernel: the tap kernels take any tap list ((input byte
// offset, weight byte offset) pairs) and serve every run; the row kernels
// (AVX-512) serve row interiors, where neighbouring output pixels share
// input columns: the float ones load (and for fp16 convert) each input
// column once per kernel row instead of once per tap, the VNNI one puts the
// three rows of a column into the four bytes of a VPDPBUSD lane, so one
// instruction does three taps.
//
// Float layouts (packed): per block of L channels (L = 16 for AVX-512, 8 for
// AVX2) 9 tap vectors, then the scale vector, then the bias vector, all
// float32, zero padded; fp16 weights are widened to float32 at packing time.
//
// Integer: the zero point is folded: sum (a-z)*w = sum a*w - z*sum w, where
// the second term depends on which taps are in bounds, so it is tabulated
// at packing time for the 16 border cases (top, bottom, left, right
// missing) and loads as the initial accumulator. int4 weights are widened to
// int8 at packing time (9*C bytes; the kernel is bound by the activations
// and the epilogue, not by weight bytes).

// dwTap is one in-bounds tap: byte offsets from the centre input pixel of the
// segment's first output pixel, and into the packed weights.
type dwTap struct{ off, woff int }

// Border cases index the zero-point correction tables.
const (
	dwNoTop = 1 << iota
	dwNoBottom
	dwNoLeft
	dwNoRight
	dwCases
)

// dwSegment is a run of output pixels of one row with the same taps.
type dwSegment struct {
	ox0, ox1 int
	border   int // dwNo* bits
}

// dwSegments cuts an output row of width wo into runs with equal border bits.
func dwSegments(w, stride int, rowBits int, seg *[3]dwSegment) int {
	wo := DepthwiseOut(w, stride)
	n := 0
	add := func(a, b, bits int) {
		if a < b {
			seg[n] = dwSegment{a, b, rowBits | bits}
			n++
		}
	}
	// ox has a right neighbour column iff ox*stride+1 < w.
	right := min(wo, ceilDiv(w-1, stride)) // first ox without one
	left := dwNoLeft
	if right == 0 {
		add(0, 1, left|dwNoRight)
	} else {
		add(0, 1, left)
	}
	add(1, max(1, right), 0)
	add(max(1, right), wo, dwNoRight)
	return n
}

// dwRowTaps fills taps for a segment and returns how many there are. esize is
// the activation element size, wstride the packed weight bytes per tap.
func dwRowTaps(taps *[9]dwTap, border, w, c, esize, wstride int) int {
	n := 0
	for ky := 0; ky < 3; ky++ {
		if (ky == 0 && border&dwNoTop != 0) || (ky == 2 && border&dwNoBottom != 0) {
			continue
		}
		for kx := 0; kx < 3; kx++ {
			if (kx == 0 && border&dwNoLeft != 0) || (kx == 2 && border&dwNoRight != 0) {
				continue
			}
			taps[n] = dwTap{off: ((ky-1)*w + kx - 1) * c * esize, woff: (ky*3 + kx) * wstride}
			n++
		}
	}
	return n
}

// dwKernelRows fills rows with the in-bounds kernel rows of an interior
// segment for the float row kernels: the offset of input column -1 of the
// row and of the row's first weight vector (AVX-512 layout, 64 bytes a tap).
func dwKernelRows(rows *[9]dwTap, border, w, c, esize int) int {
	n := 0
	for ky := 0; ky < 3; ky++ {
		if (ky == 0 && border&dwNoTop != 0) || (ky == 2 && border&dwNoBottom != 0) {
			continue
		}
		rows[n] = dwTap{off: ((ky-1)*w - 1) * c * esize, woff: ky * 3 * 64}
		n++
	}
	return n
}

// dwRowBits returns the image, the centre input row and the top/bottom
// border bits of output row r.
func dwRowBits(h, ho, stride, r int) (img, iy, bits int) {
	img, oy := r/ho, r%ho
	iy = oy * stride
	if iy == 0 {
		bits |= dwNoTop
	}
	if iy+1 >= h {
		bits |= dwNoBottom
	}
	return img, iy, bits
}

// packDWFloat lays out weights (9 x C, as float32), scale and bias in blocks
// of l channels: 9 tap vectors, scale, bias.
func packDWFloat(c, l int, w func(i int) float32, scale, bias []float32) []float32 {
	nb := ceilDiv(c, l)
	p := make([]float32, nb*11*l)
	for ch := 0; ch < c; ch++ {
		blk := p[(ch/l)*11*l:]
		j := ch % l
		for t := 0; t < 9; t++ {
			blk[t*l+j] = w(t*c + ch)
		}
		blk[9*l+j] = scale[ch]
		blk[10*l+j] = bias[ch]
	}
	return p
}

func (d *DepthwiseF32) pack() {
	d.Variant = "generic"
	switch {
	case hasAVX512:
		d.Variant = "avx512"
	case hasAVX2:
		d.Variant = "avx2"
	}
	if l := floatLanes(d.Variant); l > 0 {
		d.packed = packDWFloat(d.C, l, func(i int) float32 { return d.W[i] }, d.Scale, d.Bias)
	}
}

func (d *DepthwiseF16) pack() {
	d.Variant = "generic"
	switch {
	case hasAVX512:
		d.Variant = "avx512"
	case hasAVX2:
		d.Variant = "avx2"
	}
	if l := floatLanes(d.Variant); l > 0 {
		p := packDWFloat(d.C, l, func(i int) float32 { return F16ToF32One(d.W[i]) }, d.Scale, d.Bias)
		// Stored as float32 bits in the uint16 field the API provides.
		d.packed = unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(p))), 2*len(p))
	}
}

// dwWalk calls kern for every run of output pixels of rows [r0, r1) that
// share one tap list: the interior of each row (pixels 1 apart), and each
// border column over the consecutive rows with the same top/bottom case
// (pixels a row apart), so border pixels also go in full tiles. in is the
// centre input pixel of the first output pixel, out the output pixel, both
// as pixel indices; instr and outstr are the pixel strides.
func dwWalk(h, w, stride, r0, r1 int, kern func(border, in, out, npix, instr, outstr int)) {
	ho, wo := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
	var seg [3]dwSegment
	for r := r0; r < r1; {
		img, iy, bits := dwRowBits(h, ho, stride, r)
		rb := r + 1
		for rb < r1 {
			img2, _, bits2 := dwRowBits(h, ho, stride, rb)
			if img2 != img || bits2 != bits {
				break
			}
			rb++
		}
		for _, sg := range seg[:dwSegments(w, stride, bits, &seg)] {
			if sg.ox1-sg.ox0 == 1 && rb-r > 1 {
				kern(sg.border, (img*h+iy)*w+sg.ox0*stride, r*wo+sg.ox0, rb-r, stride*w, wo)
				continue
			}
			for rr := r; rr < rb; rr++ {
				iyr := (rr % ho) * stride
				kern(sg.border, (img*h+iyr)*w+sg.ox0*stride, rr*wo+sg.ox0, sg.ox1-sg.ox0, stride, 1)
			}
		}
		r = rb
	}
}

func (d *DepthwiseF32) runRows(h, w, r0, r1 int, in, out []float32) {
	l := floatLanes(d.Variant)
	if l == 0 {
		dwF32Generic(d, h, w, r0, r1, in, out)
		return
	}
	C := d.C
	// cv channels are done by the assembly; AVX2 leaves the last C mod 8 to
	// the generic kernel instead of masking (AVX-512 masks, so cv == C).
	cv := C
	if l == 8 {
		cv = C &^ 7
	}
	if cv > 0 {
		lo, hi := ActBounds(d.Act)
		var taps [9]dwTap
		dwWalk(h, w, d.Stride, r0, r1, func(border, ip, op, npix, is, os int) {
			if l == 16 && border&(dwNoLeft|dwNoRight) == 0 && is == d.Stride {
				nr := dwKernelRows(&taps, border, w, C, 4)
				if d.Stride == 1 {
					dwF32RowS1AVX512(&in[ip*C], &taps[0], nr, npix, 4*C, 4*C, &d.packed[0], &out[op*C], 4*C, lo, hi)
				} else {
					dwF32RowS2AVX512(&in[ip*C], &taps[0], nr, npix, 8*C, 4*C, &d.packed[0], &out[op*C], 4*C, lo, hi)
				}
				return
			}
			nt := dwRowTaps(&taps, border, w, C, 4, 4*l)
			if l == 16 {
				dwF32AVX512(&in[ip*C], &taps[0], nt, npix, 4*is*C, 4*os*C, &d.packed[0], &out[op*C], 4*cv, lo, hi)
			} else {
				dwF32AVX2(&in[ip*C], &taps[0], nt, npix, 4*is*C, 4*os*C, &d.packed[0], &out[op*C], 4*cv, lo, hi)
			}
		})
	}
	if cv < C {
		dwF32GenericFrom(d, h, w, r0, r1, cv, in, out)
	}
}

func (d *DepthwiseF16) runRows(h, w, r0, r1 int, in, out []uint16) {
	l := floatLanes(d.Variant)
	if l == 0 {
		dwF16Generic(d, h, w, r0, r1, in, out)
		return
	}
	C := d.C
	cv := C
	if l == 8 {
		cv = C &^ 7
	}
	if cv > 0 {
		lo, hi := ActBounds(d.Act)
		wp := (*float32)(unsafe.Pointer(&d.packed[0]))
		var taps [9]dwTap
		dwWalk(h, w, d.Stride, r0, r1, func(border, ip, op, npix, is, os int) {
			if l == 16 && border&(dwNoLeft|dwNoRight) == 0 && is == d.Stride {
				nr := dwKernelRows(&taps, border, w, C, 2)
				if d.Stride == 1 {
					dwF16RowS1AVX512(&in[ip*C], &taps[0], nr, npix, 2*C, 2*C, wp, &out[op*C], 2*C, lo, hi)
				} else {
					dwF16RowS2AVX512(&in[ip*C], &taps[0], nr, npix, 4*C, 2*C, wp, &out[op*C], 2*C, lo, hi)
				}
				return
			}
			nt := dwRowTaps(&taps, border, w, C, 2, 4*l)
			if l == 16 {
				dwF16AVX512(&in[ip*C], &taps[0], nt, npix, 2*is*C, 2*os*C, wp, &out[op*C], 2*cv, lo, hi)
			} else {
				dwF16AVX2(&in[ip*C], &taps[0], nt, npix, 2*is*C, 2*os*C, wp, &out[op*C], 2*cv, lo, hi)
			}
		})
	}
	if cv < C {
		dwF16GenericFrom(d, h, w, r0, r1, cv, in, out)
	}
}

// Integer packed layout (bytes), nb blocks of L channels, cp = nb*L:
//
//	AVX-512 (L = 64): weights [9][nb][4][64]int8: vector k of a block holds
//	  the weight of channel 4j+k in byte 4j+k and zeros elsewhere, so one
//	  VPDPBUSD on a plain 64-byte load accumulates channel 4j+k in dword j
//	  of accumulator k; scale, bias and the 16 correction tables follow in
//	  that permuted order (index 16k+j of a block is channel 4j+k).
//	AVX2 (L = 8): weights [9][cp]int32, then scale, bias, corrections in
//	  channel order.
//
// Both: then scale [cp]float32, bias [cp]float32, corr [16][cp]int32.
// At u8Off the uint8 output's S8 [cp]float32 and B8 [cp]float32 (see
// DepthwiseQ) in the same channel order.
//
// AVX-512 VNNI adds, at rowOff, the layout of the row kernel (dwQRowVNNI):
// weights [nb][3 kx][4][16]uint32 whose bytes are the taps (ky = 0, 1, 2)
// of channel 64b+16L+4k+i in dword 4L+i of vector k, then scale, bias and
// 4 correction tables (top/bottom cases) in that channel order; at
// rowU8Off the row kernel's S8 and B8.
type dwQLayout struct {
	l, cp, wBytes int
	rowOff        int // 0 without the row kernel
	u8Off         int
	rowU8Off      int
	size          int
}

func (d *DepthwiseQ) layout() dwQLayout {
	var q dwQLayout
	switch d.Variant {
	case "avx512", "avx512vnni":
		q.l = 64
	case "avx2":
		q.l = 8
	default:
		return q
	}
	q.cp = ceilDiv(d.C, q.l) * q.l
	q.wBytes = 9 * 4 * q.cp
	q.u8Off = q.wBytes + (2+dwCases)*4*q.cp
	q.size = q.u8Off + 8*q.cp
	if d.Variant == "avx512vnni" {
		q.rowOff = q.size
		q.rowU8Off = q.rowOff + 12*q.cp + (2+4)*4*q.cp
		q.size = q.rowU8Off + 8*q.cp
	}
	return q
}

// permRow maps channel ch to its slot in the row kernel's vectors.
func permRow(ch int) int {
	b, c := ch/64, ch%64
	l, k, i := c/16, (c%16)/4, c%4
	return b*64 + k*16 + l*4 + i
}

// dwHalfBlock reports whether channel ch is in a last block of at most 32
// channels, which the row kernel runs on YMM registers with its own order.
func dwHalfBlock(ch, c int) bool {
	return ch/64 == c/64 && c%64 <= 32
}

// perm maps channel ch to its slot in the per-channel vectors of the layout.
func (q dwQLayout) perm(ch int) int {
	if q.l == 64 {
		b, j, k := ch/64, (ch%64)/4, ch%4
		return b*64 + k*16 + j
	}
	return ch
}

// dwQVariant is the DepthwiseQ variant pack selects under the current
// features: the integer level, as for GEMMQ.
func dwQVariant(bits int) string { return variantFor("dw/int" + itoa(bits)) }

// dwQExecBits is 8 for every variant and width: every amd64 layout stores
// a weight as a byte (AVX-512) or an int32 (AVX2), and the generic loop
// and the tail channels multiply int8 values (see DepthwiseQExecBits).
func dwQExecBits(variant string, bits, c int) int { return 8 }

func (d *DepthwiseQ) pack() {
	d.Variant = dwQVariant(d.Bits)
	q := d.layout()
	if q.l == 0 {
		return
	}
	C, cp := d.C, q.cp
	p := make([]byte, q.size)
	wts := p[:q.wBytes]
	if q.l == 64 {
		nb := cp / 64
		for t := 0; t < 9; t++ {
			for ch := 0; ch < C; ch++ {
				b, k := ch/64, ch%4
				wts[((t*nb+b)*4+k)*64+ch%64] = byte(d.Q[t*C+ch])
			}
		}
	} else {
		w32 := unsafe.Slice((*int32)(unsafe.Pointer(&wts[0])), 9*cp)
		for t := 0; t < 9; t++ {
			for ch := 0; ch < C; ch++ {
				w32[t*cp+ch] = int32(d.Q[t*C+ch])
			}
		}
	}
	f := unsafe.Slice((*float32)(unsafe.Pointer(&p[q.wBytes])), 2*cp)
	f8 := unsafe.Slice((*float32)(unsafe.Pointer(&p[q.u8Off])), 2*cp)
	corr := unsafe.Slice((*int32)(unsafe.Pointer(&p[q.wBytes+8*cp])), dwCases*cp)
	z := int32(d.In.Zero)
	var taps [9]dwTap
	for ch := 0; ch < C; ch++ {
		i := q.perm(ch)
		f[i], f[cp+i] = d.S[ch], d.Bias[ch]
		f8[i], f8[cp+i] = d.S8[ch], d.B8[ch]
		for bits := 0; bits < dwCases; bits++ {
			// Tap indices come from woff (wstride 1 gives the tap number).
			nt := dwRowTaps(&taps, bits, 1, 1, 1, 1)
			var sum int32
			for _, tp := range taps[:nt] {
				sum += int32(d.Q[tp.woff*C+ch])
			}
			corr[bits*cp+i] = -z * sum
		}
	}
	if q.rowOff > 0 {
		d.packRows(p[q.rowOff:], p[q.rowU8Off:], cp)
	}
	d.packed = p
}

// packRows fills the row kernel's part of the packed weights.
func (d *DepthwiseQ) packRows(p, p8 []byte, cp int) {
	C := d.C
	f := unsafe.Slice((*float32)(unsafe.Pointer(&p[12*cp])), 2*cp)
	f8 := unsafe.Slice((*float32)(unsafe.Pointer(&p8[0])), 2*cp)
	corr := unsafe.Slice((*int32)(unsafe.Pointer(&p[20*cp])), 4*cp)
	z := int32(d.In.Zero)
	for ch := 0; ch < C; ch++ {
		b, c := ch/64, ch%64
		l, k, i := c/16, (c%16)/4, c%4
		half := dwHalfBlock(ch, C)
		for kx := 0; kx < 3; kx++ {
			for ky := 0; ky < 3; ky++ {
				o := b*768 + kx*256 + k*64 + (l*4+i)*4 + ky
				if half {
					o = b*768 + kx*128 + k*32 + (l*4+i)*4 + ky
				}
				p[o] = byte(d.Q[(ky*3+kx)*C+ch])
			}
		}
		s := permRow(ch)
		if half {
			s = b*64 + k*8 + l*4 + i
		}
		f[s], f[cp+s] = d.S[ch], d.Bias[ch]
		f8[s], f8[cp+s] = d.S8[ch], d.B8[ch]
		for rows := 0; rows < 4; rows++ { // dwNoTop, dwNoBottom bits
			var sum int32
			for ky := 0; ky < 3; ky++ {
				if (ky == 0 && rows&dwNoTop != 0) || (ky == 2 && rows&dwNoBottom != 0) {
					continue
				}
				for kx := 0; kx < 3; kx++ {
					sum += int32(d.Q[(ky*3+kx)*C+ch])
				}
			}
			corr[rows*cp+s] = -z * sum
		}
	}
}

func (d *DepthwiseQ) runRows(h, w, r0, r1 int, in, out8 []uint8, out32 []float32) {
	q := d.layout()
	if q.l == 0 {
		dwQGeneric(d, h, w, r0, r1, in, out8, out32)
		return
	}
	C, cp := d.C, q.cp
	cv := C
	if q.l == 8 {
		cv = C &^ 7
	}
	if cv > 0 {
		k := newDWQConsts(d, out8 != nil)
		sp := (*float32)(unsafe.Pointer(&d.packed[q.wBytes]))
		if out8 != nil {
			sp = (*float32)(unsafe.Pointer(&d.packed[q.u8Off]))
		}
		vnni := d.Variant == "avx512vnni"
		osize := 1
		if out8 == nil {
			osize = 4
		}
		var taps [9]dwTap
		var rows dwQRowArgs
		if q.rowOff > 0 {
			sb := q.rowOff + 12*cp
			if out8 != nil {
				sb = q.rowU8Off
			}
			rows = dwQRowArgs{w: &d.packed[q.rowOff], sb: (*float32)(unsafe.Pointer(&d.packed[sb]))}
		}
		dwWalk(h, w, d.Stride, r0, r1, func(border, ip, op, npix, is, os int) {
			if q.rowOff > 0 && border&(dwNoLeft|dwNoRight) == 0 && is == d.Stride && (out8 == nil || d.tFits) {
				// interior of a row: three taps per VPDPBUSD
				corr := (*int32)(unsafe.Pointer(&d.packed[q.rowOff+(20+4*border)*cp]))
				top, bottom := -1, -1
				if border&dwNoTop != 0 {
					top = 0
				}
				if border&dwNoBottom != 0 {
					bottom = 0
				}
				var o8 *uint8
				var o32 *float32
				if out8 != nil {
					o8 = &out8[op*C]
				} else {
					o32 = &out32[op*C]
				}
				dwQRowVNNI(&in[ip*C], -w*C, w*C, npix, d.Stride*C, rows.w, corr, rows.sb, cp,
					o8, o32, osize*C, C, &k, top, bottom, d.Stride == 2)
				return
			}
			// 4*cp packed bytes per tap: [nb][4][64] int8 or [cp] int32.
			nt := dwRowTaps(&taps, border, w, C, 1, 4*cp)
			corr := (*int32)(unsafe.Pointer(&d.packed[q.wBytes+(2+border)*4*cp]))
			var o8 *uint8
			var o32 *float32
			if out8 != nil {
				o8 = &out8[op*C]
			} else {
				o32 = &out32[op*C]
			}
			if q.l == 64 {
				dwQAVX512(&in[ip*C], &taps[0], nt, npix, is*C, osize*os*C, &d.packed[0], corr, sp, cp, o8, o32, C, &k, vnni)
			} else {
				dwQAVX2(&in[ip*C], &taps[0], nt, npix, is*C, osize*os*C, &d.packed[0], corr, sp, cp, o8, o32, cv, &k)
			}
		})
	}
	if cv < C {
		dwQGenericFrom(d, h, w, r0, r1, cv, in, out8, out32)
	}
}

// dwQRowArgs are the row kernel's packed weights and scales.
type dwQRowArgs struct {
	w  *byte
	sb *float32
}

// dwQConsts are the epilogue constants of the integer kernels.
type dwQConsts struct {
	lo, hi, inv, zero float32
	// uint8 output, whose scale and offset S8, B8 replace the scale and
	// bias: loU8 and hiU8 clamp t (AVX-512), qlo and qhi are max(Lo8, 0)
	// and Hi8 rounded, in four bytes each (the row kernel's byte max and min
	// after the saturating packs; it runs only when d.tFits).
	loU8, hiU8 float32
	qlo, qhi   uint32
}

// newDWQConsts gives the constants of float output, or of uint8 output:
// then every kernel computes t = acc*S8 + B8 (its multiply by 1 and add of
// 0 are exact) and clamps it to [max(Lo8, 0), Hi8], as DepthwiseQ says.
func newDWQConsts(d *DepthwiseQ, u8 bool) dwQConsts {
	if !u8 {
		lo, hi := ActBounds(d.Act)
		return dwQConsts{lo: lo, hi: hi, inv: d.InvOut, zero: float32(d.Out.Zero)}
	}
	lo := max(d.Lo8, 0)
	q := uint32(math.RoundToEven(float64(lo)))
	qh := uint32(math.RoundToEven(float64(d.Hi8)))
	return dwQConsts{lo: lo, hi: d.Hi8, inv: 1, zero: 0, loU8: lo, hiU8: d.Hi8, qlo: q * 0x01010101, qhi: qh * 0x01010101}
}
