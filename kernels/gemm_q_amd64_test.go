//go:build gc && !purego

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestGEMMQArgOffsets keeps the offsets the assembly uses in step with the
// Go structs.
func TestGEMMQArgOffsets(t *testing.T) {
	var k gqKern
	var e gqEpi
	var tl gqTiles
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"kern.a", unsafe.Offsetof(k.a), gqKA}, {"kern.tail", unsafe.Offsetof(k.tail), gqKTail},
		{"kern.b", unsafe.Offsetof(k.b), gqKB}, {"kern.acc", unsafe.Offsetof(k.acc), gqKAcc},
		{"kern.zc", unsafe.Offsetof(k.zc), gqKZc}, {"kern.steps", unsafe.Offsetof(k.steps), gqKSteps},
		{"kern.hasTail", unsafe.Offsetof(k.hasTail), gqKHasTail},
		{"kern.mr", unsafe.Offsetof(k.mr), gqKMr}, {"kern.nv", unsafe.Offsetof(k.nv), gqKNv},
		{"kern.rs8", unsafe.Offsetof(k.rs8), gqKRs8}, {"kern.pf", unsafe.Offsetof(k.pf), gqKPf},
		{"kern.lda", unsafe.Offsetof(k.lda), gqKLda}, {"kern.tmask", unsafe.Offsetof(k.tmask), gqKTmask},
		{"epi.acc", unsafe.Offsetof(e.acc), gqEAcc}, {"epi.yf", unsafe.Offsetof(e.yf), gqEYf},
		{"epi.c", unsafe.Offsetof(e.c), gqEC}, {"epi.s", unsafe.Offsetof(e.s), gqES},
		{"epi.bias", unsafe.Offsetof(e.bias), gqEBias}, {"epi.rows", unsafe.Offsetof(e.rows), gqERows},
		{"epi.nvec", unsafe.Offsetof(e.nvec), gqENvec}, {"epi.mask", unsafe.Offsetof(e.mask), gqEMask},
		{"epi.src", unsafe.Offsetof(e.src), gqESrc}, {"epi.dst", unsafe.Offsetof(e.dst), gqEDst},
		{"epi.act", unsafe.Offsetof(e.act), gqEAct}, {"epi.invOut", unsafe.Offsetof(e.invOut), gqEInv},
		{"epi.outZero", unsafe.Offsetof(e.outZero), gqEZero},
		{"epi.lo8", unsafe.Offsetof(e.lo8), gqELo8}, {"epi.hi8", unsafe.Offsetof(e.hi8), gqEHi8},
		{"epi.r", unsafe.Offsetof(e.r), gqER}, {"epi.r8", unsafe.Offsetof(e.r8), gqER8},
		{"tiles.a", unsafe.Offsetof(tl.a), gqTA}, {"tiles.c", unsafe.Offsetof(tl.c), gqTC}, {"tiles.b", unsafe.Offsetof(tl.b), gqTB},
		{"tiles.zc", unsafe.Offsetof(tl.zc), gqTZc}, {"tiles.s", unsafe.Offsetof(tl.s), gqTS}, {"tiles.bias", unsafe.Offsetof(tl.bias), gqTBias},
		{"tiles.lda", unsafe.Offsetof(tl.lda), gqTLda}, {"tiles.ldc", unsafe.Offsetof(tl.ldc), gqTLdc},
		{"tiles.tileA", unsafe.Offsetof(tl.tileA), gqTTileA}, {"tiles.tileC", unsafe.Offsetof(tl.tileC), gqTTileC},
		{"tiles.tiles", unsafe.Offsetof(tl.tiles), gqTTiles}, {"tiles.steps", unsafe.Offsetof(tl.steps), gqTSteps},
		{"tiles.tmask", unsafe.Offsetof(tl.tmask), gqTTmask}, {"tiles.mask", unsafe.Offsetof(tl.mask), gqTMask},
		{"tiles.hi8", unsafe.Offsetof(tl.hi8), gqTHi8}, {"tiles.lo", unsafe.Offsetof(tl.lo), gqTLo},
		{"tiles.bmask", unsafe.Offsetof(tl.bmask), gqTBmask}, {"tiles.hib", unsafe.Offsetof(tl.hib), gqTHib},
		{"tiles.loV", unsafe.Offsetof(tl.loV), gqTLov}, {"tiles.hiV", unsafe.Offsetof(tl.hiV), gqTHiv},
		{"tiles.r8", unsafe.Offsetof(tl.r8), gqTR8}, {"tiles.rdelta", unsafe.Offsetof(tl.rdelta), gqTRdelta},
	} {
		if c.got != c.want {
			t.Errorf("%s at offset %d, the assembly uses %d", c.name, c.got, c.want)
		}
	}
}

