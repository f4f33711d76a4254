package report

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiq-project/aiq/results"
)

// commit is a made-up 40-digit commit hash, distinct per i.
func commit(i int) string { return fmt.Sprintf("%02d%038x", i, i*7919) }

// historyRuns are 7 rounds of a bench run and two eval runs at 7 commits:
//   - layer /net/conv1/Conv int8 30% slower from the 4th round on;
//   - layer /net/conv2/Conv int8 and the int8 images/s wobbling by 2%;
//   - eval int8 top-1 0.5 points lower from the 5th round on;
//   - eval fp32 top-1 wobbling by 0.2 points.
func historyRuns(t *testing.T) []*results.Run {
	t.Helper()
	base := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	var runs []*results.Run
	for i := range 7 {
		v := results.Version{Commit: commit(i), Source: "git"}
		at := base.Add(time.Duration(i) * time.Hour)
		step, wobble := 1.0, 1.0
		if i >= 3 {
			step = 1.3
		}
		if i%2 == 1 {
			wobble = 1.02
		}
		bm := results.BenchModel{Model: "resnet20",
			Layers: []results.BenchLayer{
				{Name: "/net/conv1/Conv", Format: "int8", Exec: "int8", Kind: "gemm", Ops: 1e8, Bytes: 1e6,
					Metrics: []results.Metric{{Unit: "sec/op", Values: samples(1e-3*step, 7)}}},
				{Name: "/net/conv2/Conv", Format: "int8", Exec: "int8", Kind: "gemm", Ops: 1e8, Bytes: 1e6,
					Metrics: []results.Metric{{Unit: "sec/op", Values: samples(2e-3*wobble, 7)}}},
			},
			Passes: []results.Point{{Name: "int8", Metric: results.Metric{Unit: "images/s", Values: samples(4000/wobble, 7)}}},
		}
		b := results.New(results.KindBench)
		b.Time, b.Version, b.Batch, b.Threads = at, v, 64, 1
		if err := b.SetPayload(&results.Bench{Models: []results.BenchModel{bm}}); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, b)
		int8Top1, fp32Top1 := 91.5, 91.7
		if i >= 4 {
			int8Top1 = 91.0
		}
		if i%2 == 1 {
			fp32Top1 = 91.5
		}
		for _, e := range []struct {
			config string
			top1   float64
		}{{"int8", int8Top1}, {"fp32", fp32Top1}} {
			r := evalRun(t, at.Add(time.Minute), "resnet20", e.config, e.top1, 4000)
			r.Version = v
			runs = append(runs, r)
		}
	}
	return runs
}

func seriesNamed(t *testing.T, h *History, name, unit string) *Series {
	t.Helper()
	for _, s := range h.Series {
		if s.Name == name && s.Unit == unit {
			return s
		}
	}
	var have []string
	for _, s := range h.Series {
		have = append(have, s.ID)
	}
	t.Fatalf("no series %s (%s) among %q", name, unit, have)
	return nil
}

