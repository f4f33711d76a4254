package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// levels returns every variant level this machine can run, so each test
// compares every variant with the generic reference.
func levels() []string {
	var out []string
	for _, l := range Levels() {
		if Supported(l) {
			out = append(out, l)
		}
	}
	return out
}

// forEachLevel runs fn with the kernels capped at every supported level.
func forEachLevel(t *testing.T, fn func(t *testing.T, level string)) {
	for _, l := range levels() {
		t.Run(l, func(t *testing.T) {
			defer ForceISA(l)()
			fn(t, l)
		})
	}
}

var (
	testMs = []int{0, 1, 2, 3, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17, 29}
	testNs = []int{1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 80, 97}
	testKs = []int{1, 3, 4, 5, 8, 9, 27, 31, 32, 33, 64, 67}
)

// guarded returns a slice of n values at an odd offset inside a larger
// buffer whose other cells hold a sentinel, and a check for the sentinels.
type guard[T comparable] struct {
	buf      []T
	off, len int
	sentinel T
}

const guardLen = 67

func newGuard[T comparable](n int, sentinel T, odd int) *guard[T] {
	g := &guard[T]{buf: make([]T, n+2*guardLen+odd), off: guardLen + odd, len: n, sentinel: sentinel}
	for i := range g.buf {
		g.buf[i] = sentinel
	}
	return g
}

func (g *guard[T]) data() []T { return g.buf[g.off : g.off+g.len : g.off+g.len] }

// checkMatrix reports writes outside rows x cols of a matrix with stride ld.
func (g *guard[T]) checkMatrix(t *testing.T, what string, rows, cols, ld int) {
	t.Helper()
	for i, v := range g.buf {
		if v == g.sentinel {
			continue
		}
		j := i - g.off
		if j >= 0 && j < rows*ld && j%ld < cols {
			continue
		}
		t.Fatalf("%s: stray write at offset %d from the output start (rows %d cols %d ld %d)", what, j, rows, cols, ld)
	}
}

func randF32(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// epilogueFor returns a random epilogue: every activation, with and without
// scale and bias.
func epilogueFor(r *rand.Rand, n int, i int) Epilogue {
	ep := Epilogue{Act: Act(i % 3)}
	if i%2 == 0 {
		ep.Bias = randF32(r, n)
	}
	if i%4 < 2 {
		ep.Scale = make([]float32, n)
		for j := range ep.Scale {
			ep.Scale[j] = 0.5 + r.Float32()
		}
	}
	return ep
}

// closeF32 compares with a tolerance that grows with K: each of K products
// may lose half an ulp of the magnitude of the sum of their absolute values.
func closeF32(got, want, mag float32, k int, extra float64) bool {
	if math.IsNaN(float64(got)) != math.IsNaN(float64(want)) {
		return false
	}
	tol := float64(mag)*(float64(k)+2)*0x1p-22 + extra*float64(max(mag, abs32(want))) + 1e-30
	return math.Abs(float64(got-want)) <= tol
}

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }

func TestGEMMF32(t *testing.T) {
	forEachLevel(t, func(t *testing.T, level string) {
		r := rand.New(rand.NewPCG(1, 2))
		i := 0
		for _, k := range testKs {
			for _, n := range testNs {
				for _, m := range testMs {
					i++
					lda, ldc := k+i%3, n+(i/3)%3
					g, err := PackGEMMF32(k, n, randF32(r, k*n), epilogueFor(r, n, i))
					if err != nil {
						t.Fatal(err)
					}
					a := randF32(r, max(0, (m-1)*lda+k))
					cg := newGuard(max(0, (m-1)*ldc+n), float32(math.Inf(-1)), i%2)
					g.Run(nil, m, a, lda, cg.data(), ldc)
					cg.checkMatrix(t, fmt.Sprintf("fp32 %dx%dx%d", m, n, k), m, n, ldc)
					want := make([]float32, len(cg.data()))
					gemmF32Generic(g, 0, m, 0, n, a, lda, want, ldc)
					abs := absGEMM(g.W, a, m, n, k, lda)
					for mi := 0; mi < m; mi++ {
						for ni := 0; ni < n; ni++ {
							got, w := cg.data()[mi*ldc+ni], want[mi*ldc+ni]
							mag := abs[mi*n+ni]*abs32(g.Scale[ni]) + abs32(g.Bias[ni])
							if !closeF32(got, w, mag, k, 0) {
								t.Fatalf("fp32 %s %dx%dx%d act %v: C[%d][%d] = %v, want %v", g.Variant, m, n, k, g.Act, mi, ni, got, w)
							}
						}
					}
				}
			}
		}
	})
}

