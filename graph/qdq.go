package graph

import (
	"fmt"
	"math"
	"slices"

	"github.com/aiq-project/aiq/onnx"
)

// QDQ is the quantization a QDQ model file carries (ONNX Runtime's
// quantize_static output: QuantizeLinear→DequantizeLinear pairs on
// activations, DequantizeLinear on int8 weights and int32 biases), by value
// name of the float graph StripQDQ leaves.
type QDQ struct {
	// Acts is the uint8 quantization of activation values.
	Acts map[string]ActQuant
	// Weights holds the int8 and int4 weights of Conv/Gemm/MatMul layers,
	// by the name of the weight constant the layer reads (its input 1).
	Weights map[string]WeightQuant
	// Requantized lists weight constants the integer kernels cannot take
	// as the file stores them (uint8, a nonzero zero point, scales along
	// an input axis or in blocks), with the reason: they stay dequantized
	// floats and an integer layer quantizes them again.
	Requantized map[string]string
}

// ActQuant is an affine uint8 quantization: real = Scale * (q - Zero).
// int8 activations (real = s*(q - z), q in [-128, 127]) are the same
// values with q+128 and z+128.
type ActQuant struct {
	Scale float32
	Zero  uint8
}

// WeightQuant are symmetric int8 or int4 weights as stored in the file:
// real = Q[i] * Scale[o], o the output channel of element i. Q keeps the
// layout of the weight tensor (Conv: [Cout, Cin/Group, KH, KW]); a
// per-tensor scale is repeated for every output channel.
type WeightQuant struct {
	Bits  int // 8 or 4
	Q     []int8
	Scale []float32
}

// HasQDQ reports whether m has QuantizeLinear or DequantizeLinear nodes.
func HasQDQ(m *onnx.Model) bool {
	for _, n := range m.Graph.Nodes {
		if n.OpType == "QuantizeLinear" || n.OpType == "DequantizeLinear" {
			return true
		}
	}
	return false
}

