package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/roofline"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

// kernelPoint is one benchmark of kernels.txt
// (Benchmark<Bench>/<format>/<variant>/<shape>) summarised over its counts.
type kernelPoint struct {
	Bench, Format, Variant, Shape string
	Counts                        int
	// GOPS is the median of the GFLOP/s metric (GOP/s for the integer
	// formats), GBs the median of the bytes/s (b.SetBytes) in GB/s.
	GOPS, GBs float64
	// Bytes is the median over the counts of the bytes one operation
	// moves (bytes/s x s/op): the working set, which places it on a
	// memory level of the roofline.
	Bytes float64
}

func (p kernelPoint) key() string { return p.Bench + "/" + p.Format + "/" + p.Variant + "/" + p.Shape }

// AI is the arithmetic intensity in operations per byte.
func (p kernelPoint) AI() float64 { return p.GOPS / p.GBs }

// kernelsRun is a parsed kernels.txt: its points in the order of the file,
// the CPU line and the load average written before the benchmarks.
type kernelsRun struct {
	Points []kernelPoint
	CPU    string
	Load   string
}

func median(v []float64) float64 {
	return benchmath.AssumeNothing.Summary(benchmath.NewSample(v, &benchmath.DefaultThresholds), 0.95).Center
}

// readKernels parses the Go benchmark output of scripts/perf-figures.sh:
// every line one count, medians per benchmark.
func readKernels(r io.Reader, name string) (*kernelsRun, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	run := new(kernelsRun)
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), "# load before:"); ok && run.Load == "" {
			run.Load = strings.TrimSpace(l)
		}
	}
	type counts struct{ gops, bps, bytes []float64 }
	byName := map[string]*counts{}
	br := benchfmt.NewReader(bytes.NewReader(raw), name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, rec
		case *benchfmt.Result:
			if run.CPU == "" {
				run.CPU = rec.GetConfig("cpu")
			}
			base, parts := rec.Name.Parts()
			if len(parts) > 0 && parts[len(parts)-1][0] == '-' {
				parts = parts[:len(parts)-1] // GOMAXPROCS
			}
			if len(parts) != 3 {
				continue // not <format>/<variant>/<shape>
			}
			sec, ok1 := rec.Value("sec/op")
			bps, ok2 := rec.Value("B/s")
			gops, ok3 := rec.Value("GFLOP/s")
			file, line := rec.Pos()
			if !ok1 || !ok2 || !ok3 || !(sec > 0 && bps > 0 && gops > 0) {
				return nil, fmt.Errorf("%s:%d: %s: needs positive ns/op, MB/s and GFLOP/s", file, line, rec.Name)
			}
			pt := kernelPoint{Bench: string(base), Format: string(parts[0][1:]), Variant: string(parts[1][1:]), Shape: string(parts[2][1:])}
			c := byName[pt.key()]
			if c == nil {
				c = new(counts)
				byName[pt.key()] = c
				run.Points = append(run.Points, pt)
			}
			c.gops = append(c.gops, gops)
			c.bps = append(c.bps, bps)
			c.bytes = append(c.bytes, bps*sec)
		}
	}
	if err := br.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(run.Points) == 0 {
		return nil, fmt.Errorf("%s: no benchmark results", name)
	}
	for i := range run.Points {
		p := &run.Points[i]
		c := byName[p.key()]
		p.Counts, p.GOPS, p.GBs, p.Bytes = len(c.gops), median(c.gops), median(c.bps)/1e9, median(c.bytes)
	}
	return run, nil
}

// perfMeta is meta.txt of scripts/perf-figures.sh: "# commit SHA[ with
// uncommitted changes], DATE" and "# load before: L1 L5 L15".
type perfMeta struct {
	Commit, Date, Load string
	Dirty              bool
}

func readPerfMeta(path string) (perfMeta, error) {
	var m perfMeta
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	for l := range strings.Lines(string(b)) {
		l = strings.TrimSpace(l)
		if s, ok := strings.CutPrefix(l, "# commit "); ok {
			commit, date, ok := strings.Cut(s, ", ")
			if !ok {
				return m, fmt.Errorf("%s: commit line %q without a date", path, l)
			}
			commit, m.Dirty = strings.CutSuffix(commit, " with uncommitted changes")
			m.Commit, m.Date = commit, date
		} else if s, ok := strings.CutPrefix(l, "# load before:"); ok {
			m.Load = strings.TrimSpace(s)
		}
	}
	if m.Commit == "" {
		return m, fmt.Errorf("%s: no commit line", path)
	}
	return m, nil
}

