package roofline

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiq-project/aiq/harness"
)

// Kind is one streaming access pattern.
type Kind string

// The streaming kernels. Bytes are counted as STREAM does: every element
// read or written once, no write-allocate traffic.
const (
	Read    Kind = "read"     // sum of x: 4 B per element
	Write   Kind = "write"    // x[i] = v: 4 B
	WriteNT Kind = "write_nt" // the same with non-temporal stores
	Copy    Kind = "copy"     // a[i] = b[i]: 8 B
	CopyNT  Kind = "copy_nt"
	Triad   Kind = "triad" // a[i] = b[i] + s*c[i]: 12 B
	TriadNT Kind = "triad_nt"
)

// Kinds in sweep order.
var Kinds = []Kind{Read, Write, WriteNT, Copy, CopyNT, Triad, TriadNT}

func (k Kind) arrays() int {
	switch k {
	case Copy, CopyNT:
		return 2
	case Triad, TriadNT:
		return 3
	}
	return 1
}

// SweepPoint is the bandwidth of every kind at one working-set size, the
// sum over all threads of the bytes of the arrays touched.
type SweepPoint struct {
	Bytes int64 `json:"bytes"`
	// Best and Median are GB/s (1e9 B/s) over the samples, all threads.
	Best   map[Kind]float64 `json:"best_gbs"`
	Median map[Kind]float64 `json:"median_gbs"`
}

// sweepConfig sets the sweep's sizes and sampling.
type sweepConfig struct {
	minBytes, maxBytes int64
	stepsPerOctave     int
	// coarseFrom, when set, switches to one size per octave from there
	// on: big sizes cost the most time and sit on the flat DRAM plateau.
	coarseFrom int64
	samples    int
	sampleTime time.Duration
}

// sizes lists working-set sizes from minBytes to maxBytes, spaced
// geometrically, rounded to 4 KiB, ending exactly at maxBytes.
func (c sweepConfig) sizes() []int64 {
	var out []int64
	f := float64(c.minBytes)
	for {
		s := (int64(f) + 4095) &^ 4095
		if s >= c.maxBytes {
			break
		}
		if len(out) == 0 || s > out[len(out)-1] {
			out = append(out, s)
		}
		if c.coarseFrom > 0 && s >= c.coarseFrom {
			f *= 2
		} else {
			f *= math.Pow(2, 1/float64(c.stepsPerOctave))
		}
	}
	// A last size within 25% of the end adds little; end on maxBytes.
	if n := len(out); n > 1 && float64(out[n-1]) > 0.8*float64(c.maxBytes) {
		out = out[:n-1]
	}
	return append(out, c.maxBytes)
}

// worker owns one pinned OS thread and the memory it touched first.
type worker struct {
	cpu  int
	jobs chan func()
	done chan struct{}
	mem  []float32
	huge bool
	free func()
	err  error
}

// pool runs the same job on every worker at once.
type pool struct {
	workers []*worker
	kern    bandwidthKernels
}

// newPool starts one worker per cpu, each pinned, each allocating and
// first-touching perThread float32.
func newPool(cpus []int, perThread int, kern bandwidthKernels) (*pool, error) {
	p := &pool{kern: kern}
	var wg sync.WaitGroup
	for _, cpu := range cpus {
		w := &worker{cpu: cpu, jobs: make(chan func()), done: make(chan struct{})}
		p.workers = append(p.workers, w)
		wg.Add(1)
		go w.loop(perThread, kern.fill, &wg)
	}
	wg.Wait()
	for _, w := range p.workers {
		if w.err != nil {
			p.close()
			return nil, w.err
		}
	}
	return p, nil
}

func (w *worker) loop(n int, fill func([]float32, float32), ready *sync.WaitGroup) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	restore, err := harness.Pin(w.cpu)
	if err == nil {
		defer restore()
		w.mem, w.huge, w.free, err = allocFloats(n)
	}
	if err != nil {
		w.err = fmt.Errorf("worker on cpu %d: %w", w.cpu, err)
		ready.Done()
		for range w.jobs {
			w.done <- struct{}{}
		}
		return
	}
	// First touch from the pinned thread places the pages.
	fill(w.mem[:len(w.mem)&^127], 1)
	ready.Done()
	for job := range w.jobs {
		job()
		w.done <- struct{}{}
	}
	w.free()
}

