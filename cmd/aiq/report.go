package main

import (
	"fmt"
	"os"

	"github.com/aiq-project/aiq/report"
	"github.com/aiq-project/aiq/results"
)

func init() {
	register("report", "write one self-contained HTML report of this host's results (report record: store command JSON as runs)", runReport)
}

func runReport(args []string) error {
	if len(args) > 0 && args[0] == "record" {
		return runReportRecord(args[1:])
	}
	fs := newFlags("report")
	dir := fs.String("results", "results", "results `DIR` (runs as DIR/<host-id>/*.json)")
	host := fs.String("host", "", "host id to report (default: this host, else the host with the latest run)")
	out := fs.String("out", "report.html", "write the HTML report to `FILE`")
	searchOut := fs.String("search-out", "", "`DIR` holding 'aiq search --out' directories (search.json): adds the uniform baselines")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: aiq report [flags]\n       aiq report record [--results DIR] [--roofline F] [--kernels F] [--eval F [--config NAME]]\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := report.Collect(*dir, *host)
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
	fmt.Fprintf(os.Stderr, "wrote %s (host %s: %d kernel runs, %d searches, %d evals, %d charts)\n",
		*out, d.Host.ID, len(d.Kernels), len(d.Searches), len(d.Evals), len(report.ChartIDs(d)))
	return nil
}

// runReportRecord stores the JSON output of commands that do not save a
// results run themselves (aiq roofline --json, aiq bench --json,
// aiq eval --json) as runs under --results.
func runReportRecord(args []string) error {
	fs := newFlags("report record")
	dir := fs.String("results", "results", "results `DIR`")
	rf := fs.String("roofline", "", "`FILE` written by 'aiq roofline --json'")
	kf := fs.String("kernels", "", "`FILE` written by 'aiq bench --json'")
	ef := fs.String("eval", "", "`FILE` printed by 'aiq eval --json'")
	config := fs.String("config", "", "name of the evaluated configuration (default: the precision, or its config file's base name)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rf == "" && *kf == "" && *ef == "" {
		fmt.Fprintln(os.Stderr, "aiq report record: give --roofline, --kernels or --eval")
		return errUsage
	}
	convert := []struct {
		path string
		fn   func(raw []byte, name string) (*results.Run, error)
	}{
		{*rf, report.FromRoofline},
		{*kf, report.FromKernels},
		{*ef, func(raw []byte, name string) (*results.Run, error) { return report.FromEval(raw, name, *config) }},
	}
	for _, c := range convert {
		if c.path == "" {
			continue
		}
		raw, err := os.ReadFile(c.path)
		if err != nil {
			return err
		}
		run, err := c.fn(raw, c.path)
		if err != nil {
			return err
		}
		path, err := run.Save(*dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "saved %s\n", path)
	}
	return nil
}
