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

type gemmF32Job struct {
	g        *GEMMF32
	s        split
	a, c     []float32
	lda, ldc int
}

func (j *gemmF32Job) RunTask(i int) {
	m0, m1, n0, n1 := j.s.bounds(i)
	j.g.runRange(m0, m1, n0, n1, j.a, j.lda, j.c, j.ldc)
}

var gemmF32Jobs = sync.Pool{New: func() any { return new(gemmF32Job) }}

// Run computes C[m x N] (row stride ldc) from A[m x K] (row stride lda) on p
// (nil: the calling goroutine only).
func (g *GEMMF32) Run(p *Pool, m int, a []float32, lda int, c []float32, ldc int) {
	checkGEMM("fp32 GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	s := planSplit(p, m, g.N, g.K, g.mTile, g.nAlign)
	if s.tasks <= 1 {
		if m > 0 && g.N > 0 {
			g.runRange(0, m, 0, g.N, a, lda, c, ldc)
		}
		return
	}
	j := gemmF32Jobs.Get().(*gemmF32Job)
	*j = gemmF32Job{g: g, s: s, a: a, c: c, lda: lda, ldc: ldc}
	p.Do(s.tasks, j)
	*j = gemmF32Job{}
	gemmF32Jobs.Put(j)
}

type gemmF16Job struct {
	g        *GEMMF16
	s        split
	a, c     []uint16
	lda, ldc int
}

func (j *gemmF16Job) RunTask(i int) {
	m0, m1, n0, n1 := j.s.bounds(i)
	j.g.runRange(m0, m1, n0, n1, j.a, j.lda, j.c, j.ldc)
}

var gemmF16Jobs = sync.Pool{New: func() any { return new(gemmF16Job) }}

// Run computes binary16 C[m x N] from binary16 A[m x K].
func (g *GEMMF16) Run(p *Pool, m int, a []uint16, lda int, c []uint16, ldc int) {
	checkGEMM("fp16 GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	s := planSplit(p, m, g.N, g.K, g.mTile, g.nAlign)
	if s.tasks <= 1 {
		if m > 0 && g.N > 0 {
			g.runRange(0, m, 0, g.N, a, lda, c, ldc)
		}
		return
	}
	j := gemmF16Jobs.Get().(*gemmF16Job)
	*j = gemmF16Job{g: g, s: s, a: a, c: c, lda: lda, ldc: ldc}
	p.Do(s.tasks, j)
	*j = gemmF16Job{}
	gemmF16Jobs.Put(j)
}

type gemmQJob struct {
	g        *GEMMQ
	s        split
	a, c8    []uint8
	c32      []float32
	lda, ldc int
}

func (j *gemmQJob) RunTask(i int) {
	m0, m1, n0, n1 := j.s.bounds(i)
	j.g.runRange(m0, m1, n0, n1, j.a, j.lda, j.c8, j.c32, j.ldc)
}

var gemmQJobs = sync.Pool{New: func() any { return new(gemmQJob) }}

func (g *GEMMQ) run(p *Pool, m int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int) {
	s := planSplit(p, m, g.N, g.K, g.mTile, g.nAlign)
	if s.tasks <= 1 {
		if m > 0 && g.N > 0 {
			g.runRange(0, m, 0, g.N, a, lda, c8, c32, ldc)
		}
		return
	}
	j := gemmQJobs.Get().(*gemmQJob)
	*j = gemmQJob{g: g, s: s, a: a, c8: c8, c32: c32, lda: lda, ldc: ldc}
	p.Do(s.tasks, j)
	*j = gemmQJob{}
	gemmQJobs.Put(j)
}

// Run computes uint8 C[m x N], quantized by g.Out, from uint8 A[m x K].
func (g *GEMMQ) Run(p *Pool, m int, a []uint8, lda int, c []uint8, ldc int) {
	checkGEMM("integer GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	g.run(p, m, a, lda, c, nil, ldc)
}

// RunF32 computes dequantized float32 C[m x N] from uint8 A[m x K].
func (g *GEMMQ) RunF32(p *Pool, m int, a []uint8, lda int, c []float32, ldc int) {
	checkGEMM("integer GEMM", m, g.K, g.N, len(a), lda, len(c), ldc)
	g.run(p, m, a, lda, nil, c, ldc)
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

type dwJob struct {
	f32   *DepthwiseF32
	f16   *DepthwiseF16
	q     *DepthwiseQ
	s     dwSplit
	h, w  int
	in32  []float32
	out32 []float32
	in16  []uint16
	out16 []uint16
	in8   []uint8
	out8  []uint8
}

func (j *dwJob) RunTask(i int) {
	r0, r1 := i*j.s.chunk, min((i+1)*j.s.chunk, j.s.rows)
	switch {
	case j.f32 != nil:
		j.f32.runRows(j.h, j.w, r0, r1, j.in32, j.out32)
	case j.f16 != nil:
		j.f16.runRows(j.h, j.w, r0, r1, j.in16, j.out16)
	default:
		j.q.runRows(j.h, j.w, r0, r1, j.in8, j.out8, j.out32)
	}
}

var dwJobs = sync.Pool{New: func() any { return new(dwJob) }}

func runDW(p *Pool, s dwSplit, j *dwJob) {
	p.Do(s.tasks, j)
	*j = dwJob{}
	dwJobs.Put(j)
}

// Run convolves in (batch x h x w x C, NHWC) into out (batch x Ho x Wo x C).
func (d *DepthwiseF32) Run(p *Pool, batch, h, w int, in, out []float32) {
	checkDW("fp32 depthwise", batch, h, w, d.C, d.Stride, len(in), len(out))
	if batch == 0 || d.C == 0 {
		return
	}
	s := planDW(p, batch, DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C)
	if s.tasks <= 1 {
		d.runRows(h, w, 0, s.rows, in, out)
		return
	}
	j := dwJobs.Get().(*dwJob)
	*j = dwJob{f32: d, s: s, h: h, w: w, in32: in, out32: out}
	runDW(p, s, j)
}

// Run convolves binary16 in into binary16 out (NHWC).
func (d *DepthwiseF16) Run(p *Pool, batch, h, w int, in, out []uint16) {
	checkDW("fp16 depthwise", batch, h, w, d.C, d.Stride, len(in), len(out))
	if batch == 0 || d.C == 0 {
		return
	}
	s := planDW(p, batch, DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C)
	if s.tasks <= 1 {
		d.runRows(h, w, 0, s.rows, in, out)
		return
	}
	j := dwJobs.Get().(*dwJob)
	*j = dwJob{f16: d, s: s, h: h, w: w, in16: in, out16: out}
	runDW(p, s, j)
}

func (d *DepthwiseQ) run(p *Pool, batch, h, w int, in, out8 []uint8, out32 []float32) {
	if batch == 0 || d.C == 0 {
		return
	}
	s := planDW(p, batch, DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C)
	if s.tasks <= 1 {
		d.runRows(h, w, 0, s.rows, in, out8, out32)
		return
	}
	j := dwJobs.Get().(*dwJob)
	*j = dwJob{q: d, s: s, h: h, w: w, in8: in, out8: out8, out32: out32}
	runDW(p, s, j)
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
