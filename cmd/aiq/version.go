package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"text/tabwriter"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/results"
)

func init() {
	register("version", "the build: module version, revision and dirty flag (as every run records them), Go, platform, kernel ISA", runVersion)
}

// versionInfo is what `aiq version --json` prints.
type versionInfo struct {
	Module   string `json:"module"`   // build info's module version: tag, pseudo-version or "(devel)"
	Revision string `json:"revision"` // "" when unknown
	Dirty    bool   `json:"dirty"`
	Source   string `json:"source"` // "buildinfo", "git" or ""
	Go       string `json:"go"`
	GOOS     string `json:"goos"`
	GOARCH   string `json:"goarch"`
	ISA      string `json:"isa"` // kernel level, after any AIQ_ISA cap
}

func runVersion(args []string) error { return version(args, os.Stdout) }

func version(args []string, stdout io.Writer) error {
	fs := newFlags("version")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	v := results.DetectVersion()
	info := versionInfo{Module: v.Module, Revision: v.Commit, Dirty: v.Dirty, Source: v.Source,
		Go: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, ISA: kernels.ISA()}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(info)
	}
	rev, source := info.Revision, info.Source
	if rev == "" {
		rev, source = "unknown", "none: no VCS stamp in the binary and no git checkout of its source"
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "module\t%s\n", info.Module)
	fmt.Fprintf(tw, "revision\t%s\n", rev)
	fmt.Fprintf(tw, "dirty\t%v\n", info.Dirty)
	fmt.Fprintf(tw, "source\t%s\n", source)
	fmt.Fprintf(tw, "go\t%s\n", info.Go)
	fmt.Fprintf(tw, "platform\t%s/%s\n", info.GOOS, info.GOARCH)
	fmt.Fprintf(tw, "isa\t%s\n", info.ISA)
	return tw.Flush()
}
