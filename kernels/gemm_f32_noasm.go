//go:build !(amd64 || arm64) || !gc || purego

package kernels

func (g *GEMMF32) pack() { g.Variant = "generic" }

func (g *GEMMF32) runRange(m0, m1, n0, n1 int, a []float32, lda int, c []float32, ldc int) {
	gemmF32Generic(g, m0, m1, n0, n1, a, lda, c, ldc)
}

// haveAsm is false: without assembly in this build (purego, another
// compiler or GOARCH) no level above generic can run, so cpu.go reports the
// CPU as featureless and ISA, Supported, Selected and Variant agree.
const haveAsm = false
