package graph

import (
	"math"
	"slices"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/onnx"
)

// Hand-computed checks of the operators and attribute forms that ONNX's
// backend tests (package conformance) do not cover: opset-dependent forms,
// the blocks CNN exporters emit, and the quantized operators' rounding and
// saturation.

func opsetModel(opset int64, dims []int64, inits []*onnx.Tensor, nodes ...*onnx.Node) *onnx.Model {
	m := model(dims, inits, nodes...)
	m.Opsets[""] = opset
	return m
}

func itensor(name string, dt onnx.DataType, dims []int64, v ...int64) *onnx.Tensor {
	return &onnx.Tensor{Name: name, DataType: dt, Dims: dims, Ints: v}
}

func fattr(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

func iota32(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i)
	}
	return x
}

// runOne imports m for batch and runs it on x, returning y and its shape.
func runOne(t *testing.T, m *onnx.Model, batch int, x []float32) ([]float32, []int) {
	t.Helper()
	g, err := FromONNX(m, batch)
	if err != nil {
		t.Fatal(err)
	}
	y, err := Reference(g, x)
	if err != nil {
		t.Fatal(err)
	}
	return y, g.Value("y").Shape
}

func TestReduceMeanForms(t *testing.T) {
	x := iota32(8) // [1,2,2,2]: channel means 1.5 and 5.5
	dims := []int64{-1, 2, 2, 2}
	// opset 13: axes attribute; keepdims default 1.
	y, s := runOne(t, opsetModel(13, dims, nil, node("ReduceMean", []string{"x"}, []string{"y"}, intsAttr("axes", 2, 3))), 1, x)
	close32(t, "axes attr", y, []float32{1.5, 5.5}, 0)
	if !slices.Equal(s, []int{1, 2, 1, 1}) {
		t.Errorf("keepdims shape %v", s)
	}
	// opset 18: axes input, negative axes, keepdims 0.
	y, s = runOne(t, opsetModel(18, dims, []*onnx.Tensor{itensor("ax", onnx.Int64, []int64{2}, -1, -2)},
		node("ReduceMean", []string{"x", "ax"}, []string{"y"}, iattr("keepdims", 0))), 1, x)
	close32(t, "axes input", y, []float32{1.5, 5.5}, 0)
	if !slices.Equal(s, []int{1, 2}) {
		t.Errorf("keepdims 0 shape %v", s)
	}
	// Over the channel axis only.
	y, _ = runOne(t, opsetModel(13, dims, nil, node("ReduceMean", []string{"x"}, []string{"y"}, intsAttr("axes", 1))), 1, x)
	close32(t, "axis 1", y, []float32{2, 3, 4, 5}, 0)
	// No axes: everything; noop_with_empty_axes: identity.
	y, _ = runOne(t, opsetModel(18, dims, nil, node("ReduceMean", []string{"x"}, []string{"y"})), 1, x)
	close32(t, "all axes", y, []float32{3.5}, 0)
	y, _ = runOne(t, opsetModel(18, dims, nil, node("ReduceMean", []string{"x"}, []string{"y"}, iattr("noop_with_empty_axes", 1))), 1, x)
	close32(t, "noop", y, x, 0)
}