func (p *pool) close() {
	for _, w := range p.workers {
		close(w.jobs)
	}
}

// arraySlack is the float32 left over after the arrays, room for offsets.
const arraySlack = 4096

// arrays returns k's arrays of n float32 each inside w's memory. They start
// 17 cache lines past multiples of a third of the memory so they do not
// alias in the cache sets, and stay 64-byte aligned for non-temporal stores.
func (w *worker) arrays(k Kind, n int) [][]float32 {
	stride := ((len(w.mem) - arraySlack) / 3) &^ 15
	out := make([][]float32, k.arrays())
	for i := range out {
		off := i * (stride + 17*16)
		out[i] = w.mem[off : off+n]
	}
	return out
}

// timeKind runs passes of kind k over arrays of n float32 on every worker,
// all starting together, and returns the wall time from the first start to
// the last finish.
func (p *pool) timeKind(k Kind, n, passes int) time.Duration {
	var ready atomic.Int32
	starts := make([]time.Time, len(p.workers))
	ends := make([]time.Time, len(p.workers))
	for i, w := range p.workers {
		a := w.arrays(k, n)
		job := func() {
			ready.Add(1)
			for ready.Load() < int32(len(p.workers)) {
				// spin: the workers start within a microsecond of each other
			}
			starts[i] = time.Now()
			runKind(p.kern, k, a, passes)
			ends[i] = time.Now()
		}
		w.jobs <- job
	}
	for _, w := range p.workers {
		<-w.done
	}
	first, last := starts[0], ends[0]
	for i := range starts {
		if starts[i].Before(first) {
			first = starts[i]
		}
		if ends[i].After(last) {
			last = ends[i]
		}
	}
	return last.Sub(first)
}

var sink float32

func runKind(kern bandwidthKernels, k Kind, a [][]float32, passes int) {
	var s float32
	for range passes {
		switch k {
		case Read:
			s += kern.sum(a[0])
		case Write:
			kern.fill(a[0], 1)
		case WriteNT:
			kern.fillNT(a[0], 1)
		case Copy:
			kern.copy(a[1], a[0])
		case CopyNT:
			kern.copyNT(a[1], a[0])
		case Triad:
			kern.triad(a[0], a[1], a[2], 0.5)
		case TriadNT:
			kern.triadNT(a[0], a[1], a[2], 0.5)
		}
	}
	if s == 42 { // keep the reads observable
		sink = s
	}
}

// measure returns the best and median GB/s of kind k at working set bytes
// (all threads).
func (p *pool) measure(k Kind, bytes int64, cfg sweepConfig) (best, median float64) {
	per := bytes / int64(len(p.workers)) / int64(k.arrays()) / 4 // float32 per array
	n := max(int(per)&^127, 128)
	total := float64(4 * n * k.arrays() * len(p.workers))
	// Calibrate with one pass; when one pass already fills a sample it
	// counts as the first sample.
	t1 := p.timeKind(k, n, 1)
	passes := max(1, int(float64(cfg.sampleTime)/float64(max(t1, time.Microsecond))))
	var rates []float64
	samples := cfg.samples
	if passes == 1 {
		rates = append(rates, total/float64(max(t1, time.Nanosecond)))
		// Passes this long are DRAM-sized and steady; fewer suffice.
		samples = min(samples, 3)
	}
	for len(rates) < samples {
		d := p.timeKind(k, n, passes)
		rates = append(rates, total*float64(passes)/float64(max(d, time.Nanosecond))) // B/ns == GB/s
	}
	return slices.Max(rates), harness.Median(rates)
}

// sweep measures every kind at every size with the pool's threads.
func (p *pool) sweep(cfg sweepConfig, progress func(done, total int)) []SweepPoint {
	sizes := cfg.sizes()
	var pts []SweepPoint
	for i, s := range sizes {
		pt := SweepPoint{Bytes: s, Best: map[Kind]float64{}, Median: map[Kind]float64{}}
		for _, k := range Kinds {
			pt.Best[k], pt.Median[k] = p.measure(k, s, cfg)
		}
		pts = append(pts, pt)
		if progress != nil {
			progress(i+1, len(sizes))
		}
	}
	return pts
}