// absGEMM is sum_k |A[m][k] * B[k][n]|, the scale of rounding errors.
func absGEMM(b, a []float32, m, n, k, lda int) []float32 {
	out := make([]float32, m*n)
	for mi := 0; mi < m; mi++ {
		for ni := 0; ni < n; ni++ {
			var s float32
			for ki := 0; ki < k; ki++ {
				s += abs32(a[mi*lda+ki] * b[ki*n+ni])
			}
			out[mi*n+ni] = s
		}
	}
	return out
}

func toF16(s []float32) []uint16 {
	h := make([]uint16, len(s))
	F32ToF16(h, s)
	return h
}

func fromF16(h []uint16) []float32 {
	s := make([]float32, len(h))
	F16ToF32(s, h)
	return s
}

func TestGEMMF16(t *testing.T) {
	forEachLevel(t, func(t *testing.T, level string) {
		r := rand.New(rand.NewPCG(3, 4))
		i := 0
		for _, k := range testKs {
			for _, n := range testNs {
				for _, m := range testMs {
					i++
					lda, ldc := k+i%3, n+(i/3)%3
					g, err := PackGEMMF16(k, n, randF32(r, k*n), epilogueFor(r, n, i))
					if err != nil {
						t.Fatal(err)
					}
					a := toF16(randF32(r, max(0, (m-1)*lda+k)))
					cg := newGuard(max(0, (m-1)*ldc+n), uint16(0xfe01), i%2)
					g.Run(nil, m, a, lda, cg.data(), ldc)
					cg.checkMatrix(t, fmt.Sprintf("fp16 %dx%dx%d", m, n, k), m, n, ldc)
					want := make([]uint16, len(cg.data()))
					gemmF16Generic(g, 0, m, 0, n, a, lda, want, ldc)
					abs := absGEMM(fromF16(g.W), fromF16(a), m, n, k, lda)
					for mi := 0; mi < m; mi++ {
						for ni := 0; ni < n; ni++ {
							got, w := F16ToF32One(cg.data()[mi*ldc+ni]), F16ToF32One(want[mi*ldc+ni])
							mag := abs[mi*n+ni]*abs32(g.Scale[ni]) + abs32(g.Bias[ni])
							if !closeF32(got, w, mag, k, 0x1p-10) {
								t.Fatalf("fp16 %s %dx%dx%d act %v: C[%d][%d] = %v, want %v", g.Variant, m, n, k, g.Act, mi, ni, got, w)
							}
						}
					}
				}
			}
		}
	})
}

// quantCase is one way of filling the integer operands, extremes included.
type quantCase struct {
	name  string
	a     func(r *rand.Rand) uint8
	w     func(r *rand.Rand, lo, hi int) int8
	inZ   uint8
	outZ  uint8
	group int
}

var quantCases = []quantCase{
	{name: "random", a: func(r *rand.Rand) uint8 { return uint8(r.IntN(256)) }, w: randW, inZ: 131, outZ: 17},
	{name: "max", a: func(*rand.Rand) uint8 { return 255 }, w: func(_ *rand.Rand, lo, hi int) int8 { return int8(lo) }, inZ: 0, outZ: 255},
	{name: "maxpos", a: func(*rand.Rand) uint8 { return 255 }, w: func(_ *rand.Rand, lo, hi int) int8 { return int8(hi) }, inZ: 255, outZ: 0},
	{name: "zero", a: func(*rand.Rand) uint8 { return 0 }, w: randW, inZ: 255, outZ: 128},
	{name: "grouped", a: func(r *rand.Rand) uint8 { return uint8(r.IntN(256)) }, w: randW, inZ: 7, outZ: 100, group: 8},
}

func randW(r *rand.Rand, lo, hi int) int8 { return int8(lo + r.IntN(hi-lo+1)) }

func randQuantWeights(r *rand.Rand, qc quantCase, k, n, bits int) QuantWeights {
	lo, hi := -128, 127
	if bits == 4 {
		lo, hi = -8, 7
	}
	w := QuantWeights{K: k, N: n, Bits: bits, Q: make([]int8, k*n)}
	if bits == 4 {
		w.Group = qc.group
	}
	for i := range w.Q {
		w.Q[i] = qc.w(r, lo, hi)
	}
	w.Scale = make([]float32, w.Groups()*n)
	for i := range w.Scale {
		w.Scale[i] = (0.5 + r.Float32()) / float32(hi)
	}
	return w
}

