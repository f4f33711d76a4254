package report

import (
	"bytes"
	"fmt"
	"github.com/aiq-project/aiq/harness"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/results"
	"github.com/aiq-project/aiq/roofline"
)

// WriteFile renders d to path atomically: the file appears complete or not
// at all.
func WriteFile(path string, d *Data) error {
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		return err
	}
	if err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// ChartIDs are the ids of the <svg> charts Write draws for d, in page order.
func ChartIDs(d *Data) []string {
	var ids []string
	if d.Probe != nil {
		ids = append(ids, "roofline")
	}
	for _, a := range attributions(d) {
		ids = append(ids, a.ID)
	}
	for _, m := range d.Models() {
		ids = append(ids, id("pareto", m, "throughput"), id("pareto", m, "ai"))
		for _, s := range d.Searches {
			if s.Model == m && len(s.Layers) > 0 {
				ids = append(ids, id("layers", m, s.Objective))
			}
		}
	}
	for _, c := range historyCharts(d.History) {
		ids = append(ids, c.ID)
	}
	return ids
}

const css = `body{font-family:sans-serif;margin:24px;max-width:1400px;color:#222}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:32px}h3{font-size:15px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}.notes{background:#fff8dc;border:1px solid #e8d88c;padding:8px 16px}
.bad{color:#b00;font-weight:bold}.good{color:#070}.muted{color:#777}.charts{display:flex;flex-wrap:wrap;gap:12px}
svg.chart{border:1px solid #eee}details{margin:6px 0}code{font-size:12px}`

// Write renders d as one self-contained HTML page: inline CSS and SVG, no
// script, no network.
func Write(w io.Writer, d *Data) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>aiq report: %s</title>\n<style>%s</style></head><body>\n", esc(d.Host.ID), css)
	p("<h1>aiq report: host <code>%s</code></h1>\n", esc(d.Host.ID))
	p("<p class=\"muted\">Generated %s from <code>%s</code>.</p>\n", d.Generated.Format(time.RFC3339), esc(d.Dir))
	if len(d.Notes) > 0 {
		p("<div class=\"notes\" id=\"notes\"><b>Missing or skipped</b><ul>\n")
		for _, n := range d.Notes {
			p("<li>%s</li>\n", esc(n))
		}
		p("</ul></div>\n")
	}
	writeHost(&b, d)
	if err := writeRoofline(&b, d); err != nil {
		return err
	}
	writeKernels(&b, d)
	writeBench(&b, d)
	writeSearches(&b, d)
	writeEvals(&b, d)
	writeHistory(&b, d)
	writeChanges(&b, d)
	writeRuns(&b, d)
	p("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeHost(b *strings.Builder, d *Data) {
	h := d.Host
	fmt.Fprintf(b, "<h2 id=\"host\">Host</h2>\n<table>\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(b, "<tr><th class=\"l\">%s</th><td class=\"l\">%s</td></tr>\n", esc(k), esc(v))
		}
	}
	row("fingerprint", h.ID)
	row("CPU", h.CPU)
	row("arch", h.Arch)
	if h.Logical > 0 {
		row("cores", fmt.Sprintf("%d physical, %d logical", h.Physical, h.Logical))
	}
	if h.Caches != (results.Caches{}) {
		row("caches", fmt.Sprintf("L1d %s, L2 %s, L3 %s", bytesStr(h.Caches.L1D), bytesStr(h.Caches.L2), bytesStr(h.Caches.L3)))
	}
	row("SIMD features", strings.Join(h.Features, " "))
	row("kernel ISA", h.ISA)
	if len(h.Variants) > 0 {
		var vs []string
		for k, v := range h.Variants {
			vs = append(vs, k+"="+v)
		}
		sort.Strings(vs)
		row("kernel variants", strings.Join(vs, " "))
	}
	row("OS", strings.TrimSpace(h.OS+" "+h.Kernel))
	row("Go", h.GoVersion)
	fmt.Fprintf(b, "</table>\n")
}

