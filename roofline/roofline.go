// Package roofline probes this host's roofline: the bandwidth of every
// memory level (from plateaus of a working-set sweep of streaming loops,
// pinned threads, memory first-touched by its thread) and the peak compute
// of one core per number format (fp32, fp16, int8, int4), then models the
// attainable throughput min(peak, bandwidth x arithmetic intensity).
package roofline

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/kernels"
)

// Bandwidth is one level's bandwidth in GB/s (1e9 bytes/s), bytes counted as
// STREAM does (no write-allocate traffic). Read, Write, Copy and Triad use
// regular stores, like a compiled STREAM; the NT figures use non-temporal
// stores, which skip the read-for-ownership and so reach further in DRAM.
type Bandwidth struct {
	Read    float64 `json:"read"`
	Write   float64 `json:"write"`
	Copy    float64 `json:"copy"`
	Triad   float64 `json:"triad"`
	WriteNT float64 `json:"write_nt"`
	CopyNT  float64 `json:"copy_nt"`
	TriadNT float64 `json:"triad_nt"`
}

// Ceiling is the bandwidth the roofline uses for the level: the best of the
// streaming kernels, as a kernel may use whichever pattern suits it.
func (b Bandwidth) Ceiling() float64 {
	return max(b.Read, b.Write, b.Copy, b.Triad, b.WriteNT, b.CopyNT, b.TriadNT)
}

// ThreadSweep is the sweep and its levels at one thread count.
type ThreadSweep struct {
	Threads   int                 `json:"threads"`
	CPUs      []int               `json:"cpus"`
	HugePages bool                `json:"huge_pages"`
	Levels    map[Level]Bandwidth `json:"bandwidth_gbs"`
	Plateaus  []Plateau           `json:"plateaus"`
	Points    []SweepPoint        `json:"sweep"`
}

// Peak is one format's measured peak on one core.
// OpsPerCycle divides by the scalar clock, OpsPerFMACycle by the clock
// under dense FMA load: the CPU may run a loop at either (here integer dot
// products keep the scalar clock, dense fp32 FMA drops to the lower one).
type Peak struct {
	GOPS           float64 `json:"gops"`
	OpsPerCycle    float64 `json:"ops_per_cycle,omitempty"`
	OpsPerFMACycle float64 `json:"ops_per_fma_cycle,omitempty"`
	ISA            string  `json:"isa"`
	// Samples are the GOP/s of every timed sample (GOPS is the fastest),
	// kept for regression tracking.
	Samples []float64 `json:"samples,omitempty"`
}

// Host describes the machine.
type Host struct {
	CPU    string         `json:"cpu"`
	GOOS   string         `json:"goos"`
	GOARCH string         `json:"goarch"`
	Cores  int            `json:"logical_cpus"`
	Caches kernels.Caches `json:"caches"`
	// ClockGHz is measured with a dependent add chain; VectorClockGHz the
	// same with wide FMAs running alongside (some CPUs slow down then).
	ClockGHz       float64 `json:"clock_ghz,omitempty"`
	VectorClockGHz float64 `json:"vector_clock_ghz,omitempty"`
	BWISA          string  `json:"bandwidth_isa"`
}

// Result is a probe's outcome. Threads, BandwidthGBs and PeakGOPS form the
// JSON contract other tools read.
type Result struct {
	Threads      int                        `json:"threads"`
	BandwidthGBs map[Level]Bandwidth        `json:"bandwidth_gbs"` // all threads
	PeakGOPS     map[kernels.Format]float64 `json:"peak_gops"`     // one core
	Peaks        map[kernels.Format]Peak    `json:"peaks"`
	Sweeps       []ThreadSweep              `json:"sweeps"`
	Host         Host                       `json:"host"`
	Quick        bool                       `json:"quick"`
	Seconds      float64                    `json:"probe_seconds"`
	Time         time.Time                  `json:"time"`
}

// Options control a probe.
type Options struct {
	// Quick trades precision for time (fewer sizes and samples).
	Quick bool
	// Threads is the "all threads" count (default: every allowed CPU).
	// The sweep runs on 1 thread and on Threads.
	Threads int
	// Progress, when set, receives one line per step.
	Progress func(msg string)
}