// TestGEMMQShapesAsm covers what kernels_test.go does not: every row and
// vector count of every microkernel, K tails, groups across tails, large K
// and wide N, against the generic reference, bit for bit.
func TestGEMMQShapesAsm(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	forEachLevel(t, func(t *testing.T, level string) {
		for _, bits := range []int{8, 4} {
			for _, group := range []int{0, 4, 12, 64} {
				if group > 0 && bits == 8 {
					continue
				}
				for _, s := range [][3]int{{1, 8192 / 32, 4096 / 32}, {7, 129, 130}, {13, 200, 97}, {6, 64, 576}, {25, 80, 16}, {3, 10, 1280}, {2, 300, 2}, {13, 114, 40}, {1, 17, 65540}} {
					m, n, k := s[0], s[1], s[2]
					w := randQuantWeights(r, quantCases[0], k, n, bits)
					if bits == 4 {
						w.Group = group
						w.Scale = make([]float32, w.Groups()*n)
						for i := range w.Scale {
							w.Scale[i] = 0.01 + r.Float32()
						}
					}
					for _, act := range []Act{ActNone, ActReLU, ActReLU6} {
						g, err := PackGEMMQ(w, Quant{Scale: 0.03, Zero: uint8(r.IntN(256))}, Epilogue{Act: act, Bias: randF32(r, n)}, Quant{Scale: 0.04, Zero: uint8(r.IntN(256))})
						if err != nil {
							t.Fatal(err)
						}
						a := make([]uint8, m*k)
						for i := range a {
							a[i] = uint8(r.IntN(256))
						}
						got, want := make([]uint8, m*n), make([]uint8, m*n)
						g.Run(nil, m, a, k, got, n)
						gemmQGeneric(g, 0, m, 0, n, a, k, want, nil, n, nil)
						got32, want32 := make([]float32, m*n), make([]float32, m*n)
						g.RunF32(nil, m, a, k, got32, n)
						gemmQGeneric(g, 0, m, 0, n, a, k, nil, want32, n, nil)
						for i := range got {
							if got[i] != want[i] || got32[i] != want32[i] {
								t.Fatalf("int%d %s %dx%dx%d group %d act %v: C[%d] = %d / %v, want %d / %v",
									bits, g.Variant, m, n, k, g.Group, act, i, got[i], got32[i], want[i], want32[i])
							}
						}
					}
				}
			}
		}
	})
}

// BenchmarkGEMMQTargets runs the reference shapes, which are not
// model shapes, for fp32, int8 and int4 at the best level:
//
//	go test ./kernels -run XXX -bench GEMMQTargets
func BenchmarkGEMMQTargets(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, f := range []Format{FP32, Int8, Int4} {
		for _, s := range []gemmShape{{1024, 64, 576}, {256, 1280, 320}, {1024, 1024, 1024}, {1, 8192, 4096}, {1, 4096, 4096}} {
			b.Run(fmt.Sprintf("%s/%s/%s", f, variantFor("gemm/"+f.String()), s), func(b *testing.B) {
				benchGEMM(b, r, f, s)
			})
		}
	}
}

