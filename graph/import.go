package graph

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/aiq-project/aiq/onnx"
)

// Load reads the ONNX model at path and imports it for batch size batch.
func Load(path string, batch int) (*Graph, error) {
	m, err := onnx.ReadFile(path)
	if err != nil {
		return nil, err
	}
	g, err := FromONNX(m, batch)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// FromONNX imports m for batch size batch: shapes inferred, constants folded,
// parameters typed, and the simplifications described in the package doc
// applied. Unsupported operators or attribute values are errors naming the node.
func FromONNX(m *onnx.Model, batch int) (*Graph, error) {
	if batch < 1 {
		return nil, fmt.Errorf("graph: batch size %d, want >= 1", batch)
	}
	for dom, v := range m.Opsets {
		// 22..25 change none of the supported operators except by new
		// element types and attributes, which are checked per node.
		if dom == "" && (v < 7 || v > 25) {
			return nil, fmt.Errorf("graph: opset %d not supported (7..25)", v)
		}
	}
	og := m.Graph
	g := &Graph{Name: og.Name, Batch: batch, Values: map[string]*Tensor{}, opset: m.Opsets[""]}
	for _, t := range og.Initializers {
		ct, err := fromONNXTensor(t)
		if err != nil {
			return nil, fmt.Errorf("graph: initializer %q: %w", t.Name, err)
		}
		g.Values[t.Name] = ct
	}
	for _, in := range og.Inputs {
		if _, isInit := g.Values[in.Name]; isInit {
			continue
		}
		if !in.HasShape {
			return nil, fmt.Errorf("graph: input %q has no shape", in.Name)
		}
		shape := make([]int, len(in.Dims))
		for i, d := range in.Dims {
			switch {
			case d > 0 || d == 0 && i > 0:
				shape[i] = int(d)
			case i == 0:
				shape[i] = batch // the batch dimension, symbolic, unknown or 0
			default:
				return nil, fmt.Errorf("graph: input %q dimension %d is not fixed (%q)", in.Name, i, in.DimParams[i])
			}
		}
		// The first input carries the batch; others (a second operand, a
		// scale) keep the sizes they declare.
		if i0 := in.Dims; len(g.Inputs) == 0 && len(i0) > 0 && i0[0] > 0 && int(i0[0]) != batch {
			return nil, fmt.Errorf("graph: input %q has fixed batch %d, asked for %d", in.Name, i0[0], batch)
		}
		t := &Tensor{Name: in.Name, DType: Float32, Shape: shape}
		switch {
		case in.ElemType == onnx.String:
			return nil, fmt.Errorf("graph: input %q: string tensors not supported", in.Name)
		case !in.ElemType.IsFloat():
			t.DType, t.Elem = Int64, in.ElemType
		}
		g.Values[in.Name] = t
		g.Inputs = append(g.Inputs, in.Name)
	}
	for i, on := range og.Nodes {
		n := &Node{Name: on.Name, Op: on.OpType, Inputs: slices.Clone(on.Inputs), Outputs: slices.Clone(on.Outputs)}
		for len(n.Outputs) > 0 && n.Outputs[len(n.Outputs)-1] == "" {
			n.Outputs = n.Outputs[:len(n.Outputs)-1] // omitted optional outputs
		}
		if n.Name == "" {
			n.Name = fmt.Sprintf("%s_%d", on.OpType, i)
		}
		if on.Domain != "" && on.Domain != "ai.onnx" {
			return nil, fmt.Errorf("graph: node %q: operator domain %q not supported", n.Name, on.Domain)
		}
		add := g.add
		if g.is1D(n) {
			add = g.add1D
		}
		if err := add(n, on); err != nil {
			return nil, fmt.Errorf("graph: node %q (%s): %w", n.Name, n.Op, err)
		}
	}
	for _, o := range og.Outputs {
		if g.Values[o.Name] == nil {
			return nil, fmt.Errorf("graph: output %q is not computed by any node", o.Name)
		}
		g.Outputs = append(g.Outputs, o.Name)
	}
	if err := g.simplify(); err != nil {
		return nil, err
	}
	return g, nil
}

func fromONNXTensor(t *onnx.Tensor) (*Tensor, error) {
	shape := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		shape[i] = int(d)
	}
	ct := &Tensor{Name: t.Name, Shape: shape}
	if t.DataType.IsFloat() {
		ct.DType, ct.F = Float32, t.Floats
		if ct.F == nil {
			ct.F = []float32{}
		}
	} else if t.DataType == onnx.String {
		return nil, errors.New("string tensors not supported")
	} else {
		ct.DType, ct.I, ct.Elem = Int64, t.Ints, t.DataType
		if ct.I == nil {
			ct.I = []int64{}
		}
	}
	if len(ct.F)+len(ct.I) != numel(shape) {
		return nil, fmt.Errorf("%d elements for shape %v", len(ct.F)+len(ct.I), shape)
	}
	return ct, nil
}