// Probe measures this host.
func Probe(opts Options) (*Result, error) {
	start := time.Now()
	cpus, err := harness.CPUs()
	if err != nil {
		return nil, fmt.Errorf("roofline: %w", err)
	}
	if len(cpus) == 0 {
		return nil, errors.New("roofline: no CPU available")
	}
	threads := opts.Threads
	switch {
	case threads == 0:
		threads = len(cpus)
	case threads < 0 || threads > len(cpus):
		return nil, fmt.Errorf("roofline: %d threads: want 1..%d (the allowed CPUs)", threads, len(cpus))
	}
	say := func(format string, a ...any) {
		if opts.Progress != nil {
			opts.Progress(fmt.Sprintf("[%5.1fs] ", time.Since(start).Seconds()) + fmt.Sprintf(format, a...))
		}
	}
	caches := hostCaches()
	ks := selectKernels()
	r := &Result{
		Threads:      threads,
		BandwidthGBs: map[Level]Bandwidth{},
		PeakGOPS:     map[kernels.Format]float64{},
		Quick:        opts.Quick,
		Time:         start.UTC(),
		Host: Host{
			CPU: kernels.CPUName(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
			Cores: len(cpus), Caches: caches, BWISA: ks.bw.isa,
		},
	}

	say("peak compute on cpu %d", cpus[0])
	if r.Host.ClockGHz, r.Host.VectorClockGHz, r.Peaks, err = probePeaks(cpus[0], opts.Quick, ks); err != nil {
		return nil, err
	}
	for f, p := range r.Peaks {
		r.PeakGOPS[f] = p.GOPS
	}

	cfg := sweepConfig{minBytes: 4 << 10, stepsPerOctave: 4, samples: 5, sampleTime: 4 * time.Millisecond}
	if opts.Quick {
		cfg = sweepConfig{minBytes: 4 << 10, stepsPerOctave: 2, samples: 2, sampleTime: 1500 * time.Microsecond}
	}
	// At least 4x the last-level cache, so DRAM is a plateau, not an edge.
	largest := int64(caches.Largest())
	cfg.maxBytes = (max(4*largest, 64<<20) + 4095) &^ 4095
	cfg.coarseFrom = 2 * largest
	if opts.Quick {
		cfg.coarseFrom = max(largest/4, 8<<20)
	}
	counts := []int{1}
	if threads > 1 {
		counts = append(counts, threads)
	}
	// Boundary windows: private L1 and L2 scale with the threads, the L3
	// is shared.
	capsFor := func(t int) []int64 {
		caps := []int64{int64(caches.L1D) * int64(t)}
		if caches.L2 > 0 {
			caps = append(caps, int64(caches.L2)*int64(t))
		}
		if caches.L3 > 0 {
			caps = append(caps, int64(caches.L3))
		}
		return caps
	}
	for _, t := range counts {
		say("bandwidth sweep on %d thread(s), %d KiB .. %d MiB", t, cfg.minBytes>>10, cfg.maxBytes>>20)
		ts, err := sweepThreads(cpus[:t], cfg, capsFor(t), ks.bw, func(done, total int) {
			if done%8 == 0 || done == total {
				say("  %d threads: %d/%d sizes", t, done, total)
			}
		})
		if err != nil {
			return nil, err
		}
		r.Sweeps = append(r.Sweeps, ts)
	}
	r.BandwidthGBs = r.Sweeps[len(r.Sweeps)-1].Levels
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// hostCaches are the host's caches from package kernels, or typical sizes
// when nothing answered: the sweep needs a range either way.
func hostCaches() kernels.Caches {
	if c := kernels.HostCaches(); c.L1D > 0 {
		return c
	}
	return kernels.Caches{L1D: 32 << 10, L2: 1 << 20, L3: 32 << 20, Source: "assumed (cpuid and sysfs gave nothing)"}
}

func sweepThreads(cpus []int, cfg sweepConfig, caps []int64, bw bandwidthKernels, progress func(int, int)) (ThreadSweep, error) {
	sizes := cfg.sizes()
	per := int(sizes[len(sizes)-1]/int64(len(cpus))/4) + arraySlack
	p, err := newPool(cpus, per, bw)
	if err != nil {
		return ThreadSweep{}, fmt.Errorf("roofline: %w", err)
	}
	defer p.close()
	ts := ThreadSweep{Threads: len(cpus), CPUs: cpus, HugePages: p.workers[0].huge}
	ts.Points = p.sweep(cfg, progress)
	ts.Plateaus, err = DetectPlateausNear(ts.Points, len(caps)+1, caps)
	if err != nil {
		return ts, err
	}
	ts.Levels = levelTable(ts.Plateaus)
	return ts, nil
}

// levelTable maps plateaus to the four contract levels; a level the host
// lacks (no L3) takes the figures of the next slower one.
func levelTable(ps []Plateau) map[Level]Bandwidth {
	m := map[Level]Bandwidth{}
	for _, p := range ps {
		m[p.Level] = Bandwidth{
			Read: p.GBs[Read], Write: p.GBs[Write], Copy: p.GBs[Copy], Triad: p.GBs[Triad],
			WriteNT: p.GBs[WriteNT], CopyNT: p.GBs[CopyNT], TriadNT: p.GBs[TriadNT],
		}
	}
	for i := len(Levels) - 2; i >= 0; i-- {
		if _, ok := m[Levels[i]]; !ok {
			m[Levels[i]] = m[Levels[i+1]]
		}
	}
	return m
}

// probePeaks measures the clock and every format's peak on one pinned core,
// taking the fastest sample: interference only ever slows a loop down.
func probePeaks(cpu int, quick bool, ks kernelSet) (ghz, vghz float64, peaks map[kernels.Format]Peak, err error) {
	// Many short samples timed by thread CPU time: on a shared host
	// preemption does not count, and the fastest sample is the one that
	// counts.
	o := harness.Options{Pin: true, CPU: cpu, ThreadCPUTime: runtime.GOOS == "linux", MinSamples: 50, MinTime: 200 * time.Millisecond, SampleTime: 2 * time.Millisecond, Reruns: -1}
	if quick {
		o.MinSamples, o.MinTime = 25, 60*time.Millisecond
	}
	clock := func(name string, chain func(int) int) (float64, error) {
		if chain == nil {
			return 0, nil
		}
		o.Name = name
		res, err := harness.Measure(func(n int) { chain(n) }, o)
		if err != nil {
			return 0, fmt.Errorf("roofline: %w", err)
		}
		return 32 / res.MinNs, nil // 32 one-cycle adds per iteration
	}
	if ghz, err = clock("clock", ks.clock); err != nil {
		return 0, 0, nil, err
	}
	if vghz, err = clock("clock/vector", ks.clockVector); err != nil {
		return 0, 0, nil, err
	}
	peaks = map[kernels.Format]Peak{}
	for _, f := range kernels.Formats {
		k := ks.compute[f]
		o.Name = "peak/" + string(f)
		res, err := harness.Measure(k.run, o)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("roofline: %w", err)
		}
		p := Peak{GOPS: k.opsPerIter / res.MinNs, ISA: k.isa}
		for _, ns := range res.SamplesNs {
			p.Samples = append(p.Samples, k.opsPerIter/ns)
		}
		if ghz > 0 {
			p.OpsPerCycle = p.GOPS / ghz
		}
		if vghz > 0 {
			p.OpsPerFMACycle = p.GOPS / vghz
		}
		peaks[f] = p
	}
	return ghz, vghz, peaks, nil
}

// ErrUnknown reports a format, level or thread count the result lacks.
var ErrUnknown = errors.New("roofline: not in the probe result")

// Attainable is the roofline: min(peak, bandwidth x ai), in GOP/s for peak
// in GOP/s, bandwidth in GB/s and ai in operations per byte.
func Attainable(peak, bandwidth, ai float64) float64 { return min(peak, bandwidth*ai) }

// Ridge is the arithmetic intensity where a level's bandwidth ceiling meets
// the compute peak.
func Ridge(peak, bandwidth float64) float64 { return peak / bandwidth }

// Ceilings returns the compute peak of format f on threads cores and the
// bandwidth ceiling of level l at that thread count.
func (r *Result) Ceilings(f kernels.Format, l Level, threads int) (peak, bw float64, err error) {
	p, ok := r.PeakGOPS[f]
	if !ok {
		return 0, 0, fmt.Errorf("format %q: %w", f, ErrUnknown)
	}
	for _, s := range r.Sweeps {
		if s.Threads == threads {
			b, ok := s.Levels[l]
			if !ok {
				return 0, 0, fmt.Errorf("level %q: %w", l, ErrUnknown)
			}
			return p * float64(threads), b.Ceiling(), nil
		}
	}
	if threads == r.Threads {
		if b, ok := r.BandwidthGBs[l]; ok {
			return p * float64(threads), b.Ceiling(), nil
		}
		return 0, 0, fmt.Errorf("level %q: %w", l, ErrUnknown)
	}
	return 0, 0, fmt.Errorf("%d threads: %w", threads, ErrUnknown)
}

// Attainable returns the attainable GOP/s of format f at intensity ai
// (ops/byte) with data in level l on threads cores.
func (r *Result) Attainable(f kernels.Format, ai float64, l Level, threads int) (float64, error) {
	if !(ai > 0) {
		return 0, fmt.Errorf("roofline: arithmetic intensity %v must be positive", ai)
	}
	peak, bw, err := r.Ceilings(f, l, threads)
	if err != nil {
		return 0, err
	}
	return Attainable(peak, bw, ai), nil
}

// Ridge returns the ridge point (ops/byte) of format f and level l.
func (r *Result) Ridge(f kernels.Format, l Level, threads int) (float64, error) {
	peak, bw, err := r.Ceilings(f, l, threads)
	if err != nil {
		return 0, err
	}
	return Ridge(peak, bw), nil
}

// LevelFor returns the level whose plateau holds a working set of bytes at
// the given thread count (DRAM past the last cache plateau).
func (r *Result) LevelFor(bytes int64, threads int) Level {
	for _, s := range r.Sweeps {
		if s.Threads != threads {
			continue
		}
		for _, p := range s.Plateaus {
			if p.Level != DRAM && bytes <= p.ToBytes {
				return p.Level
			}
		}
	}
	return DRAM
}

// Load reads a probe result written by WriteJSON.
func Load(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("roofline: %w", err)
	}
	return decode(b, path)
}
