package search

import (
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/aiq-project/aiq/kernels"
)

func TestConfigKey(t *testing.T) {
	c := Config{kernels.FP32, kernels.Int8, kernels.Int4}
	if c.Key() != "fp32,int8,int4" {
		t.Fatalf("Key = %q", c.Key())
	}
	d := c.With(0, kernels.FP16)
	if c[0] != kernels.FP32 || d[0] != kernels.FP16 {
		t.Fatal("With modified its receiver or did not set the layer")
	}
	if s := (Config{kernels.Int8, kernels.Int4, kernels.Int8}).String(); s != "int8:2 int4:1" {
		t.Fatalf("String = %q", s)
	}
}

// synth is an additive synthetic model: top-1 = 90 - sum of drop[l][f].
type synth struct {
	cost, drop [][]float64
}

func newSynth(rng *rand.Rand, layers int) *synth {
	s := &synth{}
	for l := 0; l < layers; l++ {
		w := 1 + rng.Float64()*10
		// Costs fall with the width; drops rise (fp16 free, int4 dearest).
		s.cost = append(s.cost, []float64{4 * w, 2*w + rng.Float64(), w + rng.Float64()*0.5, 0.5*w + rng.Float64()*0.5})
		d8 := float64(rng.IntN(20)) * 0.01
		d4 := d8 + float64(rng.IntN(80))*0.01
		s.drop = append(s.drop, []float64{0, 0, d8, d4})
	}
	return s
}

func (s *synth) top1(c Config) (Score, error) {
	return Score{Top1: 90 - s.trueDrop(c), Div: s.trueDrop(c) / 100}, nil
}

func (s *synth) trueDrop(c Config) float64 {
	d := 0.0
	for l, f := range c {
		d += s.drop[l][f]
	}
	return d
}

// all enumerates every configuration of n layers over formats.
func all(n int, formats []kernels.Format, fn func(Config)) {
	c := make(Config, n)
	var rec func(int)
	rec = func(l int) {
		if l == n {
			fn(append(Config(nil), c...))
			return
		}
		for _, f := range formats {
			c[l] = f
			rec(l + 1)
		}
	}
	rec(0)
}

func (s *synth) problem(maxDrop float64) *Problem {
	return &Problem{Formats: kernels.Formats, Cost: s.cost, Acc: NewAccuracy(s.top1), Ref: 90, MaxDrop: maxDrop}
}

// bruteBest is the cheapest configuration within maxDrop.
func (s *synth) bruteBest(maxDrop float64) (Config, float64) {
	var best Config
	bestCost := math.Inf(1)
	all(len(s.cost), kernels.Formats, func(c Config) {
		if s.trueDrop(c) <= maxDrop+1e-9 {
			if v := Sum(s.cost, c); v < bestCost {
				best, bestCost = c, v
			}
		}
	})
	return best, bestCost
}

func TestAccuracyCache(t *testing.T) {
	calls := 0
	a := NewAccuracy(Top1Only(func(c Config) (float64, error) { calls++; return 50, nil }))
	c := Uniform(3, kernels.Int8)
	for range 3 {
		if v, err := a.Top1(c); err != nil || v != 50 {
			t.Fatalf("Top1 = %v, %v", v, err)
		}
	}
	if calls != 1 || a.Evals != 1 {
		t.Fatalf("evaluator ran %d times (Evals %d), want 1", calls, a.Evals)
	}
	if _, ok := a.Cached(Uniform(3, kernels.Int4)); ok {
		t.Fatal("Cached reports a configuration never evaluated")
	}
	boom := errors.New("boom")
	b := NewAccuracy(Top1Only(func(Config) (float64, error) { return 0, boom }))
	if _, err := b.Top1(c); !errors.Is(err, boom) {
		t.Fatalf("error not wrapped: %v", err)
	}
	bad := NewAccuracy(Top1Only(func(Config) (float64, error) { return 101, nil }))
	if _, err := bad.Top1(c); err == nil {
		t.Fatal("top-1 of 101% accepted")
	}
	nan := NewAccuracy(func(Config) (Score, error) { return Score{Top1: 1, Div: math.NaN()}, nil })
	if _, err := nan.Score(c); err == nil {
		t.Fatal("NaN divergence accepted")
	}
}

