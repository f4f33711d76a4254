package graph

import (
	"fmt"
	"math"
	"slices"
)

// simplify runs the rewrites of the package doc until none applies, then
// drops dead nodes and unused constants.
func (g *Graph) simplify() error {
	for changed := true; changed; {
		changed = false
		for _, pass := range []func() bool{g.foldBatchNorm, g.toChannelAffine, g.mergeAffine,
			g.dropNoOps, g.mergeSlices, g.canonicalPoolFlatten} {
			if pass() {
				changed = true
			}
		}
	}
	g.removeDead()
	return g.check()
}

// single returns the only consumer of value v, or nil if v has several, none,
// or is a graph output (then its producer must keep writing it).
func (g *Graph) single(v string) *Node {
	if g.isOutput(v) {
		return nil
	}
	c := g.Consumers()[v]
	if len(c) != 1 {
		return nil
	}
	return c[0]
}

func (g *Graph) producer(v string) *Node {
	for _, n := range g.Nodes {
		if slices.Contains(n.Outputs, v) {
			return n
		}
	}
	return nil
}

func (g *Graph) remove(n *Node) {
	g.Nodes = slices.DeleteFunc(g.Nodes, func(m *Node) bool { return m == n })
}

// rename makes every reader of value from read value to instead.
func (g *Graph) rename(from, to string) {
	for _, n := range g.Nodes {
		for i, in := range n.Inputs {
			if in == from {
				n.Inputs[i] = to
			}
		}
	}
}

// bypass removes n, whose output equals its input 0, rewiring readers.
func (g *Graph) bypass(n *Node) bool {
	in, out := n.Inputs[0], n.Outputs[0]
	if !g.isOutput(out) {
		g.remove(n)
		g.rename(out, in)
		delete(g.Values, out)
		return true
	}
	// The graph output name must survive: make in's producer write it instead.
	p := g.producer(in)
	if p == nil || g.isOutput(in) || slices.Contains(g.Inputs, in) {
		return false
	}
	g.remove(n)
	for i, o := range p.Outputs {
		if o == in {
			p.Outputs[i] = out
		}
	}
	g.rename(in, out)
	delete(g.Values, in)
	return true
}

func (g *Graph) newConst(name string, shape []int, f []float32) string {
	for g.Values[name] != nil {
		name += "_"
	}
	g.Values[name] = &Tensor{Name: name, DType: Float32, Shape: shape, F: f}
	return name
}

// foldBatchNorm folds BatchNormalization into the Conv that feeds it:
// W'[o] = W[o]*s[o], b'[o] = (b[o]-mean[o])*s[o] + beta[o], s = gamma/sqrt(var+eps).
func (g *Graph) foldBatchNorm() bool {
	for _, bn := range g.Nodes {
		if bn.Op != "BatchNormalization" {
			continue
		}
		cv := g.producer(bn.Inputs[0])
		if cv == nil || cv.Op != "Conv" || g.single(bn.Inputs[0]) != bn {
			continue
		}
		// Only constants fold (weights from a DequantizeLinear do not).
		params := append(slices.Clone(bn.Inputs[1:]), cv.Inputs[1:]...)
		if slices.ContainsFunc(params, func(v string) bool { return v != "" && !g.Values[v].Const() }) {
			continue
		}
		w := g.Values[cv.Inputs[1]]
		cout := w.Shape[0]
		per := w.Len() / cout
		gamma, beta := g.Values[bn.Inputs[1]].F, g.Values[bn.Inputs[2]].F
		mean, vr := g.Values[bn.Inputs[3]].F, g.Values[bn.Inputs[4]].F
		nw := make([]float32, w.Len())
		nb := make([]float32, cout)
		var oldB []float32
		if len(cv.Inputs) > 2 && cv.Inputs[2] != "" {
			oldB = g.Values[cv.Inputs[2]].F
		}
		for o := range cout {
			s := gamma[o] / float32(math.Sqrt(float64(vr[o]+bn.Eps)))
			for i := range per {
				nw[o*per+i] = w.F[o*per+i] * s
			}
			b := float32(0)
			if oldB != nil {
				b = oldB[o]
			}
			nb[o] = (b-mean[o])*s + beta[o]
		}
		cv.Inputs = []string{cv.Inputs[0], g.newConst(cv.Name+".W", slices.Clone(w.Shape), nw),
			g.newConst(cv.Name+".B", []int{cout}, nb)}
		g.remove(bn)
		old := cv.Outputs[0]
		cv.Outputs[0] = bn.Outputs[0]
		delete(g.Values, old)
		return true
	}
	return false
}

