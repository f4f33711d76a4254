package search

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/aiq-project/aiq/kernels"
)

// Problem is one search: the allowed formats, an additive cost per layer
// and format (seconds per batch, or bytes; smaller is better), and an
// accuracy oracle with the reference top-1 the drop is measured from (FP32
// on the same images).
type Problem struct {
	Formats []kernels.Format // allowed formats
	Cost    [][]float64      // [layer][format]
	Acc     *Accuracy
	Ref     float64 // reference top-1, percent
	MaxDrop float64 // allowed drop below Ref, points
	// Allowed[l][f] says whether layer l may take format f (nil: every
	// format of Formats); see Costs.Allowed for the tie rule that fills it.
	Allowed [][]bool
	// RefCorrect is the reference's per-image correctness on the search
	// images; with it, a configuration is feasible when the upper
	// confidence bound of its paired drop (PairedDrop, projected onto
	// ProjectN images) is within MaxDrop, else when its plain drop is.
	RefCorrect []bool
	ProjectN   int
	// Log, if set, receives one line per evaluation or step.
	Log func(format string, args ...any)
}

// Candidate is one configuration with its cost and, once evaluated, its
// measured top-1 on the search images.
type Candidate struct {
	Config    Config
	Cost      float64
	PredDrop  float64 // additive model's drop below Ref; NaN when not from the model
	Risk      float64 // the front's summed per-layer risk (drop or divergence)
	Top1      float64 // percent; NaN until evaluated
	Bound     float64 // the drop the feasibility rule compares with MaxDrop
	Evaluated bool
}

// Drop is Ref - Top1 (NaN when not evaluated).
func (c Candidate) Drop(ref float64) float64 { return ref - c.Top1 }

// Result is what an algorithm returns.
type Result struct {
	Algorithm string
	Best      Candidate
	// Evaluated lists the candidates the algorithm asked about, in order
	// (cache hits included, once each).
	Evaluated []Candidate
	// Front is the additive model's Pareto front (Pareto only), in order of
	// increasing predicted drop.
	Front []Candidate
}

func (p *Problem) check() error {
	if p.Acc == nil {
		return errors.New("search: problem has no accuracy oracle")
	}
	if len(p.Formats) == 0 {
		return errors.New("search: no formats allowed")
	}
	if len(p.Cost) == 0 {
		return errors.New("search: no layers")
	}
	if err := checkTable("cost", p.Cost, len(p.Cost)); err != nil {
		return err
	}
	for l, row := range p.Cost {
		for _, f := range p.Formats {
			if f > kernels.Int4 {
				return fmt.Errorf("search: unknown format %v", f)
			}
			if math.IsNaN(row[f]) || row[f] < 0 || math.IsInf(row[f], 0) {
				return fmt.Errorf("search: cost of layer %d in %s is %v", l, f, row[f])
			}
		}
	}
	if !(p.MaxDrop >= 0) {
		return fmt.Errorf("search: max drop %v, want >= 0", p.MaxDrop)
	}
	return nil
}

func (p *Problem) logf(format string, args ...any) {
	if p.Log != nil {
		p.Log(format, args...)
	}
}

func (p *Problem) layers() int { return len(p.Cost) }

// widest is the allowed format with the most weight bits: the start of
// greedy and coordinate descent, and the cost reference of the loss.
func (p *Problem) widest() kernels.Format {
	w := p.Formats[0]
	for _, f := range p.Formats {
		if f.WeightBits() > w.WeightBits() {
			w = f
		}
	}
	return w
}

// evaluate measures c (cached) and records it in r.
func (p *Problem) evaluate(r *Result, c Config, pred float64) (Candidate, error) {
	sc, err := p.Acc.Score(c)
	if err != nil {
		return Candidate{}, err
	}
	t := sc.Top1
	cand := Candidate{Config: c, Cost: Sum(p.Cost, c), PredDrop: pred, Top1: t, Bound: p.bound(sc), Evaluated: true}
	seen := false
	for _, e := range r.Evaluated {
		if e.Config.Key() == c.Key() {
			seen = true
			break
		}
	}
	if !seen {
		r.Evaluated = append(r.Evaluated, cand)
		p.logf("%s: %-28s top-1 %6.2f%% (drop %+.2f)  cost %.4g", r.Algorithm, c, t, p.Ref-t, cand.Cost)
	}
	return cand, nil
}