// TestGEMMQSaturation drives the uint8 quantization far beyond 255 (where
// VCVTPS2DQ returns the indefinite integer) and below 0 on every level.
func TestGEMMQSaturation(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	forEachLevel(t, func(t *testing.T, level string) {
		for _, outScale := range []float32{1e-30, 1e-6, 1e6} {
			for _, act := range []Act{ActNone, ActReLU, ActReLU6} {
				m, n, k := 13, 70, 33
				w := randQuantWeights(r, quantCases[0], k, n, 8)
				g, err := PackGEMMQ(w, Quant{Scale: 1, Zero: 100}, Epilogue{Act: act}, Quant{Scale: outScale, Zero: 3})
				if err != nil {
					t.Fatal(err)
				}
				a := make([]uint8, m*k)
				for i := range a {
					a[i] = uint8(r.IntN(256))
				}
				got, want := make([]uint8, m*n), make([]uint8, m*n)
				g.Run(nil, m, a, k, got, n)
				gemmQGeneric(g, 0, m, 0, n, a, k, want, nil, n, nil)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s out scale %g act %v: C[%d] = %d, want %d", g.Variant, outScale, act, i, got[i], want[i])
					}
				}
			}
		}
	})
}

// TestGEMMQTilesAsm covers the fused whole-tile path (int8 VNNI): row
// ranges across chunks and starting anywhere, every vector count and store
// mask, K tails, strides, both outputs and every activation, with sentinels
// around every row of C, bit for bit against the generic reference.
func TestGEMMQTilesAsm(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	forEachLevel(t, func(t *testing.T, level string) {
		// int4 with N <= 32 packs as int8; above, from gqUnpackRows rows
		// the nibble panel is unpacked to int8 for the same tiles.
		for _, bits := range []int{8, 4} {
			for _, n := range []int{1, 16, 17, 24, 32, 33, 48, 64, 80, 96, 144, 200} {
				for _, k := range []int{0, 1, 3, 4, 5, 16, 27, 33, 144} {
					w := randQuantWeights(r, quantCases[0], k, n, bits)
					act := Act(r.IntN(3))
					outScale := float32(0.04)
					if r.IntN(4) == 0 {
						outScale = 1e-9 // t beyond int32: the tiles clamp in float
					}
					g, err := PackGEMMQ(w, Quant{Scale: 0.03, Zero: uint8(r.IntN(256))}, Epilogue{Act: act, Bias: randF32(r, n)}, Quant{Scale: outScale, Zero: uint8(r.IntN(256))})
					if err != nil {
						t.Fatal(err)
					}
					if !g.tFits && outScale > 1e-6 {
						t.Fatalf("out scale %v: tFits %v", outScale, g.tFits)
					}
					m, lda, ldc := 300, k+3, n+5
					a := make([]uint8, (m-1)*lda+k)
					for i := range a {
						a[i] = uint8(r.IntN(256))
					}
					for _, rg := range [][4]int{{0, m, 0, n}, {5, 102, 0, n}, {96, 192, 0, n}, {1, 298, 64, n}, {7, 22, 0, min(n, 64)}} {
						m0, m1, n0, n1 := rg[0], rg[1], rg[2], rg[3]
						if n0 >= n1 {
							continue
						}
						got, want := make([]uint8, m*ldc), make([]uint8, m*ldc)
						got32, want32 := make([]float32, m*ldc), make([]float32, m*ldc)
						for i := range got {
							got[i], want[i] = 0xA5, 0xA5
							got32[i], want32[i] = -7.5, -7.5
						}
						g.runRange(m0, m1, n0, n1, a, lda, got, nil, ldc, nil)
						g.runRange(m0, m1, n0, n1, a, lda, nil, got32, ldc, nil)
						gemmQGeneric(g, m0, m1, n0, n1, a, lda, want, nil, ldc, nil)
						gemmQGeneric(g, m0, m1, n0, n1, a, lda, nil, want32, ldc, nil)
						for i := range got {
							if got[i] != want[i] || got32[i] != want32[i] {
								t.Fatalf("int%d %s %dx%dx%d act %v out scale %v rows %d..%d cols %d..%d: C[%d][%d] = %d / %v, want %d / %v",
									bits, g.Variant, m, n, k, act, outScale, m0, m1, n0, n1, i/ldc, i%ldc, got[i], got32[i], want[i], want32[i])
							}
						}
					}
				}
			}
		}
	})
}
