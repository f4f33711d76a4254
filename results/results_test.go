package results

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func kernelsRun(t *testing.T, at time.Time) *Run {
	t.Helper()
	r := New(KindKernels)
	r.Time = at
	r.Threads, r.Batch = 1, 64
	r.Protocol["images"] = "none"
	err := r.SetPayload(&Kernels{Kernels: []Kernel{{
		Name: "gemm/fp32/4096x64x576", Family: "gemm", Format: "fp32", Variant: "avx512",
		Shape: map[string]int{"M": 4096, "N": 64, "K": 576}, Ops: 2 * 4096 * 64 * 576, Bytes: 4 * (4096*576 + 576*64 + 4096*64),
		Metrics: []Metric{{Unit: "sec/op", Values: []float64{1e-3, 1.1e-3, 0.9e-3, 1e-3, 1.05e-3}}, {Unit: "GFLOP/s", Values: []float64{300, 280, 320, 300, 290}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRoundTripEveryKind(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 26, 6, 0, 0, 123e6, time.UTC)
	payloads := map[string]any{
		KindRoofline: &Roofline{
			Bandwidth: []Point{{Name: "dram/triad", Metric: Metric{Unit: "GB/s", Values: []float64{20, 21, 22, 21, 20}}}},
			Peaks:     []Point{{Name: "fp32", Metric: Metric{Unit: "GFLOP/s", Values: []float64{117, 116, 117, 118, 116}}}},
			Probe:     json.RawMessage(`{"threads":2}`),
		},
		KindKernels: nil,
		KindEval: &Eval{Model: "resnet20", Config: "fp32", Images: "cifar10-test.bin[5000:10000]", Count: 5000, Top1: 91.9,
			Metrics: []Point{{Name: "batch64", Metric: Metric{Unit: "images/s", Values: []float64{1300, 1320, 1310, 1305, 1290}}}}},
		KindSearch: &Search{Model: "mobilenetv2", Algorithm: "greedy", Objective: "throughput", Bound: 1, Images: "cifar10-test.bin[5000:10000]",
			Layers:     []Layer{{Name: "conv0", Params: 864, MACs: 884736}},
			Candidates: []Candidate{{Formats: []string{"fp32"}, Top1: 93.3, Throughput: 500, AI: 8}, {Formats: []string{"int8"}, Top1: 93.2, Throughput: 1500, AI: 32}},
			Front:      []int{0, 1}, Chosen: 1,
			Sensitivity: []Sensitivity{{Layer: "conv0", Format: "int4", DeltaTop1: -0.4}}},
		KindBench: benchPayload(),
	}
	for _, kind := range Kinds() {
		var r *Run
		if kind == KindKernels {
			r = kernelsRun(t, at)
		} else {
			r = New(kind)
			r.Time = at
			r.Threads, r.Batch = 2, 64
			r.Protocol["search"] = "test[0:5000]"
			if err := r.SetPayload(payloads[kind]); err != nil {
				t.Fatal(err)
			}
		}
		path, err := r.Save(dir)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		want := filepath.Join(dir, r.Host.ID, "20261126T060000.123Z-"+kind+".json")
		if path != want {
			t.Errorf("%s saved as %s, want %s", kind, path, want)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("%s: round trip differs:\n got %+v\nwant %+v", kind, got, r)
		}
		p := payloadFor(kind)
		if err := got.DecodePayload(p); err != nil {
			t.Fatal(err)
		}
		if kind != KindKernels && !reflect.DeepEqual(p, payloads[kind]) {
			t.Errorf("%s payload differs:\n got %+v\nwant %+v", kind, p, payloads[kind])
		}
		pts, err := got.Points()
		if err != nil || len(pts) == 0 {
			t.Fatalf("%s: points %v, %v", kind, pts, err)
		}
		for _, pt := range pts {
			if !strings.HasPrefix(pt.Name, kind+"/") {
				t.Errorf("%s: point %q lacks the kind prefix", kind, pt.Name)
			}
		}
	}
	// The schema string is in every file.
	b, err := os.ReadFile(filepath.Join(dir, New(KindEval).Host.ID, "20261126T060000.123Z-eval.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"schema": "aiq.result/v1"`) {
		t.Errorf("file lacks the schema: %.200s", b)
	}
}

func TestSetPayloadKind(t *testing.T) {
	r := New(KindEval)
	if err := r.SetPayload(&Search{}); err == nil || !strings.Contains(err.Error(), "*results.Search") {
		t.Errorf("search payload on an eval run: %v", err)
	}
	if err := r.SetPayload(Eval{Model: "m"}); err != nil {
		t.Errorf("eval payload by value: %v", err)
	}
	if err := New("bogus").SetPayload(&Eval{}); err != nil {
		t.Errorf("SetPayload on an unknown kind (Save rejects it): %v", err)
	}
	if _, err := New("bogus").Save(t.TempDir()); err == nil || !strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("saving an unknown kind: %v", err)
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	good := kernelsRun(t, time.Now().UTC())
	enc := func(mut func(m map[string]any)) string {
		b, _ := json.Marshal(good)
		var m map[string]any
		json.Unmarshal(b, &m)
		mut(m)
		b, _ = json.Marshal(m)
		p := filepath.Join(dir, "x.json")
		os.WriteFile(p, b, 0o644)
		return p
	}
	cases := map[string]func(m map[string]any){
		"aiq.result/v2": func(m map[string]any) { m["schema"] = "aiq.result/v2" },
		"not an aiq":    func(m map[string]any) { delete(m, "schema") },
		"unknown kind":  func(m map[string]any) { m["kind"] = "bogus" },
		"no host id":    func(m map[string]any) { m["host"] = map[string]any{} },
		"has no values": func(m map[string]any) {
			m["payload"] = json.RawMessage(`{"kernels":[{"name":"k","metrics":[{"unit":"sec/op"}]}]}`)
		},
		"decoding": func(m map[string]any) { m["payload"] = []int{1} },
		"appears twice": func(m map[string]any) {
			m["payload"] = json.RawMessage(`{"kernels":[{"name":"k","metrics":[{"unit":"s","values":[1]},{"unit":"s","values":[2]}]}]}`)
		},
		"negative threa": func(m map[string]any) { m["threads"] = -1 },
	}
	for want, mut := range cases {
		p := enc(mut)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: got %v", want, err)
		}
	}
	p := filepath.Join(dir, "trunc.json")
	os.WriteFile(p, []byte(`{"schema": "aiq.res`), 0o644)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("truncated: %v", err)
	}
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return names
}

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := kernelsRun(t, at)
	p1, err := r.Save(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Same time and kind again: a new name, the first file untouched.
	before, _ := os.ReadFile(p1)
	r2 := kernelsRun(t, at)
	r2.Summary = "second"
	p2, err := r2.Save(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p1 == p2 || !strings.HasSuffix(p2, "-kernels-2.json") {
		t.Errorf("second save %s, first %s", p2, p1)
	}
	after, _ := os.ReadFile(p1)
	if string(before) != string(after) {
		t.Error("second save changed the first file")
	}
	if got := entries(t, dir); len(got) != 2 {
		t.Errorf("files after two saves: %v", got)
	}

	// A writer that fails half way leaves nothing, not even a temp file.
	empty := t.TempDir()
	boom := errors.New("disk full")
	_, err = writeNew(empty, "x", ".json", func(w io.Writer) error {
		w.Write([]byte(`{"schema": "aiq.res`))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("failing writer: %v", err)
	}
	if got := entries(t, empty); len(got) != 0 {
		t.Errorf("failing writer left %v", got)
	}
	// A run that cannot be encoded leaves nothing either.
	bad := kernelsRun(t, at)
	bad.Payload = json.RawMessage(`{"kernels": [`)
	if _, err := bad.Save(empty); err == nil {
		t.Error("saving an unencodable run succeeded")
	}
	bad = kernelsRun(t, at)
	bad.Protocol["x"] = "y"
	bad.Host.ID = "../escape"
	if _, err := bad.Save(empty); err == nil {
		t.Error("saving with host id ../escape succeeded")
	}
	if got := entries(t, empty); len(got) != 0 {
		t.Errorf("failed saves left %v", got)
	}
	// A directory that cannot be created is an error naming it.
	file := filepath.Join(empty, "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := r.Save(file); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("save under a file: %v", err)
	}
}

func TestListPrevious(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	save := func(kind string, at time.Time, host string) *Run {
		var r *Run
		if kind == KindKernels {
			r = kernelsRun(t, at)
		} else {
			r = New(kind)
			r.Time = at
			r.SetPayload(&Eval{Model: "m", Config: "fp32", Images: "all", Top1: 90})
		}
		if host != "" {
			r.Host.ID = host
		}
		if _, err := r.Save(dir); err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Saved out of order, on two hosts.
	save(KindKernels, t0.Add(3*time.Hour), "")
	save(KindEval, t0.Add(1*time.Hour), "")
	save(KindKernels, t0.Add(1*time.Hour), "")
	save(KindKernels, t0.Add(2*time.Hour), "other-host")
	save(KindKernels, t0, "")
	// Junk that List must skip: a temp file and a hidden directory.
	host := DetectHost().ID
	os.WriteFile(filepath.Join(dir, host, ".x.json-123.tmp"), []byte("{"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, ".git", "a.json"), []byte("{"), 0o644)

	runs, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs {
		got = append(got, r.Time.Sub(t0).String()+" "+r.Kind)
	}
	want := []string{"0s kernels", "1h0m0s eval", "1h0m0s kernels", "2h0m0s kernels", "3h0m0s kernels"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("List order %v, want %v", got, want)
	}
	prev, err := Previous(dir, host, KindKernels, t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !prev.Time.Equal(t0.Add(time.Hour)) || prev.Host.ID != host {
		t.Errorf("Previous = %v on %s, want 1h on %s (not the other host's 2h)", prev.Time.Sub(t0), prev.Host.ID, host)
	}
	if _, err := Previous(dir, host, KindKernels, t0); !errors.Is(err, ErrNoPrevious) {
		t.Errorf("Previous before the first run: %v", err)
	}
	if _, err := Previous(dir, host, KindSearch, t0.Add(time.Hour*10)); !errors.Is(err, ErrNoPrevious) {
		t.Errorf("Previous of a kind never run: %v", err)
	}
	// A broken result file is an error naming it.
	broken := filepath.Join(dir, host, "broken.json")
	os.WriteFile(broken, []byte("{"), 0o644)
	if _, err := List(dir); err == nil || !strings.Contains(err.Error(), broken) {
		t.Errorf("List with a broken file: %v", err)
	}
}

func TestHostID(t *testing.T) {
	a, b := DetectHost(), DetectHost()
	if a.ID != b.ID || a.ID == "" {
		t.Fatalf("host id not stable: %q %q", a.ID, b.ID)
	}
	if !strings.HasPrefix(a.ID, a.Arch+"-") || len(a.ID) != len(a.Arch)+1+12 {
		t.Errorf("host id %q: want <arch>-<12 hex>", a.ID)
	}
	h := Host{CPU: "Xeon", Arch: "amd64", Features: []string{"avx2", "fma3"}, Caches: Caches{32 << 10, 1 << 20, 32 << 20}, Physical: 1, Logical: 2}
	id := h.fingerprint()
	// Fixed input, fixed id: the hash must not change between releases,
	// or every committed baseline is orphaned.
	if want := "amd64-d10b2b529f8d"; id != want {
		t.Errorf("fingerprint of a fixed host %s, want %s", id, want)
	}
	h2 := h
	h2.Features = []string{"fma3", "avx2"}
	h2.OS, h2.Kernel, h2.GoVersion, h2.ISA = "darwin", "6.1", "go9", "generic"
	if h2.fingerprint() != id {
		t.Error("feature order, OS, kernel, Go version or ISA changed the host id")
	}
	for name, mut := range map[string]func(*Host){
		"cpu":      func(h *Host) { h.CPU = "Epyc" },
		"features": func(h *Host) { h.Features = []string{"avx2"} },
		"l2":       func(h *Host) { h.Caches.L2 = 2 << 20 },
		"cores":    func(h *Host) { h.Logical = 4 },
		"arch":     func(h *Host) { h.Arch = "arm64" },
	} {
		h3 := h
		mut(&h3)
		if h3.fingerprint() == id {
			t.Errorf("changing %s kept the host id", name)
		}
	}
}

func TestPreviousWithoutDirectory(t *testing.T) {
	_, err := Previous(filepath.Join(t.TempDir(), "none"), "h", KindEval, time.Now())
	if !errors.Is(err, ErrNoPrevious) {
		t.Errorf("Previous on a missing directory: %v", err)
	}
}

func TestVersion(t *testing.T) {
	if got := (Version{Commit: "0123456789abcdef", Dirty: true}).Short(); got != "0123456789ab+" {
		t.Errorf("Short = %q", got)
	}
	if got := (Version{}).Short(); got != "?" {
		t.Errorf("unknown Short = %q", got)
	}
	// The binary's stamp wins.
	bi := &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.0.0-20261126080000-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.modified", Value: "true"}}}
	want := Version{Commit: "0123456789abcdef0123456789abcdef01234567", Dirty: true, Source: "buildinfo", Module: bi.Main.Version}
	if got := detectVersion(bi, "/nonexistent"); got != want {
		t.Errorf("from build info %+v, want %+v", got, want)
	}
	// No stamp and no source tree (-trimpath): unknown, not the cwd's git.
	if got := detectVersion(&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, ""); got != (Version{Module: "(devel)"}) {
		t.Errorf("no stamp, no source tree: %+v", got)
	}
}

// gitRepo makes a repository with one commit in a new directory and
// returns the directory and the commit.
func gitRepo(t *testing.T) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git:", err)
	}
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "other"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = gitEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	cmd := exec.Command("git", "rev-parse", "HEAD")
	cmd.Dir = dir
	cmd.Env = gitEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return dir, strings.TrimSpace(string(out))
}

// TestVersionNotFromWorkingDirectory: a test binary carries no VCS stamp,
// so DetectVersion asks git, and it must ask this module's tree, not the
// repository the process happens to run in.
func TestVersionNotFromWorkingDirectory(t *testing.T) {
	other, otherCommit := gitRepo(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "rev-parse", "--show-toplevel", "HEAD")
	cmd.Dir = root
	cmd.Env = gitEnv()
	out, err := cmd.Output()
	lines := strings.Fields(string(out))
	if err != nil || len(lines) != 2 || !sameDir(lines[0], root) {
		t.Skipf("the module is not the top of a git checkout (%v): nothing to detect", err)
	}
	ours := lines[1]

	t.Chdir(other)
	v := DetectVersion()
	if v.Commit == otherCommit {
		t.Fatalf("DetectVersion run in %s recorded that repository's commit %s", other, otherCommit)
	}
	if v.Commit != ours || v.Source != "git" {
		t.Errorf("DetectVersion = %+v, want commit %s from git", v, ours)
	}
	// A tree inside another repository is not a checkout of its own.
	sub := filepath.Join(other, "sub")
	os.MkdirAll(sub, 0o755)
	if got := gitVersion(sub); got != (Version{}) {
		t.Errorf("gitVersion of a subdirectory of another repository = %+v, want unknown", got)
	}
	if got := gitVersion(other); got.Commit != otherCommit {
		t.Errorf("gitVersion of a checkout's top = %+v, want %s", got, otherCommit)
	}
}

func benchPayload() *Bench {
	five := func(v float64) []float64 { return []float64{v, v * 1.01, v * 0.99, v * 1.02, v * 0.98} }
	return &Bench{Models: []BenchModel{{
		Model: "resnet20",
		Layers: []BenchLayer{
			{Name: "/conv1/Conv", Format: "int8", Exec: "int8", Kind: "gemm", Ops: 2e6, Bytes: 3e4,
				Metrics: []Metric{{Unit: "sec/op", Values: five(1e-5)}, {Unit: "GOP/s", Values: five(200)}}},
			{Name: "/conv1/Conv", Format: "int4", Exec: "int8", Kind: "gemm", Ops: 2e6, Bytes: 2e4,
				Metrics: []Metric{{Unit: "sec/op", Values: five(1.1e-5)}}},
		},
		Passes:      []Point{{Name: "int8", Metric: Metric{Unit: "images/s", Values: five(3900)}}},
		Attribution: []Share{{Kind: "gemm", Family: "gemm/int8 avx512vnni", Seconds: 1.5, Share: 0.75}, {Kind: "other", Seconds: 0.5, Share: 0.25}},
	}}}
}

func TestBenchSamples(t *testing.T) {
	r := New(KindBench)
	r.Batch, r.Threads = 64, 1
	if err := r.SetPayload(benchPayload()); err != nil {
		t.Fatal(err)
	}
	pts, err := r.Points()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pts {
		got = append(got, p.Name+" "+p.Unit)
	}
	want := []string{"bench/resnet20/conv1/Conv/int8 sec/op", "bench/resnet20/conv1/Conv/int8 GOP/s",
		"bench/resnet20/conv1/Conv/int4 sec/op", "bench/resnet20/e2e/int8 images/s"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bench points %q, want %q", got, want)
	}
	k, err := r.Key()
	if err != nil || k != "bench resnet20 batch=64 threads=1" {
		t.Errorf("bench key %q, %v", k, err)
	}
	if err := r.SetPayload(&Eval{}); err == nil {
		t.Error("eval payload accepted on a bench run")
	}
}

func TestSaveRequiresSamples(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	thin := func() *Run {
		r := New(KindRoofline)
		r.Time = at
		r.SetPayload(&Roofline{Peaks: []Point{{Name: "int8", Metric: Metric{Unit: "GOP/s", Values: []float64{700, 710, 705, 702}}}}})
		return r
	}
	if _, err := thin().Save(dir); err == nil || !strings.Contains(err.Error(), `"roofline/peak/int8"`) || !strings.Contains(err.Error(), "4 samples") {
		t.Errorf("saving a point with 4 samples: %v", err)
	}
	noImages := New(KindEval)
	noImages.SetPayload(&Eval{Model: "resnet20", Config: "int8", Top1: 91.7})
	if _, err := noImages.Save(dir); err == nil || !strings.Contains(err.Error(), `"eval/resnet20/int8"`) || !strings.Contains(err.Error(), "images") {
		t.Errorf("saving top-1 without images: %v", err)
	}
	fraction := New(KindEval)
	fraction.SetPayload(&Eval{Model: "resnet20", Config: "int8", Images: "test[0:100]", Top1: 917})
	if _, err := fraction.Save(dir); err == nil || !strings.Contains(err.Error(), "percent") {
		t.Errorf("saving top-1 of 917: %v", err)
	}
	// Exact points need one value.
	exact := New(KindEval)
	exact.SetPayload(&Eval{Model: "resnet20", Config: "int8", Images: "test[0:100]", Top1: 91})
	if _, err := exact.Save(dir); err != nil {
		t.Errorf("saving an exact top-1: %v", err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("files after one good save: %v", got)
	}

	// A run saved before the rule still loads and compares, as too few.
	old := thin()
	b, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	oldPath := filepath.Join(dir, "old.json")
	os.WriteFile(oldPath, b, 0o644)
	if _, err := Load(oldPath); err != nil {
		t.Fatalf("loading a run with 4 samples: %v", err)
	}
	new := thin()
	new.Time = at.Add(time.Hour)
	new.SetPayload(&Roofline{Peaks: []Point{{Name: "int8", Metric: Metric{Unit: "GOP/s", Values: []float64{300, 310, 305, 302, 301}}}}})
	newPath, err := new.Save(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := CompareArgs(oldPath, newPath, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Deltas) != 1 || c.Deltas[0].Verdict != TooFew || len(c.Regressions()) != 0 {
		t.Errorf("old run with 4 samples against 5: %+v", c.Deltas)
	}
}