func TestHistoryMarksStepWhereItBegan(t *testing.T) {
	h, errs := BuildHistory(historyRuns(t), results.DefaultOptions)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	conv1 := seriesNamed(t, h, "bench/resnet20/net/conv1/Conv/int8", "sec/op")
	if len(conv1.Points) != 7 {
		t.Fatalf("conv1 has %d runs, want 7", len(conv1.Points))
	}
	if len(conv1.Steps) != 1 {
		t.Fatalf("conv1 steps %+v, want one", conv1.Steps)
	}
	st := conv1.Steps[0]
	if st.At != 3 || st.From.Version.Commit != commit(2) || st.To.Version.Commit != commit(3) {
		t.Errorf("conv1 step at run %d from %s to %s, want run 3 from %s to %s", st.At, st.From.Version.Commit, st.To.Version.Commit, commit(2), commit(3))
	}
	if math.Abs(st.Change-0.3) > 1e-9 || st.Better || st.Absolute || !(st.P < 0.05) {
		t.Errorf("conv1 step change %v better %v absolute %v p %v, want +30%% worse by the U test", st.Change, st.Better, st.Absolute, st.P)
	}
	for _, name := range []string{"bench/resnet20/net/conv2/Conv/int8", "bench/resnet20/e2e/int8"} {
		unit := "sec/op"
		if strings.Contains(name, "e2e") {
			unit = "images/s"
		}
		if s := seriesNamed(t, h, name, unit); len(s.Steps) != 0 {
			t.Errorf("%s: a 2%% wobble marked as steps %+v", name, s.Steps)
		}
	}
	int8 := seriesNamed(t, h, "eval/resnet20/int8", results.UnitTop1)
	if len(int8.Steps) != 1 || int8.Steps[0].At != 4 || !int8.Steps[0].Absolute || math.Abs(int8.Steps[0].Change+0.5) > 1e-9 {
		t.Errorf("int8 top-1 steps %+v, want one of -0.5 points at run 4", int8.Steps)
	}
	if fp32 := seriesNamed(t, h, "eval/resnet20/fp32", results.UnitTop1); len(fp32.Steps) != 0 {
		t.Errorf("a 0.2-point top-1 wobble marked as steps %+v", fp32.Steps)
	}
	if len(h.Steps) != 2 {
		t.Errorf("%d steps in all, want 2", len(h.Steps))
	}

	// The wobbles are significant by the U test: only the thresholds keep
	// them unmarked.
	tight, _ := BuildHistory(historyRuns(t), results.Options{Alpha: 0.05, Threshold: 0.01, Top1Points: 0.1})
	for _, name := range []string{"bench/resnet20/net/conv2/Conv/int8", "bench/resnet20/e2e/int8"} {
		unit := "sec/op"
		if strings.Contains(name, "e2e") {
			unit = "images/s"
		}
		if s := seriesNamed(t, tight, name, unit); len(s.Steps) != 6 {
			t.Errorf("%s at a 1%% threshold: %d steps, want 6", name, len(s.Steps))
		}
	}
	if s := seriesNamed(t, tight, "eval/resnet20/fp32", results.UnitTop1); len(s.Steps) != 6 {
		t.Errorf("fp32 top-1 at 0.1 points: %d steps, want 6", len(s.Steps))
	}
}

// The page draws each step once, at the run where it began, and lists it.
func TestHistoryRendersSteps(t *testing.T) {
	runs := historyRuns(t)
	h, errs := BuildHistory(runs, results.DefaultOptions)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	d := &Data{Host: runs[0].Host, History: h}
	html := render(t, d)
	ids := ChartIDs(d)
	want := []string{"history-resnet20-images-s", "history-resnet20-top1", "history-step-1"}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("chart ids %q, want %q", ids, want)
	}
	for _, id := range ids {
		if n := strings.Count(html, `<svg id="`+id+`"`); n != 1 {
			t.Errorf("chart %q appears %d times", id, n)
		}
	}
	markers := regexp.MustCompile(`<path class="step"[^>]*><title>([^<]*)</title>`).FindAllStringSubmatch(html, -1)
	if len(markers) != 2 {
		t.Fatalf("%d step markers, want 2 (conv1 and int8 top-1)", len(markers))
	}
	short := func(i int) string { return results.Version{Commit: commit(i)}.Short() }
	for _, m := range markers {
		switch {
		case strings.Contains(m[1], "conv1"):
			if !strings.Contains(m[1], "began at "+short(3)+" (from "+short(2)+")") || !strings.Contains(m[1], "+30.0%") {
				t.Errorf("conv1 marker %q", m[1])
			}
		case strings.Contains(m[1], "eval int8"):
			if !strings.Contains(m[1], "began at "+short(4)+" (from "+short(3)+")") || !strings.Contains(m[1], "-0.50 points") {
				t.Errorf("top-1 marker %q", m[1])
			}
		default:
			t.Errorf("unexpected marker %q", m[1])
		}
	}
	table := html[strings.Index(html, `<table class="steps">`):]
	table = table[:strings.Index(table, "</table>")]
	rows := strings.Count(table, "<tr>") - 1
	if rows != 2 {
		t.Errorf("steps table has %d rows, want 2", rows)
	}
	for _, want := range []string{"bench/resnet20/net/conv1/Conv/int8", ">" + short(2) + "<", ">" + short(3) + "<", "+30.0%",
		"eval/resnet20/int8", "on cifar10-test.bin[5000:10000]", "-0.50 points"} {
		if !strings.Contains(table, want) {
			t.Errorf("steps table lacks %q", want)
		}
	}
	if strings.Contains(table, "conv2") || strings.Contains(table, "fp32") {
		t.Error("steps table lists a wobble")
	}
	if strings.Contains(html, "NaN") || strings.Contains(html, "Inf") {
		t.Error("page has NaN or Inf")
	}
}

