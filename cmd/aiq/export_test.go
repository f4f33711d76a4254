package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/onnx"
)

// aiq export writes a model that parses, with the formats asked for: fp16
// weights as FLOAT16, int8 layers behind QuantizeLinear/DequantizeLinear.
func TestExportWrites(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testCalib)
	dir := t.TempDir()
	for _, c := range []struct {
		precision string
		ops       map[string]int // op type -> at least this many nodes
		formats   map[string]int
	}{
		{"fp16", map[string]int{"Cast": 2 * 20}, map[string]int{"fp16": 20}},
		{"int8", map[string]int{"QuantizeLinear": 20, "DequantizeLinear": 40}, map[string]int{"int8": 20}},
	} {
		out := filepath.Join(dir, c.precision+".onnx")
		var stdout, stderr bytes.Buffer
		err := exportCmd([]string{"--model", model, "--precision", c.precision, "--out", out, "--calib", testCalib,
			"--calib-n", "16", "--cache", "", "--json"}, &stdout, &stderr)
		if err != nil {
			t.Fatalf("export %s: %v\n%s", c.precision, err, stderr.String())
		}
		var res exportResult
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			t.Fatalf("export --json: %v: %s", err, stdout.String())
		}
		if len(res.Formats) != len(c.formats) || res.Formats[c.precision] != c.formats[c.precision] || len(res.Layers) != 20 {
			t.Errorf("export %s: formats %v, %d layers", c.precision, res.Formats, len(res.Layers))
		}
		m, err := onnx.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, n := range m.Graph.Nodes {
			count[n.OpType]++
		}
		for op, want := range c.ops {
			if count[op] < want {
				t.Errorf("export %s: %d %s nodes, want at least %d", c.precision, count[op], op, want)
			}
		}
	}
}

// Bad input fails with one line naming the flag, a nonzero status, and
// no output file (an existing one is left as it was).
func TestExportErrors(t *testing.T) {
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.onnx")
	kept := filepath.Join(dir, "kept.onnx")
	if err := os.WriteFile(kept, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--model", model, "--out", out}, 2, "--precision: required"},
		{[]string{"--model", model, "--precision", "int8"}, 2, "--out: required"},
		{[]string{"--model", model, "--precision", "int8", "--out", filepath.Join(dir, "no", "x.onnx")}, 1, "--out"},
		{[]string{"--model", model, "--precision", "../../configs/mobilenetv2-ai.json", "--out", out}, 1, `--precision: ../../configs/mobilenetv2-ai.json: is for model "mobilenetv2.onnx"`},
		{[]string{"--model", model, "--precision", "int3", "--out", out}, 1, `--precision "int3"`},
		{[]string{"--model", filepath.Join(dir, "none.onnx"), "--precision", "fp16", "--out", out}, 1, "--model"},
		{[]string{"--model", model, "--precision", "int8", "--out", kept, "--calib", filepath.Join(dir, "none.bin"), "--cache", ""}, 1, "--calib"},
		{[]string{"--model", model, "--precision", "int8", "--out", out, "--calib-n", "0"}, 2, "--calib-n 0"},
		{[]string{"--model", model, "--precision", "int4", "--out", out, "--int4-group", "6"}, 2, "--int4-group 6"},
		{[]string{"--model", model, "--precision", "fp16", "--out", model}, 1, "is the --model file"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"export"}, c.args...), &stdout, &stderr)
		msg := stderr.String()
		if code != c.code || !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("aiq export %s: exit %d, stderr %q; want exit %d and one line with %q", strings.Join(c.args, " "), code, msg, c.code, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("aiq export %s left %s", strings.Join(c.args, " "), out)
		}
	}
	if b, err := os.ReadFile(kept); err != nil || string(b) != "old" {
		t.Errorf("a failed export changed an existing output file: %q, %v", b, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the output directory after failed exports, want 1", len(entries))
	}
}
