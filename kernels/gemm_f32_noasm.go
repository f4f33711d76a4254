//go:build !amd64 || !gc || purego

package kernels

func (g *GEMMF32) pack() { g.Variant = "generic" }

func (g *GEMMF32) runRange(m0, m1, n0, n1 int, a []float32, lda int, c []float32, ldc int) {
	gemmF32Generic(g, m0, m1, n0, n1, a, lda, c, ldc)
}