// Squeeze-excitation as exported: x * HardSigmoid(GAP(x)) with an NC11
// activation broadcast over NCHW, and the activations on known points.
func TestActivationsAndSqueezeExcitation(t *testing.T) {
	x := iota32(8)
	dims := []int64{-1, 2, 2, 2}
	y, _ := runOne(t, model(dims, nil,
		node("GlobalAveragePool", []string{"x"}, []string{"m"}),
		node("Mul", []string{"x", "m"}, []string{"y"})), 1, x)
	close32(t, "x*gap(x)", y, []float32{0, 1.5, 3, 4.5, 22, 27.5, 33, 38.5}, 1e-7)

	pts := []float32{-4, -3, -1, 0, 1, 2.5, 4}
	m := func(op string, a ...*onnx.Attribute) *onnx.Model {
		return model([]int64{7}, nil, node(op, []string{"x"}, []string{"y"}, a...))
	}
	y, _ = runOne(t, m("HardSigmoid"), 7, pts) // 0.2x + 0.5
	close32(t, "hardsigmoid", y, []float32{0, 0, 0.3, 0.5, 0.7, 1, 1}, 1e-6)
	y, _ = runOne(t, m("HardSigmoid", fattr("alpha", 0.5), fattr("beta", 0.25)), 7, pts)
	close32(t, "hardsigmoid alpha beta", y, []float32{0, 0, 0, 0.25, 0.75, 1, 1}, 1e-6)
	y, _ = runOne(t, m("HardSwish"), 7, pts) // x * clip(x/6 + 1/2, 0, 1)
	close32(t, "hardswish", y, []float32{0, 0, -1.0 / 3, 0, 2.0 / 3, 2.5 * (2.5/6 + 0.5), 4}, 1e-6)
	y, _ = runOne(t, m("Sigmoid"), 7, pts)
	for i, v := range pts {
		if want := 1 / (1 + math.Exp(-float64(v))); math.Abs(float64(y[i])-want) > 1e-7 {
			t.Errorf("sigmoid(%v) = %v, want %v", v, y[i], want)
		}
	}
	// GlobalMaxPool.
	y, _ = runOne(t, model(dims, nil, node("GlobalMaxPool", []string{"x"}, []string{"y"})), 1, x)
	close32(t, "globalmaxpool", y, []float32{3, 7}, 0)
}

// Clip's bounds are attributes before opset 11 and inputs from 11 on
// (ReLU6 as PyTorch exports it).
func TestClipForms(t *testing.T) {
	x := []float32{-1, 0.5, 3, 7}
	y, _ := runOne(t, opsetModel(7, []int64{4}, nil, node("Clip", []string{"x"}, []string{"y"}, fattr("min", 0), fattr("max", 6))), 4, x)
	close32(t, "opset 7", y, []float32{0, 0.5, 3, 6}, 0)
	y, _ = runOne(t, opsetModel(13, []int64{4}, []*onnx.Tensor{ftensor("lo", nil, []float32{0}), ftensor("hi", nil, []float32{6})},
		node("Clip", []string{"x", "lo", "hi"}, []string{"y"})), 4, x)
	close32(t, "opset 13", y, []float32{0, 0.5, 3, 6}, 0)
	y, _ = runOne(t, opsetModel(13, []int64{4}, []*onnx.Tensor{ftensor("hi", nil, []float32{2})},
		node("Clip", []string{"x", "", "hi"}, []string{"y"})), 4, x)
	close32(t, "max only", y, []float32{-1, 0.5, 2, 2}, 0)
}

// ShuffleNet's channel shuffle: Reshape (with 0 and -1), Transpose, Reshape.
func TestChannelShuffle(t *testing.T) {
	x := iota32(8) // [1,4,1,2]
	y, s := runOne(t, model([]int64{-1, 4, 1, 2}, []*onnx.Tensor{
		itensor("s1", onnx.Int64, []int64{5}, 0, 2, -1, 1, 2), itensor("s2", onnx.Int64, []int64{4}, 0, -1, 1, 2)},
		node("Reshape", []string{"x", "s1"}, []string{"r"}),
		node("Transpose", []string{"r"}, []string{"t"}, intsAttr("perm", 0, 2, 1, 3, 4)),
		node("Reshape", []string{"t", "s2"}, []string{"y"})), 1, x)
	close32(t, "shuffle", y, []float32{0, 1, 4, 5, 2, 3, 6, 7}, 0)
	if !slices.Equal(s, []int{1, 4, 1, 2}) {
		t.Errorf("shape %v", s)
	}
}

