package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Task is work split into numbered pieces, run by a Pool.
type Task interface {
	RunTask(i int)
}

// Pool is a fixed set of worker goroutines reused by every parallel kernel
// call, so a call costs no goroutine start and no allocation. A nil Pool, or
// one of one thread, runs everything on the caller.
type Pool struct {
	threads int
	mu      sync.Mutex // one parallel call at a time
	wake    []chan *batch
	b       batch
}

type batch struct {
	t    Task
	n    int64
	next atomic.Int64
	wg   sync.WaitGroup
}

func (b *batch) drain() {
	for {
		i := b.next.Add(1) - 1
		if i >= b.n {
			return
		}
		b.t.RunTask(int(i))
	}
}

// NewPool starts threads-1 workers (the caller of Do is the last thread).
// threads <= 0 means runtime.GOMAXPROCS(0).
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: threads, wake: make([]chan *batch, threads-1)}
	for i := range p.wake {
		ch := make(chan *batch)
		p.wake[i] = ch
		go func() {
			for b := range ch {
				b.drain()
				b.wg.Done()
			}
		}()
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
	for _, ch := range p.wake {
		close(ch)
	}
	p.wake = nil
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
	b.t, b.n = t, int64(n)
	b.next.Store(0)
	w := min(len(p.wake), n-1)
	b.wg.Add(w)
	for i := 0; i < w; i++ {
		p.wake[i] <- b
	}
	b.drain()
	b.wg.Wait()
	b.t = nil
}
