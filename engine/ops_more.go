package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

// kernelDepthwise reports whether Conv n is a depthwise conv the 3x3
// depthwise kernels run (padding 1, stride 1 or 2, no dilation); other
// grouped convs run as a groupConvStep.
func kernelDepthwise(g *graph.Graph, n *graph.Node) bool {
	c := n.Conv
	x, w := g.Value(n.Inputs[0]), g.Value(n.Inputs[1])
	if x == nil || w == nil || len(x.Shape) != 4 || len(w.Shape) != 4 {
		return false
	}
	cin := x.Shape[1]
	return c.Group == cin && w.Shape[0] == cin && w.Shape[1] == 1 && c.KH == 3 && c.KW == 3 &&
		c.PadT == 1 && c.PadL == 1 && c.PadB == 1 && c.PadR == 1 && c.StrideH == c.StrideW &&
		(c.StrideH == 1 || c.StrideH == 2) && max(c.DilationH, 1) == 1 && max(c.DilationW, 1) == 1
}

// groupedConv reports whether n is a Conv for groupConvStep.
func groupedConv(g *graph.Graph, n *graph.Node) bool {
	return n.Op == "Conv" && n.Conv.Group > 1 && !kernelDepthwise(g, n)
}

// movement reports whether op only rearranges values (of one image).
func movement(op string) bool {
	switch op {
	case "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze":
		return true
	}
	return false
}

// representable reports whether the engine can hold value v as a tensor.
func (b *builder) representable(v string) bool {
	t := b.g.Value(v)
	return t != nil && (len(t.Shape) == 2 || len(t.Shape) == 4)
}

// movementMap composes a chain of movement nodes into, for every output
// value of one image in the engine's NHWC order, the NHWC index of the
// input value it copies. Every value of the chain must keep the batch as
// axis 0, so the map is the same for each image.
func (b *builder) movementMap(nodes []*graph.Node, in, out *tensor) ([]int32, error) {
	x := b.g.Value(nodes[0].Inputs[0])
	batch := x.Shape[0]
	shape := slices.Clone(x.Shape[1:])
	per := in.size()
	// idx[j]: the NCHW index (within the image) of the input value that
	// NCHW element j of the current value holds.
	idx := make([]int32, per)
	for i := range idx {
		idx[i] = int32(i)
	}
	for _, n := range nodes {
		o := b.g.Value(n.Outputs[0])
		if o == nil || len(o.Shape) == 0 || o.Shape[0] != batch {
			return nil, fmt.Errorf("node %q (%s) moves values across the batch axis (output %v)", n.Name, n.Op, o.Shape)
		}
		if n.Op == "Transpose" {
			if n.Perm[0] != 0 {
				return nil, fmt.Errorf("node %q (Transpose) perm %v moves the batch axis", n.Name, n.Perm)
			}
			idx = transposeIndex(idx, shape, n.Perm)
		}
		shape = slices.Clone(o.Shape[1:])
	}
	if len(idx) != out.size() {
		return nil, fmt.Errorf("chain gives %d values per image, output %q has %d", len(idx), out.name, out.size())
	}
	m := make([]int32, len(idx))
	planeIn, planeOut := in.h*in.w, out.h*out.w
	for ch := 0; ch < out.c; ch++ {
		for p := 0; p < planeOut; p++ {
			s := int(idx[ch*planeOut+p])
			m[p*out.c+ch] = int32(s%planeIn*in.c + s/planeIn)
		}
	}
	return m, nil
}

// transposeIndex applies Transpose perm (with the batch axis 0) to the
// per-image values idx of per-image shape s.
func transposeIndex(idx []int32, s []int, perm []int) []int32 {
	r := len(s)
	stride := make([]int, r)
	for a, st := r-1, 1; a >= 0; a-- {
		stride[a], st = st, st*s[a]
	}
	// Output axis a walks input axis perm[a+1]-1.
	os, ost := make([]int, r), make([]int, r)
	for a := range r {
		os[a], ost[a] = s[perm[a+1]-1], stride[perm[a+1]-1]
	}
	res := make([]int32, len(idx))
	oi := make([]int, r)
	src := 0
	for j := range res {
		res[j] = idx[src]
		for a := r - 1; a >= 0; a-- { // odometer over the output index
			oi[a]++
			src += ost[a]
			if oi[a] < os[a] {
				break
			}
			src -= oi[a] * ost[a]
			oi[a] = 0
		}
	}
	return res
}

// gatherStep copies every output value of an image from one input value
// (Reshape/Transpose chains such as a channel shuffle), in any storage.
// perm, when set, is a per-pixel channel permutation and index is nil.
type gatherStep struct {
	stepIO
	index []int32 // per image: NHWC output index -> NHWC input index
	perm  []int32 // per pixel: output channel -> input channel
}

