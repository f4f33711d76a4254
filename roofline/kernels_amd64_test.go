//go:build gc && !purego

package roofline

import (
	"testing"

	"github.com/aiq-project/aiq/kernels"
)

// alignedFloats returns n float32 aligned to 64 bytes followed by guard
// values, so stray writes past n show up.
func alignedFloats(t *testing.T, n int) (x, guard []float32) {
	t.Helper()
	m, _, free, err := allocFloats(n + 128)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(free)
	for i := range m {
		m[i] = -7
	}
	return m[:n], m[n:]
}

func checkGuard(t *testing.T, what string, g []float32) {
	t.Helper()
	for i, v := range g {
		if v != -7 {
			t.Fatalf("%s: wrote past the end at guard index %d: %v", what, i, v)
		}
	}
}

func TestBandwidthKernelsMatchGeneric(t *testing.T) {
	for _, bk := range []bandwidthKernels{avx512Bandwidth, avx2Bandwidth} {
		t.Run(bk.isa, func(t *testing.T) {
			if !kernels.Supported(bk.isa) {
				t.Skipf("no %s", bk.isa)
			}
			for _, n := range []int{0, 128, 256, 1024, 128 * 37} {
				checkBandwidth(t, bk, n)
			}
		})
	}
}

// checkBandwidth compares every loop of bk with the generic one on n
// float32, with guards after the outputs.
func checkBandwidth(t *testing.T, bk bandwidthKernels, n int) {
	src := make([]float32, n)
	c := make([]float32, n)
	for i := range src {
		src[i] = float32(i%97) * 0.25 // exact sums in any order
		c[i] = float32(i%13) - 6
	}
	if got, want := bk.sum(src), sumGeneric(src); got != want {
		t.Errorf("sum n=%d: asm %v generic %v", n, got, want)
	}
	for name, fill := range map[string]func([]float32, float32){"fill": bk.fill, "fillNT": bk.fillNT} {
		x, g := alignedFloats(t, n)
		fill(x, 3)
		for i, v := range x {
			if v != 3 {
				t.Fatalf("%s n=%d: x[%d]=%v want 3", name, n, i, v)
			}
		}
		checkGuard(t, name, g)
	}
	for name, cp := range map[string]func(a, b []float32){"copy": bk.copy, "copyNT": bk.copyNT} {
		x, g := alignedFloats(t, n)
		cp(x, src)
		for i := range x {
			if x[i] != src[i] {
				t.Fatalf("%s n=%d: x[%d]=%v want %v", name, n, i, x[i], src[i])
			}
		}
		checkGuard(t, name, g)
	}
	want := make([]float32, n)
	triadGeneric(want, src, c, 0.5)
	for name, tr := range map[string]func(a, b, c []float32, s float32){"triad": bk.triad, "triadNT": bk.triadNT} {
		x, g := alignedFloats(t, n)
		tr(x, src, c, 0.5)
		for i := range x {
			if x[i] != want[i] {
				t.Fatalf("%s n=%d: x[%d]=%v want %v", name, n, i, x[i], want[i])
			}
		}
		checkGuard(t, name, g)
	}
}

func TestComputeKernelsMatchGeneric(t *testing.T) {
	hasVNNI := kernels.Supported("avx512vnni")
	if !kernels.Supported("avx512") {
		t.Skip("no AVX-512")
	}
	for _, n := range []int{0, 1, 3, 100} {
		if got, want := fmaFP32AVX512(n, 1, 0.5), fmaFP32Generic(n, 1, 0.5); got != want {
			t.Errorf("fp32 n=%d: asm %v generic %v", n, got, want)
		}
		if got, want := fp16FMAAVX512(n, fp16Weights(), 0.25), fp16FMAGeneric(n, fp16Weights(), 0.25); got != want {
			t.Errorf("fp16 n=%d: asm %v generic %v", n, got, want)
		}
		for _, us := range [][2]uint32{{0x01020304, 0x01ff01ff}, {0xffffffff, 0x80808080}, {0xff00ff00, 0x7f7f7f7f}} {
			want := dotInt8Generic(n, us[0], us[1])
			if hasVNNI {
				if got := dotInt8VNNI(n, us[0], us[1]); got != want {
					t.Errorf("int8 vnni n=%d u=%#x s=%#x: asm %v generic %v", n, us[0], us[1], got, want)
				}
			}
			// VPMADDUBSW saturates pairs to int16; these inputs stay in range.
			if us[0] == 0x01020304 {
				if got := dotInt8BW(n, us[0], us[1]); got != want {
					t.Errorf("int8 bw n=%d: asm %v generic %v", n, got, want)
				}
			}
		}
		if hasVNNI {
			w := int4Weights()
			w[0], w[1], w[2], w[3] = 0xf0, 0x0f, 0x88, 0x12
			if got, want := dotInt4VNNI(n, w, 0x80ff7f01), dotInt4Generic(n, w, 0x80ff7f01); got != want {
				t.Errorf("int4 n=%d: asm %v generic %v", n, got, want)
			}
		}
	}
}

func TestSelectedVariants(t *testing.T) {
	ks := selectKernels()
	if kernels.Enabled("avx512") && ks.bw.isa != "avx512" {
		t.Errorf("AVX-512 enabled but bandwidth kernels are %q", ks.bw.isa)
	}
	if kernels.Enabled("avx512vnni") && (ks.compute[kernels.Int8].isa != "avx512-vnni" || ks.compute[kernels.Int4].isa != "avx512-vnni") {
		t.Errorf("VNNI enabled but int8/int4 use %q/%q", ks.compute[kernels.Int8].isa, ks.compute[kernels.Int4].isa)
	}
}

func TestAVX2KernelsMatchGeneric(t *testing.T) {
	if !kernels.Supported("avx2") { // with FMA3 and F16C
		t.Skip("no AVX2")
	}
	for _, n := range []int{0, 1, 3, 100} {
		if got, want := fmaFP32AVX2(n, 1, 0.5), fmaFP32Generic(n, 1, 0.5); got != want {
			t.Errorf("fp32 n=%d: asm %v generic %v", n, got, want)
		}
		if got, want := fp16FMAAVX2(n, fp16Weights(), 0.25), fp16FMAGeneric(n, fp16Weights(), 0.25); got != want {
			t.Errorf("fp16 n=%d: asm %v generic %v", n, got, want)
		}
		if got, want := dotInt8AVX2(n, 0x01020304, 0x01ff01ff), dotInt8Generic(n, 0x01020304, 0x01ff01ff); got != want {
			t.Errorf("int8 n=%d: asm %v generic %v", n, got, want)
		}
		w := int4Weights()
		w[0], w[1], w[2], w[3] = 0xf0, 0x0f, 0x88, 0x12
		if got, want := dotInt4AVX2(n, w, 0x80ff7f01), dotInt4Generic(n, w, 0x80ff7f01); got != want {
			t.Errorf("int4 n=%d: asm %v generic %v", n, got, want)
		}
	}
}