func (p *Problem) feasible(c Candidate) bool { return c.Bound <= p.MaxDrop+1e-9 }

// bound is the drop of a score that feasibility compares with MaxDrop.
func (p *Problem) bound(s Score) float64 {
	if p.RefCorrect != nil && len(s.Correct) == len(p.RefCorrect) {
		_, ub := PairedDrop(p.RefCorrect, s.Correct, p.ProjectN)
		return ub
	}
	return p.Ref - s.Top1
}

// Feasible reports whether the cached score of c meets the bound.
func (p *Problem) Feasible(c Config) bool {
	s, ok := p.Acc.cache[c.Key()]
	return ok && p.bound(s) <= p.MaxDrop+1e-9
}

func (p *Problem) allowed(l int, f kernels.Format) bool {
	return p.Allowed == nil || p.Allowed[l][f]
}

// allowedConfig reports whether every layer of c is in an allowed format.
func (p *Problem) allowedConfig(c Config) bool {
	for l, f := range c {
		if !p.allowed(l, f) {
			return false
		}
	}
	return true
}

// bySaving orders layers by decreasing possible cost saving from the
// widest format, so the layers that matter most are decided first (the
// paper quantizes larger layers more aggressively).
func (p *Problem) bySaving(start Config) []int {
	order := make([]int, p.layers())
	saving := make([]float64, p.layers())
	for l := range order {
		order[l] = l
		lo := p.Cost[l][start[l]]
		for _, f := range p.Formats {
			if p.allowed(l, f) {
				lo = min(lo, p.Cost[l][f])
			}
		}
		saving[l] = p.Cost[l][start[l]] - lo
	}
	sort.SliceStable(order, func(i, j int) bool { return saving[order[i]] > saving[order[j]] })
	return order
}

// Greedy is the paper's greedy search: starting from every layer in the
// widest allowed format, it visits layers by decreasing cost saving and
// gives each the cheapest format whose measured top-1 keeps the whole
// configuration within MaxDrop. At most layers x (formats-1) evaluations.
func Greedy(p *Problem) (Result, error) {
	r := Result{Algorithm: "greedy"}
	if err := p.check(); err != nil {
		return r, err
	}
	cur, err := p.evaluate(&r, Uniform(p.layers(), p.widest()), math.NaN())
	if err != nil {
		return r, err
	}
	if !p.feasible(cur) {
		return r, fmt.Errorf("search: the start configuration (%s) is already %.2f points below the reference", cur.Config, p.Ref-cur.Top1)
	}
	for _, l := range p.bySaving(cur.Config) {
		var opts []kernels.Format
		for _, f := range p.Formats {
			if p.allowed(l, f) && p.Cost[l][f] < p.Cost[l][cur.Config[l]] {
				opts = append(opts, f)
			}
		}
		sort.SliceStable(opts, func(i, j int) bool { return p.Cost[l][opts[i]] < p.Cost[l][opts[j]] })
		for _, f := range opts {
			c, err := p.evaluate(&r, cur.Config.With(l, f), math.NaN())
			if err != nil {
				return r, err
			}
			if p.feasible(c) {
				cur = c
				break
			}
		}
	}
	r.Best = cur
	return r, nil
}

// CoordOptions tune CoordDescent.
type CoordOptions struct {
	// Lambda weighs the relative cost (cost / cost of the widest uniform
	// configuration) against the top-1 drop in points: loss = max(drop, 0) +
	// Lambda x relative cost. Default 10: a 10% cost saving is worth one point.
	Lambda float64
	// Sweeps bounds the passes over all layers (default 2).
	Sweeps int
}

