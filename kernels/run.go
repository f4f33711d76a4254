package kernels

import "sync"

// Parallel calls split the output into tasks: over rows (M) in multiples of
// the microkernel's row tile when there are enough rows, else over columns
// (N) in multiples of the packed panel width. Small problems stay on the
// caller: below about this many multiply-adds a wake-up costs more than it saves.
const parallelMinMACs = 1 << 16

// split describes how one call is cut into tasks.
type split struct {
	m, n   int
	byRows bool
	chunk  int // rows or columns per task
	tasks  int
}

func planSplit(p *Pool, m, n, k, mTile, nAlign int) split {
	s := split{m: m, n: n, byRows: true, chunk: m, tasks: 1}
	t := p.Threads()
	if t <= 1 || m == 0 || n == 0 || m*n*max(k, 1) < parallelMinMACs {
		return s
	}
	if m >= 2*t*mTile {
		// Four tasks per thread balance uneven progress without tiny tiles.
		c := ceilDiv(m, 4*t)
		c = ceilDiv(c, mTile) * mTile
		s.chunk, s.tasks = c, ceilDiv(m, c)
		return s
	}
	if n >= 2*nAlign {
		c := ceilDiv(ceilDiv(n, t), nAlign) * nAlign
		s.byRows, s.chunk, s.tasks = false, c, ceilDiv(n, c)
	}
	return s
}

