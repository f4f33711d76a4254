package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/internal/operands"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/roofline"
)

func init() {
	register("bench", "measure the kernels on every layer shape of a model against the roofline (--kernels)", runBench)
}

// layerShape is one distinct conv/fc layer as its kernel sees it: a GEMM
// (M = batch*H*W, N = Cout, K = Cin*kh*kw, A already im2col'ed) or a 3x3
// depthwise convolution (C channels, input H x W, stride).
type layerShape struct {
	name      string
	depthwise bool
	k, n      int // GEMM
	hw        int // GEMM output pixels per image (1 for fc)
	c, h, w   int // depthwise input
	stride    int
	count     int // layers of the model with this shape
}

func conv(name string, cin, cout, k, hw, count int) layerShape {
	return layerShape{name: name, k: cin * k * k, n: cout, hw: hw, count: count}
}

func dw(name string, c, hin, stride, count int) layerShape {
	return layerShape{name: name, depthwise: true, c: c, h: hin, w: hin, stride: stride, count: count}
}

// macs is the multiply-accumulates of one image through this shape, once.
func (l layerShape) macs() int {
	if l.depthwise {
		return 9 * l.c * kernels.DepthwiseOut(l.h, l.stride) * kernels.DepthwiseOut(l.w, l.stride)
	}
	return l.hw * l.k * l.n
}

// modelShapes lists the distinct layers of the shipped models (MISSION.md)
// with how often each occurs.
var modelShapes = map[string][]layerShape{
	"resnet20": {
		conv("conv3-16_32x32", 3, 16, 3, 1024, 1),
		conv("conv16-16_32x32", 16, 16, 3, 1024, 6),
		conv("conv16-32s2_16x16", 16, 32, 3, 256, 1),
		conv("conv32-32_16x16", 32, 32, 3, 256, 5),
		conv("conv32-64s2_8x8", 32, 64, 3, 64, 1),
		conv("conv64-64_8x8", 64, 64, 3, 64, 5),
		conv("fc64-10", 64, 10, 1, 1, 1),
	},
	"mobilenetv2": {
		conv("stem3-32_32x32", 3, 32, 3, 1024, 1),
		dw("dw32_32x32", 32, 32, 1, 1), dw("dw96_32x32", 96, 32, 1, 1), dw("dw144_32x32", 144, 32, 1, 1),
		dw("dw144s2_16x16", 144, 32, 2, 1), dw("dw192_16x16", 192, 16, 1, 2), dw("dw192s2_8x8", 192, 16, 2, 1),
		dw("dw384_8x8", 384, 8, 1, 4), dw("dw576_8x8", 576, 8, 1, 2), dw("dw576s2_4x4", 576, 8, 2, 1),
		dw("dw960_4x4", 960, 4, 1, 3),
		conv("pw32-16_32x32", 32, 16, 1, 1024, 1), conv("pw16-96_32x32", 16, 96, 1, 1024, 1),
		conv("pw96-24_32x32", 96, 24, 1, 1024, 1), conv("pw24-144_32x32", 24, 144, 1, 1024, 2),
		conv("pw144-24_32x32", 144, 24, 1, 1024, 1),
		conv("pw144-32_16x16", 144, 32, 1, 256, 1), conv("pw32-192_16x16", 32, 192, 1, 256, 3),
		conv("pw192-32_16x16", 192, 32, 1, 256, 2),
		conv("pw192-64_8x8", 192, 64, 1, 64, 1), conv("pw64-384_8x8", 64, 384, 1, 64, 4),
		conv("pw384-64_8x8", 384, 64, 1, 64, 3), conv("pw384-96_8x8", 384, 96, 1, 64, 1),
		conv("pw96-576_8x8", 96, 576, 1, 64, 3), conv("pw576-96_8x8", 576, 96, 1, 64, 2),
		conv("pw576-160_4x4", 576, 160, 1, 16, 1), conv("pw160-960_4x4", 160, 960, 1, 16, 3),
		conv("pw960-160_4x4", 960, 160, 1, 16, 2), conv("pw960-320_4x4", 960, 320, 1, 16, 1),
		conv("pw320-1280_4x4", 320, 1280, 1, 16, 1),
		conv("fc1280-10", 1280, 10, 1, 1, 1),
	},
}

