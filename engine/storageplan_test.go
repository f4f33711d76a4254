package engine

import (
	"strings"
	"testing"
)

// TestStorage checks that Storage reports what Compile builds: every
// tensor of the compiled model (converted copies included) with its
// storage, quantization and producing step, the steps of Plan with the
// graph nodes each runs and the tensors it reads and writes.
func TestStorage(t *testing.T) {
	const n = 4
	for _, name := range models {
		g, opts, cfg, _ := mixedCase(t, name, n)
		p, err := Storage(g, cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Compile(g, cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		steps := m.Steps()
		if m.lanes != nil {
			m = m.lanes[0] // a batch split: each lane is the same plan
		}
		if len(p.Steps) != len(steps) {
			t.Fatalf("%s: %d steps, the model has %d", name, len(p.Steps), len(steps))
		}
		for i, s := range p.Steps {
			if s.StepInfo != steps[i] {
				t.Fatalf("%s step %d: %+v, the model's %+v", name, i, s.StepInfo, steps[i])
			}
			if s.Kind == KindConvert {
				if s.Nodes != nil || len(s.Ins) != 1 || s.Ins[0].Converted || !s.Out.Converted || s.Out.Name != s.Ins[0].Name {
					t.Errorf("%s step %d: conversion %+v", name, i, s)
				}
				continue
			}
			if len(s.Nodes) == 0 || s.Nodes[len(s.Nodes)-1].Outputs[0] != s.Out.Name || s.Out.Converted {
				t.Errorf("%s step %d: nodes %v write %+v", name, i, s.Nodes, s.Out)
				continue
			}
			if s.Layer != "" && (s.Nodes[0].Name != s.Layer || s.Ins[0].Name != s.Nodes[0].Inputs[0]) {
				t.Errorf("%s step %d: layer %s runs node %s reading %q", name, i, s.Layer, s.Nodes[0].Name, s.Ins[0].Name)
			}
		}
		converted := map[TensorRef]bool{}
		for _, c := range p.Conversions() {
			converted[c] = true
		}
		if len(converted) == 0 {
			t.Fatalf("%s: no conversions", name)
		}
		if len(m.tensors) != len(p.Tensors)+len(converted) {
			t.Errorf("%s: the model has %d tensors, Storage reports %d and %d copies", name, len(m.tensors), len(p.Tensors), len(converted))
		}
		for _, x := range m.tensors {
			if base, _, ok := strings.Cut(x.name, "@"); ok {
				c := TensorRef{Name: base, Storage: x.st.String(), Quant: x.q, Converted: true}
				if !converted[c] {
					t.Errorf("%s: the model's copy %s (%s %+v) is not reported", name, x.name, x.st, x.q)
				}
				continue
			}
			ts, ok := p.Tensors[x.name]
			if !ok || ts.Storage != x.st.String() || ts.Quant != x.q || ts.Step != x.producer {
				t.Errorf("%s: tensor %s is %+v, the model's %s %+v written by step %d", name, x.name, ts, x.st, x.q, x.producer)
			}
			if (ts.CopyOf != "") != (x.qFrom != nil) {
				t.Errorf("%s: tensor %s a copy of %q, the model's qFrom %v", name, x.name, ts.CopyOf, x.qFrom)
			}
		}
	}
}
