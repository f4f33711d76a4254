// Package harness measures a function robustly: it warms up, takes repeated
// samples until both a minimum time and a minimum count are reached, reports
// the median and the spread (coefficient of variation), reruns noisy points,
// can flush the caches between samples (cold mode), pin the measuring thread,
// and attribute a CPU profile of the measured loop per function. Results are
// written in the Go benchmark text format (benchstat reads it) and as JSON.
package harness

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"
)

var processStart = time.Now()

// nanotime is monotonic nanoseconds since the process started.
func nanotime() int64 { return int64(time.Since(processStart)) }

// Options control one measurement. The zero value is usable: defaults are
// filled in by Measure.
type Options struct {
	// Name is the benchmark name without the "Benchmark" prefix; sub-parts
	// are separated by '/', e.g. "gemm/fp32/M=64".
	Name string
	// MinTime is the least total measured time over all samples (default 200ms).
	MinTime time.Duration
	// SampleTime is the target duration of one sample in warm mode; the
	// iteration count per sample is calibrated to reach it (default 10ms).
	SampleTime time.Duration
	// MinSamples and MaxSamples bound the sample count (defaults 5 and 1000).
	MinSamples, MaxSamples int
	// Warmup is the time spent running fn before sampling (default 20ms).
	Warmup time.Duration
	// Cold flushes the caches before every sample by streaming through a
	// buffer larger than the last-level cache; each cold sample is one call.
	Cold bool
	// FlushBytes is the size of the flush buffer (default 2x the LLC,
	// at least 64 MiB).
	FlushBytes int
	// Pin binds the measuring goroutine's thread to CPU for the measurement.
	Pin bool
	CPU int
	// ThreadCPUTime times samples by the measuring thread's CPU time instead
	// of the wall clock, so time the thread spends preempted by other
	// processes does not count: much steadier on a shared host. Only work
	// fn does on the calling goroutine is seen; use it for single-threaded
	// fn. Linux only.
	ThreadCPUTime bool
	// NoisyCV is the coefficient of variation above which a point is noisy
	// (default 0.05). A noisy point is remeasured up to Reruns times and the
	// least noisy attempt kept; if all are noisy the result is flagged.
	NoisyCV float64
	// Reruns is the number of extra attempts for noisy points (default 2;
	// negative disables reruns).
	Reruns int
	// Profile records a CPU profile while sampling and attributes it per
	// function. Profiling is process-wide; keep other work quiet.
	Profile bool
	// Ops is the work of one call in operations (e.g. 2*M*N*K flops); when
	// set, the result carries an OpsUnit-per-second metric.
	Ops float64
	// OpsUnit names the per-second ops metric (default "GFLOP/s"; values
	// are scaled by 1e-9, so use G-prefixed units).
	OpsUnit string
	// Bytes is the memory traffic of one call; when set, the result carries
	// B/s in the Go benchmark "MB/s" unit and in GB/s.
	Bytes int64
}

// NoPin is Result.CPU of an unpinned measurement.
const NoPin = -1

// Result is one measured point.
type Result struct {
	Name       string    `json:"name"`
	Iterations int       `json:"iterations_per_sample"`
	SamplesNs  []float64 `json:"samples_ns_per_op"`
	MedianNs   float64   `json:"median_ns_per_op"`
	MinNs      float64   `json:"min_ns_per_op"`
	CV         float64   `json:"cv"`
	Noisy      bool      `json:"noisy"`
	Attempts   int       `json:"attempts"` // measurements made, 1 + reruns
	Cold       bool      `json:"cold"`
	Clock      string    `json:"clock"` // "wall" or "thread-cpu"
	CPU        int       `json:"cpu"`
	// Metrics are derived from the median: unit -> value.
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// Profile is the per-function share of CPU samples, largest first.
	Profile []FuncShare `json:"profile,omitempty"`
}

// FuncShare is one function's share of the profile samples.
type FuncShare struct {
	Func string  `json:"func"`
	Flat float64 `json:"flat"` // fraction of samples with Func as the leaf
	Cum  float64 `json:"cum"`  // fraction of samples with Func on the stack
}

func (o *Options) defaults() error {
	if o.Name == "" {
		return errors.New("harness: Options.Name is empty")
	}
	if o.MinTime < 0 || o.SampleTime < 0 || o.Warmup < 0 || o.MinSamples < 0 || o.MaxSamples < 0 || o.FlushBytes < 0 || o.Ops < 0 || o.Bytes < 0 || o.NoisyCV < 0 {
		return fmt.Errorf("harness: negative option in %q", o.Name)
	}
	if o.MinTime == 0 {
		o.MinTime = 200 * time.Millisecond
	}
	if o.SampleTime == 0 {
		o.SampleTime = 10 * time.Millisecond
	}
	if o.MinSamples == 0 {
		o.MinSamples = 5
	}
	if o.MaxSamples == 0 {
		o.MaxSamples = 1000
	}
	if o.MaxSamples < o.MinSamples {
		return fmt.Errorf("harness: MaxSamples %d < MinSamples %d in %q", o.MaxSamples, o.MinSamples, o.Name)
	}
	if o.Warmup == 0 {
		o.Warmup = 20 * time.Millisecond
	}
	if o.NoisyCV == 0 {
		o.NoisyCV = 0.05
	}
	if o.Reruns == 0 {
		o.Reruns = 2
	}
	if o.OpsUnit == "" {
		o.OpsUnit = "GFLOP/s"
	}
	return nil
}

