package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aiq-project/aiq/results"
)

func init() {
	register("compare", "compare two runs (result files, directories or Go benchmark text); exit 1 on a regression", runCompare)
}

// errRegressed makes main exit 1 after the table has named the regressions.
var errRegressed = errors.New("regressed")

func runCompare(args []string) error {
	fs := newFlags("compare")
	threshold := fs.Float64("threshold", 5, "smallest change of the median, in `percent`, that counts as a regression")
	alpha := fs.Float64("alpha", 0.05, "significance level of the Mann-Whitney U test per point")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: aiq compare [flags] OLD NEW\n\nOLD and NEW are result files (.json), directories of results (the latest run of each kind),\nor Go benchmark text files (go test -bench -count 10). Exit 1 when a point regressed.")
		fs.PrintDefaults()
	}
	// Flags may come before or after the two paths.
	var paths []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(paths) != 2 {
		fs.Usage()
		return errUsage
	}
	if *threshold < 0 || *alpha <= 0 || *alpha >= 1 {
		fmt.Fprintf(os.Stderr, "aiq compare: --threshold %v must be >= 0 and --alpha %v in (0, 1)\n", *threshold, *alpha)
		return errUsage
	}
	c, err := results.CompareArgs(paths[0], paths[1], results.Options{Alpha: *alpha, Threshold: *threshold / 100})
	if err != nil {
		return err
	}
	if err := c.WriteTable(os.Stdout); err != nil {
		return err
	}
	if regs := c.Regressions(); len(regs) > 0 {
		names := make([]string, len(regs))
		for i, d := range regs {
			names[i] = fmt.Sprintf("%s (%s, %+.1f%%)", d.Name, d.Unit, 100*d.Change)
		}
		return fmt.Errorf("%w: %s", errRegressed, strings.Join(names, ", "))
	}
	return nil
}
