package search

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/aiq-project/aiq/kernels"
)

// Score is how a configuration does on the search images.
type Score struct {
	Top1 float64 // percent
	// Div is a divergence of its outputs from the reference model's (the
	// engine uses the mean KL divergence of the softmax from FP32's, in
	// nats): smooth and non-negative, where a top-1 difference on a sample is
	// coarse and noisy. 0 when the evaluator has none.
	Div float64
	// Correct, when the evaluator gives it, says per image whether the
	// prediction was right: the paired bound compares it with FP32's.
	Correct []bool
}

// Evaluator scores a configuration on the search images.
type Evaluator func(Config) (Score, error)

// Top1Only adapts a function returning only top-1 to an Evaluator.
func Top1Only(f func(Config) (float64, error)) Evaluator {
	return func(c Config) (Score, error) {
		t, err := f(c)
		return Score{Top1: t}, err
	}
}

func (s Score) check() error {
	if math.IsNaN(s.Top1) || s.Top1 < 0 || s.Top1 > 100 {
		return fmt.Errorf("evaluator returned top-1 %v, want a percentage", s.Top1)
	}
	if math.IsNaN(s.Div) || math.IsInf(s.Div, 0) {
		return fmt.Errorf("evaluator returned divergence %v", s.Div)
	}
	return nil
}

// Accuracy wraps an Evaluator with a cache keyed by the configuration, so
// no algorithm pays twice for the same configuration.
type Accuracy struct {
	eval  Evaluator
	cache map[string]Score
	order []Config // cached configurations, in evaluation order
	// Evals counts the evaluations actually run (cache misses).
	Evals int
}

// NewAccuracy returns a cached accuracy oracle over e.
func NewAccuracy(e Evaluator) *Accuracy {
	return &Accuracy{eval: e, cache: map[string]Score{}}
}

// Top1 returns the (cached) top-1 of c in percent.
func (a *Accuracy) Top1(c Config) (float64, error) {
	s, err := a.Score(c)
	return s.Top1, err
}

// Score returns the (cached) score of c.
func (a *Accuracy) Score(c Config) (Score, error) {
	k := c.Key()
	if v, ok := a.cache[k]; ok {
		return v, nil
	}
	v, err := a.eval(c)
	if err == nil {
		err = v.check()
	}
	if err != nil {
		return Score{}, fmt.Errorf("search: evaluating %s: %w", c, err)
	}
	a.cache[k] = v
	a.order = append(a.order, c)
	a.Evals++
	return v, nil
}

