package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/kernels/fp16"
	"google.golang.org/protobuf/encoding/protowire"
)

// Marshal encodes m as a serialized ModelProto. Fields are written in
// field-number order and opset imports sorted by domain, so equal models give
// equal bytes. An error names the element that cannot be encoded (a payload
// that does not match its dims, an integer out of its type's range, an
// attribute kind this package does not hold the contents of).
func Marshal(m *Model) ([]byte, error) {
	if m == nil || m.Graph == nil {
		return nil, errors.New("onnx: marshal: model has no graph")
	}
	var b []byte
	if m.IRVersion != 0 {
		b = appendVarintField(b, 1, uint64(m.IRVersion))
	}
	if m.Producer != "" {
		b = appendStringField(b, 2, m.Producer)
	}
	g, err := encodeGraph(m.Graph, "graph")
	if err != nil {
		return nil, fmt.Errorf("onnx: marshal: %w", err)
	}
	b = appendBytesField(b, 7, g)
	domains := make([]string, 0, len(m.Opsets))
	for d := range m.Opsets {
		domains = append(domains, d)
	}
	slices.Sort(domains)
	for _, d := range domains {
		var op []byte
		if d != "" {
			op = appendStringField(op, 1, d)
		}
		op = appendVarintField(op, 2, uint64(m.Opsets[d]))
		b = appendBytesField(b, 8, op)
	}
	return b, nil
}

