// Package report renders the runs of one host under a results directory as
// one self-contained HTML page: host, roofline with every kernel, model
// benches with their CPU profile attribution, the searches' Pareto fronts,
// per-layer formats beside layer sizes, sensitivity, kernel and eval
// tables, every tracked point over commits with its step changes, and the
// change against the previous runs. Missing parts become notes, never
// errors.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/roofline"
)

// Data is everything a report shows, gathered by Collect.
type Data struct {
	Dir       string
	Host      results.Host
	Generated time.Time
	// Roofline is the latest roofline run of the host; Probe its decoded
	// probe (nil when the run carries none).
	Roofline *results.Run
	Probe    *roofline.Result
	// Kernels are the latest kernels run per batch and thread count.
	Kernels []KernelRun
	// Searches are the latest search per model and objective.
	Searches []SearchRun
	// Evals are the latest eval per model and configuration.
	Evals []EvalRun
	// Benches are the latest bench (aiq bench --model) per models, batch
	// and threads.
	Benches []BenchRun
	// History follows every tracked point through all runs of the host.
	History *History
	// Changes compare each run above with the previous one of the same key.
	Changes []Change
	// Notes say what is missing or was skipped.
	Notes []string
}

// KernelRun is a decoded kernels run.
type KernelRun struct {
	Run *results.Run
	results.Kernels
}

// SearchRun is a decoded search run.
type SearchRun struct {
	Run *results.Run
	results.Search
	// Baselines are the uniform configurations from the search's own
	// output (aiq search --out), when AddSearchOutputs found it.
	Baselines []Baseline
	Output    string // that search.json
}

// Baseline is one uniform configuration measured by a search.
type Baseline struct {
	Format      string  `json:"format"`
	Top1Search  float64 `json:"top1_search"`
	Top1Holdout float64 `json:"top1_holdout"`
	ImagesPerS  float64 `json:"images_per_s"`
	ImagesPerS1 float64 `json:"images_per_s_batch1"`
	AI          float64 `json:"ai"`
}

// searchOutput is the part of `aiq search --out DIR`'s search.json the
// report uses.
type searchOutput struct {
	Model     string     `json:"model"`
	Objective string     `json:"objective"`
	Baselines []Baseline `json:"baselines"`
	Layers    []struct {
		Chosen string `json:"chosen"`
	} `json:"layers"`
}

// AddSearchOutputs attaches the baselines of every search.json under root
// (outputs of aiq search --out) to the search run of the same model and
// objective whose chosen formats it matches. Unreadable files are notes.
func (d *Data) AddSearchOutputs(root string) {
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || e.Name() != "search.json" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			d.note("search output %s: %v", path, err)
			return nil
		}
		var o searchOutput
		if err := json.Unmarshal(b, &o); err != nil {
			d.note("search output %s: %v", path, err)
			return nil
		}
		model := strings.TrimSuffix(filepath.Base(o.Model), filepath.Ext(o.Model))
		for i := range d.Searches {
			s := &d.Searches[i]
			if s.Model != model || s.Objective != o.Objective || s.Chosen < 0 || s.Chosen >= len(s.Candidates) {
				continue
			}
			chosen := s.Candidates[s.Chosen].Formats
			same := len(chosen) == len(o.Layers)
			for j := 0; same && j < len(chosen); j++ {
				same = chosen[j] == o.Layers[j].Chosen
			}
			if same {
				s.Baselines, s.Output = o.Baselines, path
			}
		}
		return nil
	})
	if err != nil {
		d.note("search outputs under %s: %v", root, err)
	}
}

// EvalRun is a decoded eval run.
type EvalRun struct {
	Run *results.Run
	results.Eval
}

// Change is the comparison of one run with the previous run of its key.
type Change struct {
	Key      string
	Old, New *results.Run
	Cmp      *results.Comparison
	Err      error
}

// Collect loads the runs of host hostID under dir ("" picks this host, or
// the host with the latest run when this host has none), with the rules of
// aiq compare's defaults. Files that do not load are skipped with a note;
// only an unreadable dir is an error.
func Collect(dir, hostID string) (*Data, error) {
	return CollectWith(dir, hostID, results.DefaultOptions)
}

