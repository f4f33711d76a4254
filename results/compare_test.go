package results

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchFile writes Go benchmark text with n samples of each benchmark:
// ns/op drawn around base[i]*scale[i] with relative noise from noise, and
// the matching GFLOP/s, the way `go test -bench -count n` prints them.
func benchFile(t testing.TB, path string, rng *rand.Rand, base, scale []float64, n int, noise func(*rand.Rand) float64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\npkg: github.com/aiq-project/aiq/kernels\ncpu: test\n")
	for s := 0; s < n; s++ {
		for i := range base {
			ns := base[i] * scale[i] * (1 + noise(rng))
			flops := 2e6 * float64(i+1)
			fmt.Fprintf(&b, "BenchmarkGEMM/shape%d-2\t%d\t%.1f ns/op\t%.2f GFLOP/s\n", i, 1000, ns, flops/ns)
		}
	}
	b.WriteString("PASS\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gauss2(r *rand.Rand) float64 { return 0.02 * r.NormFloat64() }

// benchLike is 2% Gaussian noise plus, one sample in ten, a 5-25% slow
// outlier (an interrupt, another tenant), as real benchmark runs show.
func benchLike(r *rand.Rand) float64 {
	x := 0.02 * r.NormFloat64()
	if r.IntN(10) == 0 {
		x += 0.05 + 0.2*r.Float64()
	}
	return x
}

const benchmarksPerFile = 8

func bases(rng *rand.Rand) []float64 {
	b := make([]float64, benchmarksPerFile)
	for i := range b {
		b[i] = 1e3 * math.Exp(rng.Float64()*8) // 1 us .. 3 ms
	}
	return b
}

func ones() []float64 {
	s := make([]float64, benchmarksPerFile)
	for i := range s {
		s[i] = 1
	}
	return s
}

func TestCompareFlagsSlowdown(t *testing.T) {
	dir := t.TempDir()
	missed := 0
	const trials = 100
	for trial := 0; trial < trials; trial++ {
		rng := rand.New(rand.NewPCG(1, uint64(trial)))
		base := bases(rng)
		slow := ones()
		victim := trial % benchmarksPerFile
		slow[victim] = 1.2
		oldPath, newPath := filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
		benchFile(t, oldPath, rng, base, ones(), 10, gauss2)
		benchFile(t, newPath, rng, base, slow, 10, gauss2)
		c, err := CompareArgs(oldPath, newPath, DefaultOptions)
		if err != nil {
			t.Fatal(err)
		}
		// benchfmt drops the "Benchmark" prefix, as benchstat does.
		want := fmt.Sprintf("GEMM/shape%d-2", victim)
		regs := c.Regressions()
		if len(regs) == 0 {
			missed++
			continue
		}
		units := map[string]bool{}
		for _, d := range regs {
			if d.Name != want {
				t.Errorf("trial %d: %s (%s) flagged, only %s was slowed", trial, d.Name, d.Unit, want)
			}
			units[d.Unit] = true
		}
		// Slower is worse in both directions of unit: sec/op up, GFLOP/s down.
		if !units["sec/op"] || !units["GFLOP/s"] {
			t.Errorf("trial %d: %s flagged in units %v, want sec/op and GFLOP/s", trial, want, units)
		}
		if trial == 0 {
			var b strings.Builder
			c.WriteTable(&b)
			if !strings.Contains(b.String(), "REGRESSION: "+want) {
				t.Errorf("table does not name %s:\n%s", want, b.String())
			}
			t.Logf("20%% slowdown of one of %d benchmarks:\n%s", benchmarksPerFile, b.String())
		}
	}
	if missed > 0 {
		t.Errorf("a 20%% slowdown was missed in %d of %d trials", missed, trials)
	}
}

// falseAlarms counts the trials, of files drawn from one distribution, in
// which any point is flagged as regressed.
func falseAlarms(t testing.TB, seed uint64, trials int, noise func(*rand.Rand) float64, o Options) int {
	dir := t.TempDir()
	n := 0
	for trial := 0; trial < trials; trial++ {
		rng := rand.New(rand.NewPCG(seed, uint64(trial)))
		base := bases(rng)
		oldPath, newPath := filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
		benchFile(t, oldPath, rng, base, ones(), 10, noise)
		benchFile(t, newPath, rng, base, ones(), 10, noise)
		c, err := CompareArgs(oldPath, newPath, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Regressions()) > 0 {
			n++
		}
	}
	return n
}

func TestCompareNoFalseAlarm(t *testing.T) {
	const trials = 100
	got := falseAlarms(t, 2, trials, gauss2, DefaultOptions)
	t.Logf("2%% Gaussian noise, %d benchmarks x 2 units per file: %d of %d trials flagged", benchmarksPerFile, got, trials)
	if got > 5 {
		t.Errorf("%d of %d same-distribution trials flagged a regression, want at most 5", got, trials)
	}
	if testing.Short() {
		return
	}
	// The threshold is what keeps the family-wise rate low: the U test
	// alone at alpha 0.05 over 8 benchmarks (16 points, two units each
	// moving together, only the worse side counting) alarms in about
	// 1-0.975^8 = 18% of the trials (measured: 174 of 1000).
	noThreshold := falseAlarms(t, 3, trials, gauss2, Options{Threshold: 0})
	t.Logf("same, without the threshold (U test alone): %d of %d", noThreshold, trials)
	if noThreshold <= got {
		t.Errorf("without a threshold %d false alarms, with %d: the threshold should matter", noThreshold, got)
	}
	heavy := falseAlarms(t, 4, trials, benchLike, DefaultOptions)
	t.Logf("2%% Gaussian plus 10%% outliers of +5..25%%: %d of %d", heavy, trials)
	if heavy > 5 {
		t.Errorf("with outliers %d of %d trials flagged, want at most 5", heavy, trials)
	}
}

func TestCompareVerdicts(t *testing.T) {
	ten := func(v float64) []float64 {
		out := make([]float64, 10)
		for i := range out {
			out[i] = v * (1 + 0.001*float64(i))
		}
		return out
	}
	pt := func(name, unit string, vals []float64) Point {
		return Point{Name: name, Metric: Metric{Unit: unit, Values: vals}}
	}
	old := []Point{
		pt("rate-down", "GB/s", ten(100)), pt("rate-up", "images/s", ten(100)),
		pt("time-small", "sec/op", ten(1)), pt("same", "sec/op", ten(1)),
		pt("odd", "widgets", ten(1)), pt("few", "sec/op", []float64{1, 1.01}),
		{Name: "acc", Metric: Metric{Unit: "top1", Values: []float64{91.7}, Exact: true}},
		pt("gone", "sec/op", ten(1)),
	}
	new := []Point{
		pt("rate-down", "GB/s", ten(80)), pt("rate-up", "images/s", ten(150)),
		pt("time-small", "sec/op", ten(1.03)), pt("same", "sec/op", ten(1)),
		pt("odd", "widgets", ten(2)), pt("few", "sec/op", []float64{2, 2.01}),
		{Name: "acc", Metric: Metric{Unit: "top1", Values: []float64{85}, Exact: true}},
		pt("added", "sec/op", ten(1)),
	}
	c, err := Compare(old, new, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Verdict{"rate-down": Regressed, "rate-up": Improved, "time-small": Worse, "same": Same,
		"odd": Changed, "few": TooFew, "acc": Regressed}
	for _, d := range c.Deltas {
		if d.Verdict != want[d.Name] {
			t.Errorf("%s: verdict %q, want %q (change %+.3f, p %.3g)", d.Name, d.Verdict, want[d.Name], d.Change, d.P)
		}
	}
	if len(c.Deltas) != len(want) || len(c.OnlyOld) != 1 || len(c.OnlyNew) != 1 {
		t.Errorf("deltas %d, only old %v, only new %v", len(c.Deltas), c.OnlyOld, c.OnlyNew)
	}
	if _, err := Compare(old, new, Options{Threshold: -1}); err == nil {
		t.Error("negative threshold accepted")
	}
	if _, err := Compare([]Point{pt("x", "s", nil)}, new, DefaultOptions); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("empty point: %v", err)
	}
}

func TestReadPointsErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("BenchmarkX 10 notanumber ns/op\n"), 0o644)
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("hello\n"), 0o644)
	for _, p := range []string{bad, empty, filepath.Join(dir, "missing.txt")} {
		if _, err := ReadPoints(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := CompareArgs(empty, bad, DefaultOptions); err == nil || !strings.HasPrefix(err.Error(), "old:") {
		t.Errorf("old side error not labelled: %v", err)
	}
}

func TestReadPointsDirectory(t *testing.T) {
	dir := t.TempDir()
	mk := func(at int, gflops float64, host string) {
		r := New(KindRoofline)
		r.Time = r.Time.Add(time.Duration(at-100) * time.Minute)
		if host != "" {
			r.Host.ID = host
		}
		r.SetPayload(&Roofline{Peaks: []Point{{Name: "fp32", Metric: Metric{Unit: "GFLOP/s", Values: []float64{gflops}}}}})
		if _, err := r.Save(dir); err != nil {
			t.Fatal(err)
		}
	}
	mk(1, 100, "")
	mk(2, 110, "")
	host := DetectHost().ID
	pts, err := ReadPoints(filepath.Join(dir, host))
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 1 || pts[0].Name != "roofline/peak/fp32" || pts[0].Values[0] != 110 {
		t.Errorf("directory points %+v, want only the latest run's fp32 peak 110", pts)
	}
	mk(3, 120, "other")
	if _, err := ReadPoints(dir); err == nil || !strings.Contains(err.Error(), "several hosts") {
		t.Errorf("mixed hosts: %v", err)
	}
}

// FuzzReadBench: any input gives points or an error, never a panic, and
// every point it returns is valid for Compare.
func FuzzReadBench(f *testing.F) {
	f.Add("BenchmarkX-2\t10\t100 ns/op\t5 MB/s\n")
	f.Add("pkg: a\nBenchmarkX 1 1 ns/op\npkg: b\nBenchmarkX 1 2 ns/op\n")
	f.Add("BenchmarkX 10 notanumber ns/op\n")
	f.Fuzz(func(t *testing.T, s string) {
		pts, err := ReadBench(strings.NewReader(s), "fuzz")
		if err != nil {
			return
		}
		if _, err := Compare(pts, pts, DefaultOptions); err != nil {
			t.Errorf("points of %q do not compare: %v", s, err)
		}
	})
}
