package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aiq-project/aiq/kernels/fp16"
	"google.golang.org/protobuf/encoding/protowire"
)

// field is one decoded key/value of a protobuf message.
type field struct {
	num protowire.Number
	typ protowire.Type
	b   []byte // BytesType payload
	x   uint64 // VarintType, Fixed32Type, Fixed64Type payload
}

// fieldError carries the dotted path of the field that failed to decode.
type fieldError struct {
	path string
	err  error
}

func (e *fieldError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

var (
	errWireType  = errors.New("unexpected wire type")
	errTruncated = errors.New("truncated or malformed protobuf")
)

func ferr(path string, err error) error {
	var fe *fieldError
	if errors.As(err, &fe) {
		return err
	}
	return &fieldError{path: path, err: err}
}

// fieldNames names the fields of one message type by number, as the ONNX
// schema does; a name ending in "[]" is a repeated field, indexed by
// occurrence in error paths.
type fieldNames map[protowire.Number]string

// The fields of the messages read, by the names of onnx.proto.
var (
	modelFields = fieldNames{1: "ir_version", 2: "producer_name", 3: "producer_version", 4: "domain", 5: "model_version",
		6: "doc_string", 7: "graph", 8: "opset_import[]", 14: "metadata_props[]", 20: "training_info[]", 25: "functions[]"}
	opsetFields = fieldNames{1: "domain", 2: "version"}
	graphFields = fieldNames{1: "node[]", 2: "name", 5: "initializer[]", 10: "doc_string", 11: "input[]", 12: "output[]",
		13: "value_info[]", 14: "quantization_annotation[]", 15: "sparse_initializer[]"}
	nodeFields = fieldNames{1: "input[]", 2: "output[]", 3: "name", 4: "op_type", 5: "attribute[]", 6: "doc_string", 7: "domain"}
	attrFields = fieldNames{1: "name", 2: "f", 3: "i", 4: "s", 5: "t", 6: "g", 7: "floats", 8: "ints", 9: "strings",
		10: "tensors", 11: "graphs", 13: "doc_string", 20: "type", 21: "ref_attr_name"}
	valueInfoFields  = fieldNames{1: "name", 2: "type", 3: "doc_string"}
	typeFields       = fieldNames{1: "tensor_type", 4: "sequence_type", 5: "map_type", 6: "denotation"}
	tensorTypeFields = fieldNames{1: "elem_type", 2: "shape"}
	shapeFields      = fieldNames{1: "dim[]"}
	dimFields        = fieldNames{1: "dim_value", 2: "dim_param", 3: "denotation"}
	tensorFields     = fieldNames{1: "dims", 2: "data_type", 3: "segment", 4: "float_data", 5: "int32_data", 6: "string_data",
		7: "int64_data", 8: "name", 9: "raw_data", 10: "double_data", 11: "uint64_data", 12: "doc_string",
		13: "external_data[]", 14: "data_location"}
)

// fieldPath is the dotted path of the k-th occurrence of field num of the
// message at path: graph.node[12], graph.node[12].attribute[0].name. A
// field the schema table does not name is "(field N)".
func fieldPath(path string, names fieldNames, num protowire.Number, k int) string {
	name, ok := names[num]
	if !ok {
		return fmt.Sprintf("%s.(field %d)", path, num)
	}
	if base, rep := strings.CutSuffix(name, "[]"); rep {
		return idx(path+"."+base, k)
	}
	// The graph of a model is named by itself: graph.node[3], not model.graph.node[3].
	if path == "model" && name == "graph" {
		return "graph"
	}
	return path + "." + name
}

// each calls fn for every field of the message encoded in b, at path with
// the field names of its type. Unknown fields are passed to fn too; fn
// ignores what it does not read. A field that cannot be read is named by
// its path.
func each(b []byte, path string, names fieldNames, fn func(f field) error) error {
	seen := map[protowire.Number]int{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return ferr(path, fmt.Errorf("%w: tag: %v", errTruncated, protowire.ParseError(n)))
		}
		b = b[n:]
		fpath := fieldPath(path, names, num, seen[num])
		seen[num]++
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.x = uint64(v)
		case protowire.Fixed64Type:
			f.x, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			f.b, n = protowire.ConsumeBytes(b)
		case protowire.StartGroupType:
			_, n = protowire.ConsumeGroup(num, b)
		default:
			return ferr(fpath, fmt.Errorf("%w: wire type %d", errTruncated, typ))
		}
		if n < 0 {
			return ferr(fpath, fmt.Errorf("%w: %v", errTruncated, protowire.ParseError(n)))
		}
		b = b[n:]
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

func (f field) bytes(path string) ([]byte, error) {
	if f.typ != protowire.BytesType {
		return nil, ferr(path, errWireType)
	}
	return f.b, nil
}

func (f field) str(path string) (string, error) {
	b, err := f.bytes(path)
	return string(b), err
}

func (f field) varint(path string) (int64, error) {
	if f.typ != protowire.VarintType {
		return 0, ferr(path, errWireType)
	}
	return int64(f.x), nil
}

// int64s appends a repeated int64/int32 field, packed or not. int32 values
// are sign-extended to 64 bits on the wire, so one decoder serves both.
func (f field) int64s(path string, dst []int64) ([]int64, error) {
	switch f.typ {
	case protowire.VarintType:
		return append(dst, int64(f.x)), nil
	case protowire.BytesType:
		b := f.b
		for len(b) > 0 {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return nil, ferr(path, fmt.Errorf("%w: packed varint: %v", errTruncated, protowire.ParseError(n)))
			}
			dst = append(dst, int64(v))
			b = b[n:]
		}
		return dst, nil
	}
	return nil, ferr(path, errWireType)
}

