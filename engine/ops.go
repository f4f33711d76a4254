package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

// makeStep builds the step of one group of nodes (see builder.groups).
func (b *builder) makeStep(nodes []*graph.Node) (step, error) {
	n := nodes[0]
	if groupedConv(b.g, n) {
		return b.makeGroupConv(nodes)
	}
	if isCompute(b.g, n) {
		return b.makeConv(nodes)
	}
	ins := make([]*tensor, 0, len(n.Inputs))
	for _, name := range n.Inputs {
		if name == "" {
			continue
		}
		if v := b.g.Value(name); v != nil && v.Const() {
			continue // typed parameters carry what matters; Add etc. reject below
		}
		t, err := b.tensorOf(name)
		if err != nil {
			return nil, fmt.Errorf("engine: node %q (%s): %w", n.Name, n.Op, err)
		}
		ins = append(ins, t)
	}
	outName := nodes[len(nodes)-1].Outputs[0]
	if len(nodes[len(nodes)-1].Outputs) != 1 {
		return nil, fmt.Errorf("engine: node %q (%s) has %d outputs, want 1", n.Name, n.Op, len(n.Outputs))
	}
	out, err := b.tensorOf(outName)
	if err != nil {
		return nil, fmt.Errorf("engine: node %q (%s): %w", n.Name, n.Op, err)
	}
	io := stepIO{ins: ins, req: make([]storage, len(ins)), outs: []*tensor{out}}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("engine: node %q (%s): %s", n.Name, n.Op, fmt.Sprintf(format, a...))
	}
	if len(ins) == 0 {
		return nil, bad("no activation input")
	}
	x := ins[0]
	switch n.Op {
	case graph.ChannelAffine:
		if len(ins) != 1 {
			return nil, bad("scale and bias must be constants")
		}
		return &affineStep{stepIO: io, scale: b.g.Value(n.Inputs[1]).F, bias: b.g.Value(n.Inputs[2]).F}, nil
	case "Relu", "Clip":
		if len(ins) != 1 || x.size() != out.size() {
			return nil, bad("want one activation input")
		}
		lo, hi := n.Clip.Min, n.Clip.Max
		if n.Op == "Relu" {
			lo, hi = 0, float32(math.Inf(1))
		}
		return &clipStep{stepIO: io, lo: lo, hi: hi}, nil
	case "Add", "Sub", "Mul", "Div":
		if n.Op == "Add" && len(ins) == 2 && ins[0].size() == out.size() && ins[1].size() == out.size() {
			s := &addStep{stepIO: io}
			if len(nodes) > 1 {
				s.act, _ = actOf(nodes[1])
			}
			return s, nil
		}
		s, err := makeBinary(io, n.Op, bad)
		if err != nil {
			return nil, err
		}
		if len(nodes) > 1 {
			s.act, _ = actOf(nodes[1]) // an Add's fused activation
		}
		return s, nil
	case "Sigmoid", "HardSigmoid", "HardSwish":
		if len(ins) != 1 || x.size() != out.size() {
			return nil, bad("want one activation input")
		}
		s := &unaryStep{stepIO: io, op: n.Op, alpha: 1. / 6, beta: 0.5}
		if n.Op == "HardSigmoid" {
			s.alpha, s.beta = n.Alpha, n.Beta
		}
		return s, nil
	case "Softmax":
		if len(ins) != 1 || n.Axis != 1 || x.size() != out.size() {
			return nil, bad("only Softmax over the channels (axis 1) is supported, not axis %d", n.Axis)
		}
		return &softmaxStep{stepIO: io}, nil
	case "BatchNormalization":
		if len(ins) != 1 || x.size() != out.size() {
			return nil, bad("want one activation input")
		}
		scale, bias, err := batchNormAffine(b.g, n)
		if err != nil {
			return nil, bad("%v", err)
		}
		return &affineStep{stepIO: io, scale: scale, bias: bias}, nil
	case "GlobalAveragePool", "ReduceMean":
		if x.rank != 4 || out.c != x.c || out.h*out.w != 1 {
			return nil, bad("input must be [N,C,H,W] reduced over H and W")
		}
		if n.Op == "ReduceMean" && !slices.Equal(n.Axes, []int{2, 3}) {
			return nil, bad("only the mean over axes [2 3] (H and W) is supported, not %v", n.Axes)
		}
		return &gapStep{stepIO: io, asm: asmLevel()}, nil
	case "AveragePool", "MaxPool", "GlobalMaxPool":
		if x.rank != 4 || out.c != x.c {
			return nil, bad("input must be [N,C,H,W]")
		}
		c := n.Conv
		if n.Op == "GlobalMaxPool" {
			c = graph.ConvParams{KH: x.h, KW: x.w, StrideH: 1, StrideW: 1}
		}
		if c.KH < 1 || c.KW < 1 || c.StrideH < 1 || c.StrideW < 1 {
			return nil, bad("bad window %dx%d stride %dx%d", c.KH, c.KW, c.StrideH, c.StrideW)
		}
		if n.Op != "AveragePool" {
			// Max moves values: it runs in its input's storage.
			io.req, io.passthrough = []storage{stAny}, true
		}
		return &poolStep{stepIO: io, max: n.Op != "AveragePool", p: c, includePad: n.Pool.CountIncludePad}, nil
	case "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze":
		if len(nodes) == 1 && (n.Op == "Flatten" || n.Op == "Reshape") && out.rank == 2 && out.size() == x.size() {
			return &flattenStep{stepIO: io}, nil
		}
		s, err := b.makeGather(io, nodes)
		if err != nil {
			return nil, bad("%v", err)
		}
		return s, nil
	case "Slice":
		st, sp := append([]int(nil), n.Slice.Starts...), append([]int(nil), n.Slice.Steps...)
		if len(st) != x.rank || st[0] != 0 || sp[0] != 1 {
			return nil, bad("slicing the batch axis is not supported")
		}
		for len(st) < 4 {
			st, sp = append(st, 0), append(sp, 1)
		}
		io.req, io.passthrough = []storage{stAny}, true
		return &sliceStep{stepIO: io, starts: st, steps: sp}, nil
	case "Pad":
		p := n.Pad
		if len(p.Begin) != x.rank || p.Begin[0] != 0 || p.End[0] != 0 {
			return nil, bad("padding the batch axis is not supported")
		}
		if p.Mode != "" {
			s, err := makePadMode(io, p)
			if err != nil {
				return nil, bad("%v", err)
			}
			return s, nil
		}
		begin := append([]int(nil), p.Begin...)
		for len(begin) < 4 {
			begin = append(begin, 0)
		}
		if p.Value == 0 {
			// Real 0 is exactly the zero point in uint8, and 0 in fp16.
			io.req, io.passthrough = []storage{stAny}, true
		}
		return &padStep{stepIO: io, begin: begin, value: p.Value}, nil
	case "Concat":
		if n.Axis != 1 {
			return nil, bad("only concatenation along channels (axis 1) is supported")
		}
		if len(ins) != len(n.Inputs) {
			return nil, bad("constant inputs are not supported")
		}
		total := 0
		for _, t := range ins {
			if t.h != out.h || t.w != out.w {
				return nil, bad("input %q plane %dx%d differs from output %dx%d", t.name, t.h, t.w, out.h, out.w)
			}
			total += t.c
		}
		if total != out.c {
			return nil, bad("channels add up to %d, output has %d", total, out.c)
		}
		// Inputs are read and the output written in any storage, so
		// int8 layers around a Concat need no conversion passes.
		for i := range io.req {
			io.req[i] = stAny
		}
		io.anyOut = true
		return &concatStep{stepIO: io, asm: asmLevel(), tmp: make([]float32, out.c)}, nil
	}
	return nil, bad("operator not supported by the engine")
}