func (s *split) bounds(i int) (m0, m1, n0, n1 int) {
	if s.byRows {
		return i * s.chunk, min((i+1)*s.chunk, s.m), 0, s.n
	}
	return 0, s.m, i * s.chunk, min((i+1)*s.chunk, s.n)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// A parallel call hands its operands to a job, which a Pool runs task by
// task. Jobs come from a sync.Pool per call type, so a call allocates
// nothing; the call types are small structs, so each generic job is
// compiled for its own type and calls the kernel directly.

// gemmCall is one GEMM call's operands; runRange computes the output block
// of rows [m0, m1) and columns [n0, n1).
type gemmCall interface {
	runRange(m0, m1, n0, n1 int)
}

type gemmJob[C gemmCall] struct {
	s    split
	call C
}

func (j *gemmJob[C]) RunTask(i int) { j.call.runRange(j.s.bounds(i)) }

// runGEMM runs call on p split as s, on the caller alone when s is one
// task; jobs holds *gemmJob[C].
func runGEMM[C gemmCall](p *Pool, jobs *sync.Pool, s split, call C) {
	if s.tasks <= 1 {
		if s.m > 0 && s.n > 0 {
			call.runRange(0, s.m, 0, s.n)
		}
		return
	}
	j := jobs.Get().(*gemmJob[C])
	j.s, j.call = s, call
	p.Do(s.tasks, j)
	*j = gemmJob[C]{}
	jobs.Put(j)
}

type gemmF32Call struct {
	g        *GEMMF32
	a, c     []float32
	lda, ldc int
}

func (x gemmF32Call) runRange(m0, m1, n0, n1 int) {
	x.g.runRange(m0, m1, n0, n1, x.a, x.lda, x.c, x.ldc)
}

type gemmF16Call struct {
	g        *GEMMF16
	a, c     []uint16
	lda, ldc int
}

func (x gemmF16Call) runRange(m0, m1, n0, n1 int) {
	x.g.runRange(m0, m1, n0, n1, x.a, x.lda, x.c, x.ldc)
}

type gemmQCall struct {
	g        *GEMMQ
	a, c8    []uint8
	c32      []float32
	lda, ldc int
	r        []uint8 // RunRes: the residual, laid out as c8
}

func (x gemmQCall) runRange(m0, m1, n0, n1 int) {
	x.g.runRange(m0, m1, n0, n1, x.a, x.lda, x.c8, x.c32, x.ldc, x.r)
}

var (
	gemmF32Jobs = sync.Pool{New: func() any { return new(gemmJob[gemmF32Call]) }}
	gemmF16Jobs = sync.Pool{New: func() any { return new(gemmJob[gemmF16Call]) }}
	gemmQJobs   = sync.Pool{New: func() any { return new(gemmJob[gemmQCall]) }}
)

// Run computes C[m x N] (row stride ldc) from A[m x K] (row stride lda) on p
// (nil: the calling goroutine only).
func (g *GEMMF32) Run(p *Pool, m int, a []float32, lda int, c []float32, ldc int) {
	checkGEMM("fp32 GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	runGEMM(p, &gemmF32Jobs, planSplit(p, m, g.N, g.K, g.mTile, g.nAlign), gemmF32Call{g, a, c, lda, ldc})
}

// Run computes binary16 C[m x N] from binary16 A[m x K].
func (g *GEMMF16) Run(p *Pool, m int, a []uint16, lda int, c []uint16, ldc int) {
	checkGEMM("fp16 GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	runGEMM(p, &gemmF16Jobs, planSplit(p, m, g.N, g.K, g.mTile, g.nAlign), gemmF16Call{g, a, c, lda, ldc})
}

// Run computes uint8 C[m x N], quantized by g.Out, from uint8 A[m x K].
func (g *GEMMQ) Run(p *Pool, m int, a []uint8, lda int, c []uint8, ldc int) {
	g.noRes("Run")
	checkGEMM("integer GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	runGEMM(p, &gemmQJobs, planSplit(p, m, g.N, g.K, g.mTile, g.nAlign), gemmQCall{g, a, c, nil, lda, ldc, nil})
}

// RunF32 computes dequantized float32 C[m x N] from uint8 A[m x K].
func (g *GEMMQ) RunF32(p *Pool, m int, a []uint8, lda int, c []float32, ldc int) {
	g.noRes("RunF32")
	checkGEMM("integer GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	runGEMM(p, &gemmQJobs, planSplit(p, m, g.N, g.K, g.mTile, g.nAlign), gemmQCall{g, a, nil, c, lda, ldc, nil})
}

// RunRes computes uint8 C[m x N] from uint8 A[m x K] and the uint8
// residual r, laid out as C (a GEMMQ of PackGEMMQRes).
func (g *GEMMQ) RunRes(p *Pool, m int, a []uint8, lda int, c []uint8, ldc int, r []uint8) {
	if g.Res == nil {
		panic("kernels: RunRes of an integer GEMM packed without a residual")
	}
	checkGEMM("integer GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	checkGEMM("integer GEMM residual", m, g.K, g.N, len(a), lda, len(r), ldc)
	runGEMM(p, &gemmQJobs, planSplit(p, m, g.N, g.K, g.mTile, g.nAlign), gemmQCall{g, a, c, nil, lda, ldc, r})
}

func (g *GEMMQ) noRes(name string) {
	if g.Res != nil {
		panic("kernels: " + name + " of an integer GEMM packed with a residual: use RunRes")
	}
}

// Depthwise calls split the batch*Ho output rows.
type dwSplit struct {
	rows, chunk, tasks int
}

func planDW(p *Pool, batch, ho, wo, c int) dwSplit {
	rows := batch * ho
	s := dwSplit{rows: rows, chunk: rows, tasks: 1}
	t := p.Threads()
	if t <= 1 || rows < 2 || rows*wo*c*9 < parallelMinMACs {
		return s
	}
	s.chunk = ceilDiv(rows, min(rows, 4*t))
	s.tasks = ceilDiv(rows, s.chunk)
	return s
}

// dwCall is one depthwise call's operands; runRows computes output rows
// [r0, r1) of the batch*Ho.
type dwCall interface {
	runRows(r0, r1 int)
}

type dwJob[C dwCall] struct {
	s    dwSplit
	call C
}

func (j *dwJob[C]) RunTask(i int) {
	j.call.runRows(i*j.s.chunk, min((i+1)*j.s.chunk, j.s.rows))
}

// runDW runs call on p split as s, on the caller alone when s is one task;
// jobs holds *dwJob[C].
func runDW[C dwCall](p *Pool, jobs *sync.Pool, s dwSplit, call C) {
	if s.tasks <= 1 {
		call.runRows(0, s.rows)
		return
	}
	j := jobs.Get().(*dwJob[C])
	j.s, j.call = s, call
	p.Do(s.tasks, j)
	*j = dwJob[C]{}
	jobs.Put(j)
}

type dwF32Call struct {
	d       *DepthwiseF32
	h, w    int
	in, out []float32
}

func (x dwF32Call) runRows(r0, r1 int) { x.d.runRows(x.h, x.w, r0, r1, x.in, x.out) }

type dwF16Call struct {
	d       *DepthwiseF16
	h, w    int
	in, out []uint16
}

func (x dwF16Call) runRows(r0, r1 int) { x.d.runRows(x.h, x.w, r0, r1, x.in, x.out) }

type dwQCall struct {
	d        *DepthwiseQ
	h, w     int
	in, out8 []uint8
	out32    []float32
}

func (x dwQCall) runRows(r0, r1 int) { x.d.runRows(x.h, x.w, r0, r1, x.in, x.out8, x.out32) }

var (
	dwF32Jobs = sync.Pool{New: func() any { return new(dwJob[dwF32Call]) }}
	dwF16Jobs = sync.Pool{New: func() any { return new(dwJob[dwF16Call]) }}
	dwQJobs   = sync.Pool{New: func() any { return new(dwJob[dwQCall]) }}
)

// Run convolves in (batch x h x w x C, NHWC) into out (batch x Ho x Wo x C).
func (d *DepthwiseF32) Run(p *Pool, batch, h, w int, in, out []float32) {
	checkDW("fp32 depthwise", batch, h, w, d.C, d.Stride, len(in), len(out))
	if batch == 0 || d.C == 0 {
		return
	}
	runDW(p, &dwF32Jobs, planDW(p, batch, DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C), dwF32Call{d, h, w, in, out})
}

// Run convolves binary16 in into binary16 out (NHWC).
func (d *DepthwiseF16) Run(p *Pool, batch, h, w int, in, out []uint16) {
	checkDW("fp16 depthwise", batch, h, w, d.C, d.Stride, len(in), len(out))
	if batch == 0 || d.C == 0 {
		return
	}
	runDW(p, &dwF16Jobs, planDW(p, batch, DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C), dwF16Call{d, h, w, in, out})
}

func (d *DepthwiseQ) run(p *Pool, batch, h, w int, in, out8 []uint8, out32 []float32) {
	if batch == 0 || d.C == 0 {
		return
	}
	runDW(p, &dwQJobs, planDW(p, batch, DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C), dwQCall{d, h, w, in, out8, out32})
}

// Run convolves uint8 in into uint8 out quantized by d.Out (NHWC).
func (d *DepthwiseQ) Run(p *Pool, batch, h, w int, in, out []uint8) {
	checkDW("integer depthwise", batch, h, w, d.C, d.Stride, len(in), len(out))
	d.run(p, batch, h, w, in, out, nil)
}

// RunF32 convolves uint8 in into dequantized float32 out (NHWC).
func (d *DepthwiseQ) RunF32(p *Pool, batch, h, w int, in []uint8, out []float32) {
	checkDW("integer depthwise", batch, h, w, d.C, d.Stride, len(in), len(out))
	d.run(p, batch, h, w, in, nil, out)
}
