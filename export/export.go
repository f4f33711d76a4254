// Package export writes a model with aiq's per-layer formats as a standard
// ONNX QDQ model that another runtime (ONNX Runtime) executes with aiq's
// numerics.
//
// It starts from the float graph of the source ONNX file and re-emits its
// nodes with three edits, all derived from what the engine does for the
// same configuration and calibration (engine.Storage reports how the
// engine stores each tensor):
//   - every tensor the engine stores as uint8 gets QuantizeLinear ->
//     DequantizeLinear with the engine's scale and zero point, and its
//     readers read the dequantized values; a tensor the engine stores as
//     binary16 gets a Cast to FLOAT16 and back;
//   - a reader that the engine feeds a converted copy (an int8 layer whose
//     input another reader needs in float) gets its own Q/DQ or Cast pair;
//   - int8/int4 layers read INT8/INT4 weights (quant.Weights with the
//     engine's arguments) through DequantizeLinear with per-output-channel
//     scales (axis 0; int4 groups along K as blocks of input channels),
//     fp16 layers FLOAT16 weights through a Cast; biases stay float32 (the
//     engine adds them in float, so int32 biases would add a rounding aiq
//     does not have).
//
// Layers then compute in float on the rounded values, as the engine's
// kernels do up to the order of float additions.
package export

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/onnx"
	"github.com/aiq-project/aiq/quant"
)

// Options are the quantization settings of engine.Options that change the
// numbers; export takes the same values the engine is compiled with.
type Options struct {
	Calib          *quant.Calibration
	WeightMethod   quant.WeightMethod
	Int4Group      int
	BiasCorrection bool
}

// Layer says how one compute layer was exported.
type Layer struct {
	Name   string         `json:"name"`
	Op     string         `json:"op"`
	Format kernels.Format `json:"format"`
	// Weights is how the weights are stored: "float32", "float16", "int8
	// per-channel", "int4 per-channel", "int4 blocks of G", or "int4 groups
	// of G across kernel taps, dequantized to float32".
	Weights string `json:"weights"`
	// InScale and InZero are the uint8 quantization of the layer's input
	// (int8/int4 layers).
	InScale float32 `json:"in_scale,omitempty"`
	InZero  uint8   `json:"in_zero,omitempty"`
}

// Summary describes an export.
type Summary struct {
	Opset      int64
	Layers     []Layer
	QDQ        int // QuantizeLinear/DequantizeLinear pairs on activations
	Casts      int // Cast pairs rounding activations to binary16
	WeightsDQ  int // DequantizeLinear nodes of weights
	WeightCast int // Cast nodes of float16 weights
}

// QDQ returns m (the ONNX model g was imported from) with the formats of cfg
// in QDQ form. m is not modified.
func QDQ(m *onnx.Model, g *graph.Graph, cfg engine.Config, opts Options) (*onnx.Model, *Summary, error) {
	if opts.Int4Group < 0 || opts.Int4Group%4 != 0 {
		return nil, nil, fmt.Errorf("export: int4 group %d, want 0 or a multiple of 4", opts.Int4Group)
	}
	if err := engine.CheckConfig(g, cfg); err != nil {
		return nil, nil, fmt.Errorf("export: %w", err)
	}
	if (cfg.Integer(g) || opts.BiasCorrection) && opts.Calib == nil {
		return nil, nil, fmt.Errorf("export: int8/int4 layers need calibration ranges")
	}
	// The engine's own plan: how it stores every tensor. A configuration it
	// cannot run has no numerics to reproduce.
	p, err := engine.Storage(g, cfg, engine.Options{Calib: opts.Calib, Int4Group: opts.Int4Group})
	if err != nil {
		return nil, nil, fmt.Errorf("export: %w", err)
	}
	x, err := newRewriter(m)
	if err != nil {
		return nil, nil, err
	}
	sum := &Summary{}
	if err := x.activations(g, p, sum); err != nil {
		return nil, nil, fmt.Errorf("export: %w", err)
	}
	int4 := false
	for _, s := range p.Steps {
		if s.Layer == "" {
			continue
		}
		n := s.Nodes[0]
		f := cfg.Format(n.Name)
		l := Layer{Name: n.Name, Op: n.Op, Format: f}
		if f == kernels.Int8 || f == kernels.Int4 {
			// The layer reads uint8: its input, or the copy converted for it.
			l.InScale, l.InZero = s.Ins[0].Quant.Scale, s.Ins[0].Quant.Zero
		}
		int4 = int4 || f == kernels.Int4
		if l.Weights, err = x.layer(g, n, f, opts, sum); err != nil {
			return nil, nil, fmt.Errorf("export: %w", err)
		}
		sum.Layers = append(sum.Layers, l)
	}
	out, err := x.finish(int4)
	if err != nil {
		return nil, nil, err
	}
	sum.Opset = out.Opsets[""]
	return out, sum, nil
}

