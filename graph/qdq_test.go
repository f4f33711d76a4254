package graph

import (
	"slices"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/onnx"
)

func readONNX(t *testing.T, path string) *onnx.Model {
	t.Helper()
	m, err := onnx.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func opCounts(m *onnx.Model) map[string]int {
	c := map[string]int{}
	for _, n := range m.Graph.Nodes {
		c[n.OpType]++
	}
	return c
}

// TestStripQDQORT strips ONNX Runtime's QDQ models of the shipped models:
// no Q/DQ is left, the float graph has the original model's compute and
// activation nodes (the Relu/Clip ONNX Runtime folded into zero-point-0
// quantizations come back), and the annotations are the file's values.
func TestStripQDQORT(t *testing.T) {
	for _, name := range []string{"resnet20", "mobilenetv2"} {
		qm := readONNX(t, "../peers/"+name+"-int8-ort.onnx")
		fm, q, err := StripQDQ(qm)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, want := opCounts(fm), opCounts(readONNX(t, "../models/"+name+".onnx"))
		for _, op := range []string{"QuantizeLinear", "DequantizeLinear"} {
			if got[op] != 0 {
				t.Errorf("%s: %d %s nodes left", name, got[op], op)
			}
		}
		for _, op := range []string{"Conv", "Gemm", "Relu", "Clip", "Add"} {
			if got[op] != want[op] {
				t.Errorf("%s: %d %s nodes, the float model has %d", name, got[op], op, want[op])
			}
		}
		inits := map[string]*onnx.Tensor{}
		for _, t := range qm.Graph.Initializers {
			inits[t.Name] = t
		}
		quants := 0
		for _, n := range qm.Graph.Nodes {
			switch n.OpType {
			case "QuantizeLinear":
				quants++
				s, z := inits[n.Inputs[1]].Floats[0], uint8(inits[n.Inputs[2]].Ints[0])
				found := false
				for _, a := range q.Acts {
					found = found || a == ActQuant{Scale: s, Zero: z}
				}
				if !found {
					t.Errorf("%s: quantization %v/%d of %q not among the annotations", name, s, z, n.Inputs[0])
				}
			case "DequantizeLinear":
				w := inits[n.Inputs[0]]
				if w == nil || w.DataType != onnx.Int8 {
					continue
				}
				wq, ok := q.Weights[n.Outputs[0]]
				if !ok {
					t.Errorf("%s: int8 weights %q have no annotation", name, n.Outputs[0])
					continue
				}
				scale := inits[n.Inputs[1]].Floats
				for i, v := range w.Ints {
					if int64(wq.Q[i]) != v {
						t.Fatalf("%s: weights %q[%d] = %d, file %d", name, n.Outputs[0], i, wq.Q[i], v)
					}
				}
				if !slices.Equal(wq.Scale, scale) {
					t.Errorf("%s: weights %q scales differ from the file's", name, n.Outputs[0])
				}
			}
		}
		if len(q.Acts) != quants {
			t.Errorf("%s: %d activation annotations for %d QuantizeLinear nodes", name, len(q.Acts), quants)
		}
		if a := q.Acts["/Div_output_0"]; name == "resnet20" && a != (ActQuant{Scale: 0.018658448, Zero: 114}) {
			t.Errorf("%s: input quantization %v", name, a)
		}
		if len(q.Requantized) != 0 {
			t.Errorf("%s: requantized weights %v", name, q.Requantized)
		}
	}
}

// TestLoadQDQ imports the float graph: the Conv/Gemm layers read the
// annotated weights, which are the file's codes times its scales.
func TestLoadQDQ(t *testing.T) {
	g, q, err := LoadQDQ("../peers/resnet20-int8-ort.onnx", 2)
	if err != nil {
		t.Fatal(err)
	}
	ls := g.Layers()
	if len(ls) != 20 {
		t.Fatalf("%d layers, want 20", len(ls))
	}
	for _, n := range g.Nodes {
		if n.Op != "Conv" && n.Op != "Gemm" {
			continue
		}
		wq, ok := q.Weights[n.Inputs[1]]
		w := g.Value(n.Inputs[1])
		if !ok || w == nil || len(w.F) != len(wq.Q) {
			t.Fatalf("node %q: weights %q not annotated", n.Name, n.Inputs[1])
		}
		per := len(wq.Q) / len(wq.Scale)
		for i, v := range wq.Q {
			if w.F[i] != float32(v)*wq.Scale[i/per] {
				t.Fatalf("node %q: weight %d is %v, want %d*%v", n.Name, i, w.F[i], v, wq.Scale[i/per])
			}
		}
	}
	for name := range q.Acts {
		if g.Value(name) == nil {
			t.Errorf("annotation of %q, not a value of the graph", name)
		}
	}
	if g2, q2, err := LoadQDQ("../models/resnet20.onnx", 2); err != nil || q2 != nil || len(g2.Nodes) == 0 {
		t.Errorf("float model: QDQ %v, err %v", q2, err)
	}
}

// qdqModel is x -> Q/DQ -> Conv(DQ(w)) -> Q/DQ -> y with the given
// activation zero point and weight zero point, for the error cases.
func qdqModel(actScale []float32, wZero int64) *onnx.Model {
	f := func(name string, dims []int64, v ...float32) *onnx.Tensor {
		return &onnx.Tensor{Name: name, DataType: onnx.Float, Dims: dims, Floats: v}
	}
	i := func(name string, dt onnx.DataType, dims []int64, v ...int64) *onnx.Tensor {
		return &onnx.Tensor{Name: name, DataType: dt, Dims: dims, Ints: v}
	}
	node := func(op string, in []string, out string, attrs ...*onnx.Attribute) *onnx.Node {
		return &onnx.Node{Name: op + "_" + out, OpType: op, Inputs: in, Outputs: []string{out}, Attrs: attrs}
	}
	axis0 := &onnx.Attribute{Name: "axis", Type: onnx.AttrInt, I: 0}
	ks := &onnx.Attribute{Name: "kernel_shape", Type: onnx.AttrInts, Ints: []int64{1, 1}}
	zs := make([]int64, len(actScale))
	return &onnx.Model{Opsets: map[string]int64{"": 13}, Graph: &onnx.Graph{
		Name: "t",
		Initializers: []*onnx.Tensor{
			f("xs", []int64{int64(len(actScale))}[:min(len(actScale)-1, 1)], actScale...),
			i("xz", onnx.Uint8, []int64{int64(len(actScale))}[:min(len(actScale)-1, 1)], zs...),
			i("wq", onnx.Int8, []int64{2, 2, 1, 1}, 1, -2, 3, 127),
			f("ws", []int64{2}, 0.5, 0.25),
			i("wz", onnx.Int8, []int64{2}, 0, wZero),
			f("ys", nil, 0.1), i("yz", onnx.Uint8, nil, 0),
		},
		Inputs:  []*onnx.ValueInfo{{Name: "x", ElemType: onnx.Float, Dims: []int64{-1, 2, 3, 3}, HasShape: true}},
		Outputs: []*onnx.ValueInfo{{Name: "y", ElemType: onnx.Float}},
		Nodes: []*onnx.Node{
			node("QuantizeLinear", []string{"x", "xs", "xz"}, "xq", axis0),
			node("DequantizeLinear", []string{"xq", "xs", "xz"}, "xd", axis0),
			node("DequantizeLinear", []string{"wq", "ws", "wz"}, "w", axis0),
			node("Conv", []string{"xd", "w"}, "c", ks),
			node("QuantizeLinear", []string{"c", "ys", "yz"}, "cq"),
			node("DequantizeLinear", []string{"cq", "ys", "yz"}, "y"),
		},
	}}
}

func TestStripQDQSmall(t *testing.T) {
	fm, q, err := StripQDQ(qdqModel([]float32{0.02}, 0))
	if err != nil {
		t.Fatal(err)
	}
	// x's zero point 0 and the output's: each pair became a Relu.
	var ops []string
	for _, n := range fm.Graph.Nodes {
		ops = append(ops, n.OpType)
	}
	if !slices.Equal(ops, []string{"Relu", "Conv", "Relu"}) {
		t.Errorf("float graph %v, want [Relu Conv Relu]", ops)
	}
	if a := q.Acts["y"]; a != (ActQuant{Scale: 0.1}) {
		t.Errorf("output annotation %v", a)
	}
	if w := q.Weights["w"]; !slices.Equal(w.Q, []int8{1, -2, 3, 127}) || !slices.Equal(w.Scale, []float32{0.5, 0.25}) {
		t.Errorf("weights %v", w)
	}
	g, err := FromONNX(fm, 1)
	if err != nil {
		t.Fatal(err)
	}
	if w := g.Value("w").F; !slices.Equal(w, []float32{0.5, -1, 0.75, 31.75}) {
		t.Errorf("dequantized weights %v", w)
	}

	// A nonzero weight zero point: the float graph is right, the int8
	// layer must quantize again.
	_, q, err = StripQDQ(qdqModel([]float32{0.02}, 3))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := q.Weights["w"]; ok || !strings.Contains(q.Requantized["w"], "zero point") {
		t.Errorf("nonzero zero point: weights %v, requantized %v", q.Weights, q.Requantized)
	}

	// int8 activations are uint8 ones shifted by 128.
	m := qdqModel([]float32{0.02}, 0)
	m.Graph.Initializers[1] = &onnx.Tensor{Name: "xz", DataType: onnx.Int8, Ints: []int64{-5}}
	fm, q, err = StripQDQ(m)
	if err != nil {
		t.Fatal(err)
	}
	if a := q.Acts["x"]; a != (ActQuant{Scale: 0.02, Zero: 123}) || fm.Graph.Nodes[0].OpType != "Conv" {
		t.Errorf("int8 activations: %v, first node %s", a, fm.Graph.Nodes[0].OpType)
	}

	// Per-channel activation scales are not supported.
	if _, _, err := StripQDQ(qdqModel([]float32{0.02, 0.03}, 0)); err == nil || !strings.Contains(err.Error(), "per-tensor") {
		t.Errorf("per-axis activations: %v", err)
	}

	// A quantized value read by something else than DequantizeLinear.
	m = qdqModel([]float32{0.02}, 0)
	m.Graph.Nodes[3].Inputs[0] = "xq"
	if _, _, err := StripQDQ(m); err == nil || !strings.Contains(err.Error(), "only DequantizeLinear") {
		t.Errorf("Conv of a quantized value: %v", err)
	}

	// QLinear operators are not QDQ.
	m = qdqModel([]float32{0.02}, 0)
	m.Graph.Nodes[3].OpType = "QLinearConv"
	if _, _, err := StripQDQ(m); err == nil || !strings.Contains(err.Error(), "QLinearConv") {
		t.Errorf("QLinearConv: %v", err)
	}
}

// FuzzStripQDQ: no model file makes StripQDQ (or importing what it
// returns) panic.
func FuzzStripQDQ(f *testing.F) {
	for _, m := range []*onnx.Model{qdqModel([]float32{0.02}, 0), qdqModel([]float32{0.02}, 3), qdqModel([]float32{0.02, 0.5}, 0)} {
		b, err := onnx.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := onnx.Parse(b, "fuzz")
		if err != nil {
			return
		}
		fm, _, err := StripQDQ(m)
		if err != nil {
			return
		}
		FromONNX(fm, 1)
	})
}