// float32s appends a repeated float field, packed or not.
func (f field) float32s(path string, dst []float32) ([]float32, error) {
	switch f.typ {
	case protowire.Fixed32Type:
		return append(dst, math.Float32frombits(uint32(f.x))), nil
	case protowire.BytesType:
		if len(f.b)%4 != 0 {
			return nil, ferr(path, fmt.Errorf("%w: packed floats of %d bytes", errTruncated, len(f.b)))
		}
		for i := 0; i < len(f.b); i += 4 {
			dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(f.b[i:])))
		}
		return dst, nil
	}
	return nil, ferr(path, errWireType)
}

// float64s appends a repeated double field, packed or not.
func (f field) float64s(path string, dst []float64) ([]float64, error) {
	switch f.typ {
	case protowire.Fixed64Type:
		return append(dst, math.Float64frombits(f.x)), nil
	case protowire.BytesType:
		if len(f.b)%8 != 0 {
			return nil, ferr(path, fmt.Errorf("%w: packed doubles of %d bytes", errTruncated, len(f.b)))
		}
		for i := 0; i < len(f.b); i += 8 {
			dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(f.b[i:])))
		}
		return dst, nil
	}
	return nil, ferr(path, errWireType)
}

func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func decodeModel(b []byte) (*Model, error) {
	m := &Model{Opsets: map[string]int64{}}
	opsets := 0
	err := each(b, "model", modelFields, func(f field) error {
		var err error
		switch f.num {
		case 1:
			m.IRVersion, err = f.varint("model.ir_version")
		case 2:
			m.Producer, err = f.str("model.producer_name")
		case 7:
			var gb []byte
			if gb, err = f.bytes("model.graph"); err == nil {
				m.Graph, err = decodeGraph(gb, "graph")
			}
		case 8:
			var ob []byte
			p := idx("model.opset_import", opsets)
			opsets++
			if ob, err = f.bytes(p); err == nil {
				err = decodeOpset(ob, p, m.Opsets)
			}
		}
		return err
	})
	return m, err
}

func decodeOpset(b []byte, path string, dst map[string]int64) error {
	var domain string
	var version int64
	err := each(b, path, opsetFields, func(f field) error {
		var err error
		switch f.num {
		case 1:
			domain, err = f.str(path + ".domain")
		case 2:
			version, err = f.varint(path + ".version")
		}
		return err
	})
	if err != nil {
		return err
	}
	if domain == "ai.onnx" {
		domain = ""
	}
	dst[domain] = version
	return nil
}