// kernelThreads is the thread count of the kernel benchmarks: they call
// the kernels without a pool.
const kernelThreads = 1

// roofPercent is 100 x the point's GOP/s over the roofline's attainable at
// its intensity, on the level that holds its working set at one thread.
func roofPercent(r *roofline.Result, p kernelPoint) (pct float64, level roofline.Level, err error) {
	level = r.LevelFor(int64(math.Ceil(p.Bytes)), kernelThreads)
	a, err := r.Attainable(kernels.FormatNamed(p.Format), p.AI(), level, kernelThreads)
	if err != nil {
		return 0, level, fmt.Errorf("%s: %w", p.key(), err)
	}
	return 100 * p.GOPS / a, level, nil
}

// fastest returns the fastest variant of format f at shape in bench.
func fastest(pts []kernelPoint, bench, f, shape string) (kernelPoint, bool) {
	var best kernelPoint
	ok := false
	for _, p := range pts {
		if p.Bench == bench && p.Format == f && p.Shape == shape && (!ok || p.GOPS > best.GOPS) {
			best, ok = p, true
		}
	}
	return best, ok
}

func shapes(pts []kernelPoint, bench string) []string {
	var s []string
	for _, p := range pts {
		if p.Bench == bench && !slices.Contains(s, p.Shape) {
			s = append(s, p.Shape)
		}
	}
	return s
}

func opsUnit(f string) string {
	if strings.HasPrefix(f, "fp") {
		return "GFLOP/s"
	}
	return "GOP/s"
}