// kernelPoint is one measured kernel, format and shape.
type kernelPoint struct {
	Model      string  `json:"model"`
	Layer      string  `json:"layer"`
	Kernel     string  `json:"kernel"` // gemm or depthwise
	Format     string  `json:"format"`
	Variant    string  `json:"variant"`
	M          int     `json:"m,omitempty"`
	N          int     `json:"n,omitempty"`
	K          int     `json:"k,omitempty"`
	C          int     `json:"c,omitempty"`
	H          int     `json:"h,omitempty"`
	W          int     `json:"w,omitempty"`
	Stride     int     `json:"stride,omitempty"`
	Ops        float64 `json:"ops"`
	Bytes      int64   `json:"bytes"`
	AI         float64 `json:"ai"`
	Level      string  `json:"level"`
	GOPS       float64 `json:"gops"`
	Attainable float64 `json:"attainable_gops"`
	Percent    float64 `json:"percent_of_attainable"`
	MedianNs   float64 `json:"median_ns"`
	CV         float64 `json:"cv"`
	Noisy      bool    `json:"noisy"`
}

type benchReport struct {
	Batch    int               `json:"batch"`
	Threads  int               `json:"threads"`
	ISA      string            `json:"isa"`
	Roofline string            `json:"roofline"` // where the roofline came from
	Note     string            `json:"note"`
	Points   []kernelPoint     `json:"points"`
	Results  []harness.Result  `json:"samples"`
	Config   map[string]string `json:"config"`
}

