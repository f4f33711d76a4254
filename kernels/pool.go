package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Task is work split into numbered pieces, run by a Pool.
type Task interface {
	RunTask(i int)
}

// Pool is a fixed set of worker goroutines reused by every parallel kernel
// call, so a call costs no goroutine start and no allocation. A nil Pool, or
// one of one thread, runs everything on the caller.
//
// A worker that finishes its share spins for spinTime before it parks: a
// model at batch 1 calls Do once per layer, tens of microseconds apart, and
// waking a parked thread costs about as much as a small layer's share.
type Pool struct {
	threads int
	mu      sync.Mutex // one parallel call at a time
	workers []*worker
	b       batch
}

// Worker states: Do hands a spinning worker the batch by one CAS; a parked
// worker gets it over its channel.
const (
	workerBusy int32 = iota
	workerSpinning
	workerHanded
	workerParked
)

// spinTime is how long an idle worker polls for work before it parks.
const spinTime = 100 * time.Microsecond

type worker struct {
	state atomic.Int32
	wake  chan *batch
	share int      // the share of every batch it runs (the caller's is 0)
	_     [64]byte // no false sharing between the workers' states
}

func (w *worker) loop(p *Pool) {
	for {
		if w.spin() {
			b := &p.b
			b.drain(w.share)
			w.state.Store(workerSpinning) // before done: the next Do may hand at once
			b.pending.Add(-1)
			continue
		}
		b, ok := <-w.wake
		if !ok {
			return
		}
		w.state.Store(workerBusy)
		b.drain(w.share)
		w.state.Store(workerSpinning)
		b.pending.Add(-1)
	}
}

// spin polls for a handed batch for spinTime; false when it parked
// instead (the state is then workerParked and work comes on wake).
func (w *worker) spin() bool {
	deadline := time.Now().Add(spinTime)
	for i := 0; ; i++ {
		if w.state.Load() == workerHanded {
			w.state.Store(workerBusy)
			return true
		}
		if i%64 == 63 && time.Now().After(deadline) {
			if w.state.CompareAndSwap(workerSpinning, workerParked) {
				return false
			}
			// Handed between the load and the CAS.
			w.state.Store(workerBusy)
			return true
		}
	}
}

type batch struct {
	t      Task
	n      int64
	shares int64 // the threads the tasks are divided among
	// pending counts the workers still draining; the caller of Do spins
	// on it rather than sleeping, for the same reason the workers spin.
	pending atomic.Int32
}

// drain runs share j of the tasks: a fixed, contiguous range, so a
// thread gets the same rows of every layer of a model at batch 1 and
// finds the previous layer's outputs (the next one's inputs) in its own
// core's caches. Handing tasks to whichever thread asks first would move
// rows between cores from layer to layer; on two cores that cost more
// than the split saved (fp32 depthwise 16x16x192: 10.6 us on one
// thread, 13.4 us on two).
func (b *batch) drain(j int) {
	for i := int64(j) * b.n / b.shares; i < int64(j+1)*b.n/b.shares; i++ {
		b.t.RunTask(int(i))
	}
}

// NewPool starts threads-1 workers (the caller of Do is the last thread).
// threads <= 0 means runtime.GOMAXPROCS(0).
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: threads, workers: make([]*worker, threads-1)}
	for i := range p.workers {
		w := &worker{wake: make(chan *batch), share: i + 1}
		w.state.Store(workerSpinning)
		p.workers[i] = w
		go w.loop(p)
	}
	return p
}

// Threads is the number of threads Do runs on.
func (p *Pool) Threads() int {
	if p == nil {
		return 1
	}
	return p.threads
}

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		close(w.wake)
	}
	p.workers = nil
	p.threads = 1
}

// Do runs t.RunTask(i) for i in [0, n) on the pool and returns when all are done.
func (p *Pool) Do(n int, t Task) {
	if n <= 0 {
		return
	}
	if p == nil || p.threads <= 1 || n == 1 {
		for i := 0; i < n; i++ {
			t.RunTask(i)
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	b := &p.b
	w := min(len(p.workers), n-1)
	b.t, b.n, b.shares = t, int64(n), int64(w+1)
	b.pending.Store(int32(w))
	for _, wk := range p.workers[:w] {
		if !wk.state.CompareAndSwap(workerSpinning, workerHanded) {
			wk.wake <- b // parked (or about to park)
		}
	}
	b.drain(0)
	// The workers are on their last task: spin, yielding now and then.
	for i := 1; b.pending.Load() != 0; i++ {
		if i%256 == 0 {
			runtime.Gosched()
		}
	}
	b.t = nil
}