// TestStripQDQBlockedAndInt4: blocked weight scales (opset 21) dequantize
// block by block and are left to the kernels' own int4 groups; per-channel
// INT4 weights are recorded as 4-bit.
func TestStripQDQBlockedAndInt4(t *testing.T) {
	m := qdqModel([]float32{0.02}, 0)
	g := m.Graph
	g.Initializers[2] = &onnx.Tensor{Name: "wq", DataType: onnx.Int4, Dims: []int64{2, 2, 1, 1}, Ints: []int64{1, -2, 3, 7}}
	fm, q, err := StripQDQ(m)
	if err != nil {
		t.Fatal(err)
	}
	if w := q.Weights["w"]; w.Bits != 4 || !slices.Equal(w.Q, []int8{1, -2, 3, 7}) {
		t.Errorf("int4 weights: %+v", w)
	}
	if w := fm.Graph.Initializers[len(fm.Graph.Initializers)-1]; w.Name != "w" || !slices.Equal(w.Floats, []float32{0.5, -1, 0.75, 1.75}) {
		t.Errorf("int4 weights dequantized to %v", w.Floats)
	}

	// Weights [2 out, 4 in, 1, 1] with one scale per 2 input channels.
	m = qdqModel([]float32{0.02}, 0)
	g = m.Graph
	g.Inputs[0].Dims = []int64{-1, 4, 3, 3}
	g.Initializers[2] = &onnx.Tensor{Name: "wq", DataType: onnx.Int8, Dims: []int64{2, 4, 1, 1}, Ints: []int64{1, 2, 3, 4, 5, 6, 7, 8}}
	g.Initializers[3] = &onnx.Tensor{Name: "ws", DataType: onnx.Float, Dims: []int64{2, 2, 1, 1}, Floats: []float32{1, 0.5, 0.25, 2}}
	g.Initializers[4] = &onnx.Tensor{Name: "wz", DataType: onnx.Int8, Dims: []int64{2, 2, 1, 1}, Ints: []int64{0, 0, 0, 1}}
	g.Nodes[2].Attrs = []*onnx.Attribute{{Name: "axis", Type: onnx.AttrInt, I: 1}, {Name: "block_size", Type: onnx.AttrInt, I: 2}}
	fm, q, err = StripQDQ(m)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 2, 1.5, 2, 1.25, 1.5, 12, 14}
	if w := fm.Graph.Initializers[len(fm.Graph.Initializers)-1]; !slices.Equal(w.Floats, want) {
		t.Errorf("blocked weights dequantized to %v, want %v", w.Floats, want)
	}
	if _, ok := q.Weights["w"]; ok || !strings.Contains(q.Requantized["w"], "blocks of 2") {
		t.Errorf("blocked weights: annotated %v, requantized %q", q.Weights, q.Requantized["w"])
	}
	g.Initializers[3].Dims = []int64{2, 3, 1, 1}
	if _, _, err := StripQDQ(m); err == nil || !strings.Contains(err.Error(), "scale shape") {
		t.Errorf("wrong blocked scale shape: %v", err)
	}
}
