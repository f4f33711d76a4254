package graph

import (
	"fmt"
	"strings"

	"github.com/aiq-project/aiq/onnx"
)

// DType is the element kind of a tensor: ONNX float types map to Float32,
// integer and boolean types to Int64.
type DType uint8

// Element kinds.
const (
	Float32 DType = iota
	Int64
)

func (d DType) String() string {
	if d == Int64 {
		return "int64"
	}
	return "float32"
}

// Tensor is a named value of the graph. Constant tensors carry their data in
// F (Float32) or I (Int64); activations have both nil.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	F     []float32
	I     []int64
	// Elem is the ONNX element type of an Int64 tensor (UINT8, INT8, INT32,
	// ...) when the model says it, so QuantizeLinear saturates to the zero
	// point's type and integer arithmetic wraps as in the model; 0 is int64.
	Elem onnx.DataType
}

// Const reports whether t holds constant data.
func (t *Tensor) Const() bool { return t.F != nil || t.I != nil }

// Len is the number of elements (1 for a scalar).
func (t *Tensor) Len() int { return numel(t.Shape) }

func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Node is one operator application. Op is the ONNX op type, or ChannelAffine
// (inputs X, Scale[C], Bias[C]: y = x*Scale[c] + Bias[c] over axis 1).
// Only the parameter fields of the node's Op are meaningful.
type Node struct {
	Name    string
	Op      string
	Inputs  []string // "" marks an omitted optional input
	Outputs []string

	Conv  ConvParams  // Conv, ConvInteger, QLinearConv; also MaxPool/AveragePool geometry (Group unused)
	Pool  PoolParams  // AveragePool, MaxPool
	Gemm  GemmParams  // Gemm
	Clip  ClipParams  // Clip, Relu (Min 0, Max +Inf)
	Slice SliceParams // Slice
	Pad   PadParams   // Pad
	Shape []int       // Reshape: full output shape; Constant, ConstantOfShape
	Axis  int         // Concat, Flatten, Gather, Softmax, QuantizeLinear, DequantizeLinear (normalised to >= 0)
	Axes  []int       // Unsqueeze, Squeeze, ReduceMean (normalised to >= 0, sorted)
	Perm  []int       // Transpose
	Eps   float32     // BatchNormalization
	// HardSigmoid: y = max(0, min(1, Alpha*x + Beta)); HardSwish is x*HardSigmoid(x) with 1/6, 1/2.
	Alpha, Beta float32
	KeepDims    bool          // ReduceMean: reduced axes stay as size 1
	BlockSize   int           // QuantizeLinear, DequantizeLinear: 0 per tensor or per axis, else blocked along Axis
	QType       onnx.DataType // QuantizeLinear: the output element type (UINT8, INT8, ...); Cast to an integer: its type
	To          DType         // Cast
	Value       *Tensor       // Constant, ConstantOfShape: the value
}

// ConvParams is the geometry of a Conv (and of a pooling window).
// Weights are [Cout, Cin/Group, KH, KW].
type ConvParams struct {
	KH, KW                 int
	StrideH, StrideW       int
	PadT, PadL, PadB, PadR int
	DilationH, DilationW   int
	Group                  int
}

// PoolParams is the extra state of AveragePool/MaxPool; the window is in Conv.
type PoolParams struct {
	CountIncludePad bool
	CeilMode        bool
	// ColumnMajor: MaxPool's optional second output (Indices) counts each
	// plane column by column (storage_order 1).
	ColumnMajor bool
}

// GemmParams: Y = Alpha * A' x B' + Beta * C, A' = A^T if TransA, B' = B^T if TransB.
type GemmParams struct {
	TransA, TransB bool
	Alpha, Beta    float32
}

// ClipParams bounds Clip and Relu outputs.
type ClipParams struct{ Min, Max float32 }

// SliceParams is resolved for the input shape: one entry per input axis,
// Starts[i] + k*Steps[i] for k < output dim i. Steps may be negative.
type SliceParams struct{ Starts, Steps []int }

// PadParams: per input axis, Begin and End elements. Mode is "" for ONNX
// mode constant (the new elements are Value), else "edge", "reflect" or
// "wrap" (an executor that only pads with a constant must check it).
type PadParams struct {
	Begin, End []int
	Value      float32
	Mode       string
}

// Graph is a model imported for one batch size. Nodes are in execution order.
type Graph struct {
	Name    string
	Batch   int
	Nodes   []*Node
	Values  map[string]*Tensor
	Inputs  []string // runtime inputs (not constants)
	Outputs []string

	opset int64 // default-domain opset of the source model
}

// Value returns the tensor named name, or nil.
func (g *Graph) Value(name string) *Tensor { return g.Values[name] }

// Consumers maps each value name to the nodes reading it.
func (g *Graph) Consumers() map[string][]*Node {
	m := map[string][]*Node{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in != "" {
				m[in] = append(m[in], n)
			}
		}
	}
	return m
}

func (g *Graph) isOutput(name string) bool {
	for _, o := range g.Outputs {
		if o == name {
			return true
		}
	}
	return false
}

// String lists the nodes with their input and output shapes.
func (g *Graph) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "graph %q batch %d\n", g.Name, g.Batch)
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "%-18s %s:", n.Op, n.Name)
		for _, in := range n.Inputs {
			if t := g.Values[in]; t != nil {
				fmt.Fprintf(&b, " %v", t.Shape)
				if t.Const() {
					b.WriteString("c")
				}
			}
		}
		b.WriteString(" ->")
		for _, o := range n.Outputs {
			fmt.Fprintf(&b, " %v", g.Values[o].Shape)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
