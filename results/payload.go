package results

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Metric is one measured quantity with its repeated samples, in one unit
// ("sec/op", "GFLOP/s", "GB/s", "images/s", UnitTop1, ...).
type Metric struct {
	Unit   string    `json:"unit"`
	Values []float64 `json:"values"`
	// Exact marks a deterministic quantity, such as top-1 on fixed images:
	// any change is real, so no test is needed.
	Exact bool `json:"exact,omitempty"`
	// Images names the images an accuracy point was measured on, file and
	// range, e.g. "cifar10-test.bin[5000:10000]". Compare decides accuracy
	// only between points on the same images; Save requires it on them.
	Images string `json:"images,omitempty"`
}

// UnitTop1 is the unit of top-1 accuracy: percent of the images right
// (91.73, not 0.9173). Compare judges it in absolute points.
const UnitTop1 = "top1%"

// legacyTop1 is the unit of top-1 in runs before UnitTop1; its values
// were percent too, so reading maps it to UnitTop1.
const legacyTop1 = "top1"

// IsAccuracy reports whether a unit is top-1 accuracy in percent.
func IsAccuracy(unit string) bool { return unit == UnitTop1 || unit == legacyTop1 }

// canonical maps legacy units to today's, so old and new runs match.
func (p Point) canonical() Point {
	if p.Unit == legacyTop1 {
		p.Unit = UnitTop1
	}
	return p
}

// Point is a named Metric; Compare matches points by name and unit.
type Point struct {
	Name string `json:"name"`
	Metric
}

func (p Point) check() error {
	if p.Name == "" {
		return fmt.Errorf("point with unit %q has no name", p.Unit)
	}
	if p.Unit == "" {
		return fmt.Errorf("point %q has no unit", p.Name)
	}
	if len(p.Values) == 0 {
		return fmt.Errorf("point %q (%s) has no values", p.Name, p.Unit)
	}
	for _, v := range p.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("point %q (%s) has value %v", p.Name, p.Unit, v)
		}
	}
	return nil
}

// payload is implemented by every kind's payload.
type payload interface {
	// Samples lists the comparable points, named within the run.
	Samples() []Point
}

func payloadFor(kind string) payload {
	switch kind {
	case KindRoofline:
		return &Roofline{}
	case KindKernels:
		return &Kernels{}
	case KindEval:
		return &Eval{}
	case KindSearch:
		return &Search{}
	case KindBench:
		return &Bench{}
	}
	return nil
}

// Roofline is the payload of a roofline probe.
type Roofline struct {
	// Bandwidth per memory level and streaming kernel, named
	// "<level>/<kernel>" (e.g. "dram/triad"), in GB/s.
	Bandwidth []Point `json:"bandwidth"`
	// Peaks per number format (e.g. "fp32"), in GFLOP/s or GOP/s.
	Peaks []Point `json:"peaks"`
	// Probe is the prober's own full output (sweeps, plateaus), for reports.
	Probe json.RawMessage `json:"probe,omitempty"`
}

// Samples implements payload.
func (p *Roofline) Samples() []Point {
	var out []Point
	for _, b := range p.Bandwidth {
		out = append(out, Point{Name: "bandwidth/" + b.Name, Metric: b.Metric})
	}
	for _, c := range p.Peaks {
		out = append(out, Point{Name: "peak/" + c.Name, Metric: c.Metric})
	}
	return out
}

// Kernels is the payload of a kernel bench.
type Kernels struct {
	Kernels []Kernel `json:"kernels"`
}

// Kernel is one kernel measured on one shape.
type Kernel struct {
	// Name is unique in the run, e.g. "gemm/int8/4096x64x576".
	Name    string         `json:"name"`
	Family  string         `json:"family"` // "gemm", "dwconv"
	Format  string         `json:"format"` // "fp32", "fp16", "int8", "int4"
	Variant string         `json:"variant"`
	Shape   map[string]int `json:"shape,omitempty"` // "M", "N", "K", "C", "H", "W", ...
	// Ops and Bytes per call, as the roofline counts them, for its AI.
	Ops   float64 `json:"ops"`
	Bytes float64 `json:"bytes"`
	// Level is the memory level the data lives in ("L1", "L2", "L3", "DRAM").
	Level   string   `json:"level,omitempty"`
	Metrics []Metric `json:"metrics"` // sec/op samples, GFLOP/s samples, ...
}

// Samples implements payload.
func (p *Kernels) Samples() []Point {
	var out []Point
	for _, k := range p.Kernels {
		for _, m := range k.Metrics {
			out = append(out, Point{Name: k.Name, Metric: m})
		}
	}
	return out
}

// Eval is the payload of an end-to-end evaluation of one model configuration.
type Eval struct {
	Model   string   `json:"model"`             // "resnet20"
	Config  string   `json:"config"`            // "fp32", "int8", "aiq-throughput", ...
	Formats []string `json:"formats,omitempty"` // per layer, in graph order
	Images  string   `json:"images"`            // file and range, e.g. "cifar10-test.bin[5000:10000]"
	Count   int      `json:"count"`             // images evaluated
	Top1    float64  `json:"top1"`              // percent
	// Metrics are timing points (images/s, sec/op latency), named within
	// the model and config, e.g. "batch64".
	Metrics []Point `json:"metrics,omitempty"`
}

