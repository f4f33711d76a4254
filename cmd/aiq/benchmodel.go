package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
)

// modelRun is one model in one format: its whole passes and the steps of
// its plan that are no conv/fc layer (conversions, other operators).
type modelRun struct {
	Model  string `json:"model"`
	File   string `json:"file"`
	Format string `json:"format"`
	// PassNs are the times of every measured pass (one batch: input
	// layout, every step, output copy); Pass their summary.
	PassNs     []float64 `json:"pass_ns"`
	Pass       interval  `json:"pass"`
	ImagesPerS float64   `json:"images_per_s"` // batch / median pass
	// LayersNs and OtherNs sum the medians of the layer steps and of the
	// other steps; the rest of a pass is input layout and output copy.
	LayersNs float64     `json:"layers_ns"`
	OtherNs  float64     `json:"other_ns"`
	Other    []stepTimes `json:"other_steps"`
}

// stepTimes is one step of a plan that is no layer.
type stepTimes struct {
	Kind      string    `json:"kind"` // convert or op
	Key       string    `json:"key"`
	Describe  string    `json:"describe"`
	SamplesNs []float64 `json:"samples_ns"`
	Time      interval  `json:"ns"`
}

// formatRun is one compiled model of one format being measured.
type formatRun struct {
	f         kernels.Format
	m         *engine.Model
	steps     []engine.StepInfo
	layerStep []int       // layer i -> its step
	samples   [][]float64 // per step, seconds per batch, one per pass
	pass      []float64
	round     []int // the round of each pass
}

// benchModels measures every model of s in every format and prints a table
// per model to out.
func benchModels(s *benchSetup, rep *benchReport, out io.Writer) error {
	for _, bm := range s.models {
		runs, err := measureModel(s, bm)
		if err != nil {
			return err
		}
		pts, res, mruns, err := modelPoints(s, bm, runs)
		if err != nil {
			return err
		}
		bp, err := benchModelPayload(s, bm, runs)
		if err != nil {
			return err
		}
		rep.bench.Models = append(rep.bench.Models, bp)
		rep.Points = append(rep.Points, pts...)
		rep.Results = append(rep.Results, res...)
		rep.Runs = append(rep.Runs, mruns...)
		printModelTable(out, s, bm, pts, mruns)
	}
	return nil
}

// measureModel compiles bm in every format and profiles the formats in
// interleaved rounds: in each round every format (in an order rotated by
// one each round, so no format always follows the same one) runs one
// unrecorded pass to warm the caches, then passes for at least --min-time
// and enough passes that every format ends with minSamples or more.
func measureModel(s *benchSetup, bm benchModel) ([]*formatRun, error) {
	opts := engine.Options{Batch: s.batch, Threads: s.threads}
	integer := false
	for _, f := range s.formats {
		integer = integer || f == kernels.Int8 || f == kernels.Int4
	}
	if integer {
		fmt.Fprintf(s.log, "%s: calibrating on %d images of %s\n", bm.name, s.calibN, s.calibPath)
		err := withLabels(func() (err error) {
			opts.Calib, err = engine.CalibrateCached(bm.path, bm.g, s.calibSet, s.calibN, s.calibMethod, engine.Options{Batch: s.batch, Threads: s.threads}, s.cacheDir)
			return err
		}, labelModel, bm.name)
		if err != nil {
			return nil, fmt.Errorf("%s: calibration: %w", bm.path, err)
		}
	}
	runs := make([]*formatRun, 0, len(s.formats))
	closeAll := func() {
		for _, r := range runs {
			r.m.Close()
		}
	}
	for _, f := range s.formats {
		// Compiled under the labels, so the kernel pool's workers carry them.
		var m *engine.Model
		err := withLabels(func() (err error) {
			m, err = engine.Compile(bm.g, engine.Uniform(f), opts)
			return err
		}, labelModel, bm.name, labelFormat, f.String())
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("%s in %s: %w", bm.path, f, err)
		}
		r := &formatRun{f: f, m: m, steps: m.Steps()}
		runs = append(runs, r)
		r.samples = make([][]float64, len(r.steps))
		byName := map[string]int{}
		for i, st := range r.steps {
			if st.Layer != "" {
				if _, dup := byName[st.Layer]; dup {
					closeAll()
					return nil, fmt.Errorf("%s in %s: layer %s has two steps", bm.path, f, st.Layer)
				}
				byName[st.Layer] = i
			}
		}
		for _, l := range bm.layers {
			i, ok := byName[l.Name]
			if !ok {
				closeAll()
				return nil, fmt.Errorf("%s in %s: layer %s has no step in the compiled plan", bm.path, f, l.Name)
			}
			r.layerStep = append(r.layerStep, i)
		}
	}
	defer closeAll()
	x := s.inputImages(runs[0].m)
	passes := max(2, (minSamples+s.rounds-1)/s.rounds)
	for round := range s.rounds {
		fmt.Fprintf(s.log, "%s: round %d/%d\n", bm.name, round+1, s.rounds)
		for j := range runs {
			r := runs[(j+round)%len(runs)]
			err := withLabels(func() error {
				if _, err := r.m.Profile(x, 1); err != nil {
					return err
				}
				start := time.Now()
				for k := 0; k < passes || time.Since(start) < s.minTime; k++ {
					p, err := r.m.Profile(x, 1)
					if err != nil {
						return err
					}
					for i, v := range p.Seconds[0] {
						r.samples[i] = append(r.samples[i], v)
					}
					r.pass = append(r.pass, p.Total[0])
					r.round = append(r.round, round)
				}
				return nil
			}, labelModel, bm.name, labelFormat, r.f.String())
			if err != nil {
				return nil, fmt.Errorf("%s in %s: %w", bm.path, r.f, err)
			}
		}
	}
	// The models close when this returns; keep what the points need.
	return runs, nil
}

