package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
	"github.com/aiq-project/aiq/quant"
	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/search"
)

func init() {
	register("eval", "run a model end to end in a precision: top-1 and images/s", runEval)
}

// evalResult is the --json output of aiq eval.
type evalResult struct {
	Model       string   `json:"model"`
	Data        string   `json:"data"`
	Precision   string   `json:"precision"`
	Offset      int      `json:"offset"`
	N           int      `json:"n"`
	Metric      string   `json:"metric"`   // top1 or agreement
	Labelled    bool     `json:"labelled"` // the images have labels: Top1 is measured
	Top1        float64  `json:"top1"`
	Top1Val     *float64 `json:"top1_val,omitempty"`     // test images 0..4999, when evaluated
	Top1Holdout *float64 `json:"top1_holdout,omitempty"` // test images 5000..9999, when evaluated
	// Agreement (--metric agreement) is the fraction of images whose
	// predicted class is FP32's.
	Agreement    *float64 `json:"agreement,omitempty"`
	ImagesPerS   float64  `json:"images_per_s"`
	AI           float64  `json:"ai"`        // the paper's arithmetic intensity at --batch
	AIFP32       float64  `json:"ai_fp32"`   // the same for the model in fp32
	AIBatch1     float64  `json:"ai_batch1"` // AI at batch 1, where weights weigh most
	AIFP32Batch1 float64  `json:"ai_fp32_batch1"`
	// AIPackedBatch1 counts the bytes the packed weights occupy (int4
	// that the kernel runs as int8: 1 byte).
	AIPackedBatch1 float64 `json:"ai_packed_batch1"`
	BatchLatency   float64 `json:"batch_latency_ms"`
	TimedRuns      int     `json:"timed_runs"`
	// BatchSeconds are the timed batches, one sample each.
	BatchSeconds []float64 `json:"batch_seconds,omitempty"`
	Batch        int       `json:"batch"`
	Threads      int       `json:"threads"`
	Calib        string    `json:"calib,omitempty"`
	CalibN       int       `json:"calib_n,omitempty"`
	CalibMethod  string    `json:"calib_method,omitempty"`
	WeightMethod string    `json:"weight_method,omitempty"`
	ISA          string    `json:"isa"`
	GOARCH       string    `json:"goarch"`
	EvalSeconds  float64   `json:"eval_seconds"`
}

func runEval(args []string) error { return eval(args, os.Stdout, os.Stderr) }

