package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/search"
)

// A search's report saves as a search run: top-1 on the holdout half in
// percent, and the images/s of the chosen and of every uniform
// configuration, one sample per round of the search's timing.
func TestSearchResults(t *testing.T) {
	from := "../../data/published-runs/searches/resnet20-throughput/search.json"
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
	model, calib := testModels+"resnet20.onnx", testCalib
	for _, c := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{"--search-n", "0", "--workers", "0"}, true, "--search-n 0"},
		{[]string{"--workers", "0"}, true, "--workers 0"},
		{[]string{"--search-n", "-3"}, true, "--search-n -3"},
		{[]string{"--metric", "kl"}, true, "--metric"},
		{[]string{"--unlabelled"}, true, "--metric agreement"},
		{[]string{"--batch", "0"}, true, "--batch 0"},
		{[]string{"--max-drop", "0"}, true, "--max-drop 0"},
		{[]string{"--bench-time", "0s"}, true, "--bench-time 0s"},
		{[]string{"--batch", hugeBatch}, false, "--batch " + hugeBatch},
	} {
		if !c.usage && !(exists(model) && exists(testData) && exists(calib)) {
			continue // the memory check comes after the files are found
		}
		args := append([]string{"--model", model, "--data", testData, "--calib", calib, "--results", dir, "--cpuprofile", prof, "-q"}, c.args...)
		err := runSearch(args)
		switch {
		case err == nil:
			t.Errorf("%q: no error", c.args)
		case c.usage != errors.Is(err, errUsage):
			t.Errorf("%q: %v, usage error %v", c.args, err, c.usage)
		case !strings.Contains(err.Error(), c.want):
			t.Errorf("%q: %v does not name %s", c.args, err, c.want)
		}
	}
	// More search images than the val half (the first half of --data) has.
	if exists(model) && exists(testData) && exists(calib) {
		err := runSearch([]string{"--model", model, "--data", testData, "--calib", calib, "--search-n", "6000", "-q"})
		if err == nil || !strings.Contains(err.Error(), "6000 search images") || !strings.Contains(err.Error(), "has 5000") {
			t.Errorf("--search-n 6000: %v", err)
		}
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

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// A whole search with --metric agreement on 400 unlabelled images (short
// timings, few search images): FP32 agrees with itself everywhere, the
// halves are 0..199 and 200..399, and the choice holds the bound on
// agreement.
func TestSearchAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("a whole search")
	}
	model := testModels + "resnet20.onnx"
	needFile(t, model)
	needFile(t, testData)
	needFile(t, testCalib)
	data := cifarPNGs(t, t.TempDir(), 0, 400, false)
	out := t.TempDir()
	args := []string{"--model", model, "--data", data, "--calib", testCalib, "--metric", "agreement", "--max-drop", "2",
		"--batch", "16", "--search-n", "100", "--calib-n", "128", "--refine", "1", "--bench-time", "350ms",
		"--cache", t.TempDir(), "--out", out, "-q"}
	if err := runSearch(args); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "search.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep search.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Metric != "agreement" || rep.Images != 400 || !strings.Contains(rep.Protocol["report"], "200..399") {
		t.Fatalf("metric %q, %d images, report %q", rep.Metric, rep.Images, rep.Protocol["report"])
	}
	for _, bl := range rep.Baselines {
		if bl.Format == "fp32" && (bl.Top1Search != 100 || bl.Top1Val != 100 || bl.Top1Holdout != 100) {
			t.Errorf("fp32 agreement with itself: search %v val %v holdout %v", bl.Top1Search, bl.Top1Val, bl.Top1Holdout)
		}
		if bl.Format == "int8" && !(bl.Top1Holdout > 85 && bl.Top1Holdout <= 100) {
			t.Errorf("int8 agreement %v on the holdout half", bl.Top1Holdout)
		}
	}
	if best := rep.Best; best.Top1FP32Val != 100 || best.DropValUpper > rep.MaxDrop || !(best.Top1Holdout > 80) {
		t.Errorf("chosen %s: val %v (fp32 %v), bound %v > %v, holdout %v", best.Summary, best.Top1Val, best.Top1FP32Val, best.DropValUpper, rep.MaxDrop, best.Top1Holdout)
	}
	// Labelled CIFAR-10 read unlabelled with top-1 is refused before any work.
	if err := runSearch([]string{"--model", model, "--data", data, "--calib", testCalib, "--search-n", "100", "-q"}); err == nil || !strings.Contains(err.Error(), "agreement") {
		t.Errorf("top-1 on unlabelled images: %v", err)
	}
}
