package harness

import (
	"math"
	"slices"
)

// Summary describes a set of samples.
type Summary struct {
	N              int
	Min, Max, Mean float64
	Median         float64
	Stddev         float64 // sample standard deviation (n-1)
	CV             float64 // Stddev / Mean; 0 when Mean is 0
}

// Summarize computes order statistics and the spread of xs. An empty input
// gives a zero Summary with NaN location figures.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		nan := math.NaN()
		return Summary{Min: nan, Max: nan, Mean: nan, Median: nan}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	mean := sum / float64(len(s))
	ss := 0.0
	for _, x := range s {
		ss += (x - mean) * (x - mean)
	}
	sd := 0.0
	if len(s) > 1 {
		sd = math.Sqrt(ss / float64(len(s)-1))
	}
	cv := 0.0
	if mean != 0 {
		cv = sd / math.Abs(mean)
	}
	return Summary{N: len(s), Min: s[0], Max: s[len(s)-1], Mean: mean, Median: Median(s), Stddev: sd, CV: cv}
}

// Median of xs (which need not be sorted); NaN for an empty slice.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := xs
	if !slices.IsSorted(s) {
		s = slices.Clone(xs)
		slices.Sort(s)
	}
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
