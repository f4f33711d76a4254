package search

import (
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"

	"github.com/aiq-project/aiq/kernels"
)

func TestPairedDrop(t *testing.T) {
	ref, got := make([]bool, 100), make([]bool, 100)
	for i := range ref {
		ref[i], got[i] = i < 80, i < 80
	}
	for i := 0; i < 10; i++ { // right in ref, wrong in got
		got[i] = false
	}
	for i := 80; i < 84; i++ { // the other way
		got[i] = true
	}
	d, ub := PairedDrop(ref, got, 0)
	wantUB := 6 + 100*1.6448536269514722*math.Sqrt((0.14-0.0036)/100)
	if math.Abs(d-6) > 1e-9 || math.Abs(ub-wantUB) > 1e-6 {
		t.Fatalf("PairedDrop = %v, %v; want 6, %v", d, ub, wantUB)
	}
	// Projected onto 4x the images, the margin halves.
	if _, ub4 := PairedDrop(ref, got, 400); math.Abs((ub4-6)-(wantUB-6)/2) > 1e-6 {
		t.Fatalf("projected bound %v, want margin %v", ub4, (wantUB-6)/2)
	}
	if d, ub := PairedDrop(ref, ref, 0); d != 0 || ub != 0 {
		t.Fatalf("identical predictions: %v, %v", d, ub)
	}
	if d, _ := PairedDrop(ref, got[:5], 0); !math.IsNaN(d) {
		t.Fatal("length mismatch accepted")
	}
}

func jitter(base float64, n int, amp float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = base * (1 + amp*float64(i%5-2)/2)
	}
	return xs
}

func TestFaster(t *testing.T) {
	if !Faster(jitter(1.0, 7, 0.01), jitter(1.2, 7, 0.01)) {
		t.Fatal("20% faster with 1% noise not seen")
	}
	if Faster(jitter(1.2, 7, 0.01), jitter(1.0, 7, 0.01)) {
		t.Fatal("slower seen as faster")
	}
	if Faster(jitter(1.0, 7, 0.10), jitter(1.03, 7, 0.10)) {
		t.Fatal("3% inside 10% noise taken as faster")
	}
	if Faster(jitter(1.0, 7, 0.001), jitter(1.01, 7, 0.001)) {
		t.Fatalf("1%% gain below MinGain %v taken as faster", MinGain)
	}
	if Faster(jitter(1.0, 3, 0.001), jitter(2.0, 3, 0.001)) {
		t.Fatal("3 samples each cannot reach alpha 0.05, yet faster")
	}
	if Faster(nil, jitter(1, 7, 0)) {
		t.Fatal("empty sample faster")
	}
}