// attrs gives checked access to a node's attributes; every attribute the op
// does not read is an error, since ignoring one could change the result.
type attrs struct {
	on   *onnx.Node
	used map[string]bool
	err  error
}

func (a *attrs) get(name string, typ onnx.AttrType) *onnx.Attribute {
	a.used[name] = true
	at := a.on.Attr(name)
	if at == nil {
		return nil
	}
	if at.Type != typ && a.err == nil {
		a.err = fmt.Errorf("attribute %s has type %v, want %v", name, at.Type, typ)
		return nil
	}
	return at
}

func (a *attrs) int(name string, def int64) int64 {
	if at := a.get(name, onnx.AttrInt); at != nil {
		return at.I
	}
	return def
}

func (a *attrs) float(name string, def float32) float32 {
	if at := a.get(name, onnx.AttrFloat); at != nil {
		return at.F
	}
	return def
}

func (a *attrs) ints(name string) []int64 {
	if at := a.get(name, onnx.AttrInts); at != nil {
		return at.Ints
	}
	return nil
}

func (a *attrs) str(name, def string) string {
	if at := a.get(name, onnx.AttrString); at != nil {
		return string(at.S)
	}
	return def
}

func (a *attrs) finish() error {
	if a.err != nil {
		return a.err
	}
	for _, at := range a.on.Attrs {
		if !a.used[at.Name] {
			return fmt.Errorf("attribute %s not supported", at.Name)
		}
	}
	return nil
}

// constInput returns input i if it is present and constant, nil if omitted.
func (g *Graph) constInput(n *Node, i int, what string) (*Tensor, error) {
	if i >= len(n.Inputs) || n.Inputs[i] == "" {
		return nil, nil
	}
	t := g.constOf(n.Inputs[i])
	if t == nil {
		return nil, fmt.Errorf("input %d (%s) must be constant", i, what)
	}
	return t, nil
}

// constOf returns the value of v if it is constant, or computable from
// constants through the QuantizeLinear/DequantizeLinear nodes the importer
// keeps (a quantized model's pad value or clip bound); else nil.
func (g *Graph) constOf(v string) *Tensor {
	t := g.Values[v]
	if t == nil || t.Const() {
		return t
	}
	p := g.producer(v)
	if p == nil || p.Op != "QuantizeLinear" && p.Op != "DequantizeLinear" {
		return nil
	}
	ins := make([]*Tensor, len(p.Inputs))
	for i, in := range p.Inputs {
		if in != "" {
			if ins[i] = g.constOf(in); ins[i] == nil {
				return nil
			}
		}
	}
	o := &Tensor{Name: v, DType: t.DType, Elem: t.Elem, Shape: t.Shape}
	o.alloc()
	if eval(p, ins, []*Tensor{o}) != nil {
		return nil
	}
	return o
}

func ints(t *Tensor) []int {
	if t == nil {
		return nil
	}
	r := make([]int, t.Len())
	for i := range r {
		if t.DType == Int64 {
			r[i] = int(t.I[i])
		} else {
			r[i] = int(t.F[i])
		}
	}
	return r
}

func toInts(v []int64) []int {
	if v == nil {
		return nil
	}
	r := make([]int, len(v))
	for i, x := range v {
		r[i] = int(x)
	}
	return r
}

// add parses n's attributes, resolves constant parameter inputs, infers the
// output shapes and either folds n into constants or appends it to g.Nodes.
func (g *Graph) add(n *Node, on *onnx.Node) error {
	for _, in := range n.Inputs {
		if in != "" && g.Values[in] == nil {
			return fmt.Errorf("input %q is not defined before use", in)
		}
	}
	for _, o := range n.Outputs {
		if o != "" && g.Values[o] != nil {
			return fmt.Errorf("output %q is defined twice", o)
		}
	}
	if err := checkArity(n); err != nil {
		return err
	}
	a := &attrs{on: on, used: map[string]bool{}}
	if err := g.parse(n, a); err != nil {
		return err
	}
	if err := a.finish(); err != nil {
		return err
	}
	outs, err := g.infer(n)
	if err != nil {
		return err
	}
	if len(outs) != len(n.Outputs) {
		return fmt.Errorf("%d outputs, op produces %d", len(n.Outputs), len(outs))
	}
	for _, o := range outs {
		// Corrupt pads or shapes must not overflow an element count.
		size := 1
		for _, d := range o.Shape {
			if d < 0 || d > 0 && size > (1<<40)/d {
				return fmt.Errorf("output shape %v is negative or too large", o.Shape)
			}
			size *= d
		}
	}
	for i, o := range outs {
		o.Name = n.Outputs[i]
		// Integer results of data movement and arithmetic keep the input's type.
		if x := g.Values[firstInput(n)]; o.DType == Int64 && o.Elem == 0 && x != nil && x.DType == Int64 {
			o.Elem = x.Elem
		}
		g.Values[o.Name] = o
	}
	fold := n.Op == "Shape" || n.Op == "Constant" || n.Op == "ConstantOfShape"
	// Quantize/dequantize nodes stay nodes even on constants (weights): the
	// quantization they describe is read from the graph, not their values.
	if !fold && n.Op != "QuantizeLinear" && n.Op != "DequantizeLinear" {
		fold = true
		for _, in := range n.Inputs {
			if in != "" && !g.Values[in].Const() {
				fold = false
			}
		}
	}
	if !fold {
		g.Nodes = append(g.Nodes, n)
		return nil
	}
	ins := make([]*Tensor, len(n.Inputs))
	for i, in := range n.Inputs {
		ins[i] = g.Values[in]
	}
	for _, o := range outs {
		o.alloc()
	}
	return eval(n, ins, outs)
}

