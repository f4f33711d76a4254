package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/export"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/onnx"
	"github.com/aiq-project/aiq/quant"
	"github.com/aiq-project/aiq/search"
)

func init() {
	register("export", "write a precision as a standard ONNX QDQ model (aiq's scales) for ONNX Runtime", runExport)
}

func runExport(args []string) error { return exportCmd(args, os.Stdout, os.Stderr) }

// exportResult is the --json output of aiq export.
type exportResult struct {
	Model       string         `json:"model"`
	Precision   string         `json:"precision"`
	Out         string         `json:"out"`
	Opset       int64          `json:"opset"`
	Formats     map[string]int `json:"formats"`
	QDQ         int            `json:"activation_qdq"`
	Casts       int            `json:"activation_fp16_casts"`
	Calib       string         `json:"calib,omitempty"`
	CalibN      int            `json:"calib_n,omitempty"`
	CalibMethod string         `json:"calib_method,omitempty"`
	Weights     string         `json:"weight_method,omitempty"`
	Layers      []export.Layer `json:"layers"`
}

func exportCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export")
	fs.SetOutput(stderr)
	model := fs.String("model", "models/resnet20.onnx", "ONNX model `FILE`")
	precision := fs.String("precision", "", "fp32, fp16, int8, int4, or a per-layer CONFIG.json (required)")
	out := fs.String("out", "", "output ONNX `FILE` (required; written atomically)")
	force := fs.Bool("force", false, "apply a CONFIG.json whose \"model\" names another model than --model")
	calib := fs.String("calib", "data/cifar10/cifar10-train-5k.bin", "calibration images (training images, never test images)")
	calibN := fs.Int("calib-n", 512, "calibration images used")
	calibMethod := fs.String("calib-method", "minmax", "activation ranges: minmax, percentile or mse")
	weights := fs.String("weights", "mse", "weight clipping: mse (per-channel MSE-optimal clip) or rtn (max)")
	group := fs.Int("int4-group", 0, "int4 GEMM weights: rows of K per scale (0: per output channel)")
	biasCorr := fs.Bool("bias-correction", false, "fold the expected weight-quantization error into the bias")
	cacheDir := fs.String("cache", defaultCacheDir(), "calibration cache `DIR` (\"\": none)")
	asJSON := fs.Bool("json", false, "print one JSON object describing the export")
	quiet := fs.Bool("q", false, "no progress bar on stderr (there is none when stderr is not a terminal)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *precision == "":
		return usagef("--precision: required (fp32, fp16, int8, int4 or a CONFIG.json)")
	case *out == "":
		return usagef("--out: required (the ONNX file to write)")
	case *calibN < 1:
		return usagef("--calib-n %d: must be >= 1", *calibN)
	case *group < 0 || *group%4 != 0:
		return usagef("--int4-group %d: must be 0 or a multiple of 4", *group)
	}
	if err := checkOutDirs(map[string]string{"--out": *out}); err != nil {
		return err
	}
	if abs, err := filepath.Abs(*out); err == nil {
		if m, err := filepath.Abs(*model); err == nil && m == abs {
			return fmt.Errorf("--out %s: is the --model file", *out)
		}
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
	data, err := os.ReadFile(*model)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	// Two decodings: the importer may share and rewrite tensor data, and
	// the export re-emits the source graph as it was.
	src, err := onnx.Parse(data, *model)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	imported, _ := onnx.Parse(data, *model)
	// The batch of aiq eval's default, so the calibration is the one eval uses.
	const batch = 64
	g, err := graph.FromONNX(imported, batch)
	if err != nil {
		return fmt.Errorf("--model %s: %w", *model, err)
	}
	if err := engine.CheckConfig(g, cfg); err != nil {
		return fmt.Errorf("--precision %s: %w", *precision, err)
	}
	opts := export.Options{WeightMethod: wm, Int4Group: *group, BiasCorrection: *biasCorr}
	res := exportResult{Model: *model, Precision: *precision, Out: *out, Formats: map[string]int{}}
	if cfg.Integer(g) || *biasCorr {
		// The calibration images as aiq eval reads them: no labels, resized
		// to the model's input.
		copts, err := search.DataOptions(g)
		if err != nil {
			return fmt.Errorf("--model: %w", err)
		}
		copts.Unlabelled = true
		cs, err := dataset.OpenWith(*calib, copts)
		if err != nil {
			return fmt.Errorf("--calib: %w", err)
		}
		if *calibN > cs.Len() {
			return fmt.Errorf("--calib-n %d: %s has %d images", *calibN, *calib, cs.Len())
		}
		bar := newBar(progressOn(*quiet, stderr), stderr, *calibN*calibPasses(method), "calibrating")
		opts.Calib, err = engine.CalibrateCached(*model, g, cs, *calibN, method, engine.Options{Batch: batch,
			Progress: func(done, _ int) { bar.Set(done) }}, *cacheDir)
		bar.Finish()
		if err != nil {
			return fmt.Errorf("--calib: %w", err)
		}
		res.Calib, res.CalibN, res.CalibMethod, res.Weights = *calib, *calibN, method.String(), wm.String()
	}
	m, sum, err := export.QDQ(src, g, cfg, opts)
	if err != nil {
		return fmt.Errorf("--precision %s: %w", *precision, err)
	}
	if err := onnx.WriteFile(*out, m); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	res.Opset, res.QDQ, res.Casts, res.Layers = sum.Opset, sum.QDQ, sum.Casts, sum.Layers
	for _, l := range sum.Layers {
		res.Formats[l.Format.String()]++
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	var fmts []string
	for f, c := range res.Formats {
		fmts = append(fmts, fmt.Sprintf("%s:%d", f, c))
	}
	sort.Strings(fmts)
	fmt.Fprintf(stdout, "wrote %s: opset %d, %d layers %v, %d Q/DQ pairs and %d fp16 Cast pairs on activations\n",
		*out, res.Opset, len(sum.Layers), fmts, sum.QDQ, sum.Casts)
	if res.CalibMethod != "" {
		fmt.Fprintf(stdout, "calibration: %s, %d images of %s; weights %s (the scales aiq eval uses with the same flags)\n",
			res.CalibMethod, res.CalibN, filepath.Base(res.Calib), res.Weights)
	}
	return nil
}