// channelVector returns the per-channel values of a constant that broadcasts
// along axis 1 only against x (shapes [C,1,1], [1,C,1,1], [1], scalar...).
func channelVector(x, c *Tensor) []float32 {
	if c == nil || !c.Const() || c.DType != Float32 || len(x.Shape) < 2 || len(c.Shape) > len(x.Shape) {
		return nil
	}
	ch := x.Shape[1]
	if c.Len() == 1 {
		return slices.Repeat([]float32{c.F[0]}, ch)
	}
	off := len(x.Shape) - len(c.Shape)
	for i, d := range c.Shape {
		if a := i + off; d != 1 && !(a == 1 && d == ch) {
			return nil
		}
	}
	if c.Len() != ch {
		return nil
	}
	return c.F
}

// toChannelAffine turns x+c, x-c, x*c, x/c (c constant per channel) into ChannelAffine.
func (g *Graph) toChannelAffine() bool {
	for _, n := range g.Nodes {
		switch n.Op {
		case "Add", "Sub", "Mul", "Div":
		default:
			continue
		}
		x, c := g.Values[n.Inputs[0]], g.Values[n.Inputs[1]]
		if x.Const() || !slices.Equal(x.Shape, g.Values[n.Outputs[0]].Shape) {
			continue
		}
		v := channelVector(x, c)
		if v == nil {
			continue
		}
		ch := x.Shape[1]
		scale, bias := slices.Repeat([]float32{1}, ch), make([]float32, ch)
		for i := range ch {
			switch n.Op {
			case "Add":
				bias[i] = v[i]
			case "Sub":
				bias[i] = -v[i]
			case "Mul":
				scale[i] = v[i]
			case "Div":
				scale[i] = 1 / v[i]
			}
		}
		n.Op = ChannelAffine
		n.Inputs = []string{n.Inputs[0], g.newConst(n.Name+".scale", []int{ch}, scale), g.newConst(n.Name+".bias", []int{ch}, bias)}
		return true
	}
	return false
}

// mergeAffine composes two ChannelAffine nodes in a row:
// (x*s1 + b1)*s2 + b2 = x*(s1*s2) + (b1*s2 + b2).
func (g *Graph) mergeAffine() bool {
	for _, a := range g.Nodes {
		if a.Op != ChannelAffine {
			continue
		}
		b := g.single(a.Outputs[0])
		if b == nil || b.Op != ChannelAffine {
			continue
		}
		s1, b1 := g.Values[a.Inputs[1]].F, g.Values[a.Inputs[2]].F
		s2, b2 := g.Values[b.Inputs[1]].F, g.Values[b.Inputs[2]].F
		s, bb := make([]float32, len(s1)), make([]float32, len(s1))
		for i := range s {
			s[i], bb[i] = s1[i]*s2[i], b1[i]*s2[i]+b2[i]
		}
		a.Inputs[1] = g.newConst(a.Name+".scale", []int{len(s)}, s)
		a.Inputs[2] = g.newConst(a.Name+".bias", []int{len(s)}, bb)
		delete(g.Values, a.Outputs[0])
		a.Outputs[0] = b.Outputs[0]
		g.remove(b)
		return true
	}
	return false
}

