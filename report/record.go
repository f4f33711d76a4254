package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/roofline"
)

// The converters below turn the JSON that `aiq roofline --json`,
// `aiq bench --json` and `aiq eval --json` print into versioned
// result runs, so the pipeline can store those commands' outputs under
// results/<host-id>/ before the commands save runs themselves.

// FromRoofline converts a probe result (`aiq roofline --json`) into a run.
// The probe itself is kept in the payload, so a report can redraw the chart.
func FromRoofline(raw []byte, name string) (*results.Run, error) {
	var r roofline.Result
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("report: %s: not a roofline probe: %w", name, err)
	}
	if r.Threads < 1 || len(r.PeakGOPS) == 0 || len(r.BandwidthGBs) == 0 {
		return nil, fmt.Errorf("report: %s: roofline probe without threads, peak_gops or bandwidth_gbs", name)
	}
	p := &results.Roofline{Probe: compact(raw)}
	// The samples of a level are the sweep's medians at every size on the
	// level's plateau, so a comparison has repeated values to test.
	var sweep *roofline.ThreadSweep
	for i := range r.Sweeps {
		if r.Sweeps[i].Threads == r.Threads {
			sweep = &r.Sweeps[i]
		}
	}
	levels := make([]string, 0, len(r.BandwidthGBs))
	for l := range r.BandwidthGBs {
		levels = append(levels, string(l))
	}
	sort.Strings(levels)
	kinds := []roofline.Kind{roofline.Read, roofline.Write, roofline.Copy, roofline.Triad, roofline.WriteNT, roofline.CopyNT, roofline.TriadNT}
	for _, l := range levels {
		for _, k := range kinds {
			var vals []float64
			if sweep != nil {
				for _, pl := range sweep.Plateaus {
					if string(pl.Level) != l {
						continue
					}
					for _, sp := range sweep.Points {
						if v := sp.Median[k]; sp.Bytes >= pl.FromBytes && sp.Bytes <= pl.ToBytes && v > 0 {
							vals = append(vals, v)
						}
					}
				}
			}
			if len(vals) == 0 {
				if v := bandwidthOf(r.BandwidthGBs[roofline.Level(l)], k); v > 0 {
					vals = []float64{v}
				}
			}
			if len(vals) > 0 {
				p.Bandwidth = append(p.Bandwidth, results.Point{Name: strings.ToLower(l) + "/" + string(k),
					Metric: results.Metric{Unit: "GB/s", Values: vals}})
			}
		}
	}
	for _, f := range roofline.Formats {
		if v, ok := r.PeakGOPS[f]; ok && v > 0 {
			p.Peaks = append(p.Peaks, results.Point{Name: string(f), Metric: results.Metric{Unit: "GOP/s", Values: []float64{v}}})
		}
	}
	run := results.New(results.KindRoofline)
	run.Threads = r.Threads
	mode := "full"
	if r.Quick {
		mode = "quick"
	}
	run.Protocol["probe"] = mode
	run.Summary = fmt.Sprintf("%s probe, %d thread(s), fp32 peak %.0f GOP/s/core", mode, r.Threads, r.PeakGOPS[roofline.FP32])
	if !r.Time.IsZero() {
		run.Time = r.Time.UTC().Truncate(1e6)
	}
	if err := run.SetPayload(p); err != nil {
		return nil, err
	}
	return run, nil
}

// benchJSON is the part of `aiq bench --json` the report needs. Its mode
// is "model" (each layer's step in whole passes of the engine) or
// "kernels" (each layer shape as one kernel call; files without a mode).
type benchJSON struct {
	Mode     string `json:"mode"`
	Batch    int    `json:"batch"`
	Threads  int    `json:"threads"`
	ISA      string `json:"isa"`
	Roofline string `json:"roofline"`
	Points   []struct {
		Model   string  `json:"model"`
		Layer   string  `json:"layer"`
		Kernel  string  `json:"kernel"`
		Format  string  `json:"format"`
		Exec    string  `json:"exec"` // the format that executes, when another
		Variant string  `json:"variant"`
		M       int     `json:"m"`
		N       int     `json:"n"`
		K       int     `json:"k"`
		C       int     `json:"c"`
		H       int     `json:"h"`
		W       int     `json:"w"`
		Stride  int     `json:"stride"`
		Ops     float64 `json:"ops"`
		Bytes   float64 `json:"bytes"`
		Level   string  `json:"level"`
	} `json:"points"`
	Samples []struct {
		SamplesNs []float64 `json:"samples_ns_per_op"`
	} `json:"samples"`
}