// Measure times fn, which must run its measured work n times per call (like
// testing.B's loop). It returns the best of up to 1+Reruns attempts.
func Measure(fn func(n int), opts Options) (Result, error) {
	if fn == nil {
		return Result{}, errors.New("harness: nil function")
	}
	if err := opts.defaults(); err != nil {
		return Result{}, err
	}
	cpu := NoPin
	clock := wallClock
	if opts.ThreadCPUTime {
		clock = threadCPUClock
		if _, err := clock(); err != nil {
			return Result{}, fmt.Errorf("harness: %s: %w", opts.Name, err)
		}
	}
	if opts.Pin || opts.ThreadCPUTime {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	if opts.Pin {
		restore, err := Pin(opts.CPU)
		if err != nil {
			return Result{}, fmt.Errorf("harness: %s: %w", opts.Name, err)
		}
		defer restore()
		cpu = opts.CPU
	}
	var flush *flusher
	if opts.Cold {
		flush = newFlusher(opts.FlushBytes)
	}
	var stop func() ([]FuncShare, error)
	if opts.Profile {
		var err error
		if stop, err = startProfile(); err != nil {
			return Result{}, fmt.Errorf("harness: %s: %w", opts.Name, err)
		}
	}

	warm(fn, opts.Warmup)
	var best Result
	made := 0
	for a := 1; a <= 1+max(opts.Reruns, 0); a++ {
		r := sample(fn, &opts, flush, clock)
		made = a
		if a == 1 || r.CV < best.CV {
			best = r
		}
		if !best.Noisy {
			break
		}
	}
	best.Attempts = made
	best.Name, best.Cold, best.CPU = opts.Name, opts.Cold, cpu
	best.Clock = "wall"
	if opts.ThreadCPUTime {
		best.Clock = "thread-cpu"
	}
	best.Metrics = metrics(best.MedianNs, &opts)
	if stop != nil {
		prof, err := stop()
		if err != nil {
			return best, fmt.Errorf("harness: %s: %w", opts.Name, err)
		}
		best.Profile = prof
	}
	return best, nil
}

// warm runs fn with growing n until d has passed, so caches, branch
// predictors, page tables and the CPU clock settle.
func warm(fn func(int), d time.Duration) {
	start := time.Now()
	for n := 1; time.Since(start) < d; n = min(2*n, 1<<30) {
		fn(n)
	}
}

// wallClock reads the monotonic wall clock.
func wallClock() (time.Duration, error) { return time.Duration(nanotime()), nil }

// since returns the clock's time since t0 (clock errors were checked once).
func since(clock func() (time.Duration, error), t0 time.Duration) time.Duration {
	t1, _ := clock()
	return t1 - t0
}

// calibrate finds the per-sample iteration count that takes about target.
func calibrate(fn func(int), target time.Duration, clock func() (time.Duration, error)) int {
	n := 1
	for {
		t0, _ := clock()
		w0 := time.Now()
		fn(n)
		el := since(clock, t0)
		// The wall-clock guard stops a thread-CPU calibration of a fn that
		// mostly waits from growing without end.
		if el >= target || n >= 1<<30 || time.Since(w0) >= 4*target {
			return n
		}
		if el <= 0 {
			n *= 100
			continue
		}
		// Aim 20% past the target, growing at most 100x per step.
		next := int(float64(n) * 1.2 * float64(target) / float64(el))
		n = min(max(next, n+1), 100*n)
	}
}

func sample(fn func(int), o *Options, flush *flusher, clock func() (time.Duration, error)) Result {
	n := 1
	if flush == nil {
		n = calibrate(fn, o.SampleTime, clock)
	}
	var samples []float64
	var total time.Duration
	for len(samples) < o.MaxSamples && (len(samples) < o.MinSamples || total < o.MinTime) {
		if flush != nil {
			flush.run()
		}
		t0, _ := clock()
		fn(n)
		el := since(clock, t0)
		total += el
		samples = append(samples, float64(el.Nanoseconds())/float64(n))
	}
	s := Summarize(samples)
	return Result{
		Iterations: n,
		SamplesNs:  samples,
		MedianNs:   s.Median,
		MinNs:      s.Min,
		CV:         s.CV,
		Noisy:      s.CV > o.NoisyCV,
	}
}

func metrics(medianNs float64, o *Options) map[string]float64 {
	m := map[string]float64{}
	if medianNs <= 0 || math.IsNaN(medianNs) {
		return m
	}
	if o.Ops > 0 {
		m[o.OpsUnit] = o.Ops / medianNs // ops/ns == Gops/s
	}
	if o.Bytes > 0 {
		m["GB/s"] = float64(o.Bytes) / medianNs
		m["MB/s"] = 1e3 * float64(o.Bytes) / medianNs
	}
	return m
}