// dropNoOps removes Identity, zero Pads, full Slices and shape-preserving reshapes.
func (g *Graph) dropNoOps() bool {
	for _, n := range g.Nodes {
		x := g.Values[n.Inputs[0]]
		noop := false
		switch n.Op {
		case "Identity":
			noop = true
		case "Pad":
			noop = !slices.ContainsFunc(n.Pad.Begin, func(v int) bool { return v != 0 }) &&
				!slices.ContainsFunc(n.Pad.End, func(v int) bool { return v != 0 })
		case "Slice":
			noop = slices.Equal(n.Shape, x.Shape) && !slices.ContainsFunc(n.Slice.Steps, func(v int) bool { return v != 1 })
		case "Reshape", "Flatten", "Unsqueeze", "Squeeze":
			noop = slices.Equal(g.Values[n.Outputs[0]].Shape, x.Shape)
		}
		if noop && g.bypass(n) {
			return true
		}
	}
	return false
}

// mergeSlices composes Slice(Slice(x)): index k of the second reads
// s2 + k*st2 of the first, which reads s1 + (s2 + k*st2)*st1 of x.
func (g *Graph) mergeSlices() bool {
	for _, a := range g.Nodes {
		if a.Op != "Slice" {
			continue
		}
		b := g.single(a.Outputs[0])
		if b == nil || b.Op != "Slice" {
			continue
		}
		for i := range a.Slice.Starts {
			b.Slice.Starts[i] = a.Slice.Starts[i] + b.Slice.Starts[i]*a.Slice.Steps[i]
			b.Slice.Steps[i] *= a.Slice.Steps[i]
		}
		delete(g.Values, a.Outputs[0])
		b.Inputs[0] = a.Inputs[0]
		g.remove(a)
		return true
	}
	return false
}

// canonicalPoolFlatten rewrites an unpadded AveragePool/MaxPool over the whole
// plane as a global pool, and a Reshape to [N, rest] as Flatten.
func (g *Graph) canonicalPoolFlatten() bool {
	for _, n := range g.Nodes {
		x := g.Values[n.Inputs[0]]
		c := n.Conv
		switch n.Op {
		case "AveragePool":
			if len(x.Shape) == 4 && c.KH == x.Shape[2] && c.KW == x.Shape[3] && c.PadT+c.PadL+c.PadB+c.PadR == 0 && c.DilationH == 1 && c.DilationW == 1 {
				n.Op, n.Conv, n.Pool = "GlobalAveragePool", ConvParams{}, PoolParams{}
				return true
			}
		case "Reshape":
			o := g.Values[n.Outputs[0]].Shape
			if len(o) == 2 && len(x.Shape) >= 2 && o[0] == x.Shape[0] {
				n.Op, n.Shape, n.Axis = "Flatten", nil, 1
				return true
			}
		}
	}
	return false
}

// removeDead drops nodes none of whose outputs is read or is a graph output,
// then values nothing refers to.
func (g *Graph) removeDead() {
	for {
		used := map[string]bool{}
		for _, o := range g.Outputs {
			used[o] = true
		}
		for _, n := range g.Nodes {
			for _, in := range n.Inputs {
				used[in] = true
			}
		}
		before := len(g.Nodes)
		g.Nodes = slices.DeleteFunc(g.Nodes, func(n *Node) bool {
			return !slices.ContainsFunc(n.Outputs, func(o string) bool { return used[o] })
		})
		if len(g.Nodes) == before {
			for _, n := range g.Nodes {
				for _, o := range n.Outputs {
					used[o] = true
				}
			}
			for _, in := range g.Inputs {
				used[in] = true
			}
			for name := range g.Values {
				if !used[name] {
					delete(g.Values, name)
				}
			}
			return
		}
	}
}

// check verifies the invariants the executor relies on: nodes in execution
// order, every input defined, every value shaped.
func (g *Graph) check() error {
	def := map[string]bool{}
	for _, in := range g.Inputs {
		def[in] = true
	}
	for name, t := range g.Values {
		if t.Const() {
			def[name] = true
		}
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in != "" && !def[in] {
				return fmt.Errorf("graph: node %q reads %q before it is computed", n.Name, in)
			}
		}
		for _, o := range n.Outputs {
			if g.Values[o] == nil {
				return fmt.Errorf("graph: node %q output %q has no shape", n.Name, o)
			}
			def[o] = true
		}
	}
	for _, o := range g.Outputs {
		if !def[o] {
			return fmt.Errorf("graph: output %q is not computed", o)
		}
	}
	return nil
}
