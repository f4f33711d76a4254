package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/aiq-project/aiq/harness"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// peersMeta is meta.json of a peers/run.sh output directory.
type peersMeta struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	Threads    int    `json:"threads"`
	Batch      int    `json:"batch"`
	N          int    `json:"n"`
	Rounds     int    `json:"rounds"`
	Commit     string `json:"commit"`
	Dirty      bool   `json:"dirty"`
	Date       string `json:"date"`
	LoadBefore string `json:"load_before"`
}

// peerRun is one line of a raw output: the first line of a file holds the
// top-1 on the evaluated images, every line one throughput measurement.
type peerRun struct {
	Top1       float64 `json:"top1"`
	ImagesPerS float64 `json:"images_per_s"`
}

func readRuns(path string) ([]peerRun, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var runs []peerRun
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r peerRun
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if r.ImagesPerS <= 0 {
			return nil, fmt.Errorf("%s: a run without images/s", path)
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("%s: no runs", path)
	}
	return runs, sc.Err()
}

// PeersTables renders one table over every peers/run.sh directory under
// dir: per setting, model and precision, the median images/s of each over
// the rounds, the ratio of the medians and its range over the rounds
// (round i of aiq against round i of ONNX Runtime, which ran beside it).
func PeersTables(dir string) (string, error) {
	metas, err := filepath.Glob(filepath.Join(dir, "*", "meta.json"))
	if err != nil {
		return "", err
	}
	return peersTable(dir, metas)
}

// peersTable renders the runs whose meta.json files are metas.
func peersTable(dir string, metas []string) (string, error) {
	if len(metas) == 0 {
		return "", fmt.Errorf("no %s/*/meta.json", dir)
	}
	type setting struct {
		dir  string
		meta peersMeta
	}
	var sets []setting
	for _, p := range metas {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		var m peersMeta
		if err := json.Unmarshal(b, &m); err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		sets = append(sets, setting{filepath.Dir(p), m})
	}
	sort.Slice(sets, func(i, j int) bool {
		a, b := sets[i].meta, sets[j].meta
		if a.Threads != b.Threads {
			return a.Threads < b.Threads
		}
		return a.Batch > b.Batch
	})
	var s strings.Builder
	s.WriteString("aiq beside ONNX Runtime 1.30 (`OUT=DIR bash peers/run.sh`: the same images, batch and threads; ")
	s.WriteString("ONNX Runtime and aiq alternate in every round). Images/s are medians over the rounds; the ratio is aiq's median over ")
	s.WriteString("ONNX Runtime's, with its range over the rounds. Top-1 on the first N test images; aiq int8 calibrates min-max on 512 training images, ")
	s.WriteString("like ONNX Runtime's QDQ models. Raw outputs in `data/published-runs/peers/`.\n\n")
	s.WriteString("| threads, batch | model, precision | ORT top-1 | aiq top-1 | ORT img/s | aiq img/s | aiq/ORT (range) |\n")
	s.WriteString("|---|---|---|---|---|---|---|\n")
	var notes strings.Builder
	for _, st := range sets {
		m := st.meta
		for _, model := range []string{"resnet20", "mobilenetv2"} {
			for _, prec := range []string{"fp32", "int8"} {
				ort, err := readRuns(filepath.Join(st.dir, model+"-ort-"+prec+".json"))
				if err != nil {
					return "", err
				}
				aiq, err := readRuns(filepath.Join(st.dir, model+"-aiq-"+prec+".json"))
				if err != nil {
					return "", err
				}
				var oi, ai, ratio []float64
				for _, r := range ort {
					oi = append(oi, r.ImagesPerS)
				}
				for i, r := range aiq {
					ai = append(ai, r.ImagesPerS)
					ratio = append(ratio, r.ImagesPerS/oi[min(i, len(oi)-1)])
				}
				fmt.Fprintf(&s, "| %d, %d | %s %s | %.2f | %.2f | %.0f | %.0f | **%.2fx** (%.2f-%.2f) |\n",
					m.Threads, m.Batch, model, prec, 100*ort[0].Top1, 100*aiq[0].Top1, harness.Median(oi), harness.Median(ai),
					harness.Median(ai)/harness.Median(oi), slices.Min(ratio), slices.Max(ratio))
			}
		}
		commit := m.Commit
		if len(commit) > 7 {
			commit = commit[:7]
		}
		if m.Dirty {
			commit += " with uncommitted changes"
		}
		fmt.Fprintf(&notes, "- %d thread(s), batch %d: %s, %d cores; commit %s, %s; %d rounds, top-1 on %d images; load average before: %s.\n",
			m.Threads, m.Batch, m.CPU, m.Cores, commit, m.Date, m.Rounds, m.N, m.LoadBefore)
	}
	s.WriteString("\n")
	s.WriteString(notes.String())
	return s.String(), nil
}