// convertStep copies a tensor into another storage.
type convertStep struct {
	stepIO
	asm bool
	tmp [4096]float32
}

func (s *convertStep) run(m *Model, n int) {
	in, out := s.ins[0], s.outs[0]
	size := n * in.size()
	switch {
	case out.st == stF32:
		load(out.f[:size], in, 0)
	case in.st == stF32:
		store(s.asm, out, 0, in.f[:size])
	default:
		for off := 0; off < size; off += len(s.tmp) {
			y := s.tmp[:min(len(s.tmp), size-off)]
			load(y, in, off)
			store(s.asm, out, off, y)
		}
	}
}

func (s *convertStep) describe() string {
	return fmt.Sprintf("convert %s(%s) -> %s", s.ins[0].name, s.ins[0].st, s.outs[0].st)
}

type affineStep struct {
	stepIO
	scale, bias []float32
	nchw        []float32 // the batch's NCHW images, when the step reads them (Model.inputAffine)
}

func (s *affineStep) run(m *Model, n int) {
	x, y := s.ins[0].f, s.outs[0].f
	c := s.ins[0].c
	if s.nchw != nil {
		plane := s.ins[0].h * s.ins[0].w
		for i := 0; i < n; i++ {
			img, out := s.nchw[i*c*plane:(i+1)*c*plane], y[i*c*plane:(i+1)*c*plane]
			if c == 3 { // RGB: one pass writing whole pixels
				r, g, b := img[:plane], img[plane:2*plane], img[2*plane:3*plane]
				s0, s1, s2 := s.scale[0], s.scale[1], s.scale[2]
				b0, b1, b2 := s.bias[0], s.bias[1], s.bias[2]
				for p := range r {
					px := out[3*p : 3*p+3 : 3*p+3]
					px[0], px[1], px[2] = r[p]*s0+b0, g[p]*s1+b1, b[p]*s2+b2
				}
				continue
			}
			for ch := 0; ch < c; ch++ {
				sc, b := s.scale[ch], s.bias[ch]
				for p, v := range img[ch*plane : (ch+1)*plane] {
					out[p*c+ch] = v*sc + b
				}
			}
		}
		return
	}
	for i := 0; i < n*s.ins[0].size(); i += c {
		for j := 0; j < c; j++ {
			y[i+j] = x[i+j]*s.scale[j] + s.bias[j]
		}
	}
}

