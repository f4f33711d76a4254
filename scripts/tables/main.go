// Command tables writes the README's result tables from committed raw
// outputs, so no figure in the README is typed by hand: the searches
// (data/published-runs/searches/*/search.json) between
// "<!-- tables:search:begin -->" and "<!-- tables:search:end -->", and the
// side-by-side runs with ONNX Runtime (data/published-runs/peers/*/, written
// by OUT=DIR bash peers/run.sh) between "<!-- tables:peers:begin -->" and
// "<!-- tables:peers:end -->", and the kernels' GEMM and depthwise figures
// against the roofline probe (data/published-runs/perf/, written by
// bash scripts/perf-figures.sh) between "<!-- tables:kernels:begin -->" and
// "<!-- tables:kernels:end -->".
//
//	go run ./scripts/tables            # rewrite README.md
//	go run ./scripts/tables -check     # exit 1 if README.md is stale
//	go run ./scripts/tables -peers DIR # the table of one peers/run.sh output
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/search"
)

func markers(name string) (begin, end string) {
	return "<!-- tables:" + name + ":begin -->", "<!-- tables:" + name + ":end -->"
}

func main() {
	readme := flag.String("readme", "README.md", "file to update")
	dir := flag.String("runs", "data/published-runs", "directory of published runs (searches/, peers/ and perf/)")
	check := flag.Bool("check", false, "do not write; exit 1 when the file differs from what would be written")
	peers := flag.String("peers", "", "print the table of one peers/run.sh output `DIR` and exit (what peers/run.sh shows)")
	flag.Parse()
	if *peers != "" {
		text, err := peersTable(*peers, []string{filepath.Join(*peers, "meta.json")})
		if err != nil {
			fmt.Fprintln(os.Stderr, "tables:", err)
			os.Exit(1)
		}
		fmt.Print(text)
		return
	}
	if err := run(*readme, *dir, *check); err != nil {
		fmt.Fprintln(os.Stderr, "tables:", err)
		os.Exit(1)
	}
}

func run(readme, dir string, check bool) error {
	old, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	updated, err := Update(old, dir)
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	if bytes.Equal(old, updated) {
		return nil
	}
	if check {
		return fmt.Errorf("%s is stale: run go run ./scripts/tables", readme)
	}
	tmp := readme + ".tmp"
	if err := os.WriteFile(tmp, updated, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, readme)
}

// Update returns doc with every generated table rewritten from the
// published runs under dir.
func Update(doc []byte, dir string) ([]byte, error) {
	text, err := Tables(filepath.Join(dir, "searches"))
	if err != nil {
		return nil, err
	}
	if doc, err = Splice(doc, "search", text); err != nil {
		return nil, err
	}
	if text, err = PeersTables(filepath.Join(dir, "peers")); err != nil {
		return nil, err
	}
	if doc, err = Splice(doc, "peers", text); err != nil {
		return nil, err
	}
	if text, err = KernelsTables(filepath.Join(dir, "perf")); err != nil {
		return nil, err
	}
	return Splice(doc, "kernels", text)
}

// Splice replaces the text between the markers of name.
func Splice(doc []byte, name, text string) ([]byte, error) {
	begin, end := markers(name)
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		return nil, fmt.Errorf("markers %q and %q not found in order", begin, end)
	}
	var b bytes.Buffer
	b.Write(doc[:i+len(begin)])
	b.WriteString("\n" + text)
	b.Write(doc[j:])
	return b.Bytes(), nil
}

// Tables renders the tables of every run under dir.
func Tables(dir string) (string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "search.json"))
	if err != nil {
		return "", err
	}
	if len(paths) == 0 {
		return "", fmt.Errorf("no %s/*/search.json", dir)
	}
	sort.Strings(paths)
	var reps []*search.Report
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		r := new(search.Report)
		if err := json.Unmarshal(b, r); err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		reps = append(reps, r)
	}
	var s strings.Builder
	s.WriteString("Searches (`configs/<model>-<objective>.json`; raw outputs in `data/published-runs/searches/`), ")
	s.WriteString("FP32 and every uniform format measured in the same run. Top-1 changes are points against FP32 on the same images (negative: worse): ")
	s.WriteString("val half (with its paired 95% upper bound, the quantity the choice must keep within the bound) and holdout half. ")
	s.WriteString("Images/s end to end at the run's batch and threads, median of 7 interleaved rounds, with the cost model's prediction.\n\n")
	s.WriteString("| run | host ISA | chosen | val top-1 vs FP32 (upper bound of the drop) | holdout top-1 vs FP32 | img/s (predicted) | uniform int8 img/s, holdout top-1 vs FP32 | fp32 img/s | AI b1 vs FP32 (packed) | search |\n")
	s.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range reps {
		b := r.Best
		var i8 search.Baseline
		for _, bl := range r.Baselines {
			if bl.Format == "int8" {
				i8 = bl
			}
		}
		fmt.Fprintf(&s, "| %s %s, batch %d, %d thread(s) | %s | %s | %+.2f (%.2f) | %+.2f | %.0f (%.0f) | %.0f, %+.2f | %.0f | %.2fx (%.2fx) | %.0f s |\n",
			strings.TrimSuffix(r.Model, ".onnx"), r.Objective, r.Batch, r.Threads, r.ISA, b.Summary,
			-b.DropVal, b.DropValUpper, b.Top1Holdout-b.Top1FP32Holdout, b.ImagesPerS, b.ImagesPerSPredicted,
			i8.ImagesPerS, i8.Top1Holdout-b.Top1FP32Holdout, b.ImagesPerSFP32, b.AI/b.AIFP32, b.AIPacked/b.AIFP32, r.TotalSeconds)
	}
	s.WriteString("\nPredicted against measured images/s, every configuration timed end to end in each run:\n\n")
	s.WriteString("| run | configurations | largest error | mean absolute error |\n|---|---|---|---|\n")
	for _, r := range reps {
		worst, sum := 0.0, 0.0
		for _, m := range r.Measured {
			e := m.Predicted/m.ImagesPerS - 1
			if math.Abs(e) > math.Abs(worst) {
				worst = e
			}
			sum += math.Abs(e)
		}
		if len(r.Measured) == 0 {
			continue
		}
		fmt.Fprintf(&s, "| %s %s | %d | %+.1f%% | %.1f%% |\n", strings.TrimSuffix(r.Model, ".onnx"), r.Objective,
			len(r.Measured), 100*worst, 100*sum/float64(len(r.Measured)))
	}
	return s.String(), nil
}