func decodeGraph(b []byte, path string) (*Graph, error) {
	g := &Graph{}
	err := each(b, path, graphFields, func(f field) error {
		var err error
		var sub []byte
		switch f.num {
		case 1:
			p := idx(path+".node", len(g.Nodes))
			if sub, err = f.bytes(p); err == nil {
				var n *Node
				if n, err = decodeNode(sub, p); err == nil {
					g.Nodes = append(g.Nodes, n)
				}
			}
		case 2:
			g.Name, err = f.str(path + ".name")
		case 5:
			p := idx(path+".initializer", len(g.Initializers))
			if sub, err = f.bytes(p); err == nil {
				var t *Tensor
				if t, err = decodeTensor(sub, p); err == nil {
					g.Initializers = append(g.Initializers, t)
				}
			}
		case 15:
			return ferr(path+".sparse_initializer", errors.New("sparse initializers are not supported"))
		case 11, 12, 13:
			list := map[protowire.Number]*[]*ValueInfo{11: &g.Inputs, 12: &g.Outputs, 13: &g.ValueInfo}[f.num]
			name := map[protowire.Number]string{11: ".input", 12: ".output", 13: ".value_info"}[f.num]
			p := idx(path+name, len(*list))
			if sub, err = f.bytes(p); err == nil {
				var v *ValueInfo
				if v, err = decodeValueInfo(sub, p); err == nil {
					*list = append(*list, v)
				}
			}
		}
		return err
	})
	return g, err
}

func decodeNode(b []byte, path string) (*Node, error) {
	n := &Node{}
	err := each(b, path, nodeFields, func(f field) error {
		var err error
		var s string
		switch f.num {
		case 1:
			if s, err = f.str(path + ".input"); err == nil {
				n.Inputs = append(n.Inputs, s)
			}
		case 2:
			if s, err = f.str(path + ".output"); err == nil {
				n.Outputs = append(n.Outputs, s)
			}
		case 3:
			n.Name, err = f.str(path + ".name")
		case 4:
			n.OpType, err = f.str(path + ".op_type")
		case 7:
			n.Domain, err = f.str(path + ".domain")
		case 5:
			p := idx(path+".attribute", len(n.Attrs))
			var sub []byte
			if sub, err = f.bytes(p); err == nil {
				var a *Attribute
				if a, err = decodeAttr(sub, p); err == nil {
					n.Attrs = append(n.Attrs, a)
				}
			}
		}
		return err
	})
	return n, err
}