func TestPrefetchParallel(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	a := NewAccuracy(Top1Only(func(c Config) (float64, error) {
		mu.Lock()
		calls[c.Key()]++
		mu.Unlock()
		if c[0] == kernels.Int4 {
			return 0, errors.New("int4 broke")
		}
		return float64(len(c.Key())), nil
	}))
	var cs []Config
	all(3, kernels.Formats[:3], func(c Config) { cs = append(cs, c, c) })
	if err := a.Prefetch(cs, 4); err != nil {
		t.Fatal(err)
	}
	for k, n := range calls {
		if n != 1 {
			t.Fatalf("%s evaluated %d times", k, n)
		}
	}
	if a.Evals != 27 {
		t.Fatalf("Evals = %d, want 27", a.Evals)
	}
	for _, c := range cs {
		if v, ok := a.Cached(c); !ok || v != float64(len(c.Key())) {
			t.Fatalf("%s: cached %v %v", c.Key(), v, ok)
		}
	}
	cfgs, tops := a.All()
	if len(cfgs) != 27 || len(tops) != 27 {
		t.Fatalf("All: %d configs", len(cfgs))
	}
	a.Set(Config{kernels.Int4, kernels.Int4, kernels.Int4}, Score{Top1: 12})
	if v, ok := a.Cached(Config{kernels.Int4, kernels.Int4, kernels.Int4}); !ok || v != 12 || a.Evals != 27 {
		t.Fatalf("Set: %v %v, Evals %d", v, ok, a.Evals)
	}
	if err := a.Prefetch([]Config{{kernels.Int4, kernels.FP32}, {kernels.Int4, kernels.Int8}}, 2); err == nil {
		t.Fatal("errors of a parallel prefetch were lost")
	}
}

func TestSensitivityAdditive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := newSynth(rng, 5)
	acc := NewAccuracy(s.top1)
	base := Uniform(5, kernels.FP32)
	sens, err := MeasureSensitivity(acc, base, []kernels.Format{kernels.Int8, kernels.Int4}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for l := range base {
		for _, f := range []kernels.Format{kernels.Int8, kernels.Int4} {
			if math.Abs(sens.Drop[l][f]-s.drop[l][f]) > 1e-9 || !sens.Measured[l][f] {
				t.Fatalf("layer %d %s: drop %v (measured %v), want %v", l, f, sens.Drop[l][f], sens.Measured[l][f], s.drop[l][f])
			}
		}
	}
	all(5, kernels.Formats[2:], func(c Config) {
		if math.Abs(sens.Predict(c)-s.trueDrop(c)) > 1e-9 {
			t.Fatalf("Predict(%s) = %v, want %v", c.Key(), sens.Predict(c), s.trueDrop(c))
		}
	})
	if acc.Evals != 1+5*2 {
		t.Fatalf("%d evaluations, want 11", acc.Evals)
	}
	if d := sens.Div[2][kernels.Int4]; math.Abs(d-s.drop[2][kernels.Int4]/100) > 1e-12 {
		t.Fatalf("Div = %v, want %v", d, s.drop[2][kernels.Int4]/100)
	}
	sens.Spread(kernels.FP16, 0.5, 0.05)
	if sens.Drop[3][kernels.FP16] != 0.1 || sens.Div[3][kernels.FP16] != 0.01 || sens.Measured[3][kernels.FP16] {
		t.Fatalf("Spread: %v %v", sens.Drop[3][kernels.FP16], sens.Div[3][kernels.FP16])
	}
}

// TestFrontExact checks the dynamic programme against brute force: every
// front point is the cheapest configuration with at most its drop, and no
// configuration beats the front.
func TestFrontExact(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		s := newSynth(rng, 1+rng.IntN(6))
		maxDrop := 1.5
		front, err := Front(s.cost, s.drop, kernels.Formats, nil, maxDrop, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		type pt struct{ d, c float64 }
		var pts []pt
		all(len(s.cost), kernels.Formats, func(c Config) {
			pts = append(pts, pt{s.trueDrop(c), Sum(s.cost, c)})
		})
		for i, f := range front {
			if math.Abs(f.PredDrop-s.trueDrop(f.Config)) > 1e-9 || math.Abs(f.Cost-Sum(s.cost, f.Config)) > 1e-9 {
				t.Fatalf("seed %d front %d: drop/cost %v/%v disagree with its config", seed, i, f.PredDrop, f.Cost)
			}
			if i > 0 && !(f.PredDrop > front[i-1].PredDrop && f.Cost < front[i-1].Cost) {
				t.Fatalf("seed %d: front not strictly ordered at %d", seed, i)
			}
			for _, p := range pts {
				if p.d <= f.PredDrop+1e-9 && p.c < f.Cost-1e-9 {
					t.Fatalf("seed %d: config with drop %v cost %v beats front point %v/%v", seed, p.d, p.c, f.PredDrop, f.Cost)
				}
			}
		}
		// Every brute-force Pareto point within maxDrop is on the front.
		for _, p := range pts {
			if p.d > maxDrop+1e-9 {
				continue
			}
			dominated := false
			for _, q := range pts {
				if q.d <= p.d+1e-9 && q.c < p.c-1e-9 {
					dominated = true
					break
				}
			}
			if dominated {
				continue
			}
			found := false
			for _, f := range front {
				if math.Abs(f.Cost-p.c) < 1e-9 {
					found = true
				}
			}
			if !found {
				t.Fatalf("seed %d: Pareto point drop %v cost %v missing from the front", seed, p.d, p.c)
			}
		}
	}
}

