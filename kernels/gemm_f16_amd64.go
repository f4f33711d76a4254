//go:build gc && !purego

package kernels

import (
	"sync"
	"unsafe"
)

// The fp16 GEMM uses the fp32 panel layout (see gemm_f32_amd64.go) with
// binary16 panels. A is widened once per row block into a float32 scratch
// buffer, which costs K conversions per row against N*K multiply-adds. When
// a row block needs one tile per panel group (few rows: the weight-bound,
// GEMV-like case) the kernel widens B with VCVTPH2PS as it streams it, so
// weights cross memory once at half width; with more rows a group is
// widened once into a float32 scratch (K*64 values, L2-resident) and every
// tile runs at fp32 speed on it, since VCVTPH2PS competes with the FMAs
// for the same ports. C is narrowed with VCVTPS2PH (round to nearest even)
// in the store. The padded scale and bias follow the panels as float32, in
// the same allocation.

func (g *GEMMF16) pack() {
	g.Variant = variantFor("gemm/fp16")
	w := floatLanes(g.Variant)
	if w == 0 {
		g.Variant = "generic"
		return
	}
	k, n := g.K, g.N
	panels := ceilDiv(n, w)
	halves := panels * k * w
	halves += halves & 1 // the float32 tail starts 4-byte aligned
	buf := make([]float32, halves/2+2*panels*w)
	g.packed = unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(buf))), 2*len(buf))
	packGroups(g.Variant, g.packed, g.W, k, n)
	copy(buf[halves/2:], g.Scale)
	copy(buf[halves/2+panels*w:], g.Bias)
	g.nAlign, g.mTile = groupCols(g.Variant), tileMTile(g.Variant)
}

// epilogue returns the padded scale and bias stored after the panels.
func (g *GEMMF16) epilogue(w int) (scale, bias []float32) {
	panels := ceilDiv(g.N, w)
	halves := panels * g.K * w
	halves += halves & 1
	f := unsafe.Slice((*float32)(unsafe.Pointer(&g.packed[halves])), 2*panels*w)
	return f[:panels*w], f[panels*w:]
}

// tileRefF16 is what every fp16 tile kernel computes: tileRefF32 with
// binary16 B and C.
func tileRefF16(w, mr, np int, a []float32, lda int, b []uint16, k int, c []uint16, ldc int, scale, bias []float32, act int, mask uint64) {
	for i := 0; i < mr; i++ {
		for j := 0; j < np*w; j++ {
			if j >= (np-1)*w && mask>>(j-(np-1)*w)&1 == 0 {
				continue
			}
			var acc float32
			for kk := 0; kk < k; kk++ {
				acc += a[i*lda+kk] * F16ToF32One(b[panelIndex(w, np, k, kk, j)])
			}
			c[i*ldc+j] = F32ToF16One(actF32(acc*scale[j]+bias[j], Act(act)))
		}
	}
}

// tileRefF16W is what every widened-B fp16 tile kernel computes:
// tileRefF32 with binary16 C.
func tileRefF16W(w, mr, np int, a []float32, lda int, b []float32, k int, c []uint16, ldc int, scale, bias []float32, act int, mask uint64) {
	for i := 0; i < mr; i++ {
		for j := 0; j < np*w; j++ {
			if j >= (np-1)*w && mask>>(j-(np-1)*w)&1 == 0 {
				continue
			}
			var acc float32
			for kk := 0; kk < k; kk++ {
				acc += a[i*lda+kk] * b[kk*np*w+j]
			}
			c[i*ldc+j] = F32ToF16One(actF32(acc*scale[j]+bias[j], Act(act)))
		}
	}
}

// widenTiles: a row block of more than this many tiles per group widens the
// group first.
const widenTiles = 3

// wideAllMax is the most float32 values of widened B kept for a whole call.
const wideAllMax = 64 << 10

// f16Scratch holds a widened A row block and a widened B group.
type f16Scratch struct{ rows, group []float32 }

var f16Scratches = sync.Pool{New: func() any { return new(f16Scratch) }}

// grow returns s[:n], reallocated if too short; n+1 keeps &s[0] valid for n = 0.
func grow(s []float32, n int) []float32 {
	if cap(s) < n+1 {
		s = make([]float32, n+1)
	}
	return s[:n+1]
}