// eval is aiq eval with its output written to stdout and notes to stderr.
func eval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval")
	fs.SetOutput(stderr)
	model := fs.String("model", "models/resnet20.onnx", "ONNX model `FILE`")
	data := fs.String("data", "data/cifar10/cifar10-test.bin", "test images (CIFAR-10 .bin, .tar.gz, class folders, or a folder of unlabelled images); resized and center-cropped to the model's input")
	metric := fs.String("metric", "top1", "top1 (accuracy, needs labels) or agreement (top-1 agreement with FP32's own predictions on the same images; no labels needed)")
	classes := fs.String("classes", "", classesHelp)
	unlabelled := fs.Bool("unlabelled", false, "ignore the labels of --data (needs --metric agreement)")
	offset := fs.Int("offset", 0, "first test image")
	n := fs.Int("n", -1, "test images to evaluate (-1: all from --offset; 0: throughput only)")
	precision := fs.String("precision", "fp32", "fp32, fp16, int8, int4, or a per-layer CONFIG.json")
	force := fs.Bool("force", false, "apply a CONFIG.json whose \"model\" names another model than --model")
	calib := fs.String("calib", "data/cifar10/cifar10-train-5k.bin", "calibration images (training images, never test images)")
	calibN := fs.Int("calib-n", 512, "calibration images used")
	calibMethod := fs.String("calib-method", "minmax", "activation ranges: minmax, percentile or mse")
	weights := fs.String("weights", "mse", "weight clipping: mse (per-channel MSE-optimal clip) or rtn (max)")
	group := fs.Int("int4-group", 0, "int4 GEMM weights: rows of K per scale (0: per output channel)")
	biasCorr := fs.Bool("bias-correction", false, "fold the expected weight-quantization error into the bias")
	batch := fs.Int("batch", 64, "images per batch")
	threads := fs.Int("threads", 1, "worker threads")
	benchTime := fs.Duration("bench-time", 3*time.Second, "timed runs of one batch last at least this long (0: skip timing)")
	cacheDir := fs.String("cache", defaultCacheDir(), "cache `DIR` of calibrations and of FP32's predictions for --metric agreement (\"\": none)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	quiet := fs.Bool("q", false, "no progress bar on stderr (there is none when stderr is not a terminal)")
	describe := fs.Bool("describe", false, "print the compiled steps and their formats to stderr")
	resultsDir := fs.String("results", "", "save the run under `DIR`/<host-id>/")
	configName := fs.String("config-name", "", "name of the configuration in the saved run (default: the precision, or its config file's base name)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the evaluation and timing to `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *batch < 1:
		return usagef("--batch %d: must be >= 1", *batch)
	case *threads < 1:
		return usagef("--threads %d: must be >= 1", *threads)
	case *calibN < 1:
		return usagef("--calib-n %d: must be >= 1", *calibN)
	case *offset < 0:
		return usagef("--offset %d: must be >= 0", *offset)
	case *n < -1:
		return usagef("--n %d: must be >= 0 (or -1: every image from --offset)", *n)
	case *resultsDir != "" && *n == 0:
		return usagef("--n 0: evaluates no image, and --results records top-1")
	case *benchTime < 0:
		return usagef("--bench-time %v: must be >= 0", *benchTime)
	case *group < 0:
		return usagef("--int4-group %d: must be >= 0", *group)
	case *metric != search.MetricTop1 && *metric != search.MetricAgreement:
		return usagef("--metric %q: want top1 or agreement", *metric)
	case *unlabelled && *metric != search.MetricAgreement:
		return usagef("--unlabelled: top-1 needs labels; use --metric agreement")
	}
	classList, err := parseClasses(*classes)
	if err != nil {
		return err
	}
	method, err := quant.ParseMethod(*calibMethod)
	if err != nil {
		return fmt.Errorf("--calib-method: %w", err)
	}
	wm, err := quant.ParseWeightMethod(*weights)
	if err != nil {
		return fmt.Errorf("--weights: %w", err)
	}
	cfg, err := parsePrecision(*precision, *model, *force)
	if err != nil {
		return err
	}
	g, qdq, err := graph.LoadQDQ(*model, *batch)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	if qdq != nil {
		// A QDQ model carries its quantization: its quantized layers run
		// in int8 unless asked otherwise.
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == "precision" })
		if !set {
			*precision, cfg = "file", engine.FileConfig(g, qdq)
			if f, ok := uniformFormat(cfg, len(g.Layers())); ok {
				*precision, cfg = f.String(), engine.Uniform(f)
			}
		}
		fmt.Fprintf(stderr, "%s is a QDQ model: integer layers use its own scales and zero points, float layers its dequantized weights\n", filepath.Base(*model))
		for w, why := range qdq.Requantized {
			fmt.Fprintf(stderr, "warning: weights %q: %s; their layer runs in fp32 unless --precision asks for int8, which quantizes them again\n", w, why)
		}
	}
	if err := engine.CheckConfig(g, cfg); err != nil {
		return fmt.Errorf("--precision %s: %w", *precision, err)
	}
	if err := checkBatchMemory("--batch", *batch, layers.Of(g), 1, *model); err != nil {
		return err
	}
	dopts, err := search.DataOptions(g)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	copts := dopts
	copts.Unlabelled = true // calibration uses no labels
	dopts.Classes, dopts.Unlabelled = classList, *unlabelled
	set, err := dataset.OpenWith(*data, dopts)
	if err != nil {
		return dataHint(fmt.Errorf("--data: %w", err))
	}
	if !set.Labelled() && *metric == search.MetricTop1 && *n != 0 {
		return fmt.Errorf("--data %s has no labels (a folder of images without class subfolders, or --unlabelled): top-1 needs them; use --metric agreement (agreement with FP32's predictions)", *data)
	}
	if *offset >= set.Len() {
		return fmt.Errorf("--offset %d: %s has %d images (0..%d)", *offset, *data, set.Len(), set.Len()-1)
	}
	if *n < 0 {
		*n = max(0, set.Len()-*offset)
	}
	if *resultsDir != "" && *n == 0 {
		return fmt.Errorf("--offset %d: %s has %d images, none left to evaluate for --results", *offset, *data, set.Len())
	}
	if *offset+*n > set.Len() {
		return fmt.Errorf("--offset %d --n %d: %s has %d images", *offset, *n, *data, set.Len())
	}
	if *benchTime > 0 && *offset+*batch > set.Len() {
		return fmt.Errorf("--offset %d --batch %d: %s has %d images, the timing needs one batch", *offset, *batch, *data, set.Len())
	}
	prof, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer prof.stop() // error paths: the profile of what ran is still completed
	opts := engine.Options{Batch: *batch, Threads: *threads, WeightMethod: wm, Int4Group: *group, BiasCorrection: *biasCorr}
	res := evalResult{Model: *model, Data: *data, Precision: *precision, Offset: *offset, N: *n, Metric: *metric, Labelled: set.Labelled(),
		Batch: *batch, Threads: *threads, ISA: kernels.ISA(), GOARCH: runtime.GOARCH}
	ls := layers.Of(g)
	formats, fp32 := make([]kernels.Format, len(ls)), make([]kernels.Format, len(ls))
	for i, l := range ls {
		formats[i], fp32[i] = cfg.Format(l.Name), kernels.FP32
	}
	res.AI, res.AIFP32 = layers.AI(ls, formats, *batch), layers.AI(ls, fp32, *batch)
	res.AIBatch1, res.AIFP32Batch1 = layers.AI(ls, formats, 1), layers.AI(ls, fp32, 1)
	if qdq != nil && cfg.Integer(g) && !*biasCorr {
		opts.Calib = engine.FileCalibration(qdq)
	} else if cfg.Integer(g) || *biasCorr {
		cs, err := dataset.OpenWith(*calib, copts)
		if err != nil {
			return fmt.Errorf("--calib: %w", err)
		}
		if *calibN > cs.Len() {
			return fmt.Errorf("--calib-n %d: %s has %d images", *calibN, *calib, cs.Len())
		}
		bar := newBar(progressOn(*quiet, stderr), stderr, *calibN*calibPasses(method), "calibrating")
		opts.Calib, err = engine.CalibrateCached(*model, g, cs, *calibN, method, engine.Options{Batch: *batch, Threads: *threads,
			Progress: func(done, _ int) { bar.Set(done) }}, *cacheDir)
		bar.Finish()
		if err != nil {
			return err
		}
		res.Calib, res.CalibN, res.CalibMethod, res.WeightMethod = *calib, *calibN, method.String(), wm.String()
	}
	var ref []int // FP32's predictions: the labels of agreement
	if *metric == search.MetricAgreement && *n > 0 {
		bar := newBar(progressOn(*quiet, stderr), stderr, *n, "fp32 reference")
		ref, err = search.FP32Predictions(*model, g, set, *offset, *n, engine.Options{Batch: *batch, Threads: *threads,
			Progress: func(done, _ int) { bar.Set(done) }}, *cacheDir)
		bar.Finish()
		if err != nil {
			return err
		}
	}
	m, err := engine.Compile(g, cfg, opts)
	if err != nil {
		return err
	}
	exec := make([]kernels.Format, len(ls))
	for _, st := range m.Steps() {
		for i, l := range ls {
			if st.Layer == l.Name {
				exec[i] = st.Exec
			}
		}
	}
	res.AIPackedBatch1 = layers.AI(ls, exec, 1)
	defer m.Close()
	if *describe {
		fmt.Fprint(stderr, m.Describe())
	}
	start := time.Now()
	if *n > 0 {
		pred, err := predict(m, set, *offset, *n, progressOn(*quiet, stderr), stderr)
		if err != nil {
			return err
		}
		if ref != nil {
			a := matches(pred, ref, 0, *n)
			res.Agreement = &a
		}
		if set.Labelled() {
			labels, err := set.Labels(*offset, *n)
			if err != nil {
				return err
			}
			acc := func(lo, hi int) float64 { return matches(pred, labels, lo-*offset, hi-*offset) } // test-image indices [lo, hi)
			res.Top1 = acc(*offset, *offset+*n)
			if *offset == 0 && *n == 10000 {
				v, h := acc(0, 5000), acc(5000, 10000)
				res.Top1Val, res.Top1Holdout = &v, &h
			}
		}
	}
	res.EvalSeconds = time.Since(start).Seconds()
	if *benchTime > 0 {
		secs, err := timeBatches(m, set, *offset, 3, *benchTime)
		if err != nil {
			return err
		}
		med := harness.Median(secs)
		res.BatchSeconds, res.TimedRuns = secs, len(secs)
		res.ImagesPerS, res.BatchLatency = float64(*batch)/med, med*1e3
	}
	if err := prof.stop(); err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(res); err != nil {
			return err
		}
	} else {
		printEval(stdout, &res, cfg)
	}
	if *resultsDir != "" {
		run, err := evalRun(&res, cfg, ls, *configName)
		if err := saveRun(*resultsDir, run, err, stderr); err != nil {
			return err
		}
	}
	return nil
}

