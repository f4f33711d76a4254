package report

import (
	"strings"
	"testing"
)

func TestTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 1, "0 0.2 0.4 0.6 0.8 1"},
		{89.1, 92.3, "90 91 92"},
		{0.5, 1234, "500 1000"},
	} {
		var got []string
		for _, v := range ticks(c.lo, c.hi) {
			got = append(got, num(v))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("ticks(%v, %v) = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	if ticks(1, 1) != nil {
		t.Error("ticks of an empty range")
	}
}

func TestChartsOfDegenerateData(t *testing.T) {
	// One point, equal values, no points: a chart, never NaN coordinates.
	for name, ss := range map[string][]series{
		"one":   {{Name: "a", Pts: []xy{{X: 5, Y: 90}}}},
		"equal": {{Name: "a", Pts: []xy{{X: 5, Y: 90}, {X: 5, Y: 90, Mark: true}}}},
		"none":  {{Name: "a"}},
	} {
		for _, logX := range []bool{false, true} {
			s := scatterSVG("c", "t", "x", "y", logX, ss)
			if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") || !strings.HasSuffix(s, "</svg>") {
				t.Errorf("%s (log %v): bad chart %.200q", name, logX, s)
			}
		}
	}
	s := layersSVG("l", "t", []layerBar{{Name: "a", Params: 0, Format: "?"}, {Name: "b", Params: 10, MACs: 100, Format: "int8"}})
	if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Errorf("layers chart with a zero-size layer: %.300q", s)
	}
	if s := layersSVG("l", "t", nil); strings.Contains(s, "NaN") {
		t.Error("layers chart without layers has NaN")
	}
}
