package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/aiq-project/aiq/results"
)

func init() {
	register("results", "list recorded runs (results list), or print this host's id (results host)", runResults)
}

func runResults(args []string) error {
	const use = "usage: aiq results list [--results DIR] | aiq results host | aiq results hosts [--results DIR]"
	if len(args) == 0 {
		return usagef("want a subcommand: list, host or hosts (%s)", use)
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Println(use)
		return flag.ErrHelp
	}
	switch args[0] {
	case "list":
		return resultsList(args[1:])
	case "host":
		fs := newFlags("results host")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		fmt.Println(results.DetectHost().ID)
		return nil
	case "hosts":
		return resultsHosts(args[1:])
	}
	return usagef("unknown subcommand %q (want list, host or hosts)", args[0])
}

func resultsList(args []string) error {
	fs := newFlags("results list")
	dir := resultsDirFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	runs, err := results.List(*dir)
	if errors.Is(err, iofs.ErrNotExist) {
		runs, err = nil, nil
	}
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintf(os.Stderr, "no runs under %s\n", *dir)
		return nil
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "time\tkind\thost\tcommit\tthreads\tbatch\tsummary")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.Time.UTC().Format(time.RFC3339), r.Kind, r.Host.ID,
			r.Version.Short(), r.Threads, r.Batch, r.Describe())
	}
	return tw.Flush()
}

// resultsHosts prints the host ids of the runs under a directory, one a
// line, for scripts (.ci/compare.sh).
func resultsHosts(args []string) error {
	fs := newFlags("results hosts")
	dir := resultsDirFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	runs, err := results.List(*dir)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range runs {
		seen[r.Host.ID] = true
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Println(id)
	}
	return nil
}

// defaultResultsDir is where runs are read from by default: runs/ of the
// working directory, which scripts/bench.sh fills and git ignores. The
// published runs behind the README are in data/published-runs/.
const defaultResultsDir = "runs"

// resultsDirFlag is --results DIR of the commands that read runs; --dir is
// its old name, kept so older scripts still work.
func resultsDirFlag(fs *flag.FlagSet) *string {
	dir := fs.String("results", defaultResultsDir, "results `DIR` (runs as DIR/<host-id>/*.json)")
	fs.StringVar(dir, "dir", defaultResultsDir, "old name of --results")
	return dir
}

// saveRun saves run, built with err, under dir and names the file on
// stderr.
func saveRun(dir string, run *results.Run, err error, stderr io.Writer) error {
	if err != nil {
		return err
	}
	path, err := run.Save(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "saved %s\n", path)
	return nil
}
