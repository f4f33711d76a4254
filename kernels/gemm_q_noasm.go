//go:build !(amd64 || arm64) || !gc || purego

package kernels

func (g *GEMMQ) pack() { g.Variant = "generic" }

func (g *GEMMQ) runRange(m0, m1, n0, n1 int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int) {
	gemmQGeneric(g, m0, m1, n0, n1, a, lda, c8, c32, ldc)
}
