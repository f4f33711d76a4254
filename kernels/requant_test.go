package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Tests that tell fused from unfused multiply-adds in the one-step uint8
// requantization, on every level of every architecture.

// requantMulAdd is requantU8 with the product rounded before the add
// (FMUL then FADD), the formula the one-step kernels must not use. The
// conversion of the product keeps the compiler from fusing it.
func requantMulAdd(acc int32, s8, b8, lo8, hi8 float32) uint8 {
	t := float32(float32(float32(acc)*s8) + b8)
	t = min(max(t, max(lo8, 0)), hi8)
	return uint8(math.RoundToEven(float64(t)))
}

// fmaBias returns a bias for a channel whose one-step uint8 output of one
// of accs differs between requantU8 (one FMLA) and requantMulAdd: the sum is
// put on a rounding tie of the output scale and the bias nudged until the
// two formulas round apart. The callers' scales make |acc*S8| large next to
// the output, so the product's rounding error is several ulps of the sum;
// where the product is exact for every acc (S8 with few significant bits,
// small sums) no bias exists, and fmaBias draws the weight scale *wScale
// (as randQuantWeights, hi the largest weight) again.
func fmaBias(t *testing.T, r *rand.Rand, accs []int32, wScale *float32, hi int, in, out Quant, act Act) float32 {
	t.Helper()
	invOut := 1 / out.Scale
	_, _, lo8, hi8 := foldU8([]float32{0}, []float32{0}, invOut, out.Zero, act)
	l, h := int(max(lo8, 0)), int(hi8)
	for scales := 0; scales < 60; scales++ {
		s := float32(in.Scale * *wScale) // S as the packing folds it without Epilogue.Scale
		for try := 0; try < 100; try++ {
			acc := accs[r.IntN(len(accs))]
			if acc == 0 {
				continue
			}
			tie := float64(l+r.IntN(h-l)) + 0.5
			b0 := float32((tie-float64(out.Zero))*float64(out.Scale) - float64(acc)*float64(s))
			for i := 0; i < 64; i++ {
				b := math.Float32frombits(math.Float32bits(b0) + uint32(i/2))
				if i%2 == 1 {
					b = math.Float32frombits(math.Float32bits(b0) - uint32(i/2+1))
				}
				s8, b8, l8, h8 := foldU8([]float32{s}, []float32{b}, invOut, out.Zero, act)
				if requantU8(acc, s8[0], b8[0], l8, h8) != requantMulAdd(acc, s8[0], b8[0], l8, h8) {
					return b
				}
			}
		}
		*wScale = (0.5 + r.Float32()) / float32(hi)
	}
	t.Fatalf("no bias found where FMA and FMUL+FADD round apart (out %+v, act %v, accs %v)", out, act, accs)
	return 0
}

// TestRequantFMA checks that the one-step uint8 output of DepthwiseQ
// and of GEMMQ without groups is one fused multiply-add (FMLA, rounded
// once) as requantU8, not FMUL then FADD. The two differ about once in
// 10^3..10^6 outputs of random data, so each channel's bias is chosen
// (fmaBias) to make them differ on some output, and the test requires at
// least one such output per channel besides the exact match with the
// generic reference. The float output (FMUL, FADD) is checked alongside.
func TestRequantFMA(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	in := Quant{Scale: 0.02, Zero: 131}
	forEachLevel(t, func(t *testing.T, level string) {
		for _, bits := range []int{8, 4} {
			for _, act := range []Act{ActNone, ActReLU, ActReLU6} {
				for _, zero := range []uint8{3, 140} {
					out := Quant{Scale: 0.001 + 0.002*r.Float32(), Zero: zero}
					for _, stride := range []int{1, 2} {
						testDWRequantFMA(t, r, bits, stride, act, in, out)
					}
					for _, k := range []int{1, 9, 38} {
						testGEMMQRequantFMA(t, r, bits, k, act, in, out)
					}
				}
			}
		}
	})
}

// maxWeight is the largest bits-bit weight.
func maxWeight(bits int) int { return 1<<(bits-1) - 1 }

// nonzeroWeights replaces zero weights by the largest value, so that
// even K = 1 gives every column sums large enough for fmaBias.
func nonzeroWeights(w QuantWeights) {
	for i, q := range w.Q {
		if q == 0 {
			w.Q[i] = int8(maxWeight(w.Bits))
		}
	}
}

