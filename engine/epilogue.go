package engine

import "github.com/aiq-project/aiq/kernels"

// Elementwise epilogues of fused residual adds and format conversions.
// Each has a Go version (the reference) and, on amd64 with AVX-512, an
// assembly version for whole blocks of 16 values; the Go version does the
// tail. useAsm is decided per model at Compile from kernels.ISA, so
// AIQ_ISA=avx2 or generic turns it off together with the kernels.

// epiParams is the constant block the assembly reads (layout fixed).
type epiParams struct {
	sc, z    float32 // residual: real = sc * (q - z)
	lo, hi   float32 // activation clamp
	inv, oz  float32 // output: q = inv*y + oz
	c0, c255 float32
}

func asmLevel() bool {
	l := kernels.ISA()
	return hasEpilogueAsm && (l == "avx512" || l == "avx512vnni")
}

// addActU8 is y = act(y + dequant(r)), then quantized into dst, in one pass.
func addActU8(useAsm bool, dst []uint8, y []float32, t *tensor, off int, a kernels.Act, q kernels.Quant) {
	lo, hi := kernels.ActBounds(a)
	p := epiParams{sc: t.q.Scale, z: float32(t.q.Zero), lo: lo, hi: hi, inv: 1 / q.Scale, oz: float32(q.Zero), c255: 255}
	r := t.b[off : off+len(y)]
	dst = dst[:len(y)]
	i := 0
	if useAsm && len(y) >= 16 {
		i = len(y) &^ 15
		addActU8Asm(&dst[0], &r[0], &y[0], i, &p)
	}
	for ; i < len(y); i++ {
		v := min(max(y[i]+p.sc*(float32(r[i])-p.z), lo), hi)
		dst[i] = kernels.QuantizeU8(v, p.inv, q.Zero)
	}
}

// addActDeq is y = act(y + dequant(r)) for a uint8 residual r, the float32
// output of a conv whose residual input is stored as uint8.
func addActDeq(useAsm bool, y []float32, t *tensor, off int, a kernels.Act) {
	lo, hi := kernels.ActBounds(a)
	p := epiParams{sc: t.q.Scale, z: float32(t.q.Zero), lo: lo, hi: hi}
	r := t.b[off : off+len(y)]
	i := 0
	if useAsm && len(y) >= 16 {
		i = len(y) &^ 15
		addActDeqAsm(&y[0], &r[0], i, &p)
	}
	for ; i < len(y); i++ {
		y[i] = min(max(y[i]+float32(p.sc*(float32(r[i])-p.z)), lo), hi)
	}
}

// addActF32 is y = act(y + r) for a float32 residual r.
func addActF32(useAsm bool, y, r []float32, a kernels.Act) {
	lo, hi := kernels.ActBounds(a)
	r = r[:len(y)]
	i := 0
	if useAsm && len(y) >= 16 {
		i = len(y) &^ 15
		p := epiParams{lo: lo, hi: hi}
		addActF32Asm(&y[0], &r[0], i, &p)
	}
	for ; i < len(y); i++ {
		y[i] = min(max(y[i]+r[i], lo), hi)
	}
}

// quantizeU8 is the integer kernels' output step: round half to even of
// y/scale + zero, saturated to [0, 255].
func quantizeU8(useAsm bool, dst []uint8, y []float32, q kernels.Quant) {
	p := epiParams{inv: 1 / q.Scale, oz: float32(q.Zero), c255: 255}
	dst = dst[:len(y)]
	i := 0
	if useAsm && len(y) >= 16 {
		i = len(y) &^ 15
		quantizeU8Asm(&dst[0], &y[0], i, &p)
	}
	for ; i < len(y); i++ {
		dst[i] = kernels.QuantizeU8(y[i], p.inv, q.Zero)
	}
}
