//go:build gc && !purego

package kernels

import "unsafe"

// haveAsm: this build has the assembly kernels (see cpu.go).
const haveAsm = true

// The amd64 float GEMMs share one layout. B is cut into panels of w columns
// (w = 16 floats, one zmm, for avx512; 8, one ymm, for avx2), zero-padded to
// the panel width so the microkernel never masks a B load. Panels are
// grouped as the tiles use them (4 for avx512, 2 for avx2; the last group
// may be smaller) and a group is stored K-major with its panels interleaved,
// np*w values per k: one contiguous stream per tile, with no 4 KiB-aliased
// panel strides. After the panels come the scale and the bias, each padded
// to panels*w. A tile of mr rows x np adjacent panels keeps mr*np vector
// accumulators in registers; A is read in place with broadcasts; the
// epilogue scales, adds the bias, clamps and stores, masking the columns
// past N (avx512) or going through a scratch tile (avx2).

// floatLanes is the float32 lanes of one vector of variant, 0 when it has
// no assembly: the width of a GEMM panel and the channel block of the
// depthwise float kernels.
func floatLanes(variant string) int {
	switch variant {
	case "avx512":
		return 16
	case "avx2":
		return 8
	}
	return 0
}

// tileRows lists, per panels-per-tile, the microkernel heights, tallest
// first: 24 accumulators in zmm (12 in ymm) leave room for B and the
// broadcasts. Narrow N gets taller tiles so each B load feeds more FMAs.
func tileRows(variant string, np int) []int {
	if np > fullGroup(variant) {
		return []int{2, 1} // dual kernels, for GEMV-like calls
	}
	if variant == "avx512" {
		switch np {
		case 4:
			return []int{6, 4, 2, 1}
		case 2:
			return []int{12, 8, 4, 2, 1}
		}
		return []int{24, 16, 8, 4, 2, 1}
	}
	if np == 2 {
		return []int{6, 4, 2, 1}
	}
	return []int{12, 8, 4, 2, 1}
}

// groupPanels is the panels of the group starting at panel p (a multiple
// of the full group) out of panels.
func groupPanels(variant string, p, panels int) int {
	rest := panels - p
	switch {
	case rest >= 4 && variant == "avx512":
		return 4
	case rest >= 2:
		return 2
	}
	return 1
}

// groupCols is the width of a full group, the column split alignment.
func groupCols(variant string) int { return fullGroup(variant) * floatLanes(variant) }

// fullGroup is the panels of a full group.
func fullGroup(variant string) int {
	if variant == "avx512" {
		return 4
	}
	return 2
}

// dualRows: blocks of at most this many rows run two full groups per tile
// (two B streams: a GEMV is bound by memory latency, not bandwidth).
const dualRows = 2

// tilePanels is the panels the tile at panel p covers: its group, or two
// full groups within [.., n1) for a dual tile.
func tilePanels(variant string, p, panels, n1, rows int, dual bool) int {
	np := groupPanels(variant, p, panels)
	full := fullGroup(variant)
	w := floatLanes(variant)
	if dual && rows <= dualRows && np == full && (p+np)*w < n1 && groupPanels(variant, p+np, panels) == full {
		return 2 * full
	}
	return np
}

// pickRows is the tallest tile height of np panels not above rest.
func pickRows(variant string, np, rest int) int {
	for _, r := range tileRows(variant, np) {
		if r <= rest {
			return r
		}
	}
	return 1
}

// tileMTile is the row multiple that parallel splits round to: every tall
// tile height divides it.
func tileMTile(variant string) int {
	if variant == "avx512" {
		return 24
	}
	return 12
}

// blockRows is the A rows handled per pass over all column groups, so the
// block (about 512 KiB of float32) stays in L2 while B panels stream past.
func blockRows(k, mTile int) int {
	r := (128 << 10) / max(k, 1)
	return max(mTile, r/mTile*mTile)
}

// aPrefetchAhead is extra bytes of lead for the A prefetches, which matters
// when K is small and two tiles of A are only a few cache lines.
const aPrefetchAhead = 1024

// packGroups writes b (K x N row-major) into dst as interleaved panel
// groups of variant; the group at panel p starts at dst[p*K*w].
func packGroups[T float32 | uint16](variant string, dst, b []T, k, n int) {
	w := floatLanes(variant)
	panels := ceilDiv(n, w)
	for p := 0; p < panels; {
		np := groupPanels(variant, p, panels)
		grp := dst[p*k*w:]
		cols := min(np*w, n-p*w)
		for kk := 0; kk < k; kk++ {
			copy(grp[kk*np*w:kk*np*w+cols], b[kk*n+p*w:kk*n+p*w+cols])
		}
		p += np
	}
}

