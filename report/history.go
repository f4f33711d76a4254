package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"golang.org/x/perf/benchmath"

	"github.com/aiq-project/aiq/results"
)

// top1Slack keeps a change of exactly Top1Points (91.73 - 91.43) from
// being a step by floating-point error, as in aiq compare.
const top1Slack = 1e-9

// checkOptions rejects options no step could be decided with.
func checkOptions(o results.Options) error {
	if !(o.Alpha > 0 && o.Alpha < 1) {
		return fmt.Errorf("report: alpha %v outside (0, 1)", o.Alpha)
	}
	if !(o.Threshold >= 0) || math.IsInf(o.Threshold, 0) {
		return fmt.Errorf("report: threshold %v must be a number >= 0", o.Threshold)
	}
	if !(o.Top1Points >= 0) || math.IsInf(o.Top1Points, 0) {
		return fmt.Errorf("report: top-1 points %v must be a number >= 0", o.Top1Points)
	}
	return nil
}

// History is every tracked point of one host over its runs.
type History struct {
	// Options: the rules of aiq compare decide the steps.
	Options results.Options
	// Series in a stable order: model points first (by model), then kernel
	// and layer points, each by name.
	Series []*Series
	// Steps of all series, latest first.
	Steps []Step
}

// Series is one tracked point over the runs that measured it, oldest first.
type Series struct {
	ID    string // unique: kind, conditions, name and unit
	Name  string // the point as aiq compare names it, e.g. "bench/resnet20/e2e/int8" (a search's adds its objective)
	Unit  string
	Exact bool
	// Conditions are what the point is only comparable under: the run's
	// batch and threads ("batch 64, 1 thread(s)"), or for top-1 its images.
	Conditions string
	// Model is the model of an end-to-end point; "" for kernel and layer points.
	Model string
	// Label names the point within its model's summary chart, e.g. "bench int8".
	Label  string
	Points []HistPoint
	Steps  []Step
}

// HistPoint is one run's measurement of a point.
type HistPoint struct {
	Run    *results.Run
	Values []float64
	// Center is the median; Lo and Hi its confidence interval (the 95%
	// one, or the samples' range when too few samples give an infinite one).
	Center, Lo, Hi float64
	Confidence     float64
}

// Step is a significant change of a series between two consecutive runs;
// it began at the run Series.Points[At].
type Step struct {
	Series   *Series
	At       int
	From, To *results.Run
	// Change is relative ((new-old)/old) for measured points, in points
	// (new-old) for exact top-1.
	Change   float64
	Absolute bool
	P        float64 // the U test's p-value; 0 for exact points
	Better   bool
}

// ChangeString is the step's change as a table shows it.
func (s Step) ChangeString() string {
	if s.Absolute {
		return fmt.Sprintf("%+.2f points", s.Change)
	}
	return fmt.Sprintf("%+.1f%%", 100*s.Change)
}

// trackedPoint is one point of a run the history draws.
type trackedPoint struct {
	name, model, label string
	results.Metric
}

// conditions are what a point is comparable under besides its name and
// unit: top-1 only on the same images, times at the same batch and threads.
func (p trackedPoint) conditions(r *results.Run) string {
	switch {
	case results.IsAccuracy(p.Unit) && p.Images != "":
		return "on " + p.Images
	case results.IsAccuracy(p.Unit):
		return "on unnamed images"
	case r.Kind == results.KindRoofline:
		return fmt.Sprintf("%d thread(s)", r.Threads)
	}
	return fmt.Sprintf("batch %d, %d thread(s)", r.Batch, r.Threads)
}

