//go:build !(amd64 || arm64) || !gc || purego

package kernels

func (g *GEMMF16) pack() { g.Variant = "generic" }

func (g *GEMMF16) runRange(m0, m1, n0, n1 int, a []uint16, lda int, c []uint16, ldc int) {
	gemmF16Generic(g, m0, m1, n0, n1, a, lda, c, ldc)
}

// f32ToF16Arch converts a prefix of src with SIMD and returns its length.
func f32ToF16Arch(dst []uint16, src []float32) int { return 0 }

// f16ToF32Arch converts a prefix of src with SIMD and returns its length.
func f16ToF32Arch(dst []float32, src []uint16) int { return 0 }