// Samples implements payload: top-1 as "<model>/<config>" in UnitTop1 on
// Images, and every metric as "<model>/<config>/<name>".
func (p *Eval) Samples() []Point {
	base := p.Model + "/" + p.Config
	out := []Point{{Name: base, Metric: Metric{Unit: UnitTop1, Values: []float64{p.Top1}, Exact: true, Images: p.Images}}}
	for _, m := range p.Metrics {
		out = append(out, Point{Name: base + "/" + m.Name, Metric: m.Metric})
	}
	return out
}

// Search is the payload of a per-layer format search on one model.
type Search struct {
	Model     string  `json:"model"`
	Algorithm string  `json:"algorithm"` // "greedy", "coordinate-descent"
	Objective string  `json:"objective"` // "throughput" (measured) or "ai"
	Bound     float64 `json:"bound"`     // allowed top-1 drop, points
	// Images names the images the chosen candidate's Top1 was measured
	// on, e.g. "cifar10-test.bin[5000:10000]" (see Metric.Images).
	Images string `json:"images,omitempty"`
	// Layers describes the searched layers, in graph order.
	Layers []Layer `json:"layers"`
	// Candidates are the evaluated configurations; Front indexes the Pareto
	// front among them and Chosen the one the search returns.
	Candidates  []Candidate   `json:"candidates"`
	Front       []int         `json:"front"`
	Chosen      int           `json:"chosen"`
	Sensitivity []Sensitivity `json:"sensitivity,omitempty"`
	// Metrics are further timing points, e.g. the chosen configuration's
	// measured images/s.
	Metrics []Point `json:"metrics,omitempty"`
}

// Layer is one searched layer.
type Layer struct {
	Name   string `json:"name"`
	Params int64  `json:"params"`
	MACs   int64  `json:"macs"` // per image
}

// Candidate is one evaluated configuration.
type Candidate struct {
	Formats    []string `json:"formats"` // per layer
	Top1       float64  `json:"top1"`    // percent, on the search images (the chosen one: on Search.Images)
	Throughput float64  `json:"images_per_sec,omitempty"`
	AI         float64  `json:"ai,omitempty"` // flop/byte at the run's batch
}

// Sensitivity is the top-1 change from quantizing one layer alone.
type Sensitivity struct {
	Layer     string  `json:"layer"`
	Format    string  `json:"format"`
	DeltaTop1 float64 `json:"delta_top1"` // points, negative is worse
}

// Samples implements payload: the chosen candidate's top-1 (UnitTop1, on
// Images) and AI as "<model>/chosen", and every metric as "<model>/<name>".
func (p *Search) Samples() []Point {
	var out []Point
	if p.Chosen >= 0 && p.Chosen < len(p.Candidates) {
		c := p.Candidates[p.Chosen]
		out = append(out, Point{Name: p.Model + "/chosen", Metric: Metric{Unit: UnitTop1, Values: []float64{c.Top1}, Exact: true, Images: p.Images}})
		if c.AI > 0 {
			out = append(out, Point{Name: p.Model + "/chosen", Metric: Metric{Unit: "flop/byte", Values: []float64{c.AI}, Exact: true}})
		}
	}
	for _, m := range p.Metrics {
		out = append(out, Point{Name: p.Model + "/" + m.Name, Metric: m.Metric})
	}
	return out
}

// Bench is the payload of `aiq bench --model`.
type Bench struct {
	Models []BenchModel `json:"models"`
}

// BenchModel is one model's per-layer bench at the run's batch and threads.
type BenchModel struct {
	Model string `json:"model"` // file name without .onnx, e.g. "resnet20"
	// Layers: one entry per layer and format; Metrics hold sec/op samples (one per round, >= 5) and may hold GOP/s, GB/s samples.
	Layers []BenchLayer `json:"layers"`
	// Passes: per format, end-to-end images/s samples (>= 5), named by format ("int8").
	Passes []Point `json:"passes"`
	// Attribution: share of CPU time per step kind and kernel family from a CPU profile of the bench (empty without one).
	Attribution []Share `json:"attribution,omitempty"`
}

// BenchLayer is one layer in one format.
type BenchLayer struct {
	Name    string   `json:"name"`   // graph node name
	Format  string   `json:"format"` // configured format
	Exec    string   `json:"exec"`   // format that executes (int4 packed as int8: "int8")
	Kind    string   `json:"kind"`   // "gemm" or "depthwise"
	Ops     float64  `json:"ops"`    // per batch
	Bytes   float64  `json:"bytes"`  // per batch, as the paper counts them
	Metrics []Metric `json:"metrics"`
}

// Share is one bucket of a CPU profile.
type Share struct {
	Kind    string  `json:"kind"`    // "gemm", "depthwise", "im2col", "conversion", "other-op", "runtime", "other"
	Family  string  `json:"family"`  // kernel family and format where known, e.g. "gemm/int8 avx512vnni"; "" otherwise
	Seconds float64 `json:"seconds"` // CPU seconds in the profile
	Share   float64 `json:"share"`   // of the profile's total
}

// Samples implements payload: every metric of a layer as
// "<model>/<layer>/<format>" and every pass as "<model>/e2e/<format>".
// Attribution shares are descriptive, not tracked.
func (p *Bench) Samples() []Point {
	var out []Point
	for _, m := range p.Models {
		for _, l := range m.Layers {
			for _, x := range l.Metrics {
				// Graph node names often start with "/": no empty segment.
				out = append(out, Point{Name: m.Model + "/" + strings.TrimPrefix(l.Name, "/") + "/" + l.Format, Metric: x})
			}
		}
		for _, e := range m.Passes {
			out = append(out, Point{Name: m.Model + "/e2e/" + e.Name, Metric: e.Metric})
		}
	}
	return out
}