// trackedPoints lists the points of a run the history follows: kernel and
// layer times (sec/op), end-to-end images/s and top-1 per model and
// precision, and the roofline's compute peaks. Rates that only restate a
// time (GOP/s, GB/s of the same samples) and bandwidths, which drift with
// the host, are left to the tables.
func trackedPoints(r *results.Run) ([]trackedPoint, error) {
	var out []trackedPoint
	add := func(name, model, label string, m results.Metric) {
		out = append(out, trackedPoint{name: r.Kind + "/" + name, model: model, label: label, Metric: m})
	}
	switch r.Kind {
	case results.KindRoofline:
		var p results.Roofline
		if err := r.DecodePayload(&p); err != nil {
			return nil, err
		}
		for _, c := range p.Peaks {
			add("peak/"+c.Name, "", "", c.Metric)
		}
	case results.KindKernels:
		var p results.Kernels
		if err := r.DecodePayload(&p); err != nil {
			return nil, err
		}
		for _, k := range p.Kernels {
			for _, m := range k.Metrics {
				if m.Unit == "sec/op" {
					add(k.Name, "", "", m)
				}
			}
		}
	case results.KindBench:
		var p results.Bench
		if err := r.DecodePayload(&p); err != nil {
			return nil, err
		}
		for _, bm := range p.Models {
			for _, l := range bm.Layers {
				for _, m := range l.Metrics {
					if m.Unit == "sec/op" {
						add(bm.Model+"/"+strings.TrimPrefix(l.Name, "/")+"/"+l.Format, "", "", m)
					}
				}
			}
			for _, e := range bm.Passes {
				add(bm.Model+"/e2e/"+e.Name, bm.Model, "bench "+e.Name, e.Metric)
			}
		}
	case results.KindEval:
		var p results.Eval
		if err := r.DecodePayload(&p); err != nil {
			return nil, err
		}
		base := p.Model + "/" + p.Config
		add(base, p.Model, "eval "+p.Config,
			results.Metric{Unit: results.UnitTop1, Values: []float64{p.Top1}, Exact: true, Images: p.Images})
		for _, m := range p.Metrics {
			if m.Unit == "images/s" {
				add(base+"/"+m.Name, p.Model, "eval "+p.Config+" "+m.Name, m.Metric)
			}
		}
	case results.KindSearch:
		var p results.Search
		if err := r.DecodePayload(&p); err != nil {
			return nil, err
		}
		// Searches of one model differ by objective; the point names of
		// the payload do not say it, so the history's do.
		base := p.Model + "/" + p.Objective
		if p.Chosen >= 0 && p.Chosen < len(p.Candidates) {
			add(base+"/chosen", p.Model, "search "+p.Objective+" chosen",
				results.Metric{Unit: results.UnitTop1, Values: []float64{p.Candidates[p.Chosen].Top1}, Exact: true, Images: p.Images})
		}
		for _, m := range p.Metrics {
			if m.Unit == "images/s" {
				add(base+"/"+m.Name, p.Model, "search "+p.Objective+" "+m.Name, m.Metric)
			}
		}
	}
	return out, nil
}

// BuildHistory follows every tracked point through runs (one host's, any
// order) and marks its steps. Runs whose payload does not decode are
// returned as errors naming them; the rest still count.
func BuildHistory(runs []*results.Run, o results.Options) (*History, []error) {
	h := &History{Options: o}
	if err := checkOptions(o); err != nil {
		return h, []error{err}
	}
	sorted := append([]*results.Run(nil), runs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	byID := map[string]*Series{}
	var errs []error
	for _, r := range sorted {
		pts, err := trackedPoints(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("history skips %s: %w", r.Path, err))
			continue
		}
		for _, p := range pts {
			if len(p.Values) == 0 || !allFinite(p.Values) {
				errs = append(errs, fmt.Errorf("history skips %s in %s: no or non-finite values", p.name, r.Path))
				continue
			}
			cond := p.conditions(r)
			id := p.name + " (" + p.Unit + ") " + cond
			s := byID[id]
			if s == nil {
				s = &Series{ID: id, Name: p.name, Unit: p.Unit, Exact: p.Exact, Conditions: cond, Model: p.model, Label: p.label}
				byID[id] = s
				h.Series = append(h.Series, s)
			}
			if n := len(s.Points); n > 0 && s.Points[n-1].Run == r {
				errs = append(errs, fmt.Errorf("history skips %s in %s: the point appears twice", p.name, r.Path))
				continue
			}
			s.Exact = s.Exact && p.Exact
			s.Points = append(s.Points, histPoint(r, p.Values))
		}
	}
	sort.SliceStable(h.Series, func(i, j int) bool {
		a, b := h.Series[i], h.Series[j]
		if (a.Model == "") != (b.Model == "") {
			return a.Model != ""
		}
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		return a.ID < b.ID
	})
	for _, s := range h.Series {
		s.Steps = steps(s, o)
		h.Steps = append(h.Steps, s.Steps...)
	}
	sort.SliceStable(h.Steps, func(i, j int) bool {
		a, b := h.Steps[i], h.Steps[j]
		if !a.To.Time.Equal(b.To.Time) {
			return a.To.Time.After(b.To.Time)
		}
		return a.Series.ID < b.Series.ID
	})
	return h, errs
}

