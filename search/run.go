package search

import (
	"errors"
	"fmt"
	"github.com/aiq-project/aiq/harness"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
	"github.com/aiq-project/aiq/quant"
)

// The evaluation protocol (README): calibrate on training images,
// search on the val half of the test set (its first half: images 0..4999
// of CIFAR-10's 10,000), report on the holdout half (the rest).
const valLo = 0

// halves returns the end of the val half and the number of test images
// (the end of the holdout half).
func (e *Engine) halves() (valHi, total int) { return e.Test.Len() / 2, e.Test.Len() }

// The metrics a search can bound.
const (
	// MetricTop1 is top-1 accuracy against the labels.
	MetricTop1 = "top1"
	// MetricAgreement is top-1 agreement with the FP32 model's own
	// predictions (percent of images whose arg-max equals FP32's): it needs
	// no labels, FP32 scores 100, and the drop bounds the change from FP32.
	MetricAgreement = "agreement"
)

// Options describe one end-to-end search.
type Options struct {
	Model, Data, Calib string
	// Objective: "throughput" (measured images/s at Batch, the default),
	// "latency" (the same at batch 1) or "ai" (analytic bytes at AIBatch).
	Objective string
	Algorithm string // "pareto" (default), "greedy" or "coord"
	Formats   []kernels.Format
	MaxDrop   float64 // top-1 (or agreement) points below FP32 allowed (default 1)
	// Metric is MetricTop1 (the default) or MetricAgreement, which the
	// search scores and bounds everywhere it would top-1.
	Metric string
	// Classes and Unlabelled say how the test images are read (see
	// dataset.Options); Unlabelled needs MetricAgreement.
	Classes    []string
	Unlabelled bool
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
	switch o.Objective {
	case "throughput", "ai":
	case "latency":
		o.Batch = 1
	default:
		return fmt.Errorf("search: objective %q, want throughput, latency or ai", o.Objective)
	}
	if o.Algorithm == "" {
		o.Algorithm = "pareto"
	}
	switch o.Metric {
	case "":
		o.Metric = MetricTop1
	case MetricTop1, MetricAgreement:
	default:
		return fmt.Errorf("search: metric %q, want %s or %s", o.Metric, MetricTop1, MetricAgreement)
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
	if o.SearchN < 1 {
		return fmt.Errorf("search: %d search images, want >= 1", o.SearchN)
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
	Model     string `json:"model"`
	Objective string `json:"objective"`
	// Metric is what every top-1 field holds: "top1" (accuracy; also when
	// empty, in reports older than the field) or "agreement" (with FP32).
	Metric string `json:"metric,omitempty"`
	// Images is the number of test images (0 in older reports: 10,000);
	// the val half is the first half of them, the holdout half the rest.
	Images    int               `json:"images,omitempty"`
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
	Pareto []Point `json:"pareto"`
	// Measured lists every configuration timed end to end in the choice,
	// with its predicted images/s beside the measured.
	Measured    []Measured      `json:"measured"`
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
	// AIPacked is AI at AIBatch with the bytes the packed weights occupy
	// (int4 the kernel runs as int8 counts 1 byte).
	AIPacked            float64 `json:"ai_packed"`
	AI1                 float64 `json:"ai_batch1"`
	ImagesPerSPredicted float64 `json:"images_per_s_predicted"`
	// DropVal is the top-1 drop from FP32 on the val half, DropValUpper
	// its paired upper confidence bound (points).
	DropVal      float64 `json:"drop_val"`
	DropValUpper float64 `json:"drop_val_upper"`
}

// Point is one configuration on the front.
type Point struct {
	Formats             []string `json:"formats"` // per layer, in layer order
	Summary             string   `json:"summary"`
	Top1Search          float64  `json:"top1_search"`
	PredictedImagesPerS float64  `json:"images_per_s_predicted"` // the cost model's, at Batch
	ImagesPerS          float64  `json:"images_per_s,omitempty"` // end to end, median batch, when timed
	AI                  float64  `json:"ai"`                     // at AIBatch
	AIBatch             float64  `json:"ai_at_batch"`            // at Batch
	FrontThroughput     bool     `json:"front_throughput"`
	FrontAI             bool     `json:"front_ai"`
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
	KernelSecond float64 `json:"kernel_seconds_per_batch"` // summed layer step times of the cost model
	AIPacked     float64 `json:"ai_packed"`
	AI1          float64 `json:"ai_batch1"`
	Predicted    float64 `json:"images_per_s_predicted"`
	DropVal      float64 `json:"drop_val"`
	DropValUpper float64 `json:"drop_val_upper"`
}

// SensitivityJSON is the per-layer sensitivity table.
type SensitivityJSON struct {
	Base     string  `json:"base"`
	BaseTop1 float64 `json:"base_top1_search"`
	Note     string  `json:"note"`
}

// LayerJSON is one layer: shape, sensitivity, measured times, choice.
type LayerJSON struct {
	Name     string              `json:"name"`
	Weights  int64               `json:"weights"`
	MACs     int64               `json:"macs"`
	Drop     map[string]float64  `json:"drop"`     // top-1 points vs the sensitivity base
	Div      map[string]float64  `json:"div"`      // change of mean KL from FP32 vs the base, nats
	Measured map[string]bool     `json:"measured"` // false: spread from the uniform run
	Seconds  map[string]float64  `json:"seconds"`  // median step time per batch in the cost model
	Time     map[string]Interval `json:"time"`     // the same with its 95% interval, seconds per batch
	Exec     map[string]string   `json:"exec"`     // the format that executes (int4 packed as int8: int8)
	Allowed  map[string]bool     `json:"allowed"`  // the tie rule's verdict (and --formats)
	Chosen   string              `json:"chosen"`
}

type scores struct {
	search, val, holdout, all float64
	valCorrect                []bool // per image of the val half
}

// Run performs a whole search: calibration, the cost model, baselines,
// sensitivity, the algorithm, the choice (checked on the whole val half,
// timed end to end beside every uniform format) and its final numbers.
func Run(o Options) (*Report, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	start := time.Now()
	e, err := NewEngine(o.Model, nil, engine.Options{Batch: 64, Threads: 1, WeightMethod: o.WeightMethod,
		Int4Group: o.Int4Group, BiasCorrection: o.BiasCorrection})
	if err != nil {
		return nil, err
	}
	g, err := e.graph(e.Opts.Batch)
	if err != nil {
		return nil, err
	}
	dopts, err := DataOptions(g)
	if err != nil {
		return nil, err
	}
	// Calibration images are read unlabelled: their labels are not used.
	copts := dopts
	copts.Unlabelled = true
	calib, err := dataset.OpenWith(o.Calib, copts)
	if err != nil {
		return nil, fmt.Errorf("search: calibration images: %w", err)
	}
	dopts.Classes, dopts.Unlabelled = o.Classes, o.Unlabelled
	test, err := dataset.OpenWith(o.Data, dopts)
	if err != nil {
		return nil, fmt.Errorf("search: test images: %w", err)
	}
	if !test.Labelled() && o.Metric == MetricTop1 {
		return nil, fmt.Errorf("search: %s: %w: top-1 needs labels; the agreement metric (agreement with FP32's predictions) does not", o.Data, dataset.ErrNoLabels)
	}
	if test.Len()/2 < o.SearchN {
		return nil, fmt.Errorf("search: %d search images asked, the val half of %s has %d (the first half of its %d images)", o.SearchN, o.Data, test.Len()/2, test.Len())
	}
	e.Test = test
	o.logf("%s: %d layers; calibrating on %d images of %s", filepath.Base(o.Model), len(e.Layers), o.CalibN, filepath.Base(o.Calib))
	if err := e.Calibrate(calib, o.CalibN, o.CalibMethod, o.CacheDir); err != nil {
		return nil, err
	}
	if o.Metric == MetricAgreement {
		if err := e.agreeWithFP32(o.CacheDir); err != nil {
			return nil, err
		}
		o.logf("agreement: FP32's predictions on the %d images of %s are the labels", test.Len(), filepath.Base(o.Data))
	}
	return e.run(&o, start)
}

// agreeWithFP32 predicts every test image once in FP32 (or reads the
// predictions from the cache in dir) and makes them the labels, so each
// score below (top-1, the paired bound) becomes agreement with FP32; they
// are kept for FP32's own scores.
func (e *Engine) agreeWithFP32(dir string) error {
	g, err := e.graph(e.Opts.Batch)
	if err != nil {
		return err
	}
	pred, err := FP32Predictions(e.Path, g, e.Test, 0, e.Test.Len(), e.Opts, dir)
	if err != nil {
		return err
	}
	if e.Test, err = e.Test.WithLabels(pred); err != nil {
		return err
	}
	e.refPred = pred
	return nil
}

func (e *Engine) run(o *Options, start time.Time) (*Report, error) {
	ls, n := e.Layers, len(e.Layers)
	valHi, total := e.halves()
	metric := "top-1"
	if o.Metric == MetricAgreement {
		metric = "agreement"
	}
	// Baselines and costs cover every format: the contract reports every
	// uniform configuration, and FP32 is the reference.
	all := kernels.Formats
	rep := &Report{Model: filepath.Base(o.Model), Objective: o.Objective, Metric: o.Metric, Images: total, Algorithm: o.Algorithm, MaxDrop: o.MaxDrop,
		Margin: o.Margin, Batch: o.Batch, Threads: o.Threads, AIBatch: o.AIBatch, ISA: kernels.ISA(),
		Protocol: map[string]string{
			"calibration": fmt.Sprintf("%s images 0..%d (training images), %s ranges", filepath.Base(o.Calib), o.CalibN-1, o.CalibMethod),
			"search":      fmt.Sprintf("%s images 0..%d (a prefix of the val half; class-balanced for CIFAR-10's test set)", filepath.Base(o.Data), o.SearchN-1),
			"choice": fmt.Sprintf("%s images 0..%d (val half): the chosen configuration's paired %s drop from FP32 has a one-sided %.0f%% upper confidence bound within %.2f points",
				filepath.Base(o.Data), valHi-1, metric, 100*BoundConfidence, o.MaxDrop),
			"report": fmt.Sprintf("%s images %d..%d (holdout half) and 0..%d (all)", filepath.Base(o.Data), valHi, total-1, total-1),
			"timing": fmt.Sprintf("cost model: every format compiled as a whole model at batch %d, %d thread(s), per-step times of end-to-end passes in %d interleaved rounds (median and 95%% CI per layer), measured again just before the choice for its predictions; candidates and every uniform format timed end to end at batch %d, interleaved; a format or configuration counts as faster only when a Mann-Whitney test (alpha %.2f) and a gain of at least %.0f%% both say so",
				o.Batch, o.Threads, costRounds, o.Batch, Alpha, 100*MinGain),
			"bytes": "per layer: weights once per batch + input activations read + output activations written, at the format's widths (int4 weights 0.5 B, int8 activations 1 B); AI = 2 x MACs / bytes, summed over layers, no cache reuse; ai_packed counts the bytes the packed weights occupy (int4 run as int8: 1 B)",
		}}

	if o.Metric == MetricAgreement {
		rep.Protocol["metric"] = "agreement: top-1 agreement with FP32's predictions on the same images (labels unused; FP32 scores 100, the drop is 100 - agreement)"
	} else {
		rep.Protocol["metric"] = "top1: top-1 accuracy against the labels"
	}
	o.logf("cost model: %d layers x %d formats, end-to-end passes at batch %d, %d thread(s)", n, len(all), o.Batch, o.Threads)
	costs, err := e.MeasureCosts(all, CostOptions{Batch: o.Batch, Threads: o.Threads, Rounds: costRounds, Log: o.Log})
	if err != nil {
		return nil, err
	}
	times := costs.Table()
	allowed := costs.Allowed(o.Formats)
	cost := times
	if o.Objective == "ai" {
		cost, allowed = BytesTable(ls, o.AIBatch), nil
	}

	// Baselines: every uniform format on the search images; FP32 also on
	// every test image (the reference of the val check).
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
	refScore, _ := acc.Score(Uniform(n, kernels.FP32))

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

	// The algorithm, with the bound projected from the search images onto
	// the val half, where the choice is checked.
	p := &Problem{Formats: o.Formats, Cost: cost, Acc: acc, Ref: ref.search, MaxDrop: o.MaxDrop - o.Margin,
		Allowed: allowed, RefCorrect: refScore.Correct, ProjectN: valHi - valLo,
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

	// The choice predicts from a cost model measured again now: the host's
	// speed drifts over minutes (bandwidth by 20-40% on shared machines),
	// and the predictions are compared with end-to-end timings made next.
	o.logf("cost model: measured again before the choice")
	fresh, err := e.MeasureCosts(all, CostOptions{Batch: o.Batch, Threads: o.Threads, Rounds: costRounds})
	if err != nil {
		return nil, err
	}
	chosen, measured, err := e.choose(o, p, res, fresh, ref)
	if err != nil {
		return nil, err
	}
	rep.SearchSeconds = time.Since(start).Seconds()
	rep.Evaluations = acc.Evals
	rep.Measured = measured
	var cm *Measured
	for i := range measured {
		if measured[i].Chosen {
			cm = &measured[i]
		}
	}
	cs, err := e.scoresAll(chosen, o.SearchN)
	if err != nil {
		return nil, err
	}

	// Final numbers: the chosen configuration and every uniform one, the
	// images/s at the batch from the choice's interleaved timing, batch 1
	// measured here, interleaved too.
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
	finals := append([]Config{chosen}, uniforms...)
	t1 := make([]Timing, len(finals))
	if o.Batch == 1 {
		for i, c := range finals {
			t1[i] = measuredTiming(measured, c)
		}
	} else if t1, err = e.interleaved(finals, 1, o.Threads, o.BenchTime); err != nil {
		return nil, err
	}
	fp32AI, fp32AIB := aiOf(ls, Uniform(n, kernels.FP32), o.AIBatch), aiOf(ls, Uniform(n, kernels.FP32), o.Batch)
	b := Best{Config: EngineConfig(ls, chosen).File(rep.Model), Summary: chosen.String(),
		Top1Holdout: cs.holdout, Top1FP32Holdout: ref.holdout, Top1Val: cs.val, Top1FP32Val: ref.val,
		Top1All: cs.all, Top1FP32All: ref.all, Top1Search: cs.search,
		AI: aiOf(ls, chosen, o.AIBatch), AIFP32: fp32AI, AIBatch: aiOf(ls, chosen, o.Batch), AIBatchFP32: fp32AIB,
		AIPacked: aiOf(ls, costs.ExecConfig(chosen), o.AIBatch), AI1: aiOf(ls, chosen, 1)}
	b.DropVal, b.DropValUpper = PairedDrop(ref.valCorrect, cs.valCorrect, 0)
	var w4, wall float64
	for i, l := range ls {
		wall += float64(l.Weights)
		if chosen[i] == kernels.Int4 {
			w4 += float64(l.Weights)
		}
	}
	b.WeightBytesInt4 = w4 / wall
	b.ImagesPerS, b.BestImagesPerS, b.ImagesPerSPredicted = cm.ImagesPerS, cm.BestImagesPerS, cm.Predicted
	b.ImagesPerS1, b.BestImagesPerS1 = t1[0].ImagesPerS, t1[0].BestImagesPerS
	rep.Best = b
	for i, f := range all {
		u := Uniform(n, f)
		um := measuredOf(measured, u)
		bl := Baseline{Format: f.String(), Top1Search: base[f].search, Top1Val: base[f].val, Top1Holdout: base[f].holdout,
			Top1All: base[f].all, AI: aiOf(ls, u, o.AIBatch), AIBatch: aiOf(ls, u, o.Batch),
			AIPacked: aiOf(ls, costs.ExecConfig(u), o.AIBatch), AI1: aiOf(ls, u, 1), KernelSecond: Sum(times, u),
			ImagesPerS: um.ImagesPerS, BestIPS: um.BestImagesPerS, Predicted: um.Predicted,
			ImagesPerS1: t1[i+1].ImagesPerS, BestIPS1: t1[i+1].BestImagesPerS}
		bl.DropVal, bl.DropValUpper = PairedDrop(ref.valCorrect, base[f].valCorrect, 0)
		o.logf("baseline %-4s %7.0f images/s at batch %d (predicted %.0f), %7.0f at batch 1", f, bl.ImagesPerS, o.Batch, bl.Predicted, bl.ImagesPerS1)
		rep.Baselines = append(rep.Baselines, bl)
		if f == kernels.FP32 {
			rep.Best.ImagesPerSFP32, rep.Best.ImagesPerS1FP32 = bl.ImagesPerS, bl.ImagesPerS1
			rep.Best.BestImagesPerSFP32, rep.Best.BestImagesPerS1FP32 = bl.BestIPS, bl.BestIPS1
		}
	}

	rep.Pareto = front(acc, ls, func(c Config) float64 {
		ips, _ := e.PredictConfig(fresh, c)
		return ips
	}, *o, measured)
	rep.Layers = make([]LayerJSON, n)
	wts, bits := make([]float64, n), make([]float64, n)
	for i, l := range ls {
		lj := LayerJSON{Name: l.Name, Weights: l.Weights, MACs: l.MACs, Chosen: chosen[i].String(),
			Drop: map[string]float64{}, Div: map[string]float64{}, Measured: map[string]bool{}, Seconds: map[string]float64{},
			Time: map[string]Interval{}, Exec: map[string]string{}, Allowed: map[string]bool{}}
		for _, f := range all {
			lj.Drop[f.String()] = sens.Drop[i][f]
			lj.Div[f.String()] = sens.Div[i][f]
			lj.Measured[f.String()] = sens.Measured[i][f]
			lj.Seconds[f.String()] = times[i][f]
			lj.Time[f.String()] = costs.Layer[i][f]
			lj.Exec[f.String()] = costs.Exec[i][f].String()
			lj.Allowed[f.String()] = p.allowed(i, f) && contains(o.Formats, f)
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

// costRounds is the number of interleaved rounds of the cost model: 7
// samples per layer and format let the rank test of the tie rule reach
// alpha 0.05 (with 3 it never could).
const costRounds = 7

func aiOf(ls []layers.Layer, c Config, batch int) float64 { return layers.AI(ls, c, batch) }

// ExecConfig is c with every format replaced by the one that executes.
func (c *Costs) ExecConfig(cfg Config) Config {
	out := make(Config, len(cfg))
	for l, f := range cfg {
		out[l] = c.Exec[l][f]
	}
	return out
}

// Measured is one configuration timed end to end in the choice: its
// predicted and measured images/s and whether it holds the bound.
type Measured struct {
	Summary         string    `json:"summary"`
	Formats         []string  `json:"formats"`
	Uniform         string    `json:"uniform,omitempty"` // the format of a uniform configuration
	Top1Val         float64   `json:"top1_val"`
	DropValUpper    float64   `json:"drop_val_upper"` // paired upper confidence bound, points
	WithinBound     bool      `json:"within_bound"`
	Predicted       float64   `json:"images_per_s_predicted"`
	ImagesPerS      float64   `json:"images_per_s"` // median batch latency
	BestImagesPerS  float64   `json:"best_images_per_s"`
	Interval        Interval  `json:"batch_seconds"`         // of the batch latency samples
	Samples         []float64 `json:"batch_seconds_samples"` // one per round
	TiedWithFastest bool      `json:"tied_with_fastest"`
	Chosen          bool      `json:"chosen"`
	cfg             Config
}

func measuredOf(ms []Measured, c Config) Measured {
	for _, m := range ms {
		if m.cfg.Key() == c.Key() {
			return m
		}
	}
	return Measured{}
}

func measuredTiming(ms []Measured, c Config) Timing {
	m := measuredOf(ms, c)
	return Timing{ImagesPerS: m.ImagesPerS, BestImagesPerS: m.BestImagesPerS, Samples: m.Samples}
}

// choose picks the configuration. Candidates: the feasible evaluated
// configurations, best first by the objective (predicted images/s, or
// bytes for "ai"), up to maxCandidates, the algorithm's best, and every
// uniform format. Each is checked on the whole val half (paired bound) and
// timed end to end, interleaved with the others. For "ai" the first
// candidate in bytes order within the bound is chosen. For throughput and
// latency: among those within the bound, the fastest by median, then,
// among those not measurably slower than it (a tie, see Faster), the most
// accurate on the val half. So the choice is never dominated by a
// configuration measured in the same run, and a format is never taken over
// a more accurate one on a difference inside the noise.
func (e *Engine) choose(o *Options, p *Problem, res Result, costs *Costs, ref scores) (Config, []Measured, error) {
	n := len(p.Cost)
	cfgs, _ := p.Acc.All()
	type cand struct {
		cfg  Config
		rank float64 // smaller first
	}
	var feas []cand
	for _, c := range cfgs {
		if !p.Feasible(c) || !p.allowedConfig(c) {
			continue
		}
		r := Sum(p.Cost, c)
		if o.Objective != "ai" {
			ips, err := e.PredictConfig(costs, c)
			if err != nil {
				return nil, nil, err
			}
			r = -ips
		}
		feas = append(feas, cand{c, r})
	}
	sort.SliceStable(feas, func(i, j int) bool { return feas[i].rank < feas[j].rank })
	var list []Config
	seen := map[string]bool{}
	add := func(c Config) {
		if !seen[c.Key()] {
			seen[c.Key()] = true
			list = append(list, c)
		}
	}
	check := func(c Config) (Measured, error) {
		s, err := e.scoresAll(c, o.SearchN)
		if err != nil {
			return Measured{}, err
		}
		_, ub := PairedDrop(ref.valCorrect, s.valCorrect, 0)
		m := Measured{Summary: c.String(), Top1Val: s.val, DropValUpper: ub, WithinBound: ub <= o.MaxDrop+1e-9, cfg: c}
		for _, f := range c {
			m.Formats = append(m.Formats, f.String())
		}
		if u, ok := uniformFormat(c); ok {
			m.Uniform = u.String()
		}
		if m.Predicted, err = e.PredictConfig(costs, c); err != nil {
			return Measured{}, err
		}
		return m, nil
	}
	var ms []Measured
	if o.Objective == "ai" {
		// Bytes are exact: check candidates in bytes order until one holds
		// the bound on the val half.
		for i := 0; i < len(feas) && i < maxAIChecks; i++ {
			m, err := check(feas[i].cfg)
			if err != nil {
				return nil, nil, err
			}
			add(m.cfg)
			ms = append(ms, m)
			if m.WithinBound {
				break
			}
		}
	} else {
		for i := 0; i < len(feas) && len(list) < maxCandidates; i++ {
			add(feas[i].cfg)
		}
		if p.Feasible(res.Best.Config) && p.allowedConfig(res.Best.Config) {
			add(res.Best.Config)
		}
	}
	for _, f := range kernels.Formats {
		add(Uniform(n, f))
	}
	ms = append(ms, make([]Measured, len(list)-len(ms))...)
	var todo []int // not checked yet
	for i := range list {
		if ms[i].cfg == nil {
			todo = append(todo, i)
		}
	}
	err := parallel(len(todo), o.Workers, func(k int) error {
		m, err := check(list[todo[k]])
		ms[todo[k]] = m
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if o.Objective == "ai" { // in bytes order, uniform fallbacks included
		idx := make([]int, len(list))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return Sum(p.Cost, list[idx[a]]) < Sum(p.Cost, list[idx[b]]) })
		l2, m2 := make([]Config, len(list)), make([]Measured, len(list))
		for i, j := range idx {
			l2[i], m2[i] = list[j], ms[j]
		}
		list, ms = l2, m2
	}
	ts, err := e.interleaved(list, o.Batch, o.Threads, o.BenchTime)
	if err != nil {
		return nil, nil, err
	}
	for i := range ms {
		ms[i].ImagesPerS, ms[i].BestImagesPerS, ms[i].Samples = ts[i].ImagesPerS, ts[i].BestImagesPerS, ts[i].Samples
		ms[i].Interval = Summarize(ts[i].Samples)
		o.logf("e2e   %-28s %7.0f images/s (predicted %7.0f, %+.1f%%)  val %.2f%% (bound %.2f)%s", ms[i].Summary, ms[i].ImagesPerS,
			ms[i].Predicted, 100*(ms[i].Predicted/ms[i].ImagesPerS-1), ms[i].Top1Val, ms[i].DropValUpper, map[bool]string{false: "  outside the bound"}[ms[i].WithinBound])
	}
	pick := ChooseMeasured(ms, o.Objective == "ai")
	if pick < 0 {
		return nil, nil, fmt.Errorf("search: no configuration within %.2f points on the val half, not even FP32", o.MaxDrop)
	}
	ms[pick].Chosen = true
	return ms[pick].cfg, ms, nil
}

// maxCandidates bounds the non-uniform candidates the choice times;
// maxAIChecks the candidates the ai objective checks on the val half.
const (
	maxCandidates = 4
	maxAIChecks   = 16
)

// ChooseMeasured applies the choice rule of choose to measured
// configurations (in objective order for byOrder) and returns the index
// chosen, or -1 when none is within the bound. It marks the ties.
func ChooseMeasured(ms []Measured, byOrder bool) int {
	fastest := -1
	for i, m := range ms {
		if !m.WithinBound {
			continue
		}
		if byOrder {
			return i
		}
		if fastest < 0 || m.ImagesPerS > ms[fastest].ImagesPerS {
			fastest = i
		}
	}
	if fastest < 0 {
		return -1
	}
	pick := fastest
	for i := range ms {
		if !ms[i].WithinBound {
			continue
		}
		// Samples are batch seconds: the fastest is measurably faster
		// when its times are measurably lower.
		tied := i == fastest || !Faster(ms[fastest].Samples, ms[i].Samples)
		ms[i].TiedWithFastest = tied
		if tied && better(ms[i], ms[pick]) {
			pick = i
		}
	}
	return pick
}

// better orders configurations tied on speed: the more accurate on the val
// half; at equal accuracy a uniform one (a mixed configuration that is
// neither faster nor more accurate than a uniform one is dominated by it);
// then the faster median.
func better(a, b Measured) bool {
	if a.Top1Val != b.Top1Val {
		return a.Top1Val > b.Top1Val
	}
	if (a.Uniform != "") != (b.Uniform != "") {
		return a.Uniform != ""
	}
	return a.ImagesPerS > b.ImagesPerS
}

func uniformFormat(c Config) (kernels.Format, bool) {
	for _, f := range c {
		if f != c[0] {
			return 0, false
		}
	}
	return c[0], len(c) > 0
}

// interleaved times every configuration end to end in rounds (A B C A B C
// ...), so drift and bursts of outside load spread over all of them; each
// keeps the samples of all its rounds.
func (e *Engine) interleaved(cs []Config, batch, threads int, total time.Duration) ([]Timing, error) {
	models, err := e.compileAll(cs, batch, threads)
	defer closeAll(models)
	if err != nil {
		return nil, err
	}
	out := make([]Timing, len(cs))
	per := total / rankRounds
	for round := 0; round < rankRounds; round++ {
		for i, c := range cs {
			t, err := timeModel(models[i], e, c, batch, per)
			if err != nil {
				return nil, err
			}
			out[i].Samples = append(out[i].Samples, harness.Median(t.Samples))
			if out[i].BestImagesPerS < t.BestImagesPerS {
				out[i].BestImagesPerS = t.BestImagesPerS
			}
		}
	}
	for i := range out {
		out[i].ImagesPerS = float64(batch) / harness.Median(out[i].Samples)
	}
	return out, nil
}

// rankRounds is how many interleaved rounds end-to-end timing takes: each
// configuration's sample is one median batch latency per round (batches of
// one round share its conditions; rounds are the independent samples),
// and 7 rounds let a rank test between two configurations reach 0.05.
const rankRounds = 7

// front lists the evaluated configurations on the accuracy/throughput
// (predicted images/s) or accuracy/AI front.
func front(acc *Accuracy, ls []layers.Layer, predict func(Config) float64, o Options, measured []Measured) []Point {
	cfgs, tops := acc.All()
	pts := make([]Point, len(cfgs))
	for i, c := range cfgs {
		f := make([]string, len(c))
		for j, x := range c {
			f[j] = x.String()
		}
		m := measuredOf(measured, c)
		pts[i] = Point{Formats: f, Summary: c.String(), Top1Search: tops[i], PredictedImagesPerS: predict(c),
			ImagesPerS: m.ImagesPerS, AI: layers.AI(ls, c, o.AIBatch), AIBatch: layers.AI(ls, c, o.Batch)}
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
		pts[i].FrontThroughput = !dominated(i, func(p Point) float64 { return p.PredictedImagesPerS })
		pts[i].FrontAI = !dominated(i, func(p Point) float64 { return p.AI })
		if pts[i].FrontThroughput || pts[i].FrontAI {
			out = append(out, pts[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Top1Search > out[j].Top1Search })
	return out
}

func contains(fs []kernels.Format, f kernels.Format) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// scoresAll predicts every test image once and scores the search prefix,
// the val half, the holdout half and all of them. FP32's predictions under
// the agreement metric are those taken as labels, not run again.
func (e *Engine) scoresAll(c Config, searchN int) (scores, error) {
	valHi, total := e.halves()
	var pred []int
	var err error
	if u, ok := uniformFormat(c); ok && u == kernels.FP32 && e.refPred != nil {
		pred = e.refPred
	} else if pred, err = e.Predict(c, 0, total); err != nil {
		return scores{}, err
	}
	var s scores
	for _, r := range []struct {
		lo, hi int
		dst    *float64
	}{{valLo, searchN, &s.search}, {valLo, valHi, &s.val}, {valHi, total, &s.holdout}, {0, total, &s.all}} {
		if *r.dst, err = e.score(pred, 0, total, r.lo, r.hi); err != nil {
			return scores{}, err
		}
	}
	labels, err := e.Test.Labels(valLo, valHi-valLo)
	if err != nil {
		return scores{}, err
	}
	s.valCorrect = make([]bool, valHi-valLo)
	for i := range s.valCorrect {
		s.valCorrect[i] = pred[valLo+i] == labels[i]
	}
	return s, nil
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
	for _, k := range []string{"metric", "calibration", "search", "choice", "report", "timing", "bytes"} {
		if v, ok := r.Protocol[k]; ok {
			fmt.Fprintf(&s, "  %-11s %s\n", k+":", v)
		}
	}
	fmt.Fprintf(&s, "\n%-8s %8s %8s %8s %8s %16s %16s %8s %8s\n", "config", "search", "val", "holdout", "all", "img/s b"+fmt.Sprint(r.Batch)+" (best)", "img/s b1 (best)", "AI b"+fmt.Sprint(r.AIBatch), "AI b"+fmt.Sprint(r.Batch))
	for _, bl := range r.Baselines {
		fmt.Fprintf(&s, "%-8s %8.2f %8.2f %8.2f %8.2f %7.0f (%6.0f) %7.0f (%6.0f) %8.1f %8.1f\n", bl.Format, bl.Top1Search, bl.Top1Val, bl.Top1Holdout, bl.Top1All, bl.ImagesPerS, bl.BestIPS, bl.ImagesPerS1, bl.BestIPS1, bl.AI, bl.AIBatch)
	}
	fmt.Fprintf(&s, "%-8s %8.2f %8.2f %8.2f %8.2f %7.0f (%6.0f) %7.0f (%6.0f) %8.1f %8.1f\n", "chosen", b.Top1Search, b.Top1Val, b.Top1Holdout, b.Top1All, b.ImagesPerS, b.BestImagesPerS, b.ImagesPerS1, b.BestImagesPerS1, b.AI, b.AIBatch)
	fmt.Fprintf(&s, "\nchosen: %s; int4 on %.0f%% of the weights\n", b.Summary, 100*b.WeightBytesInt4)
	fmt.Fprintf(&s, "holdout %s %.2f%% vs FP32 %.2f%% (%+.2f points); images/s %.0f = %.2fx FP32 at batch %d (median latency); AI %.1f = %.2fx FP32 at batch %d (%.2fx at batch %d)\n",
		r.metricName(), b.Top1Holdout, b.Top1FP32Holdout, b.Top1Holdout-b.Top1FP32Holdout, b.ImagesPerS, b.ImagesPerS/b.ImagesPerSFP32, r.Batch,
		b.AI, b.AI/b.AIFP32, r.AIBatch, b.AIBatch/b.AIBatchFP32, r.Batch)
	if r.SpearmanWeightsBits != nil {
		fmt.Fprintf(&s, "Spearman(weights, chosen bits) = %.2f (negative: larger layers get fewer bits)\n", *r.SpearmanWeightsBits)
	} else {
		s.WriteString("Spearman(weights, chosen bits) undefined: every layer got the same bits\n")
	}
	fmt.Fprintf(&s, "%d evaluations; search %.0fs, total %.0fs\n", r.Evaluations, r.SearchSeconds, r.TotalSeconds)
	fmt.Fprintf(&s, "\nper layer (sensitivity base %s, %s %.2f%% on the search images):\n%-58s %8s", r.Sensitivity.Base, r.metricName(), r.Sensitivity.BaseTop1, "layer", "weights")
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
	fmt.Fprintf(&s, "(~: not run per layer, see sensitivity note)\n\nfront (search images): %s, predicted images/s, measured images/s, AI\n", r.metricName())
	for _, p := range r.Pareto {
		fmt.Fprintf(&s, "  %6.2f%% %9.0f %9.0f %7.1f  %s\n", p.Top1Search, p.PredictedImagesPerS, p.ImagesPerS, p.AI, p.Summary)
	}
	fmt.Fprintf(&s, "\nmeasured end to end at batch %d (interleaved): predicted and measured images/s, val %s, paired drop bound\n", r.Batch, r.metricName())
	for _, m := range r.Measured {
		mark := ""
		switch {
		case m.Chosen:
			mark = "  <- chosen"
		case !m.WithinBound:
			mark = "  (outside the bound)"
		case m.TiedWithFastest:
			mark = "  (tied with the fastest)"
		}
		fmt.Fprintf(&s, "  %-28s %8.0f %8.0f (%+5.1f%%)  %6.2f%%  %5.2f%s\n", m.Summary, m.Predicted, m.ImagesPerS,
			100*(m.Predicted/m.ImagesPerS-1), m.Top1Val, m.DropValUpper, mark)
	}
	return s.String()
}

// metricName is how the text names what the top-1 fields hold.
func (r *Report) metricName() string {
	if r.Metric == MetricAgreement {
		return "agreement with FP32"
	}
	return "top-1"
}

// Contract is the one-line JSON summary scripts read (aiq search --json):
// the chosen configuration, FP32 and every other uniform format, measured
// in the same run. Top-1 values are fractions; images/s are at the
// search's batch and threads, end to end.
type Contract struct {
	Model     string                    `json:"model"`
	Objective string                    `json:"objective"`
	Metric    string                    `json:"metric"` // what the top1 fields hold: "top1" or "agreement" (with FP32)
	Batch     int                       `json:"batch"`
	Threads   int                       `json:"threads"`
	Chosen    ContractResult            `json:"chosen"`
	FP32      ContractResult            `json:"fp32"`
	Uniform   map[string]ContractResult `json:"uniform"`
}

// ContractResult is one configuration of the Contract.
type ContractResult struct {
	Config              map[string]string `json:"config"`
	Top1Val             float64           `json:"top1_val"`
	Top1Holdout         float64           `json:"top1_holdout"`
	ImagesPerS          float64           `json:"images_per_s"`
	ImagesPerSPredicted float64           `json:"images_per_s_predicted"`
	AIBatch1            float64           `json:"ai_batch1"`
}

// Contract returns the report's Contract.
func (r *Report) Contract() Contract {
	metric := r.Metric
	if metric == "" {
		metric = MetricTop1
	}
	c := Contract{Model: r.Model, Objective: r.Objective, Metric: metric, Batch: r.Batch, Threads: r.Threads, Uniform: map[string]ContractResult{}}
	b := r.Best
	cfg := map[string]string{}
	for _, l := range r.Layers {
		cfg[l.Name] = l.Chosen
	}
	c.Chosen = ContractResult{Config: cfg, Top1Val: b.Top1Val / 100, Top1Holdout: b.Top1Holdout / 100,
		ImagesPerS: b.ImagesPerS, ImagesPerSPredicted: b.ImagesPerSPredicted, AIBatch1: b.AI1}
	for _, bl := range r.Baselines {
		cfg := map[string]string{}
		for _, l := range r.Layers {
			cfg[l.Name] = bl.Format
		}
		cr := ContractResult{Config: cfg, Top1Val: bl.Top1Val / 100, Top1Holdout: bl.Top1Holdout / 100,
			ImagesPerS: bl.ImagesPerS, ImagesPerSPredicted: bl.Predicted, AIBatch1: bl.AI1}
		if bl.Format == kernels.FP32.String() {
			c.FP32 = cr
		} else {
			c.Uniform[bl.Format] = cr
		}
	}
	return c
}