func testDWRequantFMA(t *testing.T, r *rand.Rand, bits, stride int, act Act, in, out Quant) {
	const batch, h, w, C = 2, 5, 6, 37 // two blocks of 16 and 5 channels in Go
	qw := randQuantWeights(r, quantCases[0], 9, C, bits)
	nonzeroWeights(qw)
	x := make([]uint8, batch*h*w*C)
	for i := range x {
		x[i] = uint8(r.IntN(256))
	}
	ho, wo := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
	accs := make([]int32, batch*ho*wo*C) // NHWC as the output
	for img := 0; img < batch; img++ {
		src := x[img*h*w*C:]
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				o := ((img*ho+oy)*wo + ox) * C
				for c := 0; c < C; c++ {
					dwTaps(h, w, stride, oy, ox, func(tap, pix int) {
						accs[o+c] += (int32(src[pix*C+c]) - int32(in.Zero)) * int32(qw.Q[tap*C+c])
					})
				}
			}
		}
	}
	bias := make([]float32, C)
	col := make([]int32, 0, len(accs)/C)
	for c := range bias {
		col = col[:0]
		for i := c; i < len(accs); i += C {
			col = append(col, accs[i])
		}
		bias[c] = fmaBias(t, r, col, &qw.Scale[c], maxWeight(bits), in, out, act)
	}
	d, err := PackDepthwiseQ(stride, qw, in, Epilogue{Act: act, Bias: bias}, out)
	if err != nil {
		t.Fatal(err)
	}
	shape := fmt.Sprintf("dw int%d %s stride %d act %v out %+v", bits, d.Variant, stride, act, out)
	got8, want8 := make([]uint8, len(accs)), make([]uint8, len(accs))
	d.Run(nil, batch, h, w, x, got8)
	dwQGeneric(d, h, w, 0, batch*ho, x, want8, nil)
	got32, want32 := make([]float32, len(accs)), make([]float32, len(accs))
	d.RunF32(nil, batch, h, w, x, got32)
	dwQGeneric(d, h, w, 0, batch*ho, x, nil, want32)
	apart := make([]bool, C)
	for i := range got8 {
		c := i % C
		if got8[i] != want8[i] {
			t.Fatalf("%s: out[%d] channel %d = %d, want %d (FMUL+FADD gives %d)", shape, i, c, got8[i], want8[i],
				requantMulAdd(accs[i], d.S8[c], d.B8[c], d.Lo8, d.Hi8))
		}
		if math.Float32bits(got32[i]) != math.Float32bits(want32[i]) {
			t.Fatalf("%s float out: out[%d] = %v, want %v", shape, i, got32[i], want32[i])
		}
		if want8[i] != requantMulAdd(accs[i], d.S8[c], d.B8[c], d.Lo8, d.Hi8) {
			apart[c] = true
		}
	}
	for c, ok := range apart {
		if !ok {
			t.Fatalf("%s: channel %d has no output where FMA and FMUL+FADD differ", shape, c)
		}
	}
}

func testGEMMQRequantFMA(t *testing.T, r *rand.Rand, bits, k int, act Act, in, out Quant) {
	const m, n = 27, 37 // a short row tile and a partial panel
	qc := quantCases[0] // no groups: the one-step output
	w := randQuantWeights(r, qc, k, n, bits)
	nonzeroWeights(w)
	a := make([]uint8, m*k)
	for i := range a {
		a[i] = uint8(r.IntN(256))
	}
	accs := make([]int32, m*n)
	for i := range accs {
		for kk := 0; kk < k; kk++ {
			accs[i] += (int32(a[i/n*k+kk]) - int32(in.Zero)) * int32(w.Q[kk*n+i%n])
		}
	}
	bias := make([]float32, n)
	col := make([]int32, m)
	for j := range bias {
		for row := range col {
			col[row] = accs[row*n+j]
		}
		bias[j] = fmaBias(t, r, col, &w.Scale[j], maxWeight(bits), in, out, act)
	}
	g, err := PackGEMMQ(w, in, Epilogue{Act: act, Bias: bias}, out)
	if err != nil {
		t.Fatal(err)
	}
	if g.Groups() != 1 {
		t.Fatalf("%d groups, want 1", g.Groups())
	}
	shape := fmt.Sprintf("gemm int%d %s %dx%dx%d act %v out %+v", bits, g.Variant, m, n, k, act, out)
	got8, want8 := make([]uint8, m*n), make([]uint8, m*n)
	g.Run(nil, m, a, k, got8, n)
	gemmQGeneric(g, 0, m, 0, n, a, k, want8, nil, n, nil)
	got32, want32 := make([]float32, m*n), make([]float32, m*n)
	g.RunF32(nil, m, a, k, got32, n)
	gemmQGeneric(g, 0, m, 0, n, a, k, nil, want32, n, nil)
	apart := make([]bool, n)
	for i := range got8 {
		j := i % n
		if got8[i] != want8[i] {
			t.Fatalf("%s: C[%d][%d] = %d, want %d (FMUL+FADD gives %d)", shape, i/n, j, got8[i], want8[i],
				requantMulAdd(accs[i], g.S8[j], g.B8[j], g.Lo8, g.Hi8))
		}
		if math.Float32bits(got32[i]) != math.Float32bits(want32[i]) {
			t.Fatalf("%s float out: C[%d][%d] = %v, want %v", shape, i/n, j, got32[i], want32[i])
		}
		if want8[i] != requantMulAdd(accs[i], g.S8[j], g.B8[j], g.Lo8, g.Hi8) {
			apart[j] = true
		}
	}
	for j, ok := range apart {
		if !ok {
			t.Fatalf("%s: column %d has no output where FMA and FMUL+FADD differ", shape, j)
		}
	}
}

