//go:build gc && !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFloatTiles checks every fp32 and fp16 tile kernel directly against its
// reference loop, with every mask width of the last panel, every activation
// and K around the unroll boundary, so tile heights the GEMM tests reach
// rarely are covered too.
func TestFloatTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, variant := range []string{"avx512", "avx2"} {
		if !Supported(variant) {
			continue
		}
		w := floatLanes(variant)
		for _, np := range []int{8, 4, 2, 1} {
			if variant == "avx2" && np == 8 {
				continue
			}
			dual := np > fullGroup(variant)
			for _, mr := range tileRows(variant, np) {
				for _, k := range []int{0, 1, 3, 4, 5, 8, 13} {
					for valid := 1; valid <= w; valid += 5 {
						if variant == "avx2" && valid != w {
							continue // avx2 always stores whole panels
						}
						act := (mr + k + valid) % 3
						mask := uint64(1)<<valid - 1
						lda, ldc := k+3, np*w+5
						a := randF32(r, mr*lda+1)
						b := randF32(r, k*np*w+1)
						scale, bias := randF32(r, np*w), randF32(r, np*w)
						name := fmt.Sprintf("%s %dx%d k=%d valid=%d act=%d", variant, mr, np, k, valid, act)

						got := make([]float32, mr*ldc)
						want := make([]float32, mr*ldc)
						for i := range got {
							got[i], want[i] = -1234, -1234
						}
						tileRefF32(w, mr, np, a, lda, b, k, want, ldc, scale, bias, act, mask)
						if variant == "avx512" {
							tileF32AVX512(mr, np, &a[0], lda, &b[0], k, &got[0], ldc, &scale[0], &bias[0], act, mask, 0)
						} else {
							tileF32AVX2(mr, np, &a[0], lda, &b[0], k, &got[0], ldc, &scale[0], &bias[0], act, mask, 0)
						}
						for i := range got {
							if !closeF32(got[i], want[i], abs32(want[i])+4, k, 1e-6) {
								t.Fatalf("fp32 %s: C[%d][%d] = %v, want %v", name, i/ldc, i%ldc, got[i], want[i])
							}
						}

						if !dual { // no widened-B dual kernels
							gotW := make([]uint16, mr*ldc)
							wantW := make([]uint16, mr*ldc)
							for i := range gotW {
								gotW[i], wantW[i] = 0xfe01, 0xfe01
							}
							tileRefF16W(w, mr, np, a, lda, b, k, wantW, ldc, scale, bias, act, mask)
							if variant == "avx512" {
								tileF16WAVX512(mr, np, &a[0], lda, &b[0], k, &gotW[0], ldc, &scale[0], &bias[0], act, mask, 0)
							} else {
								tileF16WAVX2(mr, np, &a[0], lda, &b[0], k, &gotW[0], ldc, &scale[0], &bias[0], act, mask, 0)
							}
							checkF16Tile(t, "fp16 widened-B "+name, gotW, wantW, ldc, k)
						}

						b16 := toF16(b)
						got16 := make([]uint16, mr*ldc)
						want16 := make([]uint16, mr*ldc)
						for i := range got16 {
							got16[i], want16[i] = 0xfe01, 0xfe01
						}
						tileRefF16(w, mr, np, a, lda, b16, k, want16, ldc, scale, bias, act, mask)
						if variant == "avx512" {
							tileF16AVX512(mr, np, &a[0], lda, &b16[0], k, &got16[0], ldc, &scale[0], &bias[0], act, mask, 0)
						} else {
							tileF16AVX2(mr, np, &a[0], lda, &b16[0], k, &got16[0], ldc, &scale[0], &bias[0], act, mask, 0)
						}
						checkF16Tile(t, "fp16 "+name, got16, want16, ldc, k)
					}
				}
			}
		}
	}
}

// checkF16Tile compares binary16 tiles; 0xfe01 marks cells not to write.
func checkF16Tile(t *testing.T, name string, got, want []uint16, ldc, k int) {
	t.Helper()
	for i := range got {
		if got[i] == 0xfe01 || want[i] == 0xfe01 {
			if got[i] != want[i] {
				t.Fatalf("%s: C[%d][%d] = %#04x, want %#04x", name, i/ldc, i%ldc, got[i], want[i])
			}
			continue
		}
		g, w := F16ToF32One(got[i]), F16ToF32One(want[i])
		if !closeF32(g, w, abs32(w)+4, k, 0x1p-10) {
			t.Fatalf("%s: C[%d][%d] = %v, want %v", name, i/ldc, i%ldc, g, w)
		}
	}
}

// TestFloatGEMMBigK covers the paths the shared GEMM tests (M < 30) miss:
// K beyond the row-block size, M beyond one block, and for fp16 the
// widened-B paths (whole call and per block), and dual-group GEMV tiles
// (M <= 2, N > 128).
func TestFloatGEMMBigK(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	forEachLevel(t, func(t *testing.T, level string) {
		for _, s := range [][3]int{{70, 77, 2000}, {1100, 24, 150}, {3, 200, 4099}, {200, 300, 300}, {150, 20, 27}, {1, 300, 70}, {2, 257, 33}, {1, 129, 5}, {5, 20, 0}} {
			m, n, k := s[0], s[1], s[2]
			lda := k + m%3 // dense and strided A rows
			ep := Epilogue{Act: ActReLU6, Bias: randF32(r, n)}
			b := randF32(r, k*n)
			a := randF32(r, (m-1)*lda+k)
			g, err := PackGEMMF32(k, n, b, ep)
			if err != nil {
				t.Fatal(err)
			}
			got, want := make([]float32, m*n), make([]float32, m*n)
			g.Run(nil, m, a, lda, got, n)
			gemmF32Generic(g, 0, m, 0, n, a, lda, want, n)
			abs := absGEMM(g.W, a, m, n, k, lda)
			for i := range got {
				if !closeF32(got[i], want[i], abs[i]+abs32(g.Bias[i%n]), k, 0) {
					t.Fatalf("fp32 %s %v: C[%d] = %v, want %v", g.Variant, s, i, got[i], want[i])
				}
			}
			h, err := PackGEMMF16(k, n, b, ep)
			if err != nil {
				t.Fatal(err)
			}
			a16 := toF16(a)
			got16, want16 := make([]uint16, m*n), make([]uint16, m*n)
			h.Run(nil, m, a16, lda, got16, n)
			gemmF16Generic(h, 0, m, 0, n, a16, lda, want16, n)
			for i := range got16 {
				g, w := F16ToF32One(got16[i]), F16ToF32One(want16[i])
				if !closeF32(g, w, abs[i]+abs32(h.Bias[i%n])+1, k, 0x1p-9) || math.IsNaN(float64(g)) {
					t.Fatalf("fp16 %s %v: C[%d] = %v, want %v", h.Variant, s, i, g, w)
				}
			}
		}
	})
}

// BenchmarkFloatGEMMTargets runs the compute-bound shapes of the kernel
// targets that BenchmarkGEMM does not list: fp32|fp16/<variant>/<MxNxK>.
func BenchmarkFloatGEMMTargets(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, f := range []Format{FP32, FP16} {
		for _, level := range []string{"avx512", "avx2"} {
			if !Supported(level) {
				continue
			}
			for _, s := range []gemmShape{{1024, 64, 576}, {256, 1280, 320}, {4096, 64, 576}} {
				b.Run(fmt.Sprintf("%s/%s/%s", f, level, s), func(b *testing.B) {
					defer ForceISA(level)()
					benchGEMM(b, r, f, s)
				})
			}
		}
	}
}
