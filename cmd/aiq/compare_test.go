package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiq-project/aiq/results"
)

// saveRunAt saves a run of kind with payload p under dir at minute m.
func saveRunAt(t *testing.T, dir, kind string, m int, p any) string {
	t.Helper()
	r := results.New(kind)
	r.Time = time.Date(2026, 12, 1, 0, m, 0, 0, time.UTC)
	r.Threads, r.Batch = 1, 64
	if err := r.SetPayload(p); err != nil {
		t.Fatal(err)
	}
	path, err := r.Save(dir)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func benchPayload(rate float64) *results.Bench {
	var v []float64
	for i := 0; i < results.MinSamples; i++ {
		v = append(v, rate*(1+0.002*float64(i)))
	}
	sec := make([]float64, len(v))
	for i, x := range v {
		sec[i] = 64 / x
	}
	return &results.Bench{Models: []results.BenchModel{{
		Model: "resnet20",
		Layers: []results.BenchLayer{{Name: "/conv1/Conv", Format: "int8", Exec: "int8", Kind: "gemm", Ops: 1e8, Bytes: 1e6,
			Metrics: []results.Metric{{Unit: "sec/op", Values: sec}}}},
		Passes: []results.Point{{Name: "int8", Metric: results.Metric{Unit: "images/s", Values: v}}},
	}}}
}

func evalPayload(top1 float64, images string) *results.Eval {
	return &results.Eval{Model: "resnet20", Config: "int8", Images: images, Count: 5000, Top1: top1}
}

func TestCompareExitCodes(t *testing.T) {
	dir := t.TempDir()
	const holdout = "cifar10-test.bin[5000:10000]"
	base := saveRunAt(t, dir, results.KindBench, 0, benchPayload(3900))
	same := saveRunAt(t, dir, results.KindBench, 1, benchPayload(3900))
	wobble := saveRunAt(t, dir, results.KindBench, 2, benchPayload(3900*0.98))
	slow := saveRunAt(t, dir, results.KindBench, 3, benchPayload(3900*0.5))
	acc := saveRunAt(t, dir, results.KindEval, 4, evalPayload(91.70, holdout))
	accDrop := saveRunAt(t, dir, results.KindEval, 5, evalPayload(91.20, holdout))
	accSmall := saveRunAt(t, dir, results.KindEval, 6, evalPayload(91.50, holdout))
	accOther := saveRunAt(t, dir, results.KindEval, 7, evalPayload(80, "cifar10-test.bin[0:10000]"))

	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte("{\"schema\": \x00 not json"), 0o644)
	unknownSchema := filepath.Join(dir, "v9.json")
	b, _ := os.ReadFile(base)
	os.WriteFile(unknownSchema, bytes.Replace(b, []byte(`"aiq.result/v1"`), []byte(`"aiq.result/v9"`), 1), 0o644)
	notResult := filepath.Join(dir, "other.json")
	os.WriteFile(notResult, []byte(`{"hello": "world"}`), 0o644)
	benchText := filepath.Join(dir, "bench.txt")
	os.WriteFile(benchText, []byte("BenchmarkX 10 notanumber ns/op\n"), 0o644)
	missing := filepath.Join(dir, "missing.json")

	for _, c := range []struct {
		name string
		args []string
		code int
		want []string // in stdout or the error
	}{
		{"same commit", []string{base, same}, 0, []string{"bench/resnet20/e2e/int8"}},
		{"2% wobble", []string{base, wobble}, 0, nil},
		{"half the throughput", []string{base, slow}, 1, []string{"bench/resnet20/e2e/int8 (images/s, -50.", "bench/resnet20/conv1/Conv/int8 (sec/op, +"}},
		{"top-1 drop 0.5", []string{acc, accDrop}, 1, []string{"eval/resnet20/int8 (top1%, -0.50 points)"}},
		{"top-1 drop 0.2", []string{acc, accSmall}, 0, nil},
		{"top-1 on other images", []string{acc, accOther}, 0, []string{"incomparable"}},
		{"wider top-1 bound", []string{"--top1-points", "1", acc, accDrop}, 0, nil},
		{"garbage json", []string{base, garbage}, 2, []string{garbage}},
		{"missing file", []string{missing, base}, 2, []string{missing}},
		{"unknown schema", []string{unknownSchema, base}, 2, []string{unknownSchema, "aiq.result/v9"}},
		{"not a result", []string{base, notResult}, 2, []string{notResult}},
		{"bad benchmark text", []string{benchText, base}, 2, []string{benchText}},
		{"nothing in common", []string{base, acc}, 2, []string{"no point in common"}},
		{"one path", []string{base}, 2, nil},
		{"three paths", []string{base, same, slow}, 2, nil},
		{"bad flag", []string{"--bogus", base, same}, 2, nil},
		{"negative top-1 points", []string{"--top1-points", "-1", base, same}, 2, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := compare(c.args, &stdout, &stderr)
			if got := exitCode(err); got != c.code {
				t.Fatalf("exit %d, want %d (error %v)\nstdout:\n%s\nstderr:\n%s", got, c.code, err, stdout.String(), stderr.String())
			}
			all := stdout.String()
			if err != nil {
				all += "\n" + err.Error()
			}
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("output does not contain %q:\n%s", w, all)
				}
			}
			if c.code == 1 && !errors.Is(err, errRegressed) {
				t.Errorf("exit 1 without a regression: %v", err)
			}
			if c.code == 2 && stdout.Len() > 0 {
				t.Errorf("printed a table and exited 2:\n%s", stdout.String())
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("model not found"), 1},
		{errRegressed, 1},
		{errUsage, 2},
		{&exitError{code: 2, err: errors.New("unreadable")}, 2},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
