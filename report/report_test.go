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

	"github.com/aiq-project/aiq/results"
)

// fixture writes a results dir with two rounds of every kind of run of
// this host (the second round's first kernel 30% slower) and returns it.
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
		rr, err := FromRoofline(probe, "testdata/roofline.json")
		if err != nil {
			t.Fatal(err)
		}
		rr.Time = at
		save(t, dir, rr)

		slow := 1.0
		if round == 1 {
			slow = 1.3
		}
		for _, batch := range []int{1, 64} {
			save(t, dir, kernelsRun(t, at.Add(time.Minute), batch, slow))
		}
		for _, m := range []struct {
			name   string
			layers int
		}{{"resnet20", 20}, {"mobilenetv2", 53}} {
			for _, obj := range []string{"throughput", "ai"} {
				save(t, dir, searchRun(t, at.Add(2*time.Minute), m.name, obj, m.layers))
			}
			for _, cfg := range []string{"fp32", "int8", "aiq-throughput"} {
				raw := fmt.Sprintf(`{"model":"models/%s.onnx","data":"data/cifar10/cifar10-test.bin","precision":%q,"offset":5000,"n":5000,"top1":0.91,"images_per_s":%g,"batch":64,"threads":1}`,
					m.name, cfg, 1000.0+float64(len(cfg)))
				r, err := FromEval([]byte(raw), "eval.json", "")
				if err != nil {
					t.Fatal(err)
				}
				r.Time = at.Add(3 * time.Minute)
				save(t, dir, r)
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

func kernelsRun(t *testing.T, at time.Time, batch int, slow float64) *results.Run {
	t.Helper()
	type pt struct {
		Model  string  `json:"model"`
		Layer  string  `json:"layer"`
		Kernel string  `json:"kernel"`
		Format string  `json:"format"`
		M      int     `json:"m"`
		N      int     `json:"n"`
		K      int     `json:"k"`
		Ops    float64 `json:"ops"`
		Bytes  float64 `json:"bytes"`
		Level  string  `json:"level"`
	}
	type smp struct {
		Ns []float64 `json:"samples_ns_per_op"`
	}
	var b struct {
		Batch   int   `json:"batch"`
		Threads int   `json:"threads"`
		Points  []pt  `json:"points"`
		Samples []smp `json:"samples"`
	}
	b.Batch, b.Threads = batch, 1
	for i, f := range []string{"fp32", "fp16", "int8", "int4"} {
		for j, n := range []int{16, 32, 64} {
			m, k := batch*64, 9*n
			ops := 2 * float64(m*n*k)
			p := pt{Model: "resnet20", Layer: fmt.Sprintf("conv%d", n), Kernel: "gemm", Format: f, M: m, N: n, K: k,
				Ops: ops, Bytes: float64(4 * (m*k + k*n + m*n) / (i + 1)), Level: "L2"}
			ns := ops / float64(20*(i+1)*(j+1))
			if i == 0 && j == 0 {
				ns *= slow
			}
			s := smp{}
			for r := range 10 {
				s.Ns = append(s.Ns, ns*(1+0.002*float64(r%5)))
			}
			b.Points, b.Samples = append(b.Points, p), append(b.Samples, s)
		}
	}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	r, err := FromKernels(raw, "kernels.json")
	if err != nil {
		t.Fatal(err)
	}
	r.Time = at
	return r
}

func searchRun(t *testing.T, at time.Time, model, obj string, layers int) *results.Run {
	t.Helper()
	s := &results.Search{Model: model, Algorithm: "pareto", Objective: obj, Bound: 1}
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
	if d.Probe == nil || len(d.Kernels) != 2 || len(d.Searches) != 4 || len(d.Evals) != 6 {
		t.Fatalf("collected probe %v, %d kernel runs, %d searches, %d evals; want probe, 2, 4, 6",
			d.Probe != nil, len(d.Kernels), len(d.Searches), len(d.Evals))
	}
	if len(d.Notes) != 0 {
		t.Errorf("notes on a complete dir: %q", d.Notes)
	}
	html := render(t, d)
	ids := ChartIDs(d)
	if len(ids) != 1+4+4 {
		t.Errorf("chart ids %q: want roofline + 2 fronts and 2 layer charts per model", ids)
	}
	for _, id := range ids {
		if n := strings.Count(html, `<svg id="`+id+`"`); n != 1 {
			t.Errorf("chart %q appears %d times", id, n)
		}
	}
	for _, want := range []string{"Sensitivity", "% of roofline", "aiq-throughput", "REGRESSED", "/net/layer19/Conv", host} {
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
		for _, want := range []string{"no roofline run", "no kernels run", "no search run", "no eval run"} {
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

func TestFromBadInput(t *testing.T) {
	for name, fn := range map[string]func() error{
		"roofline junk":  func() error { _, err := FromRoofline([]byte("nope"), "r.json"); return err },
		"roofline empty": func() error { _, err := FromRoofline([]byte("{}"), "r.json"); return err },
		"kernels empty":  func() error { _, err := FromKernels([]byte(`{"points":[]}`), "k.json"); return err },
		"kernels unpaired": func() error {
			_, err := FromKernels([]byte(`{"points":[{"model":"m","ops":1,"bytes":1}],"samples":[]}`), "k.json")
			return err
		},
		"kernels zero sample": func() error {
			_, err := FromKernels([]byte(`{"points":[{"model":"m","ops":1,"bytes":1}],"samples":[{"samples_ns_per_op":[0]}]}`), "k.json")
			return err
		},
		"eval junk":     func() error { _, err := FromEval([]byte("[1]"), "e.json", ""); return err },
		"eval no model": func() error { _, err := FromEval([]byte(`{"precision":"fp32"}`), "e.json", ""); return err },
	} {
		err := fn()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), ".json") {
			t.Errorf("%s: error %q does not name the input", name, err)
		}
	}
}

func TestFromEvalNames(t *testing.T) {
	raw := `{"model":"models/resnet20.onnx","data":"d.bin","precision":"configs/resnet20-ai.json","offset":0,"n":10000,"top1":0.9,"top1_holdout":0.915,"images_per_s":1200,"batch":64,"threads":1}`
	r, err := FromEval([]byte(raw), "e.json", "")
	if err != nil {
		t.Fatal(err)
	}
	var e results.Eval
	if err := r.DecodePayload(&e); err != nil {
		t.Fatal(err)
	}
	if e.Model != "resnet20" || e.Config != "resnet20-ai" || e.Images != "test[5000:10000]" || e.Top1 != 91.5 || e.Count != 5000 {
		t.Errorf("eval payload %+v", e)
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

func TestFromRooflineSamples(t *testing.T) {
	raw, err := os.ReadFile("testdata/roofline.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := FromRoofline(raw, "testdata/roofline.json")
	if err != nil {
		t.Fatal(err)
	}
	pts, err := r.Points()
	if err != nil {
		t.Fatal(err)
	}
	var bw, peaks int
	for _, p := range pts {
		switch {
		case strings.HasPrefix(p.Name, "roofline/bandwidth/"):
			bw++
			if len(p.Values) < 2 {
				t.Errorf("%s: %d samples; a plateau of the sweep has several sizes", p.Name, len(p.Values))
			}
		case strings.HasPrefix(p.Name, "roofline/peak/"):
			peaks++
		}
	}
	if bw != 4*7 || peaks != 4 {
		t.Errorf("%d bandwidth points and %d peaks, want 28 and 4", bw, peaks)
	}
}

// A model-mode bench point whose format executes as another is stored with
// the format that executes and keeps the configured one in its name.
func TestFromKernelsModelMode(t *testing.T) {
	raw := `{"mode":"model","batch":1,"threads":1,"points":[
		{"model":"resnet20","layer":"/net/conv1/Conv","kernel":"gemm","format":"int4","exec":"int8","variant":"avx512vnni","m":1024,"n":16,"k":27,"ops":884736,"bytes":19888,"level":"L1"},
		{"model":"resnet20","layer":"/net/conv1/Conv","kernel":"gemm","format":"int8","exec":"int8","variant":"avx512vnni","m":1024,"n":16,"k":27,"ops":884736,"bytes":19888,"level":"L1"}],
		"samples":[{"samples_ns_per_op":[8000,8100,7900]},{"samples_ns_per_op":[8000,8050,7950]}]}`
	r, err := FromKernels([]byte(raw), "bench.json")
	if err != nil {
		t.Fatal(err)
	}
	var k results.Kernels
	if err := r.DecodePayload(&k); err != nil {
		t.Fatal(err)
	}
	if r.Protocol["bench"] != "model" || len(k.Kernels) != 2 {
		t.Fatalf("protocol %v, %d kernels", r.Protocol, len(k.Kernels))
	}
	int4, int8 := k.Kernels[0], k.Kernels[1]
	if int4.Name != "resnet20/net/conv1/Conv/int4/batch=1/threads=1" || int4.Format != "int8" || !strings.Contains(int4.Variant, "int4 runs as int8") {
		t.Errorf("int4 point stored as %q format %q variant %q", int4.Name, int4.Format, int4.Variant)
	}
	if int8.Format != "int8" || int8.Variant != "avx512vnni" {
		t.Errorf("int8 point stored as format %q variant %q", int8.Format, int8.Variant)
	}
	old, err := FromKernels([]byte(`{"batch":1,"threads":1,"points":[{"model":"m","layer":"l","format":"fp32","ops":1,"bytes":1}],"samples":[{"samples_ns_per_op":[1]}]}`), "k.json")
	if err != nil {
		t.Fatal(err)
	}
	if old.Protocol["bench"] != "kernels" {
		t.Errorf("a bench file without a mode is %q, want kernels", old.Protocol["bench"])
	}
}