// rewriter edits a copy of an ONNX graph: nodes are re-emitted in order
// with new nodes placed before or after an original one.
type rewriter struct {
	src      *onnx.Model
	nodes    []*onnx.Node // copies of the source nodes (inputs may be rewired)
	byName   map[string]*onnx.Node
	producer map[string]*onnx.Node // value -> the source node it is placed after (nil or absent: graph input)
	before   map[*onnx.Node][]*onnx.Node
	after    map[*onnx.Node][]*onnx.Node
	first    []*onnx.Node // after the graph inputs, before every node
	drop     map[*onnx.Node]bool
	inits    []*onnx.Tensor
	names    map[string]bool // every value and node name in use
}

func newRewriter(m *onnx.Model) (*rewriter, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("export: no ONNX graph")
	}
	x := &rewriter{src: m, byName: map[string]*onnx.Node{}, producer: map[string]*onnx.Node{},
		before: map[*onnx.Node][]*onnx.Node{}, after: map[*onnx.Node][]*onnx.Node{}, drop: map[*onnx.Node]bool{},
		names: map[string]bool{}}
	for i, n := range m.Graph.Nodes {
		c := *n
		c.Inputs = slices.Clone(n.Inputs)
		c.Outputs = slices.Clone(n.Outputs)
		x.nodes = append(x.nodes, &c)
		// An unnamed node is known to the imported graph as graph.FromONNX
		// names it: op type and index.
		key := c.Name
		if key == "" {
			key = fmt.Sprintf("%s_%d", c.OpType, i)
		}
		if _, dup := x.byName[key]; dup {
			x.byName[key] = nil // ambiguous: layer lookups fail with a clear error
		} else {
			x.byName[key] = &c
		}
		x.names[key] = true
		for _, o := range c.Outputs {
			x.producer[o] = &c
			x.names[o] = true
		}
		for _, in := range c.Inputs {
			x.names[in] = true
		}
	}
	x.inits = slices.Clone(m.Graph.Initializers)
	for _, t := range x.inits {
		x.names[t.Name] = true
	}
	for _, v := range m.Graph.Inputs {
		x.names[v.Name] = true
	}
	return x, nil
}

// name returns an unused value name built from base.
func (x *rewriter) name(base string) string {
	n := base
	for i := 1; x.names[n]; i++ {
		n = fmt.Sprintf("%s_%d", base, i)
	}
	x.names[n] = true
	return n
}

// placeAfter puts new nodes after the source node that produces value v
// (at the start for a graph input), in the order placed; their outputs are
// placed with the same source node, so a value derived from them follows.
func (x *rewriter) placeAfter(v string, nodes ...*onnx.Node) {
	p := x.producer[v]
	if p != nil {
		x.after[p] = append(x.after[p], nodes...)
	} else {
		x.first = append(x.first, nodes...)
	}
	for _, n := range nodes {
		for _, o := range n.Outputs {
			x.producer[o] = p
		}
	}
}

func (x *rewriter) node(op, name string, ins []string, outs []string, attrs ...*onnx.Attribute) *onnx.Node {
	return &onnx.Node{Name: x.name(name), OpType: op, Inputs: ins, Outputs: outs, Attrs: attrs}
}

