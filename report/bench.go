package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/results"
)

// BenchRun is a decoded bench run (aiq bench --model).
type BenchRun struct {
	Run *results.Run
	results.Bench
}

// attribution is one model's CPU profile attribution in a bench run.
type attribution struct {
	ID     string
	Run    *results.Run
	Model  string
	Shares []results.Share // largest first
}

// attributions lists the bench runs' attributions in page order.
func attributions(d *Data) []attribution {
	var out []attribution
	for _, br := range d.Benches {
		for _, m := range br.Models {
			if len(m.Attribution) == 0 {
				continue
			}
			sh := append([]results.Share(nil), m.Attribution...)
			sort.SliceStable(sh, func(i, j int) bool { return sh[i].Seconds > sh[j].Seconds })
			out = append(out, attribution{
				ID:  id("attribution", m.Model, fmt.Sprintf("b%d", br.Run.Batch), fmt.Sprintf("t%d", br.Run.Threads)),
				Run: br.Run, Model: m.Model, Shares: sh,
			})
		}
	}
	return out
}

// kindColors colour the step kinds of a profile attribution.
var kindColors = map[string]string{"gemm": "#1f78b4", "depthwise": "#33a02c", "im2col": "#ff7f00",
	"conversion": "#6a3d9a", "other-op": "#b15928", "runtime": "#999", "other": "#ccc"}

func kindColor(k string) string {
	if c, ok := kindColors[k]; ok {
		return c
	}
	return "#777"
}

// shareLabel names a bucket: its kind, and its kernel family when known.
func shareLabel(s results.Share) string {
	if s.Family == "" {
		return s.Kind
	}
	return s.Kind + ": " + s.Family
}

// totals are the rows' CPU seconds and shares, and the profile's total CPU
// time they imply (seconds / share), for the sentence under the chart.
func totals(sh []results.Share) (seconds, share, profile float64) {
	for _, s := range sh {
		seconds += s.Seconds
		share += s.Share
	}
	profile = seconds
	if share > 0 {
		profile = seconds / share
	}
	return seconds, share, profile
}

func writeBench(b *strings.Builder, d *Data) {
	fmt.Fprintf(b, "<h2 id=\"bench\">Models benched through the engine</h2>\n")
	if len(d.Benches) == 0 {
		fmt.Fprintf(b, "<p class=\"muted\">No bench run: see the notes above.</p>\n")
		return
	}
	charts := map[string]attribution{}
	for _, a := range attributions(d) {
		charts[a.Run.Path+"\x00"+a.Model] = a
	}
	for _, br := range d.Benches {
		for _, m := range br.Models {
			fmt.Fprintf(b, "<h3>%s, batch %d, %d thread(s)</h3>\n", esc(m.Model), br.Run.Batch, br.Run.Threads)
			if br.Run.Summary != "" {
				fmt.Fprintf(b, "<p>%s</p>\n", esc(br.Run.Summary))
			}
			writePasses(b, m)
			writeBenchLayers(b, m)
			a, ok := charts[br.Run.Path+"\x00"+m.Model]
			if !ok {
				fmt.Fprintf(b, "<p class=\"muted\">No CPU profile attribution in this run (<code>aiq bench --model M --cpuprofile FILE</code> adds one).</p>\n")
				continue
			}
			writeAttribution(b, a)
		}
	}
}

func writePasses(b *strings.Builder, m results.BenchModel) {
	if len(m.Passes) == 0 {
		return
	}
	fmt.Fprintf(b, "<table><tr><th class=\"l\">format</th><th>images/s end to end (median)</th><th>interval</th><th>samples</th></tr>\n")
	for _, p := range m.Passes {
		hp := histPoint(nil, p.Values)
		fmt.Fprintf(b, "<tr><td class=\"l\" style=\"color:%s\">%s</td><td>%.0f</td><td>%.0f .. %.0f</td><td>%d</td></tr>\n",
			formatColor(p.Name), esc(p.Name), hp.Center, hp.Lo, hp.Hi, len(p.Values))
	}
	fmt.Fprintf(b, "</table>\n")
}

func writeBenchLayers(b *strings.Builder, m results.BenchModel) {
	if len(m.Layers) == 0 {
		return
	}
	fmt.Fprintf(b, "<details><summary>%d layer timings (layer and format)</summary><table><tr><th class=\"l\">layer</th><th class=\"l\">format</th><th class=\"l\">runs as</th><th class=\"l\">kind</th><th>time (median)</th><th>interval</th><th>GOP/s</th><th>AI</th></tr>\n", len(m.Layers))
	for _, l := range m.Layers {
		var sec []float64
		for _, x := range l.Metrics {
			if x.Unit == "sec/op" {
				sec = x.Values
			}
		}
		t, lo, hi, gops := math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if len(sec) > 0 {
			hp := histPoint(nil, sec)
			t, lo, hi = hp.Center, hp.Lo, hp.Hi
			if t > 0 {
				gops = l.Ops / t / 1e9
			}
		}
		ai := math.NaN()
		if l.Bytes > 0 {
			ai = l.Ops / l.Bytes
		}
		interval := "-"
		if ok(lo) {
			interval = fmtValue(lo, "sec/op") + " .. " + fmtValue(hi, "sec/op")
		}
		exec := l.Exec
		if exec == l.Format {
			exec = ""
		}
		fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l\" style=\"color:%s\">%s</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			esc(l.Name), formatColor(l.Format), esc(l.Format), esc(exec), esc(l.Kind), esc(fmtTime(t)), esc(interval), fmtNum(gops, 1), fmtNum(ai, 2))
	}
	fmt.Fprintf(b, "</table></details>\n")
}

func fmtTime(sec float64) string {
	if !ok(sec) {
		return "-"
	}
	return fmtValue(sec, "sec/op")
}

func writeAttribution(b *strings.Builder, a attribution) {
	seconds, share, profile := totals(a.Shares)
	bars := make([]bar, len(a.Shares))
	for i, s := range a.Shares {
		bars[i] = bar{Label: shareLabel(s), Value: s.Share, Color: kindColor(s.Kind),
			Text: fmt.Sprintf("%.1f%% (%.2f s)", 100*s.Share, s.Seconds)}
	}
	b.WriteString(barsSVG(a.ID, a.Model+": CPU time per step kind and kernel family", bars))
	b.WriteString("\n")
	byKind := map[string]float64{}
	var kinds []string
	for _, s := range a.Shares {
		if _, ok := byKind[s.Kind]; !ok {
			kinds = append(kinds, s.Kind)
		}
		byKind[s.Kind] += s.Share
	}
	sort.SliceStable(kinds, func(i, j int) bool { return byKind[kinds[i]] > byKind[kinds[j]] })
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %.1f%%", k, 100*byKind[k])
	}
	fmt.Fprintf(b, "<p class=\"attribution-total\">CPU profile of the bench: %.2f s of CPU in total; the rows below hold %.2f s, %.1f%% of it. By step kind: %s.</p>\n",
		profile, seconds, 100*share, esc(strings.Join(parts, ", ")))
	fmt.Fprintf(b, "<details><summary>Attribution table</summary><table><tr><th class=\"l\">step kind</th><th class=\"l\">kernel family</th><th>CPU s</th><th>share</th></tr>\n")
	for _, s := range a.Shares {
		fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%.3f</td><td>%.1f%%</td></tr>\n", esc(s.Kind), esc(s.Family), s.Seconds, 100*s.Share)
	}
	fmt.Fprintf(b, "<tr><th class=\"l\">total</th><th></th><th>%.3f</th><th>%.1f%%</th></tr></table></details>\n", seconds, 100*share)
}