// alloc gives t zeroed storage of its shape and dtype.
func (t *Tensor) alloc() {
	if t.DType == Int64 {
		t.I = make([]int64, t.Len())
	} else {
		t.F = make([]float32, t.Len())
	}
}

// arity is the [min, max] input count of each operator; the first min
// inputs are required. -1 means any number.
var arity = map[string][2]int{
	"Conv": {2, 3}, "Gemm": {2, 3}, "MatMul": {2, 2}, "Relu": {1, 1}, "Clip": {1, 3},
	"Add": {2, 2}, "Sub": {2, 2}, "Mul": {2, 2}, "Div": {2, 2}, "AveragePool": {1, 1},
	"GlobalAveragePool": {1, 1}, "MaxPool": {1, 1}, "Flatten": {1, 1}, "Reshape": {2, 2},
	"BatchNormalization": {5, 5}, "Slice": {1, 5}, "Pad": {1, 4}, "Concat": {1, -1},
	"Transpose": {1, 1}, "Identity": {1, 1}, "Shape": {1, 1}, "Gather": {2, 2},
	"Unsqueeze": {1, 2}, "Squeeze": {1, 2}, "ConstantOfShape": {1, 1}, "Cast": {1, 1},
	"Constant": {0, 0}, "Softmax": {1, 1}, "Dropout": {1, 3},
	"Sigmoid": {1, 1}, "HardSigmoid": {1, 1}, "HardSwish": {1, 1}, "GlobalMaxPool": {1, 1},
	"ReduceMean": {1, 2}, "QuantizeLinear": {2, 3}, "DequantizeLinear": {2, 3},
	"QLinearConv": {8, 9}, "QLinearMatMul": {8, 8}, "ConvInteger": {2, 4}, "MatMulInteger": {2, 4},
}

func checkArity(n *Node) error {
	ar, ok := arity[n.Op]
	if !ok {
		return errors.New("operator not supported")
	}
	if len(n.Inputs) < ar[0] || ar[1] >= 0 && len(n.Inputs) > ar[1] {
		return fmt.Errorf("%d inputs, want %d..%d", len(n.Inputs), ar[0], ar[1])
	}
	req := ar[0]
	if n.Op == "Concat" {
		req = len(n.Inputs)
	}
	for i := range req {
		if n.Inputs[i] == "" {
			return fmt.Errorf("required input %d is empty", i)
		}
	}
	if n.Op == "BatchNormalization" && len(n.Outputs) > 1 {
		return errors.New("training mode (running mean and variance outputs) not supported")
	}
	if len(n.Outputs) != 1 && !((n.Op == "Dropout" || n.Op == "MaxPool") && len(n.Outputs) == 2) || n.Outputs[0] == "" {
		return fmt.Errorf("%d outputs, want 1", len(n.Outputs))
	}
	return nil
}

var allOps = map[string]bool{}

func init() {
	for _, op := range []string{"Conv", "Gemm", "MatMul", "Relu", "Clip", "Add", "Sub", "Mul", "Div",
		"AveragePool", "GlobalAveragePool", "MaxPool", "Flatten", "Reshape", "BatchNormalization",
		"Slice", "Pad", "Concat", "Transpose", "Identity", "Shape", "Gather", "Unsqueeze", "Squeeze",
		"ConstantOfShape", "Cast", "Constant", "Softmax", "Dropout", ChannelAffine,
		"Sigmoid", "HardSigmoid", "HardSwish", "GlobalMaxPool", "ReduceMean", "QuantizeLinear",
		"DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger"} {
		allOps[op] = true
	}
}

// ChannelAffine is the op of the per-channel y = x*Scale[c] + Bias[c] nodes
// the importer makes from constant Sub/Div/Mul/Add along axis 1.
const ChannelAffine = "ChannelAffine"