// WriteFile marshals m and writes it to path atomically: a reader never sees
// a partial file, and on error no file is left.
func WriteFile(path string, m *Model) error {
	data, err := Marshal(m)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// ParseTensor decodes one serialized TensorProto, such as the input_0.pb and
// output_0.pb files of ONNX's backend test data sets. name is used in error
// messages only.
func ParseTensor(data []byte, name string) (*Tensor, error) {
	t, err := decodeTensor(data, "tensor")
	if err != nil {
		return nil, fmt.Errorf("onnx: %s: %w", name, err)
	}
	return t, nil
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendStringField(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func encodeGraph(g *Graph, path string) ([]byte, error) {
	var b []byte
	for i, n := range g.Nodes {
		nb, err := encodeNode(n, idx(path+".node", i))
		if err != nil {
			return nil, err
		}
		b = appendBytesField(b, 1, nb)
	}
	if g.Name != "" {
		b = appendStringField(b, 2, g.Name)
	}
	for i, t := range g.Initializers {
		tb, err := encodeTensor(t, idx(path+".initializer", i))
		if err != nil {
			return nil, err
		}
		b = appendBytesField(b, 5, tb)
	}
	for _, l := range []struct {
		num  protowire.Number
		name string
		vs   []*ValueInfo
	}{{11, ".input", g.Inputs}, {12, ".output", g.Outputs}, {13, ".value_info", g.ValueInfo}} {
		for i, v := range l.vs {
			vb, err := encodeValueInfo(v, idx(path+l.name, i))
			if err != nil {
				return nil, err
			}
			b = appendBytesField(b, l.num, vb)
		}
	}
	return b, nil
}

func encodeNode(n *Node, path string) ([]byte, error) {
	var b []byte
	// Every input is written, "" included: an empty name marks an omitted
	// optional input and its position matters.
	for _, s := range n.Inputs {
		b = appendStringField(b, 1, s)
	}
	for _, s := range n.Outputs {
		b = appendStringField(b, 2, s)
	}
	if n.Name != "" {
		b = appendStringField(b, 3, n.Name)
	}
	b = appendStringField(b, 4, n.OpType)
	for i, a := range n.Attrs {
		ab, err := encodeAttr(a, idx(path+".attribute", i))
		if err != nil {
			return nil, err
		}
		b = appendBytesField(b, 5, ab)
	}
	if n.Domain != "" {
		b = appendStringField(b, 7, n.Domain)
	}
	return b, nil
}

func encodeAttr(a *Attribute, path string) ([]byte, error) {
	b := appendStringField(nil, 1, a.Name)
	switch a.Type {
	case AttrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.F))
	case AttrInt:
		b = appendVarintField(b, 3, uint64(a.I))
	case AttrString:
		b = appendBytesField(b, 4, a.S)
	case AttrTensor:
		if a.T == nil {
			return nil, ferr(path+".t", errors.New("TENSOR attribute without a tensor"))
		}
		tb, err := encodeTensor(a.T, path+".t")
		if err != nil {
			return nil, err
		}
		b = appendBytesField(b, 5, tb)
	case AttrFloats:
		if len(a.Floats) > 0 {
			var p []byte
			for _, v := range a.Floats {
				p = binary.LittleEndian.AppendUint32(p, math.Float32bits(v))
			}
			b = appendBytesField(b, 7, p)
		}
	case AttrInts:
		if len(a.Ints) > 0 {
			var p []byte
			for _, v := range a.Ints {
				p = protowire.AppendVarint(p, uint64(v))
			}
			b = appendBytesField(b, 8, p)
		}
	default:
		// GRAPH, STRINGS and the rest are decoded by kind only; writing the
		// kind without the contents would change the model.
		return nil, ferr(path, fmt.Errorf("attribute %q of type %v cannot be encoded", a.Name, a.Type))
	}
	return appendVarintField(b, 20, uint64(a.Type)), nil
}

func encodeValueInfo(v *ValueInfo, path string) ([]byte, error) {
	b := appendStringField(nil, 1, v.Name)
	if v.ElemType == 0 && !v.HasShape {
		return b, nil
	}
	if len(v.DimParams) != 0 && len(v.DimParams) != len(v.Dims) {
		return nil, ferr(path, fmt.Errorf("%d dim params for %d dims", len(v.DimParams), len(v.Dims)))
	}
	var tt []byte
	if v.ElemType != 0 {
		tt = appendVarintField(tt, 1, uint64(v.ElemType))
	}
	if v.HasShape {
		var shape []byte
		for i, d := range v.Dims {
			param := ""
			if len(v.DimParams) > 0 {
				param = v.DimParams[i]
			}
			var db []byte
			switch {
			case d >= 0 && param == "":
				db = appendVarintField(db, 1, uint64(d))
			case d == -1 && param != "":
				db = appendStringField(db, 2, param)
			case d == -1:
				// unknown and unnamed: an empty Dimension
			default:
				return nil, ferr(idx(path+".type.tensor_type.shape.dim", i), fmt.Errorf("dim %d with param %q: want a value >= 0 or -1 with an optional name", d, param))
			}
			shape = appendBytesField(shape, 1, db)
		}
		tt = appendBytesField(tt, 2, shape)
	}
	return appendBytesField(b, 2, appendBytesField(nil, 1, tt)), nil
}

// intRange is the range of the integer element types, for validation.
var intRange = map[DataType][2]int64{
	Int8: {math.MinInt8, math.MaxInt8}, Uint8: {0, math.MaxUint8}, Int16: {math.MinInt16, math.MaxInt16},
	Uint16: {0, math.MaxUint16}, Int32: {math.MinInt32, math.MaxInt32}, Uint32: {0, math.MaxUint32},
	Int64: {math.MinInt64, math.MaxInt64}, Uint64: {math.MinInt64, math.MaxInt64}, Bool: {0, 1},
	Int4: {-8, 7}, Uint4: {0, 15},
}

func encodeTensor(t *Tensor, path string) ([]byte, error) {
	if t.Name != "" {
		path += " (" + t.Name + ")"
	}
	var b []byte
	n := 1
	for _, d := range t.Dims {
		if d < 0 {
			return nil, ferr(path+".dims", fmt.Errorf("negative dimension %d", d))
		}
		n *= int(d)
		b = appendVarintField(b, 1, uint64(d))
	}
	b = appendVarintField(b, 2, uint64(t.DataType))
	if t.Name != "" {
		b = appendStringField(b, 8, t.Name)
	}
	raw, err := t.raw(n)
	if err != nil {
		return nil, ferr(path+".raw_data", err)
	}
	return appendBytesField(b, 9, raw), nil
}

// raw is the little-endian raw_data of t's n elements.
func (t *Tensor) raw(n int) ([]byte, error) {
	dt := t.DataType
	if dt.IsFloat() {
		if len(t.Floats) != n || len(t.Ints) != 0 {
			return nil, fmt.Errorf("%v tensor holds %d floats and %d ints, dims %v need %d floats", dt, len(t.Floats), len(t.Ints), t.Dims, n)
		}
		le := binary.LittleEndian
		var raw []byte
		switch dt {
		case Float:
			raw = make([]byte, 0, 4*n)
			for _, v := range t.Floats {
				raw = le.AppendUint32(raw, math.Float32bits(v))
			}
		case Float16:
			raw = make([]byte, 0, 2*n)
			for _, v := range t.Floats {
				raw = le.AppendUint16(raw, fp16.FromFloat32(v))
			}
		case Double:
			raw = make([]byte, 0, 8*n)
			for _, v := range t.Floats {
				raw = le.AppendUint64(raw, math.Float64bits(float64(v)))
			}
		}
		return raw, nil
	}
	r, ok := intRange[dt]
	if !ok {
		return nil, fmt.Errorf("element type %v is not supported", dt)
	}
	if len(t.Ints) != n || len(t.Floats) != 0 {
		return nil, fmt.Errorf("%v tensor holds %d ints and %d floats, dims %v need %d ints", dt, len(t.Ints), len(t.Floats), t.Dims, n)
	}
	for i, v := range t.Ints {
		if v < r[0] || v > r[1] {
			return nil, fmt.Errorf("element %d = %d is out of the range of %v", i, v, dt)
		}
	}
	if dt == Int4 || dt == Uint4 {
		raw := make([]byte, (n+1)/2)
		for i, v := range t.Ints {
			raw[i/2] |= byte(v&0xf) << (4 * (i % 2))
		}
		return raw, nil
	}
	size := map[DataType]int{Int8: 1, Uint8: 1, Bool: 1, Int16: 2, Uint16: 2, Int32: 4, Uint32: 4, Int64: 8, Uint64: 8}[dt]
	raw := make([]byte, n*size)
	le := binary.LittleEndian
	for i, v := range t.Ints {
		switch size {
		case 1:
			raw[i] = byte(v)
		case 2:
			le.PutUint16(raw[2*i:], uint16(v))
		case 4:
			le.PutUint32(raw[4*i:], uint32(v))
		case 8:
			le.PutUint64(raw[8*i:], uint64(v))
		}
	}
	return raw, nil
}