// CoordDescent minimises the paper's weighted loss one layer at a time:
// each step tries every allowed format of one layer with the others fixed
// and keeps the best; configurations beyond MaxDrop have infinite loss.
// Candidates whose cost term alone cannot beat the current loss are skipped
// without an evaluation.
func CoordDescent(p *Problem, o CoordOptions) (Result, error) {
	r := Result{Algorithm: "coord"}
	if err := p.check(); err != nil {
		return r, err
	}
	if o.Lambda == 0 {
		o.Lambda = 10
	}
	if o.Sweeps == 0 {
		o.Sweeps = 2
	}
	if o.Lambda < 0 || o.Sweeps < 0 {
		return r, fmt.Errorf("search: coordinate descent lambda %v and sweeps %d must be >= 0", o.Lambda, o.Sweeps)
	}
	start := Uniform(p.layers(), p.widest())
	ref := Sum(p.Cost, start)
	if ref <= 0 {
		return r, errors.New("search: the widest configuration costs nothing; cannot weigh cost")
	}
	loss := func(c Candidate) float64 {
		d := p.Ref - c.Top1
		if d > p.MaxDrop+1e-9 {
			return math.Inf(1)
		}
		return max(d, 0) + o.Lambda*c.Cost/ref
	}
	cur, err := p.evaluate(&r, start, math.NaN())
	if err != nil {
		return r, err
	}
	curLoss := loss(cur)
	if math.IsInf(curLoss, 1) {
		return r, fmt.Errorf("search: the start configuration (%s) is already %.2f points below the reference", cur.Config, p.Ref-cur.Top1)
	}
	order := p.bySaving(start)
	for sweep := 0; sweep < o.Sweeps; sweep++ {
		moved := false
		for _, l := range order {
			best, bestLoss := cur, curLoss
			for _, f := range p.Formats {
				if f == cur.Config[l] || !p.allowed(l, f) {
					continue
				}
				c := cur.Config.With(l, f)
				if o.Lambda*Sum(p.Cost, c)/ref >= bestLoss {
					continue // cannot win even at zero drop
				}
				cand, err := p.evaluate(&r, c, math.NaN())
				if err != nil {
					return r, err
				}
				if lc := loss(cand); lc < bestLoss-1e-12 {
					best, bestLoss = cand, lc
				}
			}
			if best.Config.Key() != cur.Config.Key() {
				cur, curLoss, moved = best, bestLoss, true
			}
		}
		p.logf("coord: sweep %d: %s loss %.4f", sweep+1, cur.Config, curLoss)
		if !moved {
			break
		}
	}
	r.Best = cur
	return r, nil
}

