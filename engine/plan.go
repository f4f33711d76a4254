package engine

import (
	"fmt"
	"math"
	"sort"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

// storage is how a tensor's elements are held in memory.
type storage uint8

const (
	stF32 storage = iota
	stF16
	stU8
	stAny // a reader that accepts every storage (a residual input)
)

func (s storage) String() string {
	return [...]string{"f32", "f16", "u8", "any"}[s]
}

// bytes is the size of one value.
func (s storage) bytes() int {
	switch s {
	case stF16:
		return 2
	case stU8:
		return 1
	}
	return 4
}

// storageOf is the activation storage of a layer format.
func storageOf(f kernels.Format) storage {
	switch f {
	case kernels.FP16:
		return stF16
	case kernels.Int8, kernels.Int4:
		return stU8
	}
	return stF32
}

// tensor is one materialised activation: NHWC per image (rank-2 values
// [N, F] have C = F, H = W = 1, the same memory order).
type tensor struct {
	name    string // graph value name; conversions append "@" + storage
	c, h, w int
	rank    int
	st      storage
	q       kernels.Quant // for u8
	qFrom   *tensor       // a passthrough output shares this tensor's quantization

	producer, lastUse int // step indices (-1: the model input)

	f  []float32
	hf []uint16
	b  []uint8
}

func (t *tensor) size() int { return t.c * t.h * t.w }

// step is one unit of execution.
type step interface {
	run(m *Model, n int)
	io() *stepIO
	describe() string
}

// stepIO holds a step's tensors. Planning may replace an input by a
// converted copy; req says which storage the step reads from input i.
type stepIO struct {
	ins    []*tensor
	req    []storage
	outs   []*tensor
	anyOut bool // the step can write any storage (convs)
	// passthrough: the step moves values without arithmetic (Slice, Pad
	// with 0), so its output takes its input's storage and quantization.
	passthrough bool
}

func (s *stepIO) io() *stepIO { return s }

// scratch is per-thread working memory, sized for the largest step.
type scratch struct {
	a32 []float32
	a16 []uint16
	a8  []uint8
	y32 []float32
	y16 []uint16
}

// Compile builds an executable model from g with formats from cfg.
func Compile(g *graph.Graph, cfg Config, opts Options) (*Model, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if lanes := opts.lanes(); lanes > 0 {
		m, err := compileLanes(g, cfg, opts, lanes)
		if m != nil && m.lanes != nil {
			m.progress = opts.Progress
		}
		return m, err
	}
	b, m, err := newPlan(g, cfg, opts)
	if err != nil {
		return nil, err
	}
	for _, s := range m.steps {
		if p, ok := s.(interface{ prepare(*builder) error }); ok {
			if err := p.prepare(b); err != nil {
				return nil, err
			}
		}
	}
	b.planBuffers(m)
	m.pool = kernels.NewPool(b.opts.Threads)
	m.progress = opts.Progress
	return m, nil
}

// Plan lists the steps Compile would build for cfg, without packing
// weights or allocating buffers: cheap enough to cost many configurations.
func Plan(g *graph.Graph, cfg Config, opts Options) ([]StepInfo, error) {
	_, m, err := newPlan(g, cfg, opts)
	if err != nil {
		return nil, err
	}
	return m.stepInfos(), nil
}

// newPlan checks the inputs of Compile and Plan and builds the steps.
func newPlan(g *graph.Graph, cfg Config, opts Options) (*builder, *Model, error) {
	if err := opts.defaults(); err != nil {
		return nil, nil, err
	}
	if err := CheckConfig(g, cfg); err != nil {
		return nil, nil, err
	}
	for _, n := range g.Nodes {
		if n.Op == "QuantizeLinear" || n.Op == "DequantizeLinear" {
			return nil, nil, fmt.Errorf("engine: node %q (%s): a QDQ model runs from graph.LoadQDQ (its float graph and quantization)", n.Name, n.Op)
		}
	}
	if cfg.Integer(g) && opts.Calib == nil {
		return nil, nil, fmt.Errorf("engine: int8/int4 layers need calibration ranges (Options.Calib)")
	}
	if opts.Int4Group < 0 || opts.Int4Group%4 != 0 {
		return nil, nil, fmt.Errorf("engine: int4 group %d, want 0 or a multiple of 4", opts.Int4Group)
	}
	b := &builder{g: g, cfg: cfg, opts: opts, tensors: map[string]*tensor{}}
	m, err := b.plan()
	return b, m, err
}

type builder struct {
	g       *graph.Graph
	cfg     Config
	opts    Options
	tensors map[string]*tensor
	cons    map[string][]*graph.Node
	index   map[*graph.Node]int
	nodes   map[*stepIO][]*graph.Node // the graph nodes each step of plan runs
}

// tensorOf returns the tensor record of graph value name.
func (b *builder) tensorOf(name string) (*tensor, error) {
	if t := b.tensors[name]; t != nil {
		return t, nil
	}
	v := b.g.Value(name)
	if v == nil {
		return nil, fmt.Errorf("engine: value %q has no shape", name)
	}
	if v.Const() {
		return nil, fmt.Errorf("engine: value %q is a constant where an activation is expected", name)
	}
	if v.DType != graph.Float32 {
		return nil, fmt.Errorf("engine: value %q is %v, want float32", name, v.DType)
	}
	t := &tensor{name: name, rank: len(v.Shape)}
	switch len(v.Shape) {
	case 4:
		t.c, t.h, t.w = v.Shape[1], v.Shape[2], v.Shape[3]
	case 2:
		t.c, t.h, t.w = v.Shape[1], 1, 1
	default:
		return nil, fmt.Errorf("engine: value %q has shape %v; only [N,C,H,W] and [N,F] are supported", name, v.Shape)
	}
	if t.size() <= 0 {
		return nil, fmt.Errorf("engine: value %q has empty shape %v", name, v.Shape)
	}
	b.tensors[name] = t
	return t, nil
}

// single returns the only reader of value v, or nil when v has several,
// none, or is a graph output.
func (b *builder) single(v string) *graph.Node {
	for _, o := range b.g.Outputs {
		if o == v {
			return nil
		}
	}
	if c := b.cons[v]; len(c) == 1 {
		return c[0]
	}
	return nil
}

// actOf returns the fused activation equivalent to a Relu/Clip node.
func actOf(n *graph.Node) (kernels.Act, bool) {
	switch n.Op {
	case "Relu":
		return kernels.ActReLU, true
	case "Clip":
		if n.Clip.Min == 0 && n.Clip.Max == 6 {
			return kernels.ActReLU6, true
		}
		if n.Clip.Min == 0 && math.IsInf(float64(n.Clip.Max), 1) {
			return kernels.ActReLU, true
		}
	}
	return 0, false
}

// group is a run of nodes executed as one step, emitted at its last node.
type group struct {
	nodes []*graph.Node
	last  int
}

func (b *builder) groups() []group {
	done := map[*graph.Node]bool{}
	var gs []group
	for i, n := range b.g.Nodes {
		if done[n] {
			continue
		}
		nodes := []*graph.Node{n}
		if isCompute(b.g, n) || n.Op == "Add" {
			out := n.Outputs[0]
			next := b.single(out)
			if _, ok := actOfNode(next); ok {
				nodes = append(nodes, next)
			} else if next != nil && next.Op == "Add" && n.Op != "Add" && b.residualOK(n, next) {
				nodes = append(nodes, next)
				if after := b.single(next.Outputs[0]); after != nil {
					if _, ok := actOfNode(after); ok {
						nodes = append(nodes, after)
					}
				}
			}
		}
		if movement(n.Op) {
			// Values the engine cannot hold (a channel shuffle's 5-D
			// [N,g,C/g,H,W]) stay inside one gather step.
			for last := n; !b.representable(last.Outputs[0]); {
				next := b.single(last.Outputs[0])
				if next == nil || !movement(next.Op) {
					break
				}
				nodes = append(nodes, next)
				last = next
			}
		}
		last := i
		for _, x := range nodes {
			done[x] = true
			last = max(last, b.index[x])
		}
		gs = append(gs, group{nodes: nodes, last: last})
	}
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].last < gs[j].last })
	return gs
}

