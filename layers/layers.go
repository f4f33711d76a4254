// Package layers describes the compute layers of a model once, for every
// part of aiq: their shapes as kernels see them, their operation counts, and
// the paper's roofline byte accounting per number format.
//
// Bytes of a layer in a format (the paper's accounting): its weights once
// per batch, plus its input activations read and its output activations
// written, each at the format's width (fp32 4 B, fp16 2 B, int8 1 B; int4
// weights 0.5 B with 1 B activations), summed over layers with no credit
// for cache reuse between layers. AI = 2 x MACs / bytes.
package layers

import (
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

// Layer is one compute layer (Conv, Gemm or MatMul with constant weights).
// Counts are per image.
type Layer struct {
	Name      string // graph node name, the key of engine configurations
	Op        string
	Depthwise bool
	MACs      int64
	Weights   int64 // weight values (bias excluded)
	InActs    int64 // input activation values read
	OutActs   int64 // output activation values written
	Shape     Shape
}

// Shape is a layer's kernel shape per image: a GEMM M x K times K x N
// (M = output pixels, K = Cin x KH x KW), or for a depthwise layer C
// channels of an H x W input with a KH x KH filter and a stride.
type Shape struct {
	M, N, K int
	C, H, W int
	KH      int
	Stride  int
}

// Of lists the compute layers of g in execution order.
func Of(g *graph.Graph) []Layer {
	var out []Layer
	for _, l := range g.Layers() {
		w := int64(l.Cin/l.Group) * int64(l.Cout) * int64(l.KH*l.KW)
		in := int64(l.Cin) * int64(l.InH*l.InW)
		o := int64(l.Cout) * int64(l.OutH*l.OutW)
		m, n, k := l.GEMM()
		if l.Op != "Conv" { // Gemm/MatMul: rows per image from the MACs
			rows := l.MACs / max(int64(l.Cin)*int64(l.Cout), 1)
			in, o = int64(l.Cin)*rows, int64(l.Cout)*rows
			m, n, k = int(rows), l.Cout, l.Cin
		}
		if l.Depthwise() {
			n = l.Cout
		}
		out = append(out, Layer{Name: l.Name, Op: l.Op, Depthwise: l.Depthwise(), MACs: l.MACs, Weights: w, InActs: in, OutActs: o,
			Shape: Shape{M: m, N: n, K: k, C: l.Cin, H: l.InH, W: l.InW, KH: l.KH, Stride: l.Stride}})
	}
	return out
}

// Bytes is the paper's memory traffic of layer l in format f for a batch.
func Bytes(l Layer, f kernels.Format, batch int) float64 {
	return WeightBytes(l, f) + float64(batch)*float64(l.InActs+l.OutActs)*float64(f.ActBits())/8
}

// WeightBytes is the size of l's weights in format f.
func WeightBytes(l Layer, f kernels.Format) float64 {
	return float64(l.Weights) * float64(f.WeightBits()) / 8
}

// Ops is 2 x MACs of all layers for a batch.
func Ops(ls []Layer, batch int) float64 {
	var m int64
	for _, l := range ls {
		m += l.MACs
	}
	return 2 * float64(m) * float64(batch)
}

// TotalBytes sums Bytes over the layers, layer i in formats[i].
func TotalBytes(ls []Layer, formats []kernels.Format, batch int) float64 {
	b := 0.0
	for i, l := range ls {
		b += Bytes(l, formats[i], batch)
	}
	return b
}

// AI is the arithmetic intensity of the layers in formats at a batch:
// Ops / TotalBytes.
func AI(ls []Layer, formats []kernels.Format, batch int) float64 {
	b := TotalBytes(ls, formats, batch)
	if b == 0 {
		return 0
	}
	return Ops(ls, batch) / b
}