func (s *affineStep) describe() string { return "affine " + s.outs[0].name }

type clipStep struct {
	stepIO
	lo, hi float32
}

func (s *clipStep) run(m *Model, n int) {
	size := n * s.ins[0].size()
	y := s.outs[0].f[:size]
	for i, v := range s.ins[0].f[:size] {
		y[i] = min(max(v, s.lo), s.hi)
	}
}

func (s *clipStep) describe() string {
	return fmt.Sprintf("clip [%v,%v] %s", s.lo, s.hi, s.outs[0].name)
}

type addStep struct {
	stepIO
	act kernels.Act
}

func (s *addStep) run(m *Model, n int) {
	size := n * s.outs[0].size()
	a, b, y := s.ins[0].f[:size], s.ins[1].f[:size], s.outs[0].f[:size]
	for i := range y {
		y[i] = a[i] + b[i]
	}
	applyAct(y, s.act)
}

func (s *addStep) describe() string { return fmt.Sprintf("add %v %s", s.act, s.outs[0].name) }

type gapStep struct {
	stepIO
	asm bool
}

func (s *gapStep) run(m *Model, n int) {
	x, y := s.ins[0], s.outs[0].f
	c, plane := x.c, x.h*x.w
	inv := 1 / float32(plane)
	for i := 0; i < n; i++ {
		acc := y[i*c : (i+1)*c]
		img := x.f[i*plane*c : (i+1)*plane*c]
		// Every channel sums its pixels in pixel order, as the scalar loop
		// did, so the result is the same to the bit.
		if s.asm {
			// acc += pixel p, 16 channels per vector (bounds +-Inf: no clamp).
			clear(acc)
			for p := 0; p < plane; p++ {
				addActF32(s.asm, acc, img[p*c:(p+1)*c], kernels.ActNone)
			}
		} else {
			gapSums(acc, img, c, plane)
		}
		for j := range acc {
			acc[j] *= inv
		}
	}
}

