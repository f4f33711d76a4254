package kernels

import (
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