func TestGEMMQ(t *testing.T) {
	for _, bits := range []int{8, 4} {
		for _, qc := range quantCases {
			if qc.group > 0 && bits != 4 {
				continue
			}
			t.Run(fmt.Sprintf("int%d/%s", bits, qc.name), func(t *testing.T) {
				forEachLevel(t, func(t *testing.T, level string) { testGEMMQ(t, bits, qc) })
			})
		}
	}
}

func testGEMMQ(t *testing.T, bits int, qc quantCase) {
	r := rand.New(rand.NewPCG(5, uint64(bits)))
	i := 0
	for _, k := range testKs {
		for _, n := range testNs {
			for _, m := range testMs {
				i++
				if qc.name != "random" && i%5 != 0 {
					continue // extremes on a fifth of the shapes keep the test quick
				}
				lda, ldc := k+i%3, n+(i/3)%3
				w := randQuantWeights(r, qc, k, n, bits)
				in := Quant{Scale: 0.02, Zero: qc.inZ}
				out := Quant{Scale: 0.05 + r.Float32()*0.1, Zero: qc.outZ}
				g, err := PackGEMMQ(w, in, epilogueFor(r, n, i), out)
				if err != nil {
					t.Fatal(err)
				}
				a := make([]uint8, max(0, (m-1)*lda+k))
				for j := range a {
					a[j] = qc.a(r)
				}
				shape := fmt.Sprintf("int%d %s %dx%dx%d group %d act %v", bits, g.Variant, m, n, k, g.Group, g.Act)
				c8 := newGuard(max(0, (m-1)*ldc+n), uint8(0xa5), i%2)
				g.Run(nil, m, a, lda, c8.data(), ldc)
				c8.checkMatrix(t, shape, m, n, ldc)
				want8 := make([]uint8, len(c8.data()))
				gemmQGeneric(g, 0, m, 0, n, a, lda, want8, nil, ldc, nil)
				c32 := newGuard(max(0, (m-1)*ldc+n), float32(-12345), i%2)
				g.RunF32(nil, m, a, lda, c32.data(), ldc)
				c32.checkMatrix(t, shape+" f32", m, n, ldc)
				want32 := make([]float32, len(c32.data()))
				gemmQGeneric(g, 0, m, 0, n, a, lda, nil, want32, ldc, nil)
				for mi := 0; mi < m; mi++ {
					for ni := 0; ni < n; ni++ {
						j := mi*ldc + ni
						if c8.data()[j] != want8[j] {
							t.Fatalf("%s: C[%d][%d] = %d, want %d", shape, mi, ni, c8.data()[j], want8[j])
						}
						if math.Float32bits(c32.data()[j]) != math.Float32bits(want32[j]) {
							t.Fatalf("%s float out: C[%d][%d] = %v, want %v", shape, mi, ni, c32.data()[j], want32[j])
						}
					}
				}
			}
		}
	}
}

var (
	dwCs = []int{1, 3, 8, 15, 16, 17, 31, 32, 33, 48, 64, 65, 96, 144}
	dwHW = [][2]int{{1, 1}, {1, 5}, {2, 2}, {3, 3}, {4, 7}, {5, 5}, {8, 8}, {7, 16}, {16, 16}}
)