// kernelThreads is the thread count of the kernel and bench runs when they
// agree, else the probe's.
func kernelThreads(d *Data) int {
	t := 0
	var runs []*results.Run
	for _, k := range d.Kernels {
		runs = append(runs, k.Run)
	}
	for _, b := range d.Benches {
		runs = append(runs, b.Run)
	}
	for _, r := range runs {
		switch {
		case t == 0:
			t = r.Threads
		case t != r.Threads:
			return d.Probe.Threads
		}
	}
	if t == 0 {
		return d.Probe.Threads
	}
	return t
}

func writeRoofline(b *strings.Builder, d *Data) error {
	fmt.Fprintf(b, "<h2 id=\"roofline-section\">Roofline with every kernel</h2>\n")
	if d.Probe == nil {
		fmt.Fprintf(b, "<p class=\"muted\">No roofline probe: see the notes above.</p>\n")
		return nil
	}
	threads := kernelThreads(d)
	if _, _, err := d.Probe.Ceilings(kernels.FP32, roofline.DRAM, threads); err != nil {
		threads = d.Probe.Threads
	}
	var pts []roofline.ChartPoint
	for _, k := range d.Kernels {
		for _, kn := range k.Kernels.Kernels {
			if g := harness.Median(metric(kn, "GOP/s")); g > 0 && kn.Bytes > 0 {
				pts = append(pts, roofline.ChartPoint{Name: shortName(kn.Name), AI: kn.Ops / kn.Bytes, GOPS: g, Format: kn.Format})
			}
		}
	}
	for _, br := range d.Benches {
		for _, m := range br.Models {
			for _, l := range m.Layers {
				if g := layerGOPS(l); g > 0 && l.Bytes > 0 {
					exec := l.Exec
					if exec == "" {
						exec = l.Format
					}
					name := fmt.Sprintf("%s%s/%s/b%d", m.Model, l.Name, l.Format, br.Run.Batch)
					pts = append(pts, roofline.ChartPoint{Name: name, AI: l.Ops / l.Bytes, GOPS: g, Format: exec})
				}
			}
		}
	}
	title := fmt.Sprintf("Roofline of %s, %d thread(s), %d kernel points", d.Probe.Host.CPU, threads, len(pts))
	var svg bytes.Buffer
	if err := roofline.WriteSVG(&svg, d.Probe, roofline.ChartOptions{Threads: threads, Title: title, Points: pts}); err != nil {
		fmt.Fprintf(b, "<p class=\"bad\">Roofline chart: %s</p>\n", esc(err.Error()))
		return nil
	}
	s := strings.Replace(svg.String(), "<svg ", `<svg id="roofline" class="chart" `, 1)
	b.WriteString(s)
	mode := "full"
	if d.Probe.Quick {
		mode = "quick"
	}
	fmt.Fprintf(b, "<p class=\"muted\">%s probe of %s; points are kernel medians (hover for names), coloured by format like its compute ceiling.</p>\n",
		mode, d.Probe.Time.Format(time.RFC3339))
	fmt.Fprintf(b, "<table><tr><th class=\"l\">format</th><th>peak GOP/s (1 core)</th><th>ISA</th></tr>\n")
	for _, f := range kernels.Formats {
		if v, ok := d.Probe.PeakGOPS[f]; ok {
			fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td>%.1f</td><td class=\"l\">%s</td></tr>\n", f, v, esc(d.Probe.Peaks[f].ISA))
		}
	}
	fmt.Fprintf(b, "</table>\n<table><tr><th>threads</th>")
	for _, l := range roofline.Levels {
		fmt.Fprintf(b, "<th>%s GB/s</th>", l)
	}
	fmt.Fprintf(b, "</tr>\n")
	for _, sw := range d.Probe.Sweeps {
		fmt.Fprintf(b, "<tr><td>%d</td>", sw.Threads)
		for _, l := range roofline.Levels {
			fmt.Fprintf(b, "<td>%.1f</td>", sw.Levels[l].Ceiling())
		}
		fmt.Fprintf(b, "</tr>\n")
	}
	fmt.Fprintf(b, "</table>\n")
	return nil
}

