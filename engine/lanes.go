package engine

import (
	"fmt"
	"sync"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

// Split says how the threads of a model share a pass.
type Split int

const (
	// SplitAuto is SplitBatch when the batch has at least one image per
	// thread, SplitLayers otherwise (batch 1).
	SplitAuto Split = iota
	// SplitLayers splits every layer's rows across the threads, with one
	// barrier per layer: the only way to use several threads on one image.
	SplitLayers
	// SplitBatch gives each thread whole sub-batches that it runs through
	// the entire network alone: no barrier per layer, and each thread's
	// activations stay in its own core's caches. Weights are packed once
	// and shared.
	SplitBatch
)

func (s Split) String() string {
	switch s {
	case SplitLayers:
		return "layers"
	case SplitBatch:
		return "batch"
	}
	return "auto"
}

// lanes is the number of independent single-thread plans o asks for
// (0: one plan split inside the layers).
func (o *Options) lanes() int {
	switch {
	case o.Split == SplitLayers:
		return 0
	case o.Threads < 2:
		if o.Batch > 1 && o.SubBatch != o.Batch {
			return 1 // one thread in sub-batches, if they are smaller
		}
		return 0
	case o.Split == SplitBatch:
		return min(o.Threads, o.Batch)
	case o.Batch >= o.Threads:
		return o.Threads
	}
	return 0
}

// compileLanes builds one single-thread plan per lane at a share of the
// batch; the first packs the weights, the others share its packed kernels.
func compileLanes(g *graph.Graph, cfg Config, opts Options, lanes int) (*Model, error) {
	sub := opts
	sub.Threads, sub.Split, sub.Progress = 1, SplitLayers, nil
	sub.Batch = (opts.Batch + lanes - 1) / lanes
	if opts.SubBatch > 0 {
		sub.Batch = min(sub.Batch, opts.SubBatch)
	} else {
		_, probe, err := newPlan(g, cfg, sub)
		if err != nil {
			return nil, err
		}
		_, l2, _ := kernels.CacheSizes()
		sub.Batch = min(sub.Batch, autoSubBatch(probe.stepBytes(), l2))
	}
	if lanes == 1 && sub.Batch >= opts.Batch {
		sub.Batch, sub.Progress = opts.Batch, opts.Progress
		return Compile(g, cfg, sub) // no smaller sub-batch: the plain plan
	}
	first, err := Compile(g, cfg, sub)
	if err != nil {
		return nil, err
	}
	m := &Model{Batch: opts.Batch, Threads: opts.Threads, InC: first.InC, InH: first.InH, InW: first.InW,
		Classes: first.Classes, lanes: []*Model{first}}
	for len(m.lanes) < lanes {
		b, l, err := newPlan(g, cfg, sub)
		if err != nil {
			m.Close()
			return nil, err
		}
		if len(l.steps) != len(first.steps) {
			m.Close()
			return nil, fmt.Errorf("engine: lane plans differ (%d and %d steps)", len(l.steps), len(first.steps))
		}
		for i, s := range l.steps {
			if c, ok := s.(*convStep); ok {
				src, ok := first.steps[i].(*convStep)
				if !ok || src.name != c.name {
					m.Close()
					return nil, fmt.Errorf("engine: lane plans differ at step %d", i)
				}
				c.share(src, b)
			} else if c, ok := s.(interface{ shareFrom(step, *builder) error }); ok {
				if err := c.shareFrom(first.steps[i], b); err != nil {
					m.Close()
					return nil, err
				}
			}
		}
		b.planBuffers(l)
		l.pool = nil
		m.lanes = append(m.lanes, l)
	}
	m.startLanes()
	return m, nil
}

// laneWork is one lane's share of a Run.
type laneWork struct {
	images []float32
	n      int
	out    []float32 // n x Classes
}

// laneGroup runs lanes 1..L-1 on goroutines of their own, started once,
// so a Run allocates nothing; lane 0 runs on the caller.
type laneGroup struct {
	work []chan laneWork
	errs []error
	wg   sync.WaitGroup
}

func (m *Model) startLanes() {
	g := &laneGroup{work: make([]chan laneWork, len(m.lanes)), errs: make([]error, len(m.lanes))}
	for j := 1; j < len(m.lanes); j++ {
		ch := make(chan laneWork)
		g.work[j] = ch
		go func() {
			for w := range ch {
				g.errs[j] = m.lanes[j].runInto(w)
				g.wg.Done()
			}
		}()
	}
	m.laneGroup = g
}

func (m *Model) stopLanes() {
	if m.laneGroup == nil {
		return
	}
	for _, ch := range m.laneGroup.work[1:] {
		close(ch)
	}
	m.laneGroup = nil
}

func (m *Model) runInto(w laneWork) error {
	y, err := m.Run(w.images, w.n)
	if err == nil {
		copy(w.out, y)
	}
	return err
}

// runLanes runs n images on the lanes: lane j takes the contiguous share
// j*n/L..(j+1)*n/L, in sub-batches.
func (m *Model) runLanes(images []float32, n int, out []float32) error {
	per := m.InC * m.InH * m.InW
	g := m.laneGroup
	L := len(m.lanes)
	share := func(j int) laneWork {
		lo, hi := j*n/L, (j+1)*n/L
		return laneWork{images: images[lo*per : hi*per], n: hi - lo, out: out[lo*m.Classes : hi*m.Classes]}
	}
	g.wg.Add(L - 1)
	for j := 1; j < L; j++ {
		g.work[j] <- share(j)
	}
	g.errs[0] = m.lanes[0].runInto(share(0))
	g.wg.Wait()
	for _, err := range g.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// autoSubBatch is the sub-batch a thread runs when none is asked: the
// largest power of two whose busiest step (bytes per image read and
// written) fits in the core's L2, so a step's output is still there for
// the next step. At least 2 images keep per-call costs shared.
func autoSubBatch(stepBytes, l2 int) int {
	if stepBytes <= 0 || l2 <= 0 {
		return 1 << 30
	}
	s := 2
	for 2*s*stepBytes <= l2 {
		s *= 2
	}
	return s
}

// stepBytes is the most bytes per image that one step of m reads and
// writes (inputs, residual and outputs).
func (m *Model) stepBytes() int {
	most := 0
	for _, s := range m.steps {
		io, n := s.io(), 0
		for _, t := range io.ins {
			n += t.size() * t.st.bytes()
		}
		for _, t := range io.outs {
			n += t.size() * t.st.bytes()
		}
		most = max(most, n)
	}
	return most
}
