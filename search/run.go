package search

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// The evaluation protocol (MISSION.md): calibrate on training images,
// search on the val half of the test set, report on the holdout half.
const (
	valLo, valHi         = 0, 5000
	holdoutLo, holdoutHi = 5000, 10000
)

// Options describe one end-to-end search.
type Options struct {
	Model, Data, Calib string
	Objective          string // "throughput" (measured kernel time, default) or "ai"
	Algorithm          string // "pareto" (default), "greedy" or "coord"
	Formats            []kernels.Format
	MaxDrop            float64 // top-1 points below FP32 allowed (default 1)
	// Margin is kept in reserve on the search images (the search accepts
	// drops up to MaxDrop-Margin there), since they are a sample; the
	// final check on the whole val half uses MaxDrop.
	Margin         float64
	Batch, Threads int     // of the throughput objective and the reported images/s
	AIBatch        int     // batch of the ai objective (default 1, where weights weigh most)
	SearchN        int     // val images the search evaluates (a class-balanced prefix; default 2000)
	Workers        int     // accuracy evaluations run at once (default 2)
	SensTol        float64 // a uniform format this close to FP32 counts as lossless (default 0.35 points)
	Lambda         float64 // coordinate descent weight
	Refine         int     // pareto local refinement evaluations (default 4)
	BenchTime      time.Duration
	CalibN         int
	CalibMethod    quant.Method
	WeightMethod   quant.WeightMethod
	Int4Group      int
	BiasCorrection bool
	CacheDir       string
	Log            func(format string, args ...any)
}

func (o *Options) defaults() error {
	if o.Objective == "" {
		o.Objective = "throughput"
	}
	if o.Objective != "throughput" && o.Objective != "ai" {
		return fmt.Errorf("search: objective %q, want throughput or ai", o.Objective)
	}
	if o.Algorithm == "" {
		o.Algorithm = "pareto"
	}
	switch o.Algorithm {
	case "pareto", "greedy", "coord":
	default:
		return fmt.Errorf("search: algorithm %q, want pareto, greedy or coord", o.Algorithm)
	}
	if len(o.Formats) == 0 {
		o.Formats = kernels.Formats
	}
	for _, f := range o.Formats {
		if f > kernels.Int4 {
			return fmt.Errorf("search: unknown format %v", f)
		}
	}
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defInt(&o.Batch, 64)
	defInt(&o.Threads, 1)
	defInt(&o.AIBatch, 1)
	defInt(&o.SearchN, 2000)
	defInt(&o.Workers, 2)
	defInt(&o.CalibN, 512)
	defInt(&o.Refine, 4)
	if o.MaxDrop == 0 {
		o.MaxDrop = 1
	}
	if o.SensTol == 0 {
		o.SensTol = 0.35
	}
	if o.BenchTime == 0 {
		o.BenchTime = 2 * time.Second
	}
	if o.Batch < 1 || o.Threads < 1 || o.AIBatch < 1 || o.Workers < 1 || o.CalibN < 1 || o.Refine < 0 {
		return fmt.Errorf("search: batch %d, threads %d, ai batch %d, workers %d and calibration images %d must be >= 1",
			o.Batch, o.Threads, o.AIBatch, o.Workers, o.CalibN)
	}
	if o.SearchN < 1 || o.SearchN > valHi-valLo {
		return fmt.Errorf("search: %d search images, want 1..%d (the val half)", o.SearchN, valHi-valLo)
	}
	if !(o.MaxDrop > 0) || !(o.Margin >= 0) || o.Margin >= o.MaxDrop {
		return fmt.Errorf("search: max drop %v and margin %v: want 0 <= margin < max drop", o.MaxDrop, o.Margin)
	}
	return nil
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log(format, args...)
	}
}