// A symbolic batch and a 224x224 input: shapes follow the batch asked for,
// and a BatchNormalization after a Relu (nothing to fold into) stays a node.
func TestSymbolicBatchLargeInputAndBatchNorm(t *testing.T) {
	m := model([]int64{-1, 3, 224, 224},
		[]*onnx.Tensor{ftensor("W", []int64{2, 3, 1, 1}, []float32{1, 1, 1, 1, 0, 0}),
			ftensor("sc", []int64{2}, []float32{3, 1}), ftensor("bi", []int64{2}, []float32{1, 0}),
			ftensor("mu", []int64{2}, []float32{1, 0}), ftensor("va", []int64{2}, []float32{1, 1})},
		node("Conv", []string{"x", "W"}, []string{"c"}, intsAttr("strides", 2, 2)),
		node("Relu", []string{"c"}, []string{"r"}),
		node("BatchNormalization", []string{"r", "sc", "bi", "mu", "va"}, []string{"b"}, fattr("epsilon", 0)),
		node("GlobalAveragePool", []string{"b"}, []string{"p"}),
		node("Flatten", []string{"p"}, []string{"y"}))
	m.Graph.Inputs[0].DimParams[0] = "N"
	for _, batch := range []int{1, 3} {
		g, err := FromONNX(m, batch)
		if err != nil {
			t.Fatal(err)
		}
		if s := g.Value("c").Shape; !slices.Equal(s, []int{batch, 2, 112, 112}) {
			t.Fatalf("batch %d: conv shape %v", batch, s)
		}
		if !slices.ContainsFunc(g.Nodes, func(n *Node) bool { return n.Op == "BatchNormalization" }) {
			t.Fatal("BatchNormalization after Relu was removed")
		}
		x := make([]float32, batch*3*224*224)
		for i := range x {
			x[i] = 1
		}
		y, err := Reference(g, x)
		if err != nil {
			t.Fatal(err)
		}
		// Channel 0: relu(3) = 3, (3-1)*3+1 = 7; channel 1: relu(1) = 1, 1*1 + 0.
		close32(t, "bn", y, slices.Repeat([]float32{7, 1}, batch), 1e-6)
	}
}