func (g *GEMMF16) runRange(m0, m1, n0, n1 int, a []uint16, lda int, c []uint16, ldc int) {
	w := floatLanes(g.Variant)
	if w == 0 {
		gemmF16Generic(g, m0, m1, n0, n1, a, lda, c, ldc)
		return
	}
	k, panels := g.K, ceilDiv(g.N, w)
	scale, bias := g.epilogue(w)
	mc := min(blockRows(k, g.mTile), m1-m0)
	sc := f16Scratches.Get().(*f16Scratch)
	// When every group of [n0, n1) fits in L2 widened, widen them once and
	// walk A in small blocks, so each widened A block is consumed from L1.
	pa, pz := n0/w, min(ceilDiv(n1, w), panels)
	wideAll := m1-m0 > widenTiles*g.mTile && k*(pz-pa)*w <= wideAllMax
	if wideAll {
		mc = 2 * g.mTile
		sc.group = grow(sc.group, k*(pz-pa)*w)
		F16ToF32(sc.group, g.packed[pa*k*w:pz*k*w])
	}
	sc.rows = grow(sc.rows, mc*k)
	rows := sc.rows
	var scratch [12 * 16]uint16 // avx2 tile whose last panel is partial
	for mb := m0; mb < m1; mb += mc {
		me := min(mb+mc, m1)
		if lda == k { // dense rows: one call, not one per row
			F16ToF32(rows[:(me-mb)*k], a[mb*k:me*k])
		} else {
			for m := mb; m < me; m++ {
				F16ToF32(rows[(m-mb)*k:(m-mb+1)*k], a[m*lda:m*lda+k])
			}
		}
		for p := n0 / w; p*w < n1; {
			np := tilePanels(g.Variant, p, panels, n1, me-mb, !wideAll)
			valid := min(n1, (p+np)*w) - (p+np-1)*w
			mask := uint64(1)<<valid - 1
			bp := &g.packed[p*k*w]
			var bw *float32 // the group widened, when several tiles share it
			if wideAll {
				bw = &sc.group[(p-pa)*k*w]
			} else if me-mb > widenTiles*tileRows(g.Variant, np)[0] {
				sc.group = grow(sc.group, k*np*w)
				F16ToF32(sc.group, g.packed[p*k*w:(p+np)*k*w])
				bw = &sc.group[0]
			}
			for m := mb; m < me; {
				mr := pickRows(g.Variant, np, me-m)
				ap := &rows[(m-mb)*k]
				// The next block's binary16 rows: widening them is a pass of
				// its own, not overlapped with the FMAs unless prefetched.
				pf := uintptr(unsafe.Pointer(unsafe.SliceData(a))) + uintptr(2*(me+m-mb)*lda)
				cp := &c[m*ldc+p*w]
				sw := np * w
				partial := g.Variant == "avx2" && valid != w
				if partial {
					cp = &scratch[0]
				}
				ldcT := ldc
				if partial {
					ldcT = sw
				}
				switch {
				case g.Variant == "avx512" && bw != nil:
					tileF16WAVX512(mr, np, ap, k, bw, k, cp, ldcT, &scale[p*w], &bias[p*w], int(g.Act), mask, pf)
				case g.Variant == "avx512":
					tileF16AVX512(mr, np, ap, k, bp, k, cp, ldcT, &scale[p*w], &bias[p*w], int(g.Act), mask, pf)
				case bw != nil:
					tileF16WAVX2(mr, np, ap, k, bw, k, cp, ldcT, &scale[p*w], &bias[p*w], int(g.Act), mask, pf)
				default:
					tileF16AVX2(mr, np, ap, k, bp, k, cp, ldcT, &scale[p*w], &bias[p*w], int(g.Act), mask, pf)
				}
				if partial {
					for i := 0; i < mr; i++ {
						row := c[(m+i)*ldc+p*w:]
						copy(row[:sw-w+valid], scratch[i*sw:])
					}
				}
				m += mr
			}
			p += np
		}
	}
	f16Scratches.Put(sc)
}

// f32ToF16Arch converts a prefix of src with SIMD and returns its length.
func f32ToF16Arch(dst []uint16, src []float32) int {
	n := len(src)
	switch {
	case n == 0:
	case hasAVX512:
		f32ToF16AVX512(&dst[0], &src[0], n)
		return n
	case hasAVX2 && n >= 8:
		n &^= 7
		f32ToF16F16C(&dst[0], &src[0], n)
		return n
	}
	return 0
}

// f16ToF32Arch converts a prefix of src with SIMD and returns its length.
func f16ToF32Arch(dst []float32, src []uint16) int {
	n := len(src)
	switch {
	case n == 0:
	case hasAVX512:
		f16ToF32AVX512(&dst[0], &src[0], n)
		return n
	case hasAVX2 && n >= 8:
		n &^= 7
		f16ToF32F16C(&dst[0], &src[0], n)
		return n
	}
	return 0
}