func intAttr(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

func floatAttr(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

// qdq emits QuantizeLinear -> DequantizeLinear of value v with q after v's
// producer and returns the dequantized value.
func (x *rewriter) qdq(v, tag string, q kernels.Quant) string {
	scale, zero := x.name(v+"_scale"+tag), x.name(v+"_zero_point"+tag)
	x.inits = append(x.inits, &onnx.Tensor{Name: scale, DataType: onnx.Float, Floats: []float32{q.Scale}},
		&onnx.Tensor{Name: zero, DataType: onnx.Uint8, Ints: []int64{int64(q.Zero)}})
	qv, dv := x.name(v+"_quantized"+tag), x.name(v+"_dequantized"+tag)
	x.placeAfter(v,
		x.node("QuantizeLinear", v+"_QuantizeLinear"+tag, []string{v, scale, zero}, []string{qv}),
		x.node("DequantizeLinear", v+"_DequantizeLinear"+tag, []string{qv, scale, zero}, []string{dv}))
	return dv
}

// castF16 emits Cast to FLOAT16 and back after v's producer and returns
// the rounded value.
func (x *rewriter) castF16(v, tag string) string {
	h, r := x.name(v+"_fp16"+tag), x.name(v+"_fp16_rounded"+tag)
	x.placeAfter(v,
		x.node("Cast", v+"_CastFP16"+tag, []string{v}, []string{h}, intAttr("to", int64(onnx.Float16))),
		x.node("Cast", v+"_CastFP32"+tag, []string{h}, []string{r}, intAttr("to", int64(onnx.Float))))
	return r
}

// readers returns the nodes reading value v, with the input positions.
func (x *rewriter) readers(v string) (nodes []*onnx.Node, idx []int) {
	for _, n := range x.nodes {
		for i, in := range n.Inputs {
			if in == v {
				nodes, idx = append(nodes, n), append(idx, i)
			}
		}
	}
	return nodes, idx
}

// activations rounds every tensor as the engine stores it and gives the
// readers the engine converts for their own copy.
func (x *rewriter) activations(g *graph.Graph, p *engine.StoragePlan, sum *Summary) error {
	view := map[string]string{} // tensor -> the value its readers read
	// Sorted, so equal inputs give equal files.
	for _, t := range slices.Sorted(maps.Keys(p.Tensors)) {
		ts := p.Tensors[t]
		view[t] = t
		if ts.CopyOf != "" || ts.Storage == "f32" {
			continue // a copy of values already rounded, or float32
		}
		if x.producer[t] == nil && !slices.ContainsFunc(x.src.Graph.Inputs, func(v *onnx.ValueInfo) bool { return v.Name == t }) {
			return fmt.Errorf("tensor %q of the imported graph is not a value of the ONNX graph", t)
		}
		ns, idx := x.readers(t)
		var v string
		if ts.Storage == "u8" {
			v = x.qdq(t, "", ts.Quant)
			sum.QDQ++
		} else {
			v = x.castF16(t, "")
			sum.Casts++
		}
		for i, n := range ns {
			n.Inputs[idx[i]] = v
		}
		view[t] = v
	}
	// By tensor, then storage (f16 before u8).
	convs := p.Conversions()
	slices.SortFunc(convs, func(a, b engine.TensorRef) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Storage, b.Storage))
	})
	type copyOf struct{ tensor, storage string }
	made := map[copyOf]string{}
	for _, c := range convs {
		src := view[c.Name]
		switch c.Storage {
		case "u8":
			made[copyOf{c.Name, c.Storage}] = x.qdq(src, "_u8", c.Quant)
			sum.QDQ++
		case "f16":
			made[copyOf{c.Name, c.Storage}] = x.castF16(src, "_f16")
			sum.Casts++
		default: // float32: the rounded values as they are
			made[copyOf{c.Name, c.Storage}] = src
		}
	}
	for _, s := range p.Steps {
		for i, in := range s.Ins {
			if !in.Converted {
				continue
			}
			v := made[copyOf{in.Name, in.Storage}]
			if s.Layer == "" || i > 0 {
				if v == view[in.Name] {
					continue // a float32 copy: the values already read
				}
				return fmt.Errorf("step %q reads a %s copy of %q: only a layer's input converts", s.Key, in.Storage, in.Name)
			}
			n := s.Nodes[0]
			o := x.byName[n.Name]
			if o == nil || o.OpType != n.Op || len(o.Inputs) == 0 || o.Inputs[0] != view[in.Name] {
				return fmt.Errorf("layer %q: no %s node of that name reading %q in the ONNX graph", n.Name, n.Op, in.Name)
			}
			o.Inputs[0] = v
		}
	}
	return nil
}

