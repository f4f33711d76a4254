package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
	"github.com/aiq-project/aiq/quant"
	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/roofline"
	"github.com/aiq-project/aiq/search"
)

func init() {
	register("bench", "time every layer of ONNX models end to end in each format, against the roofline (--kernels: each kernel alone)", runBench)
}

// Two modes share the flags, the roofline and the output:
//
//   - model mode (default): each model is compiled whole in each format and
//     run end to end with per-step timers (engine.Profile), the formats
//     interleaved round by round; a layer's time is its engine step
//     (im2col, kernel, fused epilogue) in the cache state of a real pass.
//   - kernel mode (--kernels): each distinct layer shape of the models
//     (layers.Of) is timed as one kernel call on random operands.
//
// Both describe the layers with package layers, the one description of a
// layer's shape, MACs and bytes per format.

// benchPoint is one layer (model mode) or layer shape (kernel mode) in one
// format: the --json output; benchRun turns the points into a results run.
type benchPoint struct {
	Model  string `json:"model"`  // model file name without extension
	Layer  string `json:"layer"`  // graph node name (model mode) or shape name (kernel mode)
	Kernel string `json:"kernel"` // gemm or depthwise
	// Format is the configured format; Exec the format that executes
	// (int4 weights the kernel packs as int8: int8).
	Format  string  `json:"format"`
	Exec    string  `json:"exec"`
	Variant string  `json:"variant"`
	M       int     `json:"m,omitempty"` // GEMM rows of the batch (batch x output pixels)
	N       int     `json:"n,omitempty"`
	K       int     `json:"k,omitempty"`
	C       int     `json:"c,omitempty"` // depthwise channels, input H x W, stride
	H       int     `json:"h,omitempty"`
	W       int     `json:"w,omitempty"`
	Stride  int     `json:"stride,omitempty"`
	Ops     float64 `json:"ops"` // 2 x MACs of the batch
	// Bytes is the memory traffic the roofline places the point with, at
	// the widths of Exec; PaperBytes the paper's accounting at Format
	// (layers.Bytes). They differ only where a format runs as another.
	Bytes      float64 `json:"bytes"`
	PaperBytes float64 `json:"paper_bytes"`
	AI         float64 `json:"ai"` // Ops / Bytes
	Level      string  `json:"level"`
	// Layers are the graph layers with this shape (kernel mode).
	Layers []string `json:"layers,omitempty"`
	// Time per call (kernel mode) or per batch (model mode): the median of
	// the samples and its distribution-free 95% confidence interval.
	MedianNs   float64 `json:"median_ns"`
	LoNs       float64 `json:"lo_ns"`
	HiNs       float64 `json:"hi_ns"`
	NSamples   int     `json:"n_samples"`
	CV         float64 `json:"cv"`
	Noisy      bool    `json:"noisy,omitempty"`
	GOPS       float64 `json:"gops"` // Ops / median time
	GBs        float64 `json:"gbs"`  // Bytes / median time
	Attainable float64 `json:"attainable_gops"`
	Percent    float64 `json:"percent_of_attainable"`
}

// benchReport is the --json output. Samples[i] holds every sample of
// Points[i].
type benchReport struct {
	Mode     string            `json:"mode"` // "model" or "kernels"
	Models   []string          `json:"models"`
	Batch    int               `json:"batch"`
	Threads  int               `json:"threads"`
	ISA      string            `json:"isa"`
	Roofline string            `json:"roofline"` // where the roofline came from
	Note     string            `json:"note"`
	Points   []benchPoint      `json:"points"`
	Results  []harness.Result  `json:"samples"`
	Runs     []modelRun        `json:"runs,omitempty"` // model mode: whole passes and other steps
	Config   map[string]string `json:"config"`

	// bench is the model mode's results payload, built beside Points.
	bench results.Bench
}

// interval is a median with its 95% interval (the sample's range below 6
// samples).
type interval = search.Interval

// minSamples is the least sample count with a finite distribution-free
// 95% confidence interval of the median.
const minSamples = 6

func summarize(xs []float64) interval { return search.Summarize(xs) }

// benchModel is one --model file, loaded at the batch.
type benchModel struct {
	path, name string
	g          *graph.Graph
	layers     []layers.Layer
}

// benchSetup is everything checked before anything is measured.
type benchSetup struct {
	models         []benchModel
	formats        []kernels.Format
	batch, threads int
	minTime        time.Duration
	rounds         int
	quick          bool
	// r is the roofline the points are placed on; nil in a quick bench
	// that was given none (the points then have no level or attainable).
	r            *roofline.Result
	rooflineFrom string
	// Model mode: calibration (integer formats) and images.
	calibPath   string
	calibN      int
	calibMethod quant.Method
	cacheDir    string
	calibSet    *dataset.Set
	log         io.Writer
}

