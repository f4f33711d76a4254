package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The From forms of the generic depthwise kernels compute channels [c0, C)
// as the whole kernel does and leave the others alone.
func TestDWGenericFrom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const batch, h, w, c, c0 = 2, 5, 6, 13, 8
	wf := make([]float32, 9*c)
	for i := range wf {
		wf[i] = float32(r.NormFloat64())
	}
	q := QuantWeights{K: 9, N: c, Bits: 8, Q: make([]int8, 9*c), Scale: make([]float32, c)}
	for i := range q.Q {
		q.Q[i] = int8(r.IntN(255) - 127)
	}
	for i := range q.Scale {
		q.Scale[i] = 0.01
	}
	for _, stride := range []int{1, 2} {
		ho, wo := DepthwiseOut(h, stride), DepthwiseOut(w, stride)
		rows, n := batch*ho, batch*ho*wo*c
		ep := Epilogue{Act: ActReLU6}
		d32, _ := PackDepthwiseF32(c, stride, wf, ep)
		d16, _ := PackDepthwiseF16(c, stride, wf, ep)
		dq, _ := PackDepthwiseQ(stride, q, Quant{Scale: 0.05, Zero: 3}, ep, Quant{Scale: 0.03, Zero: 7})
		in32, in16, in8 := make([]float32, batch*h*w*c), make([]uint16, batch*h*w*c), make([]uint8, batch*h*w*c)
		for i := range in32 {
			in32[i], in8[i] = float32(r.NormFloat64()), uint8(r.IntN(256))
			in16[i] = F32ToF16One(in32[i])
		}
		// check compares from (channels [c0, C) into a buffer of sentinels)
		// with all (every channel), as float32.
		check := func(name string, sentinel float32, all, from func(out []float32)) {
			want, got := make([]float32, n), make([]float32, n)
			all(want)
			from(got)
			for i := range got {
				if ch := i % c; ch >= c0 && got[i] != want[i] || ch < c0 && got[i] != sentinel {
					t.Fatalf("%s stride %d: [%d] (channel %d) = %v, want %v", name, stride, i, ch, got[i], want[i])
				}
			}
		}
		fill := func(x []uint16, v uint16) []uint16 {
			for i := range x {
				x[i] = v
			}
			return x
		}
		check("fp32", -1, func(o []float32) { dwF32Generic(d32, h, w, 0, rows, in32, o) }, func(o []float32) {
			for i := range o {
				o[i] = -1
			}
			dwF32GenericFrom(d32, h, w, 0, rows, c0, in32, o)
		})
		check("fp16", -1, func(o []float32) {
			o16 := make([]uint16, n)
			dwF16Generic(d16, h, w, 0, rows, in16, o16)
			F16ToF32(o, o16)
		}, func(o []float32) {
			o16 := fill(make([]uint16, n), F32ToF16One(-1))
			dwF16GenericFrom(d16, h, w, 0, rows, c0, in16, o16)
			F16ToF32(o, o16)
		})
		check("int8/f32", 0, func(o []float32) { dwQGeneric(dq, h, w, 0, rows, in8, nil, o) },
			func(o []float32) { dwQGenericFrom(dq, h, w, 0, rows, c0, in8, nil, o) })
		check("int8", 171, func(o []float32) {
			o8 := make([]uint8, n)
			dwQGeneric(dq, h, w, 0, rows, in8, o8, nil)
			for i, v := range o8 {
				o[i] = float32(v)
			}
		}, func(o []float32) {
			o8 := make([]uint8, n)
			for i := range o8 {
				o8[i] = 171
			}
			dwQGenericFrom(dq, h, w, 0, rows, c0, in8, o8, nil)
			for i, v := range o8 {
				o[i] = float32(v)
			}
		})
	}
}

// TestFMA32 compares fma32 with the exact a*b+c of math/big rounded once
// to float32 (ties to even), on random operands and on sums a hair off a
// float32 tie, where rounding the float64 sum again is one step off.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
		f, _ := x.Float32() // rounds to nearest even
		return f
	}
	check := func(a, b, c float32) {
		t.Helper()
		if got, want := fma32(a, b, c), exact(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%v, %v, %v) = %v, want %v", a, b, c, got, want)
		}
	}
	const u = 1.0 / (1 << 23)
	naiveOff := 0
	for i := 0; i < 100000; i++ {
		a := float32(r.IntN(1<<20) - 1<<19) // an accumulator
		b := float32(r.NormFloat64()) * 0.01
		c := float32(r.NormFloat64() * 100)
		check(a, b, c)
		// (1+u)(1-u)*half = half - half*2^-46: c + that is just below the
		// tie c + half, c+ulp - that just above it; the float64 sum is the
		// tie itself.
		c = float32(1 + r.Float64()*(1<<20))
		ulp := math.Nextafter32(c, 2*c) - c
		half := ulp / 2
		for _, op := range [][3]float32{{1 + u, (1 - u) * half, c}, {-(1 + u), (1 - u) * half, c + ulp}} {
			check(op[0], op[1], op[2])
			if float32(float64(op[0])*float64(op[1])+float64(op[2])) != exact(op[0], op[1], op[2]) {
				naiveOff++
			}
		}
	}
	if naiveOff == 0 {
		t.Fatal("no case where rounding twice is off: the test misses the tie branch")
	}
	check(3, 5, 7)
	check(0, 1, float32(math.Copysign(0, -1)))
}