// Front is the exact Pareto front of the additive model: for every total
// risk up to maxDrop (in steps of step; per-layer risks below 0 count as 0,
// risks round to the nearest step), the configuration of least summed
// cost, keeping only points that are cheaper than every point of smaller
// risk. The risk is a per-layer top-1 drop or divergence. It is a
// multiple-choice knapsack solved by dynamic programming over the risk; the
// result is in order of increasing risk (and so decreasing cost). Risk and
// PredDrop are the model's sum (without any base offset); Top1 is NaN.
func Front(cost, drop [][]float64, formats []kernels.Format, allowed [][]bool, maxDrop, step float64) ([]Candidate, error) {
	n := len(cost)
	if err := checkTable("cost", cost, n); err != nil {
		return nil, err
	}
	if err := checkTable("drop", drop, n); err != nil {
		return nil, err
	}
	if !(step > 0) || !(maxDrop >= 0) {
		return nil, fmt.Errorf("search: front step %v and max drop %v must be positive", step, maxDrop)
	}
	units := int(math.Floor(maxDrop/step + 1e-9))
	if units > 1<<20 {
		return nil, fmt.Errorf("search: front of %d steps is too fine (max drop %v, step %v)", units, maxDrop, step)
	}
	u := make([][]int, n)
	for l := range u {
		u[l] = make([]int, len(kernels.Formats))
		for _, f := range formats {
			d := drop[l][f]
			if math.IsNaN(d) {
				return nil, fmt.Errorf("search: drop of layer %d in %s is NaN", l, f)
			}
			u[l][f] = int(math.Round(max(d, 0) / step))
		}
	}
	inf := math.Inf(1)
	dp := make([]float64, units+1)
	for d := range dp {
		dp[d] = inf
	}
	dp[0] = 0
	choice := make([][]int8, n)
	next := make([]float64, units+1)
	for l := 0; l < n; l++ {
		choice[l] = make([]int8, units+1)
		for d := range next {
			next[d] = inf
		}
		for d, c := range dp {
			if math.IsInf(c, 1) {
				continue
			}
			for _, f := range formats {
				if allowed != nil && !allowed[l][f] {
					continue
				}
				nd := d + u[l][f]
				if nd > units {
					continue
				}
				if v := c + cost[l][f]; v < next[nd] {
					next[nd] = v
					choice[l][nd] = int8(f)
				}
			}
		}
		dp, next = next, dp
	}
	var front []Candidate
	best := inf
	for d, c := range dp {
		if !(c < best) {
			continue
		}
		best = c
		cfg := make(Config, n)
		pred := 0.0
		for l, dd := n-1, d; l >= 0; l-- {
			f := kernels.Format(choice[l][dd])
			cfg[l] = f
			pred += max(drop[l][f], 0)
			dd -= u[l][f]
		}
		front = append(front, Candidate{Config: cfg, Cost: c, PredDrop: pred, Risk: pred, Top1: math.NaN()})
	}
	return front, nil
}

// ParetoOptions tune Pareto.
type ParetoOptions struct {
	// Step is the drop resolution of the front in points (default 0.005).
	Step float64
	// Slack: the front covers predicted drops up to Slack x MaxDrop
	// (default 2), because the additive model is only a model.
	Slack float64
	// Spread evaluates this many further front points, evenly spaced, so the
	// reported front has measured accuracy along its whole length (default 4).
	Spread int
	// Refine allows this many extra evaluations after the bisection, each
	// trying the chosen configuration with one layer moved to a cheaper
	// format (best model ratio of saving to predicted drop first).
	Refine int
	// ByDiv builds the front over the sensitivity's divergence (Div)
	// instead of its top-1 drops: on a sample of a few thousand images most
	// single-layer top-1 drops are within noise of 0 (and clip to 0), so a
	// sum of them underestimates the damage of many layers together, while
	// the divergence sees every changed output. The front then spans every
	// risk level (Step and Slack are ignored) and the bisection maps it to
	// real top-1.
	ByDiv bool
}