// The x axis is runs in time order: points of one commit share a run
// slot; a second bench of the same commit is a run of its own.
func TestHistorySlots(t *testing.T) {
	runs := historyRuns(t)
	again := runs[len(runs)-3] // the last bench, repeated at the same commit
	r := *again
	r.Time = r.Time.Add(10 * time.Minute)
	runs = append(runs, &r)
	h, _ := BuildHistory(runs, results.DefaultOptions)
	e2e := seriesNamed(t, h, "bench/resnet20/e2e/int8", "images/s")
	top1 := seriesNamed(t, h, "eval/resnet20/int8", results.UnitTop1)
	labels, at := slotsOf([]*Series{e2e, top1})
	if len(labels) != 8 || len(at[e2e]) != 8 || len(at[top1]) != 7 {
		t.Fatalf("slots %q, bench at %v, eval at %v: want 8 slots, the bench in all, the eval in the first 7", labels, at[e2e], at[top1])
	}
	for i := range 7 {
		if at[e2e][i] != i || at[top1][i] != i {
			t.Errorf("run %d: bench in slot %d, eval in %d", i, at[e2e][i], at[top1][i])
		}
	}
	if labels[6] != labels[7] || at[e2e][7] != 7 {
		t.Errorf("the repeated bench is not a slot of its own at the same commit: %q, %v", labels, at[e2e])
	}
}

