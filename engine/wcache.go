package engine

import (
	"sync"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// WeightCache remembers quantized weights per layer, bits, group and
// method, so a search that compiles many configurations of one graph
// quantizes each layer once per format. Safe for concurrent use; share one
// per graph (layer names are the key).
type WeightCache struct {
	mu sync.Mutex
	m  map[weightKey]kernels.QuantWeights
}

type weightKey struct {
	layer       string
	bits, group int
	method      quant.WeightMethod
}

// NewWeightCache returns an empty cache.
func NewWeightCache() *WeightCache {
	return &WeightCache{m: map[weightKey]kernels.QuantWeights{}}
}

// weights returns the quantized form of w, computing it on a miss. The
// result is shared: callers must not modify it (the kernels copy it).
func (c *WeightCache) weights(layer string, w []float32, k, n, bits, group int, m quant.WeightMethod) (kernels.QuantWeights, error) {
	if c == nil {
		return quant.Weights(w, k, n, bits, group, m)
	}
	key := weightKey{layer, bits, group, m}
	c.mu.Lock()
	qw, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return qw, nil
	}
	qw, err := quant.Weights(w, k, n, bits, group, m)
	if err != nil {
		return qw, err
	}
	c.mu.Lock()
	c.m[key] = qw
	c.mu.Unlock()
	return qw, nil
}