// LoadQDQ reads the ONNX model at path; when it has Q/DQ nodes it strips
// them (StripQDQ) and imports the float graph for batch size batch. The QDQ
// is nil for a model without them; its Acts keep only values of the
// imported graph.
func LoadQDQ(path string, batch int) (*Graph, *QDQ, error) {
	m, err := onnx.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var q *QDQ
	if HasQDQ(m) {
		if m, q, err = StripQDQ(m); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	g, err := FromONNX(m, batch)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if q != nil {
		for name := range q.Acts {
			if g.Values[name] == nil {
				delete(q.Acts, name) // folded away by the import
			}
		}
	}
	return g, q, nil
}

// StripQDQ returns the float model of a QDQ model and its quantization:
//   - DequantizeLinear of a constant becomes the dequantized float constant
//     (so the float graph computes with exactly the file's weights;
//     per-tensor, per-axis or blocked scales); int8 and int4 weights with
//     zero point 0 and a scale per tensor or per output channel feeding a
//     Conv/Gemm/MatMul are recorded in Weights;
//   - a QuantizeLinear→DequantizeLinear pair on an activation X is removed
//     and its quantization recorded for the value that replaces it. Its
//     lower clamp is kept when it is an activation: ONNX Runtime drops a
//     Relu (Clip 0..6) before a quantization with zero point 0 (scale
//     6/255), since the clamp does the same, so such a pair becomes Relu
//     (Clip 0..6) unless X is already non-negative. Other clamps are the
//     calibrated range, which a uint8 tensor applies by saturating.
//
// Anything else (QLinear operators, a DequantizeLinear of a runtime input,
// per-axis or blocked activation scales) is an error naming the node.
func StripQDQ(m *onnx.Model) (*onnx.Model, *QDQ, error) {
	s := &stripper{
		og:     m.Graph,
		inits:  map[string]*onnx.Tensor{},
		prod:   map[string]*onnx.Node{},
		cons:   map[string][]*onnx.Node{},
		alias:  map[string]string{},
		floats: map[string]*onnx.Tensor{},
		q:      &QDQ{Acts: map[string]ActQuant{}, Weights: map[string]WeightQuant{}, Requantized: map[string]string{}},
	}
	for _, t := range m.Graph.Initializers {
		s.inits[t.Name] = t
	}
	for _, n := range m.Graph.Nodes {
		for _, o := range n.Outputs {
			s.prod[o] = n
		}
		for _, in := range n.Inputs {
			s.cons[in] = append(s.cons[in], n)
		}
	}
	if err := s.run(); err != nil {
		return nil, nil, err
	}
	return s.model(m), s.q, nil
}

type stripper struct {
	og     *onnx.Graph
	inits  map[string]*onnx.Tensor
	prod   map[string]*onnx.Node
	cons   map[string][]*onnx.Node
	alias  map[string]string       // a removed DQ output -> the value read instead
	floats map[string]*onnx.Tensor // dequantized constants, by DQ output
	nodes  []*onnx.Node            // the float graph's nodes
	nonneg map[string]bool
	q      *QDQ
}

// qparams are the scale and zero point inputs of a Q or DQ node.
type qparams struct {
	scale []float32
	zero  []int64
	zt    onnx.DataType // the quantized type (of the zero point, or of the data)
	axis  int
	block int     // > 0: one scale per block of this many indices along axis
	sdims []int64 // the scale's shape
}

func (s *stripper) params(n *onnx.Node) (qparams, error) {
	var p qparams
	if len(n.Inputs) < 2 || len(n.Inputs) > 3 || len(n.Outputs) != 1 {
		return p, fmt.Errorf("%d inputs and %d outputs, want 2..3 and 1", len(n.Inputs), len(n.Outputs))
	}
	st := s.inits[n.Inputs[1]]
	if st == nil || !st.DataType.IsFloat() || len(st.Floats) == 0 {
		return p, fmt.Errorf("scale %q is not a float initializer", n.Inputs[1])
	}
	p.scale, p.sdims = st.Floats, st.Dims
	for i, v := range p.scale {
		if !(v > 0) || math.IsInf(float64(v), 0) {
			return p, fmt.Errorf("scale %q[%d] is %v, want a positive finite number", n.Inputs[1], i, v)
		}
	}
	p.zt = onnx.Uint8
	if n.OpType == "DequantizeLinear" {
		if t := s.inits[n.Inputs[0]]; t != nil {
			p.zt = t.DataType
		}
	}
	if len(n.Inputs) == 3 && n.Inputs[2] != "" {
		zt := s.inits[n.Inputs[2]]
		if zt == nil || zt.DataType.IsFloat() {
			return p, fmt.Errorf("zero point %q is not an integer initializer", n.Inputs[2])
		}
		if zt.Len() != len(p.scale) {
			return p, fmt.Errorf("zero point %q has %d values, scale %d", n.Inputs[2], zt.Len(), len(p.scale))
		}
		p.zero, p.zt = zt.Ints, zt.DataType
	} else {
		p.zero = make([]int64, len(p.scale))
	}
	p.axis = 1
	for _, a := range n.Attrs {
		switch {
		case a.Name == "axis" && a.Type == onnx.AttrInt:
			p.axis = int(a.I)
		case a.Name == "block_size" && a.Type == onnx.AttrInt && a.I >= 0:
			p.block = int(a.I)
		case a.Name == "output_dtype" && a.Type == onnx.AttrInt && a.I == 0:
		case a.Name == "saturate" && a.Type == onnx.AttrInt:
			// float8 only
		default:
			return p, fmt.Errorf("attribute %s not supported", a.Name)
		}
	}
	return p, nil
}

func nodeErr(n *onnx.Node, err error) error {
	return fmt.Errorf("graph: node %q (%s): %w", n.Name, n.OpType, err)
}

func (s *stripper) run() error {
	s.nonneg = map[string]bool{}
	for _, n := range s.og.Nodes {
		switch n.OpType {
		case "DequantizeLinear":
			if err := s.dequantize(n); err != nil {
				return nodeErr(n, err)
			}
			continue
		case "QuantizeLinear":
			if err := s.quantize(n); err != nil {
				return nodeErr(n, err)
			}
			continue
		case "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "QLinearAdd", "DynamicQuantizeLinear":
			return nodeErr(n, fmt.Errorf("operator not supported in a QDQ model (only QuantizeLinear/DequantizeLinear around float operators)"))
		}
		c := &onnx.Node{Name: n.Name, OpType: n.OpType, Domain: n.Domain, Inputs: slices.Clone(n.Inputs),
			Outputs: slices.Clone(n.Outputs), Attrs: n.Attrs}
		for i, in := range c.Inputs {
			if a, ok := s.alias[in]; ok {
				c.Inputs[i] = a
			}
		}
		if v := c.Attr("value"); c.OpType == "Constant" && len(c.Outputs) == 1 && v != nil && v.T != nil && v.T.DataType.IsFloat() {
			s.floats[c.Outputs[0]] = v.T // a Clip bound, read by markNonneg
		}
		s.markNonneg(c)
		s.nodes = append(s.nodes, c)
	}
	for _, o := range s.og.Outputs {
		if a, ok := s.alias[o.Name]; ok && a != o.Name {
			return fmt.Errorf("graph: output %q: a DequantizeLinear of a constant or of an unfused value", o.Name)
		}
	}
	return nil
}

// markNonneg records outputs that cannot be negative, so a zero-point-0
// pair after them needs no Relu.
func (s *stripper) markNonneg(n *onnx.Node) {
	if len(n.Outputs) == 0 {
		return
	}
	out := n.Outputs[0]
	switch n.OpType {
	case "Relu":
		s.nonneg[out] = true
	case "Clip":
		if len(n.Inputs) > 1 && n.Inputs[1] != "" {
			if t := s.constant(n.Inputs[1]); t != nil && len(t.Floats) == 1 && t.Floats[0] >= 0 {
				s.nonneg[out] = true
			}
		} else if a := n.Attr("min"); a != nil && a.F >= 0 {
			s.nonneg[out] = true
		}
	case "Pad":
		mode := n.Attr("mode")
		v := float32(0)
		if len(n.Inputs) > 2 && n.Inputs[2] != "" {
			v = float32(math.NaN())
			if t := s.constant(n.Inputs[2]); t != nil && len(t.Floats) == 1 {
				v = t.Floats[0]
			}
		}
		s.nonneg[out] = s.nonneg[n.Inputs[0]] && (mode == nil || string(mode.S) == "constant") && v >= 0
	case "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Reshape", "Flatten",
		"Slice", "Identity", "Squeeze", "Unsqueeze", "Transpose":
		s.nonneg[out] = len(n.Inputs) > 0 && s.nonneg[n.Inputs[0]]
	}
}

// constant returns the float constant name (an initializer, a dequantized
// one or a Constant node's value), or nil.
func (s *stripper) constant(name string) *onnx.Tensor {
	if t := s.floats[name]; t != nil {
		return t
	}
	if t := s.inits[name]; t != nil && t.DataType.IsFloat() {
		return t
	}
	return nil
}

// dequantize handles a DequantizeLinear: of a constant (weights, bias, a
// quantized parameter) it becomes a float constant; of a QuantizeLinear
// output it is the second half of a pair, done in quantize.
func (s *stripper) dequantize(n *onnx.Node) error {
	p, err := s.params(n)
	if err != nil {
		return err
	}
	if q := s.prod[n.Inputs[0]]; q != nil && q.OpType == "QuantizeLinear" {
		if _, done := s.alias[n.Outputs[0]]; !done {
			return fmt.Errorf("reads %q before its QuantizeLinear", n.Inputs[0])
		}
		return nil
	}
	t := s.inits[n.Inputs[0]]
	if t == nil {
		return fmt.Errorf("input %q is neither a constant nor a QuantizeLinear output", n.Inputs[0])
	}
	if t.DataType.IsFloat() {
		return fmt.Errorf("input %q is %v, want an integer type", n.Inputs[0], t.DataType)
	}
	if len(t.Ints) != t.Len() {
		return fmt.Errorf("input %q has %d values for shape %v", n.Inputs[0], len(t.Ints), t.Dims)
	}
	idx, axis, per, err := scaleIndexer(p, t.Dims)
	if err != nil {
		return err
	}
	out := &onnx.Tensor{Name: n.Outputs[0], DataType: onnx.Float, Dims: slices.Clone(t.Dims), Floats: make([]float32, len(t.Ints))}
	for i, v := range t.Ints {
		c := idx(i)
		out.Floats[i] = float32(v-p.zero[c]) * p.scale[c]
	}
	s.floats[out.Name] = out
	s.alias[out.Name] = out.Name
	s.weights(n, t, p, axis, per)
	return nil
}

// scaleIndexer checks the scale's shape against the data's and returns,
// for element i of the data, the index of its scale and zero point: per is
// 1 for a per-tensor scale, the length of axis for one scale per index
// along it, and -1 for blocks (p.block indices along axis per scale).
func scaleIndexer(p qparams, dims []int64) (idx func(int) int, axis, per int, err error) {
	if len(p.scale) == 1 && p.block == 0 {
		return func(int) int { return 0 }, 0, 1, nil
	}
	axis = p.axis
	if axis < 0 {
		axis += len(dims)
	}
	if axis < 0 || axis >= len(dims) || dims[axis] <= 0 {
		return nil, 0, 0, fmt.Errorf("%d scales along axis %d of shape %v", len(p.scale), p.axis, dims)
	}
	inner := 1
	for _, d := range dims[axis+1:] {
		inner *= int(d)
	}
	n := int(dims[axis])
	if p.block == 0 {
		if n != len(p.scale) {
			return nil, 0, 0, fmt.Errorf("%d scales along axis %d of shape %v", len(p.scale), p.axis, dims)
		}
		return func(i int) int { return i / inner % n }, axis, n, nil
	}
	nb := (n + p.block - 1) / p.block
	ok := len(p.sdims) == len(dims)
	for j := 0; ok && j < len(dims); j++ {
		ok = p.sdims[j] == dims[j] || j == axis && p.sdims[j] == int64(nb)
	}
	if !ok {
		return nil, 0, 0, fmt.Errorf("scale shape %v for blocks of %d along axis %d of shape %v", p.sdims, p.block, p.axis, dims)
	}
	return func(i int) int {
		outer, c, in := i/(inner*n), i/inner%n, i%inner
		return (outer*nb+c/p.block)*inner + in
	}, axis, -1, nil
}

// weights records the int8 or int4 weights of DQ node n when every reader is a
// layer taking them as its weights with the scale along its output axis.
func (s *stripper) weights(n *onnx.Node, t *onnx.Tensor, p qparams, axis, per int) {
	name := n.Outputs[0]
	outAxis := -1
	for _, c := range s.cons[name] {
		if len(c.Inputs) < 2 || c.Inputs[1] != name || slices.Index(c.Inputs, name) != 1 {
			return // not (only) a weight input: a bias or another use
		}
		a := -1
		switch c.OpType {
		case "Conv":
			a = 0
		case "Gemm":
			a = 1
			if tb := c.Attr("transB"); tb != nil && tb.I != 0 {
				a = 0
			}
		case "MatMul":
			if len(t.Dims) == 2 {
				a = 1
			}
		}
		if a < 0 || (outAxis >= 0 && a != outAxis) {
			return
		}
		outAxis = a
	}
	if outAxis < 0 || outAxis >= len(t.Dims) {
		return
	}
	bits := 8
	if t.DataType == onnx.Int4 {
		bits = 4
	}
	switch {
	case t.DataType != onnx.Int8 && t.DataType != onnx.Int4:
		s.q.Requantized[name] = fmt.Sprintf("%v weights (the kernels take int8 and int4)", t.DataType)
		return
	case per < 0:
		s.q.Requantized[name] = fmt.Sprintf("scales in blocks of %d along axis %d (aiq takes int4 groups from --int4-group)", p.block, axis)
		return
	case slices.ContainsFunc(p.zero, func(z int64) bool { return z != 0 }):
		s.q.Requantized[name] = "nonzero weight zero point (the kernels take symmetric weights)"
		return
	case per > 1 && axis != outAxis:
		s.q.Requantized[name] = fmt.Sprintf("scales along axis %d, not the output axis %d", axis, outAxis)
		return
	}
	cout := int(t.Dims[outAxis])
	w := WeightQuant{Bits: bits, Q: make([]int8, len(t.Ints)), Scale: make([]float32, cout)}
	for i, v := range t.Ints {
		w.Q[i] = int8(v)
	}
	for o := range w.Scale {
		w.Scale[o] = p.scale[min(o, len(p.scale)-1)]
	}
	s.q.Weights[name] = w
}

// quantize removes the pair QuantizeLinear(X)→DequantizeLinear: every DQ
// reading n's output must use the same scale and zero point.
func (s *stripper) quantize(n *onnx.Node) error {
	p, err := s.params(n)
	if err != nil {
		return err
	}
	if len(p.scale) != 1 || p.block > 0 {
		return fmt.Errorf("%d activation scales; only per-tensor activation quantization is supported", len(p.scale))
	}
	var aq ActQuant
	aq.Scale = p.scale[0]
	switch p.zt {
	case onnx.Uint8:
		aq.Zero = uint8(min(max(p.zero[0], 0), 255))
	case onnx.Int8:
		aq.Zero = uint8(min(max(p.zero[0]+128, 0), 255))
	default:
		return fmt.Errorf("%v activations; only uint8 and int8 are supported", p.zt)
	}
	x := n.Inputs[0]
	if a, ok := s.alias[x]; ok {
		x = a
	}
	if s.floats[x] != nil || s.inits[x] != nil {
		return fmt.Errorf("quantizes the constant %q", x)
	}
	dqs := s.cons[n.Outputs[0]]
	if len(dqs) == 0 {
		return fmt.Errorf("output %q is not read", n.Outputs[0])
	}
	for _, d := range dqs {
		if d.OpType != "DequantizeLinear" || d.Inputs[0] != n.Outputs[0] {
			return fmt.Errorf("output %q is read by %s %q; only DequantizeLinear is supported", n.Outputs[0], d.OpType, d.Name)
		}
		dp, err := s.params(d)
		if err != nil {
			return nodeErr(d, err)
		}
		if len(dp.scale) != 1 || dp.scale[0] != p.scale[0] || dp.zero[0] != p.zero[0] || dp.zt != p.zt {
			return fmt.Errorf("DequantizeLinear %q has other parameters than its QuantizeLinear", d.Name)
		}
	}
	// The value readers of the pair read: X, or X clamped as the pair does.
	v := x
	hi := float64(aq.Scale) * float64(255-int(aq.Zero))
	if aq.Zero == 0 && !s.nonneg[x] {
		v = dqs[0].Outputs[0]
		act := &onnx.Node{Name: n.Name + "_act", OpType: "Relu", Inputs: []string{x}, Outputs: []string{v}}
		if math.Abs(hi-6) < 1e-5 {
			act.OpType = "Clip"
			act.Attrs = []*onnx.Attribute{{Name: "min", Type: onnx.AttrFloat, F: 0}, {Name: "max", Type: onnx.AttrFloat, F: 6}}
		}
		s.nodes = append(s.nodes, act)
		s.nonneg[v] = true
	} else if s.isOutput(dqs[0].Outputs[0]) {
		// The graph output's name must survive: X's producer writes it.
		v = dqs[0].Outputs[0]
		if err := s.renameProduced(x, v); err != nil {
			return err
		}
		s.nonneg[v] = s.nonneg[x]
	}
	for _, d := range dqs {
		s.alias[d.Outputs[0]] = v
	}
	s.q.Acts[v] = aq
	return nil
}

func (s *stripper) isOutput(name string) bool {
	return slices.ContainsFunc(s.og.Outputs, func(o *onnx.ValueInfo) bool { return o.Name == name })
}

// renameProduced makes the already emitted producer of x write to instead,
// and its emitted readers read it.
func (s *stripper) renameProduced(x, to string) error {
	found := false
	for _, n := range s.nodes {
		for i, o := range n.Outputs {
			if o == x {
				n.Outputs[i], found = to, true
			}
		}
		for i, in := range n.Inputs {
			if in == x {
				n.Inputs[i] = to
			}
		}
	}
	if !found || s.isOutput(x) {
		return fmt.Errorf("cannot name %q as the graph output %q", x, to)
	}
	for k, a := range s.alias {
		if a == x {
			s.alias[k] = to
		}
	}
	s.alias[x] = to
	return nil
}

// model assembles the float model: the emitted nodes, the initializers
// still read plus the dequantized constants, inputs without dropped ones.
func (s *stripper) model(m *onnx.Model) *onnx.Model {
	used := map[string]bool{}
	for _, n := range s.nodes {
		for _, in := range n.Inputs {
			used[in] = true
		}
	}
	for _, o := range s.og.Outputs {
		used[o.Name] = true
	}
	g := &onnx.Graph{Name: s.og.Name, Nodes: s.nodes, Outputs: s.og.Outputs, ValueInfo: s.og.ValueInfo}
	for _, t := range s.og.Initializers {
		if used[t.Name] {
			g.Initializers = append(g.Initializers, t)
		}
	}
	for _, n := range s.og.Nodes { // in node order, for a stable file
		if n.OpType == "DequantizeLinear" {
			if t := s.floats[n.Outputs[0]]; t != nil && used[t.Name] {
				g.Initializers = append(g.Initializers, t)
			}
		}
	}
	for _, in := range s.og.Inputs {
		if _, isInit := s.inits[in.Name]; isInit && !used[in.Name] {
			continue
		}
		g.Inputs = append(g.Inputs, in)
	}
	out := *m
	out.Graph = g
	return &out
}
