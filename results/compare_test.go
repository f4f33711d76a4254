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
		{Name: "acc", Metric: Metric{Unit: "top1", Values: []float64{91.7}, Exact: true, Images: "test[0:10000]"}},
		pt("gone", "sec/op", ten(1)),
	}
	new := []Point{
		pt("rate-down", "GB/s", ten(80)), pt("rate-up", "images/s", ten(150)),
		pt("time-small", "sec/op", ten(1.03)), pt("same", "sec/op", ten(1)),
		pt("odd", "widgets", ten(2)), pt("few", "sec/op", []float64{2, 2.01}),
		{Name: "acc", Metric: Metric{Unit: UnitTop1, Values: []float64{85}, Exact: true, Images: "test[0:10000]"}},
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
		r.SetPayload(&Roofline{Peaks: []Point{{Name: "fp32", Metric: Metric{Unit: "GFLOP/s", Values: []float64{gflops, gflops, gflops, gflops, gflops}}}}})
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
	if len(pts) != 1 || pts[0].Name != "roofline/peak/fp32" || pts[0].Values[0] != 110 || len(pts[0].Values) != 5 {
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

func top1(name, images string, v float64) Point {
	return Point{Name: name, Metric: Metric{Unit: UnitTop1, Values: []float64{v}, Exact: true, Images: images}}
}

func TestCompareAccuracy(t *testing.T) {
	const holdout, all = "cifar10-test.bin[5000:10000]", "cifar10-test.bin[0:10000]"
	legacy := top1("legacy", holdout, 91.7)
	legacy.Unit = "top1"
	cases := []struct {
		name     string
		old, new Point
		o        Options
		want     Verdict
	}{
		{"drop 0.5", top1("a", holdout, 91.7), top1("a", holdout, 91.2), DefaultOptions, Regressed},
		{"drop 0.2", top1("a", holdout, 91.7), top1("a", holdout, 91.5), DefaultOptions, Worse},
		{"gain 0.2", top1("a", holdout, 91.7), top1("a", holdout, 91.9), DefaultOptions, Improved},
		{"equal", top1("a", holdout, 91.7), top1("a", holdout, 91.7), DefaultOptions, Same},
		// 91.73 - 91.43 is 0.30000000000001137 in floating point.
		{"drop of exactly the bound", top1("a", holdout, 91.73), top1("a", holdout, 91.43), DefaultOptions, Worse},
		// Absolute, whatever the relative change: 0.5 of 91.7 is 0.55%,
		// far within the 5% threshold of timed points; 0.2 of 1.0 is 20%.
		{"small relative, large absolute", top1("a", all, 91.7), top1("a", all, 91.2), Options{Threshold: 0.5, Top1Points: 0.3}, Regressed},
		{"large relative, small absolute", top1("a", all, 1.0), top1("a", all, 0.8), DefaultOptions, Worse},
		{"wider bound", top1("a", holdout, 91.7), top1("a", holdout, 91.2), Options{Threshold: 0.05, Top1Points: 1}, Worse},
		{"other images", top1("a", holdout, 91.7), top1("a", all, 90), DefaultOptions, Incomparable},
		{"images unrecorded", top1("a", "", 91.7), top1("a", holdout, 90), DefaultOptions, Incomparable},
		{"legacy unit top1", legacy, top1("legacy", holdout, 91.1), DefaultOptions, Regressed},
	}
	for _, c := range cases {
		cmp, err := Compare([]Point{c.old}, []Point{c.new}, c.o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(cmp.Deltas) != 1 {
			t.Fatalf("%s: %d deltas, only old %v, only new %v", c.name, len(cmp.Deltas), cmp.OnlyOld, cmp.OnlyNew)
		}
		d := cmp.Deltas[0]
		if d.Verdict != c.want {
			t.Errorf("%s: %v -> %v: verdict %q, want %q (notes %q)", c.name, c.old.Values, c.new.Values, d.Verdict, c.want, d.Notes)
		}
		if d.Unit != UnitTop1 {
			t.Errorf("%s: unit %q, want %q", c.name, d.Unit, UnitTop1)
		}
		if want := c.new.Values[0] - c.old.Values[0]; math.Abs(d.Points-want) > 1e-9 {
			t.Errorf("%s: %v points, want %v", c.name, d.Points, want)
		}
	}

	// The table names a regressed accuracy point in points, with its images.
	cmp, err := Compare([]Point{top1("resnet20/int8", holdout, 91.7)}, []Point{top1("resnet20/int8", holdout, 91.2)}, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	cmp.WriteTable(&b)
	if want := "REGRESSION: resnet20/int8 (top1%) -0.50 points on " + holdout; !strings.Contains(b.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, b.String())
	}
	// Different images say why they were not judged.
	cmp, _ = Compare([]Point{top1("m", holdout, 91.7)}, []Point{top1("m", all, 80)}, DefaultOptions)
	b.Reset()
	cmp.WriteTable(&b)
	if !strings.Contains(b.String(), "incomparable") || !strings.Contains(b.String(), all) || len(cmp.Regressions()) != 0 {
		t.Errorf("different images:\n%s", b.String())
	}
	if _, err := Compare(nil, nil, Options{Top1Points: -1}); err == nil {
		t.Error("negative top-1 points accepted")
	}
}

// samplesAround draws n samples around center with relative Gaussian noise.
func samplesAround(rng *rand.Rand, center, noise float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = center * (1 + noise*rng.NormFloat64())
	}
	return v
}

// TestCompareThroughputWobble: with MinSamples samples a side and 1% noise,
// a 2% throughput drop is not a regression at the default threshold (the
// test alone often finds it); a 10% drop always is.
func TestCompareThroughputWobble(t *testing.T) {
	const trials = 200
	flagged := func(drop float64, o Options) (n int) {
		rng := rand.New(rand.NewPCG(7, uint64(1000*drop)))
		for trial := 0; trial < trials; trial++ {
			old := Point{Name: "resnet20/e2e/int8", Metric: Metric{Unit: "images/s", Values: samplesAround(rng, 3900, 0.01, MinSamples)}}
			new := Point{Name: "resnet20/e2e/int8", Metric: Metric{Unit: "images/s", Values: samplesAround(rng, 3900*(1-drop), 0.01, MinSamples)}}
			c, err := Compare([]Point{old}, []Point{new}, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Regressions()) > 0 {
				n++
			}
		}
		return n
	}
	if n := flagged(0.02, DefaultOptions); n > 0 {
		t.Errorf("a 2%% wobble was flagged in %d of %d trials", n, trials)
	}
	n0 := flagged(0.02, Options{Threshold: 0})
	t.Logf("2%% drop, 1%% noise, %d samples a side: flagged by the U test alone in %d of %d trials", MinSamples, n0, trials)
	if n := n0; n < trials/4 {
		t.Errorf("without a threshold the 2%% drop was flagged in only %d of %d trials: the threshold is not what keeps it quiet", n, trials)
	}
	if n := flagged(0.10, DefaultOptions); n != trials {
		t.Errorf("a 10%% drop was flagged in %d of %d trials", n, trials)
	}
}

func TestCompareTooFewSamples(t *testing.T) {
	pt := func(vals ...float64) Point { return Point{Name: "k", Metric: Metric{Unit: "sec/op", Values: vals}} }
	// Twice as slow, but an old run with 4 samples: shown, never judged.
	c, err := Compare([]Point{pt(1, 1.01, 0.99, 1.02)}, []Point{pt(2, 2.01, 1.99, 2.02, 1.98)}, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Deltas[0]; d.Verdict != TooFew || len(c.Regressions()) != 0 {
		t.Errorf("4 old samples: verdict %q, regressions %d", d.Verdict, len(c.Regressions()))
	}
	var b strings.Builder
	c.WriteTable(&b)
	if !strings.Contains(b.String(), "too few samples") {
		t.Errorf("table does not say too few samples:\n%s", b.String())
	}
	// With 5 a side the same slowdown regresses.
	c, err = Compare([]Point{pt(1, 1.01, 0.99, 1.02, 0.98)}, []Point{pt(2, 2.01, 1.99, 2.02, 1.98)}, DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Deltas[0]; d.Verdict != Regressed {
		t.Errorf("5 samples a side, twice as slow: verdict %q (p %.3g, notes %q)", d.Verdict, d.P, d.Notes)
	}
	b.Reset()
	c.WriteTable(&b)
	t.Logf("5 samples a side:\n%s", b.String())
	if strings.Contains(b.String(), "∞") {
		t.Errorf("5 samples print an infinite interval:\n%s", b.String())
	}
}