func writeKernels(b *strings.Builder, d *Data) {
	fmt.Fprintf(b, "<h2 id=\"kernels\">Kernels against the roofline</h2>\n")
	if len(d.Kernels) == 0 {
		fmt.Fprintf(b, "<p class=\"muted\">No kernel bench: see the notes above.</p>\n")
		return
	}
	for _, k := range d.Kernels {
		how := "each layer shape as one kernel call"
		if k.Run.Protocol["bench"] == "model" {
			how = "each layer as a step of whole passes of the model"
		}
		fmt.Fprintf(b, "<h3>Batch %d, %d thread(s): %s</h3>\n", k.Run.Batch, k.Run.Threads, how)
		type agg struct{ pct []float64 }
		byFmt := map[string]*agg{}
		var rows strings.Builder
		for _, kn := range k.Kernels.Kernels {
			g := harness.Median(metric(kn, "GOP/s"))
			ai := kn.Ops / kn.Bytes
			att, pct := math.NaN(), math.NaN()
			if d.Probe != nil {
				if a, err := d.Probe.Attainable(kernels.FormatNamed(kn.Format), ai, roofline.Level(kn.Level), k.Run.Threads); err == nil && a > 0 {
					att, pct = a, 100*g/a
					if byFmt[kn.Format] == nil {
						byFmt[kn.Format] = &agg{}
					}
					byFmt[kn.Format].pct = append(byFmt[kn.Format].pct, pct)
				}
			}
			fmt.Fprintf(&rows, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%.1f</td><td>%s</td><td>%.2f</td><td class=\"l\">%s</td><td>%s</td><td>%s</td></tr>\n",
				esc(kn.Name), esc(kn.Format), esc(kn.Variant), g, spread(metric(kn, "GOP/s")), ai, esc(kn.Level), fmtNum(att, 1), fmtPct(pct))
		}
		if len(byFmt) > 0 {
			fmt.Fprintf(b, "<table><tr><th class=\"l\">format</th><th>kernels</th><th>median %% of roofline</th><th>min</th><th>max</th></tr>\n")
			for _, f := range []string{"fp32", "fp16", "int8", "int4"} {
				a := byFmt[f]
				if a == nil {
					continue
				}
				fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td>%d</td><td>%.1f%%</td><td>%.1f%%</td><td>%.1f%%</td></tr>\n",
					f, len(a.pct), harness.Median(a.pct), minOf(a.pct), maxOf(a.pct))
			}
			fmt.Fprintf(b, "</table>\n")
		}
		fmt.Fprintf(b, "<details><summary>%d kernels</summary><table><tr><th class=\"l\">kernel</th><th class=\"l\">format</th><th class=\"l\">variant</th><th>GOP/s</th><th>spread</th><th>AI</th><th class=\"l\">level</th><th>attainable</th><th>%% of roofline</th></tr>\n%s</table></details>\n",
			len(k.Kernels.Kernels), rows.String())
	}
}

