package search

import (
	"github.com/aiq-project/aiq/harness"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// Decisions from measurements survive their noise (documented in the README):
//   - a time is a sample of repeated measurements, summarised by its median
//     and the distribution-free 95% confidence interval of the median;
//   - a is measurably faster than b when a Mann-Whitney U test on their
//     samples rejects "same" at Alpha and a's median is at least MinGain
//     below b's; anything else is a tie;
//   - a configuration is within the bound when the upper confidence bound
//     of its paired top-1 drop from FP32 (per-image correctness on the same
//     images, one-sided at confidence BoundConfidence) is at most MaxDrop.
const (
	Alpha           = 0.05
	MinGain         = 0.02
	BoundConfidence = 0.95
)

// Interval summarises a sample: its median and the 95% confidence
// interval of the median.
type Interval struct {
	Median float64 `json:"median"`
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	N      int     `json:"n"`
}

// Summarize returns the Interval of xs (zero for an empty sample). Below 6
// samples the distribution-free interval is infinite; the sample's range
// stands in for it.
func Summarize(xs []float64) Interval {
	if len(xs) == 0 {
		return Interval{}
	}
	s := benchmath.AssumeNothing.Summary(benchmath.NewSample(append([]float64(nil), xs...), &benchmath.DefaultThresholds), 0.95)
	iv := Interval{Median: s.Center, Lo: s.Lo, Hi: s.Hi, N: len(xs)}
	if math.IsInf(iv.Lo, 0) || math.IsInf(iv.Hi, 0) {
		iv.Lo, iv.Hi = slices.Min(xs), slices.Max(xs)
	}
	return iv
}

// Faster reports whether the times a are measurably below the times b.
func Faster(a, b []float64) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	th := &benchmath.Thresholds{CompareAlpha: Alpha}
	sa, sb := benchmath.NewSample(append([]float64(nil), a...), th), benchmath.NewSample(append([]float64(nil), b...), th)
	if harness.Median(a) > (1-MinGain)*harness.Median(b) {
		return false
	}
	c := benchmath.AssumeNothing.Compare(sa, sb)
	return c.P < Alpha
}

// zOneSided is the standard normal quantile of BoundConfidence.
var zOneSided = normalQuantile(BoundConfidence)

// PairedDrop compares per-image correctness of a configuration (got) with
// the reference (ref) on the same images: the top-1 drop in points and its
// one-sided upper confidence bound at BoundConfidence, computed as if the
// rates held on n images (n = len(ref) for the images themselves; larger n
// projects a sample onto a larger set). Only discordant images count:
// with b images right in ref and wrong in got, c the other way, the drop
// is (b-c)/len and its variance per image (b+c)/len - drop^2 (McNemar's
// paired difference with a normal approximation).
func PairedDrop(ref, got []bool, n int) (drop, upper float64) {
	m := len(ref)
	if m == 0 || len(got) != m {
		return math.NaN(), math.NaN()
	}
	b, c := 0, 0
	for i := range ref {
		switch {
		case ref[i] && !got[i]:
			b++
		case !ref[i] && got[i]:
			c++
		}
	}
	d := float64(b-c) / float64(m)
	v := float64(b+c)/float64(m) - d*d
	if n < 1 {
		n = m
	}
	return 100 * d, 100 * (d + zOneSided*math.Sqrt(max(v, 0)/float64(n)))
}

// normalQuantile is the inverse standard normal CDF.
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }
