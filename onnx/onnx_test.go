package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestParseShippedModels(t *testing.T) {
	for _, c := range []struct {
		file         string
		convs, inits int
	}{
		{"../models/resnet20.onnx", 19, 42},
		{"../models/mobilenetv2.onnx", 52, 0},
	} {
		m, err := ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if m.Opsets[""] != 13 {
			t.Errorf("%s: opset %v, want 13", c.file, m.Opsets)
		}
		g := m.Graph
		if len(g.Inputs) != 1 || g.Inputs[0].Name != "image" || len(g.Inputs[0].Dims) != 4 || g.Inputs[0].Dims[1] != 3 {
			t.Errorf("%s: inputs %+v", c.file, g.Inputs[0])
		}
		if len(g.Outputs) != 1 || g.Outputs[0].Name != "logits" {
			t.Errorf("%s: outputs %+v", c.file, g.Outputs)
		}
		convs := 0
		for _, n := range g.Nodes {
			if n.OpType == "Conv" {
				convs++
				if w := n.Attr("kernel_shape"); w == nil || w.Type != AttrInts || len(w.Ints) != 2 {
					t.Errorf("%s: node %s kernel_shape %+v", c.file, n.Name, w)
				}
			}
		}
		if convs != c.convs {
			t.Errorf("%s: %d Conv nodes, want %d", c.file, convs, c.convs)
		}
		for _, in := range g.Initializers {
			if len(in.Floats)+len(in.Ints) != in.Len() {
				t.Errorf("%s: initializer %s: %d values for dims %v", c.file, in.Name, len(in.Floats)+len(in.Ints), in.Dims)
			}
		}
		if c.inits > 0 && len(g.Initializers) != c.inits {
			t.Errorf("%s: %d initializers, want %d", c.file, len(g.Initializers), c.inits)
		}
	}
}

// Every truncation of a real model must fail with an error naming the file.
func TestTruncatedModel(t *testing.T) {
	data, err := os.ReadFile("../models/resnet20.onnx")
	if err != nil {
		t.Fatal(err)
	}
	step := len(data)/997 + 1
	for n := 0; n < len(data); n += step {
		_, err := Parse(data[:n], "resnet20.onnx")
		if err == nil {
			t.Fatalf("prefix of %d bytes parsed without error", n)
		}
		if !strings.Contains(err.Error(), "resnet20.onnx: ") {
			t.Fatalf("prefix %d: error %q does not name the file", n, err)
		}
		if strings.Contains(err.Error(), "field ") {
			t.Fatalf("prefix %d: error %q names a field by number, not by its path", n, err)
		}
	}
	// The last bytes too: they cut the final field.
	for n := len(data) - 16; n < len(data); n++ {
		if _, err := Parse(data[:n], "resnet20.onnx"); err == nil {
			t.Fatalf("prefix of %d bytes parsed without error", n)
		}
	}
}

// tensor encodes a TensorProto; payload is appended raw (already encoded fields).
func tensor(dims []int64, dt DataType, payload []byte) []byte {
	var b []byte
	for _, d := range dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(dt))
	b = protowire.AppendTag(b, 8, protowire.BytesType)
	b = protowire.AppendString(b, "t")
	return append(b, payload...)
}

func bytesField(num protowire.Number, v []byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

// model wraps one initializer in a minimal ModelProto with opset 13.
func model(tensorBytes []byte) []byte {
	g := bytesField(5, tensorBytes)
	m := bytesField(7, g)
	op := protowire.AppendTag(nil, 2, protowire.VarintType)
	op = protowire.AppendVarint(op, 13)
	return append(m, bytesField(8, op)...)
}

func TestTensorEncodings(t *testing.T) {
	le := binary.LittleEndian
	var f32raw []byte
	for _, v := range []float32{1.5, -2, 0} {
		f32raw = le.AppendUint32(f32raw, math.Float32bits(v))
	}
	var packedF []byte
	for _, v := range []float32{1.5, -2, 0} {
		packedF = le.AppendUint32(packedF, math.Float32bits(v))
	}
	var packedI []byte
	for _, v := range []int64{-1, 300, 7} {
		packedI = protowire.AppendVarint(packedI, uint64(v))
	}
	// FLOAT16 1.0 = 0x3c00, -2 = 0xc000, smallest subnormal 0x0001 = 2^-24.
	var f16raw []byte
	for _, v := range []uint16{0x3c00, 0xc000, 0x0001} {
		f16raw = le.AppendUint16(f16raw, v)
	}
	var f16i32 []byte
	for _, v := range []uint16{0x3c00, 0xc000, 0x0001} {
		f16i32 = protowire.AppendVarint(f16i32, uint64(v))
	}
	cases := []struct {
		name    string
		dt      DataType
		payload []byte
		floats  []float32
		ints    []int64
	}{
		{"float raw", Float, bytesField(9, f32raw), []float32{1.5, -2, 0}, nil},
		{"float packed", Float, bytesField(4, packedF), []float32{1.5, -2, 0}, nil},
		{"int64 packed", Int64, bytesField(7, packedI), nil, []int64{-1, 300, 7}},
		{"int32 packed", Int32, bytesField(5, packedI), nil, []int64{-1, 300, 7}},
		{"int8 raw", Int8, bytesField(9, []byte{0xff, 0x80, 7}), nil, []int64{-1, -128, 7}},
		{"uint8 raw", Uint8, bytesField(9, []byte{0xff, 0x80, 7}), nil, []int64{255, 128, 7}},
		{"float16 raw", Float16, bytesField(9, f16raw), []float32{1, -2, 0x1p-24}, nil},
		{"float16 int32_data", Float16, bytesField(5, f16i32), []float32{1, -2, 0x1p-24}, nil},
	}
	for _, c := range cases {
		m, err := Parse(model(tensor([]int64{3}, c.dt, c.payload)), c.name)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		tt := m.Graph.Initializers[0]
		for i := range 3 {
			if c.floats != nil && tt.Floats[i] != c.floats[i] || c.ints != nil && tt.Ints[i] != c.ints[i] {
				t.Errorf("%s: got %v %v, want %v %v", c.name, tt.Floats, tt.Ints, c.floats, c.ints)
				break
			}
		}
	}
}

func TestTensorErrors(t *testing.T) {
	loc := protowire.AppendTag(nil, 14, protowire.VarintType)
	loc = protowire.AppendVarint(loc, 1)
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"external", "external_data", model(tensor([]int64{2}, Float, loc))},
		{"short raw", "raw_data", model(tensor([]int64{2}, Float, bytesField(9, []byte{1, 2, 3, 4})))},
		{"missing data", "float_data", model(tensor([]int64{2}, Float, nil))},
		{"string", "not supported", model(tensor([]int64{1}, String, nil))},
		{"huge dims", "dims", model(tensor([]int64{1 << 40, 1 << 40}, Float, nil))},
		{"no graph", "model.graph", []byte{}},
		{"garbage", "model", []byte{0xff, 0xff, 0xff}},
	} {
		_, err := Parse(c.data, c.name+".onnx")
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name+".onnx") {
			t.Errorf("%s: error %q should name the file and %q", c.name, err, c.want)
		}
	}
}

func TestFieldErrorUnwraps(t *testing.T) {
	_, err := Parse(model(tensor([]int64{2}, Float, bytesField(9, []byte{1}))), "x.onnx")
	var fe *fieldError
	if !errors.As(err, &fe) || !strings.HasPrefix(fe.path, "graph.initializer[0]") {
		t.Errorf("error %v: want a field error at graph.initializer[0]", err)
	}
}

// A corrupt node deep in the graph is named by its path in the schema's
// field names, graph.node[12].attribute[0], never by a field number.
func TestCorruptNodePath(t *testing.T) {
	node := func(attr []byte) []byte {
		n := bytesField(4, []byte("Relu"))
		if attr != nil {
			n = append(n, bytesField(5, attr)...)
		}
		return n
	}
	opset := protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 13)
	wrap := func(g []byte) []byte { return append(bytesField(7, g), bytesField(8, opset)...) }
	nodes := func(last []byte) []byte {
		var g []byte
		for range 12 {
			g = append(g, bytesField(1, node(nil))...)
		}
		return append(g, last...)
	}
	// Attribute 0 of node 12: a name whose length runs past the attribute.
	badAttr := append(protowire.AppendTag(nil, 1, protowire.BytesType), 50, 'a')
	// Node 12 itself cut: its length prefix runs past the graph.
	cutNode := append(protowire.AppendTag(nil, 1, protowire.BytesType), 40, 0x22, 1)
	// An attribute's int given as bytes: the wrong wire type.
	wrongType := bytesField(3, []byte{1})
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated attribute name", wrap(nodes(bytesField(1, node(badAttr)))), "graph.node[12].attribute[0].name: "},
		{"truncated node", wrap(nodes(cutNode)), "graph.node[12]: "},
		{"wrong wire type", wrap(nodes(bytesField(1, node(wrongType)))), "graph.node[12].attribute[0].i: "},
	} {
		_, err := Parse(c.data, "corrupt.onnx")
		if err == nil || !strings.Contains(err.Error(), "corrupt.onnx: "+c.want) || strings.Contains(err.Error(), "field ") {
			t.Errorf("%s: error %v, want the path %q", c.name, err, c.want)
		}
	}
	// The same on the shipped model: the length of the first attribute of
	// the first node from 12 on that has one made to run past the node.
	data, err := os.ReadFile("../models/resnet20.onnx")
	if err != nil {
		t.Skip(err)
	}
	n, at := 12, -1
	for ; at < 0; n++ {
		at = attrOffset(t, data, n, 0)
	}
	n--
	bad := append([]byte(nil), data...)
	// The attribute's length varint, at its field's tag + 1, made to
	// claim 0x7f bytes more than its node holds (a 1-byte varint here).
	if bad[at+1]&0x80 != 0 {
		t.Skip("attribute length is not a one-byte varint")
	}
	bad[at+1] = 0x7f
	_, err = Parse(bad, "resnet20.onnx")
	t.Logf("corrupt attribute: %v", err)
	if want := fmt.Sprintf("resnet20.onnx: graph.node[%d].attribute[0]", n); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("corrupt attribute of node %d: error %v, want the path %s", n, err, want)
	}
}

// attrOffset is the offset in a model file of the tag of attribute a of
// node n, -1 when the node has no such attribute.
func attrOffset(t *testing.T, data []byte, n, a int) int {
	t.Helper()
	// find returns the offset of the payload of the k-th field num of the
	// message at b[off:off+len], and its length.
	find := func(off, size int, num protowire.Number, k int) (int, int, int) {
		b := data[off : off+size]
		pos := 0
		for pos < len(b) {
			fn, typ, tn := protowire.ConsumeTag(b[pos:])
			if tn < 0 {
				t.Fatalf("bad tag at %d", off+pos)
			}
			vn := protowire.ConsumeFieldValue(fn, typ, b[pos+tn:])
			if fn == num && typ == protowire.BytesType {
				if k == 0 {
					v, ln := protowire.ConsumeBytes(b[pos+tn:])
					return off + pos, off + pos + tn + ln - len(v), len(v)
				}
				k--
			}
			pos += tn + vn
		}
		return -1, 0, 0
	}
	_, g, gl := find(0, len(data), 7, 0)
	if nt, nd, nl := find(g, gl, 1, n); nt >= 0 {
		tag, _, _ := find(nd, nl, 5, a)
		return tag
	}
	t.Fatalf("no node %d", n)
	return -1
}
