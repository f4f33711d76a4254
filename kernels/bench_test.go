package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// gemmShape is one GEMM as M x N x K (M = batch * H * W for a convolution).
type gemmShape struct{ m, n, k int }

func (s gemmShape) String() string { return fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k) }

// genericGEMMs are per-image GEMM shapes (M = H*W rows, scaled by the
// batch in benchShapes; M = 1 is an fc layer, one row per image) chosen to
// cover the kernels' regimes: K not a multiple of the vector width (27),
// narrow N (10, 16, 24, 32: where int4 runs as int8 on some variants),
// pointwise (small K), wide N with few rows, and GEMVs. They are not any
// model's list of layers: `aiq bench --kernels --model FILE` times every
// layer shape of a model, taken from the graph by package layers (which
// this package's tests cannot import: layers imports kernels), and writes
// Go benchmark lines with --text.
var genericGEMMs = []gemmShape{
	{1024, 16, 27}, {1024, 32, 27}, // stems: K = 3x3x3
	{1024, 16, 144}, {256, 32, 288}, {64, 64, 576}, // 3x3 convs: N 16, 32, 64
	{1024, 96, 16}, {1024, 24, 96}, {256, 192, 32}, {64, 576, 96}, // pointwise
	{16, 1280, 320}, {16, 160, 960}, // wide N or deep K, few rows
	{1, 10, 64}, {1, 10, 1280}, // fc
}

// benchShapes is every generic shape at batch 1 and 64, the compute-bound
// reference shapes, and weight-bound GEMVs whose weights exceed the LLC.
func benchShapes() []gemmShape {
	seen := map[gemmShape]bool{}
	var out []gemmShape
	add := func(s gemmShape) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, batch := range []int{1, 64} {
		for _, s := range genericGEMMs {
			m := s.m * batch
			if s.m == 1 { // fc: one row per image
				m = batch
			}
			add(gemmShape{m, s.n, s.k})
		}
	}
	add(gemmShape{1024, 64, 576}) // compute-bound targets of the kernels issue
	add(gemmShape{256, 1280, 320})
	add(gemmShape{1024, 1024, 1024})
	add(gemmShape{1, 8192, 4096})
	add(gemmShape{1, 4096, 4096})
	return out
}

// dwShape is a depthwise layer: input channels x height x width, stride.
type dwShape struct{ c, h, w, stride int }

func (s dwShape) String() string { return fmt.Sprintf("%dx%dx%d-s%d", s.c, s.h, s.w, s.stride) }

// genericDWs are 3x3 depthwise shapes covering strides 1 and 2, channel
// counts of one and many vector blocks, and large to small planes; like
// genericGEMMs, not any model's list (aiq bench --kernels times those).
var genericDWs = []dwShape{
	{32, 32, 32, 1}, {144, 32, 32, 2}, {192, 16, 16, 1}, {192, 16, 16, 2},
	{384, 8, 8, 1}, {576, 8, 8, 2}, {960, 4, 4, 1},
}

// modelDWs is genericDWs under the name dw_amd64_test.go uses.
var modelDWs = genericDWs

// benchLevels returns, for a kernel family, each supported level that has
// its own variant of it (with -short only the variant selected by default).
func benchLevels(family string) []string {
	var out []string
	for _, l := range levels() {
		restore := ForceISA(l)
		v := variantFor(family)
		restore()
		if v == l {
			out = append(out, l)
		}
	}
	if testing.Short() && len(out) > 1 {
		out = out[len(out)-1:]
	}
	return out
}

