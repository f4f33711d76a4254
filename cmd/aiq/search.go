package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
	"github.com/aiq-project/aiq/quant"
	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/search"
)

func init() {
	register("search", "choose per-layer formats for throughput or AI within a top-1 bound", runSearch)
}

func runSearch(args []string) error {
	fs := newFlags("search")
	model := fs.String("model", "models/resnet20.onnx", "ONNX model `FILE`")
	data := fs.String("data", "data/cifar10/cifar10-test.bin", "test images (CIFAR-10 .bin, .tar.gz, class folders or a folder of images): the first half is the val half (searched), the rest the holdout half (reported); 10,000 for CIFAR-10")
	metric := fs.String("metric", "top1", "what --max-drop bounds: top1 (accuracy, needs labels) or agreement (top-1 agreement with FP32's own predictions, no labels needed; FP32 scores 100)")
	classes := fs.String("classes", "", classesHelp)
	unlabelled := fs.Bool("unlabelled", false, "ignore the labels of --data (needs --metric agreement)")
	calib := fs.String("calib", "data/cifar10/cifar10-train-5k.bin", "calibration images (training images, never test images)")
	objective := fs.String("objective", "throughput", "throughput (measured images/s at --batch), latency (the same at batch 1) or ai (analytic bytes)")
	algo := fs.String("algo", "pareto", "pareto (knapsack front + verification), greedy or coord")
	formats := fs.String("formats", "fp32,fp16,int8,int4", "allowed formats, comma-separated (fp32 is always the reference)")
	maxDrop := fs.Float64("max-drop", 1.0, "allowed drop below FP32 in points of --metric (top-1; with agreement: 100 - agreement)")
	margin := fs.Float64("margin", 0, "points of --max-drop kept in reserve on the search images (beyond the paired confidence bound)")
	batch := fs.Int("batch", 64, "batch of the throughput objective and of the reported images/s")
	threads := fs.Int("threads", 1, "threads of the timing runs")
	aiBatch := fs.Int("ai-batch", 1, "batch of the ai objective and of the reported AI")
	searchN := fs.Int("search-n", 2000, "val images the search evaluates (a prefix of the val half; CIFAR-10's test set is class-balanced by prefix)")
	workers := fs.Int("workers", 2, "accuracy evaluations run at once")
	sensTol := fs.Float64("sens-tol", 0.35, "a uniform format within this many points of FP32 is not run per layer")
	lambda := fs.Float64("lambda", 10, "coord: loss = drop + lambda x relative cost")
	refine := fs.Int("refine", 4, "pareto: extra single-layer refinement evaluations")
	benchTime := fs.Duration("bench-time", 2*time.Second, "end-to-end timing per configuration")
	calibN := fs.Int("calib-n", 512, "calibration images used")
	calibMethod := fs.String("calib-method", "minmax", "activation ranges: minmax, percentile or mse")
	weights := fs.String("weights", "mse", "weight clipping: mse or rtn")
	group := fs.Int("int4-group", 0, "int4 GEMM weights: rows of K per scale (0: per output channel)")
	biasCorr := fs.Bool("bias-correction", false, "fold the expected weight-quantization error into the bias")
	cacheDir := fs.String("cache", defaultCacheDir(), "cache `DIR` of calibrations and of FP32's predictions for --metric agreement (\"\": none)")
	out := fs.String("out", "", "write search.json, config.json and summary.txt into `DIR`")
	configOut := fs.String("config-out", "", "also write the chosen CONFIG.json to `FILE` (e.g. configs/resnet20-ai.json)")
	save := fs.String("results", "", "also save the run under `DIR`/<host-id>/ (e.g. runs)")
	quiet := fs.Bool("q", false, "no progress on stderr (neither the log lines nor, on a terminal, the bar)")
	jsonLast := fs.Bool("json", false, "print one JSON object on stdout instead of the summary text: model, objective, batch, threads, chosen, fp32, uniform")
	from := fs.String("from", "", "do not search: load a search.json written by --out and save it (--results, --config-out)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the search to `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from != "" {
		if *cpuProfile != "" {
			return usagef("--cpuprofile: profiles a search; --from runs none")
		}
		return resaveSearch(*from, *configOut, *save)
	}
	// search.Options takes 0 for its defaults, so a zero or negative count
	// given here would start a default search: refuse it first.
	for _, c := range []struct {
		flag   string
		v, min int
	}{{"--batch", *batch, 1}, {"--threads", *threads, 1}, {"--ai-batch", *aiBatch, 1}, {"--search-n", *searchN, 1},
		{"--workers", *workers, 1}, {"--calib-n", *calibN, 1}, {"--refine", *refine, 0}, {"--int4-group", *group, 0}} {
		if c.v < c.min {
			return usagef("%s %d: must be >= %d", c.flag, c.v, c.min)
		}
	}
	switch {
	case *metric != search.MetricTop1 && *metric != search.MetricAgreement:
		return usagef("--metric %q: want top1 or agreement", *metric)
	case *unlabelled && *metric != search.MetricAgreement:
		return usagef("--unlabelled: top-1 needs labels; use --metric agreement")
	case !(*maxDrop > 0) || math.IsInf(*maxDrop, 0):
		return usagef("--max-drop %v: must be a number > 0", *maxDrop)
	case !(*margin >= 0 && *margin < *maxDrop):
		return usagef("--margin %v: must be >= 0 and below --max-drop %v", *margin, *maxDrop)
	case !(*sensTol >= 0) || math.IsInf(*sensTol, 0):
		return usagef("--sens-tol %v: must be a number >= 0", *sensTol)
	case !(*lambda >= 0) || math.IsInf(*lambda, 0):
		return usagef("--lambda %v: must be a number >= 0", *lambda)
	case *benchTime <= 0:
		return usagef("--bench-time %v: must be > 0", *benchTime)
	}
	classList, err := parseClasses(*classes)
	if err != nil {
		return err
	}
	o := search.Options{Model: *model, Data: *data, Calib: *calib, Objective: *objective, Algorithm: *algo,
		Metric: *metric, Classes: classList, Unlabelled: *unlabelled,
		MaxDrop: *maxDrop, Margin: *margin, Batch: *batch, Threads: *threads, AIBatch: *aiBatch, SearchN: *searchN,
		Workers: *workers, SensTol: *sensTol, Lambda: *lambda, Refine: *refine, BenchTime: *benchTime,
		CalibN: *calibN, Int4Group: *group, BiasCorrection: *biasCorr, CacheDir: *cacheDir}
	for _, s := range strings.Split(*formats, ",") {
		f, err := kernels.ParseFormat(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("--formats: %w", err)
		}
		o.Formats = append(o.Formats, f)
	}
	if o.CalibMethod, err = quant.ParseMethod(*calibMethod); err != nil {
		return fmt.Errorf("--calib-method: %w", err)
	}
	if o.WeightMethod, err = quant.ParseWeightMethod(*weights); err != nil {
		return fmt.Errorf("--weights: %w", err)
	}
	// The files are checked here, before the profile starts, so a bad name
	// leaves no profile behind; search.Run checks the rest.
	for _, f := range []struct{ flag, path string }{{"--model", *model}, {"--data", *data}, {"--calib", *calib}} {
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("%s: %w", f.flag, err)
		}
	}
	g, err := loadFloatGraph("search", *model, *batch)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	if err := checkBatchMemory("--batch", *batch, layers.Of(g), *workers+1, *model); err != nil {
		return err
	}
	if err := checkOutDirs(map[string]string{"--config-out": *configOut, "--cpuprofile": *cpuProfile}); err != nil {
		return err
	}
	prof, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer prof.stop() // error paths: the profile of what ran is still completed
	start := time.Now()
	// The log lines go to stderr (scripts/configs.sh keeps them as
	// progress.log); on a terminal a spinner below them shows the step
	// under way and the time since the start.
	sp := startSpinner(progressOn(*quiet, os.Stderr), os.Stderr, "searching")
	if !*quiet {
		o.Log = func(format string, args ...any) {
			msg := fmt.Sprintf(format, args...)
			sp.println(os.Stderr, fmt.Sprintf("[%5.0fs] %s", time.Since(start).Seconds(), msg))
			if i := strings.IndexAny(msg, ":("); i > 0 {
				msg = msg[:i]
			}
			sp.describe(msg)
		}
	}
	rep, err := search.Run(o)
	sp.finish()
	if err != nil {
		return dataHint(err)
	}
	if err := prof.stop(); err != nil {
		return err
	}
	text := rep.Text()
	if !*jsonLast {
		fmt.Print(text)
	}
	writeJSON := func(path string, v any) error {
		return atomicfile.Write(path, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(v)
		})
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(*out, "search.json"), rep); err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(*out, "config.json"), rep.Best.Config); err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(*out, "summary.txt"), func(w io.Writer) error {
			_, err := io.WriteString(w, text)
			return err
		}); err != nil {
			return err
		}
	}
	if *configOut != "" {
		if err := writeJSON(*configOut, rep.Best.Config); err != nil {
			return err
		}
	}
	if *save != "" {
		path, err := saveSearchRun(*save, rep, filepath.Base(*data))
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "saved %s\n", path)
	}
	if *jsonLast {
		line, err := json.Marshal(rep.Contract())
		if err != nil {
			return err
		}
		fmt.Println(string(line))
	}
	return nil
}

