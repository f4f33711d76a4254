package graph

import (
	"math/rand/v2"
	"testing"

	"github.com/aiq-project/aiq/onnx"
)

// encModel serializes a fuzz seed: small models cover the importer far
// better than the megabyte-sized shipped ones.
func encModel(m *onnx.Model) []byte {
	b, err := onnx.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// fuzzSeeds are small models that exercise folding and most operators.
func fuzzSeeds() []*onnx.Model {
	w := make([]float32, 4*2*3*3)
	c4 := []float32{1, 2, 3, 4}
	i64 := func(name string, v ...int64) *onnx.Tensor {
		return &onnx.Tensor{Name: name, DataType: onnx.Int64, Dims: []int64{int64(len(v))}, Ints: v}
	}
	return []*onnx.Model{
		model([]int64{-1, 2, 6, 6}, []*onnx.Tensor{ftensor("W", []int64{4, 2, 3, 3}, w), ftensor("g", []int64{4}, c4),
			ftensor("b", []int64{4}, c4), ftensor("m", []int64{4}, c4), ftensor("v", []int64{4}, c4), ftensor("mean", []int64{1, 2, 1, 1}, []float32{0.5, 0.25})},
			node("Sub", []string{"x", "mean"}, []string{"s"}),
			node("Conv", []string{"s", "W"}, []string{"c"}, intsAttr("pads", 1, 1, 1, 1), intsAttr("strides", 2, 2)),
			node("BatchNormalization", []string{"c", "g", "b", "m", "v"}, []string{"bn"}),
			node("Relu", []string{"bn"}, []string{"r"}),
			node("GlobalAveragePool", []string{"r"}, []string{"p"}),
			node("Flatten", []string{"p"}, []string{"y"})),
		model([]int64{-1, 2, 4, 4}, []*onnx.Tensor{i64("st", 0), i64("en", 1<<62), i64("ax", 2), i64("sp", 2), i64("pads", 0, 1, 0, 0, 0, 1, 0, 0)},
			node("Slice", []string{"x", "st", "en", "ax", "sp"}, []string{"s"}),
			node("Pad", []string{"s", "pads"}, []string{"p"}),
			node("Shape", []string{"p"}, []string{"sh"}),
			node("Gather", []string{"sh", "st"}, []string{"n"}),
			node("Concat", []string{"n", "en"}, []string{"cc"}, iattr("axis", 0)),
			node("Transpose", []string{"p"}, []string{"t"}, intsAttr("perm", 0, 1, 3, 2)),
			node("MaxPool", []string{"t"}, []string{"y"}, intsAttr("kernel_shape", 2, 2))),
		qdqSeed(),
	}
}

// qdqSeed is a quantized block: Q/DQ with per-channel weights, the integer
// convolutions and matmuls, and the activations of mobile networks.
func qdqSeed() *onnx.Model {
	f := func(name string, dims []int64, v ...float32) *onnx.Tensor { return ftensor(name, dims, v) }
	i := func(name string, dt onnx.DataType, dims []int64, v ...int64) *onnx.Tensor {
		return &onnx.Tensor{Name: name, DataType: dt, Dims: dims, Ints: v}
	}
	inits := []*onnx.Tensor{
		f("s", nil, 0.1), i("z", onnx.Uint8, nil, 128), f("ws", []int64{2}, 0.5, 0.25), i("wz", onnx.Int8, []int64{2}, 0, 0),
		i("wq", onnx.Int8, []int64{2, 1, 3, 3}, 1, -2, 3, -4, 5, -6, 7, -8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1),
		i("b", onnx.Int32, []int64{2}, 10, -10), i("mz", onnx.Uint8, []int64{1}, 3), i("mb", onnx.Uint8, []int64{2, 2}, 1, 2, 3, 4),
		f("lo", nil, 0), f("hi", nil, 6), i("ax", onnx.Int64, []int64{2}, 2, 3), i("pads", onnx.Int64, []int64{8}, 0, 0, 1, 1, 0, 0, 1, 1),
	}
	m := model([]int64{-1, 2, 4, 4}, inits,
		node("QuantizeLinear", []string{"x", "s", "z"}, []string{"q"}),
		node("QLinearConv", []string{"q", "s", "z", "wq", "ws", "wz", "s", "z", "b"}, []string{"qc"}, intsAttr("pads", 1, 1, 1, 1), iattr("group", 2)),
		node("ConvInteger", []string{"qc", "wq", "z", "wz"}, []string{"ci"}, iattr("group", 2), intsAttr("pads", 1, 1, 1, 1)),
		node("Cast", []string{"ci"}, []string{"cf"}, iattr("to", int64(onnx.Float))),
		node("DequantizeLinear", []string{"wq", "ws", "wz"}, []string{"w"}, iattr("axis", 0)),
		node("DequantizeLinear", []string{"q", "s", "z"}, []string{"dq"}),
		node("Conv", []string{"dq", "w"}, []string{"c"}, iattr("group", 2)),
		node("Pad", []string{"c", "pads"}, []string{"pd"}, &onnx.Attribute{Name: "mode", Type: onnx.AttrString, S: []byte("reflect")}),
		node("HardSwish", []string{"pd"}, []string{"hs"}),
		node("Clip", []string{"hs", "lo", "hi"}, []string{"cl"}),
		node("ReduceMean", []string{"cl", "ax"}, []string{"rm"}),
		node("HardSigmoid", []string{"rm"}, []string{"sg"}),
		node("Mul", []string{"cl", "sg"}, []string{"se"}),
		node("Sigmoid", []string{"se"}, []string{"sm"}),
		node("Add", []string{"sm", "cf"}, []string{"a"}),
		node("GlobalMaxPool", []string{"a"}, []string{"gm"}),
		node("Flatten", []string{"gm"}, []string{"fl"}),
		node("QuantizeLinear", []string{"fl", "s", "z"}, []string{"fq"}),
		node("MatMulInteger", []string{"fq", "mb", "mz"}, []string{"mi"}),
		node("Cast", []string{"mi"}, []string{"y"}, iattr("to", int64(onnx.Float))))
	m.Opsets[""] = 18
	return m
}

// FuzzImport: any model the parser accepts must import or fail with an
// error, never panic; an imported graph must pass its own invariant check
// and run.
func FuzzImport(f *testing.F) {
	for _, m := range fuzzSeeds() {
		if _, err := FromONNX(m, 2); err != nil {
			f.Fatalf("seed does not import: %v", err)
		}
		f.Add(encModel(m))
	}
	f.Fuzz(importAndRun)
}

// TestMutatedModels is a deterministic slice of FuzzImport for plain test runs.
func TestMutatedModels(t *testing.T) {
	seeds := fuzzSeeds()
	r := rand.New(rand.NewPCG(1, 1))
	for i := range 5000 {
		b := encModel(seeds[i%len(seeds)])
		for range 1 + r.IntN(4) {
			b[r.IntN(len(b))] = byte(r.IntN(256))
		}
		importAndRun(t, b)
	}
}

func importAndRun(t *testing.T, b []byte) {
	m, err := onnx.Parse(b, "fuzz.onnx")
	if err != nil {
		return
	}
	g, err := FromONNX(m, 2)
	if err != nil {
		return
	}
	if err := g.check(); err != nil {
		t.Fatal(err)
	}
	feeds := map[string][]float32{}
	for _, in := range g.Inputs {
		v := g.Values[in]
		if v.DType != Float32 || v.Len() > 1<<16 {
			return
		}
		feeds[in] = make([]float32, v.Len())
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			if g.Values[o].Len() > 1<<16 {
				return
			}
		}
	}
	Run(g, feeds) // errors are fine; panics are not
}
