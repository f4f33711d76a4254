//go:build gc && !purego

package kernels

import "unsafe"

// The integer GEMM tiles compute, for 4 rows and 16 columns of a panel,
//
//	y0 := float32(0)
//	for g := range p.groups {
//		acc := corr[g][j]                     // int32 column constant
//		for k in group g { acc += term(a[r][k], w[k][j]) }
//		y0 = y0 + float32(float32(acc)*S[g][j])
//	}
//	y := actF32(y0+bias[j], p.act)
//	c[r][j] = y                                          p.out8 0
//	c[r][j] = QuantizeU8(y, p.invOut, Out.Zero)          p.out8 1 (groups)
//
// and for p.out8 2, the uint8 output without groups (one group):
//
//	t := fma32(float32(acc), S8[j], B8[j])               one FMLA, rounded once
//	c[r][j] = RoundToEven(min(max(t, p.lo8), p.hi8))
//
// That is GEMMQ's one-step requantization (requantU8): the panel's
// alternate constants hold S8 and B8 in place of S and bias, act is 0 and
// the clamp is [max(Lo8, 0), Hi8]. The two-step QuantizeU8 clamps to
// [0, 255] (p.lo8, p.hi8). p.out8 3 is p.out8 2 with the uint8 residual
// (RunRes, requantU8Res), one more FMLA before the clamp:
//
//	t = fma32(float32(res[r][j]), p.r8, t)               rounded once
//
// with the residual's rows at p.r (B8 holds -R8*Res.Zero, see GEMMQ).
//
// dot variants (ASIMDDP): term = int8(a ^ 0x80) * w, 4 values of K per step
// (SDOT), corr = (128 - In.Zero) * sum w, so acc = sum (a - In.Zero) * w.
// wide variants (NEON): term = a * w widened to 16 bits (SMLAL), one value
// per step, corr = -In.Zero * sum w.

// gemmQDot8 is the loop above with SDOT on int8 weights.
//
//go:noescape
func gemmQDot8(p *gemmArgs)

// gemmQDot4 is gemmQDot8 with int4 weights unpacked by SHL/SSHR.
//
//go:noescape
func gemmQDot4(p *gemmArgs)

// gemmQWide8 is the loop above with SXTL/UXTL and SMLAL on int8 weights.
//
//go:noescape
func gemmQWide8(p *gemmArgs)

// gemmQWide4 is gemmQWide8 with int4 weights unpacked by SHL/SSHR.
//
//go:noescape
func gemmQWide4(p *gemmArgs)

// gemmQVariant is the GEMMQ variant pack selects under the current
// features for bits-bit weights.
func gemmQVariant(bits int) string { return variantFor("gemm/int" + itoa(bits)) }

// gemmQExecBits is the weight width the kernels of the variant run: both
// NEON variants nibble-pack int4 for every shape (gemmQDot4, gemmQWide4),
// the generic loop multiplies int8 values (see GEMMQExecBits). The packing
// and the dispatch take the width from here (qLayout.bits).
func gemmQExecBits(variant string, bits, k, n int) int {
	if variant == "generic" {
		return 8
	}
	return bits
}

// qLayout describes the packed panels of a GEMMQ on arm64.
type qLayout struct {
	dot          bool
	bits         int // packed weight width: gemmQExecBits
	gsize        int // K values per group
	groups       int
	kLast        int // K values of the last group
	steps        int // steps per full panel: K/4 rounded up per group (dot), or K
	stepBytes    int // packed bytes per step
	bBytes, meta int // panel weight and constant bytes
	oneStep      int // without groups: offset of the one-step uint8 constants in the panel constants, else 0
}

func (g *GEMMQ) layout() qLayout {
	l := qLayout{dot: g.Variant == "neon-dotprod", bits: gemmQExecBits(g.Variant, g.Bits, g.K, g.N),
		groups: g.Groups(), gsize: g.Group}
	if l.gsize == 0 {
		l.gsize = g.K
	}
	l.kLast = g.K - (l.groups-1)*l.gsize
	if l.dot {
		l.steps = (l.groups-1)*(l.gsize/4) + ceilDiv(l.kLast, 4)
		l.stepBytes = 64 * l.bits / 8
	} else {
		l.steps = g.K
		l.stepBytes = panelW * l.bits / 8
	}
	l.bBytes = l.steps * l.stepBytes
	l.meta = l.groups*2*4*panelW + 4*panelW
	if l.groups == 1 {
		l.oneStep = l.meta
		l.meta += 3 * 4 * panelW
	}
	return l
}