// Pareto builds the additive model's front from the sensitivity table and
// the costs, then verifies it with real evaluations: a bisection along the
// front (ordered by predicted drop) for the cheapest candidate within
// MaxDrop, a few evenly spaced points, and an optional local refinement.
// The best verified candidate within MaxDrop is returned.
func Pareto(p *Problem, s *Sensitivity, o ParetoOptions) (Result, error) {
	r := Result{Algorithm: "pareto"}
	if err := p.check(); err != nil {
		return r, err
	}
	if s == nil || len(s.Drop) != p.layers() {
		return r, errors.New("search: pareto needs a sensitivity table for every layer")
	}
	if o.Step == 0 {
		o.Step = 0.005
	}
	if o.Slack == 0 {
		o.Slack = 2
	}
	if o.Spread == 0 {
		o.Spread = 4
	}
	baseDrop := p.Ref - s.BaseTop1
	risk, budget, step := s.Drop, max(o.Slack*p.MaxDrop-baseDrop, o.Step), o.Step
	if o.ByDiv {
		total := 0.0
		for l := range s.Div {
			m := 0.0
			for _, f := range p.Formats {
				m = max(m, s.Div[l][f])
			}
			total += m
		}
		if total > 0 {
			risk, budget, step = s.Div, total, total/4000
		}
	}
	front, err := Front(p.Cost, risk, p.Formats, p.Allowed, budget, step)
	if err != nil {
		return r, err
	}
	for i := range front {
		front[i].PredDrop = baseDrop + s.Predict(front[i].Config)
	}
	r.Front = front
	p.logf("pareto: model front of %d points, risk %.4g..%.4g, additive top-1 drop %.2f..%.2f", len(front),
		front[0].Risk, front[len(front)-1].Risk, front[0].PredDrop, front[len(front)-1].PredDrop)

	verify := func(i int) (bool, error) {
		c, err := p.evaluate(&r, front[i].Config, front[i].PredDrop)
		if err != nil {
			return false, err
		}
		front[i].Top1, front[i].Evaluated = c.Top1, true
		return p.feasible(c), nil
	}
	ok, err := verify(0)
	if err != nil {
		return r, err
	}
	if ok {
		lo, hi := 0, len(front)
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			ok, err := verify(mid)
			if err != nil {
				return r, err
			}
			if ok {
				lo = mid
			} else {
				hi = mid
			}
		}
	}
	for k := 1; k <= o.Spread && len(front) > 2; k++ {
		i := k * (len(front) - 1) / (o.Spread + 1)
		if !front[i].Evaluated {
			if _, err := verify(i); err != nil {
				return r, err
			}
		}
	}
	best, found := Candidate{}, false
	for _, c := range r.Evaluated {
		if p.feasible(c) && (!found || c.Cost < best.Cost) {
			best, found = c, true
		}
	}
	if !found {
		// Nothing on the front holds: fall back to the widest configuration.
		c, err := p.evaluate(&r, Uniform(p.layers(), p.widest()), math.NaN())
		if err != nil {
			return r, err
		}
		if !p.feasible(c) {
			return r, fmt.Errorf("search: no configuration within %.2f points, not even %s", p.MaxDrop, c.Config)
		}
		best = c
	}
	best, err = p.refine(&r, s, best, o.Refine)
	if err != nil {
		return r, err
	}
	r.Best = best
	return r, nil
}

// refine tries up to budget single-layer moves of best to a cheaper format,
// in order of the model's saving per predicted drop, accepting each one
// that stays within MaxDrop.
func (p *Problem) refine(r *Result, s *Sensitivity, best Candidate, budget int) (Candidate, error) {
	tried := map[string]bool{}
	for spent := 0; spent < budget; {
		type move struct {
			l     int
			f     kernels.Format
			ratio float64
		}
		var moves []move
		for l, cur := range best.Config {
			for _, f := range p.Formats {
				save := p.Cost[l][cur] - p.Cost[l][f]
				if save <= 0 || !p.allowed(l, f) {
					continue
				}
				c := best.Config.With(l, f)
				if tried[c.Key()] {
					continue
				}
				if _, ok := p.Acc.Cached(c); ok {
					continue
				}
				dd := max(s.Drop[l][f]-s.Drop[l][cur], 0)
				moves = append(moves, move{l, f, save / (dd + 0.01)})
			}
		}
		if len(moves) == 0 {
			break
		}
		sort.SliceStable(moves, func(i, j int) bool { return moves[i].ratio > moves[j].ratio })
		m := moves[0]
		c := best.Config.With(m.l, m.f)
		tried[c.Key()] = true
		cand, err := p.evaluate(r, c, math.NaN())
		if err != nil {
			return best, err
		}
		spent++
		if p.feasible(cand) && cand.Cost < best.Cost {
			best = cand
		}
	}
	return best, nil
}

// Spearman is the rank correlation of x and y (average ranks for ties);
// NaN when either is constant or the lengths differ or are below 2.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	rx, ry := ranks(x), ranks(y)
	return pearson(rx, ry)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	mx, my := 0.0, 0.0
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	sxy, sxx, syy := 0.0, 0.0, 0.0
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}
