package fp16

import (
	"math"
	"testing"
)

func TestToFloat32(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	for h, want := range map[uint16]float32{
		0x3c00: 1, 0x3e00: 1.5, 0xc000: -2, 0x7bff: 65504, 0x0400: 0x1p-14,
		0x0001: 0x1p-24, 0x03ff: 0x1.ff8p-15, 0x8000: negZero, 0x0000: 0,
	} {
		if got := ToFloat32(h); got != want || math.Signbit(float64(got)) != math.Signbit(float64(want)) {
			t.Errorf("ToFloat32(%#04x) = %v, want %v", h, got, want)
		}
	}
	if !math.IsInf(float64(ToFloat32(0x7c00)), 1) || !math.IsInf(float64(ToFloat32(0xfc00)), -1) || !math.IsNaN(float64(ToFloat32(0x7e00))) {
		t.Error("inf/NaN")
	}
}

func TestFromFloat32(t *testing.T) {
	for _, c := range []struct {
		f float32
		h uint16
	}{
		{1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {65519, 0x7bff},
		{0x1p-24, 0x0001}, {0x1p-25, 0x0000}, {0x1.8p-25, 0x0001}, {0x1p-14, 0x0400},
		{1 + 0x1p-11, 0x3c00}, {1 + 0x3p-11, 0x3c02}, {float32(math.Inf(-1)), 0xfc00},
		{0x1p-149, 0x0000}, {-0x1p-149, 0x8000},
	} {
		if got := FromFloat32(c.f); got != c.h {
			t.Errorf("FromFloat32(%v) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	// Every binary16 value survives a round trip through float32; NaNs
	// stay NaN.
	for h := 0; h < 1<<16; h++ {
		f := ToFloat32(uint16(h))
		back := FromFloat32(f)
		if math.IsNaN(float64(f)) {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Fatalf("NaN %#04x came back as %#04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("%#04x -> %v -> %#04x", h, f, back)
		}
	}
}