func runBench(args []string) error { return bench(args, os.Stdout, os.Stderr) }

// bench is aiq bench with its table written to stdout and progress to
// stderr.
func bench(args []string, stdout, stderr io.Writer) error {
	var jsonOut io.Writer // --json: stdout
	fs := newFlags("bench")
	fs.SetOutput(stderr)
	kern := fs.Bool("kernels", false, "time each distinct layer shape as one kernel call on random operands instead of whole models")
	model := fs.String("model", "models/resnet20.onnx,models/mobilenetv2.onnx", "comma-separated ONNX model `FILES`")
	batch := fs.Int("batch", 1, "images per batch (kernel mode: M = batch x H x W)")
	threads := fs.Int("threads", 1, "threads")
	formats := fs.String("formats", "fp32,fp16,int8,int4", "comma-separated formats")
	rf := fs.String("roofline", "", "probe result JSON from 'aiq roofline --json' (default: run a quick probe; with --quick: none unless --svg needs it)")
	minTime := fs.Duration("min-time", 200*time.Millisecond, "model mode: least time per format and round; kernel mode: per point")
	rounds := fs.Int("rounds", 5, "model mode: interleaved rounds over the formats (--results: >= 5, one sample per round)")
	quick := fs.Bool("quick", false, fmt.Sprintf("for a CI gate: model mode %v per format and round; kernel mode only the %d GEMM and %d depthwise shapes of most MACs per model, %v per point (an explicit --min-time wins); no roofline probe unless --svg needs one",
		quickModelTime, quickGEMMShapes, quickDWShapes, quickKernelTime))
	calib := fs.String("calib", "data/cifar10/cifar10-train-5k.bin", "model mode: calibration images (integer formats), also the input images when their shape fits")
	calibN := fs.Int("calib-n", 512, "model mode: calibration images used")
	calibMethod := fs.String("calib-method", "minmax", "model mode: activation ranges: minmax, percentile or mse")
	cacheDir := fs.String("cache", defaultCacheDir(), "calibration cache `DIR` (\"\": none)")
	asJSON := fs.Bool("json", false, "print the points with all samples as JSON on stdout (instead of the tables)")
	jsonPath := fs.String("out", "", "write the points with all samples as JSON to `FILE`")
	svgPath := fs.String("svg", "", "write the roofline chart with every point to `FILE`")
	textPath := fs.String("text", "", "write the samples in Go benchmark format (benchstat) to `FILE`")
	resultsDir := fs.String("results", "", "save the run under `DIR`/<host-id>/ (model mode: a bench run; --kernels: a kernels run)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measurements to `FILE` (model mode: its CPU time by step kind and kernel family is printed and saved with --results)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick && !set["min-time"] {
		*minTime = quickModelTime
		if *kern {
			*minTime = quickKernelTime
		}
	}
	if *resultsDir != "" && !*kern && *rounds < results.MinSamples {
		return fmt.Errorf("--rounds %d: --results keeps one sample per round and needs at least %d", *rounds, results.MinSamples)
	}
	s, err := setupBench(*model, *formats, *batch, *threads, *minTime, *rounds, *kern, *calib, *calibN, *calibMethod, *cacheDir, stderr)
	if err != nil {
		return err
	}
	s.quick = *quick
	if err := checkOutDirs(map[string]string{"--out": *jsonPath, "--svg": *svgPath, "--text": *textPath}); err != nil {
		return err
	}
	if *asJSON {
		stdout, jsonOut = io.Discard, stdout // the tables give way to the JSON
	}
	if *rf != "" || !*quick || *svgPath != "" {
		if err := s.loadRoofline(*rf); err != nil {
			return err
		}
	} else {
		s.rooflineFrom = "none (--quick)"
	}

	rep := benchReport{Batch: s.batch, Threads: s.threads, ISA: kernels.ISA(), Roofline: s.rooflineFrom}
	for _, m := range s.models {
		rep.Models = append(rep.Models, m.path)
	}
	prof, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer prof.stop() // error paths: the profile of what ran is still completed
	if *kern {
		rep.Mode = "kernels"
		rep.Note = "one kernel call per sample on random operands; bytes = A (im2col'ed for KxK) + packed weights + C at the widths of the format that executes; ops = 2 x MACs; level: the memory level the call's working set fits in"
		if err := benchKernels(s, &rep); err != nil {
			return err
		}
		printKernelTable(stdout, rep.Points)
	} else {
		rep.Mode = "model"
		rep.Note = "time per batch of each layer's engine step (im2col, kernel, fused epilogue) in whole passes, formats interleaved by round; ops = 2 x MACs x batch; bytes = layers.Bytes (weights once, input and output activations) at the widths of the format that executes, paper_bytes at the configured format; level: the memory level those bytes fit in"
		if err := benchModels(s, &rep, stdout); err != nil {
			return err
		}
	}
	if err := prof.stop(); err != nil {
		return err
	}
	if prof != nil && !*kern {
		a, err := attributeProfile(*cpuProfile, kernelVariants())
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		for i := range rep.bench.Models {
			bm := &rep.bench.Models[i]
			bm.Attribution = a.modelShares(bm.Model, len(rep.bench.Models) == 1)
			fmt.Fprintln(stdout)
			printAttribution(stdout, fmt.Sprintf("%s, CPU profile %s", bm.Model, *cpuProfile), a.Total, bm.Attribution)
		}
	}
	rep.Config = map[string]string{"batch": fmt.Sprint(s.batch), "threads": fmt.Sprint(s.threads), "isa": rep.ISA, "mode": rep.Mode}
	if *jsonPath != "" {
		if err := atomicfile.Write(*jsonPath, func(w io.Writer) error { return writeBenchJSON(w, rep) }); err != nil {
			return err
		}
	}
	if *svgPath != "" {
		var cps []roofline.ChartPoint
		for _, p := range rep.Points {
			cps = append(cps, roofline.ChartPoint{Name: p.Model + " " + p.Layer + " " + p.Format, AI: p.AI, GOPS: p.GOPS, Format: p.Exec})
		}
		what := "Layers run end to end"
		if *kern {
			what = "Kernels"
		}
		title := fmt.Sprintf("%s at batch %d on %d thread(s) against the roofline", what, s.batch, s.threads)
		err := atomicfile.Write(*svgPath, func(w io.Writer) error {
			return roofline.WriteSVG(w, s.r, roofline.ChartOptions{Threads: s.threads, Title: title, Points: cps})
		})
		if err != nil {
			return err
		}
	}
	if *textPath != "" {
		if err := atomicfile.Write(*textPath, func(w io.Writer) error { return harness.WriteText(w, rep.Results, rep.Config) }); err != nil {
			return err
		}
	}
	if *resultsDir != "" {
		run, err := benchRun(s, &rep, *cpuProfile)
		if err := saveRun(*resultsDir, run, err, stderr); err != nil {
			return err
		}
	}
	if jsonOut != nil {
		return writeBenchJSON(jsonOut, rep)
	}
	return nil
}