func TestParetoFindsOptimum(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		s := newSynth(rng, 2+rng.IntN(5))
		maxDrop := 0.2 + rng.Float64()
		p := s.problem(maxDrop)
		base := Uniform(len(s.cost), kernels.FP32)
		sens, err := MeasureSensitivity(p.Acc, base, []kernels.Format{kernels.FP16, kernels.Int8, kernels.Int4}, int(seed%3), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Pareto(p, sens, ParetoOptions{Step: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		_, wantCost := s.bruteBest(maxDrop)
		if math.Abs(res.Best.Cost-wantCost) > 1e-9 {
			t.Fatalf("seed %d: pareto cost %v, brute force %v", seed, res.Best.Cost, wantCost)
		}
		if s.trueDrop(res.Best.Config) > maxDrop+1e-9 {
			t.Fatalf("seed %d: pareto returned an infeasible config", seed)
		}
		// The bisection costs about log2 of the front, plus the spread points.
		if n := len(res.Evaluated); n > 4+int(math.Ceil(math.Log2(float64(len(res.Front)+1))))+4 {
			t.Fatalf("seed %d: %d verifications for a front of %d", seed, n, len(res.Front))
		}
	}
}

// TestParetoByDiv: the top-1 sensitivities say every layer is free (as
// single-layer runs on a sample often do), but the damage adds up; the
// divergence front, verified by bisection, still finds the optimum.
func TestParetoByDiv(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 23))
		s := newSynth(rng, 2+rng.IntN(6))
		maxDrop := 0.2 + rng.Float64()
		p := s.problem(maxDrop)
		base := Uniform(len(s.cost), kernels.FP32)
		sens, err := MeasureSensitivity(p.Acc, base, []kernels.Format{kernels.FP16, kernels.Int8, kernels.Int4}, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		for l := range sens.Drop {
			for f := range sens.Drop[l] {
				sens.Drop[l][f] = 0 // what a noisy sample shows
			}
		}
		res, err := Pareto(p, sens, ParetoOptions{ByDiv: true})
		if err != nil {
			t.Fatal(err)
		}
		_, wantCost := s.bruteBest(maxDrop)
		if math.Abs(res.Best.Cost-wantCost) > 1e-9 {
			t.Fatalf("seed %d: pareto by divergence cost %v, brute force %v", seed, res.Best.Cost, wantCost)
		}
		// With the zeroed top-1 table the model front is a single point.
		res, err = Pareto(s.problem(maxDrop), sens, ParetoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Front) != 1 {
			t.Fatalf("seed %d: drop front has %d points", seed, len(res.Front))
		}
	}
}

