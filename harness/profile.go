package harness

import (
	"bytes"
	"fmt"
	"runtime/pprof"
	"slices"

	"github.com/google/pprof/profile"
)

// startProfile starts the process CPU profiler into memory; the returned stop
// function ends it and attributes samples per function.
func startProfile() (stop func() ([]FuncShare, error), err error) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, fmt.Errorf("start cpu profile: %w", err)
	}
	return func() ([]FuncShare, error) {
		pprof.StopCPUProfile()
		p, err := profile.Parse(&buf)
		if err != nil {
			return nil, fmt.Errorf("parse cpu profile: %w", err)
		}
		return Attribute(p), nil
	}, nil
}

// Attribute splits a CPU profile's samples per function: flat counts the
// leaf frame only, cum every function once per stack. Shares are fractions
// of the sample value (CPU time), largest flat first.
func Attribute(p *profile.Profile) []FuncShare {
	vi := len(p.SampleType) - 1 // cpu nanoseconds is last in Go profiles
	if vi < 0 {
		return nil
	}
	flat := map[string]int64{}
	cum := map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[vi]
		total += v
		seen := map[string]bool{}
		leaf := true
		for _, loc := range s.Location {
			// Inlined frames come first within a location; the first one
			// of the first location is the real leaf.
			for _, ln := range loc.Line {
				name := "?"
				if ln.Function != nil {
					name = ln.Function.Name
				}
				if leaf {
					flat[name] += v
					leaf = false
				}
				if !seen[name] {
					cum[name] += v
					seen[name] = true
				}
			}
		}
	}
	if total == 0 {
		return nil
	}
	out := make([]FuncShare, 0, len(cum))
	for name, c := range cum {
		out = append(out, FuncShare{Func: name, Flat: float64(flat[name]) / float64(total), Cum: float64(c) / float64(total)})
	}
	slices.SortFunc(out, func(a, b FuncShare) int {
		switch {
		case a.Flat != b.Flat:
			if a.Flat > b.Flat {
				return -1
			}
			return 1
		case a.Cum != b.Cum:
			if a.Cum > b.Cum {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}