func TestHistoryOptionsChecked(t *testing.T) {
	for _, o := range []results.Options{
		{Alpha: 0, Threshold: 0.05, Top1Points: 0.3},
		{Alpha: 0.05, Threshold: -1, Top1Points: 0.3},
		{Alpha: 0.05, Threshold: 0.05, Top1Points: math.NaN()},
	} {
		if _, err := CollectWith(t.TempDir(), "", o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}

// The attribution of a bench renders per model, and what it states adds up
// to the shares and seconds it was given.
func TestAttributionRenders(t *testing.T) {
	r := benchRun(t, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), 64)
	d := &Data{Host: r.Host}
	if err := d.add(r); err != nil {
		t.Fatal(err)
	}
	html := render(t, d)
	for _, m := range []string{"resnet20", "mobilenetv2"} {
		id := "attribution-" + m + "-b64-t1"
		if strings.Count(html, `<svg id="`+id+`"`) != 1 || !containsStr(ChartIDs(d), id) {
			t.Errorf("attribution chart %s missing", id)
		}
	}
	chart := html[strings.Index(html, `<svg id="attribution-resnet20-b64-t1"`):]
	chart = chart[:strings.Index(chart, "</svg>")]
	var wantShare, wantSec float64
	for _, s := range fixtureShares {
		wantShare += s.Share
		wantSec += s.Seconds
		if !strings.Contains(chart, fmt.Sprintf(">%s<", esc(shareLabel(s)))) || !strings.Contains(chart, fmt.Sprintf("%.1f%% (%.2f s)", 100*s.Share, s.Seconds)) {
			t.Errorf("chart lacks the bar of %s", shareLabel(s))
		}
	}
	if n := strings.Count(chart, "<rect x="); n != len(fixtureShares) {
		t.Errorf("chart has %d bars, want %d", n, len(fixtureShares))
	}
	// The sentence under the chart states the profile's total and the rows' share of it.
	m := regexp.MustCompile(`CPU profile of the bench: ([0-9.]+) s of CPU in total; the rows below hold ([0-9.]+) s, ([0-9.]+)% of it`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no attribution total stated")
	}
	total, _ := strconv.ParseFloat(m[1], 64)
	rows, _ := strconv.ParseFloat(m[2], 64)
	pct, _ := strconv.ParseFloat(m[3], 64)
	if math.Abs(rows-wantSec) > 0.005 || math.Abs(pct-100*wantShare) > 0.05 || math.Abs(total-wantSec/wantShare) > 0.005 {
		t.Errorf("stated %v s total, rows %v s = %v%%; given rows %v s = %v%% (total %v s)", total, rows, pct, wantSec, 100*wantShare, wantSec/wantShare)
	}
	// The table's shares sum as given.
	tbl := html[strings.Index(html, "<summary>Attribution table</summary>"):]
	tbl = tbl[:strings.Index(tbl, "</table>")]
	sum := 0.0
	for _, c := range regexp.MustCompile(`<td>[0-9.]+</td><td>([0-9.]+)%</td>`).FindAllStringSubmatch(tbl, -1) {
		v, _ := strconv.ParseFloat(c[1], 64)
		sum += v
	}
	if math.Abs(sum-100*wantShare) > 0.05*float64(len(fixtureShares)) {
		t.Errorf("table shares sum to %.2f%%, given %.2f%%", sum, 100*wantShare)
	}
}

// A long history charts its latest maxSlots runs; older steps stay in the
// table.
func TestHistoryChartKeepsLatestRuns(t *testing.T) {
	base := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var runs []*results.Run
	for i := range maxSlots + 10 {
		slow := 1.0
		switch {
		case i >= maxSlots+5:
			slow = 0.7 * 1.3
		case i >= 5:
			slow = 0.7
		}
		r := kernelsRun(t, base.Add(time.Duration(i)*time.Hour), 1, slow)
		r.Version = results.Version{Commit: commit(i)}
		runs = append(runs, r)
	}
	h, errs := BuildHistory(runs, results.DefaultOptions)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(h.Steps) != 2 || h.Steps[0].At != maxSlots+5 || !h.Steps[1].Better || h.Steps[1].At != 5 {
		t.Fatalf("steps %+v: want the regression at run %d, then the improvement at run 5", h.Steps, maxSlots+5)
	}
	d := &Data{History: h}
	if ids := ChartIDs(d); strings.Join(ids, " ") != "history-step-1" {
		t.Fatalf("chart ids %q, want one step chart", ids)
	}
	html := render(t, d)
	chart := html[strings.Index(html, `<svg id="history-step-1"`):]
	chart = chart[:strings.Index(chart, "</svg>")]
	if n := strings.Count(chart, "<circle "); n != maxSlots {
		t.Errorf("chart draws %d runs, want the latest %d", n, maxSlots)
	}
	if !strings.Contains(chart, fmt.Sprintf("(latest %d runs)", maxSlots)) {
		t.Error("chart title does not say it shows the latest runs")
	}
	if n := strings.Count(chart, `class="step"`); n != 1 {
		t.Errorf("chart marks %d steps, want the 1 within its runs", n)
	}
	if strings.Contains(chart, "NaN") {
		t.Error("chart has NaN")
	}
	table := html[strings.Index(html, `<table class="steps">`):]
	table = table[:strings.Index(table, "</table>")]
	if rows := strings.Count(table, "<tr>") - 1; rows != 2 {
		t.Errorf("steps table has %d rows, want 2", rows)
	}
}
