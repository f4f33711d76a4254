//go:build gc && !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// dwExtraShapes adds model-like shapes (channel blocks, 8-pixel tiles and
// their remainders, both borders) to TestDepthwise's small ones.
var dwExtraShapes = []dwShape{
	{1, 3, 19, 1}, {17, 9, 11, 2}, {33, 6, 17, 1}, {64, 5, 9, 2}, {80, 4, 10, 1},
	{144, 7, 12, 2}, {200, 3, 18, 1}, {129, 2, 21, 2},
}

// TestDepthwiseFormats compares each format and variant with the generic
// kernel one format at a time, so a failure names the format.
func TestDepthwiseFormats(t *testing.T) {
	for _, f := range Formats {
		t.Run(f.String(), func(t *testing.T) {
			forEachLevel(t, func(t *testing.T, level string) {
				r := rand.New(rand.NewPCG(11, 12))
				for i, s := range dwExtraShapes {
					batch := 1 + i%2
					name := fmt.Sprintf("%v b%d %s", f, batch, s)
					checkDWFormat(t, r, f, batch, s, i, name)
				}
			})
		})
	}
}

func checkDWFormat(t *testing.T, r *rand.Rand, f Format, batch int, s dwShape, i int, name string) {
	t.Helper()
	c, h, w, stride := s.c, s.h, s.w, s.stride
	ho, wo := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
	outN := batch * ho * wo * c
	ep := epilogueFor(r, c, i)
	inF := randF32(r, batch*h*w*c)
	switch f {
	case FP32:
		d, err := PackDepthwiseF32(c, stride, randF32(r, 9*c), ep)
		if err != nil {
			t.Fatal(err)
		}
		g := newGuard(outN, float32(math.Inf(1)), i%2)
		d.Run(nil, batch, h, w, inF, g.data())
		g.checkMatrix(t, name, 1, outN, outN)
		want := make([]float32, outN)
		dwF32Generic(d, h, w, 0, batch*ho, inF, want)
		for j := range want {
			if !closeF32(g.data()[j], want[j], 9*3*(abs32(want[j])+1), 9, 0) {
				t.Fatalf("%s %s: out[%d] = %v, want %v", d.Variant, name, j, g.data()[j], want[j])
			}
		}
	case FP16:
		d, err := PackDepthwiseF16(c, stride, randF32(r, 9*c), ep)
		if err != nil {
			t.Fatal(err)
		}
		in := toF16(inF)
		g := newGuard(outN, uint16(0xfe01), i%2)
		d.Run(nil, batch, h, w, in, g.data())
		g.checkMatrix(t, name, 1, outN, outN)
		want := make([]uint16, outN)
		dwF16Generic(d, h, w, 0, batch*ho, in, want)
		for j := range want {
			got, wv := F16ToF32One(g.data()[j]), F16ToF32One(want[j])
			if !closeF32(got, wv, 9*3*(abs32(wv)+1), 9, 0x1p-10) {
				t.Fatalf("%s %s: out[%d] = %v, want %v", d.Variant, name, j, got, wv)
			}
		}
	default:
		bits := 8
		if f == Int4 {
			bits = 4
		}
		for qi, qc := range quantCases[:4] {
			qw := randQuantWeights(r, qc, 9, c, bits)
			outScale := float32(0.04)
			if qi == 3 {
				outScale = 1e-9 // t beyond int32: no row kernel, the float clamp
			}
			d, err := PackDepthwiseQ(stride, qw, Quant{Scale: 0.03, Zero: qc.inZ}, ep, Quant{Scale: outScale, Zero: qc.outZ})
			if err != nil {
				t.Fatal(err)
			}
			if d.tFits != (qi != 3) {
				t.Fatalf("out scale %v: tFits %v", outScale, d.tFits)
			}
			in := make([]uint8, batch*h*w*c)
			for j := range in {
				in[j] = qc.a(r)
			}
			g8 := newGuard(outN, uint8(0x5a), i%2)
			d.Run(nil, batch, h, w, in, g8.data())
			g8.checkMatrix(t, name, 1, outN, outN)
			gf := newGuard(outN, float32(-777), i%2)
			d.RunF32(nil, batch, h, w, in, gf.data())
			gf.checkMatrix(t, name+" f32", 1, outN, outN)
			want8, wantF := make([]uint8, outN), make([]float32, outN)
			dwQGeneric(d, h, w, 0, batch*ho, in, want8, nil)
			dwQGeneric(d, h, w, 0, batch*ho, in, nil, wantF)
			for j := range want8 {
				if g8.data()[j] != want8[j] {
					t.Fatalf("%s %s %s: out[%d] = %d, want %d", d.Variant, qc.name, name, j, g8.data()[j], want8[j])
				}
				if math.Float32bits(gf.data()[j]) != math.Float32bits(wantF[j]) {
					t.Fatalf("%s %s %s float out: out[%d] = %v, want %v", d.Variant, qc.name, name, j, gf.data()[j], wantF[j])
				}
			}
		}
	}
}

