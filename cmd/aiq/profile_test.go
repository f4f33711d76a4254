package main

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiq-project/aiq/results"
	"github.com/google/pprof/profile"
)

// checkAttribution checks a bench's attribution against the profile file
// it was made from: the seconds sum to the profile's total within 5%, GEMM
// time is there and named by family, the table is printed, and
// `go tool pprof -top` reads the file.
func checkAttribution(t *testing.T, path string, shares []results.Share, table string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(f)
	f.Close()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	vi, err := cpuValueIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, s := range p.Sample {
		total += s.Value[vi]
	}
	if total == 0 {
		t.Fatalf("%s: no CPU samples", path)
	}
	sum, share, gemm := 0.0, 0.0, 0.0
	kinds := map[string]bool{shareGEMM: true, shareDepthwise: true, shareIm2col: true, shareConversion: true, shareOtherOp: true, shareRuntime: true, shareOther: true}
	for _, s := range shares {
		sum += s.Seconds
		share += s.Share
		if !kinds[s.Kind] {
			t.Errorf("share %+v: unknown kind", s)
		}
		if s.Kind == shareGEMM && strings.HasPrefix(s.Family, "gemm/") {
			gemm += s.Seconds
		}
	}
	want := float64(total) / 1e9
	if math.Abs(sum-want) > 0.05*want || math.Abs(share-1) > 0.05 {
		t.Errorf("attribution sums to %.3f s (shares %.3f), the profile holds %.3f s", sum, share, want)
	}
	if !(gemm > 0) {
		t.Errorf("no CPU time in a GEMM family: %+v", shares)
	}
	if !strings.Contains(table, "by step kind and kernel family") || !strings.Contains(table, "gemm/") {
		t.Errorf("the output lacks the attribution table:\n%s", table)
	}
	checkPprofReads(t, path)
}

// checkPprofReads runs `go tool pprof -top` on a profile (skipped without go).
func checkPprofReads(t *testing.T, path string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Logf("no go on PATH: go tool pprof not run on %s", path)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, "tool", "pprof", "-top", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "flat%") {
		t.Errorf("go tool pprof -top %s: %v\n%s", path, err, out)
	}
}

// fakeProfile builds a CPU profile of the given stacks (innermost first),
// each with 10ms and the labels.
func fakeProfile(stacks []fakeStack) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10e6,
	}
	funcs := map[string]*profile.Function{}
	for _, st := range stacks {
		s := &profile.Sample{Value: []int64{1, 10e6}, Label: map[string][]string{}}
		for k, v := range st.labels {
			s.Label[k] = []string{v}
		}
		for _, name := range st.frames {
			fn := funcs[name]
			if fn == nil {
				fn = &profile.Function{ID: uint64(len(funcs) + 1), Name: name}
				funcs[name] = fn
				p.Function = append(p.Function, fn)
			}
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn}}}
			p.Location = append(p.Location, loc)
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}

type fakeStack struct {
	frames []string
	labels map[string]string
}

