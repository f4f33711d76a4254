// Package fp16 converts between float32 and IEEE 754 binary16 bit
// patterns, one value at a time. It is the one definition of the
// conversion: the kernels' SIMD slice conversions (kernels.F32ToF16,
// kernels.F16ToF32) are tested against it, and the ONNX decoder and the
// roofline's reference loops use it. It imports nothing of this module, so
// any package may use it.
package fp16

import "math"

// FromFloat32 rounds a float32 to binary16 (round to nearest even, as
// VCVTPS2PH with imm 0 and FCVTN do). NaNs stay NaN (quiet), with the top
// payload bits kept.
func FromFloat32(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00 | uint16(mant>>13)
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 31 {
		return sign | 0x7c00
	}
	if e > 0 {
		h := uint32(e)<<10 | mant>>13
		rem := mant & 0x1fff
		if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
			h++ // may carry into the exponent, up to infinity: still correct
		}
		return sign | uint16(h)
	}
	// Subnormal half (or zero): count in units of 2^-24.
	s := uint(14 - e)
	if s > 24 {
		return sign
	}
	m := mant | 0x800000
	if exp == 0 {
		return sign // float32 subnormals are far below half's range
	}
	h := m >> s
	rem := m & (1<<s - 1)
	half := uint32(1) << (s - 1)
	if rem > half || (rem == half && h&1 == 1) {
		h++
	}
	return sign | uint16(h)
}

// ToFloat32 widens a binary16 value exactly (every binary16 value,
// subnormals included, is a float32 normal or zero).
func ToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0:
		v := float32(mant) * (1.0 / (1 << 24))
		return math.Float32frombits(math.Float32bits(v) | sign)
	case exp == 31:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}