// layer gives compute node n its weights in format f and returns how they
// are stored.
func (x *rewriter) layer(g *graph.Graph, n *graph.Node, f kernels.Format, opts Options, sum *Summary) (string, error) {
	o := x.byName[n.Name]
	if o == nil || o.OpType != n.Op || len(o.Inputs) < 2 {
		return "", fmt.Errorf("layer %q: no %s node of that name in the ONNX graph", n.Name, n.Op)
	}
	if err := x.matchOutput(o, n); err != nil {
		return "", err
	}
	lw, err := weightsOf(g, n)
	if err != nil {
		return "", err
	}
	folded := o.Inputs[1] != n.Inputs[1] || len(n.Inputs) > 2 && (len(o.Inputs) < 3 || o.Inputs[2] != n.Inputs[2])
	if f == kernels.FP32 && !folded {
		return "float32", nil // the source node as it is
	}
	bias := lw.bias
	var weights string
	var qw kernels.QuantWeights
	switch f {
	case kernels.FP32, kernels.FP16:
		w := x.name(n.Name + "_weight")
		dt, kind := onnx.Float, "float32"
		if f == kernels.FP16 {
			dt, kind = onnx.Float16, "float16"
		}
		x.inits = append(x.inits, &onnx.Tensor{Name: w, DataType: dt, Dims: onnxDims(g, n), Floats: lw.onnxLayout(g, n, lw.w)})
		if f == kernels.FP16 {
			wf := x.name(n.Name + "_weight_float")
			x.before[o] = append(x.before[o], x.node("Cast", n.Name+"_weight_Cast", []string{w}, []string{wf}, intAttr("to", int64(onnx.Float))))
			w = wf
			sum.WeightCast++
		}
		o.Inputs[1] = w
		weights = kind
	case kernels.Int8, kernels.Int4:
		if qw, bias, err = lw.quantize(f, opts); err != nil {
			return "", err
		}
		if weights, err = x.quantWeights(g, n, o, lw, qw, sum); err != nil {
			return "", err
		}
	}
	if bias != nil {
		b := x.name(n.Name + "_bias")
		x.inits = append(x.inits, &onnx.Tensor{Name: b, DataType: onnx.Float, Dims: []int64{int64(len(bias))}, Floats: bias})
		if len(o.Inputs) < 3 {
			o.Inputs = append(o.Inputs, b)
		} else {
			o.Inputs[2] = b
		}
	}
	if n.Op == "Gemm" {
		// alpha and beta are folded into the weights and bias, as the engine does.
		o.Attrs = slices.DeleteFunc(slices.Clone(o.Attrs), func(a *onnx.Attribute) bool { return a.Name == "alpha" || a.Name == "beta" })
	}
	return weights, nil
}

// matchOutput makes ONNX node o write the output the imported graph gives
// node n: the importer folds a BatchNormalization after a Conv into its
// weights, and the exported node then writes the BatchNormalization's
// output in its place (its weights are the folded ones).
func (x *rewriter) matchOutput(o *onnx.Node, n *graph.Node) error {
	want := n.Outputs[0]
	if o.Outputs[0] == want {
		return nil
	}
	ns, _ := x.readers(o.Outputs[0])
	if len(ns) == 1 && ns[0].OpType == "BatchNormalization" && len(ns[0].Outputs) > 0 && ns[0].Outputs[0] == want {
		x.drop[ns[0]] = true
		o.Outputs[0] = want
		return nil
	}
	return fmt.Errorf("layer %q: the ONNX node writes %q, the imported graph %q", n.Name, o.Outputs[0], want)
}

// onnxDims is the ONNX shape of n's weights.
func onnxDims(g *graph.Graph, n *graph.Node) []int64 {
	var d []int64
	for _, s := range g.Value(n.Inputs[1]).Shape {
		d = append(d, int64(s))
	}
	return d
}