// Packed layout per 16-column panel: the steps of K (see qLayout), then per
// group 16 int32 column constants and 16 float32 scales, then 16 biases.
// Without groups the uint8 output's constants follow: the 16 column
// constants again, 16 S8 and 16 B8 (see GEMMQ), read by the same kernels.
//
// dot step: 4 vectors, vector j holds columns 4j..4j+3, 4 K values each;
// int4 packs vectors 2h and 2h+1 into the low and high nibbles of vector h.
// wide step: 16 columns of one K value; int4 packs columns i and i+8 into
// the low and high nibble of byte i.
func (g *GEMMQ) pack() {
	g.Variant = gemmQVariant(g.Bits)
	if g.Variant == "generic" {
		return
	}
	g.nAlign, g.mTile = panelW, gemmRows
	l := g.layout()
	stride := l.bBytes + l.meta
	panels := ceilDiv(g.N, panelW)
	g.packed = make([]byte, panels*stride)
	q := func(k, n int) int8 { // zero beyond K, N and the group ends
		if k >= g.K || n >= g.N {
			return 0
		}
		return g.Q[k*g.N+n]
	}
	var un [64]int8
	for p := 0; p < panels; p++ {
		dst := g.packed[p*stride:]
		n0 := p * panelW
		s := 0
		for gi := 0; gi < l.groups; gi++ {
			k0, k1 := gi*l.gsize, min((gi+1)*l.gsize, g.K)
			if !l.dot {
				for k := k0; k < k1; k++ {
					for j := 0; j < panelW; j++ {
						un[j] = q(k, n0+j)
					}
					packStep(dst[s*l.stepBytes:], un[:panelW], l.bits, 8)
					s++
				}
				continue
			}
			for kb := k0; kb < k1; kb += 4 {
				for i := range un {
					j, c, kk := i/16, i%16/4, i%4
					un[i] = 0
					if kb+kk < k1 {
						un[i] = q(kb+kk, n0+4*j+c)
					}
				}
				packStep(dst[s*l.stepBytes:], un[:], l.bits, 16)
				s++
			}
		}
		meta := dst[l.bBytes:]
		for gi := 0; gi < l.groups; gi++ {
			corr := unsafe.Slice((*int32)(unsafe.Pointer(&meta[gi*8*panelW])), panelW)
			sc := unsafe.Slice((*float32)(unsafe.Pointer(&meta[gi*8*panelW+4*panelW])), panelW)
			k0, k1 := gi*l.gsize, min((gi+1)*l.gsize, g.K)
			for j := 0; j < panelW && n0+j < g.N; j++ {
				n := n0 + j
				corr[j] = -g.ZeroCorr[gi*g.N+n]
				if l.dot {
					var sum int32
					for k := k0; k < k1; k++ {
						sum += int32(g.Q[k*g.N+n])
					}
					corr[j] += 128 * sum
				}
				sc[j] = g.S[gi*g.N+n]
			}
		}
		bias := unsafe.Slice((*float32)(unsafe.Pointer(&meta[l.groups*8*panelW])), panelW)
		for j := 0; j < panelW && n0+j < g.N; j++ {
			bias[j] = g.Bias[n0+j]
		}
		if l.oneStep != 0 {
			alt := meta[l.oneStep:]
			copy(alt[:4*panelW], meta[:4*panelW])
			s8 := unsafe.Slice((*float32)(unsafe.Pointer(&alt[4*panelW])), panelW)
			b8 := unsafe.Slice((*float32)(unsafe.Pointer(&alt[8*panelW])), panelW)
			for j := 0; j < panelW && n0+j < g.N; j++ {
				s8[j], b8[j] = g.S8[n0+j], g.B8[n0+j]
			}
		}
	}
}

