//go:build !(amd64 || arm64) || !gc || purego

package kernels

func (d *DepthwiseF32) pack() { d.Variant = "generic" }

func (d *DepthwiseF32) runRows(h, w, r0, r1 int, in, out []float32) {
	dwF32Generic(d, h, w, r0, r1, in, out)
}

func (d *DepthwiseF16) pack() { d.Variant = "generic" }

func (d *DepthwiseF16) runRows(h, w, r0, r1 int, in, out []uint16) {
	dwF16Generic(d, h, w, r0, r1, in, out)
}

// dwQVariant is the DepthwiseQ variant pack selects: generic, the only one
// this build has.
func dwQVariant(bits int) string { return "generic" }

// dwQExecBits is 8: the reference loop multiplies int8 values for both
// widths (see DepthwiseQExecBits).
func dwQExecBits(variant string, bits, c int) int { return 8 }

func (d *DepthwiseQ) pack() { d.Variant = dwQVariant(d.Bits) }

func (d *DepthwiseQ) runRows(h, w, r0, r1 int, in, out8 []uint8, out32 []float32) {
	dwQGeneric(d, h, w, r0, r1, in, out8, out32)
}