// onnxLayout maps K x N values back to the layout of the ONNX weights,
// undoing weightsOf's reorder (alpha stays folded in).
func onnxLayout[T float32 | int64](lw *layerWeights, g *graph.Graph, n *graph.Node, v []T) []T {
	out := make([]T, len(v))
	k, nn := lw.k, lw.n
	switch {
	case n.Op == "Conv" && lw.depthwise:
		for o := 0; o < nn; o++ {
			for tap := 0; tap < 9; tap++ {
				out[o*9+tap] = v[tap*nn+o]
			}
		}
	case n.Op == "Conv":
		cin, kh, kw := lw.cin, lw.kh, lw.kw
		for o := 0; o < nn; o++ {
			for ci := 0; ci < cin; ci++ {
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						out[((o*cin+ci)*kh+ky)*kw+kx] = v[((ky*kw+kx)*cin+ci)*nn+o]
					}
				}
			}
		}
	case n.Op == "Gemm" && n.Gemm.TransB:
		for r := 0; r < k; r++ {
			for c := 0; c < nn; c++ {
				out[c*k+r] = v[r*nn+c]
			}
		}
	default:
		copy(out, v)
	}
	return out
}

func (lw *layerWeights) onnxLayout(g *graph.Graph, n *graph.Node, v []float32) []float32 {
	return onnxLayout(lw, g, n, v)
}

// quantWeights stores qw as an INT8 or INT4 initializer in the layout of the
// ONNX weights, with its scales and a DequantizeLinear feeding node o.
func (x *rewriter) quantWeights(g *graph.Graph, n *graph.Node, o *onnx.Node, lw *layerWeights, qw kernels.QuantWeights, sum *Summary) (string, error) {
	// DequantizeLinear blocks run along one axis of the ONNX weights: the
	// input channels. A group of K rows is such a block when it stays
	// within one kernel tap, i.e. divides the input channels. Other groups
	// span two taps: no DequantizeLinear expresses them, so the layer gets
	// its dequantized weights (the same values) in float32.
	if qw.Group > 0 && n.Op == "Conv" && lw.cin%qw.Group != 0 {
		w := x.name(n.Name + "_weight_int4_dequantized")
		x.inits = append(x.inits, &onnx.Tensor{Name: w, DataType: onnx.Float, Dims: onnxDims(g, n),
			Floats: lw.onnxLayout(g, n, quant.Dequantize(qw))})
		o.Inputs[1] = w
		return fmt.Sprintf("int4 groups of %d across kernel taps, dequantized to float32", qw.Group), nil
	}
	sum.WeightsDQ++
	q := make([]int64, len(qw.Q))
	for i, v := range qw.Q {
		q[i] = int64(v)
	}
	dt, kind := onnx.Int8, "int8 per-channel"
	if qw.Bits == 4 {
		dt, kind = onnx.Int4, "int4 per-channel"
	}
	w, s, dw := x.name(n.Name+"_weight_quantized"), x.name(n.Name+"_weight_scale"), x.name(n.Name+"_weight_dequantized")
	x.inits = append(x.inits, &onnx.Tensor{Name: w, DataType: dt, Dims: onnxDims(g, n), Ints: onnxLayout(lw, g, n, q)})
	// The output-channel axis of the ONNX weights: 0 for Conv and Gemm with
	// transB ([N, K]), 1 for [K, N].
	chAxis := int64(0)
	if n.Op == "MatMul" || n.Op == "Gemm" && !n.Gemm.TransB {
		chAxis = 1
	}
	attrs := []*onnx.Attribute{intAttr("axis", chAxis)}
	scale := &onnx.Tensor{Name: s, DataType: onnx.Float, Dims: []int64{int64(qw.N)}, Floats: qw.Scale}
	if qw.Group > 0 {
		var err error
		if scale.Dims, scale.Floats, attrs, err = blockScales(n, lw, qw); err != nil {
			return "", err
		}
		kind = fmt.Sprintf("int4 blocks of %d", qw.Group)
	}
	x.inits = append(x.inits, scale)
	x.before[o] = append(x.before[o], x.node("DequantizeLinear", n.Name+"_weight_DequantizeLinear", []string{w, s}, []string{dw}, attrs...))
	o.Inputs[1] = dw
	return kind, nil
}

