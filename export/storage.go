package export

import (
	"fmt"
	"math"

	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// storage is how the engine holds a tensor: the rounding a reader sees.
type storage uint8

const (
	stF32 storage = iota
	stF16
	stU8
	stAny // a reader that takes the tensor as it is stored
)

func (s storage) String() string { return [...]string{"f32", "f16", "u8", "any"}[s] }

func storageOf(f kernels.Format) storage {
	switch f {
	case kernels.FP16:
		return stF16
	case kernels.Int8, kernels.Int4:
		return stU8
	}
	return stF32
}

// step is one unit of the engine's plan: a compute node with its fused
// activation and residual Add, or one other operator.
type step struct {
	nodes []*graph.Node
	ins   []string
	req   []storage
	out   string
	// passthrough steps (Slice, Pad with 0) move values without arithmetic:
	// their output keeps the input's storage and quantization.
	passthrough bool
	compute     bool
}

// conversion is a reader of a tensor in another storage than the tensor's:
// the engine converts a copy.
type conversion struct {
	tensor string
	to     storage
}

// plan is the storage of every tensor the engine materialises for a
// configuration, and the quantization of the uint8 ones.
type plan struct {
	steps   []*step
	st      map[string]storage
	from    map[string]string // passthrough output -> the tensor it copies
	q       map[string]kernels.Quant
	convert map[conversion]kernels.Quant // the uint8 conversions carry the tensor's own range
}

// planStorage derives the storage of each tensor by the engine's rule
// (engine/plan.go: decideStorage, setQuant, insertConversions; ARCHITECTURE
// "Tensor formats in the engine"). The engine keeps that decision private;
// TestStorageMatchesEngine checks this derivation against engine.Plan for
// every configuration shipped.
func planStorage(g *graph.Graph, cfg engine.Config, calib *quant.Calibration) (*plan, error) {
	if len(g.Inputs) != 1 || len(g.Outputs) != 1 {
		return nil, fmt.Errorf("graph has %d inputs and %d outputs, want 1 and 1", len(g.Inputs), len(g.Outputs))
	}
	cons := g.Consumers()
	isOut := func(v string) bool { return v == g.Outputs[0] }
	single := func(v string) *graph.Node {
		if isOut(v) || len(cons[v]) != 1 {
			return nil
		}
		return cons[v][0]
	}
	index := map[*graph.Node]int{}
	for i, n := range g.Nodes {
		index[n] = i
	}
	p := &plan{st: map[string]storage{g.Inputs[0]: stF32}, from: map[string]string{}, q: map[string]kernels.Quant{},
		convert: map[conversion]kernels.Quant{}}
	done := map[*graph.Node]bool{}
	type grp struct {
		nodes []*graph.Node
		last  int
	}
	var groups []grp
	for i, n := range g.Nodes {
		if done[n] {
			continue
		}
		nodes := []*graph.Node{n}
		if isCompute(g, n) || n.Op == "Add" {
			next := single(n.Outputs[0])
			if isAct(next) {
				nodes = append(nodes, next)
			} else if next != nil && next.Op == "Add" && n.Op != "Add" && residualOK(g, n, next) {
				nodes = append(nodes, next)
				if after := single(next.Outputs[0]); isAct(after) {
					nodes = append(nodes, after)
				}
			}
		}
		last := i
		for _, x := range nodes {
			done[x] = true
			last = max(last, index[x])
		}
		groups = append(groups, grp{nodes, last})
	}
	// A group runs at its last node (stable: the engine's sort.SliceStable).
	for i := 1; i < len(groups); i++ {
		for j := i; j > 0 && groups[j].last < groups[j-1].last; j-- {
			groups[j], groups[j-1] = groups[j-1], groups[j]
		}
	}
	for _, gr := range groups {
		n := gr.nodes[0]
		s := &step{nodes: gr.nodes, out: gr.nodes[len(gr.nodes)-1].Outputs[0]}
		if isCompute(g, n) {
			s.compute = true
			s.ins, s.req = []string{n.Inputs[0]}, []storage{storageOf(cfg.Format(n.Name))}
			for _, t := range gr.nodes[1:] {
				if t.Op == "Add" {
					other := t.Inputs[0]
					if other == n.Outputs[0] {
						other = t.Inputs[1]
					}
					s.ins, s.req = append(s.ins, other), append(s.req, stAny)
				}
			}
		} else {
			for _, in := range n.Inputs {
				if v := g.Value(in); in == "" || v != nil && v.Const() {
					continue
				}
				s.ins, s.req = append(s.ins, in), append(s.req, stF32)
			}
			if len(s.ins) == 0 {
				return nil, fmt.Errorf("node %q (%s) has no activation input", n.Name, n.Op)
			}
			if n.Op == "Slice" || n.Op == "Pad" && n.Pad.Value == 0 {
				s.req[0], s.passthrough = stAny, true
			}
		}
		p.steps = append(p.steps, s)
	}
	reqs := map[string][]storage{}
	for _, s := range p.steps {
		for i, t := range s.ins {
			if s.req[i] != stAny {
				reqs[t] = append(reqs[t], s.req[i])
			}
		}
	}
	// A passthrough output takes its input's storage, so the input serves
	// the output's readers too; reverse order sees every reader first.
	for i := len(p.steps) - 1; i >= 0; i-- {
		if s := p.steps[i]; s.passthrough && !isOut(s.out) {
			reqs[s.ins[0]] = append(reqs[s.ins[0]], reqs[s.out]...)
		}
	}
	for _, s := range p.steps {
		st := stF32
		switch {
		case s.passthrough && !isOut(s.out):
			st = p.st[s.ins[0]]
			p.from[s.out] = s.ins[0]
		case s.compute && !isOut(s.out):
			if r := reqs[s.out]; len(r) > 0 {
				st = r[0]
				for _, x := range r {
					if x != r[0] {
						st = stF32
					}
				}
			}
		}
		p.st[s.out] = st
	}
	rangeOf := func(t string) (kernels.Quant, error) {
		if calib == nil {
			return kernels.Quant{}, fmt.Errorf("tensor %q needs calibration ranges", t)
		}
		r, ok := calib.Ranges[t]
		if !ok {
			return kernels.Quant{}, fmt.Errorf("calibration has no range for tensor %q (calibrated with another model?)", t)
		}
		return r.Quant(), nil
	}
	for t, st := range p.st {
		if st != stU8 {
			continue
		}
		src := t
		for p.from[src] != "" {
			src = p.from[src]
		}
		q, err := rangeOf(src)
		if err != nil {
			return nil, err
		}
		p.q[t] = q
	}
	for _, s := range p.steps {
		for i, t := range s.ins {
			if s.req[i] == stAny || s.req[i] == p.st[t] {
				continue
			}
			c := conversion{t, s.req[i]}
			var q kernels.Quant
			if c.to == stU8 {
				var err error
				if q, err = rangeOf(t); err != nil {
					return nil, err
				}
			}
			p.convert[c] = q
		}
	}
	return p, nil
}

// isCompute is the engine's compute step: a Conv, or a Gemm/MatMul with
// constant weights.
func isCompute(g *graph.Graph, n *graph.Node) bool {
	switch n.Op {
	case "Conv":
		return true
	case "Gemm", "MatMul":
		w := g.Value(n.Inputs[1])
		return w != nil && w.Const()
	}
	return false
}

// isAct reports whether n is an activation the engine fuses (ReLU, ReLU6).
func isAct(n *graph.Node) bool {
	if n == nil {
		return false
	}
	switch n.Op {
	case "Relu":
		return true
	case "Clip":
		return n.Clip.Min == 0 && (n.Clip.Max == 6 || math.IsInf(float64(n.Clip.Max), 1))
	}
	return false
}

// residualOK reports whether add can be fused into conv: its other operand
// is an activation of the same shape.
func residualOK(g *graph.Graph, conv, add *graph.Node) bool {
	if len(add.Inputs) != 2 {
		return false
	}
	other := add.Inputs[0]
	if other == conv.Outputs[0] {
		other = add.Inputs[1]
	}
	if other == conv.Outputs[0] {
		return false
	}
	ov, cv := g.Value(other), g.Value(conv.Outputs[0])
	if ov == nil || cv == nil || ov.Const() || len(ov.Shape) != len(cv.Shape) {
		return false
	}
	for i := range ov.Shape {
		if ov.Shape[i] != cv.Shape[i] {
			return false
		}
	}
	return true
}
