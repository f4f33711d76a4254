package onnx

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Marshal then Parse of each shipped model gives back the same Model, and
// marshalling that again gives the same bytes.
func TestMarshalShippedModels(t *testing.T) {
	for _, file := range []string{"../models/resnet20.onnx", "../models/mobilenetv2.onnx"} {
		m, err := ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		data, err := Marshal(m)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		back, err := Parse(data, file+" (marshalled)")
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !reflect.DeepEqual(m, back) {
			t.Errorf("%s: the model differs after Marshal and Parse", file)
			diffModels(t, m, back)
		}
		again, err := Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, again) {
			t.Errorf("%s: Marshal is not deterministic", file)
		}
	}
}

// diffModels names the first node or initializer that differs.
func diffModels(t *testing.T, a, b *Model) {
	t.Helper()
	if a.IRVersion != b.IRVersion || a.Producer != b.Producer || !reflect.DeepEqual(a.Opsets, b.Opsets) {
		t.Errorf("header: %d %q %v vs %d %q %v", a.IRVersion, a.Producer, a.Opsets, b.IRVersion, b.Producer, b.Opsets)
	}
	for i := range min(len(a.Graph.Nodes), len(b.Graph.Nodes)) {
		if !reflect.DeepEqual(a.Graph.Nodes[i], b.Graph.Nodes[i]) {
			t.Errorf("node %d: %+v vs %+v", i, a.Graph.Nodes[i], b.Graph.Nodes[i])
			return
		}
	}
	for i := range min(len(a.Graph.Initializers), len(b.Graph.Initializers)) {
		if !reflect.DeepEqual(a.Graph.Initializers[i], b.Graph.Initializers[i]) {
			t.Errorf("initializer %d (%s) differs", i, a.Graph.Initializers[i].Name)
			return
		}
	}
	for _, l := range [][2][]*ValueInfo{{a.Graph.Inputs, b.Graph.Inputs}, {a.Graph.Outputs, b.Graph.Outputs}, {a.Graph.ValueInfo, b.Graph.ValueInfo}} {
		if !reflect.DeepEqual(l[0], l[1]) {
			t.Errorf("value infos: %+v vs %+v", l[0], l[1])
		}
	}
}

// Every element type round-trips through Marshal and Parse, extremes included.
func TestMarshalDataTypes(t *testing.T) {
	ints := map[DataType][]int64{
		Int8: {-128, 127, 0, -1, 5}, Uint8: {0, 255, 128, 1, 7}, Int16: {math.MinInt16, math.MaxInt16, 0, -1, 300},
		Uint16: {0, math.MaxUint16, 1, 2, 3}, Int32: {math.MinInt32, math.MaxInt32, 0, -1, 1 << 20},
		Uint32: {0, math.MaxUint32, 1, 2, 3}, Int64: {math.MinInt64, math.MaxInt64, 0, -1, 1 << 40},
		Uint64: {0, -1, math.MaxInt64, math.MinInt64, 3}, Bool: {0, 1, 1, 0, 1},
		Int4: {-8, 7, 0, -1, 3}, Uint4: {0, 15, 8, 1, 7},
	}
	floats := map[DataType][]float32{
		Float:   {1.5, -2, 0, float32(math.Inf(-1)), math.SmallestNonzeroFloat32},
		Float16: {1, -2, 0x1p-24, 65504, float32(math.Inf(1))},
		Double:  {1.5, -2, 0, math.MaxFloat32, 0x1p-149},
	}
	var inits []*Tensor
	for dt, v := range ints {
		inits = append(inits, &Tensor{Name: dt.String(), DataType: dt, Dims: []int64{5}, Ints: v})
		// odd and even counts for the packed 4-bit types, and an empty tensor
		inits = append(inits, &Tensor{Name: dt.String() + "_2x2", DataType: dt, Dims: []int64{2, 2}, Ints: v[:4]})
		inits = append(inits, &Tensor{Name: dt.String() + "_empty", DataType: dt, Dims: []int64{0, 3}, Ints: []int64{}})
	}
	for dt, v := range floats {
		inits = append(inits, &Tensor{Name: dt.String(), DataType: dt, Dims: []int64{5}, Floats: v})
		inits = append(inits, &Tensor{Name: dt.String() + "_scalar", DataType: dt, Floats: v[:1]})
	}
	m := &Model{IRVersion: 10, Producer: "aiq", Opsets: map[string]int64{"": 21, "com.microsoft": 1},
		Graph: &Graph{Name: "g", Initializers: inits,
			Nodes: []*Node{{Name: "n", OpType: "Conv", Inputs: []string{"x", "", "w"}, Outputs: []string{"y"}, Attrs: []*Attribute{
				{Name: "f", Type: AttrFloat, F: -0.25}, {Name: "i", Type: AttrInt, I: -3}, {Name: "s", Type: AttrString, S: []byte("NOTSET")},
				{Name: "t", Type: AttrTensor, T: &Tensor{DataType: Int4, Dims: []int64{3}, Ints: []int64{-8, 7, 1}}},
				{Name: "fs", Type: AttrFloats, Floats: []float32{1, -1}}, {Name: "is", Type: AttrInts, Ints: []int64{1, -1, 1 << 40}},
			}}},
			Inputs: []*ValueInfo{{Name: "x", ElemType: Float, Dims: []int64{-1, 3, 32, -1}, DimParams: []string{"N", "", "", ""}, HasShape: true}},
			Outputs: []*ValueInfo{{Name: "y", ElemType: Float16, Dims: []int64{}, DimParams: []string{}, HasShape: true},
				{Name: "z", ElemType: Int8}},
		}}
	data, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data, "types.onnx")
	if err != nil {
		t.Fatal(err)
	}
	// A shapeless ValueInfo decodes without dims; a rank-0 shape decodes as
	// empty non-nil slices only when a dim was seen, so compare those by length.
	for i, v := range back.Graph.Outputs {
		w := m.Graph.Outputs[i]
		if v.Name != w.Name || v.ElemType != w.ElemType || v.HasShape != w.HasShape || len(v.Dims) != len(w.Dims) {
			t.Errorf("output %d: %+v, want %+v", i, v, w)
		}
	}
	back.Graph.Outputs = m.Graph.Outputs
	for i, got := range back.Graph.Initializers {
		if want := m.Graph.Initializers[i]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", want.Name, got, want)
		}
	}
	back.Graph.Initializers = m.Graph.Initializers
	if !reflect.DeepEqual(m, back) {
		diffModels(t, m, back)
	}
}

