package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"
)

// Direction says which way a unit improves.
type Direction int

// The directions.
const (
	Unknown      Direction = 0
	HigherBetter Direction = 1
	LowerBetter  Direction = -1
)

// Better returns the direction of a unit: rates (".../s"), accuracy
// ("top1") and arithmetic intensity ("flop/byte") are better higher; costs
// per operation ("sec/op", "ns/op", "B/op", "allocs/op") and times lower.
func Better(unit string) Direction {
	u := strings.ToLower(unit)
	switch {
	case strings.HasSuffix(u, "/s"), u == "top1", strings.HasPrefix(u, "top1"), u == "accuracy",
		u == "flop/byte", u == "ops/byte", u == "ai", u == "x":
		return HigherBetter
	case strings.HasSuffix(u, "/op"), u == "sec", u == "s", u == "ms", u == "us", u == "ns":
		return LowerBetter
	}
	return Unknown
}

// Options configure Compare.
type Options struct {
	// Alpha is the significance level of the per-point test (0: 0.05).
	Alpha float64
	// Threshold is the smallest relative change of the median that counts
	// as a regression; 0.05 is 5%.
	Threshold float64
	// Top1Points is the largest drop of top-1 accuracy (UnitTop1), in
	// absolute points, that is not a regression; 0 flags any drop.
	Top1Points float64
}

// DefaultOptions are a U test at 0.05 and a 5% threshold for timed points,
// and 0.3 points for top-1. With 10 samples a side and 2% noise, the
// threshold keeps the false alarms of a file of several benchmarks rare,
// where the test alone fires once per 1/alpha. Top-1 on fixed images is
// exact, so no test is needed: a drop of 0.5 points regresses, 0.2 does
// not.
var DefaultOptions = Options{Alpha: 0.05, Threshold: 0.05, Top1Points: 0.3}

func (o *Options) defaults() error {
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if !(o.Alpha > 0 && o.Alpha < 1) {
		return fmt.Errorf("results: alpha %v outside (0, 1)", o.Alpha)
	}
	if !(o.Threshold >= 0) || math.IsInf(o.Threshold, 0) {
		return fmt.Errorf("results: threshold %v must be >= 0", o.Threshold)
	}
	if !(o.Top1Points >= 0) || math.IsInf(o.Top1Points, 0) {
		return fmt.Errorf("results: top-1 points %v must be >= 0", o.Top1Points)
	}
	return nil
}

// Verdict is the outcome for one point.
type Verdict string

// The verdicts.
const (
	Same      Verdict = "~"               // no significant difference
	Improved  Verdict = "improved"        // significantly better
	Worse     Verdict = "worse"           // significantly worse, within the threshold
	Regressed Verdict = "REGRESSED"       // significantly worse beyond the threshold
	Changed   Verdict = "changed"         // significant, but the unit has no direction
	TooFew    Verdict = "too few samples" // fewer than MinSamples a side, or too few for the test
	Different Verdict = "different"       // exact values differ but direction unknown
	// Incomparable: accuracy measured on different (or unnamed) images.
	Incomparable Verdict = "incomparable"
)

// Delta is the comparison of one point.
type Delta struct {
	Name, Unit string
	Old, New   benchmath.Summary
	NOld, NNew int
	Exact      bool
	// Change is (new-old)/old of the centers; P the test's p-value (0 for
	// exact points that differ, 1 when equal).
	Change float64
	P      float64
	// Points is new-old of the centers in absolute points, for accuracy
	// (UnitTop1), which is judged by it; Images are its images when both
	// sides name the same.
	Points  float64
	Images  string
	Verdict Verdict
	// Notes are the statistics' warnings.
	Notes []string
}

// Comparison is the outcome of Compare.
type Comparison struct {
	Options Options
	Deltas  []Delta
	// OnlyOld and OnlyNew name points (with unit) present on one side only.
	OnlyOld, OnlyNew []string
}

// Regressions are the points that regressed beyond the threshold.
func (c *Comparison) Regressions() []Delta {
	var out []Delta
	for _, d := range c.Deltas {
		if d.Verdict == Regressed {
			out = append(out, d)
		}
	}
	return out
}

