package kernels

import "github.com/aiq-project/aiq/kernels/fp16"

// F32ToF16One rounds a float32 to IEEE binary16 (round to nearest even);
// see fp16.FromFloat32, the one definition.
func F32ToF16One(f float32) uint16 { return fp16.FromFloat32(f) }

// F16ToF32One widens a binary16 value exactly; see fp16.ToFloat32.
func F16ToF32One(h uint16) float32 { return fp16.ToFloat32(h) }

// F32ToF16 converts min(len(dst), len(src)) values.
func F32ToF16(dst []uint16, src []float32) {
	n := min(len(dst), len(src))
	for i := f32ToF16Arch(dst[:n], src[:n]); i < n; i++ {
		dst[i] = F32ToF16One(src[i])
	}
}

// F16ToF32 converts min(len(dst), len(src)) values.
func F16ToF32(dst []float32, src []uint16) {
	n := min(len(dst), len(src))
	for i := f16ToF32Arch(dst[:n], src[:n]); i < n; i++ {
		dst[i] = F16ToF32One(src[i])
	}
}
