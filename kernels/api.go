package kernels

import (
	"fmt"
	"math"
)

// Format is the number format of a layer's weights and activations.
type Format uint8

const (
	FP32 Format = iota // float32 weights and activations
	FP16               // IEEE binary16 in memory, float32 arithmetic
	Int8               // uint8 activations with a zero point, int8 weights
	Int4               // uint8 activations with a zero point, int4 weights (two per byte)
)

// Formats lists every format, widest first.
var Formats = []Format{FP32, FP16, Int8, Int4}

func (f Format) String() string {
	switch f {
	case FP32:
		return "fp32"
	case FP16:
		return "fp16"
	case Int8:
		return "int8"
	case Int4:
		return "int4"
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// ParseFormat is the inverse of Format.String.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if f.String() == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown format %q (want fp32, fp16, int8 or int4)", s)
}

// FormatNamed is ParseFormat for look-ups by name: a name that is no format
// gives a Format outside Formats, which no map keyed by format holds, so
// the look-up misses as it would have for the name.
func FormatNamed(s string) Format {
	if f, err := ParseFormat(s); err == nil {
		return f
	}
	return noFormat
}

// noFormat is FormatNamed's answer for a name that is no format.
const noFormat Format = 255

// MarshalText makes a format its name in JSON, map keys included.
func (f Format) MarshalText() ([]byte, error) {
	if int(f) >= len(Formats) {
		return nil, fmt.Errorf("kernels: cannot encode %v", f)
	}
	return []byte(f.String()), nil
}

// UnmarshalText is the inverse of MarshalText.
func (f *Format) UnmarshalText(b []byte) error {
	v, err := ParseFormat(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// WeightBits is the storage width of one weight.
func (f Format) WeightBits() int {
	switch f {
	case FP32:
		return 32
	case FP16:
		return 16
	case Int8:
		return 8
	}
	return 4
}

// ActBits is the storage width of one activation.
func (f Format) ActBits() int {
	switch f {
	case FP32:
		return 32
	case FP16:
		return 16
	}
	return 8
}

// Act is the activation fused into the epilogue.
type Act uint8

const (
	ActNone  Act = iota
	ActReLU      // max(y, 0)
	ActReLU6     // min(max(y, 0), 6)
)

func (a Act) String() string {
	switch a {
	case ActNone:
		return "none"
	case ActReLU:
		return "relu"
	case ActReLU6:
		return "relu6"
	}
	return fmt.Sprintf("act(%d)", uint8(a))
}

// Epilogue is applied to every accumulator of output channel n.
//
// Float formats: y = act(acc*Scale[n] + Bias[n]) (a missing Scale is 1, a
// missing Bias is 0).
//
// Integer formats, bit-exact in every variant (float32 operations, no FMA,
// in this order; s[n] is the combined scale computed at packing time, see
// GEMMQ):
//
//	v := float32(acc)           // int32 -> float32, round to nearest even
//	y := float32(v * s[n])
//	y = y + Bias[n]
//	y = act(y)                  // max(y, 0), then min(y, 6) for ReLU6
//	// float output: y
//	// uint8 output:
//	t := float32(y*invOut) + float32(Out.Zero)   // invOut = 1/Out.Scale
//	t = min(max(t, 0), 255)
//	q := uint8(roundHalfEven(t))
type Epilogue struct {
	Scale []float32 // per output channel; nil means 1
	Bias  []float32 // per output channel; nil means 0
	Act   Act
}

// Quant describes an 8-bit affine tensor: real = Scale * (q - Zero).
type Quant struct {
	Scale float32
	Zero  uint8
}

func (q Quant) valid() error {
	if !(q.Scale > 0) || math.IsInf(float64(q.Scale), 0) {
		return fmt.Errorf("quantization scale %v is not a positive finite number", q.Scale)
	}
	return nil
}

// QuantWeights are weights already quantized symmetrically: real weight
// w[k][n] = Q[k*N+n] * Scale[g*N+n], where g = k/Group (g = 0 when Group is 0).
type QuantWeights struct {
	K, N  int
	Bits  int       // 8: Q in [-128, 127]; 4: Q in [-8, 7]
	Group int       // 0: one scale per output channel; else rows of K per scale (int4 GEMM only)
	Q     []int8    // K x N, row-major
	Scale []float32 // N, or ceil(K/Group) x N
}

// Groups is the number of scale rows.
func (w *QuantWeights) Groups() int {
	if w.Group == 0 {
		return 1
	}
	return (w.K + w.Group - 1) / w.Group
}

func (w *QuantWeights) validate() error {
	if w.K < 0 || w.N < 0 {
		return fmt.Errorf("negative weight shape %dx%d", w.K, w.N)
	}
	if w.Bits != 8 && w.Bits != 4 {
		return fmt.Errorf("weight bits %d, want 8 or 4", w.Bits)
	}
	if w.Group < 0 || (w.Group > 0 && w.Bits != 4) {
		return fmt.Errorf("group size %d is only allowed for 4-bit weights", w.Group)
	}
	if w.Group > 0 && w.Group%4 != 0 {
		return fmt.Errorf("group size %d is not a multiple of 4", w.Group)
	}
	if len(w.Q) != w.K*w.N {
		return fmt.Errorf("weights have %d values, want K*N = %d", len(w.Q), w.K*w.N)
	}
	if len(w.Scale) != w.Groups()*w.N {
		return fmt.Errorf("weights have %d scales, want %d", len(w.Scale), w.Groups()*w.N)
	}
	lo, hi := int8(-128), int8(127)
	if w.Bits == 4 {
		lo, hi = -8, 7
	}
	for i, q := range w.Q {
		if q < lo || q > hi {
			return fmt.Errorf("weight %d is %d, outside [%d, %d] for %d bits", i, q, lo, hi, w.Bits)
		}
	}
	for i, s := range w.Scale {
		if !(s >= 0) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("weight scale %d is %v", i, s)
		}
	}
	return nil
}

func (ep *Epilogue) validate(n int) error {
	if ep.Scale != nil && len(ep.Scale) != n {
		return fmt.Errorf("epilogue has %d scales, want %d", len(ep.Scale), n)
	}
	if ep.Bias != nil && len(ep.Bias) != n {
		return fmt.Errorf("epilogue has %d biases, want %d", len(ep.Bias), n)
	}
	if ep.Act > ActReLU6 {
		return fmt.Errorf("unknown activation %d", ep.Act)
	}
	return nil
}

// biasOrZero returns the bias with a missing one replaced by zeros, so every
// kernel can read Bias[n] unconditionally.
func (ep *Epilogue) biasOrZero(n int) []float32 {
	if ep.Bias != nil {
		return append([]float32(nil), ep.Bias...)
	}
	return make([]float32, n)
}

// scaleOrOne returns the scale with a missing one replaced by ones.
func (ep *Epilogue) scaleOrOne(n int) []float32 {
	if ep.Scale != nil {
		return append([]float32(nil), ep.Scale...)
	}
	s := make([]float32, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// GEMMF32 is C[MxN] = epilogue(A[MxK] x B[KxN]) in float32.
type GEMMF32 struct {
	K, N    int
	Act     Act
	W       []float32 // K x N row-major, as given (the reference reads it)
	Scale   []float32 // N, ones when the epilogue had none
	Bias    []float32 // N, zeros when the epilogue had none
	Variant string    // kernel variant chosen at packing time

	packed []float32 // layout private to the variant
	nAlign int       // a column split must start at a multiple of this
	mTile  int       // rows per microkernel tile (row splits round to it)
}

// PackGEMMF32 packs B (K x N, row-major) for the current variant.
func PackGEMMF32(k, n int, b []float32, ep Epilogue) (*GEMMF32, error) {
	if k < 0 || n < 0 || len(b) != k*n {
		return nil, fmt.Errorf("fp32 GEMM weights: %d values for K=%d N=%d", len(b), k, n)
	}
	if err := ep.validate(n); err != nil {
		return nil, fmt.Errorf("fp32 GEMM: %w", err)
	}
	g := &GEMMF32{K: k, N: n, Act: ep.Act, W: append([]float32(nil), b...),
		Scale: ep.scaleOrOne(n), Bias: ep.biasOrZero(n), nAlign: 1, mTile: 1}
	g.pack()
	return g, nil
}

// GEMMF16 is C[MxN] = epilogue(A[MxK] x B[KxN]) with binary16 A, B and C and
// float32 arithmetic.
type GEMMF16 struct {
	K, N    int
	Act     Act
	W       []uint16 // K x N row-major binary16 (weights rounded to nearest even)
	Scale   []float32
	Bias    []float32
	Variant string

	packed []uint16
	nAlign int
	mTile  int
}

// PackGEMMF16 rounds B (K x N, row-major float32) to binary16 and packs it.
func PackGEMMF16(k, n int, b []float32, ep Epilogue) (*GEMMF16, error) {
	if k < 0 || n < 0 || len(b) != k*n {
		return nil, fmt.Errorf("fp16 GEMM weights: %d values for K=%d N=%d", len(b), k, n)
	}
	if err := ep.validate(n); err != nil {
		return nil, fmt.Errorf("fp16 GEMM: %w", err)
	}
	w := make([]uint16, len(b))
	F32ToF16(w, b)
	g := &GEMMF16{K: k, N: n, Act: ep.Act, W: w, Scale: ep.scaleOrOne(n), Bias: ep.biasOrZero(n), nAlign: 1, mTile: 1}
	g.pack()
	return g, nil
}

// GEMMQ is the integer GEMM: uint8 activations with zero point In.Zero times
// int8 or int4 weights, int32 accumulation, then the integer epilogue (see
// Epilogue) to float32 or to uint8 quantized by Out.
//
// The zero-point correction In.Zero*sum_k(Q[k][n]) is folded into per-column
// (and per-group) int32 constants at packing time, so
// acc[m][n][g] = sum_{k in g} (A[m][k] - In.Zero) * Q[k][n] exactly.
// With groups the float result is y0 = sum over g, in order, of
// float32(float32(acc_g) * S[g][n]) accumulated in float32 starting from 0,
// then y = y0 + Bias[n] as in Epilogue. Without groups that is the Epilogue
// formula with one group.
//
// The uint8 output without groups requantizes in one step, as DepthwiseQ
// does (S8, B8, Lo8, Hi8 folded at packing, see there): the whole-tile
// kernels then spend five float operations per output and clamp with
// saturating packs, where Epilogue's two steps took eight. With groups the
// uint8 output is QuantizeU8(y, InvOut, Out.Zero) as in Epilogue.
type GEMMQ struct {
	K, N     int
	Bits     int // 8 or 4
	Group    int // 0, or rows of K per scale
	Act      Act
	In, Out  Quant
	Q        []int8    // K x N row-major, as given (the reference reads it)
	S        []float32 // combined scales In.Scale*W.Scale[g][n]*ep.Scale[n], Groups x N
	Bias     []float32 // N
	InvOut   float32   // 1 / Out.Scale
	ZeroCorr []int32   // Groups x N: In.Zero * sum_{k in g} Q[k][n]
	S8, B8   []float32 // N, without groups: the uint8 output's scale and offset
	Lo8, Hi8 float32   // without groups: the uint8 output's clamp
	Res      *Quant    // PackGEMMQRes: the uint8 residual's quantization
	R8       float32   // with Res: Res.Scale*InvOut (B8 then holds -R8*Res.Zero too)
	Variant  string

	tFits bool // every t of the uint8 output is in int32 range (see tInt32)

	packed []byte
	nAlign int
	mTile  int
}

// Groups is the number of scale rows (1 without grouping).
func (g *GEMMQ) Groups() int {
	if g.Group == 0 {
		return 1
	}
	return (g.K + g.Group - 1) / g.Group
}

// PackGEMMQ packs quantized weights for the integer GEMM. in is the
// quantization of A; out that of a uint8 C (ignored for float output, but
// must still be valid: pass Quant{Scale: 1}).
func PackGEMMQ(w QuantWeights, in Quant, ep Epilogue, out Quant) (*GEMMQ, error) {
	return packGEMMQ(w, in, ep, out, nil)
}

// PackGEMMQRes packs an integer GEMM whose uint8 output adds a uint8
// residual (quantized by res, laid out as C) before the activation, in the
// one-step requantization (RunRes; weights without groups):
//
//	t := fma32(float32(r), R8, fma32(float32(acc), S8[n], B8[n]))
//	t = min(max(t, max(Lo8, 0)), Hi8)
//	c := uint8(roundHalfEven(t))
//
// with R8 = float32(res.Scale*InvOut) and B8[n] = float32(DepthwiseQ's
// B8[n] - float32(R8*float32(res.Zero))): y + dequant(r) in the output's
// scale, the activation ep.Act applied to the sum.
func PackGEMMQRes(w QuantWeights, in Quant, ep Epilogue, out, res Quant) (*GEMMQ, error) {
	if w.Group != 0 {
		return nil, fmt.Errorf("int%d GEMM: a residual needs weights without groups, got group %d", w.Bits, w.Group)
	}
	if err := res.valid(); err != nil {
		return nil, fmt.Errorf("int%d GEMM residual: %w", w.Bits, err)
	}
	return packGEMMQ(w, in, ep, out, &res)
}

func packGEMMQ(w QuantWeights, in Quant, ep Epilogue, out Quant, res *Quant) (*GEMMQ, error) {
	if err := w.validate(); err != nil {
		return nil, fmt.Errorf("int%d GEMM: %w", w.Bits, err)
	}
	if err := ep.validate(w.N); err != nil {
		return nil, fmt.Errorf("int%d GEMM: %w", w.Bits, err)
	}
	if err := in.valid(); err != nil {
		return nil, fmt.Errorf("int%d GEMM input: %w", w.Bits, err)
	}
	if err := out.valid(); err != nil {
		return nil, fmt.Errorf("int%d GEMM output: %w", w.Bits, err)
	}
	g := &GEMMQ{K: w.K, N: w.N, Bits: w.Bits, Group: w.Group, Act: ep.Act, In: in, Out: out,
		Q: append([]int8(nil), w.Q...), Bias: ep.biasOrZero(w.N), InvOut: 1 / out.Scale,
		nAlign: 1, mTile: 1}
	groups := w.Groups()
	epScale := ep.scaleOrOne(w.N)
	g.S = make([]float32, groups*w.N)
	g.ZeroCorr = make([]int32, groups*w.N)
	for gi := 0; gi < groups; gi++ {
		k0, k1 := 0, w.K
		if w.Group > 0 {
			k0, k1 = gi*w.Group, min((gi+1)*w.Group, w.K)
		}
		for n := 0; n < w.N; n++ {
			g.S[gi*w.N+n] = float32(float32(in.Scale*w.Scale[gi*w.N+n]) * epScale[n])
			var sum int32
			for k := k0; k < k1; k++ {
				sum += int32(w.Q[k*w.N+n])
			}
			g.ZeroCorr[gi*w.N+n] = int32(in.Zero) * sum
		}
	}
	if groups == 1 {
		g.S8, g.B8, g.Lo8, g.Hi8 = foldU8(g.S, g.Bias, g.InvOut, out.Zero, g.Act)
		var rMax float64 // the residual's part of |t|
		if res != nil {
			g.Res = res
			g.R8 = float32(res.Scale * g.InvOut)
			rz := float32(g.R8 * float32(res.Zero))
			for n := range g.B8 {
				g.B8[n] = float32(g.B8[n] - rz)
			}
			rMax = 255 * math.Abs(float64(g.R8))
		}
		g.tFits = tInt32(g.S8, g.B8, rMax, func(n int) (sum int) {
			for k := 0; k < w.K; k++ {
				sum += abs(int(w.Q[k*w.N+n]))
			}
			return sum
		})
	}
	g.pack()
	return g, nil
}

// DepthwiseF32 is a 3x3 depthwise convolution, padding 1, stride 1 or 2, on
// NHWC float32 tensors, with the float epilogue.
type DepthwiseF32 struct {
	C, Stride int
	Act       Act
	W         []float32 // 9 x C: tap (ky*3+kx) major, channel minor
	Scale     []float32
	Bias      []float32
	Variant   string

	packed []float32
}

// DepthwiseF16 is DepthwiseF32 with binary16 weights and activations.
type DepthwiseF16 struct {
	C, Stride int
	Act       Act
	W         []uint16 // 9 x C binary16
	Scale     []float32
	Bias      []float32
	Variant   string

	packed []uint16
}

// DepthwiseQ is the integer 3x3 depthwise convolution: uint8 input with zero
// point In.Zero (padding reads as In.Zero, i.e. real zero), int8 or int4
// weights per channel, the integer epilogue to float32 or uint8.
//
// Float output follows Epilogue. uint8 output requantizes in one step with
// per-channel constants folded at packing time, so the vector kernels spend
// two float operations per output (a fused multiply-add, rounded once, and
// a min) and clamp with saturating packs:
//
//	t := fma32(float32(acc), S8[c], B8[c])
//	t = min(max(t, max(Lo8, 0)), Hi8)
//	q := uint8(roundHalfEven(t))
//
// with S8[c] = float32(S[c]*InvOut), B8[c] = float32(Bias[c]*InvOut) +
// Out.Zero, and the activation bounds moved to the output scale: Lo8 =
// min(lo*InvOut + Out.Zero, 255) (-Inf without a lower bound), Hi8 =
// min(hi*InvOut + Out.Zero, 255). It can differ from Epilogue's uint8 result
// by one step where the two roundings differ.
type DepthwiseQ struct {
	C, Stride int
	Bits      int
	Act       Act
	In, Out   Quant
	Q         []int8    // 9 x C
	S         []float32 // C combined scales In.Scale*W.Scale[c]*ep.Scale[c]
	Bias      []float32
	InvOut    float32
	S8, B8    []float32 // C: the uint8 output's scale and offset (above)
	Lo8, Hi8  float32   // the uint8 output's clamp (above)
	Variant   string

	tFits bool // every t of the uint8 output is in int32 range (see tInt32)

	packed []byte
}

// DepthwiseOut returns the output height or width for an input extent.
func DepthwiseOut(in, stride int) int { return (in-1)/stride + 1 }

func checkDepthwise(c, stride, nw int, ep *Epilogue) error {
	if c < 0 {
		return fmt.Errorf("negative channel count %d", c)
	}
	if stride != 1 && stride != 2 {
		return fmt.Errorf("stride %d, want 1 or 2", stride)
	}
	if nw != 9*c {
		return fmt.Errorf("%d weights, want 9*C = %d", nw, 9*c)
	}
	return ep.validate(c)
}

// PackDepthwiseF32 packs 9 x C weights (tap-major) for the current variant.
func PackDepthwiseF32(c, stride int, w []float32, ep Epilogue) (*DepthwiseF32, error) {
	if err := checkDepthwise(c, stride, len(w), &ep); err != nil {
		return nil, fmt.Errorf("fp32 depthwise: %w", err)
	}
	d := &DepthwiseF32{C: c, Stride: stride, Act: ep.Act, W: append([]float32(nil), w...),
		Scale: ep.scaleOrOne(c), Bias: ep.biasOrZero(c)}
	d.pack()
	return d, nil
}

// PackDepthwiseF16 rounds 9 x C weights to binary16 and packs them.
func PackDepthwiseF16(c, stride int, w []float32, ep Epilogue) (*DepthwiseF16, error) {
	if err := checkDepthwise(c, stride, len(w), &ep); err != nil {
		return nil, fmt.Errorf("fp16 depthwise: %w", err)
	}
	h := make([]uint16, len(w))
	F32ToF16(h, w)
	d := &DepthwiseF16{C: c, Stride: stride, Act: ep.Act, W: h, Scale: ep.scaleOrOne(c), Bias: ep.biasOrZero(c)}
	d.pack()
	return d, nil
}

// PackDepthwiseQ packs quantized weights (K = 9 taps, N = C channels, Group 0).
func PackDepthwiseQ(stride int, w QuantWeights, in Quant, ep Epilogue, out Quant) (*DepthwiseQ, error) {
	if err := w.validate(); err != nil {
		return nil, fmt.Errorf("int%d depthwise: %w", w.Bits, err)
	}
	if w.K != 9 || w.Group != 0 {
		return nil, fmt.Errorf("int%d depthwise: weights %dx%d group %d, want 9xC, group 0", w.Bits, w.K, w.N, w.Group)
	}
	if err := checkDepthwise(w.N, stride, len(w.Q), &ep); err != nil {
		return nil, fmt.Errorf("int%d depthwise: %w", w.Bits, err)
	}
	if err := in.valid(); err != nil {
		return nil, fmt.Errorf("int%d depthwise input: %w", w.Bits, err)
	}
	if err := out.valid(); err != nil {
		return nil, fmt.Errorf("int%d depthwise output: %w", w.Bits, err)
	}
	epScale := ep.scaleOrOne(w.N)
	d := &DepthwiseQ{C: w.N, Stride: stride, Bits: w.Bits, Act: ep.Act, In: in, Out: out,
		Q: append([]int8(nil), w.Q...), S: make([]float32, w.N), Bias: ep.biasOrZero(w.N), InvOut: 1 / out.Scale}
	for c := range d.S {
		d.S[c] = float32(float32(in.Scale*w.Scale[c]) * epScale[c])
	}
	d.foldU8()
	d.pack()
	return d, nil
}

// foldU8 sets the uint8 output's constants S8, B8, Lo8 and Hi8.
func (d *DepthwiseQ) foldU8() {
	d.S8, d.B8, d.Lo8, d.Hi8 = foldU8(d.S, d.Bias, d.InvOut, d.Out.Zero, d.Act)
	d.tFits = tInt32(d.S8, d.B8, 0, func(c int) (sum int) {
		for tap := 0; tap < 9; tap++ {
			sum += abs(int(d.Q[tap*d.C+c]))
		}
		return sum
	})
}

// foldU8 moves the uint8 output step into the output scale, for the
// one-step requantization of requantU8: s8[n] = S[n]*invOut, b8[n] =
// Bias[n]*invOut + zero, and the activation's clamp as lo8, hi8 (see
// DepthwiseQ).
func foldU8(s, bias []float32, invOut float32, zero uint8, act Act) (s8, b8 []float32, lo8, hi8 float32) {
	z := float32(zero)
	s8, b8 = make([]float32, len(s)), make([]float32, len(s))
	for c := range s8 {
		s8[c] = float32(s[c] * invOut)
		b8[c] = float32(float32(bias[c]*invOut) + z)
	}
	lo, hi := ActBounds(act)
	lo8, hi8 = lo, 255
	if !math.IsInf(float64(lo), -1) {
		lo8 = min(float32(float32(lo*invOut)+z), 255)
	}
	if !math.IsInf(float64(hi), 1) {
		hi8 = min(float32(float32(hi*invOut)+z), 255)
	}
	return s8, b8, lo8, hi8
}

// tInt32 reports whether t = fma32(acc, s8[n], b8[n]) stays well inside
// int32 range for every accumulator column n can produce, |acc| <= 255 *
// absSum(n) (the sum of |weights|), plus extra (a residual's part). Then a kernel may convert t to int32
// before clamping it above and clamp the bytes (rounding is monotonic, so
// the result is the same); otherwise it clamps in float. Real layers are
// far inside: |t| is a few hundred output steps.
func tInt32(s8, b8 []float32, extra float64, absSum func(n int) int) bool {
	for n := range s8 {
		t := math.Abs(float64(s8[n]))*255*float64(absSum(n)) + math.Abs(float64(b8[n])) + extra
		if !(t < 1<<30) {
			return false
		}
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// requantU8 is the one-step uint8 output of DepthwiseQ and of GEMMQ
// without groups.
func requantU8(acc int32, s8, b8, lo8, hi8 float32) uint8 {
	t := fma32(float32(acc), s8, b8)
	t = min(max(t, max(lo8, 0)), hi8)
	return uint8(math.RoundToEven(float64(t)))
}

// requantU8Res is requantU8 with GEMMQ's uint8 residual r (PackGEMMQRes).
func requantU8Res(acc int32, r uint8, s8, b8, r8, lo8, hi8 float32) uint8 {
	t := fma32(float32(r), r8, fma32(float32(acc), s8, b8))
	t = min(max(t, max(lo8, 0)), hi8)
	return uint8(math.RoundToEven(float64(t)))
}

// fma32 is a*b + c rounded once to float32, as VFMADD and FMLA compute it.
// The product is exact in float64; the float64 sum s is rounded, and
// rounding s again to float32 differs from rounding the exact sum once only
// when s lies exactly halfway between two float32 values. There the exact
// rounding error of the sum (TwoSum) says on which side the exact sum is.
func fma32(a, b, c float32) float32 {
	p, c64 := float64(a)*float64(b), float64(c)
	s := p + c64
	r := float32(s)
	if float64(r) == s || math.IsInf(s, 0) || math.IsNaN(s) {
		return r
	}
	dir := float32(math.Inf(1)) // the float32 on s's other side from r
	if s < float64(r) {
		dir = -dir
	}
	r2 := math.Nextafter32(r, dir)
	if s != (float64(r)+float64(r2))/2 {
		return r // not a tie: both roundings agree
	}
	bb := s - p
	e := (p - (s - bb)) + (c64 - bb) // exact sum = s + e
	if e != 0 && (e > 0) == (s > float64(r)) {
		return r2 // beyond the tie, away from r
	}
	return r
}

// checkGEMM panics on a call that would read or write out of bounds: these
// are programming errors of the caller, like a slice index out of range.
func checkGEMM(name string, m, k, n, lenA, lda, lenC, ldc int) {
	if m < 0 || lda < k || ldc < n {
		panic(fmt.Sprintf("kernels: %s: bad shape m=%d k=%d n=%d lda=%d ldc=%d", name, m, k, n, lda, ldc))
	}
	if m == 0 {
		return
	}
	if lenA < (m-1)*lda+k || lenC < (m-1)*ldc+n {
		panic(fmt.Sprintf("kernels: %s: A has %d values or C %d, too few for m=%d k=%d n=%d lda=%d ldc=%d",
			name, lenA, lenC, m, k, n, lda, ldc))
	}
}

func checkDW(name string, batch, h, w, c, stride, lenIn, lenOut int) {
	ho, wo := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
	if batch < 0 || h < 1 || w < 1 {
		if batch == 0 {
			return
		}
		panic(fmt.Sprintf("kernels: %s: bad shape n=%d h=%d w=%d", name, batch, h, w))
	}
	if lenIn < batch*h*w*c || lenOut < batch*ho*wo*c {
		panic(fmt.Sprintf("kernels: %s: in has %d values or out %d, too few for %dx%dx%dx%d stride %d",
			name, lenIn, lenOut, batch, h, w, c, stride))
	}
}

// RunOverlapped is Run for A rows that may overlap: row m is
// a[m*lda : m*lda+K] for any lda >= 0, so with lda < K consecutive rows share
// values (a 3x3 convolution reads its patches straight from a column-stacked
// input instead of an im2col copy). Every variant only reads A, so overlapping
// rows are safe; A must still hold (m-1)*lda+K values.
func (g *GEMMF32) RunOverlapped(p *Pool, m int, a []float32, lda int, c []float32, ldc int) {
	if lda >= g.K {
		g.Run(p, m, a, lda, c, ldc)
		return
	}
	if m < 0 || lda < 0 || ldc < g.N {
		panic(fmt.Sprintf("kernels: fp32 GEMM (overlapped): bad shape m=%d k=%d n=%d lda=%d ldc=%d", m, g.K, g.N, lda, ldc))
	}
	if m == 0 || g.N == 0 {
		return
	}
	if len(a) < (m-1)*lda+g.K || len(c) < (m-1)*ldc+g.N {
		panic(fmt.Sprintf("kernels: fp32 GEMM (overlapped): A has %d values or C %d, too few for m=%d k=%d n=%d lda=%d ldc=%d",
			len(a), len(c), m, g.K, g.N, lda, ldc))
	}
	runGEMM(p, &gemmF32Jobs, planSplit(p, m, g.N, g.K, g.mTile, g.nAlign), gemmF32Call{g, a, c, lda, ldc})
}