func runBench(args []string) error {
	fs := newFlags("bench")
	kern := fs.Bool("kernels", false, "measure the kernels on every layer shape (the only mode so far)")
	model := fs.String("model", "all", "resnet20, mobilenetv2 or all")
	batch := fs.Int("batch", 1, "images per kernel call (M = batch x H x W)")
	threads := fs.Int("threads", 1, "threads per kernel call")
	formats := fs.String("formats", "fp32,fp16,int8,int4", "comma-separated formats")
	rf := fs.String("roofline", "", "probe result JSON from 'aiq roofline --json' (default: run a quick probe)")
	minTime := fs.Duration("min-time", 200*time.Millisecond, "least measured time per point")
	jsonPath := fs.String("json", "", "write the points as JSON to `FILE`")
	svgPath := fs.String("svg", "", "write the roofline chart with every point to `FILE`")
	textPath := fs.String("text", "", "write the samples in Go benchmark format (benchstat) to `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !*kern {
		fmt.Fprintln(os.Stderr, "aiq bench: only --kernels is implemented")
		return errUsage
	}
	if *batch < 1 || *threads < 1 {
		fmt.Fprintf(os.Stderr, "aiq bench: --batch %d and --threads %d must be >= 1\n", *batch, *threads)
		return errUsage
	}
	var models []string
	switch *model {
	case "all":
		models = []string{"resnet20", "mobilenetv2"}
	case "resnet20", "mobilenetv2":
		models = []string{*model}
	default:
		return fmt.Errorf("--model %q: want resnet20, mobilenetv2 or all", *model)
	}
	var fmts []kernels.Format
	for _, s := range strings.Split(*formats, ",") {
		f, err := kernels.ParseFormat(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("--formats: %w", err)
		}
		fmts = append(fmts, f)
	}

	rep := benchReport{Batch: *batch, Threads: *threads, ISA: kernels.ISA(),
		Note: "bytes = A (im2col'ed for 3x3) + packed-size weights + C at the format's widths, once per call; ops = 2 x MACs; attainable uses the memory level the call's working set fits in"}
	var r *roofline.Result
	var err error
	if *rf != "" {
		if r, err = roofline.Load(*rf); err != nil {
			return err
		}
		rep.Roofline = *rf
	} else {
		fmt.Fprintln(os.Stderr, "no --roofline given: running 'aiq roofline --quick' first")
		if r, err = roofline.Probe(roofline.Options{Quick: true, Threads: *threads}); err != nil {
			return err
		}
		rep.Roofline = "quick probe"
	}
	if _, _, err := r.Ceilings(roofline.FP32, roofline.DRAM, *threads); err != nil {
		return fmt.Errorf("roofline %s has no ceilings for %d threads (probe with --threads %d): %w", rep.Roofline, *threads, *threads, err)
	}

	pool := kernels.NewPool(*threads)
	defer pool.Close()
	// One thread: pin the caller, which runs the whole kernel, and time it
	// by its CPU time so preemption by other processes on a shared host does
	// not count. More threads: the pool's workers are the kernels package's,
	// left to the scheduler and timed by the wall clock.
	pin, cpu, cpuTime := false, 0, false
	if *threads == 1 {
		if cpus, err := harness.CPUs(); err == nil && len(cpus) > 0 {
			pin, cpu, cpuTime = true, cpus[0], runtime.GOOS == "linux"
		}
	}
	total := 0
	for _, m := range models {
		total += len(modelShapes[m]) * len(fmts)
	}
	done := 0
	for _, m := range models {
		for _, sh := range modelShapes[m] {
			for _, f := range fmts {
				done++
				b, err := newKernelBench(sh, f, *batch, pool)
				if err != nil {
					return fmt.Errorf("%s %s %s: %w", m, sh.name, f, err)
				}
				name := fmt.Sprintf("Kernels/%s/%s/%s/batch=%d/threads=%d", m, sh.name, f, *batch, *threads)
				res, err := harness.Measure(b.run, harness.Options{Name: name, MinTime: *minTime, SampleTime: 5 * time.Millisecond,
					Pin: pin, CPU: cpu, ThreadCPUTime: cpuTime, Ops: b.ops, OpsUnit: "GOP/s", Bytes: b.bytes})
				if err != nil {
					return err
				}
				p := b.point
				p.Model, p.Layer, p.Format = m, sh.name, f.String()
				p.Ops, p.Bytes = b.ops, b.bytes
				p.AI = b.ops / float64(b.bytes)
				lvl := r.LevelFor(b.bytes, *threads)
				p.Level = string(lvl)
				p.GOPS = b.ops / res.MedianNs
				p.MedianNs, p.CV, p.Noisy = res.MedianNs, res.CV, res.Noisy
				if p.Attainable, err = r.Attainable(roofline.Format(f.String()), p.AI, lvl, *threads); err != nil {
					return err
				}
				p.Percent = 100 * p.GOPS / p.Attainable
				rep.Points = append(rep.Points, p)
				rep.Results = append(rep.Results, res)
				noisy := ""
				if p.Noisy {
					noisy = fmt.Sprintf(" (noisy, cv %.0f%%)", 100*p.CV)
				}
				fmt.Fprintf(os.Stderr, "[%d/%d] %-12s %-20s %-5s %-11s %8.1f GOP/s  AI %6.1f  %-4s  %5.1f%% of %.0f%s\n",
					done, total, m, sh.name, f, p.Variant, p.GOPS, p.AI, lvl, p.Percent, p.Attainable, noisy)
			}
		}
	}
	rep.Config = map[string]string{"batch": fmt.Sprint(*batch), "threads": fmt.Sprint(*threads), "isa": rep.ISA}
	printBenchTable(os.Stdout, rep.Points)
	if *jsonPath != "" {
		if err := atomicfile.Write(*jsonPath, func(w io.Writer) error { return writeBenchJSON(w, rep) }); err != nil {
			return err
		}
	}
	if *svgPath != "" {
		var cps []roofline.ChartPoint
		for _, p := range rep.Points {
			cps = append(cps, roofline.ChartPoint{Name: p.Model + " " + p.Layer + " " + p.Format, AI: p.AI, GOPS: p.GOPS, Format: roofline.Format(p.Format)})
		}
		title := fmt.Sprintf("Kernels at batch %d on %d thread(s) against the roofline", *batch, *threads)
		err := atomicfile.Write(*svgPath, func(w io.Writer) error {
			return roofline.WriteSVG(w, r, roofline.ChartOptions{Threads: *threads, Title: title, Points: cps})
		})
		if err != nil {
			return err
		}
	}
	if *textPath != "" {
		if err := atomicfile.Write(*textPath, func(w io.Writer) error { return harness.WriteText(w, rep.Results, rep.Config) }); err != nil {
			return err
		}
	}
	return nil
}