// Prefetch evaluates the uncached configurations of cs on up to workers
// goroutines at once (the Evaluator must then be safe for concurrent use),
// so later Top1 calls hit the cache. One evaluation per configuration; all
// errors are joined.
func (a *Accuracy) Prefetch(cs []Config, workers int) error {
	var todo []Config
	seen := map[string]bool{}
	for _, c := range cs {
		k := c.Key()
		if _, ok := a.cache[k]; ok || seen[k] {
			continue
		}
		seen[k] = true
		todo = append(todo, c)
	}
	if workers <= 1 || len(todo) <= 1 {
		for _, c := range todo {
			if _, err := a.Top1(c); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		next = make(chan Config)
	)
	for range min(workers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				v, err := a.eval(c)
				if err == nil {
					err = v.check()
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("search: evaluating %s: %w", c, err))
				} else {
					a.cache[c.Key()] = v
					a.order = append(a.order, c)
					a.Evals++
				}
				mu.Unlock()
			}
		}()
	}
	for _, c := range todo {
		next <- c
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// Set records a score measured elsewhere without counting an evaluation.
func (a *Accuracy) Set(c Config, s Score) {
	if _, ok := a.cache[c.Key()]; !ok {
		a.order = append(a.order, append(Config(nil), c...))
	}
	a.cache[c.Key()] = s
}

// All returns every cached configuration with its top-1, in the order
// they were first cached.
func (a *Accuracy) All() ([]Config, []float64) {
	t := make([]float64, len(a.order))
	for i, c := range a.order {
		t[i] = a.cache[c.Key()].Top1
	}
	return append([]Config(nil), a.order...), t
}

// Cached reports the cached top-1 of c, if any.
func (a *Accuracy) Cached(c Config) (float64, bool) {
	v, ok := a.cache[c.Key()]
	return v.Top1, ok
}

// Sensitivity is the per-layer table of top-1 drops (points, positive is
// worse) when only one layer of Base changes format.
type Sensitivity struct {
	Base     Config
	BaseTop1 float64
	// Drop[l][f]: top-1(Base) - top-1(Base with layer l in f); 0 where
	// Base[l] == f.
	Drop [][]float64
	// Div[l][f]: Div(Base with layer l in f) - Div(Base), the same change
	// in the evaluator's divergence (0 where not measured).
	Div [][]float64
	// Measured[l][f] is false where Drop was filled in without a run
	// (Spread, or the base format itself).
	Measured [][]bool
}

// NewSensitivity returns an all-zero table for base.
func NewSensitivity(base Config, baseTop1 float64) *Sensitivity {
	s := &Sensitivity{Base: append(Config(nil), base...), BaseTop1: baseTop1}
	s.Drop = make([][]float64, len(base))
	s.Div = make([][]float64, len(base))
	s.Measured = make([][]bool, len(base))
	for i := range base {
		s.Drop[i] = make([]float64, len(kernels.Formats))
		s.Div[i] = make([]float64, len(kernels.Formats))
		s.Measured[i] = make([]bool, len(kernels.Formats))
	}
	return s
}

// MeasureSensitivity evaluates, for every layer and every format in
// formats, Base with that one layer changed, on up to workers goroutines.
// progress (may be nil) is called after each layer.
func MeasureSensitivity(acc *Accuracy, base Config, formats []kernels.Format, workers int, progress func(done, total int)) (*Sensitivity, error) {
	if workers > 1 {
		var cs []Config
		for l := range base {
			for _, f := range formats {
				if base[l] != f {
					cs = append(cs, base.With(l, f))
				}
			}
		}
		if err := acc.Prefetch(append(cs, base), workers); err != nil {
			return nil, err
		}
	}
	b, err := acc.Score(base)
	if err != nil {
		return nil, err
	}
	s := NewSensitivity(base, b.Top1)
	for l := range base {
		for _, f := range formats {
			if base[l] == f {
				continue
			}
			t, err := acc.Score(base.With(l, f))
			if err != nil {
				return nil, fmt.Errorf("sensitivity of layer %d in %s: %w", l, f, err)
			}
			s.Drop[l][f] = b.Top1 - t.Top1
			s.Div[l][f] = t.Div - b.Div
			s.Measured[l][f] = true
		}
		if progress != nil {
			progress(l+1, len(base))
		}
	}
	return s, nil
}

// Spread fills format f of every layer (where not the base format) with an
// equal share of total (top-1 drop) and div (divergence change), measured
// for the whole model in f relative to the base. It stands in for per-layer
// runs of formats that are lossless to within the measurement's resolution.
func (s *Sensitivity) Spread(f kernels.Format, total, div float64) {
	n := 0
	for l := range s.Base {
		if s.Base[l] != f {
			n++
		}
	}
	if n == 0 {
		return
	}
	for l := range s.Base {
		if s.Base[l] != f {
			s.Drop[l][f] = total / float64(n)
			s.Div[l][f] = div / float64(n)
			s.Measured[l][f] = false
		}
	}
}

// Predict is the additive model's top-1 drop of cfg relative to the base.
func (s *Sensitivity) Predict(cfg Config) float64 {
	d := 0.0
	for l, f := range cfg {
		d += s.Drop[l][f]
	}
	return d
}
