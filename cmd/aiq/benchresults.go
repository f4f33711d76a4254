package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
	"github.com/aiq-project/aiq/results"
)

// --quick: a bench short enough for a CI A/B gate (both shipped models in
// well under a minute on 2 cores) that still keeps >= 5 samples a point.
const (
	quickModelTime  = 30 * time.Millisecond  // model mode: per format and round
	quickKernelTime = 150 * time.Millisecond // kernel mode: per point
	quickGEMMShapes = 4                      // kernel mode: shapes kept per model
	quickDWShapes   = 2
)

// quickShapes keeps a fixed subset of a model's kernel shapes: the GEMM and
// depthwise shapes that carry the most MACs (over all layers of the shape),
// in their original order, so two quick runs time the same points.
func quickShapes(shapes []kernelShape) []kernelShape {
	macs := func(k kernelShape) int64 {
		per := int64(k.hw) * int64(k.n) * int64(k.k)
		if k.depthwise {
			per = 9 * int64(k.c) * int64(kernels.DepthwiseOut(k.h, k.stride)) * int64(kernels.DepthwiseOut(k.w, k.stride))
		}
		return per * int64(len(k.layers))
	}
	order := make([]int, len(shapes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return macs(shapes[order[a]]) > macs(shapes[order[b]]) })
	keep := map[int]bool{}
	gemm, dw := 0, 0
	for _, i := range order {
		switch {
		case shapes[i].depthwise && dw < quickDWShapes:
			dw++
			keep[i] = true
		case !shapes[i].depthwise && gemm < quickGEMMShapes:
			gemm++
			keep[i] = true
		}
	}
	var out []kernelShape
	for i, sh := range shapes {
		if keep[i] {
			out = append(out, sh)
		}
	}
	return out
}

// rooflineColumns formats a point's level, attainable GOP/s and percent of
// it, or "-" without a roofline.
func rooflineColumns(p benchPoint) (level, attainable, percent string) {
	if p.Level == "" {
		return "-", "-", "-"
	}
	return p.Level, fmt.Sprintf("%.1f", p.Attainable), fmt.Sprintf("%.1f%%", p.Percent)
}

// perRound returns the median of each round's samples (xs[i] was measured
// in round[i]), in round order: samples of one round share its cache and
// clock state, so the rounds, not the passes, are the independent samples.
func perRound(xs []float64, round []int, rounds int) []float64 {
	by := make([][]float64, rounds)
	for i, x := range xs {
		by[round[i]] = append(by[round[i]], x)
	}
	var out []float64
	for _, b := range by {
		if len(b) > 0 {
			out = append(out, harness.Median(b))
		}
	}
	return out
}

// rates turns times into rates: work per second of each time.
func rates(work float64, secs []float64) []float64 {
	out := make([]float64, len(secs))
	for i, s := range secs {
		out[i] = work / s
	}
	return out
}

// benchModelPayload is one model's part of a bench run: every layer and
// format with its per-round times, and every format's passes.
func benchModelPayload(s *benchSetup, bm benchModel, runs []*formatRun) (results.BenchModel, error) {
	out := results.BenchModel{Model: bm.name}
	positive := func(what string, xs []float64) error {
		for _, x := range xs {
			if !(x > 0) {
				return fmt.Errorf("%s: %s has a round of median %v s", bm.path, what, x)
			}
		}
		return nil
	}
	for li, l := range bm.layers {
		for _, r := range runs {
			i := r.layerStep[li]
			st := r.steps[i]
			sec := perRound(r.samples[i], r.round, s.rounds)
			if err := positive(l.Name+" in "+r.f.String(), sec); err != nil {
				return out, err
			}
			ops := 2 * float64(l.MACs) * float64(s.batch)
			bytes := layers.Bytes(l, r.f, s.batch)
			out.Layers = append(out.Layers, results.BenchLayer{
				Name: l.Name, Format: r.f.String(), Exec: st.Exec.String(), Kind: st.Kind, Ops: ops, Bytes: bytes,
				Metrics: []results.Metric{
					{Unit: "sec/op", Values: sec},
					{Unit: "GOP/s", Values: rates(ops/1e9, sec)},
					{Unit: "GB/s", Values: rates(bytes/1e9, sec)},
				},
			})
		}
	}
	for _, r := range runs {
		sec := perRound(r.pass, r.round, s.rounds)
		if err := positive("the whole pass in "+r.f.String(), sec); err != nil {
			return out, err
		}
		out.Passes = append(out.Passes, results.Point{Name: r.f.String(), Metric: results.Metric{Unit: "images/s", Values: rates(float64(s.batch), sec)}})
	}
	return out, nil
}