func writeSearches(b *strings.Builder, d *Data) {
	fmt.Fprintf(b, "<h2 id=\"search\">Search: Pareto fronts and chosen formats</h2>\n")
	if len(d.Searches) == 0 {
		fmt.Fprintf(b, "<p class=\"muted\">No search run: see the notes above.</p>\n")
		return
	}
	for _, m := range d.Models() {
		fmt.Fprintf(b, "<h3>%s</h3>\n<div class=\"charts\">\n", esc(m))
		var thr, ai []series
		for _, s := range d.Searches {
			if s.Model != m {
				continue
			}
			name := s.Objective + " objective"
			st, sa := series{Name: name, Line: true}, series{Name: name, Line: true}
			for i, c := range s.Candidates {
				chosen := i == s.Chosen
				if !chosen && !contains(s.Front, i) {
					continue
				}
				label := fmt.Sprintf("%s: top-1 %.2f%%, %.0f images/s, AI %.2f", strings.Join(compress(c.Formats), " "), c.Top1, c.Throughput, c.AI)
				if chosen {
					label = "chosen (top-1 on holdout) " + label
				}
				if c.Throughput > 0 {
					st.Pts = append(st.Pts, xy{X: c.Throughput, Y: c.Top1, Label: label, Mark: chosen})
				}
				if c.AI > 0 {
					sa.Pts = append(sa.Pts, xy{X: c.AI, Y: c.Top1, Label: label, Mark: chosen})
				}
			}
			thr, ai = append(thr, st), append(ai, sa)
		}
		var bt, ba series
		for _, sr := range d.Searches {
			if sr.Model != m || len(bt.Pts) > 0 {
				continue
			}
			for _, x := range sr.Baselines {
				label := fmt.Sprintf("uniform %s: top-1 %.2f%% (search images), %.0f images/s, AI %.2f", x.Format, x.Top1Search, x.ImagesPerS, x.AI)
				if x.ImagesPerS > 0 {
					bt.Pts = append(bt.Pts, xy{X: x.ImagesPerS, Y: x.Top1Search, Label: label, Text: x.Format})
				}
				if x.AI > 0 {
					ba.Pts = append(ba.Pts, xy{X: x.AI, Y: x.Top1Search, Label: label, Text: x.Format})
				}
			}
		}
		if len(bt.Pts) > 0 {
			bt.Name = "uniform formats"
			thr = append(thr, bt)
		}
		if len(ba.Pts) > 0 {
			ba.Name = "uniform formats"
			ai = append(ai, ba)
		}
		b.WriteString(scatterSVG(id("pareto", m, "throughput"), m+": top-1 vs images/s", "images/s (measured, batch of the run)", "top-1 %", false, thr))
		b.WriteString(scatterSVG(id("pareto", m, "ai"), m+": top-1 vs arithmetic intensity", "arithmetic intensity (flop/byte, log)", "top-1 %", true, ai))
		fmt.Fprintf(b, "</div>\n<p class=\"muted\">Front and uniform points: top-1 on the search images; the ringed chosen point: top-1 on the holdout images. Images/s are measured end to end; front points the search did not time are on the AI chart only.</p>\n")
		for _, s := range d.Searches {
			if s.Model != m {
				continue
			}
			writeSearch(b, s)
		}
	}
}

