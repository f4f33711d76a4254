package main

import (
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/kernels"
)

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