// parse fills n's typed parameters from attributes and constant inputs.
func (g *Graph) parse(n *Node, a *attrs) error {
	if !allOps[n.Op] || n.Op == ChannelAffine {
		return errors.New("operator not supported")
	}
	nin := func(lo, hi int) error {
		if len(n.Inputs) < lo || len(n.Inputs) > hi || n.Inputs[0] == "" && lo > 0 {
			return fmt.Errorf("%d inputs, want %d..%d", len(n.Inputs), lo, hi)
		}
		return nil
	}
	switch n.Op {
	case "Conv", "AveragePool", "MaxPool", "ConvInteger", "QLinearConv":
		x := g.Values[n.Inputs[0]]
		if len(x.Shape) != 4 {
			return fmt.Errorf("input shape %v: only 2-D (NCHW) supported", x.Shape)
		}
		c := &n.Conv
		ks := toInts(a.ints("kernel_shape"))
		if wi := weightInput[n.Op]; wi > 0 {
			c.Group = int(a.int("group", 1))
			w := g.Values[n.Inputs[wi]]
			if len(w.Shape) != 4 {
				return fmt.Errorf("weight shape %v, want 4-D", w.Shape)
			}
			if ks == nil {
				ks = w.Shape[2:]
			}
			if !slices.Equal(ks, w.Shape[2:]) {
				return fmt.Errorf("kernel_shape %v does not match weights %v", ks, w.Shape)
			}
		} else {
			n.Pool.CeilMode = a.int("ceil_mode", 0) != 0
			if n.Op == "AveragePool" {
				n.Pool.CountIncludePad = a.int("count_include_pad", 0) != 0
			} else {
				n.Pool.ColumnMajor = a.int("storage_order", 0) != 0
				if len(n.Outputs) > 1 && x.DType != Float32 {
					return errors.New("Indices output of integer data not supported")
				}
			}
		}
		if len(ks) != 2 || ks[0] < 1 || ks[1] < 1 {
			return fmt.Errorf("kernel_shape %v, want 2 positive values", ks)
		}
		c.KH, c.KW = ks[0], ks[1]
		c.StrideH, c.StrideW, c.DilationH, c.DilationW = 1, 1, 1, 1
		if s := toInts(a.ints("strides")); s != nil {
			if len(s) != 2 || s[0] < 1 || s[1] < 1 {
				return fmt.Errorf("strides %v not supported", s)
			}
			c.StrideH, c.StrideW = s[0], s[1]
		}
		if d := toInts(a.ints("dilations")); d != nil {
			if len(d) != 2 || d[0] < 1 || d[1] < 1 {
				return fmt.Errorf("dilations %v not supported", d)
			}
			c.DilationH, c.DilationW = d[0], d[1]
		}
		p := toInts(a.ints("pads"))
		switch ap := a.str("auto_pad", "NOTSET"); ap {
		case "NOTSET":
			if p != nil {
				if len(p) != 4 || slices.Min(p) < 0 {
					return fmt.Errorf("pads %v not supported", p)
				}
				c.PadT, c.PadL, c.PadB, c.PadR = p[0], p[1], p[2], p[3]
			}
		case "VALID":
		case "SAME_UPPER", "SAME_LOWER":
			same := func(in, k, s, d int) (int, int) {
				out := (in + s - 1) / s
				tot := max((out-1)*s+(k-1)*d+1-in, 0)
				if ap == "SAME_UPPER" {
					return tot / 2, tot - tot/2
				}
				return tot - tot/2, tot / 2
			}
			c.PadT, c.PadB = same(x.Shape[2], c.KH, c.StrideH, c.DilationH)
			c.PadL, c.PadR = same(x.Shape[3], c.KW, c.StrideW, c.DilationW)
		default:
			return fmt.Errorf("auto_pad %q not supported", ap)
		}
	case "Gemm":
		if err := nin(2, 3); err != nil {
			return err
		}
		n.Gemm = GemmParams{TransA: a.int("transA", 0) != 0, TransB: a.int("transB", 0) != 0,
			Alpha: a.float("alpha", 1), Beta: a.float("beta", 1)}
	case "MatMul", "Add", "Sub", "Mul", "Div":
		if err := nin(2, 2); err != nil {
			return err
		}
	case "Relu", "Identity", "GlobalAveragePool", "GlobalMaxPool", "Shape", "Sigmoid", "HardSwish":
		if err := nin(1, 1); err != nil {
			return err
		}
		if n.Op == "Shape" && (a.int("start", 0) != 0 || a.int("end", math.MaxInt32) != math.MaxInt32) {
			return errors.New("Shape start/end not supported")
		}
		n.Clip = ClipParams{0, float32(math.Inf(1))}
	case "Dropout": // inference: identity; the mask output is not supported
		if err := nin(1, 3); err != nil {
			return err
		}
		a.float("ratio", 0.5)
		a.int("seed", 0)
		if len(n.Outputs) > 1 && n.Outputs[1] != "" {
			return errors.New("Dropout mask output not supported")
		}
		n.Op, n.Inputs, n.Outputs = "Identity", n.Inputs[:1], n.Outputs[:1]
	case "HardSigmoid":
		n.Alpha, n.Beta = a.float("alpha", 0.2), a.float("beta", 0.5)
	case "Clip":
		if err := nin(1, 3); err != nil {
			return err
		}
		n.Clip = ClipParams{a.float("min", float32(math.Inf(-1))), a.float("max", float32(math.Inf(1)))}
		x := g.Values[n.Inputs[0]]
		if x.DType == Int64 {
			// Integer bounds are exact up to 2^24 as float32, beyond any int16.
			n.Clip = ClipParams{float32(math.Inf(-1)), float32(math.Inf(1))}
		}
		runtime := false
		for i := 1; i < len(n.Inputs); i++ {
			if t := g.Values[n.Inputs[i]]; t != nil {
				if t.Len() != 1 || t.DType != x.DType {
					return fmt.Errorf("bound %q must be a scalar of the input's type", t.Name)
				}
				runtime = runtime || g.constOf(t.Name) == nil
			}
		}
		if !runtime { // constant bounds become Node.Clip; runtime ones stay inputs
			for i, dst := range []*float32{&n.Clip.Min, &n.Clip.Max} {
				if t, _ := g.constInput(n, i+1, "bound"); t != nil {
					*dst = float32(ints1(t))
					if t.DType == Float32 {
						*dst = t.F[0]
					}
				}
			}
			n.Inputs = n.Inputs[:1]
		}
	case "Flatten", "Concat", "Gather", "Softmax":
		def := int64(1)
		if n.Op == "Gather" {
			def = 0
		} else if n.Op == "Softmax" && g.opset >= 13 {
			def = -1
		}
		if n.Op == "Concat" {
			if a.on.Attr("axis") == nil {
				return errors.New("Concat needs axis")
			}
			if len(n.Inputs) < 1 {
				return errors.New("no inputs")
			}
		}
		n.Axis = int(a.int("axis", def))
		if n.Op == "Softmax" && g.opset < 13 {
			// Before opset 13 Softmax normalises over all axes from axis on
			// (the input coerced to 2-D): the same when those after axis are 1.
			s := g.Values[n.Inputs[0]].Shape
			ax, err := normAxis(n.Axis, len(s))
			if err != nil {
				return err
			}
			if numel(s[ax+1:]) != 1 {
				return fmt.Errorf("opset %d Softmax over axes %d.. of %v (coerced to 2-D) not supported", g.opset, ax, s)
			}
		}
	case "Reshape":
		if err := nin(2, 2); err != nil {
			return err
		}
		t, err := g.constInput(n, 1, "shape")
		if err != nil {
			return err
		}
		n.Shape = ints(t)
		if a.int("allowzero", 0) != 0 && slices.Contains(n.Shape, 0) {
			return errors.New("allowzero 1 with a 0 in the shape not supported")
		}
		n.Inputs = n.Inputs[:1]
	case "BatchNormalization":
		if err := nin(5, 5); err != nil {
			return err
		}
		n.Eps = a.float("epsilon", 1e-5)
		a.float("momentum", 0.9)
		if a.int("training_mode", 0) != 0 || len(n.Outputs) > 1 {
			return errors.New("training mode not supported")
		}
	case "Slice":
		if len(n.Inputs) == 2 {
			return errors.New("Slice needs starts and ends")
		}
		return g.parseSlice(n, a)
	case "Pad":
		return g.parsePad(n, a)
	case "Transpose":
		n.Perm = toInts(a.ints("perm"))
	case "ReduceMean":
		return g.parseReduce(n, a)
	case "QuantizeLinear", "DequantizeLinear":
		return g.parseQDQ(n, a)
	case "QLinearMatMul", "MatMulInteger":
	case "Unsqueeze", "Squeeze":
		ax := toInts(a.ints("axes"))
		if len(n.Inputs) > 1 {
			t, err := g.constInput(n, 1, "axes")
			if err != nil {
				return err
			}
			ax = ints(t)
			n.Inputs = n.Inputs[:1]
		}
		n.Axes = ax
	case "Cast":
		to := onnx.DataType(a.int("to", 0))
		a.int("saturate", 1)
		switch {
		case to.IsFloat():
			n.To = Float32
		case to == onnx.Int64 || to == onnx.Int32 || to == onnx.Bool:
			n.To, n.QType = Int64, to
		default:
			return fmt.Errorf("Cast to %v not supported", to)
		}
	case "Constant":
		var v *Tensor
		if at := a.get("value", onnx.AttrTensor); at != nil {
			var err error
			if v, err = fromONNXTensor(at.T); err != nil {
				return fmt.Errorf("value: %w", err)
			}
		} else if at := a.get("value_float", onnx.AttrFloat); at != nil {
			v = &Tensor{DType: Float32, Shape: []int{}, F: []float32{at.F}}
		} else if at := a.get("value_int", onnx.AttrInt); at != nil {
			v = &Tensor{DType: Int64, Shape: []int{}, I: []int64{at.I}}
		} else if at := a.get("value_floats", onnx.AttrFloats); at != nil {
			v = &Tensor{DType: Float32, Shape: []int{len(at.Floats)}, F: at.Floats}
		} else if at := a.get("value_ints", onnx.AttrInts); at != nil {
			v = &Tensor{DType: Int64, Shape: []int{len(at.Ints)}, I: at.Ints}
		} else {
			return errors.New("Constant without a supported value attribute")
		}
		n.Value = v
	case "ConstantOfShape":
		t, err := g.constInput(n, 0, "shape")
		if err != nil {
			return err
		}
		if t == nil {
			return errors.New("shape input missing")
		}
		n.Shape = ints(t)
		n.Value = &Tensor{DType: Float32, Shape: []int{1}, F: []float32{0}}
		if at := a.get("value", onnx.AttrTensor); at != nil {
			v, err := fromONNXTensor(at.T)
			if err != nil || v.Len() != 1 {
				return fmt.Errorf("value: want one element (%v)", err)
			}
			n.Value = v
		}
		n.Inputs = nil
	}
	return nil
}

