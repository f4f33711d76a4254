// Package results records every aiq run (roofline probe, kernel bench, model
// bench, eval, search) as one versioned JSON file under DIR/<host-id>/,
// so runs can be compared across commits and machines.
//
// Samples. Every timed quantity keeps its repeated samples, because a
// regression is decided by a statistical test over them (see Compare), not
// by eye: Save rejects a run with a point that is not Exact and has fewer
// than MinSamples samples, naming the point. Runs saved before that rule
// still load; Compare gives their thin points the verdict TooFew, never
// Regressed.
//
// Accuracy. Top-1 is in UnitTop1 (percent), Exact, and names its images
// (Metric.Images); Save rejects a top-1 point without them. Compare judges
// it in absolute points, and only between points on the same images.
package results

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Schema is the version of the file format. Readers reject other major
// versions rather than misread them.
const Schema = "aiq.result/v1"

// The kinds of run.
const (
	KindRoofline = "roofline"
	KindKernels  = "kernels"
	KindEval     = "eval"
	KindSearch   = "search"
	KindBench    = "bench" // aiq bench --model: layers timed through the engine
)

// Kinds lists every kind of run.
func Kinds() []string { return []string{KindRoofline, KindKernels, KindEval, KindSearch, KindBench} }

// Run is the envelope common to every kind; Payload holds the kind's data
// (Roofline, Kernels, Eval, Search or Bench) as JSON.
type Run struct {
	Schema  string    `json:"schema"`
	Kind    string    `json:"kind"`
	Time    time.Time `json:"time"`
	Host    Host      `json:"host"`
	Version Version   `json:"version"`
	Threads int       `json:"threads"`
	Batch   int       `json:"batch"`
	// Protocol says which images were used for what, e.g.
	// "calibration": "cifar10-train-5k.bin[0:512]", "search": "test[0:5000]".
	Protocol map[string]string `json:"protocol,omitempty"`
	// Summary is one line for `aiq results list`.
	Summary string          `json:"summary,omitempty"`
	Payload json.RawMessage `json:"payload"`

	// Path is the file the run was loaded from or saved to.
	Path string `json:"-"`
}

// New starts a run of the given kind on this host at the current commit,
// now. Save rejects unknown kinds.
func New(kind string) *Run {
	return &Run{
		Schema:   Schema,
		Kind:     kind,
		Time:     time.Now().UTC().Truncate(time.Millisecond),
		Host:     DetectHost(),
		Version:  DetectVersion(),
		Protocol: map[string]string{},
	}
}