// gapSums sets acc[j] to the sum over pixels (in order) of channel j,
// 8 channels at a time held in registers across the pixels.
func gapSums(acc, img []float32, c, plane int) {
	j := 0
	for ; j+8 <= c; j += 8 {
		var a0, a1, a2, a3, a4, a5, a6, a7 float32
		for p := j; p < plane*c; p += c {
			v := img[p : p+8 : p+8]
			a0, a1, a2, a3 = a0+v[0], a1+v[1], a2+v[2], a3+v[3]
			a4, a5, a6, a7 = a4+v[4], a5+v[5], a6+v[6], a7+v[7]
		}
		acc[j], acc[j+1], acc[j+2], acc[j+3] = a0, a1, a2, a3
		acc[j+4], acc[j+5], acc[j+6], acc[j+7] = a4, a5, a6, a7
	}
	for ; j < c; j++ {
		var a float32
		for p := j; p < plane*c; p += c {
			a += img[p]
		}
		acc[j] = a
	}
}

func (s *gapStep) describe() string { return "global-avgpool " + s.outs[0].name }

type poolStep struct {
	stepIO
	max        bool
	includePad bool
	p          graph.ConvParams
}

func (s *poolStep) run(m *Model, n int) {
	x, o := s.ins[0], s.outs[0]
	if !s.max {
		avgPoolRun(x, o, &s.p, s.includePad, n)
		return
	}
	switch x.st {
	case stF32:
		maxPoolRun(o.f, x.f, x, o, &s.p, n)
	case stF16:
		maxPoolRun(o.hf, x.hf, x, o, &s.p, n)
	case stU8:
		maxPoolRun(o.b, x.b, x, o, &s.p, n)
	}
}

func (s *poolStep) describe() string { return "pool " + s.outs[0].name }

// flattenStep turns NHWC into the NCHW element order a flattened ONNX
// tensor has (a copy even when H = W = 1, so buffers never alias).
type flattenStep struct{ stepIO }

func (s *flattenStep) run(m *Model, n int) {
	x, y := s.ins[0], s.outs[0].f
	c, plane := x.c, x.h*x.w
	if plane == 1 { // NHWC and NCHW agree: after a global pooling
		copy(y[:n*c], x.f[:n*c])
		return
	}
	for i := 0; i < n; i++ {
		img := x.f[i*c*plane : (i+1)*c*plane]
		dst := y[i*c*plane : (i+1)*c*plane]
		for p := 0; p < plane; p++ {
			for j, v := range img[p*c : (p+1)*c] {
				dst[j*plane+p] = v
			}
		}
	}
}

func (s *flattenStep) describe() string { return "flatten " + s.outs[0].name }

// sliceStep: output (n, c, h, w) reads input (n, s1+c*t1, s2+h*t2, s3+w*t3).
type sliceStep struct {
	stepIO
	starts, steps []int
}

func (s *sliceStep) run(m *Model, n int) {
	x, o := s.ins[0], s.outs[0]
	switch x.st {
	case stF32:
		sliceRun(x, o, o.f, x.f, s, n)
	case stF16:
		sliceRun(x, o, o.hf, x.hf, s, n)
	case stU8:
		sliceRun(x, o, o.b, x.b, s, n)
	}
}

