//go:build gc && !purego

package kernels

import "unsafe"

// gemmF16NEON computes one 4x16 tile of binary16 C from binary16 A and the
// panel, in float32 (FCVTL, FMLA, FCVTN):
//
//	for r := range 4 {
//		for j := range 16 {
//			var acc float32
//			for k := range p.k { acc += F16ToF32One(a[r][k]) * F16ToF32One(panel[k*16+j]) }
//			c[r][j] = F32ToF16One(actF32(acc*scale[j]+bias[j], p.act))
//		}
//	}
//
//go:noescape
func gemmF16NEON(p *gemmArgs)

// f32ToF16NEON converts n values, n a multiple of 8 (FCVTN, round to
// nearest even):
//
//	for i := range n { dst[i] = F32ToF16One(src[i]) }
//
//go:noescape
func f32ToF16NEON(dst *uint16, src *float32, n int)

// f16ToF32NEON widens n values, n a multiple of 8 (FCVTL):
//
//	for i := range n { dst[i] = F16ToF32One(src[i]) }
//
//go:noescape
func f16ToF32NEON(dst *float32, src *uint16, n int)

// Packed layout (neon and neon-fp16 alike, see below): per 16-column panel,
// K rows of 16 binary16 weights, then 16 float32 scales and 16 float32
// biases (two uint16 cells each).
//
// neon-fp16 runs the same float32-accumulating kernel: FMLA .8H would round
// every partial sum to 11 bits, an error near sqrt(K)*2^-11 of the result,
// beyond the fp16 GEMM contract (K*2^-22 relative plus 2^-10). The exact
// widening FMLAL needs FEAT_FHM, which the neon-fp16 level does not imply.
func (g *GEMMF16) pack() {
	g.Variant = variantFor("gemm/fp16")
	if g.Variant == "generic" {
		return
	}
	g.nAlign, g.mTile = panelW, gemmRows
	stride := g.K*panelW + 4*panelW
	panels := ceilDiv(g.N, panelW)
	g.packed = make([]uint16, panels*stride)
	for p := 0; p < panels; p++ {
		dst := g.packed[p*stride:]
		meta := unsafe.Slice((*float32)(unsafe.Pointer(&dst[g.K*panelW])), 2*panelW)
		for j := 0; j < panelW; j++ {
			n := p*panelW + j
			if n >= g.N {
				break
			}
			for k := 0; k < g.K; k++ {
				dst[k*panelW+j] = g.W[k*g.N+n]
			}
			meta[j], meta[panelW+j] = g.Scale[n], g.Bias[n]
		}
	}
}

func (g *GEMMF16) runRange(m0, m1, n0, n1 int, a []uint16, lda int, c []uint16, ldc int) {
	if g.Variant == "generic" {
		gemmF16Generic(g, m0, m1, n0, n1, a, lda, c, ldc)
		return
	}
	gemmFloatPanels(true, g.packed, g.K*panelW+4*panelW, g.K, g.Act, m0, m1, n0, n1, a, lda, c, ldc)
}

// f32ToF16Arch converts a prefix of src with SIMD and returns its length.
func f32ToF16Arch(dst []uint16, src []float32) int {
	n := len(src) &^ 7
	if !hasNEON || n == 0 {
		return 0
	}
	f32ToF16NEON(&dst[0], &src[0], n)
	return n
}

// f16ToF32Arch converts a prefix of src with SIMD and returns its length.
func f16ToF32Arch(dst []float32, src []uint16) int {
	n := len(src) &^ 7
	if !hasNEON || n == 0 {
		return 0
	}
	f16ToF32NEON(&dst[0], &src[0], n)
	return n
}