// KernelsTables renders the kernels section from the outputs of
// scripts/perf-figures.sh in dir: meta.txt, roofline.json, kernels.txt.
func KernelsTables(dir string) (string, error) {
	meta, err := readPerfMeta(filepath.Join(dir, "meta.txt"))
	if err != nil {
		return "", err
	}
	rf, err := roofline.Load(filepath.Join(dir, "roofline.json"))
	if err != nil {
		return "", err
	}
	f, err := os.Open(filepath.Join(dir, "kernels.txt"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	run, err := readKernels(f, filepath.Join(dir, "kernels.txt"))
	if err != nil {
		return "", err
	}
	return kernelsText(meta, rf, run)
}

func kernelsText(meta perfMeta, rf *roofline.Result, run *kernelsRun) (string, error) {
	var s strings.Builder
	cpu := run.CPU
	if cpu == "" {
		cpu = rf.Host.CPU
	}
	commit := meta.Commit[:min(7, len(meta.Commit))]
	if meta.Dirty {
		commit += " with uncommitted changes"
	}
	counts := 0
	for _, p := range run.Points {
		counts = max(counts, p.Counts)
	}
	fmt.Fprintf(&s, "Kernels on 1 thread (`bash scripts/perf-figures.sh`; raw outputs `kernels.txt`, `roofline.json` and `meta.txt` in `data/published-runs/perf/`): ")
	if cpu != "" {
		fmt.Fprintf(&s, "%s, ", cpu)
	}
	fmt.Fprintf(&s, "commit %s, %s; load average before the roofline probe %s, before the kernels %s. ", commit, meta.Date, meta.Load, run.Load)
	fmt.Fprintf(&s, "Medians of %d counts. ", counts)
	s.WriteString("Peaks and bandwidths are `aiq roofline --quick` on one core: peak")
	for i, f := range []kernels.Format{kernels.FP32, kernels.Int8, kernels.Int4} {
		if i > 0 {
			s.WriteString(",")
		}
		fmt.Fprintf(&s, " %s %.0f %s (%s)", f, rf.PeakGOPS[f], opsUnit(f.String()), rf.Peaks[f].ISA)
	}
	s.WriteString("; bandwidth (the best of read, write, copy, triad and their non-temporal forms)")
	for i, l := range roofline.Levels {
		if i > 0 {
			s.WriteString(",")
		}
		_, bw, err := rf.Ceilings(kernels.FP32, l, kernelThreads)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&s, " %s %.0f GB/s", l, bw)
	}
	s.WriteString(".\n\n")

	// GEMM.
	const gemm = "GEMMQTargets"
	if sh := shapes(run.Points, gemm); len(sh) > 0 {
		peak := rf.PeakGOPS[kernels.FP32]
		if !(peak > 0) {
			return "", fmt.Errorf("roofline.json: no fp32 peak")
		}
		cols := []string{"fp32", "int8", "int4"}
		// A format's variant goes in the header when it is the fastest
		// at every shape, else in its cells.
		head, uniform := []string{"shape MxNxK"}, map[string]bool{}
		for _, c := range cols {
			var vs []string
			for _, shape := range sh {
				if p, ok := fastest(run.Points, gemm, c, shape); ok && !slices.Contains(vs, p.Variant) {
					vs = append(vs, p.Variant)
				}
			}
			v := ""
			if uniform[c] = len(vs) == 1; uniform[c] {
				v = " " + vs[0]
			}
			head = append(head, fmt.Sprintf("%s%s %s", c, v, opsUnit(c)))
		}
		head = append(head, "GB/s fp32 / int8 / int4")
		fmt.Fprintf(&s, "GEMM (`Benchmark%s`: M rows of activations times K x N weights, the fastest variant per format), with fp32's %% of its peak and each integer format's speed-up over the previous column. "+
			"The 1xNxK rows are matrix-vector products bound by streaming the weights, whose rate the GB/s give (A, B and C once):\n\n", gemm)
		s.WriteString("| " + strings.Join(head, " | ") + " |\n|" + strings.Repeat("---|", len(head)) + "\n")
		for _, shape := range sh {
			row := []string{shape}
			var prev kernelPoint
			var bw []string
			for i, c := range cols {
				p, ok := fastest(run.Points, gemm, c, shape)
				if !ok {
					row, prev, bw = append(row, "-"), kernelPoint{}, append(bw, "-")
					continue
				}
				cell := gops(p.GOPS)
				if !uniform[c] {
					cell = p.Variant + " " + cell
				}
				switch {
				case i == 0:
					cell += fmt.Sprintf(" (%.0f%% of peak)", 100*p.GOPS/peak)
				case prev.GOPS > 0:
					cell += fmt.Sprintf(" (%.2fx %s)", p.GOPS/prev.GOPS, prev.Format)
				}
				row, prev, bw = append(row, cell), p, append(bw, fmt.Sprintf("%.1f", p.GBs))
			}
			row = append(row, strings.Join(bw, " / "))
			s.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
	}

	// Depthwise.
	const dw = "Depthwise"
	if sh := shapes(run.Points, dw); len(sh) > 0 {
		cols := []string{"fp32", "int8"}
		fmt.Fprintf(&s, "\nDepthwise 3x3 (`Benchmark%s`, shapes `b<batch>-<C>x<H>x<W>-s<stride>`, ReLU6), the fastest variant per format: GB/s (input and output once), operations per second (18 per output) and their %% of the roofline's attainable, the lower of the peak and the intensity (operations per byte) times the bandwidth of the level that holds the working set:\n\n", dw)
		head := []string{"shape"}
		for _, c := range cols {
			head = append(head, c+" variant", c+" GB/s", c+" "+opsUnit(c), c+" % of roofline (level)")
		}
		s.WriteString("| " + strings.Join(head, " | ") + " |\n|" + strings.Repeat("---|", len(head)) + "\n")
		for _, shape := range sh {
			row := []string{shape}
			for _, c := range cols {
				p, ok := fastest(run.Points, dw, c, shape)
				if !ok {
					row = append(row, "-", "-", "-", "-")
					continue
				}
				pct, level, err := roofPercent(rf, p)
				if err != nil {
					return "", err
				}
				row = append(row, p.Variant, fmt.Sprintf("%.1f", p.GBs), gops(p.GOPS), fmt.Sprintf("%.0f%% (%s)", pct, level))
			}
			s.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
	}
	return s.String(), nil
}

// gops prints a rate with three significant figures at most.
func gops(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
