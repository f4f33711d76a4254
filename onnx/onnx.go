// Package onnx reads the subset of the ONNX protobuf format that inference of
// CNNs needs: a model's graph, its nodes with their attributes, initializer
// tensors and the declared input/output shapes.
//
// It decodes the wire format directly with protowire instead of generated
// types: the subset is small, the decoder stays dependency-light, and every
// malformed byte sequence becomes an error naming the file and the field
// (e.g. "resnet20.onnx: graph.node[3].attribute[1].t.raw_data: ...") rather
// than a panic. Tensor payloads are decoded into float32 (FLOAT, FLOAT16,
// DOUBLE) or int64 (all integer and BOOL types) so later stages handle two
// element kinds only. Tensors stored as external data are rejected.
//
// Marshal writes the same types back as a ModelProto (payloads as
// little-endian raw_data), so a decoded model can be edited and saved; the
// two directions round-trip to an identical Model.
package onnx

import (
	"fmt"
	"os"
)

// DataType is TensorProto.DataType.
type DataType int32

// The ONNX element types this package decodes.
const (
	Float   DataType = 1
	Uint8   DataType = 2
	Int8    DataType = 3
	Uint16  DataType = 4
	Int16   DataType = 5
	Int32   DataType = 6
	Int64   DataType = 7
	String  DataType = 8
	Bool    DataType = 9
	Float16 DataType = 10
	Double  DataType = 11
	Uint32  DataType = 12
	Uint64  DataType = 13
	// 4-bit integers, packed two per byte with the first element in the low
	// nibble (opset 21).
	Uint4 DataType = 21
	Int4  DataType = 22
)

var dataTypeNames = map[DataType]string{
	Float: "FLOAT", Uint8: "UINT8", Int8: "INT8", Uint16: "UINT16", Int16: "INT16",
	Int32: "INT32", Int64: "INT64", String: "STRING", Bool: "BOOL", Float16: "FLOAT16",
	Double: "DOUBLE", Uint32: "UINT32", Uint64: "UINT64", Uint4: "UINT4", Int4: "INT4",
}

func (t DataType) String() string {
	if s, ok := dataTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("DataType(%d)", int32(t))
}

// IsFloat reports whether elements of t decode to Tensor.Floats.
func (t DataType) IsFloat() bool { return t == Float || t == Float16 || t == Double }

// Model is a decoded ModelProto.
type Model struct {
	IRVersion int64
	Producer  string
	// Opsets maps an operator-set domain ("" is the default ai.onnx) to its version.
	Opsets map[string]int64
	Graph  *Graph
}

// Graph is a decoded GraphProto.
type Graph struct {
	Name         string
	Nodes        []*Node
	Initializers []*Tensor
	Inputs       []*ValueInfo // may include initializers (IR version < 4)
	Outputs      []*ValueInfo
	ValueInfo    []*ValueInfo
}

// Node is a decoded NodeProto. An empty string in Inputs marks an omitted
// optional input.
type Node struct {
	Name    string
	OpType  string
	Domain  string
	Inputs  []string
	Outputs []string
	Attrs   []*Attribute
}

// Attr returns the attribute called name, or nil.
func (n *Node) Attr(name string) *Attribute {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// AttrType is AttributeProto.AttributeType.
type AttrType int32

// Attribute kinds; only those decoded into fields of Attribute are listed.
const (
	AttrFloat   AttrType = 1
	AttrInt     AttrType = 2
	AttrString  AttrType = 3
	AttrTensor  AttrType = 4
	AttrGraph   AttrType = 5
	AttrFloats  AttrType = 6
	AttrInts    AttrType = 7
	AttrStrings AttrType = 8
)

func (t AttrType) String() string {
	switch t {
	case AttrFloat:
		return "FLOAT"
	case AttrInt:
		return "INT"
	case AttrString:
		return "STRING"
	case AttrTensor:
		return "TENSOR"
	case AttrGraph:
		return "GRAPH"
	case AttrFloats:
		return "FLOATS"
	case AttrInts:
		return "INTS"
	case AttrStrings:
		return "STRINGS"
	}
	return fmt.Sprintf("AttrType(%d)", int32(t))
}

// Attribute is a decoded AttributeProto. Type says which field is set; graph
// and sparse attributes are recorded by Type only (no CNN op here needs them).
type Attribute struct {
	Name   string
	Type   AttrType
	F      float32
	I      int64
	S      []byte
	T      *Tensor
	Floats []float32
	Ints   []int64
}

// Tensor is a decoded TensorProto with its payload in one of two forms:
// Floats for floating-point types, Ints for integer and boolean types.
type Tensor struct {
	Name     string
	DataType DataType
	Dims     []int64
	Floats   []float32
	Ints     []int64
}

// Len is the element count implied by Dims (1 for a scalar).
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Dims {
		n *= int(d)
	}
	return n
}

// ValueInfo is a decoded ValueInfoProto of a tensor type. A Dim of -1 is
// unknown or symbolic (its name, if any, is in DimParams).
type ValueInfo struct {
	Name      string
	ElemType  DataType
	Dims      []int64
	DimParams []string
	HasShape  bool
}

// ReadFile reads and parses the ONNX model at path.
func ReadFile(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes a serialized ModelProto. name is used in error messages only.
func Parse(data []byte, name string) (*Model, error) {
	m, err := decodeModel(data)
	if err != nil {
		return nil, fmt.Errorf("onnx: %s: %w", name, err)
	}
	if m.Graph == nil {
		return nil, fmt.Errorf("onnx: %s: model.graph: missing (not an ONNX model?)", name)
	}
	if _, ok := m.Opsets[""]; !ok {
		return nil, fmt.Errorf("onnx: %s: model.opset_import: no version for the default domain (truncated file?)", name)
	}
	return m, nil
}
