package search

import (
	"fmt"
	"strings"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
)

// Config is a format per layer, in layer order.
type Config []kernels.Format

// Uniform is n layers all in format f.
func Uniform(n int, f kernels.Format) Config {
	c := make(Config, n)
	for i := range c {
		c[i] = f
	}
	return c
}

// With returns a copy of c with layer l in format f.
func (c Config) With(l int, f kernels.Format) Config {
	d := append(Config(nil), c...)
	d[l] = f
	return d
}

// Key identifies c in caches: the format names joined by commas.
func (c Config) Key() string {
	s := make([]string, len(c))
	for i, f := range c {
		s[i] = f.String()
	}
	return strings.Join(s, ",")
}

// Count returns how many layers use each format.
func (c Config) Count() map[kernels.Format]int {
	m := map[kernels.Format]int{}
	for _, f := range c {
		m[f]++
	}
	return m
}

// String is a short summary, e.g. "fp32:1 int8:12 int4:7".
func (c Config) String() string {
	m := c.Count()
	var s []string
	for _, f := range kernels.Formats {
		if m[f] > 0 {
			s = append(s, fmt.Sprintf("%s:%d", f, m[f]))
		}
	}
	return strings.Join(s, " ")
}

// BytesTable is the additive "ai" cost: Bytes per layer and format (indexed
// by kernels.Format) at a batch.
func BytesTable(ls []layers.Layer, batch int) [][]float64 {
	t := make([][]float64, len(ls))
	for i, l := range ls {
		t[i] = make([]float64, len(kernels.Formats))
		for _, f := range kernels.Formats {
			t[i][f] = layers.Bytes(l, f, batch)
		}
	}
	return t
}

// Sum is the additive cost of cfg in table t ([layer][format]).
func Sum(t [][]float64, cfg Config) float64 {
	s := 0.0
	for i, f := range cfg {
		s += t[i][f]
	}
	return s
}

func checkTable(name string, t [][]float64, layers int) error {
	if len(t) != layers {
		return fmt.Errorf("search: %s table has %d layers, want %d", name, len(t), layers)
	}
	for i, row := range t {
		if len(row) != len(kernels.Formats) {
			return fmt.Errorf("search: %s table layer %d has %d formats, want %d", name, i, len(row), len(kernels.Formats))
		}
	}
	return nil
}
