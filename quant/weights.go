// Package quant is aiq's post-training quantization: symmetric per-output-
// channel weight quantization (int8, int4, optionally grouped along K) with
// round-to-nearest and an MSE-optimal clip search, and per-tensor uint8
// activation ranges from calibration statistics (min-max, percentile, MSE),
// with an on-disk cache of those statistics.
//
// Weights are real = Q * scale with Q in [-2^(b-1), 2^(b-1)-1]; activations
// are real = scale * (q - zero) with q in [0, 255] and real 0 exactly
// representable (the zero point is an integer), so zero padding and ReLU
// outputs stay exact.
package quant

import (
	"fmt"
	"math"

	"github.com/aiq-project/aiq/kernels"
)

// WeightMethod chooses the per-channel clip of weight quantization.
type WeightMethod uint8

const (
	// WeightMSE searches the clip (a fraction of max|w|) that minimises the
	// squared rounding plus clipping error of each channel (or group).
	WeightMSE WeightMethod = iota
	// WeightRTN scales max|w| to the largest code: plain round to nearest.
	WeightRTN
)

func (m WeightMethod) String() string {
	if m == WeightRTN {
		return "rtn"
	}
	return "mse"
}

// ParseWeightMethod is the inverse of WeightMethod.String.
func ParseWeightMethod(s string) (WeightMethod, error) {
	switch s {
	case "mse":
		return WeightMSE, nil
	case "rtn":
		return WeightRTN, nil
	}
	return 0, fmt.Errorf("unknown weight method %q (want mse or rtn)", s)
}

// clipSteps is the number of coarse clip candidates tried by WeightMSE,
// from max|w| down to clipFloor*max|w|; ten finer ones follow.
const (
	clipSteps = 32
	clipFloor = 0.2
)

// Weights quantizes w (K x N row-major: N output channels, K inputs each)
// symmetrically per output channel to bits (8 or 4). group > 0 (int4 only,
// a multiple of 4) gives one scale per group of K rows per channel.
func Weights(w []float32, k, n, bits, group int, method WeightMethod) (kernels.QuantWeights, error) {
	if k <= 0 || n <= 0 || len(w) != k*n {
		return kernels.QuantWeights{}, fmt.Errorf("quant: %d weights for K=%d N=%d", len(w), k, n)
	}
	if bits != 8 && bits != 4 {
		return kernels.QuantWeights{}, fmt.Errorf("quant: %d-bit weights, want 8 or 4", bits)
	}
	if group < 0 || (group > 0 && (bits != 4 || group%4 != 0)) {
		return kernels.QuantWeights{}, fmt.Errorf("quant: group %d, want 0 or (int4 only) a multiple of 4", group)
	}
	for i, v := range w {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return kernels.QuantWeights{}, fmt.Errorf("quant: weight %d is %v", i, v)
		}
	}
	qw := kernels.QuantWeights{K: k, N: n, Bits: bits, Group: group, Q: make([]int8, k*n)}
	gsize := k
	if group > 0 {
		gsize = group
	}
	groups := qw.Groups()
	qw.Scale = make([]float32, groups*n)
	qmax := float32(int(1)<<(bits-1) - 1)
	col := make([]float32, 0, gsize)
	for g := 0; g < groups; g++ {
		k0, k1 := g*gsize, min((g+1)*gsize, k)
		for c := 0; c < n; c++ {
			col = col[:0]
			for r := k0; r < k1; r++ {
				col = append(col, w[r*n+c])
			}
			s := channelScale(col, qmax, method)
			qw.Scale[g*n+c] = s
			for r := k0; r < k1; r++ {
				qw.Q[r*n+c] = quantizeSym(w[r*n+c], s, qmax)
			}
		}
	}
	return qw, nil
}

