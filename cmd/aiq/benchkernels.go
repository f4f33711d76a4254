package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
)

// kernelShape is one distinct layer shape of a model as its kernel sees
// it: a GEMM (hw output pixels per image x N, K = Cin x KH x KW, A already
// im2col'ed) or a 3x3 depthwise convolution (C channels, input H x W,
// stride), with the layers that have it.
type kernelShape struct {
	name      string
	depthwise bool
	k, n, hw  int // GEMM (hw = rows per image)
	c, h, w   int // depthwise input
	stride    int
	layers    []string
}

// kernelShapes lists the distinct kernel shapes of ls in order of first
// appearance.
func kernelShapes(ls []layers.Layer) []kernelShape {
	var out []kernelShape
	index := map[string]int{}
	for _, l := range ls {
		sh := l.Shape
		ks := kernelShape{depthwise: l.Depthwise}
		if l.Depthwise {
			ks.c, ks.h, ks.w, ks.stride = sh.C, sh.H, sh.W, sh.Stride
			ks.name = fmt.Sprintf("dw_c%d_%dx%d_s%d", sh.C, sh.H, sh.W, sh.Stride)
		} else {
			ks.hw, ks.n, ks.k = sh.M, sh.N, sh.K
			ks.name = fmt.Sprintf("gemm_%dx%dx%d", sh.M, sh.N, sh.K)
		}
		if i, ok := index[ks.name]; ok {
			out[i].layers = append(out[i].layers, l.Name)
			continue
		}
		ks.layers = []string{l.Name}
		index[ks.name] = len(out)
		out = append(out, ks)
	}
	return out
}

// benchKernels times every distinct layer shape of the models as one
// kernel call per format.
func benchKernels(s *benchSetup, rep *benchReport) error {
	pool := kernels.NewPool(s.threads)
	defer pool.Close()
	// One thread: pin the caller, which runs the whole kernel, and time it
	// by its CPU time so preemption by other processes on a shared host does
	// not count. More threads: the pool's workers are the kernels package's,
	// left to the scheduler and timed by the wall clock.
	pin, cpu, cpuTime := false, 0, false
	if s.threads == 1 {
		if cpus, err := harness.CPUs(); err == nil && len(cpus) > 0 {
			pin, cpu, cpuTime = true, cpus[0], runtime.GOOS == "linux"
		}
	}
	shapes := make([][]kernelShape, len(s.models))
	total := 0
	for i, m := range s.models {
		shapes[i] = kernelShapes(m.layers)
		if s.quick {
			shapes[i] = quickShapes(shapes[i])
		}
		total += len(shapes[i]) * len(s.formats)
	}
	done := 0
	for i, m := range s.models {
		for _, sh := range shapes[i] {
			for _, f := range s.formats {
				done++
				b, err := newKernelBench(sh, f, s.batch, pool)
				if err != nil {
					return fmt.Errorf("%s %s %s: %w", m.path, sh.name, f, err)
				}
				name := resultName("Kernels", m.name, sh.name, f.String(), fmt.Sprintf("batch=%d", s.batch), fmt.Sprintf("threads=%d", s.threads))
				res, err := harness.Measure(b.run, harness.Options{Name: name, MinTime: s.minTime, SampleTime: 5 * time.Millisecond,
					MinSamples: minSamples, Pin: pin, CPU: cpu, ThreadCPUTime: cpuTime, Ops: b.point.Ops, OpsUnit: "GOP/s", Bytes: int64(b.point.Bytes)})
				if err != nil {
					return err
				}
				p := b.point
				p.Model, p.Layer, p.Format, p.Layers = m.name, sh.name, f.String(), sh.layers
				iv := summarize(res.SamplesNs)
				p.MedianNs, p.LoNs, p.HiNs, p.NSamples, p.CV, p.Noisy = iv.Median, iv.Lo, iv.Hi, iv.N, res.CV, res.Noisy
				if err := s.place(&p); err != nil {
					return err
				}
				rep.Points = append(rep.Points, p)
				rep.Results = append(rep.Results, res)
				noisy := ""
				if p.Noisy {
					noisy = fmt.Sprintf(" (noisy, cv %.0f%%)", 100*p.CV)
				}
				lvl, att, pc := rooflineColumns(p)
				fmt.Fprintf(s.log, "[%d/%d] %-12s %-20s %-19s %-11s %8.1f GOP/s  AI %6.1f  %-4s  %s of %s%s\n",
					done, total, m.name, sh.name, execLabel(p.Format, p.Exec), p.Variant, p.GOPS, p.AI, lvl, pc, att, noisy)
			}
		}
	}
	return nil
}

func printKernelTable(w io.Writer, pts []benchPoint) {
	fmt.Fprintf(w, "%-12s %-20s %-19s %-11s %9s %21s %8s %10s %7s %-5s %10s %7s %s\n",
		"model", "shape", "format", "variant", "median us", "95% interval", "GOP/s", "bytes", "AI", "level", "attainable", "%", "layers")
	for _, p := range pts {
		lvl, att, pc := rooflineColumns(p)
		fmt.Fprintf(w, "%-12s %-20s %-19s %-11s %9.2f  [%8.2f, %8.2f] %8.1f %10.0f %7.1f %-5s %10s %7s %d\n",
			p.Model, p.Layer, execLabel(p.Format, p.Exec), p.Variant, p.MedianNs/1e3, p.LoNs/1e3, p.HiNs/1e3, p.GOPS, p.Bytes, p.AI, lvl, att, pc, len(p.Layers))
	}
}

// kernelBench holds one packed kernel with its operands; point has the
// shape, variant, exec format, ops and bytes filled in.
type kernelBench struct {
	run   func(n int)
	point benchPoint
}

