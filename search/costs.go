package search

import (
	"fmt"
	"github.com/aiq-project/aiq/harness"
	"math"
	"strings"
	"time"

	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/kernels"
)

// Costs is the throughput cost model, measured through the engine: every
// format is compiled as a whole model at the asked batch and threads and
// run end to end with per-step timers, in interleaved rounds, so each
// layer's time includes its im2col, epilogue and the cache state of a real
// pass. Checkerboard configurations (alternate layers in two formats of
// different activation storage) are run in the same rounds: they time each
// layer writing another storage than its own (a different epilogue) and
// the conversions at format boundaries.
//
// A configuration's predicted time is the sum over the steps of its own
// plan (engine.Plan): each compute layer at the median time measured for
// its format, output storage and residual storage (falling back to its
// uniform time plus the boundary surcharge another format of the same
// storage paid), each other step at the median time of the same step, a
// conversion never seen at the measured seconds per value of its storage
// pair, plus the pass's fixed overhead (input layout, output copy).
type Costs struct {
	Batch, Threads int
	Formats        []kernels.Format
	// Samples[l][f] are layer l's step times in format f, seconds per
	// batch, one per round: the median of the round's passes (passes of
	// one round share its conditions, so they are not independent samples;
	// rounds are). nil where not measured. Layer[l][f] is their summary,
	// Exec[l][f] the format that executes.
	Samples [][][]float64
	Layer   [][]Interval
	Exec    [][]kernels.Format
	// Uniform[f] are the pass times of the uniform runs.
	Uniform map[kernels.Format][]float64

	variant  map[string][]float64 // compute steps by layer, format and storages
	steps    map[string][]float64 // other steps by key
	loose    map[string][]float64 // other steps by kind and output, any storage
	rate     map[string][]float64 // conversions: seconds per value, by "from->to"
	overhead []float64
	index    map[string]int // layer name -> index
}

// CostOptions control MeasureCosts.
type CostOptions struct {
	Batch, Threads int
	// Rounds over the formats (interleaved, so drift hits every format
	// alike; default 7, enough for a rank test between two formats to
	// reach 0.05); each round runs every format for at least RoundTime
	// and 3 passes.
	Rounds    int
	RoundTime time.Duration
	Log       func(format string, args ...any)
}

// MeasureCosts builds the cost model of formats for e's model.
func (e *Engine) MeasureCosts(formats []kernels.Format, o CostOptions) (*Costs, error) {
	if o.Batch < 1 || o.Threads < 1 {
		return nil, fmt.Errorf("search: timing batch %d and threads %d must be >= 1", o.Batch, o.Threads)
	}
	if o.Rounds == 0 {
		o.Rounds = 7
	}
	if o.RoundTime == 0 {
		o.RoundTime = 100 * time.Millisecond
	}
	n := len(e.Layers)
	c := &Costs{Batch: o.Batch, Threads: o.Threads, Formats: formats, Samples: make([][][]float64, n),
		Layer: make([][]Interval, n), Exec: make([][]kernels.Format, n), Uniform: map[kernels.Format][]float64{},
		variant: map[string][]float64{}, steps: map[string][]float64{}, loose: map[string][]float64{}, rate: map[string][]float64{}, index: map[string]int{}}
	for l, ly := range e.Layers {
		c.index[ly.Name] = l
		c.Samples[l] = make([][]float64, len(kernels.Formats))
		c.Layer[l] = make([]Interval, len(kernels.Formats))
		c.Exec[l] = make([]kernels.Format, len(kernels.Formats))
		for f := range c.Exec[l] {
			c.Exec[l][f] = kernels.Format(f)
		}
	}
	cfgs := make([]Config, 0, len(formats))
	for _, f := range formats {
		cfgs = append(cfgs, Uniform(n, f))
	}
	cfgs = append(cfgs, checkerboards(formats, n)...)
	models, err := e.compileAll(cfgs, o.Batch, o.Threads)
	defer closeAll(models)
	if err != nil {
		return nil, err
	}
	x, err := e.batchImages(o.Batch)
	if err != nil {
		return nil, err
	}
	for round := 0; round < o.Rounds; round++ {
		for i, cfg := range cfgs {
			m := models[i]
			if _, err := m.Profile(x, 1); err != nil { // warm the caches
				return nil, err
			}
			start := time.Now()
			var ps []*engine.Profile
			for k := 0; k < 3 || time.Since(start) < o.RoundTime; k++ {
				p, err := m.Profile(x, 1)
				if err != nil {
					return nil, err
				}
				ps = append(ps, p)
			}
			c.add(cfg, i < len(formats), ps)
		}
	}
	for l := range c.Layer {
		for _, f := range formats {
			c.Layer[l][f] = Summarize(c.Samples[l][f])
			if o.Log != nil {
				s := c.Layer[l][f]
				exec := ""
				if c.Exec[l][f] != f {
					exec = " (runs as " + c.Exec[l][f].String() + ")"
				}
				o.Log("time %-50s %-4s %9.1f us/batch [%.1f, %.1f]%s", e.Layers[l].Name, f, s.Median*1e6, s.Lo*1e6, s.Hi*1e6, exec)
			}
		}
	}
	return c, nil
}