// CollectWith is Collect with the rules that decide the changes against
// the previous runs and the steps of the history, as aiq compare's options
// (zero fields are not defaults here).
func CollectWith(dir, hostID string, o results.Options) (*Data, error) {
	if err := checkOptions(o); err != nil {
		return nil, err
	}
	d := &Data{Dir: dir, Generated: time.Now().UTC(), History: &History{Options: o}}
	runs, err := loadAll(dir, d)
	if err != nil {
		return nil, err
	}
	if hostID == "" {
		hostID = results.DetectHost().ID
		if !hasHost(runs, hostID) && len(runs) > 0 {
			other := runs[len(runs)-1].Host.ID
			d.note("no runs of this host (%s) under %s; showing host %s, which has the latest run", hostID, dir, other)
			hostID = other
		}
	}
	var mine []*results.Run
	for _, r := range runs {
		if r.Host.ID == hostID {
			mine = append(mine, r)
		}
	}
	if len(mine) == 0 {
		d.Host = results.DetectHost()
		if d.Host.ID != hostID {
			d.Host = results.Host{ID: hostID}
		}
		d.note("no runs of host %s under %s: run scripts/bench.sh to produce them", hostID, dir)
		d.checkMissing()
		return d, nil
	}
	d.Host = mine[len(mine)-1].Host
	h, errs := BuildHistory(mine, o)
	d.History = h
	for _, err := range errs {
		d.note("%v", err)
	}

	latest := map[string]*results.Run{} // key -> latest run
	var keys []string
	for _, r := range mine { // oldest first
		k, err := r.Key()
		if err != nil {
			d.note("skipping %s: %v", r.Path, err)
			continue
		}
		if _, ok := latest[k]; !ok {
			keys = append(keys, k)
		}
		latest[k] = r
	}
	sort.Strings(keys)
	for _, k := range keys {
		r := latest[k]
		if err := d.add(r); err != nil {
			d.note("skipping %s: %v", r.Path, err)
			continue
		}
		d.Changes = append(d.Changes, change(mine, k, r, o))
	}
	// Searches in the order they ran: the pipeline's order of models.
	sort.SliceStable(d.Searches, func(i, j int) bool { return d.Searches[i].Run.Time.Before(d.Searches[j].Run.Time) })
	d.checkMissing()
	return d, nil
}

// loadAll loads every result file under dir, oldest first, skipping (with a
// note) files that do not load. A missing dir is no runs.
func loadAll(dir string, d *Data) ([]*results.Run, error) {
	var runs []*results.Run
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || !results.IsResultFile(path) {
			return nil
		}
		r, err := results.Load(path)
		if err != nil {
			d.note("skipping %s: %v", path, err)
			return nil
		}
		runs = append(runs, r)
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		d.note("results directory %s does not exist", dir)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Time.Before(runs[j].Time) })
	return runs, nil
}

func hasHost(runs []*results.Run, id string) bool {
	for _, r := range runs {
		if r.Host.ID == id {
			return true
		}
	}
	return false
}

func (d *Data) add(r *results.Run) error {
	switch r.Kind {
	case results.KindRoofline:
		var p results.Roofline
		if err := r.DecodePayload(&p); err != nil {
			return err
		}
		d.Roofline = r
		if len(p.Probe) == 0 {
			d.note("roofline run %s carries no probe: the chart needs one", r.Path)
			return nil
		}
		var pr roofline.Result
		if err := json.Unmarshal(p.Probe, &pr); err != nil {
			d.note("roofline run %s: probe does not decode: %v", r.Path, err)
			return nil
		}
		d.Probe = &pr
	case results.KindKernels:
		k := KernelRun{Run: r}
		if err := r.DecodePayload(&k.Kernels); err != nil {
			return err
		}
		d.Kernels = append(d.Kernels, k)
	case results.KindSearch:
		s := SearchRun{Run: r}
		if err := r.DecodePayload(&s.Search); err != nil {
			return err
		}
		d.Searches = append(d.Searches, s)
	case results.KindEval:
		e := EvalRun{Run: r}
		if err := r.DecodePayload(&e.Eval); err != nil {
			return err
		}
		d.Evals = append(d.Evals, e)
	case results.KindBench:
		b := BenchRun{Run: r}
		if err := r.DecodePayload(&b.Bench); err != nil {
			return err
		}
		d.Benches = append(d.Benches, b)
	}
	return nil
}

// change compares r with the previous run of the same key.
func change(runs []*results.Run, key string, r *results.Run, o results.Options) Change {
	c := Change{Key: key, New: r}
	for i := len(runs) - 1; i >= 0; i-- {
		o := runs[i]
		if o == r || !o.Time.Before(r.Time) || o.Kind != r.Kind {
			continue
		}
		if k, err := o.Key(); err == nil && k == key {
			c.Old = o
			break
		}
	}
	if c.Old == nil {
		return c
	}
	op, err := c.Old.Points()
	if err != nil {
		c.Err = err
		return c
	}
	np, err := r.Points()
	if err != nil {
		c.Err = err
		return c
	}
	c.Cmp, c.Err = results.Compare(op, np, o)
	return c
}

func (d *Data) checkMissing() {
	if d.Roofline == nil {
		d.note("no roofline run: `aiq roofline --results DIR` (scripts/bench.sh stores it)")
	}
	if len(d.Kernels) == 0 {
		d.note("no kernels run: `aiq bench --kernels --results DIR` (scripts/bench.sh stores it)")
	}
	if len(d.Benches) == 0 {
		d.note("no bench run: `aiq bench --model M --results DIR` (scripts/bench.sh stores it)")
	}
	if len(d.Searches) == 0 {
		d.note("no search run: `aiq search --results DIR`")
	}
	if len(d.Evals) == 0 {
		d.note("no eval run: `aiq eval --results DIR` (scripts/bench.sh stores it)")
	}
}

func (d *Data) note(format string, args ...any) {
	d.Notes = append(d.Notes, fmt.Sprintf(format, args...))
}

// Models lists the models of the searches, in order of first appearance.
func (d *Data) Models() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range d.Searches {
		if !seen[s.Model] {
			seen[s.Model] = true
			out = append(out, s.Model)
		}
	}
	return out
}

// id makes a string safe as an HTML id.
func id(parts ...string) string {
	s := strings.ToLower(strings.Join(parts, "-"))
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
