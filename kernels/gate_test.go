package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkGate is the kernel set of CI's A/B regression gate (.ci/gate.sh):
// every format of GEMM and depthwise on a few shapes of the shipped models'
// regimes (compute-bound 3x3 conv, narrow-N conv, pointwise, GEMV-like fc,
// depthwise stride 1 and 2), with the variant the CPU (or AIQ_ISA)
// selects. Names leave the variant out, so a build or an AIQ_ISA that
// selects a slower variant shows as a slowdown of the same point.
func BenchmarkGate(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	gemms := []gemmShape{{4096, 64, 576}, {16384, 16, 144}, {4096, 576, 96}, {64, 10, 1280}}
	dws := []dwShape{{144, 32, 32, 1}, {576, 8, 8, 2}}
	for _, f := range Formats {
		for _, s := range gemms {
			b.Run(fmt.Sprintf("gemm/%s/%s", f, s), func(b *testing.B) { benchGEMM(b, r, f, s) })
		}
		for _, s := range dws {
			b.Run(fmt.Sprintf("dw/%s/b16-%s", f, s), func(b *testing.B) { benchDW(b, r, f, 16, s) })
		}
	}
}
