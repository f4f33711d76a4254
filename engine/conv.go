package engine

import (
	"fmt"
	"unsafe"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// geom is the geometry of a convolution over NHWC tensors, per image.
type geom struct {
	cin, h, w int
	cout      int
	ho, wo    int
	kh, kw    int
	sh, sw    int
	pt, pl    int
	dh, dw    int
}

// convStep is a Conv/Gemm/MatMul with its fused activation and residual Add.
type convStep struct {
	stepIO
	name      string
	format    kernels.Format
	act       kernels.Act // inside the kernel (no residual)
	post      kernels.Act // after the residual add
	hasRes    bool
	g         geom
	k, n      int
	pointwise bool // A is the input itself
	depthwise bool
	inName    string    // graph value read (for calibration means)
	w         []float32 // K x N (depthwise: 9 x C), until prepare packs it
	bias      []float32
	wScale    []float32 // the model file's per-output-channel weight scales (QDQ), or nil
	chunk     int       // output rows per task
	direct    bool
	resU8     bool // the integer GEMM adds the uint8 residual itself (RunRes)
	colstack  bool // fp32 3x3 stride 1: A read from a column-stacked buffer (colstack.go)

	g32 *kernels.GEMMF32
	g16 *kernels.GEMMF16
	gq  *kernels.GEMMQ
	d32 *kernels.DepthwiseF32
	d16 *kernels.DepthwiseF16
	dq  *kernels.DepthwiseQ

	asm   bool      // assembly epilogues (see epilogue.go)
	tmp32 []float32 // depthwise through the float epilogue
	tmp16 []uint16
	job   convJob
}

// makeConv builds the step of a compute node n followed by the fused tail.
func (b *builder) makeConv(nodes []*graph.Node) (*convStep, error) {
	n := nodes[0]
	s := &convStep{name: n.Name, format: b.cfg.Format(n.Name), inName: n.Inputs[0]}
	in, err := b.tensorOf(n.Inputs[0])
	if err != nil {
		return nil, fmt.Errorf("node %q: %w", n.Name, err)
	}
	if err := b.convWeights(s, n, in); err != nil {
		return nil, fmt.Errorf("engine: node %q (%s): %w", n.Name, n.Op, err)
	}
	out := nodes[len(nodes)-1].Outputs[0]
	s.ins, s.req = []*tensor{in}, []storage{storageOf(s.format)}
	res, err := b.fusedTail(nodes, &s.act, &s.post)
	if err != nil {
		return nil, err
	}
	if s.hasRes = res != nil; s.hasRes {
		s.ins, s.req = append(s.ins, res), append(s.req, stAny)
	}
	o, err := b.tensorOf(out)
	if err != nil {
		return nil, err
	}
	if o.c != s.g.cout || o.h != s.g.ho || o.w != s.g.wo {
		return nil, fmt.Errorf("engine: node %q: output %q is %dx%dx%d, conv gives %dx%dx%d", n.Name, out, o.c, o.h, o.w, s.g.cout, s.g.ho, s.g.wo)
	}
	if s.hasRes && s.ins[1].size() != o.size() {
		return nil, fmt.Errorf("engine: node %q: residual %q does not match output %q", n.Name, s.ins[1].name, out)
	}
	s.outs, s.anyOut = []*tensor{o}, true
	return s, nil
}

// fusedTail reads the nodes fused after a compute node nodes[0]: the
// activation before the residual Add goes to act, the one after it to
// post, and the Add's other input is returned (nil without one).
func (b *builder) fusedTail(nodes []*graph.Node, act, post *kernels.Act) (*tensor, error) {
	var res *tensor
	for _, t := range nodes[1:] {
		if a, ok := actOf(t); ok {
			if res != nil {
				*post = a
			} else {
				*act = a
			}
			continue
		}
		other := t.Inputs[0]
		if other == nodes[0].Outputs[0] {
			other = t.Inputs[1]
		}
		r, err := b.tensorOf(other)
		if err != nil {
			return nil, fmt.Errorf("node %q: %w", t.Name, err)
		}
		res = r
	}
	return res, nil
}

// convWeights fills geometry, weights (reordered to K x N with K = (ky,
// kx, cin)) and bias of s from node n.
func (b *builder) convWeights(s *convStep, n *graph.Node, in *tensor) error {
	wt := b.g.Value(n.Inputs[1])
	if wt == nil || !wt.Const() || wt.DType != graph.Float32 {
		return fmt.Errorf("weights %q are not a float32 constant", n.Inputs[1])
	}
	if b.opts.Calib != nil && b.opts.Calib.WeightScales[n.Inputs[1]] != nil {
		s.wScale = append([]float32(nil), b.opts.Calib.WeightScales[n.Inputs[1]]...)
	}
	var bias *graph.Tensor
	if len(n.Inputs) > 2 && n.Inputs[2] != "" {
		bias = b.g.Value(n.Inputs[2])
		if bias == nil || !bias.Const() || bias.DType != graph.Float32 {
			return fmt.Errorf("bias %q is not a float32 constant", n.Inputs[2])
		}
	}
	switch n.Op {
	case "Conv":
		if in.rank != 4 || len(wt.Shape) != 4 {
			return fmt.Errorf("only 2-D convolutions are supported (input %v, weights %v)", in.rank, wt.Shape)
		}
		c := n.Conv
		cout := wt.Shape[0]
		g := geom{cin: in.c, h: in.h, w: in.w, cout: cout, kh: c.KH, kw: c.KW, sh: c.StrideH, sw: c.StrideW,
			pt: c.PadT, pl: c.PadL, dh: max(c.DilationH, 1), dw: max(c.DilationW, 1)}
		g.ho = (g.h+c.PadT+c.PadB-g.dh*(g.kh-1)-1)/g.sh + 1
		g.wo = (g.w+c.PadL+c.PadR-g.dw*(g.kw-1)-1)/g.sw + 1
		s.g = g
		group := max(c.Group, 1)
		switch {
		case group == 1:
			if wt.Shape[1] != in.c {
				return fmt.Errorf("weights %v do not match %d input channels", wt.Shape, in.c)
			}
			s.k, s.n = g.kh*g.kw*g.cin, cout
			s.w = make([]float32, s.k*s.n)
			for o := 0; o < cout; o++ {
				for ci := 0; ci < g.cin; ci++ {
					for ky := 0; ky < g.kh; ky++ {
						for kx := 0; kx < g.kw; kx++ {
							s.w[((ky*g.kw+kx)*g.cin+ci)*cout+o] = wt.F[((o*g.cin+ci)*g.kh+ky)*g.kw+kx]
						}
					}
				}
			}
			s.pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.ho == g.h && g.wo == g.w
		case group == in.c && cout == in.c && wt.Shape[1] == 1 && g.kh == 3 && g.kw == 3 &&
			c.PadT == 1 && c.PadL == 1 && c.PadB == 1 && c.PadR == 1 && g.sh == g.sw && (g.sh == 1 || g.sh == 2) &&
			g.dh == 1 && g.dw == 1:
			s.depthwise = true
			s.k, s.n = 9, cout
			s.w = make([]float32, 9*cout)
			for o := 0; o < cout; o++ {
				for tap := 0; tap < 9; tap++ {
					s.w[tap*cout+o] = wt.F[o*9+tap]
				}
			}
		default:
			return fmt.Errorf("grouped convolution (group %d, kernel %dx%d, stride %d) is not supported; only 3x3 depthwise with padding 1", group, g.kh, g.kw, g.sh)
		}
	case "Gemm", "MatMul":
		if in.h*in.w != 1 || len(wt.Shape) != 2 {
			return fmt.Errorf("input %q must be [N,K] and weights 2-D (weights %v)", in.name, wt.Shape)
		}
		k, nn := wt.Shape[0], wt.Shape[1]
		trans := n.Op == "Gemm" && n.Gemm.TransB
		if trans {
			k, nn = nn, k
		}
		if n.Op == "Gemm" && n.Gemm.TransA {
			return fmt.Errorf("transA is not supported")
		}
		if k != in.c {
			return fmt.Errorf("weights %v do not match %d inputs", wt.Shape, in.c)
		}
		alpha, beta := float32(1), float32(1)
		if n.Op == "Gemm" {
			alpha, beta = n.Gemm.Alpha, n.Gemm.Beta
		}
		s.k, s.n = k, nn
		for i := range s.wScale {
			s.wScale[i] *= max(alpha, -alpha) // the weights below are alpha*W
		}
		s.g = geom{cin: k, h: 1, w: 1, cout: nn, ho: 1, wo: 1, kh: 1, kw: 1, sh: 1, sw: 1, dh: 1, dw: 1}
		s.pointwise = true
		s.w = make([]float32, k*nn)
		for r := 0; r < k; r++ {
			for c := 0; c < nn; c++ {
				v := wt.F[r*nn+c]
				if trans {
					v = wt.F[c*k+r]
				}
				s.w[r*nn+c] = alpha * v
			}
		}
		if bias != nil && bias.Len() != nn {
			return fmt.Errorf("bias %q has shape %v, want %d values (per output)", n.Inputs[2], bias.Shape, nn)
		}
		if bias != nil {
			s.bias = make([]float32, nn)
			for i := range s.bias {
				s.bias[i] = beta * bias.F[i]
			}
		}
		return nil
	}
	if bias != nil {
		if bias.Len() != s.n {
			return fmt.Errorf("bias %q has %d values, want %d", n.Inputs[2], bias.Len(), s.n)
		}
		s.bias = append([]float32(nil), bias.F...)
	}
	return nil
}

// chunkBytes is the working set aimed at per task: the im2col rows plus
// their output rows stay in L2 between the GEMM and the epilogue.
const chunkBytes = 160 << 10

// maxRowsQ caps the rows of an integer chunk (uint8 rows are short).
const maxRowsQ = 512

// prepare packs the kernels once the storage of the output is known.
func (s *convStep) prepare(b *builder) error {
	out := s.outs[0]
	s.asm = asmLevel()
	s.direct = !s.hasRes
	switch s.format {
	case kernels.FP32:
		s.direct = s.direct && out.st == stF32
	case kernels.FP16:
		s.direct = s.direct && out.st == stF16
	default:
		s.direct = s.direct && (out.st == stU8 || out.st == stF32)
	}
	kact := s.act
	if s.hasRes {
		kact = kernels.ActNone
	}
	if s.bias == nil {
		s.bias = make([]float32, s.n)
	}
	ep := kernels.Epilogue{Bias: s.bias, Act: kact}
	var err error
	switch s.format {
	case kernels.FP32:
		if s.depthwise {
			s.d32, err = kernels.PackDepthwiseF32(s.n, s.g.sh, s.w, ep)
		} else {
			w := s.w
			if s.colstack = colStackable(&s.g) && !s.pointwise; s.colstack {
				w = colStackWeights(w, &s.g, s.n)
			}
			s.g32, err = kernels.PackGEMMF32(s.k, s.n, w, ep)
		}
	case kernels.FP16:
		if s.depthwise {
			s.d16, err = kernels.PackDepthwiseF16(s.n, s.g.sh, s.w, ep)
		} else {
			s.g16, err = kernels.PackGEMMF16(s.k, s.n, s.w, ep)
		}
	case kernels.Int8, kernels.Int4:
		bits, group := 8, 0
		if s.format == kernels.Int4 {
			bits = 4
			if !s.depthwise {
				group = b.opts.Int4Group
			}
		}
		var qw kernels.QuantWeights
		// A QDQ model's own weights when they fit the format (s.wScale).
		qw, err = quant.WeightsFrom(s.w, s.k, s.n, bits, group, b.opts.WeightMethod, s.wScale)
		if err != nil {
			break
		}
		if b.opts.BiasCorrection {
			s.correctBias(b, qw)
			ep.Bias = s.bias
		}
		outQ := kernels.Quant{Scale: 1}
		if s.direct && out.st == stU8 {
			outQ = out.q
		}
		// A uint8 residual into a uint8 output: the kernel adds it in the
		// output's scale, activation after, in its one-step requantization.
		s.resU8 = s.hasRes && !s.depthwise && qw.Group == 0 && out.st == stU8 && s.ins[1].st == stU8
		switch {
		case s.depthwise:
			s.dq, err = kernels.PackDepthwiseQ(s.g.sh, qw, s.ins[0].q, ep, outQ)
		case s.resU8:
			ep.Act = s.post
			s.gq, err = kernels.PackGEMMQRes(qw, s.ins[0].q, ep, out.q, s.ins[1].q)
		default:
			s.gq, err = kernels.PackGEMMQ(qw, s.ins[0].q, ep, outQ)
		}
	default:
		err = fmt.Errorf("unknown format %v", s.format)
	}
	if err != nil {
		return fmt.Errorf("engine: layer %q (%v): %w", s.name, s.format, err)
	}
	s.w = nil
	s.sizeBuffers(b)
	return nil
}

// share makes s run src's packed kernels (a lane of a batch-split model:
// the same layer in a plan of its own) with buffers of its own.
func (s *convStep) share(src *convStep, b *builder) {
	s.asm, s.direct, s.resU8, s.colstack, s.bias, s.w = src.asm, src.direct, src.resU8, src.colstack, src.bias, nil
	s.g32, s.g16, s.gq, s.d32, s.d16, s.dq = src.g32, src.g16, src.gq, src.d32, src.d16, src.dq
	s.sizeBuffers(b)
}

// sizeBuffers sets the rows per task and allocates the step's own buffers.
func (s *convStep) sizeBuffers(b *builder) {
	out := s.outs[0]
	// Integer GEMM calls have more setup to amortise: longer chunks.
	elem, maxRows := 4, 256
	switch s.format {
	case kernels.FP32:
	case kernels.FP16:
		elem = 2
	default:
		elem, maxRows = 1, maxRowsQ
	}
	rowBytes := s.k*elem + s.n*4
	s.chunk = max(16, min(maxRows, chunkBytes/max(rowBytes, 1)/16*16))
	if s.depthwise && !s.direct {
		size := b.opts.Batch * out.size()
		s.tmp32 = make([]float32, size)
		if s.format == kernels.FP16 {
			s.tmp16 = make([]uint16, size)
		}
	}
}

// correctBias subtracts the expected output error of the quantized weights:
// E[sum_k (Wq-W)[k][n] x_k] with x_k replaced by the calibration mean of
// its input channel (padding ignored).
func (s *convStep) correctBias(b *builder, qw kernels.QuantWeights) {
	mean := b.opts.Calib.Means[s.inName]
	if len(mean) != s.g.cin {
		return
	}
	dq := quant.Dequantize(qw)
	for n := 0; n < s.n; n++ {
		var e float64
		for k := 0; k < s.k; k++ {
			ci := k % s.g.cin
			if s.depthwise {
				ci = n
			}
			e += float64(dq[k*s.n+n]-s.w[k*s.n+n]) * mean[ci]
		}
		s.bias[n] -= float32(e)
	}
}

func (s *convStep) scratchNeed(sz *scratch) {
	if s.depthwise {
		return
	}
	// The im2col rows, then the padded input rows of im2colPadded.
	a := s.chunk*s.k + im2colBufLen(&s.g)
	switch {
	case s.pointwise:
		a = 0
	case s.colstack:
		a = colStackLen(&s.g)
	}
	switch s.format {
	case kernels.FP32:
		sz.a32 = make([]float32, max(len(sz.a32), a))
	case kernels.FP16:
		sz.a16 = make([]uint16, max(len(sz.a16), a))
		if !s.direct {
			sz.y16 = make([]uint16, max(len(sz.y16), s.chunk*s.n))
		}
	default:
		sz.a8 = make([]uint8, max(len(sz.a8), a))
	}
	if !s.direct {
		sz.y32 = make([]float32, max(len(sz.y32), s.chunk*s.n))
	}
}

type convJob struct {
	s                   *convStep
	m                   *Model
	rows, chunk, chunks int
	tasks               int
}

// RunTask runs a contiguous share of the chunks with thread t's scratch.
func (j *convJob) RunTask(t int) {
	c0, c1 := t*j.chunks/j.tasks, (t+1)*j.chunks/j.tasks
	sc := &j.m.scratch[t]
	for c := c0; c < c1; c++ {
		r0 := c * j.chunk
		j.s.runChunk(sc, r0, min(r0+j.chunk, j.rows), nil)
	}
}

func (s *convStep) run(m *Model, n int) {
	if s.depthwise {
		s.runDepthwise(m, n)
		return
	}
	rows := n * s.g.ho * s.g.wo
	chunk := s.chunk
	if t := m.Threads; t > 1 && rows < 2*t*chunk {
		// Small layers (batch 1): smaller chunks so every thread has work.
		chunk = max(16, (rows+2*t-1)/(2*t)+15) / 16 * 16
		chunk = min(chunk, s.chunk)
	}
	chunks := (rows + chunk - 1) / chunk
	if chunks == 1 && m.Threads > 1 && !s.colstack {
		// One chunk (a small image at batch 1, e.g. 4x4): the GEMM splits
		// its columns across the threads instead.
		s.runChunk(&m.scratch[0], 0, rows, m.pool)
		return
	}
	s.job = convJob{s: s, m: m, rows: rows, chunk: chunk, chunks: chunks, tasks: min(m.Threads, chunks)}
	m.pool.Do(s.job.tasks, &s.job)
}

// runChunk computes output rows [r0, r1); p splits the GEMM itself (nil:
// the calling thread alone).
func (s *convStep) runChunk(sc *scratch, r0, r1 int, p *kernels.Pool) {
	rows := r1 - r0
	in, out := s.ins[0], s.outs[0]
	K, N := s.k, s.n
	off := r0 * N
	switch s.format {
	case kernels.FP32:
		if s.colstack {
			s.runColStack(sc, r0, r1)
			return
		}
		var a []float32
		if s.pointwise {
			a = in.f[r0*K:]
		} else {
			a = sc.a32[:rows*K]
			im2colPadded(s.asm, a, in.f, sc.a32[s.chunk*K:], &s.g, r0, r1, 0)
		}
		if out.st == stF32 {
			// The output rows double as the epilogue's working rows.
			s.g32.Run(p, rows, a, K, out.f[off:], N)
			if s.hasRes {
				s.finish(out.f[off:off+rows*N], r0)
			}
			return
		}
		y := sc.y32[:rows*N]
		s.g32.Run(p, rows, a, K, y, N)
		s.finish(y, r0)
	case kernels.FP16:
		var a []uint16
		if s.pointwise {
			a = in.hf[r0*K:]
		} else {
			a = sc.a16[:rows*K]
			im2colPadded(s.asm, a, in.hf, sc.a16[s.chunk*K:], &s.g, r0, r1, 0)
		}
		if s.direct {
			s.g16.Run(p, rows, a, K, out.hf[off:], N)
			return
		}
		y16 := sc.y16[:rows*N]
		s.g16.Run(p, rows, a, K, y16, N)
		y := sc.y32[:rows*N]
		kernels.F16ToF32(y, y16)
		s.finish(y, r0)
	default:
		var a []uint8
		if s.pointwise {
			a = in.b[r0*K:]
		} else {
			a = sc.a8[:rows*K]
			im2colPadded(s.asm, a, in.b, sc.a8[s.chunk*K:], &s.g, r0, r1, in.q.Zero)
		}
		switch {
		case s.resU8:
			s.gq.RunRes(p, rows, a, K, out.b[off:], N, s.ins[1].b[off:])
		case s.direct && out.st == stU8:
			s.gq.Run(p, rows, a, K, out.b[off:], N)
		case out.st == stF32:
			s.gq.RunF32(p, rows, a, K, out.f[off:], N)
			if s.hasRes {
				s.finish(out.f[off:off+rows*N], r0)
			}
		default:
			y := sc.y32[:rows*N]
			s.gq.RunF32(p, rows, a, K, y, N)
			s.finish(y, r0)
		}
	}
}

// finish applies the residual add and activation to rows starting at r0
// and stores them in the output's storage (y may already be those rows).
func (s *convStep) finish(y []float32, r0 int) {
	off := r0 * s.n
	out := s.outs[0]
	if s.hasRes && out.st == stU8 && s.ins[1].st == stU8 {
		addActU8(s.asm, out.b[off:off+len(y)], y, s.ins[1], off, s.post, out.q)
		return
	}
	if s.hasRes {
		addAct(s.asm, y, s.ins[1], off, s.post)
	}
	if out.st == stF32 && &out.f[off] == &y[0] {
		return
	}
	store(s.asm, out, off, y)
}

func (s *convStep) runDepthwise(m *Model, n int) {
	in, out := s.ins[0], s.outs[0]
	h, w := s.g.h, s.g.w
	size := n * out.size()
	switch {
	case s.d32 != nil && s.direct:
		s.d32.Run(m.pool, n, h, w, in.f, out.f)
		return
	case s.d32 != nil:
		s.d32.Run(m.pool, n, h, w, in.f, s.tmp32)
	case s.d16 != nil && s.direct:
		s.d16.Run(m.pool, n, h, w, in.hf, out.hf)
		return
	case s.d16 != nil:
		s.d16.Run(m.pool, n, h, w, in.hf, s.tmp16)
		kernels.F16ToF32(s.tmp32[:size], s.tmp16[:size])
	case s.direct && out.st == stU8:
		s.dq.Run(m.pool, n, h, w, in.b, out.b)
		return
	case s.direct:
		s.dq.RunF32(m.pool, n, h, w, in.b, out.f)
		return
	default:
		s.dq.RunF32(m.pool, n, h, w, in.b, s.tmp32)
	}
	s.finish(s.tmp32[:size], 0)
}

func (s *convStep) describe() string {
	kind := fmt.Sprintf("conv %dx%d/%d", s.g.kh, s.g.kw, s.g.sh)
	switch {
	case s.depthwise:
		kind = fmt.Sprintf("depthwise 3x3/%d", s.g.sh)
	case s.pointwise:
		kind = "pointwise"
	}
	res := ""
	if s.hasRes {
		res = fmt.Sprintf(" +%s(%s) %v", s.ins[1].name, s.ins[1].st, s.post)
	}
	return fmt.Sprintf("%-5v %-16s M/img=%d N=%d K=%d act=%v%s  %s(%s) -> %s(%s)  %s", s.format, kind,
		s.g.ho*s.g.wo, s.n, s.k, s.act, res, s.ins[0].name, s.ins[0].st, s.outs[0].name, s.outs[0].st, s.name)
}

// im2col writes output rows [r0, r1) of the batch*Ho*Wo rows as K = (ky,
// kx, cin) patches; taps outside the image read pad (the zero point).
// It walks runs of pixels within one output row: for each ky, the pixels
// whose kw taps all lie inside the image take one contiguous copy of
// kw*cin values each, done for the whole run by one strided copy.
func im2col[T float32 | uint16 | uint8](asm bool, dst, src []T, g *geom, r0, r1 int, pad T) {
	cin, kw := g.cin, g.kw
	K := g.kh * kw * cin
	rowLen := kw * cin
	img := g.h * g.w * cin
	// Output columns whose taps are all inside: ox in [in0, in1).
	in0 := (g.pl + g.sw - 1) / g.sw
	in1 := 0
	if span := g.w + g.pl - (kw-1)*g.dw - 1; span >= 0 {
		in1 = min(span/g.sw+1, g.wo)
	}
	if g.dw != 1 {
		in0, in1 = 0, 0 // dilated taps are not contiguous
	}
	for r := r0; r < r1; {
		n, p := r/(g.ho*g.wo), r%(g.ho*g.wo)
		oy, ox0 := p/g.wo, p%g.wo
		ox1 := min(g.wo, ox0+(r1-r))
		base := src[n*img : (n+1)*img]
		d := dst[(r-r0)*K : (r-r0+ox1-ox0)*K]
		for ky := 0; ky < g.kh; ky++ {
			iy := oy*g.sh - g.pt + ky*g.dh
			if iy < 0 || iy >= g.h {
				for ox := ox0; ox < ox1; ox++ {
					fill(d[(ox-ox0)*K+ky*rowLen:][:rowLen], pad)
				}
				continue
			}
			a, b := max(ox0, in0), min(ox1, in1)
			if a >= b {
				a, b = ox1, ox1
			}
			for ox := ox0; ox < ox1; ox++ {
				if ox == a {
					copyWindows(asm, d[(a-ox0)*K+ky*rowLen:], base[(iy*g.w+a*g.sw-g.pl)*cin:], b-a, K, g.sw*cin, rowLen)
					ox = b - 1
					continue
				}
				row := d[(ox-ox0)*K+ky*rowLen:][:rowLen]
				ix0 := ox*g.sw - g.pl
				if g.dw == 1 {
					// Taps [k0, k1) are inside: pad, one copy, pad.
					k0, k1 := max(0, -ix0), min(kw, g.w-ix0)
					if k1 <= k0 {
						fill(row, pad)
						continue
					}
					fill(row[:k0*cin], pad)
					copy(row[k0*cin:k1*cin], base[(iy*g.w+ix0+k0)*cin:])
					fill(row[k1*cin:], pad)
					continue
				}
				for kx, ix := 0, ix0; kx < kw; kx, ix = kx+1, ix+g.dw {
					seg := row[kx*cin : (kx+1)*cin]
					if ix < 0 || ix >= g.w {
						fill(seg, pad)
					} else {
						copy(seg, base[(iy*g.w+ix)*cin:])
					}
				}
			}
		}
		r += ox1 - ox0
	}
}

// copyWindows copies count windows of n values: window i from
// src[i*srcStride:] to dst[i*dstStride:].
func copyWindows[T float32 | uint16 | uint8](asm bool, dst, src []T, count, dstStride, srcStride, n int) {
	if count <= 0 {
		return
	}
	// Bounds of the last window, checked here so the assembly cannot stray.
	_ = dst[(count-1)*dstStride+n-1]
	_ = src[(count-1)*srcStride+n-1]
	if asm {
		sz := int(unsafe.Sizeof(dst[0]))
		copyStridedAsm((*byte)(unsafe.Pointer(&dst[0])), (*byte)(unsafe.Pointer(&src[0])), count, dstStride*sz, srcStride*sz, n*sz)
		return
	}
	for i := 0; i < count; i++ {
		copy(dst[i*dstStride:i*dstStride+n], src[i*srcStride:])
	}
}

func fill[T float32 | uint16 | uint8](s []T, v T) {
	if len(s) == 0 {
		return
	}
	// Stores for the first 32 values, then doubling copies: a few
	// memmoves instead of a store per element for long rows.
	n := min(len(s), 32)
	for i := range s[:n] {
		s[i] = v
	}
	for ; n < len(s); n *= 2 {
		copy(s[n:], s[:n])
	}
}

// addAct computes y = act(y + t[off:]) in one pass, dequantizing t.
func addAct(asm bool, y []float32, t *tensor, off int, a kernels.Act) {
	lo, hi := kernels.ActBounds(a)
	switch t.st {
	case stF32:
		addActF32(asm, y, t.f[off:off+len(y)], a)
	case stF16:
		r := t.hf[off : off+len(y)]
		for i := range y {
			y[i] = min(max(y[i]+kernels.F16ToF32One(r[i]), lo), hi)
		}
	case stU8:
		addActDeq(asm, y, t, off, a)
	}
}

func applyAct(y []float32, a kernels.Act) {
	switch a {
	case kernels.ActReLU:
		for i, v := range y {
			y[i] = max(v, 0)
		}
	case kernels.ActReLU6:
		for i, v := range y {
			y[i] = min(max(v, 0), 6)
		}
	}
}

// store writes float values y into t starting at element off, converting.
func store(asm bool, t *tensor, off int, y []float32) {
	switch t.st {
	case stF32:
		copy(t.f[off:off+len(y)], y)
	case stF16:
		kernels.F32ToF16(t.hf[off:off+len(y)], y)
	case stU8:
		quantizeU8(asm, t.b[off:off+len(y)], y, t.q)
	}
}

// load reads len(y) values of t from element off as float32.
func load(y []float32, t *tensor, off int) {
	switch t.st {
	case stF32:
		copy(y, t.f[off:off+len(y)])
	case stF16:
		kernels.F16ToF32(y, t.hf[off:off+len(y)])
	case stU8:
		sc, z := t.q.Scale, float32(t.q.Zero)
		for i, v := range t.b[off : off+len(y)] {
			y[i] = sc * (float32(v) - z)
		}
	}
}
