package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/aiq-project/aiq/results"
)

// histChart is one chart of the history section.
type histChart struct {
	ID, Title string
	Series    []*Series
	Legend    []string // per series; nil for a chart of one point
}

// legend names a chart's series by their labels, adding the conditions
// where two series would read alike (bench int8 at batch 1 and 64).
func legend(ss []*Series) []string {
	n := map[string]int{}
	for _, s := range ss {
		n[s.shortLabel()]++
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.shortLabel()
		if n[out[i]] > 1 {
			out[i] += " (" + compactConditions(s.Conditions) + ")"
		}
	}
	return out
}

// compactConditions shortens "batch 64, 1 thread(s)" to "b64 t1".
func compactConditions(c string) string {
	var b, t int
	if n, _ := fmt.Sscanf(c, "batch %d, %d thread(s)", &b, &t); n == 2 {
		return fmt.Sprintf("b%d t%d", b, t)
	}
	return strings.TrimPrefix(c, "on ")
}

// historyCharts: per model its images/s and top-1 over commits, then the
// kernel and layer points with a step (at most maxStepCharts).
func historyCharts(h *History) []histChart {
	if h == nil {
		return nil
	}
	var out []histChart
	for _, m := range h.ModelNames() {
		if ss := h.modelSeries(m, "images/s"); len(ss) > 0 {
			out = append(out, histChart{ID: id("history", m, "images-s"), Title: m + ": images/s end to end over commits", Series: ss, Legend: legend(ss)})
		}
		if ss := h.modelSeries(m, results.UnitTop1); len(ss) > 0 {
			out = append(out, histChart{ID: id("history", m, "top1"), Title: m + ": top-1 over commits", Series: ss, Legend: legend(ss)})
		}
	}
	for i, s := range h.stepCharts() {
		out = append(out, histChart{ID: id("history", "step", fmt.Sprint(i+1)), Title: s.Name + " (" + s.Conditions + ")", Series: []*Series{s}})
	}
	return out
}

func writeHistory(b *strings.Builder, d *Data) {
	h := d.History
	fmt.Fprintf(b, "<h2 id=\"history\">History over commits</h2>\n")
	if h == nil || len(h.Series) == 0 {
		fmt.Fprintf(b, "<p class=\"muted\">No tracked points.</p>\n")
		return
	}
	runs := map[*results.Run]bool{}
	for _, s := range h.Series {
		for _, p := range s.Points {
			runs[p.Run] = true
		}
	}
	fmt.Fprintf(b, "<p class=\"muted\">%d tracked points of host <code>%s</code> over %d runs: kernel and layer times (sec/op), end-to-end images/s and top-1 per model and precision, compute peaks. "+
		"Each run is its median with its 95%% interval (the samples' range under 6 samples). A step is marked at the run where it began: against the run before it, a Mann-Whitney U test at alpha %.2g and a change of the median of more than %.3g%%; for top-1 on the same images, a change of more than %.2g points (the rules of <code>aiq compare</code>).</p>\n",
		len(h.Series), esc(d.Host.ID), len(runs), h.Options.Alpha, 100*h.Options.Threshold, h.Options.Top1Points)
	charts := historyCharts(h)
	model := ""
	open := false
	for _, c := range charts {
		m := ""
		if c.Legend != nil {
			m = c.Series[0].Model
		}
		if !open || m != model {
			if open {
				b.WriteString("</div>\n")
			}
			switch {
			case m != "":
				fmt.Fprintf(b, "<h3>%s</h3>\n", esc(m))
			default:
				fmt.Fprintf(b, "<h3>Kernel and layer points with a step</h3>\n")
			}
			b.WriteString("<div class=\"charts\">\n")
			model, open = m, true
		}
		b.WriteString(historySVG(c.ID, c.Title, c.Series, c.Legend))
		b.WriteString("\n")
	}
	if open {
		b.WriteString("</div>\n")
	}
	writeSteps(b, h)
	writeSeriesTable(b, h)
}