func (b *builder) makeGather(io stepIO, nodes []*graph.Node) (step, error) {
	in, out := io.ins[0], io.outs[0]
	m, err := b.movementMap(nodes, in, out)
	if err != nil {
		return nil, err
	}
	io.req, io.passthrough = []storage{stAny}, true
	s := &gatherStep{stepIO: io}
	if in.c == out.c && in.h*in.w == out.h*out.w {
		perm := m[:out.c]
		ok := true
		for p := 0; p < out.h*out.w && ok; p++ {
			for ch, v := range m[p*out.c : (p+1)*out.c] {
				if int(v) != p*out.c+int(perm[ch]) {
					ok = false
					break
				}
			}
		}
		if ok {
			s.perm = slices.Clone(perm)
			return s, nil
		}
	}
	s.index = m
	return s, nil
}

func (s *gatherStep) run(m *Model, n int) {
	x, o := s.ins[0], s.outs[0]
	switch x.st {
	case stF32:
		gatherRun(o.f, x.f, s, x.size(), n)
	case stF16:
		gatherRun(o.hf, x.hf, s, x.size(), n)
	case stU8:
		gatherRun(o.b, x.b, s, x.size(), n)
	}
}

func gatherRun[T float32 | uint16 | uint8](dst, src []T, s *gatherStep, per, n int) {
	if s.perm != nil {
		c := len(s.perm)
		for p := 0; p < n*per; p += c {
			d, x := dst[p:p+c], src[p:p+c]
			for j, k := range s.perm {
				d[j] = x[k]
			}
		}
		return
	}
	for i := 0; i < n; i++ {
		d, x := dst[i*per:(i+1)*per], src[i*per:(i+1)*per]
		for j, k := range s.index {
			d[j] = x[k]
		}
	}
}

func (s *gatherStep) describe() string {
	if s.perm != nil {
		return "channel-permute " + s.outs[0].name
	}
	return "gather " + s.outs[0].name
}

// unaryStep is an elementwise activation that no conv epilogue fuses.
type unaryStep struct {
	stepIO
	op          string // Sigmoid, HardSigmoid, HardSwish
	alpha, beta float32
}

