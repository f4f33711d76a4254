package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/export"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/onnx"
	"github.com/aiq-project/aiq/quant"
)

// TestEvalQDQ: aiq eval runs a QDQ model in int8 with the file's own
// quantization by default (no calibration images are read: --calib names a
// file that does not exist) and says so; --precision fp32 runs its
// dequantized float graph.
func TestEvalQDQ(t *testing.T) {
	model := "../../peers/resnet20-int8-ort.onnx"
	needFile(t, model)
	needFile(t, testData)
	for _, c := range []struct {
		args      []string
		precision string
	}{
		{nil, "int8"},
		{[]string{"--precision", "fp32"}, "fp32"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"--model", model, "--data", testData, "--n", "64", "--batch", "32", "--bench-time", "0",
			"--json", "-q", "--cache", "", "--calib", t.TempDir() + "/none.bin"}, c.args...)
		if err := eval(args, &stdout, &stderr); err != nil {
			t.Fatalf("eval %v: %v\n%s", c.args, err, stderr.String())
		}
		var r evalResult
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatalf("eval %v: %v\n%s", c.args, err, stdout.String())
		}
		if r.Precision != c.precision || r.CalibMethod != "" || !(r.Top1 > 0.8) {
			t.Errorf("eval %v: precision %q, calibration %q, top-1 %v", c.args, r.Precision, r.CalibMethod, r.Top1)
		}
		if !strings.Contains(stderr.String(), "QDQ model") {
			t.Errorf("eval %v: stderr does not say the model is QDQ:\n%s", c.args, stderr.String())
		}
	}
}

// TestQDQRoundTrip: a model aiq exports in int8 or int4 (export.QDQ) and
// runs back from the file (graph.LoadQDQ, the file's quantization)
// computes what aiq computed with the calibration it was exported from,
// bit for bit and with as many steps (no activation is added where the
// float graph has one).
func TestQDQRoundTrip(t *testing.T) {
	needFile(t, testData)
	needFile(t, testCalib)
	const batch = 16
	set, err := dataset.Open(testData)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, batch*set.ImageSize())
	if err := set.Images(0, batch, x); err != nil {
		t.Fatal(err)
	}
	calibSet, err := dataset.Open(testCalib)
	if err != nil {
		t.Fatal(err)
	}
	// run returns the logits of the images and the number of steps of the plan.
	run := func(g *graph.Graph, cfg engine.Config, opts engine.Options) ([]float32, int) {
		e, err := engine.Compile(g, cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		y, err := e.Run(x, batch)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Clone(y), len(e.Steps())
	}
	for _, name := range []string{"resnet20", "mobilenetv2"} {
		model := testModels + name + ".onnx"
		needFile(t, model)
		m, err := onnx.ReadFile(model)
		if err != nil {
			t.Fatal(err)
		}
		g, err := graph.FromONNX(m, batch)
		if err != nil {
			t.Fatal(err)
		}
		opts := engine.Options{Batch: batch}
		opts.Calib, err = engine.Calibrate(g, calibSet, 0, 32, quant.MinMax, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []kernels.Format{kernels.Int8, kernels.Int4} {
			cfg := engine.Uniform(f)
			qm, _, err := export.QDQ(m, g, cfg, export.Options{Calib: opts.Calib})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), name+"-qdq.onnx")
			if err := onnx.WriteFile(path, qm); err != nil {
				t.Fatal(err)
			}
			gq, q, err := graph.LoadQDQ(path, batch)
			if err != nil {
				t.Fatal(err)
			}
			fileCfg := engine.FileConfig(gq, q)
			if got, ok := uniformFormat(fileCfg, len(gq.Layers())); !ok || got != f {
				t.Errorf("%s %v: the file's configuration is %v", name, f, fileCfg)
			}
			want, steps := run(g, cfg, opts)
			got, fileSteps := run(gq, fileCfg, engine.Options{Batch: batch, Calib: engine.FileCalibration(q)})
			if fileSteps != steps {
				t.Errorf("%s %v: %d steps from the exported file, %d from the model", name, f, fileSteps, steps)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s %v: logit %d is %v from the exported file, %v from the calibration", name, f, i, got[i], want[i])
				}
			}
		}
	}
}