func writeSteps(b *strings.Builder, h *History) {
	fmt.Fprintf(b, "<h3 id=\"steps\">Step changes</h3>\n")
	if len(h.Steps) == 0 {
		fmt.Fprintf(b, "<p class=\"muted\">No step change between consecutive runs.</p>\n")
		return
	}
	charted := 0
	for _, s := range h.Series {
		if s.Model == "" && len(s.Steps) > 0 {
			charted++
		}
	}
	if charted > maxStepCharts {
		fmt.Fprintf(b, "<p class=\"muted\">%d kernel and layer points have a step; the latest %d are charted, all are listed.</p>\n", charted, maxStepCharts)
	}
	fmt.Fprintf(b, "<table class=\"steps\"><tr><th class=\"l\">point</th><th class=\"l\">conditions</th><th class=\"l\">unit</th><th class=\"l\">from commit</th><th class=\"l\">to commit</th><th>before</th><th>after</th><th>change</th><th>p</th><th class=\"l\">verdict</th></tr>\n")
	for _, st := range h.Steps {
		s := st.Series
		cls, verdict := "bad", "worse"
		if st.Better {
			cls, verdict = "good", "better"
		}
		p := "exact"
		if !st.Absolute {
			p = fmt.Sprintf("%.3f", st.P)
		}
		fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td class=\"l\" title=\"%s\">%s</td><td class=\"l\" title=\"%s\">%s</td><td>%s</td><td>%s</td><td class=\"%s\">%s</td><td>%s</td><td class=\"l %s\">%s</td></tr>\n",
			esc(s.Name), esc(s.Conditions), esc(s.Unit),
			st.From.Time.Format(time.RFC3339), esc(st.From.Version.Short()), st.To.Time.Format(time.RFC3339), esc(st.To.Version.Short()),
			esc(fmtValue(s.Points[st.At-1].Center, s.Unit)), esc(fmtValue(s.Points[st.At].Center, s.Unit)),
			cls, esc(st.ChangeString()), p, cls, verdict)
	}
	fmt.Fprintf(b, "</table>\n")
}

func writeSeriesTable(b *strings.Builder, h *History) {
	fmt.Fprintf(b, "<details><summary>All %d tracked points</summary><table><tr><th class=\"l\">point</th><th class=\"l\">conditions</th><th class=\"l\">unit</th><th>runs</th><th class=\"l\">first</th><th class=\"l\">latest (interval)</th><th>first to latest</th><th>steps</th></tr>\n", len(h.Series))
	for _, s := range h.Series {
		first, last := s.Points[0], s.Points[len(s.Points)-1]
		change := "-"
		switch {
		case len(s.Points) < 2:
		case s.Exact:
			change = fmt.Sprintf("%+.2f", last.Center-first.Center)
		case first.Center != 0:
			change = fmt.Sprintf("%+.1f%%", 100*(last.Center-first.Center)/first.Center)
		}
		latest := fmtValue(last.Center, s.Unit)
		if !s.Exact && last.Hi > last.Lo {
			latest += " (" + fmtValue(last.Lo, s.Unit) + " .. " + fmtValue(last.Hi, s.Unit) + ")"
		}
		cls := ""
		if len(s.Steps) > 0 {
			cls = " class=\"bad\""
		}
		fmt.Fprintf(b, "<tr><td class=\"l\">%s</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%d</td><td class=\"l\">%s @%s</td><td class=\"l\">%s @%s</td><td>%s</td><td%s>%d</td></tr>\n",
			esc(s.Name), esc(s.Conditions), esc(s.Unit), len(s.Points),
			esc(fmtValue(first.Center, s.Unit)), esc(first.Run.Version.Short()), esc(latest), esc(last.Run.Version.Short()),
			change, cls, len(s.Steps))
	}
	fmt.Fprintf(b, "</table></details>\n")
}