func runTensors(t *testing.T, m *onnx.Model, batch int, x *Tensor) *Tensor {
	t.Helper()
	g, err := FromONNX(m, batch)
	if err != nil {
		t.Fatal(err)
	}
	res, err := RunTensors(g, map[string]*Tensor{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	return res["y"]
}

// QuantizeLinear rounds x/scale half to even, adds the zero point and
// saturates to the zero point's type; DequantizeLinear inverts it.
func TestQuantizeDequantize(t *testing.T) {
	// Per axis 1 of [1,2,1,3], int8: channel 0 scale 1 zp 0, channel 1 scale 2 zp 1.
	inits := []*onnx.Tensor{ftensor("s", []int64{2}, []float32{1, 2}), itensor("z", onnx.Int8, []int64{2}, 0, 1)}
	x := []float32{0.5, 1.5, -2.5, 300, -300, 2.5}
	y := runTensors(t, model([]int64{1, 2, 1, 3}, inits, node("QuantizeLinear", []string{"x", "s", "z"}, []string{"y"})), 1,
		&Tensor{DType: Float32, F: x})
	if want := []int64{0, 2, -2, 127, -128, 2}; !slices.Equal(y.I, want) || y.Elem != onnx.Int8 {
		t.Errorf("quantize int8 per axis: %v %v, want %v INT8", y.I, y.Elem, want)
	}
	// Per tensor, no zero point: uint8 with zero point 0.
	y = runTensors(t, model([]int64{4}, []*onnx.Tensor{ftensor("s", nil, []float32{0.5})},
		node("QuantizeLinear", []string{"x", "s"}, []string{"y"})), 4, &Tensor{DType: Float32, F: []float32{-1, 0.25, 0.75, 200}})
	if want := []int64{0, 0, 2, 255}; !slices.Equal(y.I, want) || y.Elem != onnx.Uint8 {
		t.Errorf("quantize uint8: %v %v, want %v UINT8", y.I, y.Elem, want)
	}
	// DequantizeLinear of int8 per axis 1.
	dm := opsetModel(13, []int64{1, 2, 1, 3}, inits, node("DequantizeLinear", []string{"x", "s", "z"}, []string{"y"}))
	dm.Graph.Inputs[0].ElemType = onnx.Int8
	d := runTensors(t, dm, 1, &Tensor{DType: Int64, I: []int64{0, 2, -2, 127, -128, 2}})
	close32(t, "dequantize", d.F, []float32{0, 2, -2, 252, -258, 2}, 0)
}

// QLinearConv with per-channel weight scales, int8 weights, groups and an
// int32 bias: y = saturate(round(acc * xs*ws[c]/ys) + yzp).
func TestQLinearConvPerChannel(t *testing.T) {
	inits := []*onnx.Tensor{
		ftensor("xs", nil, []float32{0.5}), itensor("xz", onnx.Uint8, nil, 10),
		itensor("w", onnx.Int8, []int64{2, 1, 1, 1}, 2, -3), ftensor("ws", []int64{2}, []float32{0.25, 1}), itensor("wz", onnx.Int8, []int64{2}, 0, 0),
		ftensor("ys", nil, []float32{0.5}), itensor("yz", onnx.Uint8, nil, 128), itensor("b", onnx.Int32, []int64{2}, 4, 2),
	}
	m := model([]int64{1, 2, 1, 1}, inits, node("QLinearConv", []string{"x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"}, []string{"y"}, iattr("group", 2)))
	m.Graph.Inputs[0].ElemType = onnx.Uint8
	// Channel 0: (10-10)*2 + 4 = 4 -> 4*0.5*0.25/0.5 = 1 -> 129.
	// Channel 1: (20-10)*-3 + 2 = -28 -> -28*0.5*1/0.5 = -28 -> 100.
	y := runTensors(t, m, 1, &Tensor{DType: Int64, I: []int64{10, 20}})
	if want := []int64{129, 100}; !slices.Equal(y.I, want) || y.Elem != onnx.Uint8 {
		t.Errorf("qlinearconv: %v %v, want %v UINT8", y.I, y.Elem, want)
	}
	// MatMulInteger with a per-row zero point of A.
	mm := model([]int64{2, 2}, []*onnx.Tensor{itensor("b", onnx.Uint8, []int64{2, 1}, 1, 2), itensor("az", onnx.Uint8, []int64{2}, 1, 3)},
		node("MatMulInteger", []string{"x", "b", "az"}, []string{"y"}))
	mm.Graph.Inputs[0].ElemType = onnx.Uint8
	// Row 0: (1-1)*1 + (2-1)*2 = 2; row 1: (3-3)*1 + (4-3)*2 = 2.
	y = runTensors(t, mm, 2, &Tensor{DType: Int64, I: []int64{1, 2, 3, 4}})
	if want := []int64{2, 2}; !slices.Equal(y.I, want) || y.Elem != onnx.Int32 {
		t.Errorf("matmulinteger: %v %v, want %v INT32", y.I, y.Elem, want)
	}
}

// A QDQ graph keeps its QuantizeLinear/DequantizeLinear nodes, also on
// constant weights (constant folding must not swallow them).
func TestQDQNodesKept(t *testing.T) {
	inits := []*onnx.Tensor{
		ftensor("s", nil, []float32{0.5}), itensor("z", onnx.Uint8, nil, 128),
		itensor("wq", onnx.Int8, []int64{1, 1, 1, 1}, 4), ftensor("ws", []int64{1}, []float32{0.25}), itensor("wz", onnx.Int8, []int64{1}, 0),
	}
	m := model([]int64{-1, 1, 1, 2}, inits,
		node("QuantizeLinear", []string{"x", "s", "z"}, []string{"q"}),
		node("DequantizeLinear", []string{"q", "s", "z"}, []string{"dq"}),
		node("DequantizeLinear", []string{"wq", "ws", "wz"}, []string{"w"}),
		node("Conv", []string{"dq", "w"}, []string{"y"}))
	m.Graph.Nodes[2].Name = "w_dq"
	g, err := FromONNX(m, 1)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, n := range g.Nodes {
		ops = append(ops, n.Op)
	}
	if want := []string{"QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "Conv"}; !slices.Equal(ops, want) {
		t.Fatalf("nodes %v, want %v", ops, want)
	}
	// x = 1.3 -> q = round(2.6)+128 = 131 -> 1.5; 1.5 * (4*0.25) = 1.5.
	y, err := Reference(g, []float32{1.3, -100})
	if err != nil {
		t.Fatal(err)
	}
	close32(t, "qdq conv", y, []float32{1.5, -64}, 0)
}

// ONNX Runtime's QDQ int8 models of the shipped networks (peers/) import
// with their Q/DQ nodes and, run by the reference interpreter, classify as
// well as the float models: on test images 0..99 the fp32 models get 89
// (ResNet-20) and 87 (MobileNetV2) right; ONNX Runtime's int8 top-1 over all
// 10,000 is 0.02 and 0.08 points from fp32. A wrong rounding or zero point
// costs far more than the +-2 allowed.
func TestQDQPeerModels(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	set, err := dataset.Open("../data/cifar10/cifar10-test.bin")
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	for name, want := range map[string]int{"resnet20": 90, "mobilenetv2": 88} {
		g, err := Load("../peers/"+name+"-int8-ort.onnx", 50)
		if err != nil {
			t.Fatal(err)
		}
		if q := slices.IndexFunc(g.Nodes, func(n *Node) bool { return n.Op == "DequantizeLinear" }); q < 0 {
			t.Fatalf("%s: no DequantizeLinear left after import", name)
		}
		got := int(top1(t, "../peers/"+name+"-int8-ort.onnx", set, 0, n, 50)*n + 0.5)
		t.Logf("%s int8 QDQ: %d of %d correct", name, got, n)
		if got < want-2 || got > want+2 {
			t.Errorf("%s int8 QDQ: %d of %d correct, want %d +- 2", name, got, n, want)
		}
	}
}

// A 1-D Conv imports as the 2-D one over [N, C, 1, W] between Reshapes.
func TestConv1D(t *testing.T) {
	m := model([]int64{-1, 1, 5}, []*onnx.Tensor{ftensor("W", []int64{1, 1, 3}, []float32{1, 0, -1})},
		node("Conv", []string{"x", "W"}, []string{"y"}, intsAttr("pads", 1, 1), intsAttr("strides", 2)))
	y, s := runOne(t, m, 1, []float32{1, 2, 3, 4, 5})
	// Taps x[2i-1] - x[2i+1], zero outside.
	close32(t, "conv1d", y, []float32{-2, -2, 4}, 0)
	if !slices.Equal(s, []int{1, 1, 3}) {
		t.Errorf("shape %v, want [1 1 3]", s)
	}
}

// Before opset 13 Softmax's axis defaults to 1 and covers the axes from it
// on, which for [N, classes] is the classes: what exporters emit there.
func TestSoftmaxOpset11(t *testing.T) {
	y, _ := runOne(t, opsetModel(11, []int64{-1, 2}, nil, node("Softmax", []string{"x"}, []string{"y"})), 2, []float32{0, float32(math.Log(3)), 1, 1})
	close32(t, "softmax", y, []float32{0.25, 0.75, 0.5, 0.5}, 1e-6)
	_, err := FromONNX(opsetModel(11, []int64{-1, 2, 3}, nil, node("Softmax", []string{"x"}, []string{"y"})), 1)
	if err == nil {
		t.Error("opset 11 Softmax over two axes imported")
	}
}