// packStep stores one step of int8 values, or for 4 bits packs value i and
// i+half of each 2*half block into the low and high nibble of one byte.
func packStep(dst []byte, un []int8, bits, half int) {
	if bits == 8 {
		for i, v := range un {
			dst[i] = byte(v)
		}
		return
	}
	for b := 0; b < len(un); b += 2 * half {
		for i := 0; i < half; i++ {
			dst[b/2+i] = byte(un[b+i])&0x0f | byte(un[b+half+i])<<4
		}
	}
}

func (g *GEMMQ) runRange(m0, m1, n0, n1 int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int, r []uint8) {
	if g.Variant == "generic" {
		gemmQGeneric(g, m0, m1, n0, n1, a, lda, c8, c32, ldc, r)
		return
	}
	l := g.layout()
	var ytmp, scratch [gemmRows * panelW]float32
	var tail [gemmRows][4]byte
	var rtmp [gemmRows][panelW]byte // residual of missing rows and columns
	p := gemmArgs{groups: l.groups, act: int(g.Act), out8: boolInt(c8 != nil),
		invOut: g.InvOut, outZero: float32(g.Out.Zero), lo8: 0, hi8: 255, ytmp: unsafe.Pointer(&ytmp)}
	metaOff := l.bBytes
	if c8 != nil && l.oneStep != 0 {
		// One-step uint8 output: S8 and B8 put y in the output scale, the
		// activation is the clamp.
		p.act, p.out8, p.lo8, p.hi8 = int(ActNone), 2, max(g.Lo8, 0), g.Hi8
		metaOff += l.oneStep
		if r != nil { // PackGEMMQRes: no groups, B8 holds -R8*Res.Zero
			p.out8, p.r8 = 3, g.R8
		}
	}
	full := 0 // K values the kernel reads from A's rows
	if l.dot {
		p.k, p.kLast = l.gsize/4, l.kLast/4
		full = g.K &^ 3
	} else {
		p.k, p.kLast = l.gsize, l.kLast
		full = g.K
	}
	if full < g.K {
		p.tail = unsafe.Pointer(&tail)
	}
	stride := l.bBytes + l.meta
	for n := n0; n < n1; n += panelW {
		w := min(panelW, n1-n)
		pan := g.packed[n/panelW*stride:]
		p.b, p.meta = unsafe.Pointer(&pan[0]), unsafe.Pointer(&pan[metaOff])
		for m := m0; m < m1; m += gemmRows {
			rows := min(gemmRows, m1-m)
			for i := 0; i < gemmRows; i++ {
				row := (m + min(i, rows-1)) * lda
				p.a[i] = rowPtr(a, row, full)
				if p.tail != nil {
					tail[i] = [4]byte{}
					copy(tail[i][:], a[row+full:row+g.K])
				}
				switch {
				case i >= rows || w < panelW:
					p.c[i] = unsafe.Pointer(&scratch[i*panelW])
				case c8 != nil:
					p.c[i] = unsafe.Pointer(&c8[(m+i)*ldc+n])
				default:
					p.c[i] = unsafe.Pointer(&c32[(m+i)*ldc+n])
				}
				if p.out8 == 3 {
					// The kernel reads 16 bytes of every residual row: the
					// rows of a partial panel are copied to rtmp, so nothing
					// is read past r's end; missing rows read rtmp as is.
					switch o := (m+i)*ldc + n; {
					case i >= rows:
						p.r[i] = unsafe.Pointer(&rtmp[i])
					case w < panelW:
						copy(rtmp[i][:w], r[o:o+w])
						p.r[i] = unsafe.Pointer(&rtmp[i])
					default:
						p.r[i] = unsafe.Pointer(&r[o])
					}
				}
			}
			// Direct calls: a function value would make p escape.
			switch {
			case l.dot && l.bits == 8:
				gemmQDot8(&p)
			case l.dot:
				gemmQDot4(&p)
			case l.bits == 8:
				gemmQWide8(&p)
			default:
				gemmQWide4(&p)
			}
			if w < panelW {
				for i := 0; i < rows; i++ {
					o := (m+i)*ldc + n
					if c8 != nil {
						copy(c8[o:o+w], unsafe.Slice((*byte)(unsafe.Pointer(&scratch[i*panelW])), panelW))
					} else {
						copy(c32[o:o+w], scratch[i*panelW:])
					}
				}
			}
		}
	}
}