// Compare matches the points of old and new by name and unit and decides
// each:
//   - timed points: a Mann-Whitney U test (benchmath.AssumeNothing) at Alpha
//     plus the Threshold on the relative change of the medians; with fewer
//     than MinSamples on a side the verdict is TooFew, never Regressed;
//   - accuracy (UnitTop1, or the legacy "top1"): a drop of more than
//     Top1Points absolute points regresses, whatever the relative change,
//     and only when both sides name the same Images (else Incomparable);
//   - other exact points: by value, with the Threshold.
//
// Duplicate name+unit within a side are pooled.
func Compare(old, new []Point, o Options) (*Comparison, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	type key struct{ name, unit string }
	pool := func(pts []Point) (map[key]*Point, []key, error) {
		m := map[key]*Point{}
		var order []key
		for _, p := range pts {
			if err := p.check(); err != nil {
				return nil, nil, fmt.Errorf("results: %w", err)
			}
			p = p.canonical()
			k := key{p.Name, p.Unit}
			if q, ok := m[k]; ok {
				q.Values = append(q.Values, p.Values...)
				q.Exact = q.Exact && p.Exact
				if q.Images != p.Images {
					q.Images = mixedImages
				}
				continue
			}
			cp := p
			cp.Values = append([]float64(nil), p.Values...)
			m[k] = &cp
			order = append(order, k)
		}
		return m, order, nil
	}
	om, oorder, err := pool(old)
	if err != nil {
		return nil, err
	}
	nm, norder, err := pool(new)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Options: o}
	th := &benchmath.Thresholds{CompareAlpha: o.Alpha}
	for _, k := range oorder {
		np, ok := nm[k]
		if !ok {
			c.OnlyOld = append(c.OnlyOld, k.name+" ("+k.unit+")")
			continue
		}
		c.Deltas = append(c.Deltas, compareOne(om[k], np, o, th))
	}
	for _, k := range norder {
		if _, ok := om[k]; !ok {
			c.OnlyNew = append(c.OnlyNew, k.name+" ("+k.unit+")")
		}
	}
	return c, nil
}

// mixedImages marks a pooled accuracy point whose parts name different
// images: it is comparable with nothing.
const mixedImages = "\x00mixed"

// summarize is the median with its confidence interval: 95%, or at 5
// samples (too few for 95%) min..max, which covers the median with 94%.
func summarize(s *benchmath.Sample) benchmath.Summary {
	if len(s.Values) == 5 {
		return benchmath.AssumeNothing.Summary(s, 0.9)
	}
	return benchmath.AssumeNothing.Summary(s, 0.95)
}

func compareOne(op, np *Point, o Options, th *benchmath.Thresholds) Delta {
	so := benchmath.NewSample(op.Values, th)
	sn := benchmath.NewSample(np.Values, th)
	d := Delta{Name: op.Name, Unit: op.Unit, NOld: len(op.Values), NNew: len(np.Values), Exact: op.Exact && np.Exact}
	if IsAccuracy(d.Unit) {
		compareAccuracy(&d, op, np, so, sn, o)
		return d
	}
	var significant bool
	if d.Exact {
		d.Old = benchmath.AssumeExact.Summary(so, 0.95)
		d.New = benchmath.AssumeExact.Summary(sn, 0.95)
		significant = d.Old.Center != d.New.Center
		d.P = 1
		if significant {
			d.P = 0
		}
		d.Notes = appendWarnings(d.Notes, d.Old.Warnings, d.New.Warnings)
	} else {
		d.Old = summarize(so)
		d.New = summarize(sn)
		cmp := benchmath.AssumeNothing.Compare(so, sn)
		d.P = cmp.P
		significant = cmp.P < o.Alpha
		d.Notes = appendWarnings(d.Notes, so.Warnings, sn.Warnings, cmp.Warnings)
		if !significant && len(cmp.Warnings) > 0 {
			d.Verdict = TooFew
		}
		// Runs saved before MinSamples may have fewer: shown, never judged.
		if d.NOld < MinSamples || d.NNew < MinSamples {
			significant = false
			d.Verdict = TooFew
			d.Notes = append(d.Notes, fmt.Sprintf("%d old and %d new samples, want at least %d a side", d.NOld, d.NNew, MinSamples))
		}
	}
	switch {
	case d.Old.Center != 0:
		d.Change = (d.New.Center - d.Old.Center) / math.Abs(d.Old.Center)
	case d.New.Center != 0:
		d.Change = math.Inf(int(math.Copysign(1, d.New.Center)))
	}
	if !significant {
		if d.Verdict == "" {
			d.Verdict = Same
		}
		return d
	}
	dir := Better(d.Unit)
	worse := float64(dir) * d.Change // negative when worse
	switch {
	case dir == Unknown && d.Exact:
		d.Verdict = Different
	case dir == Unknown:
		d.Verdict = Changed
	case worse > 0:
		d.Verdict = Improved
	case -worse > o.Threshold:
		d.Verdict = Regressed
	case worse < 0:
		d.Verdict = Worse
	default:
		d.Verdict = Same
	}
	return d
}

// top1Slack absorbs the rounding of differences of percentages, so a drop
// of exactly Top1Points (91.73 - 91.43) is not a regression.
const top1Slack = 1e-9