func TestDepthwise(t *testing.T) {
	forEachLevel(t, func(t *testing.T, level string) {
		r := rand.New(rand.NewPCG(7, 8))
		i := 0
		for _, c := range dwCs {
			for _, hw := range dwHW {
				for _, stride := range []int{1, 2} {
					i++
					batch := 1 + i%2
					h, w := hw[0], hw[1]
					ho, wo := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
					shape := fmt.Sprintf("%dx%dx%dx%d-s%d", batch, c, h, w, stride)
					ep := epilogueFor(r, c, i)
					inF := randF32(r, batch*h*w*c)
					outN := batch * ho * wo * c

					d32, err := PackDepthwiseF32(c, stride, randF32(r, 9*c), ep)
					if err != nil {
						t.Fatal(err)
					}
					g32 := newGuard(outN, float32(math.Inf(1)), i%2)
					d32.Run(nil, batch, h, w, inF, g32.data())
					g32.checkMatrix(t, "fp32 dw "+shape, 1, outN, outN)
					want32 := make([]float32, outN)
					dwF32Generic(d32, h, w, 0, batch*ho, inF, want32)
					for j := range want32 {
						if !closeF32(g32.data()[j], want32[j], 9*3*(abs32(want32[j])+1), 9, 0) {
							t.Fatalf("fp32 dw %s %s: out[%d] = %v, want %v", d32.Variant, shape, j, g32.data()[j], want32[j])
						}
					}

					d16, err := PackDepthwiseF16(c, stride, randF32(r, 9*c), ep)
					if err != nil {
						t.Fatal(err)
					}
					in16 := toF16(inF)
					g16 := newGuard(outN, uint16(0xfe01), i%2)
					d16.Run(nil, batch, h, w, in16, g16.data())
					g16.checkMatrix(t, "fp16 dw "+shape, 1, outN, outN)
					want16 := make([]uint16, outN)
					dwF16Generic(d16, h, w, 0, batch*ho, in16, want16)
					for j := range want16 {
						got, wv := F16ToF32One(g16.data()[j]), F16ToF32One(want16[j])
						if !closeF32(got, wv, 9*3*(abs32(wv)+1), 9, 0x1p-10) {
							t.Fatalf("fp16 dw %s %s: out[%d] = %v, want %v", d16.Variant, shape, j, got, wv)
						}
					}

					for _, bits := range []int{8, 4} {
						for _, qc := range quantCases[:4] {
							qw := randQuantWeights(r, qc, 9, c, bits)
							in := Quant{Scale: 0.03, Zero: qc.inZ}
							out := Quant{Scale: 0.04, Zero: qc.outZ}
							dq, err := PackDepthwiseQ(stride, qw, in, ep, out)
							if err != nil {
								t.Fatal(err)
							}
							in8 := make([]uint8, batch*h*w*c)
							for j := range in8 {
								in8[j] = qc.a(r)
							}
							name := fmt.Sprintf("int%d dw %s %s %s", bits, dq.Variant, qc.name, shape)
							g8 := newGuard(outN, uint8(0x5a), i%2)
							dq.Run(nil, batch, h, w, in8, g8.data())
							g8.checkMatrix(t, name, 1, outN, outN)
							want8 := make([]uint8, outN)
							dwQGeneric(dq, h, w, 0, batch*ho, in8, want8, nil)
							gf := newGuard(outN, float32(-777), i%2)
							dq.RunF32(nil, batch, h, w, in8, gf.data())
							gf.checkMatrix(t, name+" f32", 1, outN, outN)
							wantF := make([]float32, outN)
							dwQGeneric(dq, h, w, 0, batch*ho, in8, nil, wantF)
							for j := range want8 {
								if g8.data()[j] != want8[j] {
									t.Fatalf("%s: out[%d] = %d, want %d", name, j, g8.data()[j], want8[j])
								}
								if math.Float32bits(gf.data()[j]) != math.Float32bits(wantF[j]) {
									t.Fatalf("%s float out: out[%d] = %v, want %v", name, j, gf.data()[j], wantF[j])
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestParallel checks that splitting over rows or columns on a pool gives
// the single-threaded result.
func TestParallel(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	r := rand.New(rand.NewPCG(9, 10))
	for _, shape := range [][3]int{{1, 1280, 320}, {4, 96, 576}, {200, 64, 144}, {1024, 16, 27}, {7, 100, 64}} {
		m, n, k := shape[0], shape[1], shape[2]
		g, err := PackGEMMF32(k, n, randF32(r, k*n), Epilogue{Act: ActReLU})
		if err != nil {
			t.Fatal(err)
		}
		a := randF32(r, m*k)
		c1, c2 := make([]float32, m*n), make([]float32, m*n)
		g.Run(nil, m, a, k, c1, n)
		g.Run(p, m, a, k, c2, n)
		for i := range c1 {
			if !closeF32(c2[i], c1[i], abs32(c1[i])+1, k, 1e-6) {
				t.Fatalf("fp32 %v parallel: C[%d] = %v, want %v", shape, i, c2[i], c1[i])
			}
		}
		qc := quantCases[0]
		q, err := PackGEMMQ(randQuantWeights(r, qc, k, n, 8), Quant{Scale: 0.1, Zero: 3}, Epilogue{}, Quant{Scale: 0.2, Zero: 9})
		if err != nil {
			t.Fatal(err)
		}
		a8 := make([]uint8, m*k)
		for i := range a8 {
			a8[i] = uint8(r.IntN(256))
		}
		q1, q2 := make([]uint8, m*n), make([]uint8, m*n)
		q.Run(nil, m, a8, k, q1, n)
		q.Run(p, m, a8, k, q2, n)
		for i := range q1 {
			if q1[i] != q2[i] {
				t.Fatalf("int8 %v parallel: C[%d] = %d, want %d", shape, i, q2[i], q1[i])
			}
		}
	}
	d, err := PackDepthwiseF32(32, 1, randF32(r, 9*32), Epilogue{})
	if err != nil {
		t.Fatal(err)
	}
	in := randF32(r, 2*16*16*32)
	o1, o2 := make([]float32, len(in)), make([]float32, len(in))
	d.Run(nil, 2, 16, 16, in, o1)
	d.Run(p, 2, 16, 16, in, o2)
	for i := range o1 {
		if o1[i] != o2[i] {
			t.Fatalf("depthwise parallel: out[%d] = %v, want %v", i, o2[i], o1[i])
		}
	}
}

func TestParallelNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	p := NewPool(2)
	defer p.Close()
	g, _ := PackGEMMF32(64, 64, make([]float32, 64*64), Epilogue{})
	a, c := make([]float32, 256*64), make([]float32, 256*64)
	g.Run(p, 256, a, 64, c, 64)
	if n := testing.AllocsPerRun(20, func() { g.Run(p, 256, a, 64, c, 64) }); n != 0 {
		t.Errorf("parallel GEMM allocates %v times per call", n)
	}
}

func TestF16Conversion(t *testing.T) {
	// The slice versions (SIMD where available) agree with the scalar ones,
	// tested in package kernels/fp16.
	r := rand.New(rand.NewPCG(11, 12))
	src := make([]float32, 1000)
	for i := range src {
		src[i] = math.Float32frombits(r.Uint32())
	}
	src[0], src[1] = 0x1p-25, 65520
	forEachLevel(t, func(t *testing.T, level string) {
		for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 1000} {
			h := make([]uint16, n)
			F32ToF16(h, src[:n])
			for i := range h {
				if want := F32ToF16One(src[i]); h[i] != want && !(math.IsNaN(float64(src[i])) && h[i]&0x7c00 == 0x7c00 && h[i]&0x3ff != 0) {
					t.Fatalf("F32ToF16 n=%d [%d]: %#04x, want %#04x (from %v)", n, i, h[i], want, src[i])
				}
			}
			back := make([]float32, n)
			F16ToF32(back, h)
			for i := range back {
				if want := F16ToF32One(h[i]); math.Float32bits(back[i]) != math.Float32bits(want) {
					t.Fatalf("F16ToF32 n=%d [%d]: %v, want %v", n, i, back[i], want)
				}
			}
		}
	})
}

func TestSelectedVariant(t *testing.T) {
	// The best variant the machine supports must be the one selected.
	top := levels()[len(levels())-1]
	if ISA() != top && os.Getenv(EnvISA) == "" {
		t.Errorf("ISA() = %s, but the machine supports %s", ISA(), top)
	}
	g, _ := PackGEMMQ(QuantWeights{K: 4, N: 4, Bits: 8, Q: make([]int8, 16), Scale: make([]float32, 4)},
		Quant{Scale: 1}, Epilogue{}, Quant{Scale: 1})
	if g.Variant != Selected()["gemm/int8"] {
		t.Errorf("int8 GEMM packed as %s, Selected says %s", g.Variant, Selected()["gemm/int8"])
	}
}

func TestPackErrors(t *testing.T) {
	if _, err := PackGEMMF32(3, 4, make([]float32, 11), Epilogue{}); err == nil {
		t.Error("short fp32 weights accepted")
	}
	if _, err := PackGEMMF32(3, 4, make([]float32, 12), Epilogue{Bias: make([]float32, 3)}); err == nil {
		t.Error("short bias accepted")
	}
	w := QuantWeights{K: 2, N: 2, Bits: 4, Q: []int8{1, 2, 3, 8}, Scale: []float32{1, 1}}
	if _, err := PackGEMMQ(w, Quant{Scale: 1}, Epilogue{}, Quant{Scale: 1}); err == nil {
		t.Error("int4 weight 8 accepted")
	}
	w.Q[3] = 7
	if _, err := PackGEMMQ(w, Quant{Scale: 0}, Epilogue{}, Quant{Scale: 1}); err == nil {
		t.Error("zero input scale accepted")
	}
	if _, err := PackDepthwiseF32(4, 3, make([]float32, 36), Epilogue{}); err == nil {
		t.Error("stride 3 accepted")
	}
	if err := SetISA("sse9"); err == nil {
		t.Error("unknown ISA accepted")
	}
}

// FuzzGEMMQ compares the selected integer kernel with the reference on
// fuzzed shapes, zero points and values.
func FuzzGEMMQ(f *testing.F) {
	f.Add(uint8(3), uint8(17), uint8(9), uint8(128), uint8(4), uint64(1))
	f.Add(uint8(1), uint8(64), uint8(64), uint8(0), uint8(8), uint64(2))
	f.Add(uint8(13), uint8(33), uint8(200), uint8(255), uint8(4), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, zero, bits uint8, seed uint64) {
		b := 8
		if bits%2 == 0 {
			b = 4
		}
		M, N, K := int(m%40), int(n%100)+1, int(k)+1
		r := rand.New(rand.NewPCG(seed, 0))
		qc := quantCases[0]
		w := randQuantWeights(r, qc, K, N, b)
		g, err := PackGEMMQ(w, Quant{Scale: 0.01, Zero: zero}, Epilogue{Act: Act(seed % 3)}, Quant{Scale: 0.3, Zero: zero / 2})
		if err != nil {
			t.Fatal(err)
		}
		a := make([]uint8, M*K)
		for i := range a {
			a[i] = uint8(r.IntN(256))
		}
		got, want := make([]uint8, M*N), make([]uint8, M*N)
		g.Run(nil, M, a, K, got, N)
		gemmQGeneric(g, 0, M, 0, N, a, K, want, nil, N, nil)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("int%d %s %dx%dx%d: C[%d] = %d, want %d", b, g.Variant, M, N, K, i, got[i], want[i])
			}
		}
	})
}

// TestGEMMQOneStep checks the uint8 output of GEMMQ without groups,
// the one-step requantU8 from S8 and B8, on values where it differs from the
// two-step QuantizeU8(epilogueQ(...)) of the grouped output. Random data
// meets those about once in a million outputs, so the bias of each column
// here puts the sum of one row on a rounding tie of the output scale, nudged
// until the two steps round apart.
func TestGEMMQOneStep(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	forEachLevel(t, func(t *testing.T, level string) {
		for _, bits := range []int{8, 4} {
			for _, k := range []int{1, 5, 38} {
				for _, act := range []Act{ActNone, ActReLU, ActReLU6} {
					for _, zero := range []uint8{17, 201} {
						testGEMMQOneStep(t, r, bits, k, act, zero)
					}
				}
			}
		}
	})
}

func testGEMMQOneStep(t *testing.T, r *rand.Rand, bits, k int, act Act, zero uint8) {
	const m, n = 27, 37 // whole tiles and rows below them on amd64
	in := Quant{Scale: 0.02, Zero: 131}
	out := Quant{Scale: 0.05 + r.Float32()*0.1, Zero: zero}
	invOut := 1 / out.Scale
	w := randQuantWeights(r, quantCases[0], k, n, bits)
	for j := 0; j < n; j++ {
		if w.Q[j] == 0 {
			w.Q[j] = 1 // a column of zero sums has y = bias in both steps
		}
	}
	a := make([]uint8, m*k)
	for i := range a {
		a[i] = uint8(r.IntN(256))
	}
	_, _, lo8, hi8 := foldU8([]float32{0}, []float32{0}, invOut, zero, act)
	lo, hi := int(max(lo8, 0)), int(hi8)
	bias := make([]float32, n)
	for j := range bias {
		found := false
		for try := 0; try < 100 && !found; try++ {
			row := r.IntN(m)
			var acc int32
			for kk := 0; kk < k; kk++ {
				acc += (int32(a[row*k+kk]) - int32(in.Zero)) * int32(w.Q[kk*n+j])
			}
			if acc == 0 {
				continue
			}
			s := float32(in.Scale * w.Scale[j]) // S as PackGEMMQ folds it without Epilogue.Scale
			tie := float64(lo+r.IntN(hi-lo)) + 0.5
			b0 := float32((tie-float64(zero))*float64(out.Scale) - float64(acc)*float64(s))
			for i := 0; i < 64; i++ {
				b := math.Float32frombits(math.Float32bits(b0) + uint32(i/2))
				if i%2 == 1 {
					b = math.Float32frombits(math.Float32bits(b0) - uint32(i/2+1))
				}
				s8, b8, l8, h8 := foldU8([]float32{s}, []float32{b}, invOut, zero, act)
				one := requantU8(acc, s8[0], b8[0], l8, h8)
				two := QuantizeU8(epilogueQ(float32(0)+float32(float32(acc)*s), b, act), invOut, zero)
				if one != two {
					bias[j], found = b, true
					break
				}
			}
		}
		if !found {
			t.Fatalf("int%d k %d act %v zero %d: no bias found for column %d (lo %d hi %d)", bits, k, act, zero, j, lo, hi)
		}
	}
	g, err := PackGEMMQ(w, in, Epilogue{Act: act, Bias: bias}, out)
	if err != nil {
		t.Fatal(err)
	}
	shape := fmt.Sprintf("int%d %s %dx%dx%d act %v zero %d", bits, g.Variant, m, n, k, act, zero)
	got8, want8 := make([]uint8, m*n), make([]uint8, m*n)
	g.Run(nil, m, a, k, got8, n)
	gemmQGeneric(g, 0, m, 0, n, a, k, want8, nil, n, nil)
	got32, want32 := make([]float32, m*n), make([]float32, m*n)
	g.RunF32(nil, m, a, k, got32, n)
	gemmQGeneric(g, 0, m, 0, n, a, k, nil, want32, n, nil)
	apart := 0
	for i := range got8 {
		if got8[i] != want8[i] {
			t.Fatalf("%s: C[%d][%d] = %d, want %d", shape, i/n, i%n, got8[i], want8[i])
		}
		if math.Float32bits(got32[i]) != math.Float32bits(want32[i]) {
			t.Fatalf("%s float out: C[%d][%d] = %v, want %v", shape, i/n, i%n, got32[i], want32[i])
		}
		if want8[i] != QuantizeU8(want32[i], invOut, zero) {
			apart++
		}
	}
	if apart < n {
		t.Fatalf("%s: %d outputs where one and two steps differ, want at least %d", shape, apart, n)
	}
}

// TestDWQOneStepFMA checks the uint8 output of DepthwiseQ, requantU8's
// multiply-add rounded once, on values where rounding the product first
// gives another byte. Random data meets those rarely, so the bias of each
// channel puts one output pixel (at an edge or inside the row, where
// different kernels run) a hair from a rounding tie of the output scale.
func TestDWQOneStepFMA(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	forEachLevel(t, func(t *testing.T, level string) {
		for _, bits := range []int{8, 4} {
			for _, stride := range []int{1, 2} {
				for _, act := range []Act{ActNone, ActReLU6} {
					testDWQOneStepFMA(t, r, bits, stride, act)
				}
			}
		}
	})
}

func testDWQOneStepFMA(t *testing.T, r *rand.Rand, bits, stride int, act Act) {
	const h, w, c = 5, 41, 80 // a block of 64 channels and a tail; edges and row interiors
	in := Quant{Scale: 0.02, Zero: 117}
	out := Quant{Scale: 0.03 + r.Float32()*0.05, Zero: 9}
	invOut := 1 / out.Scale
	qw := randQuantWeights(r, quantCases[0], 9, c, bits)
	x := make([]uint8, h*w*c)
	for i := range x {
		x[i] = uint8(r.IntN(256))
	}
	ho, wo := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
	mulAdd := func(acc int32, s8, b8, lo8, hi8 float32) uint8 {
		t := float32(float32(float32(acc)*s8) + b8)
		return uint8(math.RoundToEven(float64(min(max(t, max(lo8, 0)), hi8))))
	}
	bias := make([]float32, c)
	for ch := range bias {
		s := float32(in.Scale * qw.Scale[ch])
		found := false
		for try := 0; try < 200 && !found; try++ {
			oy, ox := r.IntN(ho), r.IntN(wo)
			var acc int32
			dwTaps(h, w, stride, oy, ox, func(tap, pix int) {
				acc += (int32(x[pix*c+ch]) - int32(in.Zero)) * int32(qw.Q[tap*c+ch])
			})
			if acc == 0 {
				continue
			}
			tie := float64(10+r.IntN(100)) + 0.5
			b0 := float32((tie-float64(out.Zero))*float64(out.Scale) - float64(acc)*float64(s))
			for i := 0; i < 64 && !found; i++ {
				b := math.Float32frombits(math.Float32bits(b0) + uint32(i/2))
				if i%2 == 1 {
					b = math.Float32frombits(math.Float32bits(b0) - uint32(i/2+1))
				}
				s8, b8, l8, h8 := foldU8([]float32{s}, []float32{b}, invOut, out.Zero, act)
				if requantU8(acc, s8[0], b8[0], l8, h8) != mulAdd(acc, s8[0], b8[0], l8, h8) {
					bias[ch], found = b, true
				}
			}
		}
		if !found {
			t.Fatalf("int%d stride %d: no bias found for channel %d", bits, stride, ch)
		}
	}
	d, err := PackDepthwiseQ(stride, qw, in, Epilogue{Act: act, Bias: bias}, out)
	if err != nil {
		t.Fatal(err)
	}
	got, want := make([]uint8, ho*wo*c), make([]uint8, ho*wo*c)
	d.Run(nil, 1, h, w, x, got)
	dwQGeneric(d, h, w, 0, ho, x, want, nil)
	apart := 0
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("int%d %s stride %d act %v: out[%d] (pixel %d, channel %d) = %d, want %d",
				bits, d.Variant, stride, act, i, i/c, i%c, got[i], want[i])
		}
		pix, ch := i/c, i%c
		var acc int32
		dwTaps(h, w, stride, pix/wo, pix%wo, func(tap, p int) {
			acc += (int32(x[p*c+ch]) - int32(in.Zero)) * int32(qw.Q[tap*c+ch])
		})
		if mulAdd(acc, d.S8[ch], d.B8[ch], d.Lo8, d.Hi8) != want[i] {
			apart++
		}
	}
	if apart < c {
		t.Fatalf("int%d %s stride %d: %d outputs where rounding the product first differs, want at least %d", bits, d.Variant, stride, apart, c)
	}
}

// TestGEMMQRes covers the uint8 output with a residual (PackGEMMQRes,
// RunRes) on every level: whole tiles and the rows below them, partial
// vectors, K tails, every activation, residual scales that clamp or not,
// bit for bit against the reference and within one step of y +
// dequant(r) computed in float64; nothing is written outside C.
func TestGEMMQRes(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	forEachLevel(t, func(t *testing.T, level string) {
		for _, bits := range []int{8, 4} {
			for _, n := range []int{1, 16, 24, 33, 64, 96, 144} {
				for _, k := range []int{1, 5, 27, 144} {
					act := Act(r.IntN(3))
					in := Quant{Scale: 0.03, Zero: uint8(r.IntN(256))}
					out := Quant{Scale: 0.02 + 0.05*r.Float32(), Zero: uint8(r.IntN(256))}
					res := Quant{Scale: 0.01 + 0.05*r.Float32(), Zero: uint8(r.IntN(256))}
					w := randQuantWeights(r, quantCases[0], k, n, bits)
					bias := randF32(r, n)
					g, err := PackGEMMQRes(w, in, Epilogue{Act: act, Bias: bias}, out, res)
					if err != nil {
						t.Fatal(err)
					}
					m, lda, ldc := 53, k+2, n+3
					a := make([]uint8, (m-1)*lda+k)
					for i := range a {
						a[i] = uint8(r.IntN(256))
					}
					rv := make([]uint8, (m-1)*ldc+n)
					for i := range rv {
						rv[i] = uint8(r.IntN(256))
					}
					got := newGuard((m-1)*ldc+n, uint8(0xa5), 1)
					want := make([]uint8, (m-1)*ldc+n)
					copy(want, got.data())
					g.RunRes(nil, m, a, lda, got.data(), ldc, rv)
					got.checkMatrix(t, fmt.Sprintf("res %s", g.Variant), m, n, ldc)
					gemmQGeneric(g, 0, m, 0, n, a, lda, want, nil, ldc, rv)
					lo, hi := ActBounds(act)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							o := i*ldc + j
							if got.data()[o] != want[o] {
								t.Fatalf("int%d %s %dx%dx%d act %v: C[%d][%d] = %d, want %d", bits, g.Variant, m, n, k, act, i, j, got.data()[o], want[o])
							}
							var acc float64
							for kk := 0; kk < k; kk++ {
								acc += float64(int(a[i*lda+kk])-int(in.Zero)) * float64(w.Q[kk*n+j])
							}
							y := acc*float64(in.Scale)*float64(w.Scale[j]) + float64(bias[j]) + float64(res.Scale)*float64(int(rv[o])-int(res.Zero))
							y = math.Min(math.Max(y, float64(lo)), float64(hi))
							q := math.Min(math.Max(math.RoundToEven(y/float64(out.Scale)+float64(out.Zero)), 0), 255)
							if math.Abs(q-float64(want[o])) > 1 {
								t.Fatalf("int%d %dx%dx%d act %v: C[%d][%d] = %d, y + dequant(r) gives %v", bits, m, n, k, act, i, j, want[o], q)
							}
						}
					}
				}
			}
		}
	})
}
