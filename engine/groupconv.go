package engine

import (
	"fmt"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// groupConvStep is a grouped Conv that the packed kernels do not take
// whole. Groups of Cin/G > 1 channels run as one GEMM per group over the
// group's channel slice (a 1x1 reads the slice in place with the input's
// row stride, others im2col it) writing the group's columns of the output
// rows; depthwise convs of other shapes than the 3x3 kernels' (5x5, uneven
// pads, dilation) run as a direct loop over NHWC channels.
//
// The group GEMMs run in the layer's format (integer ones write float32
// rows through RunF32, fp16 ones binary16 rows converted after the
// groups); the direct depthwise loop computes in float32 whatever format
// the configuration gives the layer.
type groupConvStep struct {
	stepIO
	name      string
	inName    string         // graph value read (for calibration means)
	format    kernels.Format // configured
	exec      kernels.Format // executed: format, or fp32 for the direct depthwise loop
	wScale    []float32      // the model file's int8 weight scales (QDQ), or nil
	g         geom
	groups    int
	cg, ng    int // input and output channels per group
	k         int // GEMM depth per group: kh*kw*cg
	pointwise bool
	dw        bool // one input and one output channel per group: direct loop
	act, post kernels.Act
	hasRes    bool
	w         []float32 // per group K x ng, group after group; dw: taps x C
	bias      []float32

	gemms []*kernels.GEMMF32 // one per group, in the executed format
	g16   []*kernels.GEMMF16
	gq    []*kernels.GEMMQ
	cols  [][]float32 // per thread: im2col rows of one chunk
	c16   [][]uint16
	c8    [][]uint8
	y16   [][]uint16  // per thread: fp16 output rows of one chunk
	y32   [][]float32 // per thread: float rows when the output is not float32
	chunk int
	asm   bool
	job   groupJob
}

// makeGroupConv builds the step of a grouped Conv n followed by the fused
// activation or residual Add of nodes[1:] (see builder.groups).
func (b *builder) makeGroupConv(nodes []*graph.Node) (step, error) {
	n := nodes[0]
	bad := func(format string, a ...any) error {
		return fmt.Errorf("engine: node %q (%s): %s", n.Name, n.Op, fmt.Sprintf(format, a...))
	}
	in, err := b.tensorOf(n.Inputs[0])
	if err != nil {
		return nil, bad("%v", err)
	}
	wt := b.g.Value(n.Inputs[1])
	if in.rank != 4 || wt == nil || !wt.Const() || wt.DType != graph.Float32 || len(wt.Shape) != 4 {
		return nil, bad("input must be [N,C,H,W] and weights a 4-D float32 constant")
	}
	c := n.Conv
	G := max(c.Group, 1)
	s := &groupConvStep{name: n.Name, inName: n.Inputs[0], format: b.cfg.Format(n.Name), groups: G, asm: asmLevel()}
	g := geom{cin: in.c, h: in.h, w: in.w, cout: wt.Shape[0], kh: c.KH, kw: c.KW, sh: c.StrideH, sw: c.StrideW,
		pt: c.PadT, pl: c.PadL, dh: max(c.DilationH, 1), dw: max(c.DilationW, 1)}
	g.ho = (g.h+c.PadT+c.PadB-g.dh*(g.kh-1)-1)/g.sh + 1
	g.wo = (g.w+c.PadL+c.PadR-g.dw*(g.kw-1)-1)/g.sw + 1
	s.g = g
	if in.c%G != 0 || g.cout%G != 0 || wt.Shape[1] != in.c/G {
		return nil, bad("weights %v do not match %d input channels in %d groups", wt.Shape, in.c, G)
	}
	s.cg, s.ng = in.c/G, g.cout/G
	s.k = g.kh * g.kw * s.cg
	s.dw = s.cg == 1 && s.ng == 1
	s.pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.ho == g.h && g.wo == g.w
	taps := g.kh * g.kw
	s.w = make([]float32, G*s.k*s.ng)
	for o := 0; o < g.cout; o++ {
		gi, j := o/s.ng, o%s.ng
		for ci := 0; ci < s.cg; ci++ {
			for t := 0; t < taps; t++ {
				v := wt.F[(o*s.cg+ci)*taps+t]
				if s.dw {
					s.w[t*g.cout+o] = v
				} else {
					s.w[gi*s.k*s.ng+(t*s.cg+ci)*s.ng+j] = v
				}
			}
		}
	}
	s.bias = make([]float32, g.cout)
	if len(n.Inputs) > 2 && n.Inputs[2] != "" {
		bt := b.g.Value(n.Inputs[2])
		if bt == nil || !bt.Const() || bt.Len() != g.cout {
			return nil, bad("bias %q is not a constant of %d values", n.Inputs[2], g.cout)
		}
		copy(s.bias, bt.F)
	}
	s.exec = s.format
	if s.dw {
		s.exec = kernels.FP32
	}
	if b.opts.Calib != nil && b.opts.Calib.WeightScales[n.Inputs[1]] != nil {
		s.wScale = b.opts.Calib.WeightScales[n.Inputs[1]]
	}
	s.ins, s.req = []*tensor{in}, []storage{storageOf(s.exec)}
	res, err := b.fusedTail(nodes, &s.act, &s.post)
	if err != nil {
		return nil, bad("%v", err)
	}
	if s.hasRes = res != nil; s.hasRes {
		s.ins, s.req = append(s.ins, res), append(s.req, stAny)
	}
	out, err := b.tensorOf(nodes[len(nodes)-1].Outputs[0])
	if err != nil {
		return nil, bad("%v", err)
	}
	if out.c != g.cout || out.h != g.ho || out.w != g.wo || s.hasRes && s.ins[1].size() != out.size() {
		return nil, bad("output %q is %dx%dx%d, conv gives %dx%dx%d", out.name, out.c, out.h, out.w, g.cout, g.ho, g.wo)
	}
	// The output takes its readers' storage: the float rows are stored
	// (quantized, or to binary16) as a chunk is done.
	s.outs, s.anyOut = []*tensor{out}, true
	rowBytes := (s.k + g.cout) * 4
	s.chunk = max(16, min(256, chunkBytes/rowBytes/16*16))
	return s, nil
}

// prepare packs one GEMM per group and sizes the per-thread buffers.
func (s *groupConvStep) prepare(b *builder) error {
	if !s.dw {
		kact := s.act
		if s.hasRes {
			kact = kernels.ActNone
		}
		for gi := 0; gi < s.groups; gi++ {
			ep := kernels.Epilogue{Bias: s.bias[gi*s.ng : (gi+1)*s.ng], Act: kact}
			w := s.w[gi*s.k*s.ng : (gi+1)*s.k*s.ng]
			if err := s.pack(b, ep, w, gi); err != nil {
				return fmt.Errorf("engine: layer %q (%v): %w", s.name, s.format, err)
			}
		}
		s.w = nil
	}
	s.sizeBuffers(b)
	return nil
}

// pack packs group gi's K x ng weights w in the executed format.
func (s *groupConvStep) pack(b *builder, ep kernels.Epilogue, w []float32, gi int) error {
	switch s.exec {
	case kernels.FP32:
		g, err := kernels.PackGEMMF32(s.k, s.ng, w, ep)
		s.gemms = append(s.gemms, g)
		return err
	case kernels.FP16:
		g, err := kernels.PackGEMMF16(s.k, s.ng, w, ep)
		s.g16 = append(s.g16, g)
		return err
	case kernels.Int8, kernels.Int4:
		bits, group := 8, 0
		if s.exec == kernels.Int4 {
			bits, group = 4, b.opts.Int4Group
		}
		var qw kernels.QuantWeights
		var err error
		if s.wScale != nil && bits == 8 {
			qw, err = quant.WeightsScaled(w, s.k, s.ng, s.wScale[gi*s.ng:(gi+1)*s.ng])
		} else {
			qw, err = quant.Weights(w, s.k, s.ng, bits, group, b.opts.WeightMethod)
		}
		if err != nil {
			return err
		}
		if b.opts.BiasCorrection {
			ep.Bias = s.correctBias(b, qw, w, ep.Bias, gi)
		}
		g, err := kernels.PackGEMMQ(qw, s.ins[0].q, ep, kernels.Quant{Scale: 1})
		s.gq = append(s.gq, g)
		return err
	}
	return fmt.Errorf("unknown format %v", s.exec)
}

// shareFrom makes s (the same layer in another lane's plan) run src's
// packed GEMMs with buffers of its own.
func (s *groupConvStep) shareFrom(src step, b *builder) error {
	o, ok := src.(*groupConvStep)
	if !ok || o.name != s.name {
		return fmt.Errorf("engine: lane plans differ at layer %q", s.name)
	}
	s.gemms, s.g16, s.gq, s.w = o.gemms, o.g16, o.gq, o.w
	s.sizeBuffers(b)
	return nil
}

func (s *groupConvStep) sizeBuffers(b *builder) {
	s.cols, s.c16, s.c8, s.y16, s.y32 = nil, nil, nil, nil, nil
	for range b.opts.Threads {
		if s.outs[0].st != stF32 {
			rows := s.chunk
			if s.dw {
				rows = s.g.wo // one output row of the image
			}
			s.y32 = append(s.y32, make([]float32, rows*s.g.cout))
		}
		if s.dw {
			continue
		}
		a := s.chunk * s.k
		if s.pointwise {
			a = 0
		}
		switch s.exec {
		case kernels.FP32:
			s.cols = append(s.cols, make([]float32, a))
		case kernels.FP16:
			s.c16 = append(s.c16, make([]uint16, a))
			s.y16 = append(s.y16, make([]uint16, s.chunk*s.g.cout))
		default:
			s.c8 = append(s.c8, make([]uint8, a))
		}
	}
}

type groupJob struct {
	s                             *groupConvStep
	n, rows, chunk, chunks, tasks int
}

// RunTask runs a contiguous share of the chunks (depthwise: of the n*Ho
// output rows) with thread t's buffer.
func (j *groupJob) RunTask(t int) {
	c0, c1 := t*j.chunks/j.tasks, (t+1)*j.chunks/j.tasks
	for c := c0; c < c1; c++ {
		r0 := c * j.chunk
		r1 := min(r0+j.chunk, j.rows)
		if j.s.dw {
			j.s.runDepthwise(t, r0, r1)
		} else {
			j.s.runChunk(t, r0, r1)
		}
	}
}

func (s *groupConvStep) run(m *Model, n int) {
	rows, chunk := n*s.g.ho*s.g.wo, s.chunk
	if s.dw {
		rows, chunk = n*s.g.ho, 1
	}
	chunks := (rows + chunk - 1) / chunk
	s.job = groupJob{s: s, n: n, rows: rows, chunk: chunk, chunks: chunks, tasks: min(m.Threads, chunks)}
	m.pool.Do(s.job.tasks, &s.job)
}

// runChunk computes output rows [r0, r1) (pixels of the batch), group by
// group, each GEMM writing its group's columns of the float32 output rows
// (fp16: of binary16 rows converted once after the groups).
func (s *groupConvStep) runChunk(t, r0, r1 int) {
	in, out := s.ins[0], s.outs[0]
	g := &s.g
	rows := r1 - r0
	var dst []float32
	if out.st == stF32 {
		dst = out.f[r0*g.cout : r1*g.cout]
	} else {
		dst = s.y32[t][:rows*g.cout]
	}
	for gi := 0; gi < s.groups; gi++ {
		a0, c0 := r0*g.cin+gi*s.cg, gi*s.ng
		switch s.exec {
		case kernels.FP32:
			if s.pointwise {
				s.gemms[gi].Run(nil, rows, in.f[a0:], g.cin, dst[c0:], g.cout)
				continue
			}
			a := s.cols[t][:rows*s.k]
			im2colGroup(a, in.f, g, r0, r1, gi*s.cg, s.cg, 0)
			s.gemms[gi].Run(nil, rows, a, s.k, dst[c0:], g.cout)
		case kernels.FP16:
			y := s.y16[t][:rows*g.cout]
			if s.pointwise {
				s.g16[gi].Run(nil, rows, in.hf[a0:], g.cin, y[c0:], g.cout)
				continue
			}
			a := s.c16[t][:rows*s.k]
			im2colGroup(a, in.hf, g, r0, r1, gi*s.cg, s.cg, 0)
			s.g16[gi].Run(nil, rows, a, s.k, y[c0:], g.cout)
		default:
			if s.pointwise {
				s.gq[gi].RunF32(nil, rows, in.b[a0:], g.cin, dst[c0:], g.cout)
				continue
			}
			a := s.c8[t][:rows*s.k]
			im2colGroup(a, in.b, g, r0, r1, gi*s.cg, s.cg, in.q.Zero)
			s.gq[gi].RunF32(nil, rows, a, s.k, dst[c0:], g.cout)
		}
	}
	if s.exec == kernels.FP16 {
		kernels.F16ToF32(dst, s.y16[t][:rows*g.cout])
	}
	if s.hasRes {
		addAct(s.asm, dst, s.ins[1], r0*g.cout, s.post)
	}
	if out.st != stF32 {
		store(s.asm, out, r0*g.cout, dst)
	}
}

// im2colGroup writes rows [r0, r1) of patches of channels c0..c0+cg:
// K = (ky, kx, c) as im2col, pad outside the image.
func im2colGroup[T float32 | uint16 | uint8](dst, src []T, g *geom, r0, r1, c0, cg int, pad T) {
	K := g.kh * g.kw * cg
	for r := r0; r < r1; r++ {
		n, p := r/(g.ho*g.wo), r%(g.ho*g.wo)
		oy, ox := p/g.wo, p%g.wo
		row := dst[(r-r0)*K : (r-r0+1)*K]
		for ky := 0; ky < g.kh; ky++ {
			iy := oy*g.sh - g.pt + ky*g.dh
			for kx := 0; kx < g.kw; kx++ {
				ix := ox*g.sw - g.pl + kx*g.dw
				seg := row[(ky*g.kw+kx)*cg : (ky*g.kw+kx+1)*cg]
				if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w {
					fill(seg, pad)
					continue
				}
				copy(seg, src[((n*g.h+iy)*g.w+ix)*g.cin+c0:])
			}
		}
	}
}

// runDepthwise computes output rows [r0, r1) of the n*Ho rows: per pixel,
// bias then every tap inside the image in (ky, kx) order, vector over
// channels, then the activation or residual add.
func (s *groupConvStep) runDepthwise(t, r0, r1 int) {
	in, out := s.ins[0], s.outs[0]
	g := &s.g
	C := g.cout
	for r := r0; r < r1; r++ {
		n, oy := r/g.ho, r%g.ho
		off := (n*g.ho + oy) * g.wo * C
		var row []float32
		if out.st == stF32 {
			row = out.f[off : off+g.wo*C]
		} else {
			row = s.y32[t][:g.wo*C]
		}
		for ox := 0; ox < g.wo; ox++ {
			acc := row[ox*C : (ox+1)*C]
			copy(acc, s.bias)
			for ky := 0; ky < g.kh; ky++ {
				iy := oy*g.sh - g.pt + ky*g.dh
				if iy < 0 || iy >= g.h {
					continue
				}
				for kx := 0; kx < g.kw; kx++ {
					ix := ox*g.sw - g.pl + kx*g.dw
					if ix < 0 || ix >= g.w {
						continue
					}
					mulAddF32(s.asm, acc, s.w[(ky*g.kw+kx)*C:], in.f[((n*g.h+iy)*g.w+ix)*C:])
				}
			}
		}
		if s.hasRes {
			addAct(s.asm, row, s.ins[1], off, s.post)
		} else {
			applyAct(row, s.act)
		}
		if out.st != stF32 {
			store(s.asm, out, off, row)
		}
	}
}

func (s *groupConvStep) describe() string {
	kind := fmt.Sprintf("group%d %dx%d/%d", s.groups, s.g.kh, s.g.kw, s.g.sh)
	if s.dw {
		kind = fmt.Sprintf("depthwise %dx%d/%d", s.g.kh, s.g.kw, s.g.sh)
	}
	res := ""
	if s.hasRes {
		res = fmt.Sprintf(" +%s(%s) %v", s.ins[1].name, s.ins[1].st, s.post)
	}
	note := ""
	if s.exec != s.format {
		note = fmt.Sprintf(" (configured %v; runs %v)", s.format, s.exec)
	}
	return fmt.Sprintf("%-5v %-16s M/img=%d N=%d K=%d act=%v%s  %s(%s) -> %s(%s)  %s%s", s.exec, kind,
		s.g.ho*s.g.wo, s.g.cout, s.k, s.act, res, s.ins[0].name, s.ins[0].st, s.outs[0].name, s.outs[0].st, s.name, note)
}

// execFormat is the format s executes (int4 weights that the kernel packs
// as int8 run as int8).
func (s *groupConvStep) execFormat() kernels.Format {
	if s.exec != kernels.Int4 {
		return s.exec
	}
	bits := kernels.GEMMQExecBits(4, s.k, s.ng)
	if len(s.gq) > 0 {
		bits = s.gq[0].ExecBits()
	}
	if bits == 8 {
		return kernels.Int8
	}
	return kernels.Int4
}

// correctBias returns group gi's bias minus the expected output error of
// its quantized weights (as convStep.correctBias, over the group's input
// channels).
func (s *groupConvStep) correctBias(b *builder, qw kernels.QuantWeights, w, bias []float32, gi int) []float32 {
	mean := b.opts.Calib.Means[s.inName]
	if len(mean) != s.g.cin {
		return bias
	}
	dq := quant.Dequantize(qw)
	out := append([]float32(nil), bias...)
	for j := 0; j < s.ng; j++ {
		var e float64
		for k := 0; k < s.k; k++ {
			e += float64(dq[k*s.ng+j]-w[k*s.ng+j]) * mean[gi*s.cg+k%s.cg]
		}
		out[j] -= float32(e)
	}
	return out
}

// mulAddF32 computes acc[i] += w[i]*x[i] for i < len(acc): the assembly
// (AVX-512, the same two roundings) for whole blocks of 16, Go for the rest.
func mulAddF32(asm bool, acc, w, x []float32) {
	w, x = w[:len(acc)], x[:len(acc)] // lengths equal: no bounds checks below
	i := 0
	if asm && len(acc) >= 16 {
		i = len(acc) &^ 15
		mulAddF32Asm(&acc[0], &w[0], &x[0], i)
	}
	for ; i < len(acc); i++ {
		acc[i] += w[i] * x[i]
	}
}