func allFinite(v []float64) bool {
	for _, x := range v {
		if !ok(x) {
			return false
		}
	}
	return true
}

func histPoint(r *results.Run, values []float64) HistPoint {
	v := append([]float64(nil), values...) // NewSample sorts in place
	s := benchmath.AssumeNothing.Summary(benchmath.NewSample(v, &benchmath.DefaultThresholds), 0.95)
	p := HistPoint{Run: r, Values: v, Center: s.Center, Lo: s.Lo, Hi: s.Hi, Confidence: s.Confidence}
	if !ok(p.Lo) || !ok(p.Hi) {
		// Under 6 samples the 95% interval of a median is unbounded; the
		// samples' range is the widest finite one (93.75% with 5 samples).
		p.Lo, p.Hi = v[0], v[len(v)-1]
		p.Confidence = 1 - math.Pow(0.5, float64(len(v)-1))
	}
	return p
}

// steps compares each run of s with the one before it.
func steps(s *Series, o results.Options) []Step {
	var out []Step
	dir := results.Better(s.Unit)
	for i := 1; i < len(s.Points); i++ {
		a, b := s.Points[i-1], s.Points[i]
		st := Step{Series: s, At: i, From: a.Run, To: b.Run}
		if s.Exact {
			if !results.IsAccuracy(s.Unit) {
				continue // deterministic and not accuracy: nothing to track
			}
			st.Change, st.Absolute = b.Center-a.Center, true
			if !(math.Abs(st.Change) > o.Top1Points+top1Slack) {
				continue
			}
		} else {
			// Thin points of older runs are too few to decide, as in aiq compare.
			if a.Center == 0 || len(a.Values) < results.MinSamples || len(b.Values) < results.MinSamples {
				continue
			}
			th := &benchmath.Thresholds{CompareAlpha: o.Alpha}
			c := benchmath.AssumeNothing.Compare(benchmath.NewSample(append([]float64(nil), a.Values...), th),
				benchmath.NewSample(append([]float64(nil), b.Values...), th))
			st.P = c.P
			st.Change = (b.Center - a.Center) / math.Abs(a.Center)
			if !(c.P < o.Alpha) || !(math.Abs(st.Change) > o.Threshold) {
				continue
			}
		}
		st.Better = float64(dir)*st.Change > 0
		out = append(out, st)
	}
	return out
}

// ModelNames lists the models with end-to-end points, sorted.
func (h *History) ModelNames() []string {
	var out []string
	for _, s := range h.Series {
		if s.Model != "" && (len(out) == 0 || out[len(out)-1] != s.Model) {
			out = append(out, s.Model)
		}
	}
	return out
}

// modelSeries are a model's series of one unit group: "images/s" or "top1".
func (h *History) modelSeries(model, unit string) []*Series {
	var out []*Series
	for _, s := range h.Series {
		if s.Model == model && s.Unit == unit {
			out = append(out, s)
		}
	}
	return out
}

// maxStepCharts bounds the charts of single points: the steps table lists
// every step, charted or not.
const maxStepCharts = 12

// stepCharts are the kernel and layer series charted on their own: those
// with a step, the latest step first, regressions before improvements.
func (h *History) stepCharts() []*Series {
	var out []*Series
	seen := map[*Series]bool{}
	for _, pass := range []bool{false, true} { // worse steps, then better
		for _, st := range h.Steps {
			s := st.Series
			if s.Model != "" || seen[s] || st.Better != pass {
				continue
			}
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) > maxStepCharts {
		out = out[:maxStepCharts]
	}
	return out
}

// shortLabel is the chart legend's name of a series.
func (s *Series) shortLabel() string {
	if s.Label != "" {
		return s.Label
	}
	return strings.TrimPrefix(s.Name, strings.SplitN(s.Name, "/", 2)[0]+"/")
}
