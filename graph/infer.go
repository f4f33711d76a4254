package graph

import (
	"errors"
	"fmt"
	"slices"

	"github.com/aiq-project/aiq/onnx"
)

// broadcast returns the numpy-broadcast shape of a and b.
func broadcast(a, b []int) ([]int, error) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := range r {
		da, db := 1, 1
		if j := i - (r - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (r - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

func normAxis(ax, rank int) (int, error) {
	if ax < 0 {
		ax += rank
	}
	if ax < 0 || ax >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", ax, rank)
	}
	return ax, nil
}

// infer returns n's output tensors (shape and dtype, no data) and normalises
// axis parameters.
func (g *Graph) infer(n *Node) ([]*Tensor, error) {
	in := make([]*Tensor, len(n.Inputs))
	for i, name := range n.Inputs {
		in[i] = g.Values[name]
	}
	f32 := func(s []int) []*Tensor { return []*Tensor{{DType: Float32, Shape: s}} }
	needF := func(ts ...*Tensor) error {
		for _, t := range ts {
			if t != nil && t.DType != Float32 {
				return fmt.Errorf("input %q is %v, want float32", t.Name, t.DType)
			}
		}
		return nil
	}
	switch n.Op {
	case "Conv", "AveragePool", "MaxPool", "ConvInteger", "QLinearConv":
		x := in[0]
		out := &Tensor{DType: Float32}
		switch n.Op {
		case "Conv", "AveragePool":
			if err := needF(in...); err != nil {
				return nil, err
			}
		case "MaxPool":
			out.DType = x.DType
		case "ConvInteger":
			if err := needInt(in...); err != nil {
				return nil, err
			}
			if len(in) > 2 && in[2] != nil && in[2].Len() != 1 {
				return nil, fmt.Errorf("x_zero_point shape %v, want one value", in[2].Shape)
			}
			out.DType, out.Elem = Int64, onnx.Int32
		case "QLinearConv":
			if err := checkQLinear(in, 1); err != nil {
				return nil, err
			}
			out.DType, out.Elem = Int64, in[7].Elem
		}
		c := n.Conv
		cout := x.Shape[1]
		if wi := weightInput[n.Op]; wi > 0 {
			w := in[wi]
			if c.Group < 1 || x.Shape[1] != w.Shape[1]*c.Group || w.Shape[0]%c.Group != 0 {
				return nil, fmt.Errorf("input %v, weights %v and group %d do not match", x.Shape, w.Shape, c.Group)
			}
			cout = w.Shape[0]
			bias := map[string]int{"Conv": 2, "QLinearConv": 8}[n.Op]
			if bias > 0 && len(in) > bias && in[bias] != nil && !slices.Equal(in[bias].Shape, []int{cout}) {
				return nil, fmt.Errorf("bias shape %v, want [%d]", in[bias].Shape, cout)
			}
			// Weight zero points and scales: one, or one per output channel.
			for _, i := range map[string][]int{"ConvInteger": {3}, "QLinearConv": {4, 5}}[n.Op] {
				if i < len(in) && in[i] != nil && in[i].Len() != 1 && !slices.Equal(in[i].Shape, []int{cout}) {
					return nil, fmt.Errorf("input %q shape %v, want one value or [%d]", in[i].Name, in[i].Shape, cout)
				}
			}
		}
		oh, ow := c.outSize(x.Shape[2], x.Shape[3], n.Pool.CeilMode)
		if oh < 1 || ow < 1 {
			return nil, fmt.Errorf("input %v too small for the window", x.Shape)
		}
		out.Shape = []int{x.Shape[0], cout, oh, ow}
		if len(n.Outputs) == 2 { // MaxPool's Indices
			return []*Tensor{out, {DType: Int64, Elem: onnx.Int64, Shape: slices.Clone(out.Shape)}}, nil
		}
		return []*Tensor{out}, nil
	case "MatMulInteger", "QLinearMatMul":
		a, b := in[0], in[1]
		out := &Tensor{DType: Int64, Elem: onnx.Int32}
		if n.Op == "MatMulInteger" {
			if err := needInt(in...); err != nil {
				return nil, err
			}
		} else {
			b = in[3]
			if err := checkQLinear(in, 0); err != nil {
				return nil, err
			}
			out.Elem = in[7].Elem
		}
		s, err := matmulShape(a.Shape, b.Shape)
		if err != nil {
			return nil, err
		}
		out.Shape = s
		if len(a.Shape) < 2 || len(b.Shape) < 2 {
			return nil, fmt.Errorf("shapes %v, %v: 1-D operands not supported", a.Shape, b.Shape)
		}
		// Zero points: one value, or one per row of A / column of B.
		m, nn := a.Shape[len(a.Shape)-2], b.Shape[len(b.Shape)-1]
		zps := map[string][2]int{"MatMulInteger": {2, 3}, "QLinearMatMul": {2, 5}}[n.Op]
		for k, i := range zps {
			if i < len(in) && in[i] != nil && in[i].Len() != 1 && !slices.Equal(in[i].Shape, []int{[]int{m, nn}[k]}) {
				return nil, fmt.Errorf("zero point %q shape %v not supported", in[i].Name, in[i].Shape)
			}
		}
		return []*Tensor{out}, nil
	case "QuantizeLinear":
		return []*Tensor{{DType: Int64, Elem: n.QType, Shape: slices.Clone(in[0].Shape)}}, nil
	case "DequantizeLinear":
		return f32(slices.Clone(in[0].Shape)), nil
	case "ReduceMean":
		var out []int
		for i, d := range in[0].Shape {
			switch {
			case !slices.Contains(n.Axes, i):
				out = append(out, d)
			case n.KeepDims:
				out = append(out, 1)
			}
		}
		return f32(append([]int{}, out...)), needF(in[0])
	case "Sigmoid", "HardSigmoid", "HardSwish":
		return f32(slices.Clone(in[0].Shape)), needF(in[0])
	case "GlobalAveragePool", "GlobalMaxPool":
		if len(in[0].Shape) < 3 {
			return nil, fmt.Errorf("input %v, want rank >= 3", in[0].Shape)
		}
		s := slices.Clone(in[0].Shape)
		for i := 2; i < len(s); i++ {
			s[i] = 1
		}
		return []*Tensor{{DType: in[0].DType, Shape: s}}, needF(in[0])
	case "Gemm":
		if err := needF(in...); err != nil {
			return nil, err
		}
		a, b := in[0].Shape, in[1].Shape
		if len(a) != 2 || len(b) != 2 {
			return nil, fmt.Errorf("shapes %v, %v: want 2-D", a, b)
		}
		m, k := a[0], a[1]
		if n.Gemm.TransA {
			m, k = k, m
		}
		kb, nn := b[0], b[1]
		if n.Gemm.TransB {
			kb, nn = nn, kb
		}
		if k != kb {
			return nil, fmt.Errorf("inner dimensions %v x %v differ", a, b)
		}
		if len(in) > 2 && in[2] != nil {
			if s, err := broadcast([]int{m, nn}, in[2].Shape); err != nil || !slices.Equal(s, []int{m, nn}) {
				return nil, fmt.Errorf("C shape %v does not broadcast to [%d %d]", in[2].Shape, m, nn)
			}
		}
		return f32([]int{m, nn}), nil
	case "MatMul":
		if err := needF(in...); err != nil {
			return nil, err
		}
		s, err := matmulShape(in[0].Shape, in[1].Shape)
		return f32(s), err
	case "Clip":
		for _, t := range in[1:] {
			if t != nil && (t.DType != in[0].DType || t.Len() != 1) {
				return nil, fmt.Errorf("bound %q must be a scalar of the input's type", t.Name)
			}
		}
		return []*Tensor{{DType: in[0].DType, Shape: slices.Clone(in[0].Shape)}}, nil
	case "Relu", "Softmax":
		if n.Op == "Softmax" {
			ax, err := normAxis(n.Axis, len(in[0].Shape))
			if err != nil {
				return nil, err
			}
			n.Axis = ax
		}
		return f32(slices.Clone(in[0].Shape)), needF(in[0])
	case "Identity":
		return []*Tensor{{DType: in[0].DType, Shape: slices.Clone(in[0].Shape)}}, nil
	case "Add", "Sub", "Mul", "Div":
		if in[0].DType != in[1].DType {
			return nil, fmt.Errorf("input types %v and %v differ", in[0].DType, in[1].DType)
		}
		s, err := broadcast(in[0].Shape, in[1].Shape)
		if err != nil {
			return nil, err
		}
		return []*Tensor{{DType: in[0].DType, Shape: s}}, nil
	case ChannelAffine:
		return f32(slices.Clone(in[0].Shape)), nil
	case "BatchNormalization":
		x := in[0]
		if len(x.Shape) < 2 {
			return nil, fmt.Errorf("input %v, want rank >= 2", x.Shape)
		}
		for _, p := range in[1:] {
			if !slices.Equal(p.Shape, []int{x.Shape[1]}) {
				return nil, fmt.Errorf("parameter %q shape %v, want [%d]", p.Name, p.Shape, x.Shape[1])
			}
		}
		return f32(slices.Clone(x.Shape)), needF(in...)
	case "Flatten":
		s := in[0].Shape
		ax := n.Axis
		if ax < 0 {
			ax += len(s)
		}
		if ax < 0 || ax > len(s) {
			return nil, fmt.Errorf("axis %d out of range for %v", n.Axis, s)
		}
		n.Axis = ax
		return []*Tensor{{DType: in[0].DType, Shape: []int{numel(s[:ax]), numel(s[ax:])}}}, nil
	case "Reshape":
		s := in[0].Shape
		out := slices.Clone(n.Shape)
		neg := -1
		for i, d := range out {
			switch {
			case d == 0 && i < len(s):
				out[i] = s[i]
			case d == -1 && neg < 0:
				neg = i
			case d < 1:
				return nil, fmt.Errorf("target shape %v not supported", n.Shape)
			}
		}
		if neg >= 0 {
			out[neg] = 1
			p := numel(out)
			if p == 0 || numel(s)%p != 0 {
				return nil, fmt.Errorf("cannot reshape %v to %v", s, n.Shape)
			}
			out[neg] = numel(s) / p
		}
		if numel(out) != numel(s) {
			return nil, fmt.Errorf("cannot reshape %v to %v", s, n.Shape)
		}
		n.Shape = out
		return []*Tensor{{DType: in[0].DType, Shape: slices.Clone(out)}}, nil
	case "Slice":
		return []*Tensor{{DType: in[0].DType, Shape: slices.Clone(n.Shape)}}, nil
	case "Pad":
		s := slices.Clone(in[0].Shape)
		for i := range s {
			s[i] += n.Pad.Begin[i] + n.Pad.End[i]
		}
		return []*Tensor{{DType: in[0].DType, Shape: s}}, nil
	case "Concat":
		x := in[0]
		ax, err := normAxis(n.Axis, len(x.Shape))
		if err != nil {
			return nil, err
		}
		n.Axis = ax
		out := slices.Clone(x.Shape)
		for _, t := range in[1:] {
			if t.DType != x.DType || len(t.Shape) != len(out) {
				return nil, fmt.Errorf("input %q %v %v does not match %v %v", t.Name, t.DType, t.Shape, x.DType, x.Shape)
			}
			for i := range out {
				if i != ax && t.Shape[i] != out[i] {
					return nil, fmt.Errorf("input %q shape %v does not match %v", t.Name, t.Shape, x.Shape)
				}
			}
			out[ax] += t.Shape[ax]
		}
		return []*Tensor{{DType: x.DType, Shape: out}}, nil
	case "Transpose":
		s := in[0].Shape
		if n.Perm == nil {
			for i := len(s) - 1; i >= 0; i-- {
				n.Perm = append(n.Perm, i)
			}
		}
		if len(n.Perm) != len(s) {
			return nil, fmt.Errorf("perm %v for rank %d", n.Perm, len(s))
		}
		seen := make([]bool, len(s))
		out := make([]int, len(s))
		for i, p := range n.Perm {
			if p < 0 || p >= len(s) || seen[p] {
				return nil, fmt.Errorf("perm %v is not a permutation", n.Perm)
			}
			seen[p] = true
			out[i] = s[p]
		}
		return []*Tensor{{DType: in[0].DType, Shape: out}}, nil
	case "Shape":
		return []*Tensor{{DType: Int64, Elem: onnx.Int64, Shape: []int{len(in[0].Shape)}}}, nil
	case "Gather":
		x, idx := in[0], in[1]
		if idx.DType != Int64 {
			return nil, errors.New("indices must be integers")
		}
		ax, err := normAxis(n.Axis, len(x.Shape))
		if err != nil {
			return nil, err
		}
		n.Axis = ax
		out := append(append(slices.Clone(x.Shape[:ax]), idx.Shape...), x.Shape[ax+1:]...)
		return []*Tensor{{DType: x.DType, Shape: out}}, nil
	case "Unsqueeze":
		s := in[0].Shape
		r := len(s) + len(n.Axes)
		out := make([]int, r)
		for i := range n.Axes {
			ax, err := normAxis(n.Axes[i], r)
			if err != nil {
				return nil, err
			}
			n.Axes[i] = ax
		}
		slices.Sort(n.Axes)
		j := 0
		for i := range out {
			if slices.Contains(n.Axes, i) {
				out[i] = 1
			} else if j < len(s) {
				out[i] = s[j]
				j++
			}
		}
		if j != len(s) || len(slices.Compact(slices.Clone(n.Axes))) != len(n.Axes) {
			return nil, fmt.Errorf("axes %v invalid for %v", n.Axes, s)
		}
		return []*Tensor{{DType: in[0].DType, Shape: out}}, nil
	case "Squeeze":
		s := in[0].Shape
		if n.Axes == nil {
			for i, d := range s {
				if d == 1 {
					n.Axes = append(n.Axes, i)
				}
			}
		}
		for i := range n.Axes {
			ax, err := normAxis(n.Axes[i], len(s))
			if err != nil {
				return nil, err
			}
			if s[ax] != 1 {
				return nil, fmt.Errorf("axis %d of %v is not 1", ax, s)
			}
			n.Axes[i] = ax
		}
		var out []int
		for i, d := range s {
			if !slices.Contains(n.Axes, i) {
				out = append(out, d)
			}
		}
		return []*Tensor{{DType: in[0].DType, Shape: append([]int{}, out...)}}, nil
	case "Cast":
		return []*Tensor{{DType: n.To, Elem: n.QType, Shape: slices.Clone(in[0].Shape)}}, nil
	case "Constant":
		return []*Tensor{{DType: n.Value.DType, Shape: slices.Clone(n.Value.Shape)}}, nil
	case "ConstantOfShape":
		for _, d := range n.Shape {
			if d < 0 {
				return nil, fmt.Errorf("shape %v has a negative dimension", n.Shape)
			}
		}
		if numel(n.Shape) > 1<<28 {
			return nil, fmt.Errorf("shape %v too large", n.Shape)
		}
		return []*Tensor{{DType: n.Value.DType, Shape: slices.Clone(n.Shape)}}, nil
	}
	return nil, errors.New("operator not supported")
}

func needInt(ts ...*Tensor) error {
	for _, t := range ts {
		if t != nil && t.DType != Int64 {
			return fmt.Errorf("input %q is %v, want an integer type", t.Name, t.DType)
		}
	}
	return nil
}

// checkQLinear checks the eight inputs of QLinearConv and QLinearMatMul
// (x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point):
// integer data and zero points, float scales; the scales and zero points of x
// and y are one value, and those of w when perW is 0.
func checkQLinear(in []*Tensor, perW int) error {
	for i, t := range in[:8] {
		if t == nil {
			return fmt.Errorf("input %d is required", i)
		}
		scale := i == 1 || i == 4 || i == 6
		if scale != (t.DType == Float32) {
			return fmt.Errorf("input %q has type %v", t.Name, t.DType)
		}
		if i != 0 && i != 3 && t.Len() != 1 && !(perW > 0 && (i == 4 || i == 5)) {
			return fmt.Errorf("input %q shape %v, want one value", t.Name, t.Shape)
		}
	}
	if len(in) > 8 && in[8] != nil && in[8].DType != Int64 {
		return fmt.Errorf("bias %q is %v, want int32", in[8].Name, in[8].DType)
	}
	if e := in[7].Elem; e != onnx.Uint8 && e != onnx.Int8 {
		return fmt.Errorf("output type %v not supported (want UINT8 or INT8)", e)
	}
	return nil
}

// matmulShape is the numpy matmul shape of a x b; a 1-D a is a row, a 1-D b a
// column, and the added axis is removed from the result.
func matmulShape(a, b []int) ([]int, error) {
	if len(a) == 0 || len(b) == 0 {
		return nil, fmt.Errorf("shapes %v, %v: scalar operand", a, b)
	}
	aa, bb := a, b
	if len(a) == 1 {
		aa = []int{1, a[0]}
	}
	if len(b) == 1 {
		bb = []int{b[0], 1}
	}
	if aa[len(aa)-1] != bb[len(bb)-2] {
		return nil, fmt.Errorf("inner dimensions %v x %v differ", a, b)
	}
	lead, err := broadcast(aa[:len(aa)-2], bb[:len(bb)-2])
	if err != nil {
		return nil, err
	}
	if len(a) > 1 {
		lead = append(lead, aa[len(aa)-2])
	}
	if len(b) > 1 {
		lead = append(lead, bb[len(bb)-1])
	}
	return lead, nil
}

// outSize is the output height and width of the window over an h x w input.
func (c ConvParams) outSize(h, w int, ceil bool) (int, int) {
	o := func(in, k, s, d, p0, p1 int) int {
		span := in + p0 + p1 - ((k-1)*d + 1)
		if span < 0 {
			return 0
		}
		if !ceil {
			return span/s + 1
		}
		out := (span+s-1)/s + 1
		// The last window must start inside the input or its begin padding.
		if (out-1)*s >= in+p0 {
			out--
		}
		return out
	}
	return o(h, c.KH, c.StrideH, c.DilationH, c.PadT, c.PadB), o(w, c.KW, c.StrideW, c.DilationW, c.PadL, c.PadR)
}
