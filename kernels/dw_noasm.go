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

func (d *DepthwiseQ) pack() { d.Variant = "generic" }

func (d *DepthwiseQ) runRows(h, w, r0, r1 int, in, out8 []uint8, out32 []float32) {
	dwQGeneric(d, h, w, r0, r1, in, out8, out32)
}
