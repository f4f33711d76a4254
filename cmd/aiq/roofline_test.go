package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/roofline"
)

// A probe saves as a roofline run with the probe inside and, per level and
// kernel, the plateau's sizes as samples whose median is the level's figure.
func TestRooflineResults(t *testing.T) {
	needFile(t, testRoofline)
	r, err := roofline.Load(testRoofline)
	if err != nil {
		t.Fatal(err)
	}
	// Peaks keep every sample; a format with too few is left out.
	for f, pk := range r.Peaks {
		pk.Samples = []float64{pk.GOPS, pk.GOPS * 0.99, pk.GOPS * 0.98, pk.GOPS * 0.97, pk.GOPS * 0.99}
		if f == kernels.FP16 {
			pk.Samples = pk.Samples[:2]
		}
		r.Peaks[f] = pk
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := saveRoofline(r, &stdout, &stderr, false, "", "", dir); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	run := loadOnlyRun(t, dir, results.KindRoofline)
	checkSamples(t, run, 5)
	var p results.Roofline
	if err := run.DecodePayload(&p); err != nil {
		t.Fatal(err)
	}
	if run.Threads != r.Threads || len(p.Probe) == 0 || len(p.Bandwidth) != 4*7 {
		t.Fatalf("run: %d threads, probe %d bytes, %d bandwidth points; want %d, the probe, 4 levels x 7 kernels",
			run.Threads, len(p.Probe), len(p.Bandwidth), r.Threads)
	}
	if len(p.Peaks) != len(r.Peaks)-1 {
		t.Errorf("%d peak points, want %d (fp16 has too few samples)", len(p.Peaks), len(r.Peaks)-1)
	}
	for _, pk := range p.Peaks {
		if pk.Name == kernels.FP16.String() || pk.Unit != "GOP/s" || len(pk.Values) != 5 || pk.Values[0] != r.Peaks[kernels.FormatNamed(pk.Name)].GOPS {
			t.Errorf("peak point %+v", pk)
		}
	}
	if _, err := roofline.Load(writeTemp(t, p.Probe)); err != nil {
		t.Errorf("the saved probe does not load: %v", err)
	}
	for _, b := range p.Bandwidth {
		if b.Name != "dram/triad" {
			continue
		}
		med := medianOf(b.Values)
		if want := r.BandwidthGBs[roofline.DRAM].Triad; med < 0.8*want || med > 1.25*want {
			t.Errorf("dram/triad: median of the samples %.1f GB/s, the probe says %.1f", med, want)
		}
	}
	if !strings.Contains(stdout.String(), "bandwidth") {
		t.Errorf("no table printed:\n%s", stdout.String())
	}
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "probe.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func medianOf(xs []float64) float64 {
	s := sortedFloats(xs)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func sortedFloats(xs []float64) []float64 {
	s := append([]float64(nil), xs...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// Bad flags fail before the probe runs.
func TestRooflineBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{"--no-such-flag"}, true, ""},
		{[]string{"--threads", "-1"}, true, ""},
		{[]string{"--out", filepath.Join(dir, "missing", "r.json")}, false, "--out"},
		{[]string{"--json", filepath.Join(dir, "r.json")}, true, ""}, // --json is a switch: the name is a stray argument
	} {
		var stdout, stderr bytes.Buffer
		err := rooflineCmd(append(c.args, "--results", dir), &stdout, &stderr)
		switch {
		case err == nil:
			t.Errorf("%q: no error", c.args)
		case c.usage && !errors.Is(err, errUsage):
			t.Errorf("%q: %v, want a usage error", c.args, err)
		case !c.usage && !strings.Contains(err.Error(), c.want):
			t.Errorf("%q: %v does not name %s", c.args, err, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %d files behind", len(entries))
	}
}

// --json prints the probe as JSON and nothing else on stdout; --out FILE
// writes the same JSON to a file.
func TestRooflineJSON(t *testing.T) {
	needFile(t, testRoofline)
	r, err := roofline.Load(testRoofline)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	if err := saveRoofline(r, &stdout, &stderr, true, out, "", ""); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
		t.Fatalf("--json stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	file, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(file, stdout.Bytes()) {
		t.Errorf("--out file differs from the --json output (%v)", err)
	}
}
