package roofline

import (
	"fmt"
	"math"
	"slices"

	"github.com/aiq-project/aiq/harness"
)

// Level is a memory level.
type Level string

// The memory levels, fastest first.
const (
	L1   Level = "L1"
	L2   Level = "L2"
	L3   Level = "L3"
	DRAM Level = "DRAM"
)

// Levels in order.
var Levels = []Level{L1, L2, L3, DRAM}

// Plateau is one detected level of a sweep.
type Plateau struct {
	Level Level `json:"level"`
	// FromBytes and ToBytes bound the working-set sizes of the plateau.
	FromBytes int64 `json:"from_bytes"`
	ToBytes   int64 `json:"to_bytes"`
	// GBs is the median over the plateau's inner points of each kind's
	// best-of-samples bandwidth.
	GBs map[Kind]float64 `json:"gbs"`
}

// levelKinds drive the segmentation: the three kinds of the JSON contract.
var levelKinds = []Kind{Read, Copy, Triad}

// DetectPlateaus splits a sweep (sizes ascending) into nLevels plateaus of
// near-constant bandwidth: the split minimises the squared deviation of log
// bandwidth (read, copy and triad jointly) from each segment's mean, so the
// boundaries come from the data, not from the cache sizes. Plateaus are
// labelled in order L1, L2, ...; the last one is DRAM.
func DetectPlateaus(pts []SweepPoint, nLevels int) ([]Plateau, error) {
	return DetectPlateausNear(pts, nLevels, nil)
}

// DetectPlateausNear is DetectPlateaus with each boundary between level s
// and s+1 kept within a factor of 4 of caps[s] (the level's capacity in
// total working-set bytes), so that noise on a shared host cannot move a
// boundary to an implausible place. The data still picks the boundary
// inside the window; with no feasible split the windows are dropped.
func DetectPlateausNear(pts []SweepPoint, nLevels int, caps []int64) ([]Plateau, error) {
	if caps != nil && len(caps) != nLevels-1 {
		return nil, fmt.Errorf("roofline: %d capacities for %d levels, want %d", len(caps), nLevels, nLevels-1)
	}
	if nLevels < 2 || nLevels > len(Levels) {
		return nil, fmt.Errorf("roofline: %d levels requested, want 2..%d", nLevels, len(Levels))
	}
	const minLen = 2
	if len(pts) < nLevels*minLen {
		return nil, fmt.Errorf("roofline: sweep of %d points is too short for %d levels", len(pts), nLevels)
	}
	ys := make([][]float64, len(levelKinds))
	for j, k := range levelKinds {
		ys[j] = make([]float64, len(pts))
		for i, pt := range pts {
			if i > 0 && pt.Bytes <= pts[i-1].Bytes {
				return nil, fmt.Errorf("roofline: sweep sizes not ascending at point %d (%d bytes)", i, pt.Bytes)
			}
			v := pt.Best[k]
			if !(v > 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("roofline: sweep point %d bytes has %s bandwidth %v", pt.Bytes, k, v)
			}
			ys[j][i] = math.Log(v)
		}
	}
	var allowed func(s, i int) bool
	if caps != nil {
		allowed = func(s, i int) bool {
			b := float64(pts[i].Bytes)
			c := float64(caps[s-1])
			return b >= c/4 && b <= 4*c
		}
	}
	starts := segment(ys, nLevels, minLen, allowed)
	if starts == nil {
		starts = segment(ys, nLevels, minLen, nil)
	}
	labels := slices.Clone(Levels[:nLevels-1])
	labels = append(labels, DRAM)
	out := make([]Plateau, nLevels)
	for s := range nLevels {
		lo, hi := starts[s], len(pts)
		if s+1 < nLevels {
			hi = starts[s+1]
		}
		// Points next to a boundary are often half in the transition;
		// drop them when the plateau is long enough.
		ilo, ihi := lo, hi
		if s > 0 && ihi-ilo > 2 {
			ilo++
		}
		if s+1 < nLevels && ihi-ilo > 2 {
			ihi--
		}
		p := Plateau{Level: labels[s], FromBytes: pts[lo].Bytes, ToBytes: pts[hi-1].Bytes, GBs: map[Kind]float64{}}
		for _, k := range Kinds {
			var v []float64
			for _, pt := range pts[ilo:ihi] {
				v = append(v, pt.Best[k])
			}
			p.GBs[k] = harness.Median(v)
		}
		out[s] = p
	}
	return out, nil
}

// segment splits the columns 0..n-1 of ys into k contiguous segments of at
// least minLen points that minimise the summed squared deviation from each
// segment's per-row mean (dynamic programming, O(k n^2)). It returns the
// first index of each segment, or nil if allowed (when set) rules out every
// split; allowed(s, i) says whether segment s >= 1 may start at column i.
func segment(ys [][]float64, k, minLen int, allowed func(s, i int) bool) []int {
	n := len(ys[0])
	// Prefix sums per row give any segment's cost in O(rows).
	ps := make([][]float64, len(ys))
	ps2 := make([][]float64, len(ys))
	for r, y := range ys {
		ps[r] = make([]float64, n+1)
		ps2[r] = make([]float64, n+1)
		for i, v := range y {
			ps[r][i+1] = ps[r][i] + v
			ps2[r][i+1] = ps2[r][i] + v*v
		}
	}
	cost := func(i, j int) float64 { // segment [i, j)
		c := 0.0
		m := float64(j - i)
		for r := range ys {
			s := ps[r][j] - ps[r][i]
			c += ps2[r][j] - ps2[r][i] - s*s/m
		}
		return c
	}
	inf := math.Inf(1)
	dp := make([][]float64, k+1)
	from := make([][]int, k+1)
	for s := range dp {
		dp[s] = make([]float64, n+1)
		from[s] = make([]int, n+1)
		for j := range dp[s] {
			dp[s][j] = inf
		}
	}
	dp[0][0] = 0
	for s := 1; s <= k; s++ {
		for j := s * minLen; j <= n; j++ {
			for i := (s - 1) * minLen; i <= j-minLen; i++ {
				if dp[s-1][i] == inf || s > 1 && allowed != nil && !allowed(s-1, i) {
					continue
				}
				if c := dp[s-1][i] + cost(i, j); c < dp[s][j] {
					dp[s][j], from[s][j] = c, i
				}
			}
		}
	}
	if dp[k][n] == inf {
		return nil
	}
	starts := make([]int, k)
	j := n
	for s := k; s >= 1; s-- {
		starts[s-1] = from[s][j]
		j = from[s][j]
	}
	return starts
}