func (g *Graph) parseSlice(n *Node, a *attrs) error {
	x := g.Values[n.Inputs[0]]
	r := len(x.Shape)
	var starts, ends, axes, steps []int
	if at := a.ints("starts"); at != nil { // opset < 10
		starts, ends, axes = toInts(at), toInts(a.ints("ends")), toInts(a.ints("axes"))
	} else {
		var t [4]*Tensor
		for i, what := range []string{"starts", "ends", "axes", "steps"} {
			var err error
			if t[i], err = g.constInput(n, i+1, what); err != nil {
				return err
			}
		}
		starts, ends, axes, steps = ints(t[0]), ints(t[1]), ints(t[2]), ints(t[3])
	}
	if axes == nil {
		for i := range starts {
			axes = append(axes, i)
		}
	}
	if steps == nil {
		steps = slices.Repeat([]int{1}, len(starts))
	}
	if len(ends) != len(starts) || len(axes) != len(starts) || len(steps) != len(starts) {
		return errors.New("starts, ends, axes and steps differ in length")
	}
	p := SliceParams{Starts: make([]int, r), Steps: slices.Repeat([]int{1}, r)}
	out := slices.Clone(x.Shape)
	for i, ax := range axes {
		if ax < 0 {
			ax += r
		}
		if ax < 0 || ax >= r {
			return fmt.Errorf("axis %d out of range", axes[i])
		}
		d, s, e, st := x.Shape[ax], starts[i], ends[i], steps[i]
		if st == 0 {
			return errors.New("step 0")
		}
		clamp := func(v, lo, hi int) int { return min(max(v, lo), hi) }
		if s < 0 {
			s += d
		}
		if e < 0 {
			e += d
		}
		var cnt int
		if st > 0 {
			s, e = clamp(s, 0, d), clamp(e, 0, d)
			cnt = max(0, (e-s+st-1)/st)
		} else {
			s, e = clamp(s, 0, d-1), clamp(e, -1, d-1)
			cnt = max(0, (s-e-st-1)/(-st))
		}
		p.Starts[ax], p.Steps[ax], out[ax] = s, st, cnt
	}
	n.Slice, n.Shape, n.Inputs = p, out, n.Inputs[:1]
	return nil
}