func TestParetoRefineRepairsModelError(t *testing.T) {
	// The model overstates layer 1's int4 drop, so the front (up to the bound
	// itself: Slack 1) stops short;
	// refinement finds the real optimum with one more evaluation.
	s := &synth{
		cost: [][]float64{{4, 3, 2, 1}, {40, 30, 20, 10}},
		drop: [][]float64{{0, 0, 0, 0.9}, {0, 0, 0, 0.1}},
	}
	p := s.problem(0.5)
	sens := NewSensitivity(Uniform(2, kernels.FP32), 90)
	sens.Drop = [][]float64{{0, 0, 0, 0.9}, {0, 0, 0, 0.8}}
	res, err := Pareto(p, sens, ParetoOptions{Step: 0.01, Slack: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best.Config.Key() != "int8,int8" {
		t.Fatalf("without refinement: %s", res.Best.Config.Key())
	}
	p = s.problem(0.5)
	res, err = Pareto(p, sens, ParetoOptions{Step: 0.01, Slack: 1, Refine: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best.Config.Key() != "int8,int4" {
		t.Fatalf("with refinement: %s", res.Best.Config.Key())
	}
}

func TestGreedy(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 13))
		s := newSynth(rng, 2+rng.IntN(5))
		maxDrop := 0.1 + rng.Float64()
		p := s.problem(maxDrop)
		res, err := Greedy(p)
		if err != nil {
			t.Fatal(err)
		}
		b := res.Best.Config
		if s.trueDrop(b) > maxDrop+1e-9 {
			t.Fatalf("seed %d: greedy result infeasible", seed)
		}
		// With additive, monotone drops greedy is 1-optimal: no single layer
		// can move to a cheaper format and stay within the bound.
		for l := range b {
			for _, f := range kernels.Formats {
				c := b.With(l, f)
				if s.cost[l][f] < s.cost[l][b[l]] && s.trueDrop(c) <= maxDrop+1e-9 {
					t.Fatalf("seed %d: greedy left layer %d at %s; %s is cheaper and feasible", seed, l, b[l], f)
				}
			}
		}
		if len(res.Evaluated) > 1+len(b)*3 {
			t.Fatalf("seed %d: %d evaluations", seed, len(res.Evaluated))
		}
	}
	// A case with a known answer: the big layer first takes int4, then the
	// small one cannot afford any drop and stays at fp16 (cheaper, lossless).
	s := &synth{
		cost: [][]float64{{4, 2, 1, 0.5}, {400, 200, 100, 50}},
		drop: [][]float64{{0, 0, 0.3, 0.6}, {0, 0, 0.2, 0.9}},
	}
	res, err := Greedy(s.problem(1.0))
	if err != nil {
		t.Fatal(err)
	}
	if res.Best.Config.Key() != "fp16,int4" {
		t.Fatalf("greedy = %s, want fp16,int4", res.Best.Config.Key())
	}
}

func TestCoordDescentSeparable(t *testing.T) {
	// With a bound that never binds the loss is separable, so one sweep of
	// exact coordinate minimisation reaches the global minimum.
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 17))
		s := newSynth(rng, 2+rng.IntN(5))
		p := s.problem(100)
		o := CoordOptions{Lambda: 0.5 + rng.Float64()*5}
		res, err := CoordDescent(p, o)
		if err != nil {
			t.Fatal(err)
		}
		ref := Sum(s.cost, Uniform(len(s.cost), kernels.FP32))
		loss := func(c Config) float64 { return s.trueDrop(c) + o.Lambda*Sum(s.cost, c)/ref }
		best := math.Inf(1)
		all(len(s.cost), kernels.Formats, func(c Config) { best = min(best, loss(c)) })
		if got := loss(res.Best.Config); math.Abs(got-best) > 1e-9 {
			t.Fatalf("seed %d: coordinate descent loss %v, optimum %v", seed, got, best)
		}
	}
	// A binding bound: the answer is feasible.
	s := newSynth(rand.New(rand.NewPCG(3, 3)), 5)
	res, err := CoordDescent(s.problem(0.3), CoordOptions{Lambda: 50})
	if err != nil {
		t.Fatal(err)
	}
	if s.trueDrop(res.Best.Config) > 0.3+1e-9 {
		t.Fatalf("coordinate descent returned drop %v beyond 0.3", s.trueDrop(res.Best.Config))
	}
}

func TestProblemErrors(t *testing.T) {
	s := newSynth(rand.New(rand.NewPCG(1, 1)), 3)
	p := s.problem(1)
	p.Cost[1][kernels.Int8] = math.NaN()
	if _, err := Greedy(p); err == nil {
		t.Fatal("NaN cost accepted")
	}
	p = s.problem(1)
	p.Cost = p.Cost[:2]
	if _, err := Front(p.Cost, s.drop, kernels.Formats, nil, 1, 0.01); err == nil {
		t.Fatal("drop table of another length accepted")
	}
	if _, err := Front(s.cost, s.drop, kernels.Formats, nil, 1, 0); err == nil {
		t.Fatal("zero step accepted")
	}
	p = s.problem(1)
	p.Acc = nil
	if _, err := CoordDescent(p, CoordOptions{}); err == nil {
		t.Fatal("missing oracle accepted")
	}
	// The start configuration itself fails the bound.
	p = s.problem(1)
	p.Ref = 95
	if _, err := Greedy(p); err == nil {
		t.Fatal("infeasible start accepted")
	}
}

func TestSpearman(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	if r := Spearman(x, []float64{2, 4, 6, 8, 100}); math.Abs(r-1) > 1e-12 {
		t.Fatalf("monotone: %v", r)
	}
	if r := Spearman(x, []float64{5, 4, 3, 2, 1}); math.Abs(r+1) > 1e-12 {
		t.Fatalf("reversed: %v", r)
	}
	// Ties take average ranks: y ranks 1.5 1.5 3 4 5, Pearson with 1..5.
	if r, want := Spearman(x, []float64{1, 1, 2, 3, 4}), 0.9746794344808963; math.Abs(r-want) > 1e-12 {
		t.Fatalf("ties: %v, want %v", r, want)
	}
	if !math.IsNaN(Spearman(x, []float64{1, 1, 1, 1, 1})) || !math.IsNaN(Spearman(x, x[:3])) {
		t.Fatal("constant or mismatched input should give NaN")
	}
}