func TestTieRule(t *testing.T) {
	c := &Costs{Formats: kernels.Formats, Samples: make([][][]float64, 4), Exec: make([][]kernels.Format, 4), Layer: make([][]Interval, 4)}
	times := [][4]float64{
		{10, 12, 5, 4.95}, // int4 within noise of int8: not allowed; fp16 slower than fp32: not allowed
		{10, 6, 5, 3},     // every format measurably faster than the more accurate ones
		{10, 6, 5, 3},     // the same, but int4 runs as int8
		{10, 6, 5, 5.5},   // int4 slower than int8
	}
	for l, row := range times {
		c.Samples[l] = make([][]float64, 4)
		c.Exec[l] = []kernels.Format{kernels.FP32, kernels.FP16, kernels.Int8, kernels.Int4}
		for f, v := range row {
			c.Samples[l][f] = jitter(v, 7, 0.04)
		}
	}
	c.Exec[2][kernels.Int4] = kernels.Int8
	a := c.Allowed(kernels.Formats)
	want := [][4]bool{{true, false, true, false}, {true, true, true, true}, {true, true, true, false}, {true, true, true, false}}
	for l := range want {
		for f := range want[l] {
			if a[l][f] != want[l][f] {
				t.Errorf("layer %d %s: allowed %v, want %v", l, kernels.Format(f), a[l][f], want[l][f])
			}
		}
	}
	// Without fp32 among the allowed formats, the widest (int8) is always allowed.
	a = c.Allowed([]kernels.Format{kernels.Int8, kernels.Int4})
	if !a[0][kernels.Int8] || a[0][kernels.Int4] || !a[1][kernels.Int4] || a[0][kernels.FP32] {
		t.Fatalf("allowed over int8,int4: %v", a[:2])
	}
	// The algorithms never pick a format the rule forbids, even when its
	// median cost is lower.
	p := &Problem{Formats: kernels.Formats, Cost: [][]float64{{10, 12, 5, 4.95}, {10, 6, 5, 3}}, Ref: 90, MaxDrop: 1,
		Allowed: a[:2], Acc: NewAccuracy(Top1Only(func(Config) (float64, error) { return 90, nil }))}
	p.Allowed = c.Allowed(kernels.Formats)[:2]
	r, err := Greedy(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Best.Config.Key(); got != "int8,int4" {
		t.Fatalf("greedy chose %s, want int8,int4", got)
	}
	front, err := Front(p.Cost, [][]float64{{0, 0, 0, 0}, {0, 0, 0, 0}}, kernels.Formats, p.Allowed, 1, 0.1)
	if err != nil || front[0].Config.Key() != "int8,int4" {
		t.Fatalf("front %v, %v", front, err)
	}
}

func TestChooseMeasured(t *testing.T) {
	lat := func(ips float64, noise float64) []float64 { return jitter(64/ips, 7, noise) }
	// A mixed configuration tied with uniform int8, less accurate: int8.
	ms := []Measured{
		{Summary: "mixed", WithinBound: true, Top1Val: 91.0, ImagesPerS: 1010, Samples: lat(1010, 0.05)},
		{Summary: "int8", WithinBound: true, Top1Val: 91.4, ImagesPerS: 1000, Samples: lat(1000, 0.05)},
		{Summary: "fp32", WithinBound: true, Top1Val: 91.5, ImagesPerS: 400, Samples: lat(400, 0.05)},
	}
	if got := ChooseMeasured(ms, false); ms[got].Summary != "int8" || !ms[0].TiedWithFastest || ms[2].TiedWithFastest {
		t.Fatalf("chose %s; ties %v %v %v", ms[got].Summary, ms[0].TiedWithFastest, ms[1].TiedWithFastest, ms[2].TiedWithFastest)
	}
	// Measurably faster: the mixed one, though less accurate.
	ms[0].ImagesPerS, ms[0].Samples = 1200, lat(1200, 0.01)
	ms[1].Samples = lat(1000, 0.01)
	if got := ChooseMeasured(ms, false); ms[got].Summary != "mixed" {
		t.Fatalf("chose %s, want mixed", ms[got].Summary)
	}
	// Outside the bound: never chosen, however fast.
	ms[0].WithinBound = false
	if got := ChooseMeasured(ms, false); ms[got].Summary != "int8" {
		t.Fatalf("chose %s, want int8", ms[got].Summary)
	}
	// Tied and equally accurate: the uniform one, which would dominate.
	tie := []Measured{
		{Summary: "mixed", WithinBound: true, Top1Val: 91.4, ImagesPerS: 1010, Samples: lat(1010, 0.05)},
		{Summary: "int8", Uniform: "int8", WithinBound: true, Top1Val: 91.4, ImagesPerS: 1000, Samples: lat(1000, 0.05)},
	}
	if got := ChooseMeasured(tie, false); tie[got].Summary != "int8" {
		t.Fatalf("equal accuracy, tied speed: chose %s, want the uniform int8", tie[got].Summary)
	}
	// By order (objective ai): the first within the bound.
	if got := ChooseMeasured(ms, true); got != 1 {
		t.Fatalf("by order chose %d, want 1", got)
	}
	for i := range ms {
		ms[i].WithinBound = false
	}
	if ChooseMeasured(ms, false) != -1 {
		t.Fatal("chose a configuration outside the bound")
	}
}

// TestRunContract runs a whole search on ResNet-20 with few images and
// short timings and checks the --json contract and the choice's guarantees.
func TestRunContract(t *testing.T) {
	if testing.Short() {
		t.Skip("a whole search")
	}
	for _, f := range []string{"../models/resnet20.onnx", "../data/cifar10/cifar10-test.bin", "../data/cifar10/cifar10-train-5k.bin"} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("not shipped here: %v", err)
		}
	}
	rep, err := Run(Options{Model: "../models/resnet20.onnx", Data: "../data/cifar10/cifar10-test.bin",
		Calib: "../data/cifar10/cifar10-train-5k.bin", Batch: 16, SearchN: 300, CalibN: 128, Refine: 1,
		BenchTime: 350 * time.Millisecond, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep.Contract())
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Model, Objective string
		Batch, Threads   int
		Chosen, FP32     map[string]any
		Uniform          map[string]map[string]any
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if c.Model != "resnet20.onnx" || c.Objective != "throughput" || c.Batch != 16 || c.Threads != 1 || len(c.Uniform) != 3 {
		t.Fatalf("contract header: %s", b)
	}
	for name, r := range map[string]map[string]any{"chosen": c.Chosen, "fp32": c.FP32, "fp16": c.Uniform["fp16"], "int8": c.Uniform["int8"], "int4": c.Uniform["int4"]} {
		cfg, _ := r["config"].(map[string]any)
		if len(cfg) != 20 {
			t.Errorf("%s: config of %d layers", name, len(cfg))
		}
		for _, k := range []string{"top1_val", "top1_holdout"} {
			if v, ok := r[k].(float64); !ok || v <= 0.5 && name != "int4" || v > 1 {
				t.Errorf("%s: %s = %v, want a fraction", name, k, r[k])
			}
		}
		for _, k := range []string{"images_per_s", "images_per_s_predicted", "ai_batch1"} {
			if v, ok := r[k].(float64); !ok || !(v > 0) {
				t.Errorf("%s: %s = %v", name, k, r[k])
			}
		}
	}
	// The choice holds the bound and no measured configuration within the
	// bound dominates it: as accurate and measurably faster.
	var chosen *Measured
	for i := range rep.Measured {
		if rep.Measured[i].Chosen {
			chosen = &rep.Measured[i]
		}
	}
	if chosen == nil || !chosen.WithinBound || rep.Best.DropValUpper > rep.MaxDrop {
		t.Fatalf("chosen %+v, bound %v", chosen, rep.Best.DropValUpper)
	}
	for _, m := range rep.Measured {
		if m.WithinBound && m.Top1Val >= chosen.Top1Val && Faster(m.Samples, chosen.Samples) {
			t.Errorf("%s dominates the chosen %s", m.Summary, chosen.Summary)
		}
		// A uniform configuration as accurate and tied on speed dominates a mixed one.
		if m.Uniform != "" && chosen.Uniform == "" && m.WithinBound && m.Top1Val >= chosen.Top1Val && !Faster(chosen.Samples, m.Samples) {
			t.Errorf("uniform %s dominates the chosen %s", m.Summary, chosen.Summary)
		}
	}
	// int8 runs about 3x faster than fp32 on every kernel level: the tie
	// rule must see that on most layers.
	n8 := 0
	for _, l := range rep.Layers {
		if l.Allowed["int8"] {
			n8++
		}
	}
	if n8 < len(rep.Layers)/2 {
		t.Errorf("int8 allowed on %d of %d layers", n8, len(rep.Layers))
	}
	// Every layer's chosen format is allowed by the tie rule.
	for _, l := range rep.Layers {
		if !l.Allowed[l.Chosen] && l.Chosen != "fp32" {
			if _, uniform := uniformFormat(mustConfig(t, rep)); !uniform {
				t.Errorf("layer %s: %s chosen, not allowed", l.Name, l.Chosen)
			}
		}
	}
}

func mustConfig(t *testing.T, rep *Report) Config {
	t.Helper()
	var c Config
	for _, l := range rep.Layers {
		f, err := kernels.ParseFormat(l.Chosen)
		if err != nil {
			t.Fatal(err)
		}
		c = append(c, f)
	}
	return c
}