// SetPayload stores p (normally a *Roofline, *Kernels, *Eval, *Search or *Bench
// matching r.Kind) as the payload.
func (r *Run) SetPayload(p any) error {
	if want := payloadFor(r.Kind); want != nil {
		got := reflect.TypeOf(p)
		if got != nil && got.Kind() == reflect.Pointer {
			got = got.Elem()
		}
		if got != reflect.TypeOf(want).Elem() {
			return fmt.Errorf("results: payload %T for a %q run, want %T", p, r.Kind, want)
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("results: encoding %s payload: %w", r.Kind, err)
	}
	r.Payload = b
	return nil
}

// DecodePayload decodes the payload into v.
func (r *Run) DecodePayload(v any) error {
	if len(r.Payload) == 0 {
		return fmt.Errorf("results: %s: %s run has no payload", r.name(), r.Kind)
	}
	if err := json.Unmarshal(r.Payload, v); err != nil {
		return fmt.Errorf("results: %s: decoding %s payload: %w", r.name(), r.Kind, err)
	}
	return nil
}

// Points returns every benchmark-like point of the run, named
// "<kind>/<point>", for comparison.
func (r *Run) Points() ([]Point, error) {
	p := payloadFor(r.Kind)
	if p == nil {
		return nil, fmt.Errorf("results: %s: unknown kind %q", r.name(), r.Kind)
	}
	if err := r.DecodePayload(p); err != nil {
		return nil, err
	}
	pts := p.Samples()
	seen := make(map[string]bool, len(pts))
	out := make([]Point, 0, len(pts))
	for _, pt := range pts {
		pt = pt.canonical()
		pt.Name = r.Kind + "/" + pt.Name
		if err := pt.check(); err != nil {
			return nil, fmt.Errorf("results: %s: %w", r.name(), err)
		}
		k := pt.Name + " " + pt.Unit
		if seen[k] {
			return nil, fmt.Errorf("results: %s: point %q (%s) appears twice", r.name(), pt.Name, pt.Unit)
		}
		seen[k] = true
		out = append(out, pt)
	}
	return out, nil
}

// Validate checks the envelope and that the payload decodes as its kind.
func (r *Run) Validate() error {
	if r.Schema != Schema {
		if strings.HasPrefix(r.Schema, "aiq.result/") {
			return fmt.Errorf("results: %s: schema %q, this aiq reads %q", r.name(), r.Schema, Schema)
		}
		return fmt.Errorf("results: %s: not an aiq result (schema %q)", r.name(), r.Schema)
	}
	if payloadFor(r.Kind) == nil {
		return fmt.Errorf("results: %s: unknown kind %q (want one of %s)", r.name(), r.Kind, strings.Join(Kinds(), ", "))
	}
	if r.Time.IsZero() {
		return fmt.Errorf("results: %s: no time", r.name())
	}
	if r.Host.ID == "" {
		return fmt.Errorf("results: %s: no host id", r.name())
	}
	if r.Threads < 0 || r.Batch < 0 {
		return fmt.Errorf("results: %s: negative threads %d or batch %d", r.name(), r.Threads, r.Batch)
	}
	_, err := r.Points()
	return err
}

// MinSamples is the fewest samples a timed (not Exact) point may have in a
// run that is saved: with 5 a side, a Mann-Whitney U test can reach p < 0.01.
const MinSamples = 5

// checkSamples enforces what Save adds to Validate: enough samples per
// timed point, accuracy in percent on named images.
func (r *Run) checkSamples() error {
	pts, err := r.Points()
	if err != nil {
		return err
	}
	for _, p := range pts {
		if !p.Exact && len(p.Values) < MinSamples {
			return fmt.Errorf("results: %s: point %q (%s) has %d samples, want at least %d", r.name(), p.Name, p.Unit, len(p.Values), MinSamples)
		}
		if !IsAccuracy(p.Unit) {
			continue
		}
		if p.Images == "" {
			return fmt.Errorf("results: %s: accuracy point %q does not name its images", r.name(), p.Name)
		}
		for _, v := range p.Values {
			if v < 0 || v > 100 {
				return fmt.Errorf("results: %s: accuracy point %q is %v, want percent in [0, 100]", r.name(), p.Name, v)
			}
		}
	}
	return nil
}

// Describe is the run's summary line, or a count of its points.
func (r *Run) Describe() string {
	if r.Summary != "" {
		return r.Summary
	}
	pts, err := r.Points()
	if err != nil {
		return "invalid: " + err.Error()
	}
	return fmt.Sprintf("%d points", len(pts))
}

func (r *Run) name() string {
	if r.Path != "" {
		return r.Path
	}
	return "run " + r.Kind + " " + r.Time.Format(time.RFC3339)
}

// Key says which runs are repetitions of each other: the latest run of a
// key is the current one (report, compare) and is compared with the one
// before it.
func (r *Run) Key() (string, error) {
	switch r.Kind {
	case KindRoofline:
		return "roofline", nil
	case KindKernels:
		return fmt.Sprintf("kernels batch=%d threads=%d", r.Batch, r.Threads), nil
	case KindSearch:
		var s Search
		if err := r.DecodePayload(&s); err != nil {
			return "", err
		}
		return "search " + s.Model + " " + s.Objective, nil
	case KindEval:
		var e Eval
		if err := r.DecodePayload(&e); err != nil {
			return "", err
		}
		return "eval " + e.Model + " " + e.Config, nil
	case KindBench:
		var b Bench
		if err := r.DecodePayload(&b); err != nil {
			return "", err
		}
		models := make([]string, len(b.Models))
		for i, m := range b.Models {
			models[i] = m.Model
		}
		sort.Strings(models)
		return fmt.Sprintf("bench %s batch=%d threads=%d", strings.Join(models, ","), r.Batch, r.Threads), nil
	}
	return "", fmt.Errorf("unknown kind %q", r.Kind)
}
