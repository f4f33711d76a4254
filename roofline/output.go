package roofline

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/aiq-project/aiq/kernels"
)

// WriteJSON writes r as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("roofline: encode json: %w", err)
	}
	return nil
}

func decode(b []byte, name string) (*Result, error) {
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("roofline: %s: %w", name, err)
	}
	if r.Threads < 1 || len(r.PeakGOPS) == 0 || len(r.BandwidthGBs) == 0 {
		return nil, fmt.Errorf("roofline: %s: missing threads, peak_gops or bandwidth_gbs", name)
	}
	return &r, nil
}

// WriteTable prints the levels per thread count, the peaks and the ridge
// points.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	c := r.Host.Caches
	fmt.Fprintf(w, "host: %s, %d CPUs, clock %.2f GHz scalar / %.2f GHz under dense FMA (measured), caches L1d %d KiB, L2 %d KiB, L3 %d MiB (%s), bandwidth ISA %s\n",
		r.Host.CPU, r.Host.Cores, r.Host.ClockGHz, r.Host.VectorClockGHz, c.L1D>>10, c.L2>>10, c.L3>>20, c.Source, r.Host.BWISA)
	fmt.Fprintln(tw, "threads\tlevel\tsizes (total)\tread\twrite\tcopy\ttriad\twrite NT\tcopy NT\ttriad NT\t")
	for _, s := range r.Sweeps {
		for _, p := range s.Plateaus {
			fmt.Fprintf(tw, "%d\t%s\t%s..%s", s.Threads, p.Level, humanBytes(p.FromBytes), humanBytes(p.ToBytes))
			for _, k := range []Kind{Read, Write, Copy, Triad, WriteNT, CopyNT, TriadNT} {
				fmt.Fprintf(tw, "\t%.1f", p.GBs[k])
			}
			fmt.Fprintln(tw, "\t")
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "bandwidth in GB/s (bytes counted as STREAM does), median over each detected plateau of the best of the samples")
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "format\tisa\tGOP/s 1 core\tops/cycle\tops/FMA-cycle\tridge L1\tridge L2\tridge L3\tridge DRAM\t")
	for _, f := range kernels.Formats {
		p := r.Peaks[f]
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%s", f, p.ISA, p.GOPS, orDash(p.OpsPerCycle), orDash(p.OpsPerFMACycle))
		for _, l := range Levels {
			rp, err := r.Ridge(f, l, r.Threads)
			if err != nil {
				fmt.Fprint(tw, "\t-")
				continue
			}
			fmt.Fprintf(tw, "\t%.1f", rp)
		}
		fmt.Fprintln(tw, "\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "ops/cycle at the scalar clock, ops/FMA-cycle at the clock under dense FMA load (a multiply-accumulate is 2 ops)")
	fmt.Fprintf(w, "ridge points in ops/byte at %d thread(s) (peak x threads / level bandwidth); probe took %.1f s\n", r.Threads, r.Seconds)
	return nil
}

func humanBytes(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.3gG", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.3gM", float64(b)/(1<<20))
	default:
		return fmt.Sprintf("%.3gK", float64(b)/(1<<10))
	}
}

// orDash prints a figure that was not measured (0) as "-".
func orDash(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", v)
}
