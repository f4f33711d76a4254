//go:build gc && !purego

package kernels

// haveAsm: this build has the assembly kernels (see cpu.go).
const haveAsm = true

// gemmF32NEON computes one 4x16 tile:
//
//	for r := range 4 {
//		for j := range 16 {
//			var acc float32
//			for k := range p.k { acc += a[r][k] * panel[k*16+j] }
//			c[r][j] = actF32(acc*scale[j]+bias[j], p.act)
//		}
//	}
//
// with scale and bias the 32 floats at p.meta.
//
//go:noescape
func gemmF32NEON(p *gemmArgs)

// Packed layout (neon): per 16-column panel, K rows of 16 weights (zero
// beyond N), then 16 scales and 16 biases.
func (g *GEMMF32) pack() {
	g.Variant = variantFor("gemm/fp32")
	if g.Variant == "generic" {
		return
	}
	g.nAlign, g.mTile = panelW, gemmRows
	stride := g.K*panelW + 2*panelW
	panels := ceilDiv(g.N, panelW)
	g.packed = make([]float32, panels*stride)
	for p := 0; p < panels; p++ {
		dst := g.packed[p*stride:]
		for j := 0; j < panelW; j++ {
			n := p*panelW + j
			if n >= g.N {
				break
			}
			for k := 0; k < g.K; k++ {
				dst[k*panelW+j] = g.W[k*g.N+n]
			}
			dst[g.K*panelW+j] = g.Scale[n]
			dst[g.K*panelW+panelW+j] = g.Bias[n]
		}
	}
}

func (g *GEMMF32) runRange(m0, m1, n0, n1 int, a []float32, lda int, c []float32, ldc int) {
	if g.Variant == "generic" {
		gemmF32Generic(g, m0, m1, n0, n1, a, lda, c, ldc)
		return
	}
	gemmFloatPanels(false, g.packed, g.K*panelW+2*panelW, g.K, g.Act, m0, m1, n0, n1, a, lda, c, ldc)
}
