package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
	"github.com/aiq-project/aiq/quant"
)

func init() {
	register("eval", "run a model end to end in a precision: top-1 and images/s", runEval)
}

// evalResult is the --json output of aiq eval.
type evalResult struct {
	Model        string   `json:"model"`
	Data         string   `json:"data"`
	Precision    string   `json:"precision"`
	Offset       int      `json:"offset"`
	N            int      `json:"n"`
	Top1         float64  `json:"top1"`
	Top1Val      *float64 `json:"top1_val,omitempty"`     // test images 0..4999, when evaluated
	Top1Holdout  *float64 `json:"top1_holdout,omitempty"` // test images 5000..9999, when evaluated
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
	Batch          int     `json:"batch"`
	Threads        int     `json:"threads"`
	Calib          string  `json:"calib,omitempty"`
	CalibN         int     `json:"calib_n,omitempty"`
	CalibMethod    string  `json:"calib_method,omitempty"`
	WeightMethod   string  `json:"weight_method,omitempty"`
	ISA            string  `json:"isa"`
	GOARCH         string  `json:"goarch"`
	EvalSeconds    float64 `json:"eval_seconds"`
}

func runEval(args []string) error {
	fs := newFlags("eval")
	model := fs.String("model", "models/resnet20.onnx", "ONNX model `FILE`")
	data := fs.String("data", "data/cifar10/cifar10-test.bin", "test images (CIFAR-10 .bin, .tar.gz or class folders)")
	offset := fs.Int("offset", 0, "first test image")
	n := fs.Int("n", -1, "test images to evaluate (-1: all from --offset; 0: throughput only)")
	precision := fs.String("precision", "fp32", "fp32, fp16, int8, int4, or a per-layer CONFIG.json")
	calib := fs.String("calib", "data/cifar10/cifar10-train-5k.bin", "calibration images (training images, never test images)")
	calibN := fs.Int("calib-n", 512, "calibration images used")
	calibMethod := fs.String("calib-method", "minmax", "activation ranges: minmax, percentile or mse")
	weights := fs.String("weights", "mse", "weight clipping: mse (per-channel MSE-optimal clip) or rtn (max)")
	group := fs.Int("int4-group", 0, "int4 GEMM weights: rows of K per scale (0: per output channel)")
	biasCorr := fs.Bool("bias-correction", false, "fold the expected weight-quantization error into the bias")
	batch := fs.Int("batch", 64, "images per batch")
	threads := fs.Int("threads", 1, "worker threads")
	benchTime := fs.Duration("bench-time", 3*time.Second, "timed runs of one batch last at least this long (0: skip timing)")
	cacheDir := fs.String("cache", defaultCacheDir(), "calibration cache `DIR` (\"\": none)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	describe := fs.Bool("describe", false, "print the compiled steps and their formats to stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch < 1 || *threads < 1 || *calibN < 1 || *offset < 0 {
		fmt.Fprintln(os.Stderr, "aiq eval: --batch, --threads and --calib-n must be >= 1, --offset >= 0")
		return errUsage
	}
	method, err := quant.ParseMethod(*calibMethod)
	if err != nil {
		return err
	}
	wm, err := quant.ParseWeightMethod(*weights)
	if err != nil {
		return err
	}
	cfg, err := parsePrecision(*precision)
	if err != nil {
		return err
	}
	g, err := graph.Load(*model, *batch)
	if err != nil {
		return err
	}
	if err := engine.CheckConfig(g, cfg); err != nil {
		return fmt.Errorf("%s: %w", *precision, err)
	}
	set, err := dataset.Open(*data)
	if err != nil {
		return err
	}
	if *n < 0 {
		*n = set.Len() - *offset
	}
	if *offset+*n > set.Len() {
		return fmt.Errorf("--offset %d --n %d: %s has %d images", *offset, *n, *data, set.Len())
	}
	opts := engine.Options{Batch: *batch, Threads: *threads, WeightMethod: wm, Int4Group: *group, BiasCorrection: *biasCorr}
	res := evalResult{Model: *model, Data: *data, Precision: *precision, Offset: *offset, N: *n,
		Batch: *batch, Threads: *threads, ISA: kernels.ISA(), GOARCH: runtime.GOARCH}
	ls := layers.Of(g)
	formats, fp32 := make([]kernels.Format, len(ls)), make([]kernels.Format, len(ls))
	for i, l := range ls {
		formats[i], fp32[i] = cfg.Format(l.Name), kernels.FP32
	}
	res.AI, res.AIFP32 = layers.AI(ls, formats, *batch), layers.AI(ls, fp32, *batch)
	res.AIBatch1, res.AIFP32Batch1 = layers.AI(ls, formats, 1), layers.AI(ls, fp32, 1)
	if cfg.Integer(g) || *biasCorr {
		cs, err := dataset.Open(*calib)
		if err != nil {
			return fmt.Errorf("calibration: %w", err)
		}
		if *calibN > cs.Len() {
			return fmt.Errorf("--calib-n %d: %s has %d images", *calibN, *calib, cs.Len())
		}
		opts.Calib, err = engine.CalibrateCached(*model, g, cs, *calibN, method, engine.Options{Batch: *batch, Threads: *threads}, *cacheDir)
		if err != nil {
			return err
		}
		res.Calib, res.CalibN, res.CalibMethod, res.WeightMethod = *calib, *calibN, method.String(), wm.String()
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
		fmt.Fprint(os.Stderr, m.Describe())
	}
	start := time.Now()
	if *n > 0 {
		pred, err := engine.Predict(m, set, *offset, *n)
		if err != nil {
			return err
		}
		labels, err := set.Labels(*offset, *n)
		if err != nil {
			return err
		}
		acc := func(lo, hi int) float64 { // test-image indices [lo, hi)
			c := 0
			for i := lo; i < hi; i++ {
				if pred[i-*offset] == labels[i-*offset] {
					c++
				}
			}
			return float64(c) / float64(hi-lo)
		}
		res.Top1 = acc(*offset, *offset+*n)
		if *offset == 0 && *n == 10000 {
			v, h := acc(0, 5000), acc(5000, 10000)
			res.Top1Val, res.Top1Holdout = &v, &h
		}
	}
	res.EvalSeconds = time.Since(start).Seconds()
	if *benchTime > 0 {
		t, err := engine.Throughput(m, set, *offset, 3, *benchTime)
		if err != nil {
			return err
		}
		res.ImagesPerS, res.BatchLatency, res.TimedRuns = t.ImagesPerS, float64(t.BatchLatency.Microseconds())/1000, t.Runs
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		return enc.Encode(res)
	}
	printEval(&res, cfg)
	return nil
}

func printEval(r *evalResult, cfg engine.Config) {
	fmt.Printf("model %s  precision %s (%s)  batch %d  threads %d  isa %s\n", filepath.Base(r.Model), r.Precision, cfg, r.Batch, r.Threads, r.ISA)
	if r.CalibMethod != "" {
		fmt.Printf("calibration: %s, %d images of %s (training images); weights %s\n", r.CalibMethod, r.CalibN, filepath.Base(r.Calib), r.WeightMethod)
	}
	if r.N > 0 {
		fmt.Printf("top-1 %.2f%% on images %d..%d of %s", 100*r.Top1, r.Offset, r.Offset+r.N-1, filepath.Base(r.Data))
		if r.Top1Val != nil {
			fmt.Printf("  (val 0..4999: %.2f%%, holdout 5000..9999: %.2f%%)", 100**r.Top1Val, 100**r.Top1Holdout)
		}
		fmt.Println()
	}
	if r.TimedRuns > 0 {
		fmt.Printf("throughput %.0f images/s  (median of %d timed batches after 3 warm-ups; %.3f ms per batch of %d)\n",
			r.ImagesPerS, r.TimedRuns, r.BatchLatency, r.Batch)
	}
	fmt.Printf("arithmetic intensity %.1f flop/byte at batch %d (%.2fx fp32), %.1f at batch 1 (%.2fx fp32)\n",
		r.AI, r.Batch, r.AI/r.AIFP32, r.AIBatch1, r.AIBatch1/r.AIFP32Batch1)
}

// parsePrecision reads a uniform format name or a per-layer CONFIG.json.
func parsePrecision(p string) (engine.Config, error) {
	if f, err := kernels.ParseFormat(p); err == nil {
		return engine.Uniform(f), nil
	}
	if strings.HasSuffix(p, ".json") {
		return engine.LoadConfig(p)
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
