// Command aiq finds per-layer number formats (fp32, fp16, int8, int4) that make
// a CNN fastest on this CPU within an accuracy bound, and measures why.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

// command is one subcommand. Each lives in its own file and registers itself
// from init, so subcommands can be added without touching this file.
type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

// errUsage reports bad flags; the subcommand has already printed why.
var errUsage = errors.New("usage")

// exitError makes main exit with its own status after printing the error:
// compare exits 2 when it cannot compare, keeping 1 for a regression.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the process status for a subcommand's outcome: 0 success,
// 2 bad usage, an exitError's own code, and 1 for any other error.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return 2
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: aiq <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'aiq <command> -h' for the flags of a command.")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "aiq: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	err := cmd.run(os.Args[2:])
	if err != nil && !errors.Is(err, errUsage) && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stderr, "aiq %s: %v\n", os.Args[1], err)
	}
	os.Exit(exitCode(err))
}

// newFlags returns a FlagSet that reports errors instead of exiting, so every
// subcommand fails the same way on bad flags.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("aiq "+name, flag.ContinueOnError)
	return fs
}

// parseFlags parses args and rejects stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}