func writeSearch(b *strings.Builder, s SearchRun) {
	fmt.Fprintf(b, "<h3>%s, %s objective (%s, top-1 bound %.2g points)</h3>\n", esc(s.Model), esc(s.Objective), esc(s.Algorithm), s.Bound)
	if s.Run.Summary != "" {
		fmt.Fprintf(b, "<p>%s</p>\n", esc(s.Run.Summary))
	}
	var chosen []string
	if s.Chosen >= 0 && s.Chosen < len(s.Candidates) {
		chosen = s.Candidates[s.Chosen].Formats
	}
	if len(s.Baselines) > 0 {
		fmt.Fprintf(b, "<table><tr><th class=\"l\">uniform</th><th>top-1 search</th><th>top-1 holdout</th><th>images/s</th><th>images/s batch 1</th><th>AI</th></tr>\n")
		for _, x := range s.Baselines {
			fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td>%.2f</td><td>%.2f</td><td>%.0f</td><td>%.0f</td><td>%.1f</td></tr>\n",
				esc(x.Format), x.Top1Search, x.Top1Holdout, x.ImagesPerS, x.ImagesPerS1, x.AI)
		}
		fmt.Fprintf(b, "</table>\n<p class=\"muted\">From <code>%s</code>.</p>\n", esc(s.Output))
	}
	if len(s.Layers) > 0 {
		bars := make([]layerBar, len(s.Layers))
		for i, l := range s.Layers {
			bars[i] = layerBar{Name: l.Name, Params: l.Params, MACs: l.MACs, Format: "?"}
			if i < len(chosen) {
				bars[i].Format = chosen[i]
			}
		}
		b.WriteString(layersSVG(id("layers", s.Model, s.Objective), s.Model+" ("+s.Objective+"): chosen format per layer beside its size", bars))
		b.WriteString("\n")
	}
	if len(s.Sensitivity) == 0 {
		fmt.Fprintf(b, "<p class=\"muted\">No sensitivity measured.</p>\n")
		return
	}
	var fmts []string
	cell := map[string]map[string]float64{}
	for _, x := range s.Sensitivity {
		if cell[x.Layer] == nil {
			cell[x.Layer] = map[string]float64{}
		}
		if _, ok := cell[x.Layer][x.Format]; !ok && !containsStr(fmts, x.Format) {
			fmts = append(fmts, x.Format)
		}
		cell[x.Layer][x.Format] = x.DeltaTop1
	}
	sort.Slice(fmts, func(i, j int) bool { return fmtRank(fmts[i]) < fmtRank(fmts[j]) })
	open := ""
	if len(s.Layers) <= 25 {
		open = " open"
	}
	fmt.Fprintf(b, "<details%s><summary>Sensitivity: top-1 change (points) from quantizing one layer alone</summary><table><tr><th>#</th><th class=\"l\">layer</th><th>weights</th>", open)
	for _, f := range fmts {
		fmt.Fprintf(b, "<th>%s</th>", esc(f))
	}
	fmt.Fprintf(b, "<th class=\"l\">chosen</th></tr>\n")
	names := make([]string, 0, len(s.Layers))
	params := map[string]int64{}
	for _, l := range s.Layers {
		names = append(names, l.Name)
		params[l.Name] = l.Params
	}
	for l := range cell { // sensitivity of layers the payload does not list
		if _, ok := params[l]; !ok {
			names = append(names, l)
		}
	}
	for i, l := range names {
		c := ""
		if i < len(chosen) && i < len(s.Layers) {
			c = chosen[i]
		}
		fmt.Fprintf(b, "<tr><td>%d</td><td class=\"l\">%s</td><td>%d</td>", i, esc(l), params[l])
		for _, f := range fmts {
			v, ok := cell[l][f]
			if !ok {
				fmt.Fprintf(b, "<td class=\"muted\">-</td>")
				continue
			}
			fmt.Fprintf(b, "<td style=\"background:%s\">%+.2f</td>", heat(v), v)
		}
		fmt.Fprintf(b, "<td class=\"l\" style=\"color:%s\">%s</td></tr>\n", formatColor(c), esc(c))
	}
	fmt.Fprintf(b, "</table></details>\n")
}

func writeEvals(b *strings.Builder, d *Data) {
	fmt.Fprintf(b, "<h2 id=\"eval\">Evaluation</h2>\n")
	if len(d.Evals) == 0 {
		fmt.Fprintf(b, "<p class=\"muted\">No eval run: see the notes above.</p>\n")
		return
	}
	fmt.Fprintf(b, "<table><tr><th class=\"l\">model</th><th class=\"l\">config</th><th class=\"l\">images</th><th>count</th><th>top-1 %%</th><th>images/s</th><th>batch</th><th>threads</th><th class=\"l\">time</th></tr>\n")
	for _, e := range d.Evals {
		ips := math.NaN()
		for _, pt := range e.Metrics {
			if pt.Unit == "images/s" {
				ips = harness.Median(pt.Values)
			}
		}
		fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%d</td><td>%.2f</td><td>%s</td><td>%d</td><td>%d</td><td class=\"l\">%s</td></tr>\n",
			esc(e.Model), esc(e.Config), esc(e.Images), e.Count, e.Top1, fmtNum(ips, 0), e.Run.Batch, e.Run.Threads, e.Run.Time.Format(time.RFC3339))
	}
	fmt.Fprintf(b, "</table>\n")
}