// matches is the fraction of a[lo:hi] equal to b[lo:hi].
func matches(a, b []int, lo, hi int) float64 {
	c := 0
	for i := lo; i < hi; i++ {
		if a[i] == b[i] {
			c++
		}
	}
	return float64(c) / float64(hi-lo)
}

// classesHelp is the --classes flag's help (eval and search).
const classesHelp = "label order of class-folder --data: NAME,NAME,... or @FILE (one name per line); default: classes.txt in the folder, else CIFAR-10's order when every subfolder is a CIFAR-10 class name (airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck) and the model has 10 outputs, else name order when the subfolders are as many as the model's outputs; fewer subfolders than outputs without a list is an error, as name order would mislabel them"

// parseClasses reads --classes: a comma-separated list, or @FILE with one
// name per line; "" gives nil (no list).
func parseClasses(v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	var names []string
	if file, ok := strings.CutPrefix(v, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--classes: %w", err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("--classes %s: no class names in the file", v)
		}
		return names, nil
	}
	for _, c := range strings.Split(v, ",") {
		if c = strings.TrimSpace(c); c == "" {
			return nil, usagef("--classes %q: an empty class name", v)
		}
		names = append(names, c)
	}
	return names, nil
}

// dataHint adds the flag that fixes a class-folder set needing a class list.
func dataHint(err error) error {
	if errors.Is(err, dataset.ErrClassList) {
		return fmt.Errorf("%w, or pass --classes NAME,NAME,... (or @FILE, one name per line)", err)
	}
	return err
}

