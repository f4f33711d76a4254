package graph

import (
	"fmt"
	"slices"
)

// Run executes g with the reference interpreter. feeds maps every runtime
// input name to its data (NCHW float32 of the input's shape for the batch g
// was imported with); the result maps every graph output to its tensor.
// It is slow and simple on purpose: it defines correct results.
func Run(g *Graph, feeds map[string][]float32) (map[string]*Tensor, error) {
	ts := make(map[string]*Tensor, len(feeds))
	for name, data := range feeds {
		in := g.Values[name]
		if in != nil && in.DType != Float32 {
			return nil, fmt.Errorf("graph: input %q is %v, Run feeds float32 (use RunTensors)", name, in.DType)
		}
		ts[name] = &Tensor{Name: name, DType: Float32, F: data}
	}
	return RunTensors(g, ts)
}

// RunTensors is Run with feeds of any element kind: F for Float32 inputs, I
// for Int64 ones (integer inputs such as uint8 images or zero points).
func RunTensors(g *Graph, feeds map[string]*Tensor) (map[string]*Tensor, error) {
	vals := make(map[string]*Tensor, len(g.Values))
	for name, t := range g.Values {
		if t.Const() {
			vals[name] = t
		}
	}
	for _, name := range g.Inputs {
		in := g.Values[name]
		f, ok := feeds[name]
		if !ok {
			return nil, fmt.Errorf("graph: no data for input %q", name)
		}
		if f.DType != in.DType {
			return nil, fmt.Errorf("graph: input %q is %v, fed %v", name, in.DType, f.DType)
		}
		if n := len(f.F) + len(f.I); n != in.Len() {
			return nil, fmt.Errorf("graph: input %q: %d values, shape %v needs %d", name, n, in.Shape, in.Len())
		}
		vals[name] = &Tensor{Name: name, DType: in.DType, Elem: in.Elem, Shape: in.Shape, F: f.F, I: f.I}
	}
	for _, n := range g.Nodes {
		ins := make([]*Tensor, len(n.Inputs))
		for i, name := range n.Inputs {
			if name != "" {
				ins[i] = vals[name]
			}
		}
		outs := make([]*Tensor, len(n.Outputs))
		for i, name := range n.Outputs {
			t := g.Values[name]
			outs[i] = &Tensor{Name: name, DType: t.DType, Elem: t.Elem, Shape: slices.Clone(t.Shape)}
			outs[i].alloc()
			vals[name] = outs[i]
		}
		if err := eval(n, ins, outs); err != nil {
			return nil, fmt.Errorf("graph: node %q (%s): %w", n.Name, n.Op, err)
		}
	}
	res := make(map[string]*Tensor, len(g.Outputs))
	for _, o := range g.Outputs {
		res[o] = vals[o]
	}
	return res, nil
}

// Reference runs a graph with one input and one output on x (NCHW float32,
// g.Batch images) and returns the output data.
func Reference(g *Graph, x []float32) ([]float32, error) {
	if len(g.Inputs) != 1 || len(g.Outputs) != 1 {
		return nil, fmt.Errorf("graph: Reference needs one input and one output, have %d and %d", len(g.Inputs), len(g.Outputs))
	}
	res, err := Run(g, map[string][]float32{g.Inputs[0]: x})
	if err != nil {
		return nil, err
	}
	return res[g.Outputs[0]].F, nil
}