// setupBench checks every input and loads the models, so a bad input fails
// before anything is measured or written.
func setupBench(modelList, formatList string, batch, threads int, minTime time.Duration, rounds int, kernelMode bool,
	calib string, calibN int, calibMethod, cacheDir string, log io.Writer) (*benchSetup, error) {
	if batch < 1 {
		return nil, fmt.Errorf("--batch %d: must be >= 1", batch)
	}
	if threads < 1 {
		return nil, fmt.Errorf("--threads %d: must be >= 1", threads)
	}
	if rounds < 1 {
		return nil, fmt.Errorf("--rounds %d: must be >= 1", rounds)
	}
	if minTime < 0 {
		return nil, fmt.Errorf("--min-time %v: must be >= 0", minTime)
	}
	s := &benchSetup{batch: batch, threads: threads, minTime: minTime, rounds: rounds, calibPath: calib, calibN: calibN,
		cacheDir: cacheDir, log: log}
	seen := map[kernels.Format]bool{}
	for _, f := range strings.Split(formatList, ",") {
		f = strings.TrimSpace(f)
		ff, err := kernels.ParseFormat(f)
		if err != nil {
			return nil, fmt.Errorf("--formats %q: format %q: want fp32, fp16, int8 or int4", formatList, f)
		}
		if seen[ff] {
			return nil, fmt.Errorf("--formats %q: %s given twice", formatList, ff)
		}
		seen[ff] = true
		s.formats = append(s.formats, ff)
	}
	names := map[string]string{}
	for _, p := range strings.Split(modelList, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, fmt.Errorf("--model %q: empty file name", modelList)
		}
		g, err := loadFloatGraph("bench", p, batch)
		if err != nil {
			if !strings.Contains(err.Error(), p) {
				err = fmt.Errorf("%s: %w", p, err)
			}
			return nil, fmt.Errorf("--model: %w", err)
		}
		ls := layers.Of(g)
		if len(ls) == 0 {
			return nil, fmt.Errorf("--model %s: no Conv, Gemm or MatMul layer to time", p)
		}
		// Model mode compiles the model once per format, all alive at once.
		if err := checkBatchMemory("--batch", batch, ls, len(s.formats), p); err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		if other, ok := names[name]; ok {
			return nil, fmt.Errorf("--model: %s and %s have the same name %q", other, p, name)
		}
		names[name] = p
		if kernelMode {
			for _, l := range ls {
				if l.Depthwise && (l.Shape.KH != 3 || l.Shape.Stride < 1 || l.Shape.Stride > 2) {
					return nil, fmt.Errorf("--model %s: layer %s: depthwise %dx%d stride %d has no kernel", p, l.Name, l.Shape.KH, l.Shape.KH, l.Shape.Stride)
				}
			}
		}
		s.models = append(s.models, benchModel{path: p, name: name, g: g, layers: ls})
	}
	if kernelMode {
		return s, nil
	}
	if calibN < 1 {
		return nil, fmt.Errorf("--calib-n %d: must be >= 1", calibN)
	}
	m, err := quant.ParseMethod(calibMethod)
	if err != nil {
		return nil, fmt.Errorf("--calib-method: %w", err)
	}
	s.calibMethod = m
	integer := seen[kernels.Int8] || seen[kernels.Int4]
	// Calibration images need no labels; they are resized to the input of
	// the models when all of them take one size.
	copts := dataset.Options{Unlabelled: true}
	for i, bm := range s.models {
		o, err := search.DataOptions(bm.g)
		if err != nil || (i > 0 && (o.H != copts.H || o.W != copts.W)) {
			copts.H, copts.W = 0, 0
			break
		}
		copts.H, copts.W = o.H, o.W
	}
	set, err := dataset.OpenWith(calib, copts)
	switch {
	case err != nil && integer:
		return nil, fmt.Errorf("--calib (integer formats need calibration images): %w", err)
	case err != nil:
		fmt.Fprintf(s.log, "no calibration images (%v): random input images\n", err)
	case integer && calibN > set.Len():
		return nil, fmt.Errorf("--calib-n %d: %s has %d images", calibN, calib, set.Len())
	default:
		s.calibSet = set
	}
	return s, nil
}