// predict is engine.Predict over images [offset, offset+n) in chunks of
// whole batches, so a bar can show the images done (engine.Predict has no
// progress hook); the batches are those of one call.
func predict(m *engine.Model, set *dataset.Set, offset, n int, on bool, stderr io.Writer) ([]int, error) {
	if !on {
		return engine.Predict(m, set, offset, n)
	}
	bar := newBar(on, stderr, n, "evaluating")
	defer bar.Finish()
	chunk := m.Batch * max(1, 256/m.Batch)
	pred := make([]int, 0, n)
	for lo := offset; lo < offset+n; lo += chunk {
		k := min(chunk, offset+n-lo)
		p, err := engine.Predict(m, set, lo, k)
		if err != nil {
			return nil, err
		}
		pred = append(pred, p...)
		bar.Add(k)
	}
	return pred, nil
}

// timeBatches runs the batch of images from offset warmup times, then at
// least 5 times and for at least minTime, and returns each timed batch's
// seconds.
func timeBatches(m *engine.Model, set *dataset.Set, offset, warmup int, minTime time.Duration) ([]float64, error) {
	x := make([]float32, m.Batch*set.ImageSize())
	if err := set.Images(offset, m.Batch, x); err != nil {
		return nil, err
	}
	for range warmup {
		if _, err := m.Run(x, m.Batch); err != nil {
			return nil, err
		}
	}
	var secs []float64
	start := time.Now()
	for len(secs) < results.MinSamples || time.Since(start) < minTime {
		t0 := time.Now()
		if _, err := m.Run(x, m.Batch); err != nil {
			return nil, err
		}
		secs = append(secs, time.Since(t0).Seconds())
	}
	return secs, nil
}

