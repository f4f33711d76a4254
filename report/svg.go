package report

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strconv"
	"strings"
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
var seriesColors = []string{"#1f78b4", "#e31a1c", "#33a02c", "#6a3d9a", "#ff7f00", "#b15928"}

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
