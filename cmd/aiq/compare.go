package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/aiq-project/aiq/results"
)

func init() {
	register("compare", "compare two runs (result files, directories or Go benchmark text); exit 1 on a regression, 2 when they cannot be compared", runCompare)
}

// errRegressed makes main exit 1 after the table has named the regressions.
var errRegressed = errors.New("regressed")

func runCompare(args []string) error { return compare(args, os.Stdout, os.Stderr) }

// compare prints the comparison of two runs. Its error decides the exit
// status for CI: nil 0; errRegressed 1; anything that kept it from
// comparing (unreadable input, nothing in common, bad usage) 2, so a
// broken input is never taken for a regression or for a pass.
func compare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare")
	fs.SetOutput(stderr)
	threshold := fs.Float64("threshold", 100*results.DefaultOptions.Threshold, "smallest change of the median, in `percent`, that counts as a regression of a timed point")
	alpha := fs.Float64("alpha", results.DefaultOptions.Alpha, "significance level of the Mann-Whitney U test per point")
	top1Points := fs.Float64("top1-points", results.DefaultOptions.Top1Points, "largest drop of top-1, in absolute `points` on the same images, that is not a regression")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: aiq compare [flags] OLD NEW

OLD and NEW are result files (.json), directories of results (the latest run of each kind),
or Go benchmark text files (go test -bench -count 10).
Timed points: Mann-Whitney U test plus a threshold on the median (at least %d samples a side).
Top-1 (%s): absolute points, only between runs on the same images.
Exit status: 0 no regression, 1 a regression (each named), 2 unreadable input or bad usage.
`, results.MinSamples, results.UnitTop1)
		fs.PrintDefaults()
	}
	// Flags may come before or after the two paths.
	var paths []string
	rest := args
	for {
		if err := parseQuiet(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(paths) != 2 {
		return usagef("want two paths, OLD and NEW, got %d (run 'aiq compare -h')", len(paths))
	}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
	if bad(*threshold) || bad(*top1Points) || !(*alpha > 0 && *alpha < 1) {
		switch {
		case bad(*threshold):
			return usagef("--threshold %v: must be a number >= 0", *threshold)
		case bad(*top1Points):
			return usagef("--top1-points %v: must be a number >= 0", *top1Points)
		}
		return usagef("--alpha %v: must be in (0, 1)", *alpha)
	}
	o := results.Options{Alpha: *alpha, Threshold: *threshold / 100, Top1Points: *top1Points}
	c, err := results.CompareArgs(paths[0], paths[1], o)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := c.WriteTable(stdout); err != nil {
		return &exitError{code: 2, err: err}
	}
	if regs := c.Regressions(); len(regs) > 0 {
		names := make([]string, len(regs))
		for i, d := range regs {
			names[i] = fmt.Sprintf("%s (%s, %s)", d.Name, d.Unit, d.ChangeString())
		}
		return fmt.Errorf("%w: %s", errRegressed, strings.Join(names, ", "))
	}
	return nil
}