// Each sample goes to the innermost frame of a step kind; runtime frames
// count with the step that called them; the format comes from the code's
// name or the pass's label.
func TestAttributeStacks(t *testing.T) {
	const m = "github.com/aiq-project/aiq/"
	int4 := map[string]string{labelModel: "resnet20", labelFormat: "int4"}
	fp32 := map[string]string{labelModel: "resnet20", labelFormat: "fp32"}
	variants := map[string]string{"gemm/fp32": "avx512", "gemm/int4": "avx512vnni", "gemm/int8": "avx512vnni", "dw/fp16": "avx512"}
	cases := []struct {
		stack        fakeStack
		kind, family string
	}{
		{fakeStack{[]string{m + "kernels.gemmF32AVX512R6P4", m + "kernels.(*GEMMF32).runRange", m + "engine.(*convStep).runChunk", m + "engine.(*convStep).run"}, fp32}, shareGEMM, "gemm/fp32 avx512"},
		// int4 packed as int8 keeps the configured format of its pass.
		{fakeStack{[]string{m + "kernels.gemmQVNNI8", m + "kernels.(*GEMMQ).runRange", m + "engine.(*convStep).run"}, int4}, shareGEMM, "gemm/int4 avx512vnni"},
		// Without a label the assembly's name says the width.
		{fakeStack{[]string{m + "kernels.gemmQVNNI8", m + "kernels.(*GEMMQ).runRange"}, nil}, shareGEMM, "gemm/int8 avx512vnni"},
		{fakeStack{[]string{"runtime.memmove", m + "engine.copyWindows[...]", m + "engine.im2colPadded[...]", m + "engine.(*convStep).runChunk"}, fp32}, shareIm2col, ""},
		{fakeStack{[]string{m + "engine.quantizeU8Asm", m + "engine.(*convStep).finish", m + "engine.(*convStep).runChunk", m + "engine.(*convStep).run"}, int4}, shareGEMM, ""},
		{fakeStack{[]string{m + "engine.(*convStep).finish", m + "engine.(*convStep).runDepthwise", m + "engine.(*convStep).run"}, int4}, shareDepthwise, ""},
		{fakeStack{[]string{m + "kernels.dwF16AVX512", m + "kernels.(*DepthwiseF16).runRows", m + "kernels.(*dwJob).RunTask"}, nil}, shareDepthwise, "dw/fp16 avx512"},
		{fakeStack{[]string{m + "kernels.f32ToF16AVX512", m + "kernels.F32ToF16", m + "engine.(*convertStep).run"}, fp32}, shareConversion, ""},
		{fakeStack{[]string{m + "engine.store", m + "engine.(*convStep).finish"}, fp32}, shareConversion, ""},
		{fakeStack{[]string{m + "engine.(*addStep).run", m + "engine.(*Model).runBatch"}, fp32}, shareOtherOp, ""},
		{fakeStack{[]string{"runtime.futex", "runtime.findRunnable", "runtime.schedule"}, nil}, shareRuntime, ""},
		{fakeStack{[]string{"runtime.mallocgc", m + "kernels.(*GEMMQ).pack", m + "kernels.PackGEMMQ", m + "engine.Compile"}, int4}, shareOther, ""},
		{fakeStack{[]string{m + "onnx.decode", m + "graph.Load"}, nil}, shareOther, ""},
	}
	for _, c := range cases {
		p := fakeProfile([]fakeStack{c.stack})
		kind, family := classifyStack(p.Sample[0], variants)
		if kind != c.kind || family != c.family {
			t.Errorf("%s: %s %q, want %s %q", c.stack.frames[0], kind, family, c.kind, c.family)
		}
	}

	// The shares of a model hold its labelled samples; with one model
	// they also hold the rest, and then sum to the profile.
	var stacks []fakeStack
	for _, c := range cases {
		stacks = append(stacks, c.stack)
	}
	a, err := attribute(fakeProfile(stacks), variants)
	if err != nil {
		t.Fatal(err)
	}
	if want := float64(len(cases)) * 0.01; math.Abs(a.Total-want) > 1e-9 {
		t.Errorf("total %v s, want %v", a.Total, want)
	}
	sum := func(ss []results.Share) (sec float64) {
		for _, s := range ss {
			sec += s.Seconds
		}
		return sec
	}
	labelled := 0
	for _, c := range cases {
		if c.stack.labels != nil {
			labelled++
		}
	}
	if got := sum(a.modelShares("resnet20", false)); math.Abs(got-float64(labelled)*0.01) > 1e-9 {
		t.Errorf("resnet20 among several models: %v s, want %v", got, float64(labelled)*0.01)
	}
	if got := sum(a.modelShares("resnet20", true)); math.Abs(got-a.Total) > 1e-9 {
		t.Errorf("resnet20 alone: %v s, want the whole %v", got, a.Total)
	}

	if _, err := attribute(&profile.Profile{SampleType: []*profile.ValueType{{Type: "alloc_space", Unit: "bytes"}}}, nil); err == nil {
		t.Error("a heap profile was attributed as CPU time")
	}
}

// The profile file appears only when the profiler stops, complete; a
// missing directory is an error before anything runs.
func TestCPUProfileFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cpu.pprof")
	p, err := startCPUProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the profile exists before the profiler stopped")
	}
	deadline := time.Now().Add(50 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.stop(); err != nil { // the deferred second stop
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := profile.Parse(f); err != nil {
		t.Errorf("%s: %v", path, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if _, err := startCPUProfile(filepath.Join(dir, "missing", "cpu.pprof")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("profile into a missing directory: %v", err)
	}
	if p, err := startCPUProfile(""); p != nil || err != nil || p.stop() != nil {
		t.Errorf("no path: %v, %v", p, err)
	}
	_ = x
}