func actOfNode(n *graph.Node) (kernels.Act, bool) {
	if n == nil {
		return 0, false
	}
	return actOf(n)
}

// residualOK reports whether Add node add can be fused into conv: the other
// operand is an activation of the same shape.
func (b *builder) residualOK(conv, add *graph.Node) bool {
	if len(add.Inputs) != 2 {
		return false
	}
	other := add.Inputs[0]
	if other == conv.Outputs[0] {
		other = add.Inputs[1]
	}
	if other == conv.Outputs[0] {
		return false // x + x
	}
	ov, cv := b.g.Value(other), b.g.Value(conv.Outputs[0])
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

// isCompute reports whether n is a Conv, or a Gemm/MatMul with constant weights.
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

// plan builds the steps with their storage decided and conversions
// inserted; Compile then packs weights and plans buffers.
func (b *builder) plan() (*Model, error) {
	g := b.g
	if len(g.Inputs) != 1 || len(g.Outputs) != 1 {
		return nil, fmt.Errorf("engine: graph has %d inputs and %d outputs, want 1 and 1", len(g.Inputs), len(g.Outputs))
	}
	b.cons = map[string][]*graph.Node{}
	b.index = map[*graph.Node]int{}
	for i, n := range g.Nodes {
		b.index[n] = i
		for _, in := range n.Inputs {
			if in != "" {
				b.cons[in] = append(b.cons[in], n)
			}
		}
	}
	in, err := b.tensorOf(g.Inputs[0])
	if err != nil {
		return nil, err
	}
	if in.rank != 4 {
		return nil, fmt.Errorf("engine: input %q must be [N,C,H,W]", in.name)
	}
	in.producer = -1
	var steps []step
	b.nodes = map[*stepIO][]*graph.Node{}
	for _, gr := range b.groups() {
		s, err := b.makeStep(gr.nodes)
		if err != nil {
			return nil, err
		}
		steps = append(steps, s)
		b.nodes[s.io()] = gr.nodes
	}
	out, err := b.tensorOf(g.Outputs[0])
	if err != nil {
		return nil, err
	}
	m := &Model{Batch: b.opts.Batch, Threads: b.opts.Threads, InC: in.c, InH: in.h, InW: in.w,
		Classes: out.size(), input: in, output: out}
	if err := b.decideStorage(steps, in, out); err != nil {
		return nil, err
	}
	m.steps = b.insertConversions(steps)
	readers := 0
	for _, s := range m.steps {
		for _, t := range s.io().ins {
			if t == in {
				readers++
			}
		}
	}
	if a, ok := m.steps[0].(*affineStep); ok && readers == 1 && a.ins[0] == in && in.st == stF32 {
		m.inputAffine = a
	}
	return m, nil
}

// decideStorage applies the tensor format rule of the package doc.
func (b *builder) decideStorage(steps []step, in, out *tensor) error {
	reqs := map[*tensor][]storage{}
	producer := map[*tensor]*stepIO{}
	for _, s := range steps {
		io := s.io()
		for i, t := range io.ins {
			if io.req[i] != stAny {
				reqs[t] = append(reqs[t], io.req[i])
			}
		}
		for _, t := range io.outs {
			producer[t] = io
		}
	}
	// A passthrough step's output takes its input's storage, so the input
	// serves the readers of the output too (a MaxPool or channel shuffle
	// between two int8 convs stays uint8); reverse order sees every
	// reader's requirement first.
	// A Concat converts what it copies: its inputs are best stored as its
	// readers want its output.
	for i := len(steps) - 1; i >= 0; i-- {
		io := steps[i].io()
		if io.passthrough && io.outs[0] != out {
			reqs[io.ins[0]] = append(reqs[io.ins[0]], reqs[io.outs[0]]...)
		}
		if _, ok := steps[i].(*concatStep); ok && io.outs[0] != out {
			for _, t := range io.ins {
				reqs[t] = append(reqs[t], reqs[io.outs[0]]...)
			}
		}
	}
	for _, s := range steps {
		for _, t := range s.io().outs {
			t.st = stF32
			if io := s.io(); io.passthrough && t != out {
				t.st, t.qFrom = io.ins[0].st, io.ins[0]
				continue
			}
			if t == out || !producer[t].anyOut {
				continue
			}
			r := reqs[t]
			if len(r) == 0 {
				continue
			}
			agree := true
			for _, x := range r {
				agree = agree && x == r[0]
			}
			if agree {
				t.st = r[0]
			}
		}
	}
	in.st = stF32
	for _, t := range b.tensors {
		if t.st == stU8 {
			if err := b.setQuant(t); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) setQuant(t *tensor) error {
	if t.qFrom != nil {
		if err := b.setQuant(t.qFrom); err != nil {
			return err
		}
		t.q = t.qFrom.q
		return nil
	}
	if b.opts.Calib == nil {
		return fmt.Errorf("engine: tensor %q needs calibration ranges", t.name)
	}
	q, ok := b.opts.Calib.Quant(t.name) // the file's own (QDQ), else the calibrated range's
	if !ok {
		return fmt.Errorf("engine: calibration has no range for tensor %q (calibrated with another model?)", t.name)
	}
	t.q = q
	return nil
}

// insertConversions gives every input read in another storage than its
// tensor's a converted copy, made just before its first such reader.
func (b *builder) insertConversions(steps []step) []step {
	made := map[*tensor]map[storage]*tensor{}
	var out []step
	for _, s := range steps {
		io := s.io()
		for i, t := range io.ins {
			want := io.req[i]
			if want == stAny || want == t.st {
				continue
			}
			c := made[t][want]
			if c == nil {
				c = &tensor{name: t.name + "@" + want.String(), c: t.c, h: t.h, w: t.w, rank: t.rank, st: want}
				if want == stU8 {
					c.q, _ = b.opts.Calib.Quant(t.name) // present: checked by decideStorage's caller below
				}
				if made[t] == nil {
					made[t] = map[storage]*tensor{}
				}
				made[t][want] = c
				out = append(out, &convertStep{stepIO: stepIO{ins: []*tensor{t}, req: []storage{stAny}, outs: []*tensor{c}}, asm: asmLevel()})
			}
			io.ins[i] = c
		}
		out = append(out, s)
	}
	return out
}

// planBuffers assigns memory: tensors of one storage whose lifetimes do not
// overlap share a buffer; each buffer is as large as its largest tenant.
func (b *builder) planBuffers(m *Model) {
	var all []*tensor
	seen := map[*tensor]bool{}
	add := func(t *tensor) {
		if !seen[t] {
			seen[t] = true
			all = append(all, t)
		}
	}
	add(m.input)
	m.input.producer, m.input.lastUse = -1, -1
	for i, s := range m.steps {
		io := s.io()
		for _, t := range io.outs {
			add(t)
			t.producer, t.lastUse = i, i
		}
	}
	for i, s := range m.steps {
		for _, t := range s.io().ins {
			t.lastUse = max(t.lastUse, i)
		}
	}
	m.output.lastUse = len(m.steps)
	m.tensors = all
	type buf struct {
		size, freeAt int
		tenants      []*tensor
	}
	bufs := map[storage][]*buf{}
	batch := b.opts.Batch
	for _, t := range all { // in producer order
		need := batch * t.size()
		var pick *buf
		for _, bf := range bufs[t.st] {
			if bf.freeAt >= t.producer {
				continue // still read at or after t is written
			}
			switch {
			case pick == nil:
				pick = bf
			case bf.size >= need && (pick.size < need || bf.size < pick.size):
				pick = bf // the smallest that fits
			case pick.size < need && bf.size > pick.size:
				pick = bf // else the largest, grown
			}
		}
		if pick == nil {
			pick = &buf{}
			bufs[t.st] = append(bufs[t.st], pick)
		}
		pick.size = max(pick.size, need)
		pick.freeAt = t.lastUse
		pick.tenants = append(pick.tenants, t)
	}
	for st, list := range bufs {
		for _, bf := range list {
			switch st {
			case stF32:
				mem := make([]float32, bf.size)
				for _, t := range bf.tenants {
					t.f = mem[:batch*t.size()]
				}
			case stF16:
				mem := make([]uint16, bf.size)
				for _, t := range bf.tenants {
					t.hf = mem[:batch*t.size()]
				}
			case stU8:
				mem := make([]uint8, bf.size)
				for _, t := range bf.tenants {
					t.b = mem[:batch*t.size()]
				}
			}
		}
	}
	var sz scratch
	for _, s := range m.steps {
		if c, ok := s.(*convStep); ok {
			c.scratchNeed(&sz)
		}
	}
	m.scratch = make([]scratch, b.opts.Threads)
	for i := range m.scratch {
		m.scratch[i] = scratch{a32: make([]float32, len(sz.a32)), a16: make([]uint16, len(sz.a16)),
			a8: make([]uint8, len(sz.a8)), y32: make([]float32, len(sz.y32)), y16: make([]uint16, len(sz.y16))}
	}
}
