// Command aiq finds per-layer number formats (fp32, fp16, int8, int4) that make
// a CNN fastest on this CPU within an accuracy bound, and measures why.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
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

// usageError is bad usage with its one-line reason, which main prints: it
// names the flag at fault. It matches errUsage (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

// usagef is a usageError; the message starts with the flag at fault.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError makes main exit with its own status after printing the error:
// compare exits 2 when it cannot compare, keeping 1 for a regression.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the process status for a subcommand's outcome: 0 success
// or help asked for (-h), 2 bad usage, an exitError's own code, and 1 for any other error.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: aiq <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'aiq <command> -h' (or 'aiq help <command>') for the flags of a command.")
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is aiq with its arguments; it returns the exit status. Help asked
// for (-h, --help, help [command]) goes to stdout with status 0; any error
// is one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			if _, ok := commands[args[1]]; ok {
				return run([]string{args[1], "-h"}, stdout, stderr)
			}
			fmt.Fprintf(stderr, "aiq help: unknown command %q (run 'aiq help')\n", args[1])
			return 2
		}
		usage(stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "aiq: unknown command %q (run 'aiq help')\n", name)
		return 2
	}
	err := cmd.run(args[1:])
	if err != nil && err != errUsage && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "aiq %s: %s\n", name, oneLine(err.Error()))
	}
	return exitCode(err)
}

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// newFlags returns a FlagSet that reports errors instead of exiting, so every
// subcommand fails the same way on bad flags.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("aiq "+name, flag.ContinueOnError)
	return fs
}

// parseFlags parses args and rejects stray positional arguments. -h prints
// the flags to stdout and returns flag.ErrHelp (exit 0); a bad flag is a
// one-line usageError naming it.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseQuiet(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (flags start with -; run '%s -h')", fs.Arg(0), fs.Name())
	}
	return nil
}

// parseQuiet parses args without the flag package's own printing: help to
// stdout, errors as one line.
func parseQuiet(fs *flag.FlagSet, args []string) error {
	out, usageFn := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usageFn
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(fs)
		return flag.ErrHelp
	case err != nil:
		return usagef("%v (run '%s -h')", err, fs.Name())
	}
	return nil
}

// printHelp writes a command's flags to stdout.
func printHelp(fs *flag.FlagSet) {
	out := fs.Output()
	fs.SetOutput(os.Stdout)
	defer fs.SetOutput(out)
	fs.Usage()
}