func (g *Graph) parsePad(n *Node, a *attrs) error {
	x := g.Values[n.Inputs[0]]
	r := len(x.Shape)
	switch mode := a.str("mode", "constant"); mode {
	case "constant":
	case "edge", "reflect", "wrap":
		n.Pad.Mode = mode
	default:
		return fmt.Errorf("mode %q not supported", mode)
	}
	pads := toInts(a.ints("pads")) // opset < 11
	n.Pad.Value = a.float("value", 0)
	if len(n.Inputs) > 1 {
		t, err := g.constInput(n, 1, "pads")
		if err != nil {
			return err
		}
		pads = ints(t)
		if v, err := g.constInput(n, 2, "constant_value"); err != nil {
			return err
		} else if v != nil {
			if v.Len() != 1 || v.DType != x.DType {
				return errors.New("constant_value must be one value of the input's type")
			}
			n.Pad.Value = float32(ints1(v))
			if v.DType == Float32 {
				n.Pad.Value = v.F[0]
			}
		}
		ax, err := g.constInput(n, 3, "axes")
		if err != nil {
			return err
		}
		if ax != nil { // pads name only these axes: spread them over all
			axes := ints(ax)
			if len(pads) != 2*len(axes) {
				return fmt.Errorf("pads %v for axes %v", pads, axes)
			}
			full := make([]int, 2*r)
			for i, v := range axes {
				v, err := normAxis(v, r)
				if err != nil {
					return err
				}
				full[v], full[r+v] = pads[i], pads[len(axes)+i]
			}
			pads = full
		}
	}
	if len(pads) != 2*r {
		return fmt.Errorf("pads %v for rank %d", pads, r)
	}
	if n.Pad.Mode != "" {
		for i := range r {
			if pads[i] < 0 || pads[r+i] < 0 || x.Shape[i] == 0 && pads[i]+pads[r+i] > 0 {
				return fmt.Errorf("mode %s: pads %v must be >= 0 on a non-empty input", n.Pad.Mode, pads)
			}
			if n.Pad.Mode == "reflect" && max(pads[i], pads[r+i]) >= x.Shape[i] && pads[i]+pads[r+i] > 0 {
				return fmt.Errorf("mode reflect: pads %v must be smaller than input %v", pads, x.Shape)
			}
		}
	}
	n.Pad.Begin, n.Pad.End = pads[:r], pads[r:]
	for i := range r {
		if x.Shape[i]+pads[i]+pads[r+i] < 0 {
			return fmt.Errorf("pads %v remove more than axis %d holds", pads, i)
		}
	}
	n.Inputs = n.Inputs[:1]
	return nil
}

