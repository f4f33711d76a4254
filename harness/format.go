package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"

	"github.com/aiq-project/aiq/kernels"
)

// WriteText writes results in the Go benchmark text format, one line per
// sample so benchstat can compute its own statistics across lines. config
// adds "key: value" header lines after goos, goarch and cpu.
func WriteText(w io.Writer, results []Result, config map[string]string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "goos: %s\ngoarch: %s\ncpu: %s\n", runtime.GOOS, runtime.GOARCH, cpuName())
	for _, k := range slices.Sorted(maps.Keys(config)) {
		if strings.ContainsAny(k, ": \n") || strings.Contains(config[k], "\n") {
			return fmt.Errorf("harness: config key %q or its value is not a valid benchmark config line", k)
		}
		fmt.Fprintf(bw, "%s: %s\n", k, config[k])
	}
	procs := runtime.GOMAXPROCS(0)
	for _, r := range results {
		name, err := benchName(r.Name)
		if err != nil {
			return err
		}
		units := slices.Sorted(maps.Keys(r.Metrics))
		for _, ns := range r.SamplesNs {
			fmt.Fprintf(bw, "Benchmark%s-%d\t%d\t%.4g ns/op", name, procs, r.Iterations, ns)
			for _, u := range units {
				// Metrics scale inversely with time; rescale the median
				// figure to this sample.
				v := r.Metrics[u] * r.MedianNs / ns
				fmt.Fprintf(bw, "\t%.4g %s", v, u)
			}
			fmt.Fprintln(bw)
		}
	}
	return bw.Flush()
}

// benchName makes a result name valid in a benchmark line: no spaces, first
// letter upper case so tools treat it as a benchmark name.
func benchName(n string) (string, error) {
	if n == "" {
		return "", fmt.Errorf("harness: empty result name")
	}
	if strings.ContainsAny(n, " \t\n") {
		return "", fmt.Errorf("harness: result name %q contains white space", n)
	}
	return strings.ToUpper(n[:1]) + n[1:], nil
}

func cpuName() string {
	if b := kernels.CPUName(); b != "" {
		return b
	}
	return "unknown"
}

// WriteJSON writes results as an indented JSON array.
func WriteJSON(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		return fmt.Errorf("harness: encode json: %w", err)
	}
	return nil
}