// TestDepthwiseCPUTime prints GB/s and GFLOP/s of every depthwise format,
// variant and model shape measured in thread CPU time rather than wall time,
// next to a copy of the same bytes: on a shared host the scheduler steals
// wall time, not CPU time. Run with AIQ_DW_CPUTIME=1 -v.
func TestDepthwiseCPUTime(t *testing.T) {
	if os.Getenv("AIQ_DW_CPUTIME") == "" {
		t.Skip("set AIQ_DW_CPUTIME=1 to measure")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r := rand.New(rand.NewPCG(3, 3))
	measure := func(fn func()) float64 { // CPU seconds per call
		fn()
		for n := 1; ; n *= 2 {
			t0 := threadCPU()
			for i := 0; i < n; i++ {
				fn()
			}
			if d := threadCPU() - t0; d > 0.1 {
				return d / float64(n)
			}
		}
	}
	shapes, batches := modelDWs, []int{1, 64}
	if v := os.Getenv("AIQ_DW_SHAPES"); v != "" { // e.g. "144x32x32-s1,960x4x4-s1"
		shapes = nil
		for _, f := range strings.Split(v, ",") {
			var s dwShape
			if _, err := fmt.Sscanf(f, "%dx%dx%d-s%d", &s.c, &s.h, &s.w, &s.stride); err != nil {
				t.Fatalf("AIQ_DW_SHAPES: %q: %v", f, err)
			}
			shapes = append(shapes, s)
		}
	}
	if v := os.Getenv("AIQ_DW_BATCH"); v != "" {
		b, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("AIQ_DW_BATCH: %v", err)
		}
		batches = []int{b}
	}
	only, onlyLevel := os.Getenv("AIQ_DW_FORMAT"), os.Getenv("AIQ_DW_LEVEL")
	for _, batch := range batches {
		for _, s := range shapes {
			ho, wo := DepthwiseOut(s.h, s.stride), DepthwiseOut(s.w, s.stride)
			inN, outN := batch*s.h*s.w*s.c, batch*ho*wo*s.c
			for _, f := range Formats {
				if only != "" && only != f.String() {
					continue
				}
				width := f.ActBits() / 8
				bytes := float64(width * (inN + outN))
				src, dst := make([]byte, width*inN), make([]byte, width*outN)
				cp := measure(func() { copy(dst, src[:len(dst)]); copy(dst[:0], src) })
				// copy reads outN and writes outN; scale to the kernel's bytes.
				copyGBs := float64(2*len(dst)) / cp / 1e9
				for _, level := range levels()[1:] {
					if onlyLevel != "" && onlyLevel != level {
						continue
					}
					restore := ForceISA(level)
					variant := variantFor("dw/" + f.String())
					if variant != level {
						restore()
						continue
					}
					run := dwRunner(r, f, batch, s)
					sec := measure(run)
					restore()
					t.Logf("%-5v %-10s b%-2d %-14s %6.1f GB/s %6.1f GFLOP/s  (copy %5.1f GB/s)",
						f, variant, batch, s, bytes/sec/1e9, 18*float64(outN)/sec/1e9, copyGBs)
				}
			}
		}
	}
}

// dwRunner packs a depthwise layer of format f and returns one call of it.
func dwRunner(r *rand.Rand, f Format, batch int, s dwShape) func() {
	ho, wo := DepthwiseOut(s.h, s.stride), DepthwiseOut(s.w, s.stride)
	inN, outN := batch*s.h*s.w*s.c, batch*ho*wo*s.c
	w := randF32(r, 9*s.c)
	switch f {
	case FP32:
		d, _ := PackDepthwiseF32(s.c, s.stride, w, Epilogue{Act: ActReLU6})
		in, out := randF32(r, inN), make([]float32, outN)
		return func() { d.Run(nil, batch, s.h, s.w, in, out) }
	case FP16:
		d, _ := PackDepthwiseF16(s.c, s.stride, w, Epilogue{Act: ActReLU6})
		in, out := toF16(randF32(r, inN)), make([]uint16, outN)
		return func() { d.Run(nil, batch, s.h, s.w, in, out) }
	}
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
	return func() { d.Run(nil, batch, s.h, s.w, in, out) }
}

// threadCPU is the CPU time of the calling thread in seconds.
func threadCPU() float64 {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		panic(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