// requantResAlt is requantU8Res computed by a formula the residual kernels
// must not use: alt 0 rounds the first product before its add (FMUL then
// FADD), alt 1 the residual's product, alt 2 adds the residual to B8 first.
// The conversions of the products keep the compiler from fusing them.
func requantResAlt(alt int, acc int32, r uint8, s8, b8, r8, lo8, hi8 float32) uint8 {
	var t float32
	switch alt {
	case 0:
		t = fma32(float32(r), r8, float32(float32(float32(acc)*s8)+b8))
	case 1:
		t = float32(fma32(float32(acc), s8, b8) + float32(float32(r)*r8))
	default:
		t = fma32(float32(acc), s8, fma32(float32(r), r8, b8))
	}
	t = min(max(t, max(lo8, 0)), hi8)
	return uint8(math.RoundToEven(float64(t)))
}

// foldRes is the packing's fold of one column of a GEMMQ with a residual
// (packGEMMQ with PackGEMMQRes's res, without Epilogue.Scale).
func foldRes(s, b float32, out, res Quant, act Act) (s8, b8, r8, lo8, hi8 float32) {
	invOut := 1 / out.Scale
	s8s, b8s, lo8, hi8 := foldU8([]float32{s}, []float32{b}, invOut, out.Zero, act)
	r8 = float32(res.Scale * invOut)
	return s8s[0], float32(b8s[0] - float32(r8*float32(res.Zero))), r8, lo8, hi8
}

// resFMABias is fmaBias for the residual output: it returns a bias, a row
// of accs and a residual value for it whose output differs between
// requantU8Res and requantResAlt(alt), the exact sum put on a rounding tie
// of the output scale and the bias nudged until the two round apart.
func resFMABias(t *testing.T, r *rand.Rand, accs []int32, wScale *float32, hi int, in, out, res Quant, act Act, alt int) (float32, int, uint8) {
	t.Helper()
	_, _, _, lo8, hi8 := foldRes(0, 0, out, res, act)
	l, h := int(max(lo8, 0)), int(hi8)
	for scales := 0; scales < 60; scales++ {
		s := float32(in.Scale * *wScale)
		for try := 0; try < 100; try++ {
			row := r.IntN(len(accs))
			acc, rv := accs[row], uint8(1+r.IntN(255))
			if acc == 0 {
				continue
			}
			tie := float64(l+r.IntN(h-l)) + 0.5
			b0 := float32((tie-float64(out.Zero))*float64(out.Scale) - float64(acc)*float64(s) -
				float64(res.Scale)*(float64(rv)-float64(res.Zero)))
			for i := 0; i < 64; i++ {
				b := math.Float32frombits(math.Float32bits(b0) + uint32(i/2))
				if i%2 == 1 {
					b = math.Float32frombits(math.Float32bits(b0) - uint32(i/2+1))
				}
				s8, b8, r8, l8, h8 := foldRes(s, b, out, res, act)
				if requantU8Res(acc, rv, s8, b8, r8, l8, h8) != requantResAlt(alt, acc, rv, s8, b8, r8, l8, h8) {
					return b, row, rv
				}
			}
		}
		*wScale = (0.5 + r.Float32()) / float32(hi)
	}
	t.Fatalf("no bias found where requantU8Res and alternative %d round apart (out %+v, res %+v, act %v, accs %v)", alt, out, res, act, accs)
	return 0, 0, 0
}