func writeChanges(b *strings.Builder, d *Data) {
	fmt.Fprintf(b, "<h2 id=\"changes\">Change against the previous run of this host</h2>\n")
	o := results.DefaultOptions
	if d.History != nil {
		o = d.History.Options
	}
	fmt.Fprintf(b, "<p class=\"muted\">Each run above against the previous run of the same kind and key, as <code>aiq compare</code>: Mann-Whitney U test at alpha %.2g over the samples and a regression threshold of %.3g%% on the median; top-1 regresses by a drop of more than %.2g points on the same images.</p>\n",
		o.Alpha, 100*o.Threshold, o.Top1Points)
	if len(d.Changes) == 0 {
		fmt.Fprintf(b, "<p class=\"muted\">No runs.</p>\n")
		return
	}
	fmt.Fprintf(b, "<table><tr><th class=\"l\">run</th><th class=\"l\">previous</th><th class=\"l\">now</th><th>points</th><th>improved</th><th>worse</th><th>regressed</th><th>other</th></tr>\n")
	for _, c := range d.Changes {
		now := c.New.Time.Format(time.RFC3339) + " @" + c.New.Version.Short()
		switch {
		case c.Old == nil:
			fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l muted\">none</td><td class=\"l\">%s</td><td colspan=\"5\"></td></tr>\n", esc(c.Key), esc(now))
			continue
		case c.Err != nil:
			fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td colspan=\"5\" class=\"l bad\">%s</td></tr>\n",
				esc(c.Key), esc(c.Old.Time.Format(time.RFC3339)), esc(now), esc(c.Err.Error()))
			continue
		}
		n := map[results.Verdict]int{}
		for _, x := range c.Cmp.Deltas {
			n[x.Verdict]++
		}
		other := len(c.Cmp.Deltas) - n[results.Improved] - n[results.Worse] - n[results.Regressed] - n[results.Same]
		regCls := ""
		if n[results.Regressed] > 0 {
			regCls = " class=\"bad\""
		}
		fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l\">%s @%s</td><td class=\"l\">%s</td><td>%d</td><td class=\"good\">%d</td><td>%d</td><td%s>%d</td><td>%d</td></tr>\n",
			esc(c.Key), esc(c.Old.Time.Format(time.RFC3339)), esc(c.Old.Version.Short()), esc(now), len(c.Cmp.Deltas),
			n[results.Improved], n[results.Worse], regCls, n[results.Regressed], other)
	}
	fmt.Fprintf(b, "</table>\n")
	for _, c := range d.Changes {
		if c.Cmp == nil {
			continue
		}
		var rows strings.Builder
		k := 0
		for _, x := range c.Cmp.Deltas {
			if x.Verdict == results.Same {
				continue
			}
			k++
			cls := ""
			switch x.Verdict {
			case results.Regressed:
				cls = " class=\"bad\""
			case results.Improved:
				cls = " class=\"good\""
			}
			fmt.Fprintf(&rows, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%.4g</td><td>%.4g</td><td>%+.1f%%</td><td>%.3f</td><td%s>%s</td></tr>\n",
				esc(x.Name), esc(x.Unit), x.Old.Center, x.New.Center, 100*x.Change, x.P, cls, esc(string(x.Verdict)))
		}
		if k == 0 {
			continue
		}
		open := ""
		if len(c.Cmp.Regressions()) > 0 {
			open = " open"
		}
		fmt.Fprintf(b, "<details%s><summary>%s: %d of %d points changed or undecided</summary><table><tr><th class=\"l\">point</th><th class=\"l\">unit</th><th>old</th><th>new</th><th>delta</th><th>p</th><th>verdict</th></tr>\n%s</table></details>\n",
			open, esc(c.Key), k, len(c.Cmp.Deltas), rows.String())
	}
}

