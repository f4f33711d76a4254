package report

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aiq-project/aiq/results"
)

// Hand-written SVG: a few hundred bytes per element, no dependency, and the
// same look as roofline.WriteSVG.

// formatColors match roofline.WriteSVG's compute ceilings.
var formatColors = map[string]string{"fp32": "#1f78b4", "fp16": "#33a02c", "int8": "#e31a1c", "int4": "#ff7f00"}

func formatColor(f string) string {
	if c, ok := formatColors[strings.ToLower(f)]; ok {
		return c
	}
	return "#777"
}

// seriesColors colour the series of a scatter chart.
var seriesColors = []string{"#1f78b4", "#e31a1c", "#33a02c", "#6a3d9a", "#ff7f00", "#b15928", "#a6cee3", "#fb9a99", "#b2df8a", "#cab2d6", "#fdbf6f", "#555"}

type xy struct {
	X, Y  float64
	Label string // tooltip
	Mark  bool   // drawn large with a ring: the chosen configuration
	Text  string // short label beside the point
}

type series struct {
	Name string
	Pts  []xy
	Line bool // join the points in x order (a front)
}

const chartW, chartH = 640.0, 400.0

// scatterSVG draws series on linear axes (log x when logX).
func scatterSVG(id, title, xlabel, ylabel string, logX bool, ss []series) string {
	var xs, ys []float64
	for _, s := range ss {
		for _, p := range s.Pts {
			if ok(p.X) && ok(p.Y) && (!logX || p.X > 0) {
				xs, ys = append(xs, p.X), append(ys, p.Y)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n",
		id, chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%.0f" y="20" font-size="14" text-anchor="middle">%s</text>`+"\n", chartW/2, esc(title))
	const ml, mr, mt, mb = 60.0, 150.0, 35.0, 45.0
	if len(xs) == 0 {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle" fill="#999">no points</text></svg>`, chartW/2, chartH/2)
		return b.String()
	}
	tx := func(v float64) float64 { return v }
	if logX {
		tx = math.Log10
	}
	xlo, xhi := span(xs, tx)
	ylo, yhi := span(ys, func(v float64) float64 { return v })
	px := func(v float64) float64 { return ml + (chartW-ml-mr)*(tx(v)-xlo)/(xhi-xlo) }
	py := func(v float64) float64 { return chartH - mb - (chartH-mt-mb)*(v-ylo)/(yhi-ylo) }
	// Grid.
	for _, t := range ticks(ylo, yhi) {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n",
			ml, py(t), chartW-mr, py(t), ml-5, py(t)+4, num(t))
	}
	if logX && xhi-xlo < 1 { // under a decade: round values, placed on the log scale
		for _, t := range ticks(math.Pow(10, xlo), math.Pow(10, xhi)) {
			if t <= 0 {
				continue
			}
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n",
				px(t), mt, px(t), chartH-mb, px(t), chartH-mb+15, num(t))
		}
	} else if logX {
		for e := math.Floor(xlo); e <= xhi+1e-9; e++ {
			for _, m := range []float64{1, 2, 5} {
				v := m * math.Pow(10, e)
				if math.Log10(v) < xlo-1e-9 || math.Log10(v) > xhi+1e-9 {
					continue
				}
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n",
					px(v), mt, px(v), chartH-mb, px(v), chartH-mb+15, num(v))
			}
		}
	} else {
		for _, t := range ticks(xlo, xhi) {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n",
				px(t), mt, px(t), chartH-mb, px(t), chartH-mb+15, num(t))
		}
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="black"/>`+"\n", ml, mt, chartW-ml-mr, chartH-mt-mb)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", (ml+chartW-mr)/2, chartH-8, esc(xlabel))
	fmt.Fprintf(&b, `<text x="14" y="%.1f" text-anchor="middle" transform="rotate(-90 14 %.1f)">%s</text>`+"\n", (mt+chartH-mb)/2, (mt+chartH-mb)/2, esc(ylabel))
	for i, s := range ss {
		col := seriesColors[i%len(seriesColors)]
		pts := append([]xy(nil), s.Pts...)
		sort.SliceStable(pts, func(a, c int) bool { return pts[a].X < pts[c].X })
		if s.Line {
			var line []string
			for _, p := range pts {
				if ok(p.X) && ok(p.Y) && (!logX || p.X > 0) && !p.Mark {
					line = append(line, fmt.Sprintf("%.1f,%.1f", px(p.X), py(p.Y)))
				}
			}
			if len(line) > 1 {
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-opacity="0.5"/>`+"\n", strings.Join(line, " "), col)
			}
		}
		for _, p := range pts {
			if !ok(p.X) || !ok(p.Y) || (logX && p.X <= 0) {
				continue
			}
			r := 3.5
			if p.Mark {
				r = 7
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="none" stroke="black" stroke-width="2"/>`, px(p.X), py(p.Y), r+3)
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" fill-opacity="0.75"><title>%s</title></circle>`+"\n", px(p.X), py(p.Y), r, col, esc(p.Label))
			if p.Text != "" {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="%s">%s</text>`+"\n", px(p.X)+6, py(p.Y)-5, col, esc(p.Text))
			}
		}
		ly := mt + 10 + float64(i)*18
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/><text x="%.1f" y="%.1f">%s</text>`+"\n", chartW-mr+12, ly, col, chartW-mr+20, ly+4, esc(s.Name))
	}
	ly := mt + 10 + float64(len(ss))*18
	fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="6" fill="none" stroke="black" stroke-width="2"/><text x="%.1f" y="%.1f">chosen</text>`+"\n", chartW-mr+12, ly, chartW-mr+20, ly+4)
	b.WriteString("</svg>")
	return b.String()
}

// layerBar is one layer of the format chart.
type layerBar struct {
	Name   string
	Params int64
	MACs   int64
	Format string
}

// layersSVG draws one bar per layer, as tall as its weight count (log
// scale), coloured by its chosen format, with the layer's MACs as a thin
// grey bar beside it.
func layersSVG(id, title string, ls []layerBar) string {
	n := len(ls)
	w := max(chartW, 120+float64(n)*16)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n",
		id, w, chartH, w, chartH)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%.0f" y="20" font-size="14" text-anchor="middle">%s</text>`+"\n", w/2, esc(title))
	const ml, mr, mt, mb = 60.0, 90.0, 35.0, 40.0
	hi := 1.0
	for _, l := range ls {
		hi = max(hi, float64(l.Params), float64(l.MACs))
	}
	top := max(1, math.Ceil(math.Log10(hi)))
	py := func(v float64) float64 {
		if v < 1 {
			v = 1
		}
		return chartH - mb - (chartH-mt-mb)*math.Log10(v)/top
	}
	for e := 0.0; e <= top; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="end">1e%.0f</text>`+"\n", ml, y, w-mr, y, ml-5, y+4, e)
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="black"/>`+"\n", ml, mt, w-ml-mr, chartH-mt-mb)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">layer, in graph order (hover for name)</text>`+"\n", (ml+w-mr)/2, chartH-8)
	fmt.Fprintf(&b, `<text x="14" y="%.1f" text-anchor="middle" transform="rotate(-90 14 %.1f)">weights (colour: format), MACs/image (grey)</text>`+"\n", (mt+chartH-mb)/2, (mt+chartH-mb)/2)
	slot := (w - ml - mr) / float64(max(n, 1))
	for i, l := range ls {
		x := ml + float64(i)*slot
		bw := slot * 0.55
		y := py(float64(l.Params))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d weights, %s</title></rect>`,
			x+slot*0.1, y, bw, chartH-mb-y, formatColor(l.Format), esc(l.Name), l.Params, esc(l.Format))
		if l.MACs > 0 {
			ym := py(float64(l.MACs))
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#bbb"><title>%s: %d MACs per image</title></rect>`,
				x+slot*0.1+bw, ym, slot*0.2, chartH-mb-ym, esc(l.Name), l.MACs)
		}
		if n <= 30 || i%5 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%d</text>`, x+slot/2, chartH-mb+12, i)
		}
		b.WriteString("\n")
	}
	used := map[string]bool{}
	for _, l := range ls {
		used[strings.ToLower(l.Format)] = true
	}
	ly := mt + 10
	for _, f := range []string{"fp32", "fp16", "int8", "int4"} {
		if !used[f] {
			continue
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/><text x="%.1f" y="%.1f">%s</text>`+"\n", w-mr+10, ly-8, formatColor(f), w-mr+25, ly+1, f)
		ly += 18
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="#bbb"/><text x="%.1f" y="%.1f">MACs</text>`+"\n", w-mr+10, ly-8, w-mr+25, ly+1)
	b.WriteString("</svg>")
	return b.String()
}

func ok(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// span is the axis range of vs after transform t, padded by 5%.
func span(vs []float64, t func(float64) float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		lo, hi = min(lo, t(v)), max(hi, t(v))
	}
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*0.05, 0.5)
	}
	return lo - pad, hi + pad
}

// ticks returns round values inside [lo, hi], about five of them.
func ticks(lo, hi float64) []float64 {
	raw := (hi - lo) / 5
	if !(raw > 0) {
		return nil
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{2, 5, 10} {
		if step < raw {
			step = m * mag
		}
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, v)
	}
	return out
}

func num(v float64) string {
	if math.Abs(v) < 1e-9 {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func esc(s string) string { return html.EscapeString(s) }

// stepColors mark a step that made a point worse or better.
const worseColor, betterColor = "#b00", "#070"

// slotsOf places the points of ss on a shared x axis of runs in time
// order: points of different series share a slot when their runs are of
// the same commit and follow each other; a series' next run of that commit
// opens a new slot (two benches of one commit stay two runs).
func slotsOf(ss []*Series) (labels []string, at map[*Series][]int) {
	type ref struct {
		s *Series
		i int
	}
	var all []ref
	for _, s := range ss {
		for i := range s.Points {
			all = append(all, ref{s, i})
		}
	}
	sort.SliceStable(all, func(a, b int) bool {
		return all[a].s.Points[all[a].i].Run.Time.Before(all[b].s.Points[all[b].i].Run.Time)
	})
	at = map[*Series][]int{}
	used := map[*Series]bool{} // series with a point in the current slot
	for _, r := range all {
		commit := r.s.Points[r.i].Run.Version.Short()
		if len(labels) == 0 || labels[len(labels)-1] != commit || used[r.s] {
			labels = append(labels, commit)
			used = map[*Series]bool{}
		}
		used[r.s] = true
		at[r.s] = append(at[r.s], len(labels)-1)
	}
	return labels, at
}

// valueScale picks a readable unit for the y axis of a unit's values.
func valueScale(unit string, hi float64) (factor float64, label string) {
	if unit != "sec/op" {
		return 1, unit
	}
	for _, s := range []struct {
		f float64
		u string
	}{{1, "s/op"}, {1e3, "ms/op"}, {1e6, "µs/op"}} {
		if hi >= 1/s.f {
			return s.f, s.u
		}
	}
	return 1e9, "ns/op"
}

// fmtValue prints a value of a unit for tables and tooltips.
func fmtValue(v float64, unit string) string {
	f, u := valueScale(unit, math.Abs(v))
	if results.IsAccuracy(unit) {
		return fmt.Sprintf("%.2f%%", v)
	}
	return strconv.FormatFloat(v*f, 'g', 4, 64) + " " + u
}

// maxSlots bounds the runs a history chart shows: the latest ones.
const maxSlots = 60

// historySVG draws series over runs: x the runs in time order labelled by
// commit, y each run's median with its interval; a step is a triangle
// above the run where it began and a dashed line through the chart.
// legend names the series (nil: no legend).
func historySVG(id, title string, ss []*Series, legend []string) string {
	labels, at := slotsOf(ss)
	first := max(0, len(labels)-maxSlots) // older slots are left out
	if first > 0 {
		labels = labels[first:]
		title += fmt.Sprintf(" (latest %d runs)", maxSlots)
	}
	const ml, mt, mb = 70.0, 35.0, 80.0
	mr := 30.0
	if legend != nil {
		mr = 230
	}
	w := max(chartW, ml+mr+float64(len(labels))*26)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n",
		id, w, chartH, w, chartH)
	short := title
	if len(short) > 100 {
		short = "…" + short[len(short)-99:]
	}
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%.0f" y="20" font-size="13" text-anchor="middle">%s<title>%s</title></text>`+"\n", w/2, esc(short), esc(title))
	var ys []float64
	hi := 0.0
	for _, s := range ss {
		for i, p := range s.Points {
			if at[s][i] >= first {
				ys = append(ys, p.Lo, p.Hi, p.Center)
				hi = max(hi, math.Abs(p.Center))
			}
		}
	}
	if len(ys) == 0 {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle" fill="#999">no runs</text></svg>`, w/2, chartH/2)
		return b.String()
	}
	unit := ss[0].Unit
	factor, ylabel := valueScale(unit, hi)
	ylabel += " (median, interval)"
	if results.IsAccuracy(unit) {
		ylabel = "top-1 %"
	}
	for i := range ys {
		ys[i] *= factor
	}
	ylo, yhi := span(ys, func(v float64) float64 { return v })
	yhi += (yhi - ylo) * 0.08 // room for the step markers above the points
	slot := (w - ml - mr) / float64(len(labels))
	px := func(i int) float64 { return ml + (float64(i-first)+0.5)*slot }
	py := func(v float64) float64 { return chartH - mb - (chartH-mt-mb)*(v*factor-ylo)/(yhi-ylo) }
	pyRaw := func(v float64) float64 { return chartH - mb - (chartH-mt-mb)*(v-ylo)/(yhi-ylo) }
	for _, t := range ticks(ylo, yhi) {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n",
			ml, pyRaw(t), w-mr, pyRaw(t), ml-5, pyRaw(t)+4, num(t))
	}
	every := max(1, int(math.Ceil(24/slot))) // labels at least 24 px apart
	for i, l := range labels {
		if i%every != 0 && i != len(labels)-1 {
			continue
		}
		x, y := px(i+first), chartH-mb+10
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="9" text-anchor="end" transform="rotate(-40 %.1f %.1f)">%s</text>`+"\n", x, y, x, y, esc(l))
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="black"/>`+"\n", ml, mt, w-ml-mr, chartH-mt-mb)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">run (commit), in time order</text>`+"\n", (ml+w-mr)/2, chartH-6)
	fmt.Fprintf(&b, `<text x="14" y="%.1f" text-anchor="middle" transform="rotate(-90 14 %.1f)">%s</text>`+"\n", (mt+chartH-mb)/2, (mt+chartH-mb)/2, esc(ylabel))
	for k, s := range ss {
		col := seriesColors[k%len(seriesColors)]
		slots := at[s]
		var line []string
		for i, p := range s.Points {
			if slots[i] >= first {
				line = append(line, fmt.Sprintf("%.1f,%.1f", px(slots[i]), py(p.Center)))
			}
		}
		if len(line) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-opacity="0.6"/>`+"\n", strings.Join(line, " "), col)
		}
		for i, p := range s.Points {
			if slots[i] < first {
				continue
			}
			x := px(slots[i])
			if p.Hi > p.Lo {
				fmt.Fprintf(&b, `<path d="M%.1f %.1fV%.1fM%.1f %.1fh6M%.1f %.1fh6" stroke="%s" fill="none"/>`,
					x, py(p.Lo), py(p.Hi), x-3, py(p.Lo), x-3, py(p.Hi), col)
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s (%s) @%s %s: %s [%s, %s], %d samples, %.0f%% interval</title></circle>`+"\n",
				x, py(p.Center), col, esc(s.shortLabel()), esc(s.Conditions), esc(p.Run.Version.Short()), p.Run.Time.Format(time.RFC3339),
				esc(fmtValue(p.Center, s.Unit)), esc(fmtValue(p.Lo, s.Unit)), esc(fmtValue(p.Hi, s.Unit)), len(p.Values), 100*p.Confidence)
		}
		for _, st := range s.Steps {
			if slots[st.At] < first {
				continue
			}
			x, y := px(slots[st.At]), py(math.Max(s.Points[st.At].Hi, s.Points[st.At].Lo))
			c := worseColor
			if st.Better {
				c = betterColor
			}
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-dasharray="4 3" stroke-opacity="0.6"/>`,
				x-slot/2, mt, x-slot/2, chartH-mb, c)
			fmt.Fprintf(&b, `<path class="step" d="M%.1f %.1fl-6 -10h12z" fill="%s"><title>%s: step began at %s (from %s): %s</title></path>`+"\n",
				x, y-4, c, esc(s.shortLabel()), esc(st.To.Version.Short()), esc(st.From.Version.Short()), esc(st.ChangeString()))
		}
		if k < len(legend) {
			ly := mt + 10 + float64(k)*16
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/><text x="%.1f" y="%.1f">%s</text>`+"\n",
				w-mr+8, ly, w-mr+22, ly, col, w-mr+26, ly+4, esc(legend[k]))
		}
	}
	if legend != nil {
		ly := mt + 10 + float64(len(ss))*16
		fmt.Fprintf(&b, `<path d="M%.1f %.1fl-6 -10h12z" fill="%s"/><path d="M%.1f %.1fl-6 -10h12z" fill="%s"/><text x="%.1f" y="%.1f">step began (worse, better)</text>`+"\n",
			w-mr+12, ly+5, worseColor, w-mr+26, ly+5, betterColor, w-mr+36, ly+4)
	}
	b.WriteString("</svg>")
	return b.String()
}

// bar is one row of a horizontal bar chart.
type bar struct {
	Label string
	Value float64 // the bar's length, from 0 to the largest value
	Text  string  // printed after the bar
	Color string
}

// barsSVG draws one horizontal bar per row.
func barsSVG(id, title string, bars []bar) string {
	const ml, mr, mt, row = 230.0, 130.0, 35.0, 20.0
	h := mt + row*float64(len(bars)) + 15
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n",
		id, chartW, h, chartW, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%.0f" y="20" font-size="13" text-anchor="middle">%s</text>`+"\n", chartW/2, esc(title))
	top := 0.0
	for _, x := range bars {
		top = max(top, x.Value)
	}
	if !(top > 0) {
		top = 1
	}
	for i, x := range bars {
		y := mt + float64(i)*row
		bw := (chartW - ml - mr) * max(0, x.Value) / top
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect><text x="%.1f" y="%.1f">%s</text>`+"\n",
			ml-6, y+row*0.65, esc(x.Label), ml, y+2, bw, row-4, x.Color, esc(x.Label), esc(x.Text), ml+bw+5, y+row*0.65, esc(x.Text))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>`, ml, mt, ml, h-15)
	b.WriteString("</svg>")
	return b.String()
}