// compareAccuracy judges top-1 in absolute points on the same images.
func compareAccuracy(d *Delta, op, np *Point, so, sn *benchmath.Sample, o Options) {
	if d.Exact {
		d.Old, d.New = benchmath.AssumeExact.Summary(so, 0.95), benchmath.AssumeExact.Summary(sn, 0.95)
	} else {
		d.Old, d.New = summarize(so), summarize(sn)
	}
	d.Notes = appendWarnings(d.Notes, d.Old.Warnings, d.New.Warnings)
	d.Points = d.New.Center - d.Old.Center
	if d.Old.Center != 0 {
		d.Change = d.Points / math.Abs(d.Old.Center)
	}
	d.P = 1
	if d.Points != 0 {
		d.P = 0
	}
	switch {
	case op.Images == "" || np.Images == "":
		d.Verdict = Incomparable
		d.Notes = append(d.Notes, "images not recorded on both sides: top-1 compared only on the same images")
		return
	case op.Images == mixedImages || np.Images == mixedImages:
		d.Verdict = Incomparable
		d.Notes = append(d.Notes, "pooled from different images")
		return
	case op.Images != np.Images:
		d.Verdict = Incomparable
		d.Notes = append(d.Notes, fmt.Sprintf("old on %s, new on %s: top-1 compared only on the same images", op.Images, np.Images))
		return
	}
	d.Images = op.Images
	switch {
	case -d.Points > o.Top1Points+top1Slack:
		d.Verdict = Regressed
	case d.Points < 0:
		d.Verdict = Worse
	case d.Points > 0:
		d.Verdict = Improved
	default:
		d.Verdict = Same
	}
}

// ChangeString is the change as judged: absolute points for accuracy,
// percent of the old median otherwise.
func (d Delta) ChangeString() string {
	if IsAccuracy(d.Unit) {
		return fmt.Sprintf("%+.2f points", d.Points)
	}
	return fmt.Sprintf("%+.2f%%", 100*d.Change)
}

func appendWarnings(notes []string, ws ...[]error) []string {
	for _, w := range ws {
		for _, e := range w {
			s := e.Error()
			dup := false
			for _, n := range notes {
				dup = dup || n == s
			}
			if !dup {
				notes = append(notes, s)
			}
		}
	}
	return notes
}

// WriteTable prints a benchstat-like table: old and new median with the
// spread of their 95% confidence interval, the change, p-value and verdict.
func (c *Comparison) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "point\tunit\told\tnew\tdelta\tp\tverdict\n")
	var notes []string
	for _, d := range c.Deltas {
		sc := benchunit.CommonScale([]float64{d.Old.Center, d.New.Center}, benchunit.ClassOf(d.Unit))
		delta := "~"
		if d.Verdict != Same && d.Verdict != TooFew {
			delta = d.ChangeString()
		}
		p := fmt.Sprintf("%.3f", d.P)
		switch {
		case IsAccuracy(d.Unit):
			p = "abs"
		case d.Exact:
			p = "exact"
		}
		v := string(d.Verdict)
		for _, n := range d.Notes {
			notes = append(notes, d.Name+": "+n)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Name, d.Unit,
			summaryString(sc, d.Old, d.NOld, d.Exact), summaryString(sc, d.New, d.NNew, d.Exact), delta, p, v)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nMann-Whitney U test, alpha %.3g; regression threshold %.3g%% on the median (± its 95%% interval; min..max at %d samples).\n",
		c.Options.Alpha, 100*c.Options.Threshold, MinSamples)
	fmt.Fprintf(w, "Top-1 (%s): a drop of more than %.3g points on the same images regresses.\n", UnitTop1, c.Options.Top1Points)
	for _, n := range c.OnlyOld {
		fmt.Fprintf(w, "only in old: %s\n", n)
	}
	for _, n := range c.OnlyNew {
		fmt.Fprintf(w, "only in new: %s\n", n)
	}
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	regs := c.Regressions()
	for _, d := range regs {
		if IsAccuracy(d.Unit) {
			fmt.Fprintf(w, "REGRESSION: %s (%s) %s on %s\n", d.Name, d.Unit, d.ChangeString(), d.Images)
			continue
		}
		fmt.Fprintf(w, "REGRESSION: %s (%s) %s (p=%.3g)\n", d.Name, d.Unit, d.ChangeString(), d.P)
	}
	return nil
}

func summaryString(sc benchunit.Scaler, s benchmath.Summary, n int, exact bool) string {
	v := sc.Format(s.Center)
	if exact {
		return v
	}
	r := s.PctRangeString()
	return fmt.Sprintf("%s ± %s n=%d", v, r, n)
}

