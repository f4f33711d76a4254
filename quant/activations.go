package quant

import (
	"fmt"
	"math"

	"github.com/aiq-project/aiq/kernels"
)

// Method chooses how a tensor's calibration statistics become a range.
type Method uint8

const (
	MinMax     Method = iota // the observed extremes
	Percentile               // clip the outer 0.01% of values on each side that is not 0
	MSE                      // the range with least expected squared quantization error
)

// Methods lists every activation range method.
var Methods = []Method{MinMax, Percentile, MSE}

func (m Method) String() string {
	switch m {
	case MinMax:
		return "minmax"
	case Percentile:
		return "percentile"
	case MSE:
		return "mse"
	}
	return fmt.Sprintf("method(%d)", uint8(m))
}

// ParseMethod is the inverse of Method.String.
func ParseMethod(s string) (Method, error) {
	for _, m := range Methods {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown calibration method %q (want minmax, percentile or mse)", s)
}

// PercentileKept is the fraction of values the Percentile method keeps inside
// the range on each clipped side.
const PercentileKept = 0.9999

// HistBins is the resolution of the calibration histograms.
const HistBins = 2048

// Range is a real interval of activation values.
type Range struct {
	Lo, Hi float32
}

// Quant returns the uint8 affine quantization of r: the range is widened to
// contain 0 and the zero point is the integer code of 0.
func (r Range) Quant() kernels.Quant {
	lo, hi := min(r.Lo, 0), max(r.Hi, 0)
	if hi-lo < 1e-8 {
		hi = lo + 1e-8
	}
	s := (hi - lo) / 255
	z := math.RoundToEven(float64(-lo / s))
	z = min(max(z, 0), 255)
	return kernels.Quant{Scale: s, Zero: uint8(z)}
}

// TensorStats are the calibration statistics of one activation tensor.
type TensorStats struct {
	Min, Max float32
	// Hist counts values in HistBins equal bins over [Min, Max] (empty
	// until the second calibration pass).
	Hist []float64
	// Mean is the mean per channel (NHWC innermost axis), used by bias
	// correction.
	Mean []float64
	// Count is the number of values seen per channel.
	Count float64
}

// Observe adds data (rows of c channels) to the first-pass statistics.
func (t *TensorStats) Observe(data []float32, c int) {
	if len(t.Mean) != c {
		t.Mean = make([]float64, c)
		t.Min, t.Max = float32(math.Inf(1)), float32(math.Inf(-1))
	}
	// Running sums in Mean; FinishMeans divides by Count. Plain compares
	// (not the NaN-aware min/max builtins) keep this loop cheap.
	mn, mx := t.Min, t.Max
	mean := t.Mean
	for i := 0; i+c <= len(data); i += c {
		for j, v := range data[i : i+c] {
			mean[j] += float64(v)
			if v < mn {
				mn = v
			}
			if v > mx {
				mx = v
			}
		}
	}
	t.Min, t.Max = mn, mx
	t.Count += float64(len(data) / c)
}

// FinishMeans turns the running sums of Observe into means.
func (t *TensorStats) FinishMeans() {
	if t.Count > 0 {
		for i := range t.Mean {
			t.Mean[i] /= t.Count
		}
	}
}

// ObserveHist adds data to the histogram over [Min, Max] fixed by the first pass.
func (t *TensorStats) ObserveHist(data []float32) {
	if t.Hist == nil {
		t.Hist = make([]float64, HistBins)
	}
	w := t.Max - t.Min
	if !(w > 0) {
		t.Hist[0] += float64(len(data))
		return
	}
	inv := HistBins / w
	for _, v := range data {
		b := int((v - t.Min) * inv)
		b = min(max(b, 0), HistBins-1)
		t.Hist[b]++
	}
}

// Range computes the range of the tensor for method m. Percentile and MSE
// need the histogram; without it they fall back to min-max.
func (t *TensorStats) Range(m Method) Range {
	full := Range{Lo: t.Min, Hi: t.Max}
	if m == MinMax || t.Hist == nil || !(t.Max > t.Min) {
		return full
	}
	switch m {
	case Percentile:
		return t.percentile(PercentileKept)
	case MSE:
		return t.mseRange()
	}
	return full
}

func (t *TensorStats) binEdge(b int) float32 {
	return t.Min + (t.Max-t.Min)*float32(b)/HistBins
}

// percentile clips each side that lies away from 0 at the given quantile.
func (t *TensorStats) percentile(kept float64) Range {
	var total float64
	for _, c := range t.Hist {
		total += c
	}
	r := Range{Lo: t.Min, Hi: t.Max}
	if total == 0 {
		return r
	}
	tail := total * (1 - kept)
	if t.Max > 0 {
		var acc float64
		for b := HistBins - 1; b >= 0; b-- {
			acc += t.Hist[b]
			if acc > tail {
				r.Hi = max(t.binEdge(b+1), 0)
				break
			}
		}
	}
	if t.Min < 0 {
		var acc float64
		for b := 0; b < HistBins; b++ {
			acc += t.Hist[b]
			if acc > tail {
				r.Lo = min(t.binEdge(b), 0)
				break
			}
		}
	}
	return r
}

// mseSteps is the number of shrink factors MSE tries.
const mseSteps = 100

// mseRange shrinks [Min, Max] about 0 by the factor whose uint8 quantization
// has the least expected squared error over the histogram (bin centres).
func (t *TensorStats) mseRange() Range {
	full := Range{Lo: min(t.Min, 0), Hi: max(t.Max, 0)}
	best, bestErr := full, math.Inf(1)
	width := float64(t.Max-t.Min) / HistBins
	for i := 0; i < mseSteps; i++ {
		f := float32(1 - 0.9*float64(i)/mseSteps)
		r := Range{Lo: full.Lo * f, Hi: full.Hi * f}
		q := r.Quant()
		var e float64
		for b, c := range t.Hist {
			if c == 0 {
				continue
			}
			x := float64(t.Min) + (float64(b)+0.5)*width
			d := x - float64(Dequant(Quantize(float32(x), q), q))
			e += c * d * d
		}
		if e < bestErr {
			best, bestErr = r, e
		}
	}
	return best
}

// Quantize maps a real value to its uint8 code under q (round half to even,
// saturating), the same arithmetic as the integer kernels' output step.
func Quantize(v float32, q kernels.Quant) uint8 {
	t := float32(v*(1/q.Scale)) + float32(q.Zero)
	t = min(max(t, 0), 255)
	return uint8(math.RoundToEven(float64(t)))
}

// Dequant maps a uint8 code back to its real value.
func Dequant(c uint8, q kernels.Quant) float32 {
	return q.Scale * (float32(c) - float32(q.Zero))
}
