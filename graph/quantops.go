package graph

import (
	"fmt"
	"math"

	"github.com/aiq-project/aiq/onnx"
)

// Reference semantics of the quantized operators, as ONNX specifies them:
// integer products are exact in int64, requantization rounds half to even
// and saturates to the output's element type.

// wrapInt makes v a value of integer type e as two's-complement arithmetic
// in that type would (int64 and unknown types are left as they are).
func wrapInt(e onnx.DataType, v int64) int64 {
	switch e {
	case onnx.Uint8, onnx.Bool:
		return int64(uint8(v))
	case onnx.Int8:
		return int64(int8(v))
	case onnx.Uint16:
		return int64(uint16(v))
	case onnx.Int16:
		return int64(int16(v))
	case onnx.Uint32:
		return int64(uint32(v))
	case onnx.Int32:
		return int64(int32(v))
	case onnx.Uint4:
		return v & 0xf
	case onnx.Int4:
		return (v&0xf ^ 8) - 8
	}
	return v
}

// saturate rounds v half to even and clamps it to the range of e.
func saturate(e onnx.DataType, v float64) int64 {
	r := quantRange[e]
	v = math.RoundToEven(v)
	return int64(min(max(v, float64(r[0])), float64(r[1])))
}

// quantIndex maps flat index i of x (shape s) to the index of its scale and
// zero point: 0 per tensor, the index along axis per axis, the block's index
// when blocked.
func quantIndex(n *Node, s []int, scale *Tensor) func(i int) int {
	if scale.Len() == 1 && n.BlockSize == 0 {
		return func(int) int { return 0 }
	}
	inner := numel(s[n.Axis+1:])
	d := s[n.Axis]
	if n.BlockSize == 0 {
		return func(i int) int { return i / inner % d }
	}
	nb := scale.Shape[n.Axis]
	return func(i int) int {
		outer, a, in := i/(inner*d), i/inner%d, i%inner
		return (outer*nb+a/n.BlockSize)*inner + in
	}
}

func zeroPoints(in []*Tensor, i int) func(j int) int64 {
	if i >= len(in) || in[i] == nil {
		return func(int) int64 { return 0 }
	}
	zp := in[i].I
	if len(zp) == 1 {
		return func(int) int64 { return zp[0] }
	}
	return func(j int) int64 { return zp[j] }
}

// quantizeLinear: y = saturate(round(x / scale) + zero_point), the division in float32.
func quantizeLinear(n *Node, in []*Tensor, o *Tensor) {
	x, scale := in[0], in[1]
	at, zp := quantIndex(n, x.Shape, scale), zeroPoints(in, 2)
	for i, v := range x.F {
		k := at(i)
		q := math.RoundToEven(float64(v / scale.F[k]))
		o.I[i] = saturate(o.Elem, q+float64(zp(k)))
	}
}

// dequantizeLinear: y = (x - zero_point) * scale in float32.
func dequantizeLinear(n *Node, in []*Tensor, o *Tensor) {
	x, scale := in[0], in[1]
	at, zp := quantIndex(n, x.Shape, scale), zeroPoints(in, 2)
	for i, v := range x.I {
		k := at(i)
		o.F[i] = float32(v-zp(k)) * scale.F[k]
	}
}

// convInt is the integer convolution sum over (x - xzp) * (w - wzp[oc]) (+ bias[oc]).
func convInt(c ConvParams, x *Tensor, xzp int64, w *Tensor, wzp func(oc int) int64, bias []int64, o []int64, oshape []int) {
	nb, cin, h, wd := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	cout, oh, ow := oshape[1], oshape[2], oshape[3]
	cpg, opg := cin/c.Group, cout/c.Group
	parallel(nb*cout, func(job int) {
		b, oc := job/cout, job%cout
		g := oc / opg
		zw := wzp(oc)
		for y := range oh {
			for xx := range ow {
				var s int64
				if bias != nil {
					s = bias[oc]
				}
				for ic := range cpg {
					for kh := range c.KH {
						iy := y*c.StrideH + kh*c.DilationH - c.PadT
						if iy < 0 || iy >= h {
							continue
						}
						for kw := range c.KW {
							ix := xx*c.StrideW + kw*c.DilationW - c.PadL
							if ix < 0 || ix >= wd {
								continue // padding is the zero point: (xzp - xzp) = 0
							}
							xv := x.I[((b*cin+g*cpg+ic)*h+iy)*wd+ix] - xzp
							s += xv * (w.I[((oc*cpg+ic)*c.KH+kh)*c.KW+kw] - zw)
						}
					}
				}
				o[((b*cout+oc)*oh+y)*ow+xx] = s
			}
		}
	})
}

