package search

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/kernels"
)

// Costs is the throughput cost model, measured through the engine: every
// allowed format is compiled as a whole model at the asked batch and
// threads and run end to end with per-step timers, in interleaved rounds,
// so each layer's time includes its im2col, epilogue and the cache state
// of a real pass. A configuration's predicted time is the sum over the
// steps of its own plan: each compute layer at the median time measured for
// its format, each other step (operators, conversions at format
// boundaries) at the median time of the same step in the uniform runs, a
// conversion no uniform run had at the measured seconds per value of its
// storage pair, plus the pass's fixed overhead (input layout, output copy).
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
		steps: map[string][]float64{}, loose: map[string][]float64{}, rate: map[string][]float64{}, index: map[string]int{}}
	for l, ly := range e.Layers {
		c.index[ly.Name] = l
		c.Samples[l] = make([][]float64, len(kernels.Formats))
		c.Layer[l] = make([]Interval, len(kernels.Formats))
		c.Exec[l] = make([]kernels.Format, len(kernels.Formats))
		for f := range c.Exec[l] {
			c.Exec[l][f] = kernels.Format(f)
		}
	}
	models := make([]*engine.Model, len(formats))
	defer func() {
		for _, m := range models {
			if m != nil {
				m.Close()
			}
		}
	}()
	for i, f := range formats {
		m, err := e.compile(Uniform(n, f), o.Batch, o.Threads)
		if err != nil {
			return nil, err
		}
		models[i] = m
	}
	x, err := e.batchImages(o.Batch)
	if err != nil {
		return nil, err
	}
	for round := 0; round < o.Rounds; round++ {
		for i, f := range formats {
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
			c.add(f, ps)
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

// add records one round of format f: per step, the median of its passes.
func (c *Costs) add(f kernels.Format, ps []*engine.Profile) {
	steps := ps[0].Steps
	per := func(get func(p *engine.Profile) float64) float64 {
		xs := make([]float64, len(ps))
		for i, p := range ps {
			xs[i] = get(p)
		}
		return median(xs)
	}
	sum := 0.0
	for s, st := range steps {
		t := per(func(p *engine.Profile) float64 { return p.Seconds[0][s] })
		sum += t
		switch st.Kind {
		case engine.KindGEMM, engine.KindDepthwise:
			if l, ok := c.index[st.Layer]; ok {
				c.Samples[l][f] = append(c.Samples[l][f], t)
				c.Exec[l][f] = st.Exec
			}
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
	total := per(func(p *engine.Profile) float64 { return p.Total[0] })
	c.Uniform[f] = append(c.Uniform[f], total)
	c.overhead = append(c.overhead, max(total-sum, 0))
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
	t := median(c.overhead)
	for _, s := range plan {
		switch s.Kind {
		case engine.KindGEMM, engine.KindDepthwise:
			l, ok := c.index[s.Layer]
			if !ok || c.Layer[l][s.Format].N == 0 {
				return 0, fmt.Errorf("search: no measured time for layer %s in %s", s.Layer, s.Format)
			}
			t += c.Layer[l][s.Format].Median
		default:
			if xs := c.steps[s.Key]; len(xs) > 0 {
				t += median(xs)
				continue
			}
			if s.Kind == engine.KindConvert {
				if r := c.rate[s.In+"->"+s.Out]; len(r) > 0 {
					t += median(r) * float64(s.Values*c.Batch)
					continue
				}
				var all []float64
				for _, r := range c.rate {
					all = append(all, r...)
				}
				if len(all) > 0 {
					t += median(all) * float64(s.Values*c.Batch)
					continue
				}
			}
			if xs := c.loose[looseKey(s)]; len(xs) > 0 {
				t += median(xs)
				continue
			}
			return 0, fmt.Errorf("search: no measured time for step %q", s.Describe)
		}
	}
	return t, nil
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