// resaveSearch stores an earlier search's report as a results run and/or
// its chosen configuration.
func resaveSearch(path, configOut, save string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var rep search.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(rep.Layers) == 0 || len(rep.Best.Config.Layers) == 0 {
		return fmt.Errorf("%s: not a search report (no layers or no chosen configuration)", path)
	}
	if configOut == "" && save == "" {
		return fmt.Errorf("--from %s: nothing to do without --config-out or --results", path)
	}
	if configOut != "" {
		if err := atomicfile.Write(configOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(rep.Best.Config)
		}); err != nil {
			return err
		}
	}
	if save != "" {
		data, err := searchData(&rep)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		p, err := saveSearchRun(save, &rep, data)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "saved %s\n", p)
	}
	return nil
}

// searchData is the base name of the test images a search report used, the
// first word of its protocol's "report" entry.
func searchData(rep *search.Report) (string, error) {
	f := strings.Fields(rep.Protocol["report"])
	if len(f) == 0 {
		return "", errors.New("the report's protocol does not name its test images")
	}
	return f[0], nil
}

// saveSearchRun records the search as a versioned "search" result: top-1
// in percent on the holdout half of data (the test images' file name), and
// the images/s of the chosen and every uniform configuration, one sample per
// round of the search's end-to-end timing.
func saveSearchRun(dir string, rep *search.Report, data string) (string, error) {
	run := results.New(results.KindSearch)
	run.Threads, run.Batch = rep.Threads, rep.Batch
	run.Protocol = map[string]string{}
	for k, v := range rep.Protocol {
		run.Protocol[k] = v
	}
	run.Protocol["isa"] = rep.ISA
	name := strings.TrimSuffix(filepath.Base(rep.Model), filepath.Ext(rep.Model))
	b := rep.Best
	run.Summary = fmt.Sprintf("%s %s/%s: %s, holdout %.2f%% (fp32 %.2f%%), %.0f img/s, AI %.1f (fp32 %.1f)",
		name, rep.Objective, rep.Algorithm, b.Summary, b.Top1Holdout, b.Top1FP32Holdout, b.ImagesPerS, b.AI, b.AIFP32)
	total := rep.Images
	if total == 0 { // reports older than the field: CIFAR-10's 10,000
		total = 10000
	}
	holdout := fmt.Sprintf("%s[%d:%d]", data, total/2, total)
	if rep.Metric == search.MetricAgreement {
		holdout += " agreement with fp32" // not comparable with top-1 on the same images
	}
	p := &results.Search{Model: name, Algorithm: rep.Algorithm, Objective: rep.Objective, Bound: rep.MaxDrop, Images: holdout}
	for _, l := range rep.Layers {
		p.Layers = append(p.Layers, results.Layer{Name: l.Name, Params: l.Weights, MACs: l.MACs})
		fs := make([]string, 0, len(l.Drop))
		for f := range l.Drop {
			fs = append(fs, f)
		}
		sort.Strings(fs)
		for _, f := range fs {
			if l.Measured[f] {
				p.Sensitivity = append(p.Sensitivity, results.Sensitivity{Layer: l.Name, Format: f, DeltaTop1: -l.Drop[f]})
			}
		}
	}
	for _, pt := range rep.Pareto {
		p.Front = append(p.Front, len(p.Candidates))
		p.Candidates = append(p.Candidates, results.Candidate{Formats: pt.Formats, Top1: pt.Top1Search, Throughput: pt.ImagesPerS, AI: pt.AI})
	}
	var chosen []string
	for _, l := range rep.Layers {
		chosen = append(chosen, l.Chosen)
	}
	p.Chosen = len(p.Candidates)
	p.Candidates = append(p.Candidates, results.Candidate{Formats: chosen, Top1: b.Top1Holdout, Throughput: b.ImagesPerS, AI: b.AI})
	ips := func(m search.Measured) results.Metric {
		return results.Metric{Unit: "images/s", Values: rates(float64(rep.Batch), m.Samples)}
	}
	batch := fmt.Sprintf("batch%d", rep.Batch)
	for _, m := range rep.Measured {
		if m.Chosen {
			p.Metrics = append(p.Metrics, results.Point{Name: "chosen/" + batch, Metric: ips(m)})
		}
		if m.Uniform != "" {
			p.Metrics = append(p.Metrics, results.Point{Name: m.Uniform + "/" + batch, Metric: ips(m)})
		}
	}
	for _, bl := range rep.Baselines {
		p.Metrics = append(p.Metrics, results.Point{Name: bl.Format,
			Metric: results.Metric{Unit: results.UnitTop1, Values: []float64{bl.Top1Holdout}, Exact: true, Images: holdout}})
	}
	if err := run.SetPayload(p); err != nil {
		return "", err
	}
	return run.Save(dir)
}
