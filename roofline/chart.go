package roofline

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"

	"github.com/aiq-project/aiq/kernels"
)

// ChartPoint is a measured kernel placed on the chart.
type ChartPoint struct {
	Name   string
	AI     float64 // operations per byte
	GOPS   float64 // measured GOP/s
	Format string  // optional: a kernels.Format name; colours the point like that format's ceiling
}

// maxLabels is the point count above which names go to tooltips only.
const maxLabels = 24

// ChartOptions control WriteSVG.
type ChartOptions struct {
	Threads int    // thread count whose ceilings are drawn (0: r.Threads)
	Title   string // default names the host and thread count
	Points  []ChartPoint
	Width   int // pixels (default 960)
	Height  int // pixels (default 640)
}

var levelColors = map[Level]string{L1: "#1b9e77", L2: "#d95f02", L3: "#7570b3", DRAM: "#e7298a"}
var formatColors = map[kernels.Format]string{kernels.FP32: "#1f78b4", kernels.FP16: "#33a02c", kernels.Int8: "#e31a1c", kernels.Int4: "#ff7f00"}

// WriteSVG draws a self-contained log-log roofline: one bandwidth ceiling
// per memory level, one compute ceiling per format (peak x threads), and
// the given points.
func WriteSVG(w io.Writer, r *Result, o ChartOptions) error {
	if o.Threads == 0 {
		o.Threads = r.Threads
	}
	if o.Width == 0 {
		o.Width = 960
	}
	if o.Height == 0 {
		o.Height = 640
	}
	if o.Width < 200 || o.Height < 150 {
		return fmt.Errorf("roofline: chart %dx%d too small", o.Width, o.Height)
	}
	if o.Title == "" {
		o.Title = fmt.Sprintf("Roofline of %s, %d thread(s)", r.Host.CPU, o.Threads)
	}
	bws := map[Level]float64{}
	peaks := map[kernels.Format]float64{}
	maxPeak, minBW, maxBW := 0.0, math.Inf(1), 0.0
	for _, l := range Levels {
		_, bw, err := r.Ceilings(kernels.FP32, l, o.Threads)
		if err != nil {
			return err
		}
		bws[l] = bw
		minBW, maxBW = min(minBW, bw), max(maxBW, bw)
	}
	for _, f := range kernels.Formats {
		p, _, err := r.Ceilings(f, L1, o.Threads)
		if err != nil {
			return err
		}
		peaks[f] = p
		maxPeak = max(maxPeak, p)
	}
	if !(maxPeak > 0) || !(minBW > 0) {
		return fmt.Errorf("roofline: chart needs positive peaks and bandwidths")
	}
	// Axis ranges in decades, wide enough for every ridge and point.
	xlo, xhi := 1/8.0, max(100, 2*maxPeak/minBW)
	ylo, yhi := minBW*xlo/2, 2*maxPeak
	for _, p := range o.Points {
		if p.AI > 0 && p.GOPS > 0 {
			xlo, xhi = min(xlo, p.AI/2), max(xhi, p.AI*2)
			ylo, yhi = min(ylo, p.GOPS/2), max(yhi, p.GOPS*2)
		}
	}
	xlo, xhi = math.Pow(10, math.Floor(math.Log10(xlo))), math.Pow(10, math.Ceil(math.Log10(xhi)))
	ylo, yhi = math.Pow(10, math.Floor(math.Log10(ylo))), math.Pow(10, math.Ceil(math.Log10(yhi)))

	const ml, mr, mt, mb = 80.0, 170.0, 50.0, 60.0
	W, H := float64(o.Width), float64(o.Height)
	px := func(x float64) float64 {
		return ml + (W-ml-mr)*(math.Log10(x)-math.Log10(xlo))/(math.Log10(xhi)-math.Log10(xlo))
	}
	py := func(y float64) float64 {
		return H - mb - (H-mt-mb)*(math.Log10(y)-math.Log10(ylo))/(math.Log10(yhi)-math.Log10(ylo))
	}

	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", o.Width, o.Height, o.Width, o.Height)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(b, `<text x="%.1f" y="25" font-size="15" text-anchor="middle">%s</text>`+"\n", W/2, html.EscapeString(o.Title))
	// Grid and decade labels.
	for e := math.Log10(xlo); e <= math.Log10(xhi)+1e-9; e++ {
		x := px(math.Pow(10, e))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, mt, x, H-mb)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, H-mb+18, tick(math.Pow(10, e)))
	}
	for e := math.Log10(ylo); e <= math.Log10(yhi)+1e-9; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", ml, y, W-mr, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", ml-6, y+4, tick(math.Pow(10, e)))
	}
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="black"/>`+"\n", ml, mt, W-ml-mr, H-mt-mb)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">arithmetic intensity (operations / byte)</text>`+"\n", (ml+W-mr)/2, H-15)
	fmt.Fprintf(b, `<text x="20" y="%.1f" text-anchor="middle" transform="rotate(-90 20 %.1f)">GOP/s (a multiply-accumulate is 2 operations)</text>`+"\n", (mt+H-mb)/2, (mt+H-mb)/2)

	// Bandwidth ceilings: y = bw * ai up to the highest peak.
	for _, l := range Levels {
		bw := bws[l]
		x0, x1 := xlo, min(xhi, maxPeak/bw)
		if bw*x0 < ylo {
			x0 = ylo / bw
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>`+"\n", px(x0), py(bw*x0), px(x1), py(bw*x1), levelColors[l])
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s" transform="rotate(%.1f %.1f %.1f)">%s %.1f GB/s</text>`+"\n",
			px(x0)+4, py(bw*x0)-4, levelColors[l], slope(px, py, bw, x0, x1), px(x0)+4, py(bw*x0)-4, l, bw)
	}
	// Compute ceilings from the ridge with the fastest level.
	for i, f := range kernels.Formats {
		p := peaks[f]
		x0 := max(xlo, p/maxBW)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="6 3"/>`+"\n", px(x0), py(p), px(xhi), py(p), formatColors[f])
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s">%s %.0f GOP/s</text>`+"\n", W-mr+6, py(p)+4+float64(i%2)*0, formatColors[f], f, p)
	}
	// Measured points.
	for _, p := range o.Points {
		if !(p.AI > 0) || !(p.GOPS > 0) {
			continue
		}
		col, ok := formatColors[kernels.FormatNamed(p.Format)]
		if !ok {
			col = "black"
		}
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s" fill-opacity="0.7"><title>%s: AI %.3g, %.3g GOP/s</title></circle>`+"\n",
			px(p.AI), py(p.GOPS), col, html.EscapeString(p.Name), p.AI, p.GOPS)
		if len(o.Points) <= maxLabels {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10">%s</text>`+"\n", px(p.AI)+6, py(p.GOPS)-4, html.EscapeString(p.Name))
		}
	}
	fmt.Fprintln(b, "</svg>")
	return b.Flush()
}

// slope is the on-screen angle in degrees of the line y = bw*x.
func slope(px, py func(float64) float64, bw, x0, x1 float64) float64 {
	dx, dy := px(x1)-px(x0), py(bw*x1)-py(bw*x0)
	return math.Atan2(dy, dx) * 180 / math.Pi
}

func tick(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}