func printBenchTable(w io.Writer, pts []kernelPoint) {
	fmt.Fprintf(w, "%-12s %-20s %-5s %-12s %10s %10s %7s %-5s %10s %7s\n", "model", "layer", "fmt", "variant", "GOP/s", "bytes", "AI", "level", "attainable", "%")
	for _, p := range pts {
		fmt.Fprintf(w, "%-12s %-20s %-5s %-12s %10.1f %10d %7.1f %-5s %10.1f %6.1f%%\n",
			p.Model, p.Layer, p.Format, p.Variant, p.GOPS, p.Bytes, p.AI, p.Level, p.Attainable, p.Percent)
	}
}

// kernelBench holds one packed kernel with its operands.
type kernelBench struct {
	run   func(n int)
	ops   float64
	bytes int64
	point kernelPoint
}

func newKernelBench(sh layerShape, f kernels.Format, batch int, pool *kernels.Pool) (*kernelBench, error) {
	rng := rand.New(rand.NewPCG(uint64(sh.k*7919+sh.n), uint64(f)))
	wb, ab := float64(f.WeightBits())/8, float64(f.ActBits())/8
	in := kernels.Quant{Scale: 0.02, Zero: 128}
	out := kernels.Quant{Scale: 0.05, Zero: 0}
	ep := kernels.Epilogue{Act: kernels.ActReLU}
	if sh.depthwise {
		c, h, w, s := sh.c, sh.h, sh.w, sh.stride
		ho, wo := kernels.DepthwiseOut(h, s), kernels.DepthwiseOut(w, s)
		nin, nout := batch*h*w*c, batch*ho*wo*c
		kb := &kernelBench{
			ops:   2 * 9 * float64(nout),
			bytes: int64(float64(nin+nout)*ab + float64(9*c)*wb),
			point: kernelPoint{Kernel: "depthwise", C: c, H: h, W: w, Stride: s},
		}
		wf := operands.Float32(rng, 9*c)
		switch f {
		case kernels.FP32:
			d, err := kernels.PackDepthwiseF32(c, s, wf, ep)
			if err != nil {
				return nil, err
			}
			x, y := operands.Float32(rng, nin), make([]float32, nout)
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
			x, y := operands.Float16(rng, nin), make([]uint16, nout)
			kb.run = func(n int) {
				for range n {
					d.Run(pool, batch, h, w, x, y)
				}
			}
			kb.point.Variant = d.Variant
		default:
			d, err := kernels.PackDepthwiseQ(s, operands.QuantWeights(rng, 9, c, f.WeightBits()), in, ep, out)
			if err != nil {
				return nil, err
			}
			x, y := operands.Bytes(rng, nin), make([]uint8, nout)
			kb.run = func(n int) {
				for range n {
					d.Run(pool, batch, h, w, x, y)
				}
			}
			kb.point.Variant = d.Variant
		}
		return kb, nil
	}

	m, k, n := batch*sh.hw, sh.k, sh.n
	kb := &kernelBench{
		ops:   2 * float64(m) * float64(n) * float64(k),
		bytes: int64(float64(m*k+m*n)*ab + float64(k*n)*wb),
		point: kernelPoint{Kernel: "gemm", M: m, N: n, K: k},
	}
	wf := operands.Float32(rng, k*n)
	switch f {
	case kernels.FP32:
		g, err := kernels.PackGEMMF32(k, n, wf, ep)
		if err != nil {
			return nil, err
		}
		a, c := operands.Float32(rng, m*k), make([]float32, m*n)
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
		a, c := operands.Float16(rng, m*k), make([]uint16, m*n)
		kb.run = func(it int) {
			for range it {
				g.Run(pool, m, a, k, c, n)
			}
		}
		kb.point.Variant = g.Variant
	default:
		g, err := kernels.PackGEMMQ(operands.QuantWeights(rng, k, n, f.WeightBits()), in, ep, out)
		if err != nil {
			return nil, err
		}
		a, c := operands.Bytes(rng, m*k), make([]uint8, m*n)
		kb.run = func(it int) {
			for range it {
				g.Run(pool, m, a, k, c, n)
			}
		}
		kb.point.Variant = g.Variant
	}
	return kb, nil
}

func writeBenchJSON(w io.Writer, rep benchReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("encode bench json: %w", err)
	}
	return nil
}