// weightInput is the index of the weight input of each convolution.
var weightInput = map[string]int{"Conv": 1, "ConvInteger": 1, "QLinearConv": 3}

// ints1 is the one element of an integer (or float) scalar tensor.
func ints1(t *Tensor) int64 {
	if t.DType == Int64 {
		return t.I[0]
	}
	return int64(t.F[0])
}

func (g *Graph) parseReduce(n *Node, a *attrs) error {
	x := g.Values[n.Inputs[0]]
	n.KeepDims = a.int("keepdims", 1) != 0
	var axes []int
	noop := false
	if g.opset >= 18 {
		noop = a.int("noop_with_empty_axes", 0) != 0
		t, err := g.constInput(n, 1, "axes")
		if err != nil {
			return err
		}
		axes = ints(t)
		n.Inputs = n.Inputs[:1]
	} else {
		if len(n.Inputs) > 1 {
			return errors.New("axes input needs opset 18")
		}
		axes = toInts(a.ints("axes"))
	}
	if len(axes) == 0 {
		if noop {
			n.Op = "Identity"
			return nil
		}
		for i := range x.Shape {
			axes = append(axes, i)
		}
	}
	for i, v := range axes {
		v, err := normAxis(v, len(x.Shape))
		if err != nil {
			return err
		}
		axes[i] = v
	}
	slices.Sort(axes)
	if len(slices.Compact(slices.Clone(axes))) != len(axes) {
		return fmt.Errorf("axes %v repeat an axis", axes)
	}
	n.Axes = axes
	return nil
}

// quantRange is the saturation range of each integer type QuantizeLinear
// may produce (and DequantizeLinear read, with INT32).
var quantRange = map[onnx.DataType][2]int64{
	onnx.Uint8: {0, 255}, onnx.Int8: {-128, 127}, onnx.Uint16: {0, 65535}, onnx.Int16: {-32768, 32767},
	onnx.Uint4: {0, 15}, onnx.Int4: {-8, 7},
}

// parseQDQ reads QuantizeLinear and DequantizeLinear. Scale and zero point
// stay inputs (constants in exported models); their shape fixes the
// granularity: one value per tensor, one per index of Axis, or blocked.
func (g *Graph) parseQDQ(n *Node, a *attrs) error {
	x, scale := g.Values[n.Inputs[0]], g.Values[n.Inputs[1]]
	var zp *Tensor
	if len(n.Inputs) > 2 && n.Inputs[2] != "" {
		zp = g.Values[n.Inputs[2]]
	}
	axis := int(a.int("axis", 1))
	n.BlockSize = int(a.int("block_size", 0))
	out := onnx.DataType(a.int("output_dtype", 0))
	if n.Op == "QuantizeLinear" {
		a.int("saturate", 1) // applies to float8 outputs only
		if p := onnx.DataType(a.int("precision", 0)); p != 0 && p != onnx.Float {
			return fmt.Errorf("precision %v not supported", p)
		}
		if x.DType != Float32 {
			return fmt.Errorf("input %q is %v, want float", x.Name, x.DType)
		}
		if zp != nil {
			if out != 0 && out != zp.Elem {
				return fmt.Errorf("output_dtype %v differs from the zero point's %v", out, zp.Elem)
			}
			out = zp.Elem
		}
		if out == 0 {
			out = onnx.Uint8
		}
		if _, ok := quantRange[out]; !ok {
			return fmt.Errorf("quantization to %v not supported", out)
		}
	} else {
		if out != 0 && out != onnx.Float && out != onnx.Float16 && out != onnx.Double {
			return fmt.Errorf("output_dtype %v not supported", out)
		}
		if x.DType != Int64 {
			return fmt.Errorf("input %q is %v, want an integer type", x.Name, x.DType)
		}
		if _, ok := quantRange[x.Elem]; !ok && x.Elem != onnx.Int32 {
			return fmt.Errorf("input %q: element type %v not supported", x.Name, x.Elem)
		}
		if zp != nil && zp.Elem != x.Elem {
			return fmt.Errorf("zero point type %v differs from the input's %v", zp.Elem, x.Elem)
		}
	}
	if scale.DType != Float32 {
		return fmt.Errorf("scale %q is %v, want float", scale.Name, scale.DType)
	}
	if zp != nil && (zp.DType != Int64 || !slices.Equal(zp.Shape, scale.Shape) && zp.Len() != scale.Len()) {
		return fmt.Errorf("zero point %q %v does not match scale %v", zp.Name, zp.Shape, scale.Shape)
	}
	r := len(x.Shape)
	switch {
	case n.BlockSize < 0:
		return fmt.Errorf("block_size %d", n.BlockSize)
	case n.BlockSize == 0 && scale.Len() == 1 && len(scale.Shape) <= 1:
		n.Axis = 0 // per tensor
	case n.BlockSize == 0:
		ax, err := normAxis(axis, r)
		if err != nil {
			return err
		}
		if len(scale.Shape) != 1 || scale.Shape[0] != x.Shape[ax] {
			return fmt.Errorf("scale shape %v for input %v on axis %d", scale.Shape, x.Shape, ax)
		}
		n.Axis = ax
	default:
		ax, err := normAxis(axis, r)
		if err != nil {
			return err
		}
		want := slices.Clone(x.Shape)
		want[ax] = (x.Shape[ax] + n.BlockSize - 1) / n.BlockSize
		if !slices.Equal(scale.Shape, want) {
			return fmt.Errorf("scale shape %v for input %v, block %d on axis %d: want %v", scale.Shape, x.Shape, n.BlockSize, ax, want)
		}
		n.Axis = ax
	}
	if n.Op == "QuantizeLinear" {
		n.QType = out
	}
	return nil
}