func decodeAttr(b []byte, path string) (*Attribute, error) {
	a := &Attribute{}
	err := each(b, path, attrFields, func(f field) error {
		var err error
		switch f.num {
		case 1:
			a.Name, err = f.str(path + ".name")
		case 20:
			var t int64
			t, err = f.varint(path + ".type")
			a.Type = AttrType(t)
		case 2:
			if f.typ != protowire.Fixed32Type {
				return ferr(path+".f", errWireType)
			}
			a.F = math.Float32frombits(uint32(f.x))
		case 3:
			a.I, err = f.varint(path + ".i")
		case 4:
			a.S, err = f.bytes(path + ".s")
		case 5:
			var sub []byte
			if sub, err = f.bytes(path + ".t"); err == nil {
				a.T, err = decodeTensor(sub, path+".t")
			}
		case 7:
			a.Floats, err = f.float32s(path+".floats", a.Floats)
		case 8:
			a.Ints, err = f.int64s(path+".ints", a.Ints)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if a.Type == 0 {
		// IR version 1 files omit the type; infer it from the field set.
		switch {
		case a.T != nil:
			a.Type = AttrTensor
		case a.Floats != nil:
			a.Type = AttrFloats
		case a.Ints != nil:
			a.Type = AttrInts
		case a.S != nil:
			a.Type = AttrString
		}
	}
	return a, nil
}

func decodeValueInfo(b []byte, path string) (*ValueInfo, error) {
	v := &ValueInfo{}
	err := each(b, path, valueInfoFields, func(f field) error {
		var err error
		switch f.num {
		case 1:
			v.Name, err = f.str(path + ".name")
		case 2:
			var sub []byte
			if sub, err = f.bytes(path + ".type"); err == nil {
				err = decodeType(sub, path+".type", v)
			}
		}
		return err
	})
	return v, err
}

func decodeType(b []byte, path string, v *ValueInfo) error {
	return each(b, path, typeFields, func(f field) error {
		if f.num != 1 { // only tensor_type is read
			return nil
		}
		p := path + ".tensor_type"
		sub, err := f.bytes(p)
		if err != nil {
			return err
		}
		return each(sub, p, tensorTypeFields, func(f field) error {
			var err error
			switch f.num {
			case 1:
				var t int64
				t, err = f.varint(p + ".elem_type")
				v.ElemType = DataType(t)
			case 2:
				v.HasShape = true
				var sb []byte
				if sb, err = f.bytes(p + ".shape"); err == nil {
					err = decodeShape(sb, p+".shape", v)
				}
			}
			return err
		})
	})
}

func decodeShape(b []byte, path string, v *ValueInfo) error {
	return each(b, path, shapeFields, func(f field) error {
		if f.num != 1 {
			return nil
		}
		p := idx(path+".dim", len(v.Dims))
		sub, err := f.bytes(p)
		if err != nil {
			return err
		}
		d, param := int64(-1), ""
		err = each(sub, p, dimFields, func(f field) error {
			var err error
			switch f.num {
			case 1:
				d, err = f.varint(p + ".dim_value")
			case 2:
				param, err = f.str(p + ".dim_param")
			}
			return err
		})
		v.Dims = append(v.Dims, d)
		v.DimParams = append(v.DimParams, param)
		return err
	})
}

// decodeTensor reads a TensorProto and converts its payload to Floats or Ints.
func decodeTensor(b []byte, path string) (*Tensor, error) {
	t := &Tensor{}
	var raw []byte
	hasRaw := false
	var f32 []float32
	var f64 []float64
	var i64, i32, u64 []int64
	external := false
	err := each(b, path, tensorFields, func(f field) error {
		var err error
		switch f.num {
		case 1:
			t.Dims, err = f.int64s(path+".dims", t.Dims)
		case 2:
			var d int64
			d, err = f.varint(path + ".data_type")
			t.DataType = DataType(d)
		case 8:
			t.Name, err = f.str(path + ".name")
		case 9:
			raw, err = f.bytes(path + ".raw_data")
			hasRaw = true
		case 4:
			f32, err = f.float32s(path+".float_data", f32)
		case 5:
			i32, err = f.int64s(path+".int32_data", i32)
		case 7:
			i64, err = f.int64s(path+".int64_data", i64)
		case 10:
			f64, err = f.float64s(path+".double_data", f64)
		case 11:
			u64, err = f.int64s(path+".uint64_data", u64)
		case 13:
			external = true
		case 14:
			var loc int64
			loc, err = f.varint(path + ".data_location")
			external = external || loc == 1
		case 3:
			return ferr(path+".segment", errors.New("segmented tensors are not supported"))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if t.Name != "" {
		path += " (" + t.Name + ")"
	}
	if external {
		return nil, ferr(path+".external_data", errors.New("tensor data stored outside the model file is not supported; re-save the model with all tensors inside it"))
	}
	n := 1
	for _, d := range t.Dims {
		if d < 0 {
			return nil, ferr(path+".dims", fmt.Errorf("negative dimension %d", d))
		}
		// Any real payload is bounded by the file size, so a product beyond it is corrupt.
		if d > 0 && n > (len(b)*8+64)/int(min(d, 1<<40)) {
			return nil, ferr(path+".dims", fmt.Errorf("dimensions %v exceed the size of the data", t.Dims))
		}
		n *= int(d)
	}
	if hasRaw {
		err = t.fromRaw(raw, n)
		if err != nil {
			return nil, ferr(path+".raw_data", err)
		}
		return t, nil
	}
	var got int
	field := ""
	switch t.DataType {
	case Float:
		t.Floats, got, field = f32, len(f32), "float_data"
	case Double:
		t.Floats = make([]float32, len(f64))
		for i, v := range f64 {
			t.Floats[i] = float32(v)
		}
		got, field = len(f64), "double_data"
	case Float16:
		t.Floats = make([]float32, len(i32))
		for i, v := range i32 {
			t.Floats[i] = fp16.ToFloat32(uint16(v))
		}
		got, field = len(i32), "int32_data"
	case Int8, Uint8, Int16, Uint16, Int32, Bool:
		t.Ints, got, field = i32, len(i32), "int32_data"
		if t.Ints == nil {
			t.Ints = []int64{}
		}
	case Int4, Uint4:
		// Each int32_data entry holds one packed byte: two elements.
		if len(i32) != (n+1)/2 {
			return nil, ferr(path+".int32_data", fmt.Errorf("holds %d packed bytes, dims %v of %v need %d", len(i32), t.Dims, t.DataType, (n+1)/2))
		}
		packed := make([]byte, len(i32))
		for i, v := range i32 {
			if v < 0 || v > 255 {
				return nil, ferr(path+".int32_data", fmt.Errorf("packed byte %d out of range: %d", i, v))
			}
			packed[i] = byte(v)
		}
		t.Ints = unpack4(packed, n, t.DataType == Int4)
		return t, nil
	case Int64:
		t.Ints, got, field = i64, len(i64), "int64_data"
		if t.Ints == nil {
			t.Ints = []int64{}
		}
	case Uint32, Uint64:
		t.Ints, got, field = u64, len(u64), "uint64_data"
		if t.Ints == nil {
			t.Ints = []int64{}
		}
	default:
		return nil, ferr(path+".data_type", fmt.Errorf("element type %v is not supported", t.DataType))
	}
	if t.DataType.IsFloat() && t.Floats == nil {
		t.Floats = []float32{}
	}
	if got != n {
		return nil, ferr(path+"."+field, fmt.Errorf("holds %d elements, dims %v need %d", got, t.Dims, n))
	}
	return t, nil
}

// unpack4 expands n 4-bit elements packed low nibble first, sign-extending
// them when signed.
func unpack4(packed []byte, n int, signed bool) []int64 {
	out := make([]int64, n)
	for i := range out {
		v := int64(packed[i/2]>>(4*(i%2))) & 0xf
		if signed && v >= 8 {
			v -= 16
		}
		out[i] = v
	}
	return out
}

func (t *Tensor) fromRaw(raw []byte, n int) error {
	if t.DataType == Int4 || t.DataType == Uint4 {
		if len(raw) != (n+1)/2 {
			return fmt.Errorf("%d bytes, dims %v of %v need %d", len(raw), t.Dims, t.DataType, (n+1)/2)
		}
		t.Ints = unpack4(raw, n, t.DataType == Int4)
		return nil
	}
	size := map[DataType]int{Float: 4, Double: 8, Float16: 2, Int8: 1, Uint8: 1, Bool: 1,
		Int16: 2, Uint16: 2, Int32: 4, Uint32: 4, Int64: 8, Uint64: 8}[t.DataType]
	if size == 0 {
		return fmt.Errorf("element type %v is not supported", t.DataType)
	}
	if len(raw) != n*size {
		return fmt.Errorf("%d bytes, dims %v of %v need %d", len(raw), t.Dims, t.DataType, n*size)
	}
	le := binary.LittleEndian
	if t.DataType.IsFloat() {
		t.Floats = make([]float32, n)
	} else {
		t.Ints = make([]int64, n)
	}
	for i := 0; i < n; i++ {
		p := raw[i*size:]
		switch t.DataType {
		case Float:
			t.Floats[i] = math.Float32frombits(le.Uint32(p))
		case Double:
			t.Floats[i] = float32(math.Float64frombits(le.Uint64(p)))
		case Float16:
			t.Floats[i] = fp16.ToFloat32(le.Uint16(p))
		case Int8:
			t.Ints[i] = int64(int8(p[0]))
		case Uint8, Bool:
			t.Ints[i] = int64(p[0])
		case Int16:
			t.Ints[i] = int64(int16(le.Uint16(p)))
		case Uint16:
			t.Ints[i] = int64(le.Uint16(p))
		case Int32:
			t.Ints[i] = int64(int32(le.Uint32(p)))
		case Uint32:
			t.Ints[i] = int64(le.Uint32(p))
		case Int64, Uint64:
			t.Ints[i] = int64(le.Uint64(p))
		}
	}
	return nil
}