// Report is everything a search measured; it is written as JSON.
type Report struct {
	Model     string            `json:"model"`
	Objective string            `json:"objective"`
	Algorithm string            `json:"algorithm"`
	MaxDrop   float64           `json:"max_drop"`
	Margin    float64           `json:"margin"`
	Batch     int               `json:"batch"`
	Threads   int               `json:"threads"`
	AIBatch   int               `json:"ai_batch"`
	ISA       string            `json:"isa"`
	Protocol  map[string]string `json:"protocol"`
	// Best is the chosen configuration with its final numbers.
	Best Best `json:"best"`
	// Pareto lists the evaluated configurations not dominated in top-1 on
	// the search images against predicted kernel images/s or against AI.
	Pareto      []Point         `json:"pareto"`
	Baselines   []Baseline      `json:"baselines"`
	Sensitivity SensitivityJSON `json:"sensitivity"`
	Layers      []LayerJSON     `json:"layers"`
	// SpearmanWeightsBits is the rank correlation between a layer's weight
	// count and its chosen weight bits (negative: larger layers get fewer bits).
	// Nil when undefined (every layer got the same bits).
	SpearmanWeightsBits *float64 `json:"spearman_weights_bits"`
	Evaluations         int      `json:"evaluations"`
	SearchSeconds       float64  `json:"search_seconds"` // until the choice, before the final measurements
	TotalSeconds        float64  `json:"total_seconds"`
}

// Best is the chosen configuration. "ai" and "ai_fp32" are at AIBatch
// (batch 1 by default), "images_per_s" at Batch on Threads.
type Best struct {
	Config          engine.ConfigFile `json:"config"`
	Summary         string            `json:"summary"`
	Top1Holdout     float64           `json:"top1_holdout"`
	Top1FP32Holdout float64           `json:"top1_fp32_holdout"`
	Top1Val         float64           `json:"top1_val"`
	Top1FP32Val     float64           `json:"top1_fp32_val"`
	Top1All         float64           `json:"top1_all"`
	Top1FP32All     float64           `json:"top1_fp32_all"`
	Top1Search      float64           `json:"top1_search"`
	ImagesPerS      float64           `json:"images_per_s"` // median batch latency, at Batch
	ImagesPerSFP32  float64           `json:"images_per_s_fp32"`
	ImagesPerS1     float64           `json:"images_per_s_batch1"`
	ImagesPerS1FP32 float64           `json:"images_per_s_batch1_fp32"`
	// Best*: from the fastest batch (see Timing).
	BestImagesPerS      float64 `json:"best_images_per_s"`
	BestImagesPerSFP32  float64 `json:"best_images_per_s_fp32"`
	BestImagesPerS1     float64 `json:"best_images_per_s_batch1"`
	BestImagesPerS1FP32 float64 `json:"best_images_per_s_batch1_fp32"`
	AI                  float64 `json:"ai"`
	AIFP32              float64 `json:"ai_fp32"`
	AIBatch             float64 `json:"ai_at_batch"`
	AIBatchFP32         float64 `json:"ai_fp32_at_batch"`
	WeightBytesInt4     float64 `json:"int4_share_of_weight_bytes"` // of the FP32 model's weight bytes that run int4, by count
}

// Point is one configuration on the front.
type Point struct {
	Formats          []string `json:"formats"` // per layer, in layer order
	Summary          string   `json:"summary"`
	Top1Search       float64  `json:"top1_search"`
	KernelImagesPerS float64  `json:"kernel_images_per_s"`    // Batch / summed layer kernel times (other ops excluded)
	ImagesPerS       float64  `json:"images_per_s,omitempty"` // end to end, fastest batch, when timed
	AI               float64  `json:"ai"`                     // at AIBatch
	AIBatch          float64  `json:"ai_at_batch"`            // at Batch
	FrontThroughput  bool     `json:"front_throughput"`
	FrontAI          bool     `json:"front_ai"`
}

// Baseline is one uniform configuration.
type Baseline struct {
	Format       string  `json:"format"`
	Top1Search   float64 `json:"top1_search"`
	Top1Val      float64 `json:"top1_val"`
	Top1Holdout  float64 `json:"top1_holdout"`
	Top1All      float64 `json:"top1_all"`
	ImagesPerS   float64 `json:"images_per_s"`
	ImagesPerS1  float64 `json:"images_per_s_batch1"`
	BestIPS      float64 `json:"best_images_per_s"`
	BestIPS1     float64 `json:"best_images_per_s_batch1"`
	AI           float64 `json:"ai"`
	AIBatch      float64 `json:"ai_at_batch"`
	KernelSecond float64 `json:"kernel_seconds_per_batch"` // 0: not timed (objective ai)
}