// evalRun builds the results run of an evaluation: top-1 in percent on the
// named images, images/s one sample per timed batch.
func evalRun(r *evalResult, cfg engine.Config, ls []layers.Layer, name string) (*results.Run, error) {
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(r.Precision), ".json")
	}
	p := &results.Eval{
		Model:  strings.TrimSuffix(filepath.Base(r.Model), filepath.Ext(r.Model)),
		Config: name,
		Images: fmt.Sprintf("%s[%d:%d]", filepath.Base(r.Data), r.Offset, r.Offset+r.N),
		Count:  r.N,
		Top1:   100 * r.Top1,
	}
	if r.Agreement != nil {
		// Recorded as the run's top-1 on images named so that compare never
		// pairs it with a labelled top-1.
		p.Images += " agreement with fp32"
		p.Top1 = 100 * *r.Agreement
	}
	for _, l := range ls {
		p.Formats = append(p.Formats, cfg.Format(l.Name).String())
	}
	if len(r.BatchSeconds) > 0 {
		p.Metrics = append(p.Metrics, results.Point{Name: fmt.Sprintf("batch%d", r.Batch),
			Metric: results.Metric{Unit: "images/s", Values: rates(float64(r.Batch), r.BatchSeconds)}})
	}
	run := results.New(results.KindEval)
	run.Threads, run.Batch = r.Threads, r.Batch
	run.Protocol["eval"] = p.Images
	run.Protocol["isa"] = r.ISA
	if len(r.BatchSeconds) > 0 {
		run.Protocol["timing"] = fmt.Sprintf("the batch of images from %d, 3 warm-up runs, then %d timed batches; a sample is one batch", r.Offset, len(r.BatchSeconds))
	}
	if r.CalibMethod != "" {
		run.Protocol["calibration"] = fmt.Sprintf("%s on %s[0:%d]; weights %s", r.CalibMethod, filepath.Base(r.Calib), r.CalibN, r.WeightMethod)
	}
	run.Summary = fmt.Sprintf("%s %s: top-1 %.2f%% on %s", p.Model, name, p.Top1, p.Images)
	if r.Agreement != nil {
		run.Summary = fmt.Sprintf("%s %s: %.2f%% agreement with fp32 on %s", p.Model, name, p.Top1, strings.TrimSuffix(p.Images, " agreement with fp32"))
	}
	if r.ImagesPerS > 0 {
		run.Summary += fmt.Sprintf(", %.0f images/s at batch %d", r.ImagesPerS, r.Batch)
	}
	if err := run.SetPayload(p); err != nil {
		return nil, err
	}
	return run, nil
}

func printEval(w io.Writer, r *evalResult, cfg engine.Config) {
	fmt.Fprintf(w, "model %s  precision %s (%s)  batch %d  threads %d  isa %s\n", filepath.Base(r.Model), r.Precision, cfg, r.Batch, r.Threads, r.ISA)
	if r.CalibMethod != "" {
		fmt.Fprintf(w, "calibration: %s, %d images of %s (training images); weights %s\n", r.CalibMethod, r.CalibN, filepath.Base(r.Calib), r.WeightMethod)
	}
	if r.N > 0 && r.Labelled {
		fmt.Fprintf(w, "top-1 %.2f%% on images %d..%d of %s", 100*r.Top1, r.Offset, r.Offset+r.N-1, filepath.Base(r.Data))
		if r.Top1Val != nil {
			fmt.Fprintf(w, "  (val 0..4999: %.2f%%, holdout 5000..9999: %.2f%%)", 100**r.Top1Val, 100**r.Top1Holdout)
		}
		fmt.Fprintln(w)
	}
	if r.Agreement != nil {
		fmt.Fprintf(w, "agreement with fp32 %.2f%% on images %d..%d of %s (images whose predicted class is FP32's)\n", 100**r.Agreement, r.Offset, r.Offset+r.N-1, filepath.Base(r.Data))
	}
	if r.TimedRuns > 0 {
		fmt.Fprintf(w, "throughput %.0f images/s  (median of %d timed batches after 3 warm-ups; %.3f ms per batch of %d)\n",
			r.ImagesPerS, r.TimedRuns, r.BatchLatency, r.Batch)
	}
	fmt.Fprintf(w, "arithmetic intensity %.1f flop/byte at batch %d (%.2fx fp32), %.1f at batch 1 (%.2fx fp32)\n",
		r.AI, r.Batch, r.AI/r.AIFP32, r.AIBatch1, r.AIBatch1/r.AIFP32Batch1)
}

// parsePrecision reads a uniform format name or a per-layer CONFIG.json
// for model (its "model" field must name it, unless force).
func parsePrecision(p, model string, force bool) (engine.Config, error) {
	if f, err := kernels.ParseFormat(p); err == nil {
		return engine.Uniform(f), nil
	}
	if strings.HasSuffix(p, ".json") {
		c, err := engine.LoadConfigFor(p, model, force)
		if err != nil {
			return engine.Config{}, fmt.Errorf("--precision: %w", err)
		}
		return c, nil
	}
	return engine.Config{}, fmt.Errorf("--precision %q: want fp32, fp16, int8, int4 or a CONFIG.json file", p)
}

func defaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "aiq")
}