// blockScales lays out grouped int4 scales (Scale[g*N+c], g = k/Group) as
// the blocked scale tensor of DequantizeLinear (opset 21): the weights'
// shape with the blocked axis divided by the block size.
func blockScales(n *graph.Node, lw *layerWeights, qw kernels.QuantWeights) ([]int64, []float32, []*onnx.Attribute, error) {
	G, N := qw.Group, qw.N
	groups := qw.Groups()
	switch {
	case n.Op == "Conv":
		cin, kh, kw := lw.cin, lw.kh, lw.kw
		cb := cin / G
		s := make([]float32, N*cb*kh*kw)
		for o := 0; o < N; o++ {
			for b := 0; b < cb; b++ {
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						g := (ky*kw+kx)*cb + b
						s[((o*cb+b)*kh+ky)*kw+kx] = qw.Scale[g*N+o]
					}
				}
			}
		}
		return []int64{int64(N), int64(cb), int64(kh), int64(kw)}, s, []*onnx.Attribute{intAttr("axis", 1), intAttr("block_size", int64(G))}, nil
	case n.Op == "Gemm" && n.Gemm.TransB: // [N, K]: blocks along axis 1
		s := make([]float32, N*groups)
		for c := 0; c < N; c++ {
			for g := 0; g < groups; g++ {
				s[c*groups+g] = qw.Scale[g*N+c]
			}
		}
		return []int64{int64(N), int64(groups)}, s, []*onnx.Attribute{intAttr("axis", 1), intAttr("block_size", int64(G))}, nil
	default: // [K, N]: blocks along axis 0, the scales already in that order
		return []int64{int64(groups), int64(N)}, slices.Clone(qw.Scale), []*onnx.Attribute{intAttr("axis", 0), intAttr("block_size", int64(G))}, nil
	}
}

// finish assembles the new model: nodes in order with the inserted ones,
// unused nodes and initializers removed, the opset raised to what the new
// nodes need (13: per-axis Q/DQ; 21: INT4 and blocked scales).
func (x *rewriter) finish(int4 bool) (*onnx.Model, error) {
	var nodes []*onnx.Node
	nodes = append(nodes, x.first...)
	for _, n := range x.nodes {
		nodes = append(nodes, x.before[n]...)
		if !x.drop[n] {
			nodes = append(nodes, n)
		}
		nodes = append(nodes, x.after[n]...)
	}
	src := x.src.Graph
	outs := map[string]bool{}
	for _, v := range src.Outputs {
		outs[v.Name] = true
	}
	// Dead nodes: the source's weights of exported layers (Constant nodes
	// or initializers) that nothing reads any more.
	for {
		used := maps.Clone(outs)
		for _, n := range nodes {
			for _, in := range n.Inputs {
				used[in] = true
			}
		}
		kept := nodes[:0:0]
		for _, n := range nodes {
			if slices.ContainsFunc(n.Outputs, func(o string) bool { return used[o] }) {
				kept = append(kept, n)
			}
		}
		if len(kept) == len(nodes) {
			var inits []*onnx.Tensor
			for _, t := range x.inits {
				if used[t.Name] {
					inits = append(inits, t)
				}
			}
			var inputs []*onnx.ValueInfo
			isInit := map[string]bool{}
			for _, t := range x.inits {
				isInit[t.Name] = true
			}
			for _, v := range src.Inputs {
				if !isInit[v.Name] || used[v.Name] {
					inputs = append(inputs, v)
				}
			}
			opsets := map[string]int64{}
			for d, v := range x.src.Opsets {
				opsets[d] = v
			}
			ir := x.src.IRVersion
			need := int64(13)
			if int4 {
				need = 21
				ir = max(ir, 10) // INT4 is IR version 10
			}
			opsets[""] = max(opsets[""], need)
			// Shapes declared for values that are gone (a folded
			// BatchNormalization's input) would describe nothing.
			var infos []*onnx.ValueInfo
			for _, v := range src.ValueInfo {
				if used[v.Name] || isInit[v.Name] || slices.ContainsFunc(kept, func(n *onnx.Node) bool { return slices.Contains(n.Outputs, v.Name) }) {
					infos = append(infos, v)
				}
			}
			g := &onnx.Graph{Name: src.Name, Nodes: kept, Initializers: inits, Inputs: inputs,
				Outputs: src.Outputs, ValueInfo: infos}
			return &onnx.Model{IRVersion: ir, Producer: "aiq export", Opsets: opsets, Graph: g}, nil
		}
		nodes = kept
	}
}