func (g *GEMMF32) pack() {
	g.Variant = variantFor("gemm/fp32")
	w := floatLanes(g.Variant)
	if w == 0 {
		g.Variant = "generic"
		return
	}
	panels := ceilDiv(g.N, w)
	g.packed = make([]float32, panels*w*(g.K+2))
	packGroups(g.Variant, g.packed, g.W, g.K, g.N)
	copy(g.packed[panels*w*g.K:], g.Scale)
	copy(g.packed[panels*w*(g.K+1):], g.Bias)
	g.nAlign, g.mTile = groupCols(g.Variant), tileMTile(g.Variant)
}

// tileRefF32 is what every fp32 tile kernel computes, on element strides:
// mr rows of A times np panels of B (one group, its panels interleaved, or
// two adjacent full groups), the epilogue, and a store of the np*w columns,
// the last panel's only where mask has a bit (avx512; avx2 stores all).
// Tiles of 4 rows or more also prefetch from pf onwards (a hint: any
// address is safe).
func tileRefF32(w, mr, np int, a []float32, lda int, b []float32, k int, c []float32, ldc int, scale, bias []float32, act int, mask uint64) {
	for i := 0; i < mr; i++ {
		for j := 0; j < np*w; j++ {
			if j >= (np-1)*w && mask>>(j-(np-1)*w)&1 == 0 {
				continue
			}
			var acc float32
			for kk := 0; kk < k; kk++ {
				acc += a[i*lda+kk] * b[panelIndex(w, np, k, kk, j)]
			}
			c[i*ldc+j] = actF32(acc*scale[j]+bias[j], Act(act))
		}
	}
}

// panelIndex is the index of B[kk][j] in a tile's panels (see tileRefF32).
func panelIndex(w, np, k, kk, j int) int {
	gp := min(np, 2) // panels per group: 2 of 8 floats (avx2), 4 of 16 (avx512)
	if w == 16 {
		gp = min(np, 4)
	}
	p := j / w
	return (p/gp)*k*gp*w + kk*gp*w + (p%gp)*w + j%w
}

func (g *GEMMF32) runRange(m0, m1, n0, n1 int, a []float32, lda int, c []float32, ldc int) {
	w := floatLanes(g.Variant)
	if w == 0 {
		gemmF32Generic(g, m0, m1, n0, n1, a, lda, c, ldc)
		return
	}
	k, panels := g.K, ceilDiv(g.N, w)
	scale := g.packed[panels*w*k:]
	bias := g.packed[panels*w*(k+1):]
	// A is only addressed, never sliced: with K = 0 it may be empty.
	abase := unsafe.Pointer(unsafe.SliceData(a))
	mc := blockRows(k, g.mTile)
	var scratch [12 * 16]float32 // avx2 tile whose last panel is partial
	for mb := m0; mb < m1; mb += mc {
		me := min(mb+mc, m1)
		for p := n0 / w; p*w < n1; {
			np := tilePanels(g.Variant, p, panels, n1, me-mb, true)
			valid := min(n1, (p+np)*w) - (p+np-1)*w // columns in the last panel
			mask := uint64(1)<<valid - 1
			bp := &g.packed[p*k*w]
			for m := mb; m < me; {
				mr := pickRows(g.Variant, np, me-m)
				ap := (*float32)(abase)
				if k > 0 { // with K = 0 row m may start past the end of A
					ap = (*float32)(unsafe.Add(abase, 4*m*lda))
				}
				// Rows two tiles ahead, for the kernel's prefetches (which
				// never fault, so running past A is harmless).
				pf := uintptr(abase) + uintptr(4*(m+2*mr)*lda+aPrefetchAhead)
				cp := &c[m*ldc+p*w]
				if g.Variant == "avx512" {
					tileF32AVX512(mr, np, ap, lda, bp, k, cp, ldc, &scale[p*w], &bias[p*w], int(g.Act), mask, pf)
				} else if valid == w {
					tileF32AVX2(mr, np, ap, lda, bp, k, cp, ldc, &scale[p*w], &bias[p*w], int(g.Act), mask, pf)
				} else {
					sw := np * w
					tileF32AVX2(mr, np, ap, lda, bp, k, &scratch[0], sw, &scale[p*w], &bias[p*w], int(g.Act), mask, pf)
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
}
