package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/roofline"
)

// fixture writes a results dir with two rounds of every kind of run of
// this host (the second round's first kernel 30% slower) and returns it.
// Runs are built as the commands build them (results.New, SetPayload), with
// enough samples per timed point for Save.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	probe, err := os.ReadFile("testdata/roofline.json")
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for round := range 2 {
		at := base.Add(time.Duration(round) * time.Hour)
		save(t, dir, rooflineRun(t, at, probe))

		slow := 1.0
		if round == 1 {
			slow = 1.3
		}
		for _, batch := range []int{1, 64} {
			save(t, dir, kernelsRun(t, at.Add(time.Minute), batch, slow))
		}
		save(t, dir, benchRun(t, at.Add(90*time.Second), 64))
		for _, m := range []struct {
			name   string
			layers int
		}{{"resnet20", 20}, {"mobilenetv2", 53}} {
			for _, obj := range []string{"throughput", "ai"} {
				save(t, dir, searchRun(t, at.Add(2*time.Minute), m.name, obj, m.layers))
			}
			for _, cfg := range []string{"fp32", "int8", "aiq-throughput"} {
				save(t, dir, evalRun(t, at.Add(3*time.Minute), m.name, cfg, 91, 1000+float64(len(cfg))))
			}
		}
	}
	return dir
}

func save(t *testing.T, dir string, r *results.Run) {
	t.Helper()
	if _, err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
}

// samples are n values around v, the same in every run: a fixture's runs
// differ only where a test makes them.
func samples(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v * (1 + 0.004*float64(i-n/2))
	}
	return out
}

func rooflineRun(t *testing.T, at time.Time, probe []byte) *results.Run {
	t.Helper()
	var pr roofline.Result
	if err := json.Unmarshal(probe, &pr); err != nil {
		t.Fatal(err)
	}
	p := &results.Roofline{Probe: probe}
	for _, f := range kernels.Formats {
		p.Peaks = append(p.Peaks, results.Point{Name: f.String(), Metric: results.Metric{Unit: "GOP/s", Values: samples(pr.PeakGOPS[f], 5)}})
	}
	for _, l := range roofline.Levels {
		p.Bandwidth = append(p.Bandwidth, results.Point{Name: strings.ToLower(string(l)) + "/triad",
			Metric: results.Metric{Unit: "GB/s", Values: samples(pr.BandwidthGBs[l].Triad, 5)}})
	}
	r := results.New(results.KindRoofline)
	r.Time, r.Threads = at, pr.Threads
	if err := r.SetPayload(p); err != nil {
		t.Fatal(err)
	}
	return r
}

func kernelsRun(t *testing.T, at time.Time, batch int, slow float64) *results.Run {
	t.Helper()
	p := &results.Kernels{}
	for i, f := range []string{"fp32", "fp16", "int8", "int4"} {
		for j, n := range []int{16, 32, 64} {
			m, k := batch*64, 9*n
			ops := 2 * float64(m*n*k)
			sec := ops / float64(20*(i+1)*(j+1)) / 1e9
			if i == 0 && j == 0 {
				sec *= slow
			}
			s := samples(sec, 10)
			gops := make([]float64, len(s))
			for x, v := range s {
				gops[x] = ops / v / 1e9
			}
			p.Kernels = append(p.Kernels, results.Kernel{
				Name:   fmt.Sprintf("resnet20/conv%d/%s/batch=%d/threads=1", n, f, batch),
				Family: "gemm", Format: f, Variant: "avx512", Shape: map[string]int{"M": m, "N": n, "K": k},
				Ops: ops, Bytes: float64(4 * (m*k + k*n + m*n) / (i + 1)), Level: "L2",
				Metrics: []results.Metric{{Unit: "sec/op", Values: s}, {Unit: "GOP/s", Values: gops}},
			})
		}
	}
	r := results.New(results.KindKernels)
	r.Time, r.Batch, r.Threads = at, batch, 1
	if err := r.SetPayload(p); err != nil {
		t.Fatal(err)
	}
	return r
}

// fixtureShares is the attribution of the fixture's bench runs.
var fixtureShares = []results.Share{
	{Kind: "gemm", Family: "gemm/int8 avx512vnni", Seconds: 1.10, Share: 0.55},
	{Kind: "depthwise", Family: "dwconv/int8 avx512vnni", Seconds: 0.40, Share: 0.20},
	{Kind: "im2col", Seconds: 0.20, Share: 0.10},
	{Kind: "conversion", Seconds: 0.10, Share: 0.05},
	{Kind: "other-op", Seconds: 0.10, Share: 0.05},
	{Kind: "runtime", Seconds: 0.06, Share: 0.03},
}