func reportGEMM(b *testing.B, s gemmShape, bytes int64) {
	b.SetBytes(bytes)
	b.ReportAllocs()
	ops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
	b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkGEMM runs fp32/<variant>/<MxNxK> and likewise for fp16, int8, int4
// on one thread. Bytes are A, B and C once, at each format's width.
func BenchmarkGEMM(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, f := range Formats {
		for _, level := range benchLevels("gemm/" + f.String()) {
			variant := level
			for _, s := range benchShapes() {
				b.Run(fmt.Sprintf("%s/%s/%s", f, variant, s), func(b *testing.B) {
					defer ForceISA(level)()
					benchGEMM(b, r, f, s)
				})
			}
		}
	}
}

func benchGEMM(b *testing.B, r *rand.Rand, f Format, s gemmShape) {
	w := randF32(r, s.k*s.n)
	switch f {
	case FP32:
		g, _ := PackGEMMF32(s.k, s.n, w, Epilogue{Act: ActReLU})
		a, c := randF32(r, s.m*s.k), make([]float32, s.m*s.n)
		b.ResetTimer()
		for b.Loop() {
			g.Run(nil, s.m, a, s.k, c, s.n)
		}
		reportGEMM(b, s, int64(4*(s.m*s.k+s.k*s.n+s.m*s.n)))
	case FP16:
		g, _ := PackGEMMF16(s.k, s.n, w, Epilogue{Act: ActReLU})
		a, c := toF16(randF32(r, s.m*s.k)), make([]uint16, s.m*s.n)
		b.ResetTimer()
		for b.Loop() {
			g.Run(nil, s.m, a, s.k, c, s.n)
		}
		reportGEMM(b, s, int64(2*(s.m*s.k+s.k*s.n+s.m*s.n)))
	default:
		bits := 8
		if f == Int4 {
			bits = 4
		}
		qw := randQuantWeights(r, quantCases[0], s.k, s.n, bits)
		g, _ := PackGEMMQ(qw, Quant{Scale: 0.02, Zero: 128}, Epilogue{Act: ActReLU}, Quant{Scale: 0.05, Zero: 0})
		a, c := make([]uint8, s.m*s.k), make([]uint8, s.m*s.n)
		for i := range a {
			a[i] = uint8(r.IntN(256))
		}
		b.ResetTimer()
		for b.Loop() {
			g.Run(nil, s.m, a, s.k, c, s.n)
		}
		reportGEMM(b, s, int64(s.m*s.k+s.k*s.n*bits/8+s.m*s.n))
	}
}

// BenchmarkDepthwise runs <format>/<variant>/<CxHxW-sS> at batch 1 and 64
// (the batch is a prefix of the shape name: b64/...).
func BenchmarkDepthwise(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, f := range Formats {
		for _, level := range benchLevels("dw/" + f.String()) {
			variant := level
			for _, batch := range []int{1, 64} {
				for _, s := range genericDWs {
					b.Run(fmt.Sprintf("%s/%s/b%d-%s", f, variant, batch, s), func(b *testing.B) {
						defer ForceISA(level)()
						benchDW(b, r, f, batch, s)
					})
				}
			}
		}
	}
}

func benchDW(b *testing.B, r *rand.Rand, f Format, batch int, s dwShape) {
	ho, wo := DepthwiseOut(s.h, s.stride), DepthwiseOut(s.w, s.stride)
	inN, outN := batch*s.h*s.w*s.c, batch*ho*wo*s.c
	w := randF32(r, 9*s.c)
	var width int
	switch f {
	case FP32:
		width = 4
		d, _ := PackDepthwiseF32(s.c, s.stride, w, Epilogue{Act: ActReLU6})
		in, out := randF32(r, inN), make([]float32, outN)
		b.ResetTimer()
		for b.Loop() {
			d.Run(nil, batch, s.h, s.w, in, out)
		}
	case FP16:
		width = 2
		d, _ := PackDepthwiseF16(s.c, s.stride, w, Epilogue{Act: ActReLU6})
		in, out := toF16(randF32(r, inN)), make([]uint16, outN)
		b.ResetTimer()
		for b.Loop() {
			d.Run(nil, batch, s.h, s.w, in, out)
		}
	default:
		width = 1
		bits := 8
		if f == Int4 {
			bits = 4
		}
		qw := randQuantWeights(r, quantCases[0], 9, s.c, bits)
		d, _ := PackDepthwiseQ(s.stride, qw, Quant{Scale: 0.02, Zero: 128}, Epilogue{Act: ActReLU6}, Quant{Scale: 0.05})
		in, out := make([]uint8, inN), make([]uint8, outN)
		for i := range in {
			in[i] = uint8(r.IntN(256))
		}
		b.ResetTimer()
		for b.Loop() {
			d.Run(nil, batch, s.h, s.w, in, out)
		}
	}
	b.SetBytes(int64(width * (inN + outN)))
	b.ReportAllocs()
	ops := 2 * 9 * float64(outN)
	b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	runtime.KeepAlive(w)
}