// loadRoofline reads the roofline from path or probes a quick one.
func (s *benchSetup) loadRoofline(path string) error {
	var err error
	if path != "" {
		if s.r, err = roofline.Load(path); err != nil {
			return fmt.Errorf("--roofline: %w", err)
		}
		s.rooflineFrom = path
	} else {
		fmt.Fprintln(s.log, "no --roofline given: running 'aiq roofline --quick' first")
		if s.r, err = roofline.Probe(roofline.Options{Quick: true, Threads: s.threads}); err != nil {
			return err
		}
		s.rooflineFrom = "quick probe"
	}
	if _, _, err := s.r.Ceilings(kernels.FP32, roofline.DRAM, s.threads); err != nil {
		return fmt.Errorf("roofline %s has no ceilings for %d threads (probe with --threads %d): %w", s.rooflineFrom, s.threads, s.threads, err)
	}
	return nil
}

// place fills the roofline figures of p from its ops, bytes, Exec and
// median time (without a roofline: only AI, GOP/s and GB/s).
func (s *benchSetup) place(p *benchPoint) error {
	p.AI = p.Ops / p.Bytes
	p.GOPS = p.Ops / p.MedianNs
	p.GBs = p.Bytes / p.MedianNs
	if s.r == nil {
		return nil
	}
	lvl := s.r.LevelFor(int64(math.Ceil(p.Bytes)), s.threads)
	p.Level = string(lvl)
	a, err := s.r.Attainable(kernels.FormatNamed(p.Exec), p.AI, lvl, s.threads)
	if err != nil {
		return fmt.Errorf("%s %s %s: %w", p.Model, p.Layer, p.Format, err)
	}
	p.Attainable, p.Percent = a, 100*p.GOPS/a
	return nil
}

// execLabel is "int4 (runs as int8)" for a format that executes as another.
func execLabel(format, exec string) string {
	if exec == "" || exec == format {
		return format
	}
	return format + " (runs as " + exec + ")"
}

// resultName makes a benchmark name (no white space) of its parts.
func resultName(parts ...string) string {
	for i, p := range parts {
		p = strings.Trim(p, "/")
		parts[i] = strings.Join(strings.Fields(p), "_")
	}
	return strings.Join(parts, "/")
}

func writeBenchJSON(w io.Writer, rep benchReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("encode bench json: %w", err)
	}
	return nil
}
