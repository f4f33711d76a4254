package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aiq-project/aiq/onnx"
	"google.golang.org/protobuf/encoding/protowire"
)

// A minimal ONNX encoder for fuzz seeds: small models cover the importer
// far better than the megabyte-sized shipped ones.

func pbBytes(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func pbVarint(b []byte, num protowire.Number, v int64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), uint64(v))
}

func encTensor(t *onnx.Tensor) []byte {
	var b []byte
	for _, d := range t.Dims {
		b = pbVarint(b, 1, d)
	}
	b = pbVarint(b, 2, int64(t.DataType))
	b = pbBytes(b, 8, []byte(t.Name))
	for _, f := range t.Floats {
		b = protowire.AppendFixed32(protowire.AppendTag(b, 4, protowire.Fixed32Type), math.Float32bits(f))
	}
	for _, i := range t.Ints {
		b = pbVarint(b, 7, i)
	}
	return b
}

func encModel(m *onnx.Model) []byte {
	var g []byte
	for _, n := range m.Graph.Nodes {
		var nb []byte
		for _, in := range n.Inputs {
			nb = pbBytes(nb, 1, []byte(in))
		}
		for _, o := range n.Outputs {
			nb = pbBytes(nb, 2, []byte(o))
		}
		nb = pbBytes(nb, 3, []byte(n.Name))
		nb = pbBytes(nb, 4, []byte(n.OpType))
		for _, a := range n.Attrs {
			ab := pbBytes(nil, 1, []byte(a.Name))
			ab = pbVarint(ab, 20, int64(a.Type))
			switch a.Type {
			case onnx.AttrInt:
				ab = pbVarint(ab, 3, a.I)
			case onnx.AttrFloat:
				ab = protowire.AppendFixed32(protowire.AppendTag(ab, 2, protowire.Fixed32Type), math.Float32bits(a.F))
			case onnx.AttrString:
				ab = pbBytes(ab, 4, a.S)
			case onnx.AttrInts:
				for _, v := range a.Ints {
					ab = pbVarint(ab, 8, v)
				}
			case onnx.AttrTensor:
				ab = pbBytes(ab, 5, encTensor(a.T))
			}
			nb = pbBytes(nb, 5, ab)
		}
		g = pbBytes(g, 1, nb)
	}
	for _, t := range m.Graph.Initializers {
		g = pbBytes(g, 5, encTensor(t))
	}
	vi := func(v *onnx.ValueInfo) []byte {
		var shape []byte
		for _, d := range v.Dims {
			shape = pbBytes(shape, 1, pbVarint(nil, 1, d))
		}
		tt := pbVarint(nil, 1, int64(onnx.Float))
		if v.HasShape {
			tt = pbBytes(tt, 2, shape)
		}
		return pbBytes(pbBytes(nil, 1, []byte(v.Name)), 2, pbBytes(nil, 1, tt))
	}
	for _, v := range m.Graph.Inputs {
		g = pbBytes(g, 11, vi(v))
	}
	for _, v := range m.Graph.Outputs {
		g = pbBytes(g, 12, vi(v))
	}
	b := pbVarint(nil, 1, 7)
	b = pbBytes(b, 7, g)
	return pbBytes(b, 8, pbVarint(nil, 2, 13))
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
	}
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