// Random operands (the kernels' time does not depend on the values).

func randF32(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func randF16(rng *rand.Rand, n int) []uint16 {
	h := make([]uint16, n)
	kernels.F32ToF16(h, randF32(rng, n))
	return h
}

func randU8(rng *rand.Rand, n int) []uint8 {
	x := make([]uint8, n)
	for i := range x {
		x[i] = uint8(rng.UintN(256))
	}
	return x
}

// randQuantWeights returns k x n uniform weights of the given width, one
// scale per column.
func randQuantWeights(rng *rand.Rand, k, n, bits int) kernels.QuantWeights {
	lo, span := -128, 256
	if bits == 4 {
		lo, span = -8, 16
	}
	q := make([]int8, k*n)
	for i := range q {
		q[i] = int8(lo + rng.IntN(span))
	}
	sc := make([]float32, n)
	for i := range sc {
		sc[i] = 0.01
	}
	return kernels.QuantWeights{K: k, N: n, Bits: bits, Q: q, Scale: sc}
}

// execFormat is the format an integer kernel runs for f, given the weight
// width it executes.
func execFormat(f kernels.Format, bits int) kernels.Format {
	if f == kernels.Int4 && bits == 8 {
		return kernels.Int8
	}
	return f
}

func newKernelBench(sh kernelShape, f kernels.Format, batch int, pool *kernels.Pool) (*kernelBench, error) {
	rng := rand.New(rand.NewPCG(uint64(sh.k*7919+sh.n+sh.c), uint64(f)))
	in := kernels.Quant{Scale: 0.02, Zero: 128}
	out := kernels.Quant{Scale: 0.05, Zero: 0}
	ep := kernels.Epilogue{Act: kernels.ActReLU}
	kb := &kernelBench{}
	exec := f
	// bytes is the call's traffic at the widths of format g: activations
	// in and out once, weights once.
	var bytes func(g kernels.Format) float64
	if sh.depthwise {
		c, h, w, s := sh.c, sh.h, sh.w, sh.stride
		ho, wo := kernels.DepthwiseOut(h, s), kernels.DepthwiseOut(w, s)
		nin, nout := batch*h*w*c, batch*ho*wo*c
		kb.point = benchPoint{Kernel: "depthwise", C: c, H: h, W: w, Stride: s, Ops: 2 * 9 * float64(nout)}
		bytes = func(g kernels.Format) float64 {
			return float64(nin+nout)*float64(g.ActBits())/8 + float64(9*c)*float64(g.WeightBits())/8
		}
		wf := randF32(rng, 9*c)
		switch f {
		case kernels.FP32:
			d, err := kernels.PackDepthwiseF32(c, s, wf, ep)
			if err != nil {
				return nil, err
			}
			x, y := randF32(rng, nin), make([]float32, nout)
			kb.run = func(n int) {
				for range n {
					d.Run(pool, batch, h, w, x, y)
				}
			}
			kb.point.Variant = d.Variant
		case kernels.FP16:
			d, err := kernels.PackDepthwiseF16(c, s, wf, ep)
			if err != nil {
				return nil, err
			}
			x, y := randF16(rng, nin), make([]uint16, nout)
			kb.run = func(n int) {
				for range n {
					d.Run(pool, batch, h, w, x, y)
				}
			}
			kb.point.Variant = d.Variant
		default:
			d, err := kernels.PackDepthwiseQ(s, randQuantWeights(rng, 9, c, f.WeightBits()), in, ep, out)
			if err != nil {
				return nil, err
			}
			x, y := randU8(rng, nin), make([]uint8, nout)
			kb.run = func(n int) {
				for range n {
					d.Run(pool, batch, h, w, x, y)
				}
			}
			kb.point.Variant = d.Variant
			exec = execFormat(f, d.ExecBits())
		}
	} else {
		m, k, n := batch*sh.hw, sh.k, sh.n
		kb.point = benchPoint{Kernel: "gemm", M: m, N: n, K: k, Ops: 2 * float64(m) * float64(n) * float64(k)}
		bytes = func(g kernels.Format) float64 {
			return float64(m*k+m*n)*float64(g.ActBits())/8 + float64(k*n)*float64(g.WeightBits())/8
		}
		wf := randF32(rng, k*n)
		switch f {
		case kernels.FP32:
			g, err := kernels.PackGEMMF32(k, n, wf, ep)
			if err != nil {
				return nil, err
			}
			a, c := randF32(rng, m*k), make([]float32, m*n)
			kb.run = func(it int) {
				for range it {
					g.Run(pool, m, a, k, c, n)
				}
			}
			kb.point.Variant = g.Variant
		case kernels.FP16:
			g, err := kernels.PackGEMMF16(k, n, wf, ep)
			if err != nil {
				return nil, err
			}
			a, c := randF16(rng, m*k), make([]uint16, m*n)
			kb.run = func(it int) {
				for range it {
					g.Run(pool, m, a, k, c, n)
				}
			}
			kb.point.Variant = g.Variant
		default:
			g, err := kernels.PackGEMMQ(randQuantWeights(rng, k, n, f.WeightBits()), in, ep, out)
			if err != nil {
				return nil, err
			}
			a, c := randU8(rng, m*k), make([]uint8, m*n)
			kb.run = func(it int) {
				for range it {
					g.Run(pool, m, a, k, c, n)
				}
			}
			kb.point.Variant = g.Variant
			exec = execFormat(f, g.ExecBits())
		}
	}
	kb.point.Exec = exec.String()
	kb.point.Bytes, kb.point.PaperBytes = bytes(exec), bytes(f)
	return kb, nil
}