// add records one round of configuration cfg (uniform: one of the
// formats): per step, the median of its passes.
func (c *Costs) add(cfg Config, uniform bool, ps []*engine.Profile) {
	steps := ps[0].Steps
	per := func(get func(p *engine.Profile) float64) float64 {
		xs := make([]float64, len(ps))
		for i, p := range ps {
			xs[i] = get(p)
		}
		return harness.Median(xs)
	}
	sum := 0.0
	for s, st := range steps {
		t := per(func(p *engine.Profile) float64 { return p.Seconds[0][s] })
		sum += t
		switch st.Kind {
		case engine.KindGEMM, engine.KindDepthwise:
			l, ok := c.index[st.Layer]
			if !ok {
				continue
			}
			if uniform {
				c.Samples[l][st.Format] = append(c.Samples[l][st.Format], t)
			}
			c.Exec[l][st.Format] = st.Exec
			k := variantKey(st)
			c.variant[k] = append(c.variant[k], t)
		default:
			c.steps[st.Key] = append(c.steps[st.Key], t)
			lk := looseKey(st)
			c.loose[lk] = append(c.loose[lk], t)
			if st.Kind == engine.KindConvert && st.Values > 0 {
				k := st.In + "->" + st.Out
				c.rate[k] = append(c.rate[k], t/float64(st.Values*ps[0].Batch))
			}
		}
	}
	if uniform {
		total := per(func(p *engine.Profile) float64 { return p.Total[0] })
		c.Uniform[cfg[0]] = append(c.Uniform[cfg[0]], total)
		c.overhead = append(c.overhead, max(total-sum, 0))
	}
}

// variantKey identifies a compute step by layer, format and the storages
// of its output and residual input.
func variantKey(s engine.StepInfo) string {
	return s.Layer + "|" + s.Format.String() + "|" + s.Out + "|" + s.Res
}

// checkerboards are the configurations that put neighbouring layers in
// formats of different activation storage (fp32, fp16, int8 stand for
// f32, f16, u8), each pair in both phases.
func checkerboards(formats []kernels.Format, n int) []Config {
	var reps []kernels.Format
	for _, f := range []kernels.Format{kernels.FP32, kernels.FP16, kernels.Int8} {
		if contains(formats, f) {
			reps = append(reps, f)
		}
	}
	var out []Config
	for i, a := range reps {
		for _, b := range reps[i+1:] {
			for phase := range 2 {
				c := make(Config, n)
				for l := range c {
					c[l] = a
					if (l+phase)%2 == 1 {
						c[l] = b
					}
				}
				out = append(out, c)
			}
		}
	}
	return out
}

// looseKey is a step's key without its storages.
func looseKey(s engine.StepInfo) string {
	k := s.Key
	if i := strings.IndexByte(k, '('); i >= 0 {
		k = k[:i]
	}
	return s.Kind + " " + k
}