// benchRun builds the results run of a bench from its typed output: a bench
// run in model mode, a kernels run in kernel mode.
func benchRun(s *benchSetup, rep *benchReport, cpuProfile string) (*results.Run, error) {
	var names []string
	for _, m := range s.models {
		names = append(names, m.name)
	}
	var run *results.Run
	var payload any
	if rep.Mode == "kernels" {
		run = results.New(results.KindKernels)
		k, err := kernelsPayload(s, rep)
		if err != nil {
			return nil, err
		}
		payload = k
		run.Protocol["bench"] = "kernels"
		run.Protocol["timing"] = fmt.Sprintf("each distinct layer shape as one kernel call per sample on random operands, >= %v per point", s.minTime)
		if s.quick {
			run.Protocol["shapes"] = fmt.Sprintf("quick: per model the %d GEMM and %d depthwise shapes of most MACs", quickGEMMShapes, quickDWShapes)
		}
		run.Summary = fmt.Sprintf("%d kernels of %s at batch %d, %d thread(s), %s", len(k.Kernels), strings.Join(names, "+"), s.batch, s.threads, kernels.ISA())
	} else {
		run = results.New(results.KindBench)
		b := rep.bench
		payload = &b
		run.Protocol["bench"] = "model"
		run.Protocol["timing"] = fmt.Sprintf("each format compiled whole and run end to end with a timer per step, formats interleaved in %d rounds of >= %v each; a sample is the median of one round's passes", s.rounds, s.minTime)
		if s.calibSet != nil {
			run.Protocol["calibration"] = fmt.Sprintf("%s on %s[0:%d]", s.calibMethod, filepath.Base(s.calibPath), s.calibN)
		}
		var ips []string
		for _, m := range b.Models {
			for _, p := range m.Passes {
				ips = append(ips, fmt.Sprintf("%s %s %.0f", m.Model, p.Name, harness.Median(p.Values)))
			}
		}
		run.Summary = fmt.Sprintf("%s at batch %d, %d thread(s), %s: images/s %s", strings.Join(names, "+"), s.batch, s.threads, kernels.ISA(), strings.Join(ips, ", "))
	}
	run.Threads, run.Batch = s.threads, s.batch
	run.Protocol["isa"] = kernels.ISA()
	run.Protocol["roofline"] = s.rooflineFrom
	if s.quick {
		run.Protocol["quick"] = "true"
	}
	if cpuProfile != "" {
		run.Protocol["cpuprofile"] = cpuProfile
	}
	if err := run.SetPayload(payload); err != nil {
		return nil, err
	}
	return run, nil
}

// kernelsPayload is the kernel mode's points with their sec/op and GOP/s
// samples. A point whose format executes as another (int4 weights packed
// as int8) is stored with the format that executes, the roofline it is
// placed on, and keeps the configured format in its name and variant.
func kernelsPayload(s *benchSetup, rep *benchReport) (*results.Kernels, error) {
	if len(rep.Results) != len(rep.Points) {
		return nil, fmt.Errorf("bench: %d points but %d sample sets", len(rep.Points), len(rep.Results))
	}
	p := &results.Kernels{}
	for i, pt := range rep.Points {
		ns := rep.Results[i].SamplesNs
		sec, gops := make([]float64, len(ns)), make([]float64, len(ns))
		for j, v := range ns {
			if !(v > 0) {
				return nil, fmt.Errorf("bench: %s %s %s has a sample of %v ns", pt.Model, pt.Layer, pt.Format, v)
			}
			sec[j], gops[j] = v/1e9, pt.Ops/v
		}
		shape := map[string]int{}
		for k, v := range map[string]int{"M": pt.M, "N": pt.N, "K": pt.K, "C": pt.C, "H": pt.H, "W": pt.W, "stride": pt.Stride} {
			if v != 0 {
				shape[k] = v
			}
		}
		format, variant := pt.Format, pt.Variant
		if pt.Exec != "" && pt.Exec != pt.Format {
			format, variant = pt.Exec, fmt.Sprintf("%s (%s runs as %s)", pt.Variant, pt.Format, pt.Exec)
		}
		p.Kernels = append(p.Kernels, results.Kernel{
			Name:   fmt.Sprintf("%s/%s/%s/batch=%d/threads=%d", pt.Model, strings.TrimPrefix(pt.Layer, "/"), pt.Format, s.batch, s.threads),
			Family: pt.Kernel, Format: format, Variant: variant, Shape: shape,
			Ops: pt.Ops, Bytes: pt.Bytes, Level: pt.Level,
			Metrics: []results.Metric{{Unit: "sec/op", Values: sec}, {Unit: "GOP/s", Values: gops}},
		})
	}
	return p, nil
}