// matmulInt is the batched integer matmul of (a - azp[row]) x (b - bzp[col]).
func matmulInt(a, b *Tensor, azp, bzp func(int) int64, o []int64, oshape []int) {
	r := len(oshape)
	m, nn, k := oshape[r-2], oshape[r-1], a.Shape[len(a.Shape)-1]
	aLead := append(append([]int{}, a.Shape[:len(a.Shape)-2]...), 1, 1)
	bLead := append(append([]int{}, b.Shape[:len(b.Shape)-2]...), 1, 1)
	oLead := append(append([]int{}, oshape[:r-2]...), 1, 1)
	for bi := range numel(oshape[:r-2]) {
		af := a.I[bcastIndex(aLead, oLead, bi)*m*k:]
		bf := b.I[bcastIndex(bLead, oLead, bi)*k*nn:]
		of := o[bi*m*nn:]
		for i := range m {
			for j := range nn {
				var s int64
				for l := range k {
					s += (af[i*k+l] - azp(i)) * (bf[l*nn+j] - bzp(j))
				}
				of[i*nn+j] = s
			}
		}
	}
}

// requantize writes saturate(round(acc * xs*ws[c]/ys) + yzp) as ONNX's
// reference computes it: the multiplier in float32, the product in float64.
func requantize(acc []int64, o *Tensor, xs float32, ws []float32, chanOf func(i int) int, ys float32, yzp int64) {
	for i, v := range acc {
		w := ws[0]
		if len(ws) > 1 {
			w = ws[chanOf(i)]
		}
		m := xs * w / ys
		o.I[i] = saturate(o.Elem, float64(v)*float64(m)+float64(yzp))
	}
}

// evalQuant computes the integer and quantized operators.
func evalQuant(n *Node, in []*Tensor, o *Tensor) error {
	switch n.Op {
	case "QuantizeLinear":
		quantizeLinear(n, in, o)
	case "DequantizeLinear":
		dequantizeLinear(n, in, o)
	case "ConvInteger":
		convInt(n.Conv, in[0], zeroPoints(in, 2)(0), in[1], zeroPoints(in, 3), nil, o.I, o.Shape)
	case "QLinearConv":
		var bias []int64
		if len(in) > 8 && in[8] != nil {
			bias = in[8].I
		}
		acc := make([]int64, o.Len())
		convInt(n.Conv, in[0], in[2].I[0], in[3], zeroPoints(in, 5), bias, acc, o.Shape)
		plane := o.Shape[2] * o.Shape[3]
		c := o.Shape[1]
		requantize(acc, o, in[1].F[0], in[4].F, func(i int) int { return i / plane % c }, in[6].F[0], in[7].I[0])
	case "MatMulInteger":
		matmulInt(in[0], in[1], zeroPoints(in, 2), zeroPoints(in, 3), o.I, o.Shape)
	case "QLinearMatMul":
		acc := make([]int64, o.Len())
		matmulInt(in[0], in[3], zeroPoints(in, 2), zeroPoints(in, 5), acc, o.Shape)
		requantize(acc, o, in[1].F[0], in[4].F, nil, in[6].F[0], in[7].I[0])
	default:
		return fmt.Errorf("operator %s has no reference implementation", n.Op)
	}
	return nil
}