func benchRun(t *testing.T, at time.Time, batch int) *results.Run {
	t.Helper()
	p := &results.Bench{}
	for _, model := range []string{"resnet20", "mobilenetv2"} {
		bm := results.BenchModel{Model: model, Attribution: fixtureShares}
		for i, f := range []string{"fp32", "fp16", "int8", "int4"} {
			for j := range 3 {
				ops := float64(batch) * 1e6 * float64(j+1)
				exec := f
				if f == "int4" && j == 0 {
					exec = "int8"
				}
				bm.Layers = append(bm.Layers, results.BenchLayer{
					Name: fmt.Sprintf("/net/conv%d/Conv", j), Format: f, Exec: exec, Kind: "gemm", Ops: ops, Bytes: ops / float64(4*(i+1)),
					Metrics: []results.Metric{{Unit: "sec/op", Values: samples(ops/float64(50e9*(i+1)), 7)}},
				})
			}
			bm.Passes = append(bm.Passes, results.Point{Name: f, Metric: results.Metric{Unit: "images/s", Values: samples(1000*float64(i+1), 7)}})
		}
		p.Models = append(p.Models, bm)
	}
	r := results.New(results.KindBench)
	r.Time, r.Batch, r.Threads = at, batch, 1
	if err := r.SetPayload(p); err != nil {
		t.Fatal(err)
	}
	return r
}

func evalRun(t *testing.T, at time.Time, model, config string, top1, ips float64) *results.Run {
	t.Helper()
	p := &results.Eval{Model: model, Config: config, Images: "cifar10-test.bin[5000:10000]", Count: 5000, Top1: top1,
		Metrics: []results.Point{{Name: "batch64", Metric: results.Metric{Unit: "images/s", Values: samples(ips, 5)}}}}
	r := results.New(results.KindEval)
	r.Time, r.Batch, r.Threads = at, 64, 1
	if err := r.SetPayload(p); err != nil {
		t.Fatal(err)
	}
	return r
}

func searchRun(t *testing.T, at time.Time, model, obj string, layers int) *results.Run {
	t.Helper()
	s := &results.Search{Model: model, Algorithm: "pareto", Objective: obj, Bound: 1, Images: "cifar10-test.bin[5000:10000]"}
	fmts := []string{"fp32", "fp16", "int8", "int4"}
	for i := range layers {
		name := fmt.Sprintf("/net/layer%d/Conv", i)
		s.Layers = append(s.Layers, results.Layer{Name: name, Params: int64(432 * (1 + i*i)), MACs: int64(100000 * (i + 1))})
		for j, f := range fmts[1:] {
			s.Sensitivity = append(s.Sensitivity, results.Sensitivity{Layer: name, Format: f, DeltaTop1: -0.05 * float64(j*j*(i%4))})
		}
	}
	for c := range 6 {
		var fs []string
		for i := range layers {
			fs = append(fs, fmts[(i+c)%4])
		}
		s.Front = append(s.Front, len(s.Candidates))
		s.Candidates = append(s.Candidates, results.Candidate{Formats: fs, Top1: 91.5 - 0.3*float64(c), Throughput: 1000 + 200*float64(c), AI: 10 + 5*float64(c)})
	}
	s.Chosen = 3
	r := results.New(results.KindSearch)
	r.Time, r.Batch, r.Threads = at, 64, 1
	if err := r.SetPayload(s); err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t *testing.T, d *Data) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReportHasEverySection(t *testing.T) {
	dir := fixture(t)
	host := results.DetectHost().ID
	d, err := Collect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Host.ID != host {
		t.Fatalf("host %q, want this host %q", d.Host.ID, host)
	}
	if d.Probe == nil || len(d.Kernels) != 2 || len(d.Searches) != 4 || len(d.Evals) != 6 || len(d.Benches) != 1 {
		t.Fatalf("collected probe %v, %d kernel runs, %d searches, %d evals, %d benches; want probe, 2, 4, 6, 1",
			d.Probe != nil, len(d.Kernels), len(d.Searches), len(d.Evals), len(d.Benches))
	}
	if len(d.Notes) != 0 {
		t.Errorf("notes on a complete dir: %q", d.Notes)
	}
	html := render(t, d)
	ids := ChartIDs(d)
	// roofline, 2 attributions, 2 fronts and 2 layer charts per model,
	// images/s and top-1 history per model, the 2 kernel points that stepped.
	if len(ids) != 1+2+4+4+4+2 {
		t.Errorf("chart ids %q: want 17", ids)
	}
	for _, id := range ids {
		if n := strings.Count(html, `<svg id="`+id+`"`); n != 1 {
			t.Errorf("chart %q appears %d times", id, n)
		}
	}
	for _, want := range []string{"Sensitivity", "% of roofline", "aiq-throughput", "REGRESSED", "/net/layer19/Conv", host,
		"History over commits", "Step changes", "CPU profile of the bench", "gemm: gemm/int8 avx512vnni"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://"} {
		s := strings.ReplaceAll(html, `xmlns="http://www.w3.org/2000/svg"`, "")
		if strings.Contains(s, bad) {
			t.Errorf("report is not self-contained: contains %q", bad)
		}
	}
	// The second round made the first kernel 30% slower at both batches.
	regs := 0
	for _, c := range d.Changes {
		if c.Old == nil {
			t.Errorf("%s: no previous run found", c.Key)
			continue
		}
		if c.Err != nil {
			t.Errorf("%s: %v", c.Key, c.Err)
			continue
		}
		for _, x := range c.Cmp.Regressions() {
			regs++
			if !strings.Contains(x.Name, "conv16/fp32") {
				t.Errorf("%s: unexpected regression %s %s", c.Key, x.Name, x.Unit)
			}
		}
	}
	if regs != 4 { // sec/op and GOP/s at batch 1 and 64
		t.Errorf("%d regressions, want 4", regs)
	}
	// The history marks the same slowdown as a step (sec/op only), once
	// per batch.
	if len(d.History.Steps) != 2 {
		t.Errorf("%d steps in the history, want 2", len(d.History.Steps))
	}
	for _, st := range d.History.Steps {
		if !strings.Contains(st.Series.Name, "conv16/fp32") || st.Better || st.At != 1 {
			t.Errorf("step %s at run %d (better %v), want conv16/fp32 worse at run 1", st.Series.ID, st.At, st.Better)
		}
	}
}