func firstInput(n *Node) string {
	if len(n.Inputs) > 0 {
		return n.Inputs[0]
	}
	return ""
}

// is1D reports a convolution or pool over [N, C, W].
func (g *Graph) is1D(n *Node) bool {
	_, conv := weightInput[n.Op]
	if !conv && n.Op != "AveragePool" && n.Op != "MaxPool" || len(n.Inputs) == 0 || len(n.Outputs) != 1 {
		return false
	}
	x := g.Values[n.Inputs[0]]
	return x != nil && len(x.Shape) == 3
}

// add1D imports a 1-D convolution or pool as the 2-D one over [N, C, 1, W]
// between two Reshapes: windows, strides, dilations and pads get a unit
// height, 3-D weights a unit kernel height.
func (g *Graph) add1D(n *Node, on *onnx.Node) error {
	fresh := func(v string) string {
		for g.Values[v] != nil {
			v += "_"
		}
		return v
	}
	reshape := func(name, in, out string, shape []int) error {
		s := fresh(out + "_shape")
		t := &Tensor{Name: s, DType: Int64, Elem: onnx.Int64, Shape: []int{len(shape)}, I: make([]int64, len(shape))}
		for i, d := range shape {
			t.I[i] = int64(d)
		}
		g.Values[s] = t
		r := &Node{Name: name, Op: "Reshape", Inputs: []string{in, s}, Outputs: []string{out}}
		return g.add(r, &onnx.Node{Name: name, OpType: "Reshape", Inputs: r.Inputs, Outputs: r.Outputs})
	}
	x := g.Values[n.Inputs[0]]
	x4 := fresh(n.Inputs[0] + "_2d")
	if err := reshape(n.Name+"_to2d", n.Inputs[0], x4, []int{x.Shape[0], x.Shape[1], 1, x.Shape[2]}); err != nil {
		return err
	}
	n.Inputs = slices.Clone(n.Inputs)
	n.Inputs[0] = x4
	if wi, ok := weightInput[n.Op]; ok && wi < len(n.Inputs) {
		if w := g.Values[n.Inputs[wi]]; w != nil && len(w.Shape) == 3 {
			w4 := fresh(n.Inputs[wi] + "_2d")
			if err := reshape(n.Name+"_w2d", n.Inputs[wi], w4, []int{w.Shape[0], w.Shape[1], 1, w.Shape[2]}); err != nil {
				return err
			}
			n.Inputs[wi] = w4
		}
	}
	o2 := *on
	o2.Attrs = nil
	for _, a := range on.Attrs {
		a2 := *a
		switch a.Name {
		case "kernel_shape", "strides", "dilations":
			if len(a.Ints) == 1 {
				a2.Ints = []int64{1, a.Ints[0]}
			}
		case "pads":
			if len(a.Ints) == 2 {
				a2.Ints = []int64{0, a.Ints[0], 0, a.Ints[1]}
			}
		}
		o2.Attrs = append(o2.Attrs, &a2)
	}
	y := n.Outputs[0]
	y4 := fresh(y + "_2d")
	n.Outputs = []string{y4}
	if err := g.add(n, &o2); err != nil {
		return err
	}
	s := g.Values[y4].Shape
	return reshape(n.Name+"_to1d", y4, y, []int{s[0], s[1], s[3]})
}