// 4-bit payloads follow the ONNX packing: first element in the low nibble.
func TestMarshalInt4Packing(t *testing.T) {
	raw, err := (&Tensor{DataType: Int4, Dims: []int64{3}, Ints: []int64{-1, 2, -8}}).raw(3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x2f, 0x08}; !bytes.Equal(raw, want) {
		t.Errorf("INT4 [-1 2 -8] packs to % x, want % x", raw, want)
	}
	// the same bytes through int32_data, one packed byte per entry
	tb := tensor([]int64{3}, Int4, nil)
	tb = appendVarintField(tb, 5, 0x2f)
	tb = appendVarintField(tb, 5, 0x08)
	got, err := ParseTensor(tb, "int32_data.pb")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{-1, 2, -8}; !reflect.DeepEqual(got.Ints, want) {
		t.Errorf("INT4 int32_data decodes to %v, want %v", got.Ints, want)
	}
	got, err = ParseTensor(tensor([]int64{3}, Uint4, bytesField(9, []byte{0x2f, 0x08})), "u4.pb")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{15, 2, 8}; !reflect.DeepEqual(got.Ints, want) {
		t.Errorf("UINT4 decodes to %v, want %v", got.Ints, want)
	}
	if _, err := ParseTensor(tensor([]int64{3}, Int4, bytesField(9, []byte{1, 2, 3})), "long.pb"); err == nil || !strings.Contains(err.Error(), "long.pb") {
		t.Errorf("3 bytes for 3 INT4 elements: error %v", err)
	}
}

func TestParseTensor(t *testing.T) {
	want := &Tensor{Name: "input_0", DataType: Float, Dims: []int64{1, 2}, Floats: []float32{0.5, -3}}
	data, err := encodeTensor(want, "tensor")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseTensor(data, "input_0.pb")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	_, err = ParseTensor(data[:len(data)-1], "input_0.pb")
	if err == nil || !strings.Contains(err.Error(), "input_0.pb: tensor.raw_data") {
		t.Errorf("truncated tensor: error %v should name the file and field", err)
	}
}

func TestMarshalErrors(t *testing.T) {
	base := func() *Model {
		return &Model{Opsets: map[string]int64{"": 13}, Graph: &Graph{}}
	}
	for _, c := range []struct {
		name, want string
		edit       func(m *Model)
	}{
		{"int8 range", "initializer[0] (w).raw_data: element 1 = 128 is out of the range of INT8", func(m *Model) {
			m.Graph.Initializers = []*Tensor{{Name: "w", DataType: Int8, Dims: []int64{2}, Ints: []int64{1, 128}}}
		}},
		{"int4 range", "out of the range of INT4", func(m *Model) {
			m.Graph.Initializers = []*Tensor{{Name: "w", DataType: Int4, Dims: []int64{1}, Ints: []int64{8}}}
		}},
		{"short payload", "dims [2 2] need 4 floats", func(m *Model) {
			m.Graph.Initializers = []*Tensor{{Name: "w", DataType: Float, Dims: []int64{2, 2}, Floats: []float32{1}}}
		}},
		{"string tensor", "STRING is not supported", func(m *Model) {
			m.Graph.Initializers = []*Tensor{{Name: "w", DataType: String, Ints: []int64{}}}
		}},
		{"graph attr", `graph.node[0].attribute[0]: attribute "body" of type GRAPH`, func(m *Model) {
			m.Graph.Nodes = []*Node{{OpType: "If", Attrs: []*Attribute{{Name: "body", Type: AttrGraph}}}}
		}},
		{"bad dim", "dim -2", func(m *Model) {
			m.Graph.Inputs = []*ValueInfo{{Name: "x", ElemType: Float, Dims: []int64{-2}, HasShape: true}}
		}},
	} {
		m := base()
		c.edit(m)
		_, err := Marshal(m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := Marshal(&Model{}); err == nil {
		t.Error("a model without a graph marshalled")
	}
}

func TestWriteFile(t *testing.T) {
	m, err := ReadFile("../models/resnet20.onnx")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "out.onnx")
	if err := WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, back) {
		t.Error("the written model differs")
	}
	// a model that cannot be encoded leaves no file behind
	m.Graph.Initializers[0].Floats = m.Graph.Initializers[0].Floats[:1]
	bad := filepath.Join(dir, "bad.onnx")
	if err := WriteFile(bad, m); err == nil || !strings.Contains(err.Error(), "bad.onnx") {
		t.Errorf("error %v should name the file", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want only out.onnx", len(entries))
	}
}
