package main

import (
	"fmt"
	"io"
	"os"

	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/roofline"
)

func init() {
	register("roofline", "probe memory bandwidth and peak compute of this host", runRoofline)
}

func runRoofline(args []string) error {
	fs := newFlags("roofline")
	quick := fs.Bool("quick", false, "fewer sizes and samples (under 20 s)")
	threads := fs.Int("threads", 0, "threads for the all-threads sweep (0: every allowed CPU)")
	jsonPath := fs.String("json", "", "write the probe result as JSON to `FILE`")
	svgPath := fs.String("svg", "", "write the roofline chart as SVG to `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *threads < 0 {
		fmt.Fprintf(os.Stderr, "aiq roofline: --threads %d: must be >= 0\n", *threads)
		return errUsage
	}
	r, err := roofline.Probe(roofline.Options{
		Quick:    *quick,
		Threads:  *threads,
		Progress: func(msg string) { fmt.Fprintln(os.Stderr, msg) },
	})
	if err != nil {
		return err
	}
	if err := r.WriteTable(os.Stdout); err != nil {
		return err
	}
	if *jsonPath != "" {
		if err := atomicfile.Write(*jsonPath, r.WriteJSON); err != nil {
			return err
		}
	}
	if *svgPath != "" {
		err := atomicfile.Write(*svgPath, func(w io.Writer) error {
			return roofline.WriteSVG(w, r, roofline.ChartOptions{})
		})
		if err != nil {
			return err
		}
	}
	return nil
}
