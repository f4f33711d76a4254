package engine

import (
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

// StoragePlan is how Compile would store every activation of a graph for a
// configuration (see "Tensor formats" in the package doc): the rounding
// each value goes through, which package export reproduces with QDQ nodes.
type StoragePlan struct {
	// Tensors holds every materialised activation by graph value name: the
	// graph input, and the output of every step but the conversions (their
	// copies are the Out of the KindConvert steps).
	Tensors map[string]TensorStorage
	// Steps are the steps Plan lists, in the same order.
	Steps []StorageStep
}

// TensorStorage is how one tensor is stored.
type TensorStorage struct {
	Storage string        // f32, f16 or u8
	Quant   kernels.Quant // u8: its scale and zero point
	// CopyOf names the tensor whose values a passthrough step (Slice, Pad
	// with 0, a max pool, a Reshape/Transpose gather) moved into this one,
	// which then has that tensor's storage and quantization; "" otherwise.
	CopyOf string
	// Step is the index in Steps of the step that writes the tensor (-1:
	// the graph input).
	Step int
}

// StorageStep is one step of a StoragePlan.
type StorageStep struct {
	StepInfo // as Plan reports it
	// Nodes are the graph nodes the step runs: a compute node followed by
	// the activation, residual Add and activation after it fused into it,
	// or one other operator (a chain of movement nodes gathered at once);
	// nil for a conversion.
	Nodes []*graph.Node
	// Ins are the tensors read, in order (a compute step: its input, then
	// the residual), as the step reads them: a converted copy where the
	// engine inserts a conversion.
	Ins []TensorRef
	// Out is the tensor written; a conversion's is the converted copy.
	Out TensorRef
}

// TensorRef is a tensor as a step reads or writes it.
type TensorRef struct {
	Name    string        // graph value name (for a converted copy, the tensor converted)
	Storage string        // f32, f16 or u8
	Quant   kernels.Quant // u8: its scale and zero point
	// Converted marks the copy a conversion step makes of tensor Name in
	// another storage than the tensor's.
	Converted bool
}

// Conversions returns the converted copies the plan makes, in the order
// made.
func (p *StoragePlan) Conversions() []TensorRef {
	var cs []TensorRef
	for _, s := range p.Steps {
		if s.Kind == KindConvert {
			cs = append(cs, s.Out)
		}
	}
	return cs
}

// Storage reports the storage Compile would give each tensor of g for cfg,
// from the same plan (no weights packed, no buffers allocated).
func Storage(g *graph.Graph, cfg Config, opts Options) (*StoragePlan, error) {
	b, m, err := newPlan(g, cfg, opts)
	if err != nil {
		return nil, err
	}
	copies := map[*tensor]*tensor{} // a converted copy -> the tensor converted
	for _, s := range m.steps {
		if c, ok := s.(*convertStep); ok {
			copies[c.outs[0]] = c.ins[0]
		}
	}
	ref := func(t *tensor) TensorRef {
		r := TensorRef{Name: t.name, Storage: t.st.String()}
		if src := copies[t]; src != nil {
			r.Name, r.Converted = src.name, true
		}
		if t.st == stU8 {
			r.Quant = t.q
		}
		return r
	}
	p := &StoragePlan{Tensors: map[string]TensorStorage{}, Steps: make([]StorageStep, len(m.steps))}
	add := func(t *tensor, step int) {
		ts := TensorStorage{Storage: t.st.String(), Step: step}
		if t.st == stU8 {
			ts.Quant = t.q
		}
		if t.qFrom != nil {
			ts.CopyOf = t.qFrom.name
		}
		p.Tensors[t.name] = ts
	}
	add(m.input, -1)
	infos := m.stepInfos()
	for i, s := range m.steps {
		io := s.io()
		ss := StorageStep{StepInfo: infos[i], Nodes: b.nodes[io], Out: ref(io.outs[0])}
		for _, t := range io.ins {
			ss.Ins = append(ss.Ins, ref(t))
		}
		for _, t := range io.outs {
			if copies[t] == nil {
				add(t, i)
			}
		}
		p.Steps[i] = ss
	}
	return p, nil
}