// SensitivityJSON is the per-layer sensitivity table.
type SensitivityJSON struct {
	Base     string  `json:"base"`
	BaseTop1 float64 `json:"base_top1_search"`
	Note     string  `json:"note"`
}

// LayerJSON is one layer: shape, sensitivity, measured times, choice.
type LayerJSON struct {
	Name     string             `json:"name"`
	Weights  int64              `json:"weights"`
	MACs     int64              `json:"macs"`
	Drop     map[string]float64 `json:"drop"`     // top-1 points vs the sensitivity base
	Div      map[string]float64 `json:"div"`      // change of mean KL from FP32 vs the base, nats
	Measured map[string]bool    `json:"measured"` // false: spread from the uniform run
	Seconds  map[string]float64 `json:"seconds"`  // kernel time per batch (objective throughput)
	Chosen   string             `json:"chosen"`
}

type scores struct{ search, val, holdout, all float64 }

// Run performs a whole search: calibration, cost tables, baselines,
// sensitivity, the algorithm, the choice (checked on the whole val half)
// and its final measurements.
func Run(o Options) (*Report, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	start := time.Now()
	test, err := dataset.Open(o.Data)
	if err != nil {
		return nil, fmt.Errorf("search: test images: %w", err)
	}
	if test.Len() < holdoutHi {
		return nil, fmt.Errorf("search: %s has %d images; the protocol needs the 10,000 test images", o.Data, test.Len())
	}
	calib, err := dataset.Open(o.Calib)
	if err != nil {
		return nil, fmt.Errorf("search: calibration images: %w", err)
	}
	e, err := NewEngine(o.Model, test, engine.Options{Batch: 64, Threads: 1, WeightMethod: o.WeightMethod,
		Int4Group: o.Int4Group, BiasCorrection: o.BiasCorrection})
	if err != nil {
		return nil, err
	}
	o.logf("%s: %d layers; calibrating on %d images of %s", filepath.Base(o.Model), len(e.Layers), o.CalibN, filepath.Base(o.Calib))
	if err := e.Calibrate(calib, o.CalibN, o.CalibMethod, o.CacheDir); err != nil {
		return nil, err
	}
	layers, n := e.Layers, len(e.Layers)
	// Baselines and timings cover the allowed formats and FP32, the reference.
	all := o.Formats
	if !contains(all, kernels.FP32) {
		all = append([]kernels.Format{kernels.FP32}, all...)
	}
	rep := &Report{Model: filepath.Base(o.Model), Objective: o.Objective, Algorithm: o.Algorithm, MaxDrop: o.MaxDrop,
		Margin: o.Margin, Batch: o.Batch, Threads: o.Threads, AIBatch: o.AIBatch, ISA: kernels.ISA(),
		Protocol: map[string]string{
			"calibration": fmt.Sprintf("%s images 0..%d (training images), %s ranges", filepath.Base(o.Calib), o.CalibN-1, o.CalibMethod),
			"search":      fmt.Sprintf("%s images 0..%d (class-balanced prefix of the val half)", filepath.Base(o.Data), o.SearchN-1),
			"choice":      fmt.Sprintf("%s images 0..4999 (val half): the chosen configuration must be within %.2f points of FP32 there", filepath.Base(o.Data), o.MaxDrop),
			"report":      fmt.Sprintf("%s images 5000..9999 (holdout half) and 0..9999 (all)", filepath.Base(o.Data)),
			"timing":      fmt.Sprintf("layer kernels at their exact shapes, batch %d, %d thread(s), fastest of repeated runs; candidates ranked by end-to-end images/s of their fastest batch; final images/s end to end at batch %d and 1, from the median (and the fastest) batch latency", o.Batch, o.Threads, o.Batch),
			"bytes":       "per layer: weights once per batch + input activations read + output activations written, at the format's widths (int4 weights 0.5 B, int8 activations 1 B); AI = 2 x MACs / bytes, summed over layers, no cache reuse",
		}}

	// Cost tables: measured kernel time and analytic bytes.
	// Kernel times drive the throughput objective; the ai objective skips
	// them (its final images/s are measured end to end all the same).
	var times [][]float64
	if o.Objective == "throughput" {
		o.logf("timing %d layers x %d formats at batch %d, %d thread(s)", n, len(all), o.Batch, o.Threads)
		if times, err = MeasureTimes(layers, all, TimingOptions{Batch: o.Batch, Threads: o.Threads, Log: o.Log}); err != nil {
			return nil, err
		}
	}
	bytes := BytesTable(layers, o.AIBatch)
	cost := times
	if o.Objective == "ai" {
		cost = bytes
	}

	// Baselines: every uniform format on the search images; FP32 also on
	// all 10,000 test images (the reference of the val check). The other
	// baselines get their val/holdout numbers after the choice.
	acc := NewAccuracy(e.Evaluator(valLo, o.SearchN))
	var uniforms []Config
	for _, f := range all {
		uniforms = append(uniforms, Uniform(n, f))
	}
	if err := acc.Prefetch(uniforms, o.Workers); err != nil {
		return nil, err
	}
	base := map[kernels.Format]scores{}
	for _, f := range all {
		t, _ := acc.Cached(Uniform(n, f))
		base[f] = scores{search: t}
		o.logf("baseline %-4s top-1 %.2f%% on the search images", f, t)
	}
	ref, err := e.scoresAll(Uniform(n, kernels.FP32), o.SearchN)
	if err != nil {
		return nil, err
	}
	base[kernels.FP32] = ref
	o.logf("fp32: val %.2f%%  holdout %.2f%%  all %.2f%%", ref.val, ref.holdout, ref.all)

	// Sensitivity: the cheapest uniform format that is lossless (within
	// SensTol) is the base; lossy formats are measured layer by layer, the
	// other lossless ones spread their uniform difference evenly.
	sbase := kernels.FP32
	for _, f := range o.Formats {
		if ref.search-base[f].search <= o.SensTol && Sum(cost, Uniform(n, f)) < Sum(cost, Uniform(n, sbase)) {
			sbase = f
		}
	}
	var lossy []kernels.Format
	for _, f := range o.Formats {
		if f != sbase && ref.search-base[f].search > o.SensTol {
			lossy = append(lossy, f)
		}
	}
	o.logf("sensitivity: base %s, per-layer runs for %v (%d evaluations)", sbase, lossy, n*len(lossy))
	sens, err := MeasureSensitivity(acc, Uniform(n, sbase), lossy, o.Workers, func(done, total int) {
		if done%10 == 0 || done == total {
			o.logf("sensitivity: %d/%d layers (%.0fs)", done, total, time.Since(start).Seconds())
		}
	})
	if err != nil {
		return nil, err
	}
	bs, _ := acc.Score(Uniform(n, sbase))
	for _, f := range o.Formats {
		if f != sbase && !contains(lossy, f) {
			fs, _ := acc.Score(Uniform(n, f))
			sens.Spread(f, base[sbase].search-base[f].search, fs.Div-bs.Div)
		}
	}
	rep.Sensitivity = SensitivityJSON{Base: sbase.String(), BaseTop1: sens.BaseTop1,
		Note: fmt.Sprintf("drop = top-1(all %s) - top-1(all %s but this layer), search images; div = the change of the mean KL divergence from FP32's softmax (the pareto front is built over div); formats within %.2f points of FP32 uniformly are not run per layer (their uniform difference is spread evenly, measured=false)", sbase, sbase, o.SensTol)}

	// The algorithm.
	p := &Problem{Formats: o.Formats, Cost: cost, Acc: acc, Ref: ref.search, MaxDrop: o.MaxDrop - o.Margin,
		Log: func(format string, args ...any) { o.logf(format, args...) }}
	var res Result
	switch o.Algorithm {
	case "greedy":
		res, err = Greedy(p)
	case "coord":
		res, err = CoordDescent(p, CoordOptions{Lambda: o.Lambda})
	default:
		res, err = Pareto(p, sens, ParetoOptions{Refine: o.Refine, ByDiv: true})
	}
	if err != nil {
		return nil, err
	}
	o.logf("%s: best %s, top-1 %.2f%% on the search images (fp32 %.2f%%), %d evaluations so far",
		o.Algorithm, res.Best.Config, res.Best.Top1, ref.search, acc.Evals)

	// The choice: feasible candidates in objective order (measured end to
	// end for throughput), the first within MaxDrop on the whole val half.
	cands, err := e.rank(&o, p, res, times)
	if err != nil {
		return nil, err
	}
	var chosen Config
	var cs scores
	for _, c := range cands {
		s, err := e.scoresAll(c.cfg, o.SearchN)
		if err != nil {
			return nil, err
		}
		o.logf("check %-28s val %.2f%% (fp32 %.2f%%)", c.cfg, s.val, ref.val)
		if ref.val-s.val <= o.MaxDrop+1e-9 {
			chosen, cs = c.cfg, s
			break
		}
	}
	if chosen == nil {
		chosen, cs = Uniform(n, kernels.FP32), ref
	}
	rep.SearchSeconds = time.Since(start).Seconds()
	rep.Evaluations = acc.Evals

	// Final numbers.
	b := Best{Config: EngineConfig(layers, chosen).File(rep.Model), Summary: chosen.String(),
		Top1Holdout: cs.holdout, Top1FP32Holdout: ref.holdout, Top1Val: cs.val, Top1FP32Val: ref.val,
		Top1All: cs.all, Top1FP32All: ref.all, Top1Search: cs.search,
		AI: AI(layers, chosen, o.AIBatch), AIFP32: AI(layers, Uniform(n, kernels.FP32), o.AIBatch),
		AIBatch: AI(layers, chosen, o.Batch), AIBatchFP32: AI(layers, Uniform(n, kernels.FP32), o.Batch)}
	var w4, wall float64
	for i, l := range layers {
		wall += float64(l.Weights)
		if chosen[i] == kernels.Int4 {
			w4 += float64(l.Weights)
		}
	}
	b.WeightBytesInt4 = w4 / wall
	o.logf("final timing (end to end, %v per point)", o.BenchTime)
	t64, err := e.Throughput(chosen, o.Batch, o.Threads, o.BenchTime)
	if err != nil {
		return nil, err
	}
	t1, err := e.Throughput(chosen, 1, o.Threads, o.BenchTime)
	if err != nil {
		return nil, err
	}
	b.ImagesPerS, b.BestImagesPerS, b.ImagesPerS1, b.BestImagesPerS1 = t64.ImagesPerS, t64.BestImagesPerS, t1.ImagesPerS, t1.BestImagesPerS
	rep.Best = b
	err = parallel(len(all), o.Workers, func(i int) error {
		f := all[i]
		if f == kernels.FP32 {
			return nil
		}
		s, err := e.scoresAll(Uniform(n, f), o.SearchN)
		if err != nil {
			return err
		}
		e.mu.Lock()
		base[f] = s
		e.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, f := range all {
		u := Uniform(n, f)
		bl := Baseline{Format: f.String(), Top1Search: base[f].search, Top1Val: base[f].val, Top1Holdout: base[f].holdout,
			Top1All: base[f].all, AI: AI(layers, u, o.AIBatch), AIBatch: AI(layers, u, o.Batch), KernelSecond: sumOrZero(times, u)}
		t64, err := e.Throughput(u, o.Batch, o.Threads, o.BenchTime)
		if err != nil {
			return nil, err
		}
		t1, err := e.Throughput(u, 1, o.Threads, o.BenchTime)
		if err != nil {
			return nil, err
		}
		bl.ImagesPerS, bl.BestIPS, bl.ImagesPerS1, bl.BestIPS1 = t64.ImagesPerS, t64.BestImagesPerS, t1.ImagesPerS, t1.BestImagesPerS
		o.logf("baseline %-4s %7.0f images/s at batch %d (best %.0f), %7.0f at batch 1 (best %.0f)", f, bl.ImagesPerS, o.Batch, bl.BestIPS, bl.ImagesPerS1, bl.BestIPS1)
		rep.Baselines = append(rep.Baselines, bl)
		if f == kernels.FP32 {
			rep.Best.ImagesPerSFP32, rep.Best.ImagesPerS1FP32 = bl.ImagesPerS, bl.ImagesPerS1
			rep.Best.BestImagesPerSFP32, rep.Best.BestImagesPerS1FP32 = bl.BestIPS, bl.BestIPS1
		}
	}

	rep.Pareto = front(acc, layers, times, o, e.measured)
	rep.Layers = make([]LayerJSON, n)
	wts, bits := make([]float64, n), make([]float64, n)
	for i, l := range layers {
		lj := LayerJSON{Name: l.Name, Weights: l.Weights, MACs: l.MACs, Chosen: chosen[i].String(),
			Drop: map[string]float64{}, Div: map[string]float64{}, Measured: map[string]bool{}, Seconds: map[string]float64{}}
		for _, f := range all {
			lj.Drop[f.String()] = sens.Drop[i][f]
			lj.Div[f.String()] = sens.Div[i][f]
			lj.Measured[f.String()] = sens.Measured[i][f]
			if times != nil {
				lj.Seconds[f.String()] = times[i][f]
			}
		}
		rep.Layers[i] = lj
		wts[i], bits[i] = float64(l.Weights), float64(chosen[i].WeightBits())
	}
	if r := Spearman(wts, bits); !math.IsNaN(r) {
		rep.SpearmanWeightsBits = &r
	}
	rep.TotalSeconds = time.Since(start).Seconds()
	return rep, nil
}

// kernelIPS is the images/s the summed layer kernel times allow (0 when
// the layers were not timed).
func kernelIPS(times [][]float64, c Config, batch int) float64 {
	if times == nil {
		return 0
	}
	return float64(batch) / Sum(times, c)
}

func sumOrZero(t [][]float64, c Config) float64 {
	if t == nil {
		return 0
	}
	return Sum(t, c)
}

func contains(fs []kernels.Format, f kernels.Format) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// scoresAll predicts all 10,000 test images once and scores the search
// prefix, the val half, the holdout half and all of them.
func (e *Engine) scoresAll(c Config, searchN int) (scores, error) {
	pred, err := e.Predict(c, 0, holdoutHi)
	if err != nil {
		return scores{}, err
	}
	var s scores
	for _, r := range []struct {
		lo, hi int
		dst    *float64
	}{{valLo, searchN, &s.search}, {valLo, valHi, &s.val}, {holdoutLo, holdoutHi, &s.holdout}, {0, holdoutHi, &s.all}} {
		if *r.dst, err = e.score(pred, 0, holdoutHi, r.lo, r.hi); err != nil {
			return scores{}, err
		}
	}
	return s, nil
}

// rankRounds is how many times each throughput candidate is timed.
const rankRounds = 3

type ranked struct {
	cfg        Config
	imagesPerS float64
}

// rank orders the feasible evaluated candidates for the final choice. For
// "ai" that is by bytes (exact). For "throughput" the cheapest few by kernel
// time, plus every feasible uniform configuration, are timed end to end and
// ordered by measured images/s: the additive kernel model misses the
// operators between layers and format conversions.
func (e *Engine) rank(o *Options, p *Problem, res Result, times [][]float64) ([]ranked, error) {
	cfgs, tops := p.Acc.All()
	type cand struct {
		cfg  Config
		cost float64
	}
	var feas []cand
	for i, c := range cfgs {
		if p.Ref-tops[i] <= p.MaxDrop+1e-9 {
			feas = append(feas, cand{c, Sum(p.Cost, c)})
		}
	}
	sort.SliceStable(feas, func(i, j int) bool { return feas[i].cost < feas[j].cost })
	if o.Objective == "ai" {
		out := make([]ranked, len(feas))
		for i, c := range feas {
			out[i] = ranked{cfg: c.cfg}
		}
		return out, nil
	}
	var list []Config
	seen := map[string]bool{}
	add := func(c Config) {
		if !seen[c.Key()] {
			seen[c.Key()] = true
			list = append(list, c)
		}
	}
	for i := 0; i < len(feas) && len(list) < 3; i++ {
		add(feas[i].cfg)
	}
	add(res.Best.Config)
	for _, f := range o.Formats {
		u := Uniform(len(p.Cost), f)
		if t, ok := p.Acc.Cached(u); ok && p.Ref-t <= p.MaxDrop+1e-9 {
			add(u)
		}
	}
	// Rounds over all candidates, keeping each one's fastest batch, so a
	// burst of outside load hurts one round of one candidate, not its rank.
	timed := make([]ranked, len(list))
	for round := 0; round < rankRounds; round++ {
		for i, c := range list {
			t, err := e.Throughput(c, o.Batch, o.Threads, o.BenchTime/rankRounds)
			if err != nil {
				return nil, err
			}
			timed[i].cfg = c
			timed[i].imagesPerS = max(timed[i].imagesPerS, t.BestImagesPerS)
		}
	}
	e.mu.Lock()
	if e.measured == nil {
		e.measured = map[string]float64{}
	}
	for _, t := range timed {
		e.measured[t.cfg.Key()] = t.imagesPerS
		o.logf("e2e   %-28s %7.0f images/s (kernel model %7.0f)", t.cfg, t.imagesPerS, kernelIPS(times, t.cfg, o.Batch))
	}
	e.mu.Unlock()
	sort.SliceStable(timed, func(i, j int) bool { return timed[i].imagesPerS > timed[j].imagesPerS })
	return timed, nil
}

// front lists the evaluated configurations on the accuracy/throughput or
// accuracy/AI front.
func front(acc *Accuracy, layers []Layer, times [][]float64, o Options, measured map[string]float64) []Point {
	cfgs, tops := acc.All()
	pts := make([]Point, len(cfgs))
	for i, c := range cfgs {
		f := make([]string, len(c))
		for j, x := range c {
			f[j] = x.String()
		}
		pts[i] = Point{Formats: f, Summary: c.String(), Top1Search: tops[i], KernelImagesPerS: kernelIPS(times, c, o.Batch),
			ImagesPerS: measured[c.Key()], AI: AI(layers, c, o.AIBatch), AIBatch: AI(layers, c, o.Batch)}
	}
	dominated := func(i int, val func(Point) float64) bool {
		for j := range pts {
			if j != i && pts[j].Top1Search >= pts[i].Top1Search && val(pts[j]) >= val(pts[i]) &&
				(pts[j].Top1Search > pts[i].Top1Search || val(pts[j]) > val(pts[i])) {
				return true
			}
		}
		return false
	}
	var out []Point
	for i := range pts {
		pts[i].FrontThroughput = !dominated(i, func(p Point) float64 { return p.KernelImagesPerS })
		pts[i].FrontAI = !dominated(i, func(p Point) float64 { return p.AI })
		if pts[i].FrontThroughput || pts[i].FrontAI {
			out = append(out, pts[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Top1Search > out[j].Top1Search })
	return out
}

// parallel runs fn(0..n-1) on up to workers goroutines and joins the errors.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		next = make(chan int)
	)
	for range min(max(workers, 1), max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// Text is a human summary of the report.
func (r *Report) Text() string {
	var s strings.Builder
	b := r.Best
	fmt.Fprintf(&s, "model %s  objective %s  algorithm %s  max drop %.2f (margin %.2f on the search images)  batch %d  threads %d  isa %s\n",
		r.Model, r.Objective, r.Algorithm, r.MaxDrop, r.Margin, r.Batch, r.Threads, r.ISA)
	for _, k := range []string{"calibration", "search", "choice", "report", "timing", "bytes"} {
		fmt.Fprintf(&s, "  %-11s %s\n", k+":", r.Protocol[k])
	}
	fmt.Fprintf(&s, "\n%-8s %8s %8s %8s %8s %16s %16s %8s %8s\n", "config", "search", "val", "holdout", "all", "img/s b"+fmt.Sprint(r.Batch)+" (best)", "img/s b1 (best)", "AI b"+fmt.Sprint(r.AIBatch), "AI b"+fmt.Sprint(r.Batch))
	for _, bl := range r.Baselines {
		fmt.Fprintf(&s, "%-8s %8.2f %8.2f %8.2f %8.2f %7.0f (%6.0f) %7.0f (%6.0f) %8.1f %8.1f\n", bl.Format, bl.Top1Search, bl.Top1Val, bl.Top1Holdout, bl.Top1All, bl.ImagesPerS, bl.BestIPS, bl.ImagesPerS1, bl.BestIPS1, bl.AI, bl.AIBatch)
	}
	fmt.Fprintf(&s, "%-8s %8.2f %8.2f %8.2f %8.2f %7.0f (%6.0f) %7.0f (%6.0f) %8.1f %8.1f\n", "chosen", b.Top1Search, b.Top1Val, b.Top1Holdout, b.Top1All, b.ImagesPerS, b.BestImagesPerS, b.ImagesPerS1, b.BestImagesPerS1, b.AI, b.AIBatch)
	fmt.Fprintf(&s, "\nchosen: %s; int4 on %.0f%% of the weights\n", b.Summary, 100*b.WeightBytesInt4)
	fmt.Fprintf(&s, "holdout top-1 %.2f%% vs FP32 %.2f%% (%+.2f points); images/s %.0f = %.2fx FP32 at batch %d (median latency); AI %.1f = %.2fx FP32 at batch %d (%.2fx at batch %d)\n",
		b.Top1Holdout, b.Top1FP32Holdout, b.Top1Holdout-b.Top1FP32Holdout, b.ImagesPerS, b.ImagesPerS/b.ImagesPerSFP32, r.Batch,
		b.AI, b.AI/b.AIFP32, r.AIBatch, b.AIBatch/b.AIBatchFP32, r.Batch)
	if r.SpearmanWeightsBits != nil {
		fmt.Fprintf(&s, "Spearman(weights, chosen bits) = %.2f (negative: larger layers get fewer bits)\n", *r.SpearmanWeightsBits)
	} else {
		s.WriteString("Spearman(weights, chosen bits) undefined: every layer got the same bits\n")
	}
	fmt.Fprintf(&s, "%d evaluations; search %.0fs, total %.0fs\n", r.Evaluations, r.SearchSeconds, r.TotalSeconds)
	fmt.Fprintf(&s, "\nper layer (sensitivity base %s, top-1 %.2f%% on the search images):\n%-58s %8s", r.Sensitivity.Base, r.Sensitivity.BaseTop1, "layer", "weights")
	var fs []string
	if len(r.Layers) > 0 {
		for _, f := range kernels.Formats {
			if _, ok := r.Layers[0].Drop[f.String()]; ok {
				fs = append(fs, f.String())
			}
		}
	}
	for _, f := range fs {
		fmt.Fprintf(&s, " %7s %9s", "drop "+f, "us "+f)
	}
	fmt.Fprintf(&s, "  chosen\n")
	for _, l := range r.Layers {
		fmt.Fprintf(&s, "%-58s %8d", l.Name, l.Weights)
		for _, f := range fs {
			mark := " "
			if !l.Measured[f] {
				mark = "~"
			}
			fmt.Fprintf(&s, " %6.2f%s %9.1f", l.Drop[f], mark, 1e6*l.Seconds[f])
		}
		fmt.Fprintf(&s, "  %s\n", l.Chosen)
	}
	fmt.Fprintf(&s, "(~: not run per layer, see sensitivity note)\n\nfront (search images): top-1, kernel-model images/s, measured images/s, AI\n")
	for _, p := range r.Pareto {
		fmt.Fprintf(&s, "  %6.2f%% %9.0f %9.0f %7.1f  %s\n", p.Top1Search, p.KernelImagesPerS, p.ImagesPerS, p.AI, p.Summary)
	}
	return s.String()
}