// WeightsScaled quantizes w (K x N row-major) to int8 with the given scale
// per output channel, a model file's own: the file's weights are integer
// multiples of them, which this checks, so the codes come back exactly.
func WeightsScaled(w []float32, k, n int, scale []float32) (kernels.QuantWeights, error) {
	if k <= 0 || n <= 0 || len(w) != k*n {
		return kernels.QuantWeights{}, fmt.Errorf("quant: %d weights for K=%d N=%d", len(w), k, n)
	}
	if len(scale) != n {
		return kernels.QuantWeights{}, fmt.Errorf("quant: %d weight scales for %d output channels", len(scale), n)
	}
	qw := kernels.QuantWeights{K: k, N: n, Bits: 8, Q: make([]int8, k*n), Scale: append([]float32(nil), scale...)}
	for i, v := range w {
		s := scale[i%n]
		if s == 0 {
			if v != 0 {
				return kernels.QuantWeights{}, fmt.Errorf("quant: weight %d is %v with scale 0", i, v)
			}
			continue
		}
		q := float64(v) / float64(s)
		r := math.RoundToEven(q)
		// A file's codes come back within float rounding; anything further
		// means these are not the scales the weights were quantized with.
		if math.Abs(q-r) > 1e-3 || r < -128 || r > 127 {
			return kernels.QuantWeights{}, fmt.Errorf("quant: weight %d (%v) is not an int8 multiple of its channel's scale %v", i, v, s)
		}
		qw.Q[i] = int8(r)
	}
	return qw, nil
}

// WeightsFrom is Weights for weights a model file may have quantized
// already (scale: the file's per-output-channel scales, or nil): when its
// codes fit bits and one scale per channel is asked (group 0), they are
// returned as the file has them (see WeightsScaled); otherwise, e.g. a
// file's int8 weights asked for in int4, Weights quantizes them again.
func WeightsFrom(w []float32, k, n, bits, group int, method WeightMethod, scale []float32) (kernels.QuantWeights, error) {
	if scale == nil || group != 0 {
		return Weights(w, k, n, bits, group, method)
	}
	qw, err := WeightsScaled(w, k, n, scale)
	if err != nil || bits == 8 {
		return qw, err
	}
	for _, q := range qw.Q {
		if q < -8 || q > 7 {
			return Weights(w, k, n, bits, group, method)
		}
	}
	qw.Bits = 4
	return qw, nil
}

// quantizeSym is round-to-nearest-even of v/s clamped to [-qmax-1, qmax].
func quantizeSym(v, s, qmax float32) int8 {
	if s == 0 {
		return 0
	}
	q := min(max(v/s, -qmax-1), qmax)
	// The rounding of kernels.QuantizeU8 (that function's scale-and-zero
	// step is not this one); the same as the former 1.5*2^23 trick for
	// every float32 in [-128, 127] and NaN.
	return int8(math.RoundToEven(float64(q)))
}

// channelScale returns the scale of one channel: max|w|/qmax for RTN, or
// the clip with least squared error for MSE. An all-zero channel gets 0.
func channelScale(col []float32, qmax float32, method WeightMethod) float32 {
	var amax float32
	for _, v := range col {
		amax = max(amax, float32(math.Abs(float64(v))))
	}
	if amax == 0 {
		return 0
	}
	best := amax / qmax
	if method == WeightRTN {
		return best
	}
	bestErr := SymError(col, best, qmax)
	try := func(frac float32) {
		s := amax * frac / qmax
		if e := SymError(col, s, qmax); e < bestErr {
			best, bestErr = s, e
		}
	}
	// Coarse steps over [clipFloor, 1], then fine steps around the best.
	step := float32(1-clipFloor) / clipSteps
	for i := 1; i <= clipSteps; i++ {
		try(1 - step*float32(i))
	}
	center := best * qmax / amax
	for i := -5; i <= 5; i++ {
		if f := center + step*float32(i)/6; f > clipFloor && f < 1 && i != 0 {
			try(f)
		}
	}
	return best
}

// SymError is the squared error of quantizing col with scale s.
func SymError(col []float32, s, qmax float32) float64 {
	var e float64
	for _, v := range col {
		d := float64(v - float32(quantizeSym(v, s, qmax))*s)
		e += d * d
	}
	return e
}

// Dequantize returns the real weights of qw (K x N).
func Dequantize(qw kernels.QuantWeights) []float32 {
	out := make([]float32, len(qw.Q))
	gsize := qw.K
	if qw.Group > 0 {
		gsize = qw.Group
	}
	for r := 0; r < qw.K; r++ {
		g := r / gsize
		for c := 0; c < qw.N; c++ {
			out[r*qw.N+c] = float32(qw.Q[r*qw.N+c]) * qw.Scale[g*qw.N+c]
		}
	}
	return out
}