func (s *unaryStep) run(m *Model, n int) {
	size := n * s.ins[0].size()
	x, y := s.ins[0].f[:size], s.outs[0].f[:size]
	a, b := s.alpha, s.beta
	switch s.op {
	case "Sigmoid":
		for i, v := range x {
			y[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case "HardSigmoid":
		for i, v := range x {
			y[i] = min(max(a*v+b, 0), 1)
		}
	case "HardSwish":
		for i, v := range x {
			y[i] = v * min(max(a*v+b, 0), 1)
		}
	}
}

func (s *unaryStep) describe() string { return fmt.Sprintf("%s %s", s.op, s.outs[0].name) }

// binaryStep is Add/Sub/Mul/Div of two activations of the same shape, or
// of an activation and a per-image channel vector [N,C,1,1] broadcast
// over the plane (the scale of a squeeze-excitation block).
type binaryStep struct {
	stepIO
	op    string
	bcast int // 0: same shape; 1 or 2: input 0 or 1 is the channel vector
	act   kernels.Act
}

func (s *binaryStep) run(m *Model, n int) {
	a, b, o := s.ins[0], s.ins[1], s.outs[0]
	c, per := o.c, o.size()
	defer applyAct(o.f[:n*per], s.act)
	if s.bcast == 0 {
		binaryRun(s.op, o.f[:n*per], a.f[:n*per], b.f[:n*per])
		return
	}
	for i := 0; i < n; i++ {
		img := o.f[i*per : (i+1)*per]
		for p := 0; p < per; p += c {
			if s.bcast == 1 {
				binaryRun(s.op, img[p:p+c], a.f[i*c:(i+1)*c], b.f[i*per+p:i*per+p+c])
			} else {
				binaryRun(s.op, img[p:p+c], a.f[i*per+p:i*per+p+c], b.f[i*c:(i+1)*c])
			}
		}
	}
}

func binaryRun(op string, y, a, b []float32) {
	a, b = a[:len(y)], b[:len(y)]
	switch op {
	case "Add":
		for i := range y {
			y[i] = a[i] + b[i]
		}
	case "Sub":
		for i := range y {
			y[i] = a[i] - b[i]
		}
	case "Mul":
		for i := range y {
			y[i] = a[i] * b[i]
		}
	case "Div":
		for i := range y {
			y[i] = a[i] / b[i]
		}
	}
}

func (s *binaryStep) describe() string {
	kind := ""
	if s.bcast != 0 {
		kind = " (channel broadcast)"
	}
	return fmt.Sprintf("%s%s %v %s", s.op, kind, s.act, s.outs[0].name)
}

// makeBinary checks the shapes of a two-activation Add/Sub/Mul/Div.
func makeBinary(io stepIO, op string, bad func(string, ...any) error) (*binaryStep, error) {
	if len(io.ins) != 2 {
		return nil, bad("one operand is a constant that does not broadcast per channel; only activation operands, or a per-channel constant, are supported")
	}
	a, b, o := io.ins[0], io.ins[1], io.outs[0]
	vec := func(t *tensor) bool { return t.rank == 4 && t.h*t.w == 1 && t.c == o.c }
	s := &binaryStep{stepIO: io, op: op}
	switch {
	case a.size() == o.size() && b.size() == o.size() && a.rank == b.rank:
	case vec(a) && b.size() == o.size():
		s.bcast = 1
	case vec(b) && a.size() == o.size():
		s.bcast = 2
	default:
		return nil, bad("shapes %dx%dx%d and %dx%dx%d: only equal shapes or an [N,C,1,1] operand are supported", a.c, a.h, a.w, b.c, b.h, b.w)
	}
	return s, nil
}

// batchNormAffine turns an unfolded BatchNormalization into the per-channel
// affine y = x*s + (beta - mean*s), s = gamma/sqrt(var+eps).
func batchNormAffine(g *graph.Graph, n *graph.Node) (scale, bias []float32, err error) {
	var p [4][]float32
	for i := range p {
		t := g.Value(n.Inputs[i+1])
		if t == nil || !t.Const() || t.DType != graph.Float32 {
			return nil, nil, fmt.Errorf("parameter %q is not a float32 constant", n.Inputs[i+1])
		}
		p[i] = t.F
	}
	gamma, beta, mean, vr := p[0], p[1], p[2], p[3]
	scale, bias = make([]float32, len(gamma)), make([]float32, len(gamma))
	for c := range gamma {
		scale[c] = gamma[c] / float32(math.Sqrt(float64(vr[c]+n.Eps)))
		bias[c] = beta[c] - mean[c]*scale[c]
	}
	return scale, bias, nil
}

// maxPoolRun is MaxPool over NHWC in any storage: the max of uint8 codes
// is the code of the max (quantization is increasing), so integer plans
// pool without dequantizing; binary16 compares decoded values.
func maxPoolRun[T float32 | uint16 | uint8](dstAll, srcAll []T, x, o *tensor, p *graph.ConvParams, n int) {
	f16 := x.st == stF16
	c := x.c
	dh, dw := max(p.DilationH, 1), max(p.DilationW, 1)
	for i := 0; i < n; i++ {
		for oy := 0; oy < o.h; oy++ {
			for ox := 0; ox < o.w; ox++ {
				dst := dstAll[((i*o.h+oy)*o.w+ox)*c:][:c]
				first := true
				for ky := 0; ky < p.KH; ky++ {
					iy := oy*p.StrideH - p.PadT + ky*dh
					if iy < 0 || iy >= x.h {
						continue
					}
					for kx := 0; kx < p.KW; kx++ {
						ix := ox*p.StrideW - p.PadL + kx*dw
						if ix < 0 || ix >= x.w {
							continue
						}
						src := srcAll[((i*x.h+iy)*x.w+ix)*c:][:c]
						if first {
							copy(dst, src)
							first = false
							continue
						}
						if f16 {
							for j, v := range src {
								if kernels.F16ToF32One(uint16(dst[j])) < kernels.F16ToF32One(uint16(v)) {
									dst[j] = v
								}
							}
							continue
						}
						for j, v := range src {
							dst[j] = max(dst[j], v)
						}
					}
				}
				if first { // no tap inside: the reference's -Inf
					var z T
					fill(dst, z)
					if f, ok := any(dst).([]float32); ok {
						fill(f, float32(math.Inf(-1)))
					}
				}
			}
		}
	}
}

// avgPoolRun is AveragePool over float32 NHWC. The divisor counts the taps
// inside the image, or with count_include_pad those inside the padded
// image (a ceil_mode window may reach past the padding).
func avgPoolRun(x, o *tensor, p *graph.ConvParams, includePad bool, n int) {
	c := x.c
	dh, dw := max(p.DilationH, 1), max(p.DilationW, 1)
	for i := 0; i < n; i++ {
		for oy := 0; oy < o.h; oy++ {
			for ox := 0; ox < o.w; ox++ {
				dst := o.f[((i*o.h+oy)*o.w+ox)*c:][:c]
				clear(dst)
				cnt := 0
				for ky := 0; ky < p.KH; ky++ {
					iy := oy*p.StrideH - p.PadT + ky*dh
					for kx := 0; kx < p.KW; kx++ {
						ix := ox*p.StrideW - p.PadL + kx*dw
						if iy < 0 || iy >= x.h || ix < 0 || ix >= x.w {
							if includePad && iy >= -p.PadT && iy < x.h+p.PadB && ix >= -p.PadL && ix < x.w+p.PadR {
								cnt++
							}
							continue
						}
						cnt++
						src := x.f[((i*x.h+iy)*x.w+ix)*c:][:c]
						for j, v := range src {
							dst[j] += v
						}
					}
				}
				if cnt > 0 {
					div := float32(cnt)
					for j := range dst {
						dst[j] /= div
					}
				}
			}
		}
	}
}

// softmaxStep is Softmax over the channels (axis 1): per pixel, or per
// image of an [N,C] tensor; the same float64 sum as the reference.
type softmaxStep struct{ stepIO }

func (s *softmaxStep) run(m *Model, n int) {
	x, y := s.ins[0].f, s.outs[0].f
	c := s.ins[0].c
	for p := 0; p < n*s.ins[0].size(); p += c {
		src, dst := x[p:p+c], y[p:p+c]
		mx := float32(math.Inf(-1))
		for _, v := range src {
			mx = max(mx, v)
		}
		var sum float64
		for j, v := range src {
			e := math.Exp(float64(v - mx))
			dst[j] = float32(e)
			sum += e
		}
		for j := range dst {
			dst[j] /= float32(sum)
		}
	}
}

func (s *softmaxStep) describe() string { return "softmax " + s.outs[0].name }

// padModeStep is Pad with mode edge, reflect or wrap: every output value
// copies an input value, found per axis (channel, row, column) by the
// mode's index rule, so it runs in its input's storage.
type padModeStep struct {
	stepIO
	mode       string
	mc, mh, mw []int32 // output index -> input index per axis
}

func makePadMode(io stepIO, p graph.PadParams) (*padModeStep, error) {
	x, o := io.ins[0], io.outs[0]
	dims := []int{x.c, x.h, x.w}
	outs := []int{o.c, o.h, o.w}
	s := &padModeStep{stepIO: io, mode: p.Mode}
	maps := []*[]int32{&s.mc, &s.mh, &s.mw}
	for a := 0; a < 3; a++ {
		begin := 0
		if a+1 < len(p.Begin) {
			begin = p.Begin[a+1]
		}
		m := make([]int32, outs[a])
		for i := range m {
			v, ok := padSource(i-begin, dims[a], p.Mode)
			if !ok {
				return nil, fmt.Errorf("pad mode %q is not supported", p.Mode)
			}
			m[i] = int32(v)
		}
		*maps[a] = m
	}
	s.req, s.passthrough = []storage{stAny}, true
	return s, nil
}

// padSource is the input index that index v (maybe outside [0, d)) of a
// padded axis reads: the reference interpreter's rule of each mode.
func padSource(v, d int, mode string) (int, bool) {
	if v >= 0 && v < d {
		return v, true
	}
	switch mode {
	case "edge":
		return min(max(v, 0), d-1), true
	case "wrap":
		return (v%d + d) % d, true
	case "reflect":
		// Mirror without repeating the edge: period 2(d-1).
		if d == 1 {
			return 0, true
		}
		per := 2 * (d - 1)
		v = (v%per + per) % per
		if v >= d {
			v = per - v
		}
		return v, true
	}
	return 0, false
}

func (s *padModeStep) run(m *Model, n int) {
	x, o := s.ins[0], s.outs[0]
	switch x.st {
	case stF32:
		padModeRun(o.f, x.f, x, o, s, n)
	case stF16:
		padModeRun(o.hf, x.hf, x, o, s, n)
	case stU8:
		padModeRun(o.b, x.b, x, o, s, n)
	}
}

func padModeRun[T float32 | uint16 | uint8](dstAll, srcAll []T, x, o *tensor, s *padModeStep, n int) {
	for i := 0; i < n; i++ {
		for oy, iy := range s.mh {
			for ox, ix := range s.mw {
				src := srcAll[((i*x.h+int(iy))*x.w+int(ix))*x.c:][:x.c]
				dst := dstAll[((i*o.h+oy)*o.w+ox)*o.c:][:o.c]
				for c, ic := range s.mc {
					dst[c] = src[ic]
				}
			}
		}
	}
}

func (s *padModeStep) describe() string { return fmt.Sprintf("pad %s %s", s.mode, s.outs[0].name) }
