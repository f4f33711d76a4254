package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/internal/operands"
	"github.com/aiq-project/aiq/kernels"
)

// TimingOptions control MeasureTimes.
type TimingOptions struct {
	Batch, Threads int
	MinTime        time.Duration // least measured time per point (default 60ms)
	Log            func(format string, args ...any)
}

// MeasureTimes times each layer's kernel at its exact shape for the batch
// and thread count, in every format of formats: the GEMM (M = batch x output
// pixels, A already im2col'ed) or the 3x3 depthwise convolution, packed from
// random weights, with a ReLU epilogue writing the next layer's activation
// format (uint8 for integer formats). Layers of the same shape share one
// measurement. Each time is the fastest of the repeated samples: on a
// machine shared with other work, interference only ever adds time. The
// result is seconds per batch, [layer][format]; formats
// not measured are +Inf. The im2col copy and the float operators between
// layers are not included: they scale with the activation width, so they
// favour narrow formats further, and the end-to-end re-measurement of the
// chosen configuration includes them.
func MeasureTimes(layers []Layer, formats []kernels.Format, o TimingOptions) ([][]float64, error) {
	if o.Batch < 1 || o.Threads < 1 {
		return nil, fmt.Errorf("search: timing batch %d and threads %d must be >= 1", o.Batch, o.Threads)
	}
	if o.MinTime == 0 {
		o.MinTime = 60 * time.Millisecond
	}
	pool := kernels.NewPool(o.Threads)
	defer pool.Close()
	seen := map[string]float64{}
	out := make([][]float64, len(layers))
	for i, l := range layers {
		out[i] = make([]float64, len(kernels.Formats))
		for j := range out[i] {
			out[i][j] = math.Inf(1)
		}
		for _, f := range formats {
			key := fmt.Sprintf("%v/%+v/%s", l.Depthwise, l.Shape, f)
			if t, ok := seen[key]; ok {
				out[i][f] = t
				continue
			}
			run, err := kernelRun(l, f, o.Batch, pool)
			if err != nil {
				return nil, fmt.Errorf("search: layer %s in %s: %w", l.Name, f, err)
			}
			res, err := harness.Measure(run, harness.Options{Name: "layer/" + key, MinTime: o.MinTime,
				SampleTime: 5 * time.Millisecond, Warmup: 10 * time.Millisecond, CPU: harness.NoPin, Reruns: 1})
			if err != nil {
				return nil, fmt.Errorf("search: timing layer %s in %s: %w", l.Name, f, err)
			}
			t := res.MinNs * 1e-9
			seen[key] = t
			out[i][f] = t
			if o.Log != nil {
				o.Log("time %-60s %-4s %9.1f us/batch (cv %.0f%%)", l.Name, f, t*1e6, 100*res.CV)
			}
		}
	}
	return out, nil
}

// kernelRun packs layer l in format f and returns a loop running it on a
// batch.
func kernelRun(l Layer, f kernels.Format, batch int, pool *kernels.Pool) (func(int), error) {
	s := l.Shape
	rng := rand.New(rand.NewPCG(uint64(s.M*31+s.N*7+s.K), uint64(f)))
	in := kernels.Quant{Scale: 0.02, Zero: 128}
	outQ := kernels.Quant{Scale: 0.05, Zero: 0}
	ep := kernels.Epilogue{Act: kernels.ActReLU}
	if l.Depthwise {
		if s.KH != 3 {
			return nil, fmt.Errorf("depthwise %dx%d, the kernels do 3x3", s.KH, s.KH)
		}
		c, h, w := s.C, s.H, s.W
		nin := batch * h * w * c
		nout := batch * kernels.DepthwiseOut(h, s.Stride) * kernels.DepthwiseOut(w, s.Stride) * c
		wf := operands.Float32(rng, 9*c)
		switch f {
		case kernels.FP32:
			d, err := kernels.PackDepthwiseF32(c, s.Stride, wf, ep)
			if err != nil {
				return nil, err
			}
			x, y := operands.Float32(rng, nin), make([]float32, nout)
			return func(n int) {
				for range n {
					d.Run(pool, batch, h, w, x, y)
				}
			}, nil
		case kernels.FP16:
			d, err := kernels.PackDepthwiseF16(c, s.Stride, wf, ep)
			if err != nil {
				return nil, err
			}
			x, y := make([]uint16, nin), make([]uint16, nout)
			kernels.F32ToF16(x, operands.Float32(rng, nin))
			return func(n int) {
				for range n {
					d.Run(pool, batch, h, w, x, y)
				}
			}, nil
		}
		d, err := kernels.PackDepthwiseQ(s.Stride, operands.QuantWeights(rng, 9, c, f.WeightBits()), in, ep, outQ)
		if err != nil {
			return nil, err
		}
		x, y := operands.Bytes(rng, nin), make([]uint8, nout)
		return func(n int) {
			for range n {
				d.Run(pool, batch, h, w, x, y)
			}
		}, nil
	}
	m, k, nn := batch*s.M, s.K, s.N
	wf := operands.Float32(rng, k*nn)
	switch f {
	case kernels.FP32:
		g, err := kernels.PackGEMMF32(k, nn, wf, ep)
		if err != nil {
			return nil, err
		}
		a, c := operands.Float32(rng, m*k), make([]float32, m*nn)
		return func(it int) {
			for range it {
				g.Run(pool, m, a, k, c, nn)
			}
		}, nil
	case kernels.FP16:
		g, err := kernels.PackGEMMF16(k, nn, wf, ep)
		if err != nil {
			return nil, err
		}
		a, c := make([]uint16, m*k), make([]uint16, m*nn)
		kernels.F32ToF16(a, operands.Float32(rng, m*k))
		return func(it int) {
			for range it {
				g.Run(pool, m, a, k, c, nn)
			}
		}, nil
	}
	g, err := kernels.PackGEMMQ(operands.QuantWeights(rng, k, nn, f.WeightBits()), in, ep, outQ)
	if err != nil {
		return nil, err
	}
	a, c := operands.Bytes(rng, m*k), make([]uint8, m*nn)
	return func(it int) {
		for range it {
			g.Run(pool, m, a, k, c, nn)
		}
	}, nil
}
