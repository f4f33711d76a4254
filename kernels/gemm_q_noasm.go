//go:build !(amd64 || arm64) || !gc || purego

package kernels

// gemmQVariant is the GEMMQ variant pack selects: generic, the only one
// this build has.
func gemmQVariant(bits int) string { return "generic" }

// gemmQExecBits is 8: the reference loop multiplies int8 values for both
// widths (see GEMMQExecBits).
func gemmQExecBits(variant string, bits, k, n int) int { return 8 }

func (g *GEMMQ) pack() { g.Variant = gemmQVariant(g.Bits) }

func (g *GEMMQ) runRange(m0, m1, n0, n1 int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int, r []uint8) {
	gemmQGeneric(g, m0, m1, n0, n1, a, lda, c8, c32, ldc, r)
}