// FromKernels converts a bench (`aiq bench --json`, either mode) into a
// kernels run; each point keeps its sec/op and GOP/s samples. A point whose
// format executes as another (int4 weights packed as int8) is stored with
// the format that executes, the roofline it is placed on, and keeps the
// configured format in its name and variant.
func FromKernels(raw []byte, name string) (*results.Run, error) {
	var b benchJSON
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("report: %s: not a kernel bench: %w", name, err)
	}
	if b.Mode == "" {
		b.Mode = "kernels"
	}
	if len(b.Points) == 0 {
		return nil, fmt.Errorf("report: %s: kernel bench without points", name)
	}
	if len(b.Samples) != len(b.Points) {
		return nil, fmt.Errorf("report: %s: %d points but %d sample sets", name, len(b.Points), len(b.Samples))
	}
	p := &results.Kernels{}
	models := map[string]bool{}
	for i, pt := range b.Points {
		ns := b.Samples[i].SamplesNs
		if len(ns) == 0 || !(pt.Ops > 0) || !(pt.Bytes > 0) {
			return nil, fmt.Errorf("report: %s: point %d (%s %s %s) has no samples, ops or bytes", name, i, pt.Model, pt.Layer, pt.Format)
		}
		sec, gops := make([]float64, len(ns)), make([]float64, len(ns))
		for j, v := range ns {
			if !(v > 0) {
				return nil, fmt.Errorf("report: %s: point %d (%s %s %s) has sample %v ns", name, i, pt.Model, pt.Layer, pt.Format, v)
			}
			sec[j], gops[j] = v/1e9, pt.Ops/v
		}
		shape := map[string]int{}
		for k, v := range map[string]int{"M": pt.M, "N": pt.N, "K": pt.K, "C": pt.C, "H": pt.H, "W": pt.W, "stride": pt.Stride} {
			if v != 0 {
				shape[k] = v
			}
		}
		models[pt.Model] = true
		format, variant := pt.Format, pt.Variant
		if pt.Exec != "" && pt.Exec != pt.Format {
			format, variant = pt.Exec, fmt.Sprintf("%s (%s runs as %s)", pt.Variant, pt.Format, pt.Exec)
		}
		p.Kernels = append(p.Kernels, results.Kernel{
			Name:   fmt.Sprintf("%s/%s/%s/batch=%d/threads=%d", pt.Model, strings.TrimPrefix(pt.Layer, "/"), pt.Format, b.Batch, b.Threads),
			Family: pt.Kernel, Format: format, Variant: variant, Shape: shape,
			Ops: pt.Ops, Bytes: pt.Bytes, Level: pt.Level,
			Metrics: []results.Metric{{Unit: "sec/op", Values: sec}, {Unit: "GOP/s", Values: gops}},
		})
	}
	run := results.New(results.KindKernels)
	run.Threads, run.Batch = b.Threads, b.Batch
	run.Protocol["roofline"] = b.Roofline
	run.Protocol["isa"] = b.ISA
	run.Protocol["bench"] = b.Mode
	names := make([]string, 0, len(models))
	for m := range models {
		names = append(names, m)
	}
	sort.Strings(names)
	what := "kernels"
	if b.Mode == "model" {
		what = "layers (run end to end)"
	}
	run.Summary = fmt.Sprintf("%d %s of %s at batch %d, %d thread(s)", len(p.Kernels), what, strings.Join(names, "+"), b.Batch, b.Threads)
	if err := run.SetPayload(p); err != nil {
		return nil, err
	}
	return run, nil
}

// evalJSON is the part of `aiq eval --json` the report needs.
type evalJSON struct {
	Model       string   `json:"model"`
	Data        string   `json:"data"`
	Precision   string   `json:"precision"`
	Offset      int      `json:"offset"`
	N           int      `json:"n"`
	Top1        float64  `json:"top1"` // fraction
	Top1Holdout *float64 `json:"top1_holdout"`
	ImagesPerS  float64  `json:"images_per_s"`
	LatencyMs   float64  `json:"batch_latency_ms"`
	Batch       int      `json:"batch"`
	Threads     int      `json:"threads"`
	CalibMethod string   `json:"calib_method"`
}

// FromEval converts `aiq eval --json` into a run. config names the
// configuration ("" derives it from the precision: a format, or the config
// file's base name).
func FromEval(raw []byte, name, config string) (*results.Run, error) {
	var e evalJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("report: %s: not an eval result: %w", name, err)
	}
	if e.Model == "" || e.Precision == "" {
		return nil, fmt.Errorf("report: %s: eval result without model or precision", name)
	}
	if config == "" {
		config = strings.TrimSuffix(filepath.Base(e.Precision), ".json")
	}
	p := &results.Eval{
		Model:  strings.TrimSuffix(filepath.Base(e.Model), filepath.Ext(e.Model)),
		Config: config,
		Images: fmt.Sprintf("test[%d:%d]", e.Offset, e.Offset+e.N),
		Count:  e.N,
		Top1:   100 * e.Top1,
	}
	if e.Offset == 0 && e.N == 10000 && e.Top1Holdout != nil {
		p.Images, p.Count, p.Top1 = "test[5000:10000]", 5000, 100**e.Top1Holdout
	}
	if e.ImagesPerS > 0 {
		p.Metrics = append(p.Metrics, results.Point{Name: fmt.Sprintf("batch%d", e.Batch),
			Metric: results.Metric{Unit: "images/s", Values: []float64{e.ImagesPerS}}})
	}
	run := results.New(results.KindEval)
	run.Threads, run.Batch = e.Threads, e.Batch
	run.Protocol["eval"] = p.Images + " of " + filepath.Base(e.Data)
	if e.CalibMethod != "" {
		run.Protocol["calibration"] = e.CalibMethod
	}
	run.Summary = fmt.Sprintf("%s %s: top-1 %.2f%% on %s, %.0f images/s at batch %d", p.Model, config, p.Top1, p.Images, e.ImagesPerS, e.Batch)
	if err := run.SetPayload(p); err != nil {
		return nil, err
	}
	return run, nil
}

func bandwidthOf(b roofline.Bandwidth, k roofline.Kind) float64 {
	switch k {
	case roofline.Read:
		return b.Read
	case roofline.Write:
		return b.Write
	case roofline.Copy:
		return b.Copy
	case roofline.Triad:
		return b.Triad
	case roofline.WriteNT:
		return b.WriteNT
	case roofline.CopyNT:
		return b.CopyNT
	case roofline.TriadNT:
		return b.TriadNT
	}
	return 0
}

func compact(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil
	}
	return b.Bytes()
}