func writeRuns(b *strings.Builder, d *Data) {
	fmt.Fprintf(b, "<h2 id=\"runs\">Runs shown</h2>\n<table><tr><th class=\"l\">kind</th><th class=\"l\">time</th><th class=\"l\">commit</th><th>threads</th><th>batch</th><th class=\"l\">summary</th><th class=\"l\">protocol</th><th class=\"l\">file</th></tr>\n")
	for _, c := range d.Changes {
		r := c.New
		var proto []string
		for k, v := range r.Protocol {
			proto = append(proto, k+": "+v)
		}
		sort.Strings(proto)
		fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%d</td><td>%d</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td class=\"l\"><code>%s</code></td></tr>\n",
			esc(r.Kind), r.Time.Format(time.RFC3339), esc(r.Version.Short()), r.Threads, r.Batch, esc(r.Summary), esc(strings.Join(proto, "; ")), esc(r.Path))
	}
	fmt.Fprintf(b, "</table>\n")
}

// compress writes runs of equal formats as "int8x5".
func compress(fs []string) []string {
	var out []string
	for i := 0; i < len(fs); {
		j := i
		for j < len(fs) && fs[j] == fs[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, fmt.Sprintf("%sx%d", fs[i], j-i))
		} else {
			out = append(out, fs[i])
		}
		i = j
	}
	return out
}

// layerGOPS is a bench layer's median GOP/s: its own samples, else from
// its time.
func layerGOPS(l results.BenchLayer) float64 {
	var sec []float64
	for _, m := range l.Metrics {
		switch m.Unit {
		case "GOP/s":
			return harness.Median(m.Values)
		case "sec/op":
			sec = m.Values
		}
	}
	if t := harness.Median(sec); t > 0 {
		return l.Ops / t / 1e9
	}
	return math.NaN()
}

func metric(k results.Kernel, unit string) []float64 {
	for _, m := range k.Metrics {
		if m.Unit == unit {
			return m.Values
		}
	}
	return nil
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// spread is the half-range of the samples relative to the median.
func spread(v []float64) string {
	if len(v) < 2 {
		return "-"
	}
	m := harness.Median(v)
	if !(m > 0) {
		return "-"
	}
	return fmt.Sprintf("±%.0f%%", 100*(maxOf(v)-minOf(v))/2/m)
}

func fmtNum(v float64, prec int) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

func fmtPct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", v)
}

// heat colours a top-1 change: white at 0, red at -5 points or worse.
func heat(v float64) string {
	t := math.Min(1, math.Max(0, -v/5))
	g := int(255 - 150*t)
	return fmt.Sprintf("rgb(255,%d,%d)", g, g)
}

func fmtRank(f string) int {
	switch f {
	case "fp32":
		return 0
	case "fp16":
		return 1
	case "int8":
		return 2
	case "int4":
		return 3
	}
	return 4
}

func bytesStr(n int) string {
	switch {
	case n <= 0:
		return "?"
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func contains(v []int, x int) bool {
	for _, y := range v {
		if y == x {
			return true
		}
	}
	return false
}

func containsStr(v []string, x string) bool {
	for _, y := range v {
		if y == x {
			return true
		}
	}
	return false
}

// shortName shortens a kernel name for chart labels:
// "resnet20/conv16-16_32x32/int8/batch=1/threads=1" becomes
// "resnet20/conv16-16_32x32/int8/b1".
func shortName(n string) string {
	parts := strings.Split(n, "/")
	var out []string
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p, "threads="):
		case strings.HasPrefix(p, "batch="):
			out = append(out, "b"+strings.TrimPrefix(p, "batch="))
		default:
			out = append(out, p)
		}
	}
	return strings.Join(out, "/")
}
