package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
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