// ReadBench reads Go benchmark text (`go test -bench -count N`): every
// result line adds one sample to the point named by the benchmark and unit.
// Units come tidied (ns/op becomes sec/op).
func ReadBench(r io.Reader, name string) ([]Point, error) {
	type key struct{ pkg, bench, unit string }
	vals := map[key][]float64{}
	var order []key
	pkgsOf := map[string]map[string]bool{}
	br := benchfmt.NewReader(r, name)
	n := 0
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, fmt.Errorf("results: %w", rec)
		case *benchfmt.Result:
			n++
			pkg := rec.GetConfig("pkg")
			bench := rec.Name.String()
			file, line := rec.Pos()
			if bench == "" {
				return nil, fmt.Errorf("results: %s:%d: benchmark without a name", file, line)
			}
			if pkgsOf[bench] == nil {
				pkgsOf[bench] = map[string]bool{}
			}
			pkgsOf[bench][pkg] = true
			for _, v := range rec.Values {
				if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
					return nil, fmt.Errorf("results: %s:%d: %s: value %v %s", file, line, bench, v.Value, v.Unit)
				}
				k := key{pkg, bench, v.Unit}
				if _, ok := vals[k]; !ok {
					order = append(order, k)
				}
				vals[k] = append(vals[k], v.Value)
			}
		}
	}
	if err := br.Err(); err != nil {
		return nil, fmt.Errorf("results: reading %s: %w", name, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("results: %s: no benchmark results", name)
	}
	pts := make([]Point, 0, len(order))
	for _, k := range order {
		pname := k.bench
		// Only when two packages share a benchmark name does the
		// package go into the point's name.
		if len(pkgsOf[k.bench]) > 1 && k.pkg != "" {
			pname = path.Base(k.pkg) + "." + k.bench
		}
		pts = append(pts, Point{Name: pname, Metric: Metric{Unit: k.unit, Values: vals[k]}})
	}
	return pts, nil
}

// ReadPoints reads the points of one compare argument: a result file (.json),
// a Go benchmark text file (anything else), or a directory. In a directory
// the latest run of each Key counts (older runs are history), plus any
// benchmark text files (*.txt, *.bench); the runs must be of one host.
func ReadPoints(arg string) ([]Point, error) {
	st, err := os.Stat(arg)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	if !st.IsDir() {
		return readFilePoints(arg)
	}
	runs, err := List(arg)
	if err != nil {
		return nil, err
	}
	latest := map[string]*Run{}
	hosts := map[string]bool{}
	var keys []string
	for _, r := range runs { // oldest first, so the last one wins
		k, err := r.Key()
		if err != nil {
			return nil, fmt.Errorf("results: %s: %w", r.Path, err)
		}
		if latest[k] == nil {
			keys = append(keys, k)
		}
		latest[k] = r
		hosts[r.Host.ID] = true
	}
	sort.Strings(keys)
	perKind := map[string]int{}
	for _, k := range keys {
		perKind[latest[k].Kind]++
	}
	var pts []Point
	for _, k := range keys {
		p, err := latest[k].Points()
		if err != nil {
			return nil, err
		}
		// Runs of one kind but different keys (kernels at batch 1 and 64,
		// searches of two models) may name points alike: qualify by key.
		if perKind[latest[k].Kind] > 1 {
			for i := range p {
				p[i].Name = k + ": " + p[i].Name
			}
		}
		pts = append(pts, p...)
	}
	if len(hosts) > 1 {
		ids := make([]string, 0, len(hosts))
		for h := range hosts {
			ids = append(ids, h)
		}
		sort.Strings(ids)
		return nil, fmt.Errorf("results: %s holds runs of several hosts (%s); name one host's directory", arg, strings.Join(ids, ", "))
	}
	benchFiles, err := filepath.Glob(filepath.Join(arg, "*.txt"))
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	more, _ := filepath.Glob(filepath.Join(arg, "*.bench"))
	for _, f := range append(benchFiles, more...) {
		p, err := readFilePoints(f)
		if err != nil {
			return nil, err
		}
		pts = append(pts, p...)
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("results: %s: no results and no benchmark files", arg)
	}
	return pts, nil
}

func readFilePoints(name string) ([]Point, error) {
	if strings.HasSuffix(name, ".json") {
		r, err := Load(name)
		if err != nil {
			return nil, err
		}
		return r.Points()
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	return ReadBench(f, name)
}

// CompareArgs reads two compare arguments (see ReadPoints) and compares them.
func CompareArgs(oldArg, newArg string, o Options) (*Comparison, error) {
	old, err := ReadPoints(oldArg)
	if err != nil {
		return nil, fmt.Errorf("old: %w", err)
	}
	new, err := ReadPoints(newArg)
	if err != nil {
		return nil, fmt.Errorf("new: %w", err)
	}
	c, err := Compare(old, new, o)
	if err != nil {
		return nil, err
	}
	if len(c.Deltas) == 0 {
		return c, fmt.Errorf("results: %s and %s have no point in common: %w", oldArg, newArg, ErrNothingInCommon)
	}
	return c, nil
}

// ErrNothingInCommon means two compared sets share no point.
var ErrNothingInCommon = errors.New("nothing in common")
