package main

import (
	"fmt"
	"os"

	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

// loadFloatGraph loads a model for the commands that choose or time formats
// themselves (bench, search, inspect). A QDQ model is read as its
// dequantized float graph; a note on stderr says the file's own
// quantization is not what they use (aiq eval runs it).
func loadFloatGraph(cmd, path string, batch int) (*graph.Graph, error) {
	g, q, err := graph.LoadQDQ(path, batch)
	if err != nil {
		return nil, err
	}
	if q != nil {
		fmt.Fprintf(os.Stderr, "note: %s is a QDQ model; aiq %s uses its dequantized float graph and its own quantization ('aiq eval' runs the file's)\n", path, cmd)
	}
	return g, nil
}

// uniformFormat reports the format of every one of a model's n compute
// layers when cfg (which names each layer it sets) gives them all the same.
func uniformFormat(cfg engine.Config, n int) (kernels.Format, bool) {
	if n == 0 || len(cfg.Layers) != n {
		return 0, false
	}
	var f kernels.Format
	first := true
	for _, lf := range cfg.Layers {
		if !first && lf != f {
			return 0, false
		}
		f, first = lf, false
	}
	return f, true
}