func sliceRun[T float32 | uint16 | uint8](x, o *tensor, dstAll, srcAll []T, s *sliceStep, n int) {
	asm := asmLevel()
	for i := 0; i < n; i++ {
		for oy := 0; oy < o.h; oy++ {
			iy := s.starts[2] + oy*s.steps[2]
			dst := dstAll[(i*o.h+oy)*o.w*o.c:][:o.w*o.c]
			if s.steps[1] == 1 && s.steps[3] > 0 {
				// One row: o.w runs of o.c channels, one strided copy.
				src := srcAll[((i*x.h+iy)*x.w+s.starts[3])*x.c+s.starts[1]:]
				copyWindows(asm, dst, src, o.w, o.c, s.steps[3]*x.c, o.c)
				continue
			}
			for ox := 0; ox < o.w; ox++ {
				ix := s.starts[3] + ox*s.steps[3]
				px := srcAll[((i*x.h+iy)*x.w+ix)*x.c:][:x.c]
				for c, d := 0, dst[ox*o.c:][:o.c]; c < len(d); c++ {
					d[c] = px[s.starts[1]+c*s.steps[1]]
				}
			}
		}
	}
}

func (s *sliceStep) describe() string { return "slice " + s.outs[0].name }

// padStep: output (n, c, h, w) reads input (n, c-b1, h-b2, w-b3) or value.
type padStep struct {
	stepIO
	begin []int
	value float32
}

func (s *padStep) run(m *Model, n int) {
	x, o := s.ins[0], s.outs[0]
	switch x.st {
	case stF32:
		padRun(x, o, o.f, x.f, s.begin, s.value, n)
	case stF16:
		padRun(x, o, o.hf, x.hf, s.begin, 0, n) // passthrough only with value 0
	case stU8:
		padRun(x, o, o.b, x.b, s.begin, x.q.Zero, n)
	}
}

func padRun[T float32 | uint16 | uint8](x, o *tensor, dstAll, srcAll []T, begin []int, value T, n int) {
	// Channels c0..c1 of an output pixel come from input channels
	// c0-begin[1]..; the others are value. Per output row: fill it, then
	// one strided copy of the pixels ox0..ox1 that read the input.
	c0, c1 := max(begin[1], 0), min(begin[1]+x.c, o.c)
	ox0, ox1 := max(begin[3], 0), min(begin[3]+x.w, o.w)
	asm := asmLevel()
	for i := 0; i < n; i++ {
		for oy := 0; oy < o.h; oy++ {
			iy := oy - begin[2]
			dst := dstAll[(i*o.h+oy)*o.w*o.c:][:o.w*o.c]
			if iy < 0 || iy >= x.h || c1 <= c0 || ox1 <= ox0 {
				fill(dst, value)
				continue
			}
			if c1-c0 < o.c {
				fill(dst, value)
			} else {
				fill(dst[:ox0*o.c], value)
				fill(dst[ox1*o.c:], value)
			}
			src := srcAll[((i*x.h+iy)*x.w+ox0-begin[3])*x.c+c0-begin[1]:]
			copyWindows(asm, dst[ox0*o.c+c0:], src, ox1-ox0, o.c, x.c, c1-c0)
		}
	}
}

func (s *padStep) describe() string { return "pad " + s.outs[0].name }

type concatStep struct {
	stepIO
	asm bool
	tmp []float32 // one output pixel, when the output is not float32
}

func (s *concatStep) run(m *Model, n int) {
	o := s.outs[0]
	pix := n * o.h * o.w
	if o.st == stF32 {
		off := 0
		for _, x := range s.ins {
			for p := 0; p < pix; p++ {
				if x.st == stF32 {
					copy(o.f[p*o.c+off:p*o.c+off+x.c], x.f[p*x.c:(p+1)*x.c])
				} else {
					load(o.f[p*o.c+off:p*o.c+off+x.c], x, p*x.c)
				}
			}
			off += x.c
		}
		return
	}
	for p := 0; p < pix; p++ {
		off := 0
		for _, x := range s.ins {
			load(s.tmp[off:off+x.c], x, p*x.c)
			off += x.c
		}
		store(s.asm, o, p*o.c, s.tmp)
	}
}

func (s *concatStep) describe() string {
	d := "concat"
	for _, x := range s.ins {
		d += fmt.Sprintf(" %s(%s)", x.name, x.st)
	}
	return fmt.Sprintf("%s -> %s(%s)", d, s.outs[0].name, s.outs[0].st)
}
