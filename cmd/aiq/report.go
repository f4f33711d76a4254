package main

import (
	"fmt"
	"math"
	"os"

	"github.com/aiq-project/aiq/report"
	"github.com/aiq-project/aiq/results"
)

func init() {
	register("report", "write one self-contained HTML report of this host's results", runReport)
}

func runReport(args []string) error {
	fs := newFlags("report")
	dir := fs.String("results", defaultResultsDir, "results `DIR` (runs as DIR/<host-id>/*.json)")
	host := fs.String("host", "", "host id to report (default: this host, else the host with the latest run)")
	out := fs.String("out", "report.html", "write the HTML report to `FILE`")
	searchOut := fs.String("search-out", "", "`DIR` holding 'aiq search --out' directories (search.json): adds the uniform baselines")
	// The history marks steps, and the changes flag regressions, by the rules of aiq compare.
	threshold := fs.Float64("threshold", 100*results.DefaultOptions.Threshold, "smallest change of a timed point's median, in `percent`, that is a step in the history")
	alpha := fs.Float64("alpha", results.DefaultOptions.Alpha, "significance level of the Mann-Whitney U test between consecutive runs")
	top1Points := fs.Float64("top1-points", results.DefaultOptions.Top1Points, "smallest change of top-1, in absolute `points` on the same images, that is a step")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o := results.Options{Alpha: *alpha, Threshold: *threshold / 100, Top1Points: *top1Points}
	switch {
	case !(*threshold >= 0) || math.IsInf(*threshold, 0):
		return usagef("--threshold %v: must be a number >= 0", *threshold)
	case !(*top1Points >= 0) || math.IsInf(*top1Points, 0):
		return usagef("--top1-points %v: must be a number >= 0", *top1Points)
	case !(*alpha > 0 && *alpha < 1):
		return usagef("--alpha %v: must be in (0, 1)", *alpha)
	}
	d, err := report.CollectWith(*dir, *host, o)
	if err != nil {
		return err
	}
	if *searchOut != "" {
		d.AddSearchOutputs(*searchOut)
	}
	if err := report.WriteFile(*out, d); err != nil {
		return err
	}
	for _, n := range d.Notes {
		fmt.Fprintf(os.Stderr, "note: %s\n", n)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (host %s: %d kernel runs, %d bench runs, %d searches, %d evals; %d tracked points, %d step changes; %d charts)\n",
		*out, d.Host.ID, len(d.Kernels), len(d.Benches), len(d.Searches), len(d.Evals), len(d.History.Series), len(d.History.Steps), len(report.ChartIDs(d)))
	return nil
}