// TestResFMA checks that the uint8 output of GEMMQ with a residual
// (RunRes, output mode 3) is requantU8Res's two FMLAs in its order, each
// rounded once: every column gets a bias and one residual value (resFMABias)
// where one of the wrong formulas (requantResAlt, by column) rounds apart,
// and every output must match the generic reference. Random data hardly
// ever tells the formulas apart (see TestRequantFMA).
func TestResFMA(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	in := Quant{Scale: 0.02, Zero: 131}
	forEachLevel(t, func(t *testing.T, level string) {
		for _, bits := range []int{8, 4} {
			for _, act := range []Act{ActNone, ActReLU, ActReLU6} {
				for _, zero := range []uint8{3, 140} {
					out := Quant{Scale: 0.001 + 0.002*r.Float32(), Zero: zero}
					res := Quant{Scale: 0.01 + 0.05*r.Float32(), Zero: uint8(r.IntN(256))}
					for _, k := range []int{1, 9, 38} {
						testGEMMQResFMA(t, r, bits, k, act, in, out, res)
					}
				}
			}
		}
	})
}

func testGEMMQResFMA(t *testing.T, r *rand.Rand, bits, k int, act Act, in, out, res Quant) {
	const m, n = 27, 37 // a short row tile and a partial panel
	w := randQuantWeights(r, quantCases[0], k, n, bits)
	nonzeroWeights(w)
	a := make([]uint8, m*k)
	for i := range a {
		a[i] = uint8(r.IntN(256))
	}
	rv := make([]uint8, m*n)
	for i := range rv {
		rv[i] = uint8(r.IntN(256))
	}
	accs := make([]int32, m*n)
	for i := range accs {
		for kk := 0; kk < k; kk++ {
			accs[i] += (int32(a[i/n*k+kk]) - int32(in.Zero)) * int32(w.Q[kk*n+i%n])
		}
	}
	bias := make([]float32, n)
	col := make([]int32, m)
	for j := range bias {
		for row := range col {
			col[row] = accs[row*n+j]
		}
		b, row, v := resFMABias(t, r, col, &w.Scale[j], maxWeight(bits), in, out, res, act, j%3)
		bias[j], rv[row*n+j] = b, v
	}
	g, err := PackGEMMQRes(w, in, Epilogue{Act: act, Bias: bias}, out, res)
	if err != nil {
		t.Fatal(err)
	}
	shape := fmt.Sprintf("gemm res int%d %s %dx%dx%d act %v out %+v res %+v", bits, g.Variant, m, n, k, act, out, res)
	for j := range bias {
		s8, b8, r8, lo8, hi8 := foldRes(float32(in.Scale*w.Scale[j]), bias[j], out, res, act)
		if s8 != g.S8[j] || b8 != g.B8[j] || r8 != g.R8 || lo8 != g.Lo8 || hi8 != g.Hi8 {
			t.Fatalf("%s: column %d packed S8 %v B8 %v R8 %v [%v, %v], the test folds %v %v %v [%v, %v]",
				shape, j, g.S8[j], g.B8[j], g.R8, g.Lo8, g.Hi8, s8, b8, r8, lo8, hi8)
		}
	}
	got, want := make([]uint8, m*n), make([]uint8, m*n)
	g.RunRes(nil, m, a, k, got, n, rv)
	gemmQGeneric(g, 0, m, 0, n, a, k, want, nil, n, rv)
	apart := make([]bool, n)
	for i := range got {
		j := i % n
		alt := requantResAlt(j%3, accs[i], rv[i], g.S8[j], g.B8[j], g.R8, g.Lo8, g.Hi8)
		if got[i] != want[i] {
			t.Fatalf("%s: C[%d][%d] = %d, want %d (alternative %d gives %d)", shape, i/n, j, got[i], want[i], j%3, alt)
		}
		if want[i] != alt {
			apart[j] = true
		}
	}
	for j, ok := range apart {
		if !ok {
			t.Fatalf("%s: column %d has no output where alternative %d rounds apart", shape, j, j%3)
		}
	}
}