func TestReportOfNothing(t *testing.T) {
	for _, dir := range []string{filepath.Join(t.TempDir(), "absent"), t.TempDir()} {
		d, err := Collect(dir, "")
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		html := render(t, d)
		if len(ChartIDs(d)) != 0 {
			t.Errorf("charts without data: %q", ChartIDs(d))
		}
		for _, want := range []string{"no roofline run", "no kernels run", "no bench run", "no search run", "no eval run"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: report lacks the note %q", dir, want)
			}
		}
	}
}

func TestReportSkipsBrokenFiles(t *testing.T) {
	dir := fixture(t)
	host := results.DetectHost().ID
	bad := filepath.Join(dir, host, "20990101T000000.000Z-kernels.json")
	if err := os.WriteFile(bad, []byte(`{"schema":"aiq.result/v1","kind":"kernels"`), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Collect(dir, host)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Notes) != 1 || !strings.Contains(d.Notes[0], bad) {
		t.Errorf("notes %q: want one naming %s", d.Notes, bad)
	}
	if len(d.Kernels) != 2 {
		t.Errorf("%d kernel runs after a broken file, want 2", len(d.Kernels))
	}
}

func TestReportOtherHost(t *testing.T) {
	dir := fixture(t)
	d, err := Collect(dir, "amd64-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Kernels)+len(d.Searches)+len(d.Evals) != 0 || d.Probe != nil {
		t.Error("runs of another host shown")
	}
	if len(d.Notes) == 0 || !strings.Contains(d.Notes[0], "amd64-000000000000") {
		t.Errorf("notes %q: want one naming the host", d.Notes)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := fixture(t)
	d, err := Collect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.html")
	if err := WriteFile(out, d); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) || !bytes.HasSuffix(b, []byte("</html>\n")) {
		t.Error("report file incomplete")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir", "r.html"), d); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestAddSearchOutputs(t *testing.T) {
	dir := fixture(t)
	d, err := Collect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	var s *SearchRun
	for i := range d.Searches {
		if d.Searches[i].Model == "resnet20" && d.Searches[i].Objective == "throughput" {
			s = &d.Searches[i]
		}
	}
	if s == nil {
		t.Fatal("fixture has no resnet20 throughput search")
	}
	type layer struct {
		Chosen string `json:"chosen"`
	}
	write := func(sub string, chosen []string) {
		o := map[string]any{"model": "models/resnet20.onnx", "objective": "throughput",
			"baselines": []Baseline{{Format: "fp32", Top1Search: 91.4, ImagesPerS: 150, AI: 31}, {Format: "int8", Top1Search: 91.6, ImagesPerS: 600, AI: 126}}}
		var ls []layer
		for _, c := range chosen {
			ls = append(ls, layer{c})
		}
		o["layers"] = ls
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "work", sub)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "search.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Another search's output (other choice) must not attach.
	write("stale", make([]string, len(s.Layers)))
	d.AddSearchOutputs(filepath.Join(dir, "work"))
	if len(s.Baselines) != 0 {
		t.Fatalf("baselines of a search with other choices attached")
	}
	write("good", s.Candidates[s.Chosen].Formats)
	d.AddSearchOutputs(filepath.Join(dir, "work"))
	if len(s.Baselines) != 2 || !strings.HasSuffix(s.Output, filepath.Join("good", "search.json")) {
		t.Fatalf("baselines %+v from %q: want 2 from good/search.json", s.Baselines, s.Output)
	}
	html := render(t, d)
	if !strings.Contains(html, "uniform formats") || !strings.Contains(html, ">int8</text>") {
		t.Error("report lacks the uniform baselines")
	}
}
