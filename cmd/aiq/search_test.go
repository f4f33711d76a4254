package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/results"
)

// A search's report saves as a search run: top-1 on the holdout half in
// percent, and the images/s of the chosen and of every uniform
// configuration, one sample per round of the search's timing.
func TestSearchResults(t *testing.T) {
	from := "../../configs/results/resnet20-throughput/search.json"
	needFile(t, from)
	dir := t.TempDir()
	if err := runSearch([]string{"--from", from, "--results", dir}); err != nil {
		t.Fatal(err)
	}
	run := loadOnlyRun(t, dir, results.KindSearch)
	checkSamples(t, run, 5)
	var s results.Search
	if err := run.DecodePayload(&s); err != nil {
		t.Fatal(err)
	}
	if s.Model != "resnet20" || s.Objective != "throughput" || s.Images != "cifar10-test.bin[5000:10000]" {
		t.Errorf("search payload: %s %s on %q", s.Model, s.Objective, s.Images)
	}
	names := map[string]string{}
	for _, p := range mustPoints(t, run) {
		names[p.Name] = p.Unit
	}
	for _, want := range []string{"search/resnet20/chosen/batch64", "search/resnet20/fp32/batch64", "search/resnet20/int8/batch64", "search/resnet20/chosen", "search/resnet20/fp32"} {
		if _, ok := names[want]; !ok {
			t.Errorf("no point %s among %v", want, names)
		}
	}
}

// Bad flags are usage errors and a missing file is named before a profile
// is started; neither leaves a run or a profile.
func TestSearchBadInput(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.onnx")
	prof := filepath.Join(dir, "search.pprof")
	if err := runSearch([]string{"--no-such-flag"}); !errors.Is(err, errUsage) {
		t.Errorf("unknown flag: %v, want a usage error", err)
	}
	if err := runSearch([]string{"--from", "x.json", "--cpuprofile", prof}); !errors.Is(err, errUsage) {
		t.Errorf("--from with --cpuprofile: %v, want a usage error", err)
	}
	if err := runSearch([]string{"--model", missing, "--results", dir, "--cpuprofile", prof, "-q"}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing model: %v", err)
	}
	junk := filepath.Join(dir, "junk.json")
	if err := os.WriteFile(junk, []byte("{]"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runSearch([]string{"--from", junk, "--results", dir}); err == nil || !strings.Contains(err.Error(), junk) {
		t.Errorf("unreadable search.json: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "junk.json" {
			t.Errorf("left %s behind", e.Name())
		}
	}
}
