package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/roofline"
)

func init() {
	register("roofline", "probe memory bandwidth and peak compute of this host", runRoofline)
}

func runRoofline(args []string) error { return rooflineCmd(args, os.Stdout, os.Stderr) }

func rooflineCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("roofline")
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "fewer sizes and samples (under 20 s)")
	threads := fs.Int("threads", 0, "threads for the all-threads sweep (0: every allowed CPU)")
	asJSON := fs.Bool("json", false, "print the probe result as JSON on stdout (instead of the table)")
	jsonPath := fs.String("out", "", "write the probe result as JSON to `FILE` (what bench --roofline reads)")
	svgPath := fs.String("svg", "", "write the roofline chart as SVG to `FILE`")
	resultsDir := fs.String("results", "", "save the run under `DIR`/<host-id>/")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *threads < 0 {
		return usagef("--threads %d: must be >= 0", *threads)
	}
	if err := checkOutDirs(map[string]string{"--out": *jsonPath, "--svg": *svgPath}); err != nil {
		return err
	}
	r, err := roofline.Probe(roofline.Options{
		Quick:    *quick,
		Threads:  *threads,
		Progress: func(msg string) { fmt.Fprintln(stderr, msg) },
	})
	if err != nil {
		return err
	}
	return saveRoofline(r, stdout, stderr, *asJSON, *jsonPath, *svgPath, *resultsDir)
}

// saveRoofline prints a probe (its table, or its JSON) and writes its
// outputs.
func saveRoofline(r *roofline.Result, stdout, stderr io.Writer, asJSON bool, jsonPath, svgPath, resultsDir string) error {
	print := r.WriteTable
	if asJSON {
		print = r.WriteJSON
	}
	if err := print(stdout); err != nil {
		return err
	}
	if jsonPath != "" {
		if err := atomicfile.Write(jsonPath, r.WriteJSON); err != nil {
			return err
		}
	}
	if svgPath != "" {
		err := atomicfile.Write(svgPath, func(w io.Writer) error {
			return roofline.WriteSVG(w, r, roofline.ChartOptions{})
		})
		if err != nil {
			return err
		}
	}
	if resultsDir != "" {
		run, skipped, err := rooflineRun(r)
		if err != nil {
			return err
		}
		for _, s := range skipped {
			fmt.Fprintf(stderr, "not saved: %s\n", s)
		}
		path, err := run.Save(resultsDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "saved %s\n", path)
	}
	return nil
}

// rooflineRun builds the results run of a probe: the probe itself (for the
// report's chart) and, per memory level and streaming kernel, the
// bandwidths the sweep measured on the level's plateau at the all-threads
// count, one sample per working-set size, whose median is the level's
// figure. Points with fewer than results.MinSamples sizes are left out and
// listed in skipped.
// Peaks are saved per format with the GOP/s of every timed sample.
func rooflineRun(r *roofline.Result) (run *results.Run, skipped []string, err error) {
	var probe bytes.Buffer
	if err := json.NewEncoder(&probe).Encode(r); err != nil {
		return nil, nil, fmt.Errorf("roofline: encoding the probe: %w", err)
	}
	p := &results.Roofline{Probe: bytes.TrimSpace(probe.Bytes())}
	var sweep *roofline.ThreadSweep
	for i := range r.Sweeps {
		if r.Sweeps[i].Threads == r.Threads {
			sweep = &r.Sweeps[i]
		}
	}
	if sweep == nil {
		return nil, nil, fmt.Errorf("roofline: the probe has no sweep at %d threads", r.Threads)
	}
	levels := make([]string, 0, len(r.BandwidthGBs))
	for l := range r.BandwidthGBs {
		levels = append(levels, string(l))
	}
	sort.Strings(levels)
	for _, l := range levels {
		for _, k := range []roofline.Kind{roofline.Read, roofline.Write, roofline.Copy, roofline.Triad, roofline.WriteNT, roofline.CopyNT, roofline.TriadNT} {
			var vals []float64
			for _, pl := range sweep.Plateaus {
				if string(pl.Level) != l {
					continue
				}
				for _, sp := range sweep.Points {
					if v := sp.Best[k]; sp.Bytes >= pl.FromBytes && sp.Bytes <= pl.ToBytes && v > 0 {
						vals = append(vals, v)
					}
				}
			}
			name := strings.ToLower(l) + "/" + string(k)
			if len(vals) < results.MinSamples {
				skipped = append(skipped, fmt.Sprintf("bandwidth %s: %d sizes on the plateau, want %d", name, len(vals), results.MinSamples))
				continue
			}
			p.Bandwidth = append(p.Bandwidth, results.Point{Name: name, Metric: results.Metric{Unit: "GB/s", Values: vals}})
		}
	}
	formats := make([]string, 0, len(r.Peaks))
	for f := range r.Peaks {
		formats = append(formats, f.String())
	}
	sort.Strings(formats)
	for _, f := range formats {
		pk := r.Peaks[kernels.FormatNamed(f)]
		if len(pk.Samples) < results.MinSamples {
			skipped = append(skipped, fmt.Sprintf("peak %s: %d samples, want %d", f, len(pk.Samples), results.MinSamples))
			continue
		}
		p.Peaks = append(p.Peaks, results.Point{Name: f, Metric: results.Metric{Unit: "GOP/s", Values: pk.Samples}})
	}
	run = results.New(results.KindRoofline)
	run.Threads = r.Threads
	mode := "full"
	if r.Quick {
		mode = "quick"
	}
	run.Protocol["probe"] = mode
	run.Protocol["bandwidth"] = fmt.Sprintf("per level and kernel at %d threads: the best of each working-set size's samples, every size on the level's plateau", r.Threads)
	run.Protocol["peaks"] = "per format on one pinned core: GOP/s of every timed sample (thread CPU time); the probe's figure is the fastest"
	run.Summary = fmt.Sprintf("%s probe, %d thread(s), fp32 peak %.0f GOP/s/core", mode, r.Threads, r.PeakGOPS[kernels.FP32])
	if !r.Time.IsZero() {
		run.Time = r.Time.UTC().Truncate(1e6)
	}
	if err := run.SetPayload(p); err != nil {
		return nil, nil, err
	}
	return run, skipped, nil
}