// Table is the additive per-layer cost for the algorithms: the median time
// of each layer in each measured format, seconds per batch (+Inf where not
// measured).
func (c *Costs) Table() [][]float64 {
	t := make([][]float64, len(c.Layer))
	for l := range t {
		t[l] = make([]float64, len(kernels.Formats))
		for f := range t[l] {
			t[l][f] = math.Inf(1)
			if c.Layer[l][f].N > 0 {
				t[l][f] = c.Layer[l][f].Median
			}
		}
	}
	return t
}

// Allowed is the tie rule over the allowed formats: format f may be chosen
// for layer l only if it executes as itself and is measurably faster
// (Faster) than every more accurate format of formats (fp32, then fp16,
// int8, int4). The most accurate of formats is always allowed. A format
// that ties with a more accurate one could only cost accuracy.
func (c *Costs) Allowed(formats []kernels.Format) [][]bool {
	widest := formats[0]
	for _, f := range formats {
		widest = min(widest, f)
	}
	a := make([][]bool, len(c.Layer))
	for l := range a {
		a[l] = make([]bool, len(kernels.Formats))
		for _, f := range formats {
			ok := f == widest || c.Exec[l][f] == f
			for _, g := range formats {
				if ok && g < f && f != widest {
					ok = Faster(c.Samples[l][f], c.Samples[l][g])
				}
			}
			a[l][f] = ok
		}
	}
	return a
}

// Predict is the predicted time of one batch of the plan steps.
func (c *Costs) Predict(plan []engine.StepInfo) (float64, error) {
	t := harness.Median(c.overhead)
	for _, s := range plan {
		switch s.Kind {
		case engine.KindGEMM, engine.KindDepthwise:
			v, err := c.layerTime(s)
			if err != nil {
				return 0, err
			}
			t += v
		default:
			if xs := c.steps[s.Key]; len(xs) > 0 {
				t += harness.Median(xs)
				continue
			}
			if s.Kind == engine.KindConvert {
				if r := c.rate[s.In+"->"+s.Out]; len(r) > 0 {
					t += harness.Median(r) * float64(s.Values*c.Batch)
					continue
				}
				var all []float64
				for _, r := range c.rate {
					all = append(all, r...)
				}
				if len(all) > 0 {
					t += harness.Median(all) * float64(s.Values*c.Batch)
					continue
				}
			}
			if xs := c.loose[looseKey(s)]; len(xs) > 0 {
				t += harness.Median(xs)
				continue
			}
			return 0, fmt.Errorf("search: no measured time for step %q", s.Describe)
		}
	}
	return t, nil
}

// layerTime is the predicted time of compute step s: measured with the
// same storages; else its uniform time plus the surcharge the same layer
// paid for those storages in another format of the same activation storage
// (int4 from int8); else its uniform time.
func (c *Costs) layerTime(s engine.StepInfo) (float64, error) {
	l, ok := c.index[s.Layer]
	if !ok || c.Layer[l][s.Format].N == 0 {
		return 0, fmt.Errorf("search: no measured time for layer %s in %s", s.Layer, s.Format)
	}
	if xs := c.variant[variantKey(s)]; len(xs) > 0 {
		return harness.Median(xs), nil
	}
	base := c.Layer[l][s.Format].Median
	for _, g := range c.Formats {
		if g == s.Format || g.ActBits() != s.Format.ActBits() || c.Layer[l][g].N == 0 {
			continue
		}
		o := s
		o.Format = g
		if xs := c.variant[variantKey(o)]; len(xs) > 0 {
			return base + harness.Median(xs) - c.Layer[l][g].Median, nil
		}
	}
	return base, nil
}

// PredictConfig is the predicted images/s of cfg.
func (e *Engine) PredictConfig(c *Costs, cfg Config) (float64, error) {
	g, err := e.graph(c.Batch)
	if err != nil {
		return 0, err
	}
	o := e.Opts
	o.Batch, o.Threads = c.Batch, c.Threads
	plan, err := engine.Plan(g, EngineConfig(e.Layers, cfg), o)
	if err != nil {
		return 0, fmt.Errorf("search: planning %s: %w", cfg, err)
	}
	t, err := c.Predict(plan)
	if err != nil {
		return 0, err
	}
	return float64(c.Batch) / t, nil
}