// inputImages returns one batch of NCHW images for m: the calibration
// images when their shape fits the model, else fixed random values (the
// kernels' time does not depend on the values).
func (s *benchSetup) inputImages(m *engine.Model) []float32 {
	per := m.InC * m.InH * m.InW
	x := make([]float32, s.batch*per)
	if set := s.calibSet; set != nil && set.C == m.InC && set.H == m.InH && set.W == m.InW && set.Len() > 0 {
		ok := true
		for i := 0; i < s.batch && ok; i++ {
			ok = set.Images(i%set.Len(), 1, x[i*per:(i+1)*per]) == nil
		}
		if ok {
			return x
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// modelPoints turns the samples of runs into one point per layer and
// format (in layer order, formats in --formats order), with their harness
// results, and one modelRun per format.
func modelPoints(s *benchSetup, bm benchModel, runs []*formatRun) ([]benchPoint, []harness.Result, []modelRun, error) {
	var pts []benchPoint
	var res []harness.Result
	variants := kernels.Selected()
	for li, l := range bm.layers {
		for _, r := range runs {
			st := r.steps[r.layerStep[li]]
			ns := nanos(r.samples[r.layerStep[li]])
			iv := summarize(ns)
			p := benchPoint{Model: bm.name, Layer: l.Name, Kernel: st.Kind, Format: r.f.String(), Exec: st.Exec.String(),
				Ops:        2 * float64(l.MACs) * float64(s.batch),
				Bytes:      layers.Bytes(l, st.Exec, s.batch),
				PaperBytes: layers.Bytes(l, r.f, s.batch),
				MedianNs:   iv.Median, LoNs: iv.Lo, HiNs: iv.Hi, NSamples: iv.N, CV: harness.Summarize(ns).CV}
			family := "gemm/"
			if l.Depthwise {
				family = "dw/"
				p.C, p.H, p.W, p.Stride = l.Shape.C, l.Shape.H, l.Shape.W, l.Shape.Stride
			} else {
				p.M, p.N, p.K = s.batch*l.Shape.M, l.Shape.N, l.Shape.K
			}
			p.Variant = variants[family+r.f.String()]
			if !(p.MedianNs > 0) || !(p.Bytes > 0) || !(p.Ops > 0) {
				return nil, nil, nil, fmt.Errorf("%s layer %s in %s: median %v ns, %v bytes, %v ops", bm.path, l.Name, r.f, p.MedianNs, p.Bytes, p.Ops)
			}
			if err := s.place(&p); err != nil {
				return nil, nil, nil, err
			}
			pts = append(pts, p)
			res = append(res, harness.Result{
				Name:       resultName("Model", bm.name, l.Name, r.f.String(), fmt.Sprintf("batch=%d", s.batch), fmt.Sprintf("threads=%d", s.threads)),
				Iterations: 1, SamplesNs: ns, MedianNs: iv.Median, MinNs: slices.Min(ns), CV: p.CV, Attempts: 1, Clock: "wall", CPU: harness.NoPin,
				Metrics: map[string]float64{"GOP/s": p.GOPS, "GB/s": p.GBs},
			})
		}
	}
	var mruns []modelRun
	for _, r := range runs {
		mr := modelRun{Model: bm.name, File: bm.path, Format: r.f.String(), PassNs: nanos(r.pass)}
		mr.Pass = summarize(mr.PassNs)
		mr.ImagesPerS = float64(s.batch) / (mr.Pass.Median * 1e-9)
		isLayer := map[int]bool{}
		for _, i := range r.layerStep {
			isLayer[i] = true
			mr.LayersNs += summarize(nanos(r.samples[i])).Median
		}
		for i, st := range r.steps {
			if isLayer[i] {
				continue
			}
			ns := nanos(r.samples[i])
			t := stepTimes{Kind: st.Kind, Key: st.Key, Describe: strings.Join(strings.Fields(st.Describe), " "), SamplesNs: ns, Time: summarize(ns)}
			mr.OtherNs += t.Time.Median
			mr.Other = append(mr.Other, t)
		}
		mruns = append(mruns, mr)
	}
	return pts, res, mruns, nil
}

// nanos converts seconds (from whole nanoseconds) to nanoseconds.
func nanos(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Round(x * 1e9)
	}
	return out
}

// printModelTable prints the layers of one model, each format on its own
// row, then its other steps and whole passes per format.
func printModelTable(w io.Writer, s *benchSetup, bm benchModel, pts []benchPoint, runs []modelRun) {
	var macs int64
	for _, l := range bm.layers {
		macs += l.MACs
	}
	fmt.Fprintf(w, "\n%s (%s): %d layers, %.2fM MACs per image; batch %d, %d thread(s), %s; %d rounds, %d to %d passes per format\n",
		bm.name, bm.path, len(bm.layers), float64(macs)/1e6, s.batch, s.threads, kernels.ISA(), s.rounds, minPasses(runs), maxPasses(runs))
	fmt.Fprintf(w, "time per batch: median [95%% interval] in us; GOP/s = 2 x MACs / time; GB/s, AI and the roofline with the bytes of the format that executes (roofline: %s)\n", s.rooflineFrom)
	fmt.Fprintf(w, "%-3s %-21s %9s  %-20s %8s %7s %7s %-5s %10s %6s\n", "#", "layer / format", "median", "95% interval", "GOP/s", "GB/s", "AI", "level", "attainable", "%")
	byLayer := map[string][]benchPoint{}
	for _, p := range pts {
		byLayer[p.Layer] = append(byLayer[p.Layer], p)
	}
	for i, l := range bm.layers {
		fmt.Fprintf(w, "%-3d %s  %s\n", i, l.Name, shapeString(l))
		for _, p := range byLayer[l.Name] {
			lvl, att, pc := rooflineColumns(p)
			fmt.Fprintf(w, "    %-21s %9.1f  [%8.1f, %8.1f] %8.1f %7.2f %7.2f %-5s %10s %6s\n",
				execLabel(p.Format, p.Exec), p.MedianNs/1e3, p.LoNs/1e3, p.HiNs/1e3, p.GOPS, p.GBs, p.AI, lvl, att, pc)
		}
	}
	fmt.Fprintf(w, "other steps (us per batch, median [95%% interval]):\n")
	for _, r := range runs {
		if len(r.Other) == 0 {
			fmt.Fprintf(w, "    %-5s none\n", r.Format)
		}
		for _, o := range r.Other {
			fmt.Fprintf(w, "    %-5s %9.1f  [%8.1f, %8.1f]  %-7s %s\n", r.Format, o.Time.Median/1e3, o.Time.Lo/1e3, o.Time.Hi/1e3, o.Kind, o.Describe)
		}
	}
	fmt.Fprintf(w, "whole pass (batch %d; rest = input layout, output copy, timers):\n    %-5s %9s  %-20s %10s %10s %10s %10s\n",
		s.batch, "fmt", "median us", "95% interval", "images/s", "layers us", "other us", "rest us")
	for _, r := range runs {
		as := map[string]int{}
		for _, p := range pts {
			if p.Format == r.Format && p.Exec != p.Format {
				as[p.Exec]++
			}
		}
		note := ""
		for e, n := range as {
			note += fmt.Sprintf("  (%d of %d layers run as %s)", n, len(bm.layers), e)
		}
		fmt.Fprintf(w, "    %-5s %9.1f  [%8.1f, %8.1f] %10.0f %10.1f %10.1f %10.1f%s\n", r.Format, r.Pass.Median/1e3, r.Pass.Lo/1e3, r.Pass.Hi/1e3,
			r.ImagesPerS, r.LayersNs/1e3, r.OtherNs/1e3, (r.Pass.Median-r.LayersNs-r.OtherNs)/1e3, note)
	}
}

func minPasses(runs []modelRun) int {
	n := math.MaxInt
	for _, r := range runs {
		n = min(n, len(r.PassNs))
	}
	return n
}

func maxPasses(runs []modelRun) int {
	n := 0
	for _, r := range runs {
		n = max(n, len(r.PassNs))
	}
	return n
}

// shapeString describes a layer's kernel shape per image.
func shapeString(l layers.Layer) string {
	sh := l.Shape
	if l.Depthwise {
		return fmt.Sprintf("depthwise kh=%d/%d C=%d in %dx%d", sh.KH, sh.Stride, sh.C, sh.H, sh.W)
	}
	if l.Op != "Conv" {
		return fmt.Sprintf("%s M=%d N=%d K=%d", strings.ToLower(l.Op), sh.M, sh.N, sh.K)
	}
	return fmt.Sprintf("conv kh=%d/%d M=%d N=%d K=%d", sh.KH, sh.Stride, sh.M, sh.N, sh.K)
}
