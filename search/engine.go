package search

// This file is the one coupling to the engine, graph, quant and dataset
// packages: everything else in the package works on tables.

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// LayersOf lists the compute layers of g (in the order engine configs name
// them) with the counts the paper's byte accounting needs.
func LayersOf(g *graph.Graph) []Layer {
	var out []Layer
	for _, l := range g.Layers() {
		w := int64(l.Cin/l.Group) * int64(l.Cout) * int64(l.KH*l.KW)
		in := int64(l.Cin) * int64(l.InH*l.InW)
		o := int64(l.Cout) * int64(l.OutH*l.OutW)
		if l.Op != "Conv" { // Gemm/MatMul: rows per image from the MACs
			rows := l.MACs / max(int64(l.Cin)*int64(l.Cout), 1)
			in, o = int64(l.Cin)*rows, int64(l.Cout)*rows
		}
		m, n, k := l.GEMM()
		if l.Op != "Conv" {
			m, n, k = int(l.MACs/max(int64(l.Cin)*int64(l.Cout), 1)), l.Cout, l.Cin
		}
		out = append(out, Layer{Name: l.Name, Depthwise: l.Depthwise(), MACs: l.MACs, Weights: w, InActs: in, OutActs: o,
			Shape: Shape{M: m, N: n, K: k, C: l.Cin, H: l.InH, W: l.InW, KH: l.KH, Stride: l.Stride}})
	}
	return out
}

// Shape is a layer's kernel shape per image: a GEMM M x K times K x N
// (M = output pixels, K = Cin x KH x KW), or for a depthwise layer C
// channels of an H x W input with a KH x KH filter and a stride.
type Shape struct {
	M, N, K int
	C, H, W int
	KH      int
	Stride  int
}

// EngineConfig turns c (one format per layer of layers) into the engine's
// configuration, every layer named.
func EngineConfig(layers []Layer, c Config) engine.Config {
	ec := engine.Config{Default: kernels.FP32, Layers: map[string]kernels.Format{}}
	for i, l := range layers {
		ec.Layers[l.Name] = c[i]
	}
	return ec
}

// FromEngine reads an engine configuration as a Config over layers.
func FromEngine(layers []Layer, ec engine.Config) Config {
	c := make(Config, len(layers))
	for i, l := range layers {
		c[i] = ec.Format(l.Name)
	}
	return c
}

// Engine runs configurations of one model with the engine.
type Engine struct {
	Path   string
	Layers []Layer
	Test   *dataset.Set
	// Opts are the engine options of accuracy runs (batch, threads,
	// calibration, weight quantization).
	Opts engine.Options

	mu       sync.Mutex
	graphs   map[int]*graph.Graph // by batch
	measured map[string]float64   // end-to-end images/s at the search batch, by config key
}

// NewEngine loads the model at path for accuracy runs at opts.Batch.
func NewEngine(path string, test *dataset.Set, opts engine.Options) (*Engine, error) {
	e := &Engine{Path: path, Test: test, Opts: opts, graphs: map[int]*graph.Graph{}}
	if e.Opts.Batch == 0 {
		e.Opts.Batch = 64
	}
	g, err := e.graph(e.Opts.Batch)
	if err != nil {
		return nil, err
	}
	e.Layers = LayersOf(g)
	if len(e.Layers) == 0 {
		return nil, fmt.Errorf("search: %s has no conv or fc layers", path)
	}
	return e, nil
}

func (e *Engine) graph(batch int) (*graph.Graph, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if g := e.graphs[batch]; g != nil {
		return g, nil
	}
	g, err := graph.Load(e.Path, batch)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	e.graphs[batch] = g
	return g, nil
}

// Calibrate sets the activation ranges from n images of calib (training
// images), through the engine's cache in dir ("" for none).
func (e *Engine) Calibrate(calib *dataset.Set, n int, method quant.Method, dir string) error {
	if n > calib.Len() {
		return fmt.Errorf("search: %d calibration images asked, %s has %d", n, calib.Name, calib.Len())
	}
	g, err := e.graph(e.Opts.Batch)
	if err != nil {
		return err
	}
	c, err := engine.CalibrateCached(e.Path, g, calib, n, method, engine.Options{Batch: e.Opts.Batch, Threads: e.Opts.Threads}, dir)
	if err != nil {
		return fmt.Errorf("search: calibration: %w", err)
	}
	e.Opts.Calib = c
	return nil
}

// Predict returns the predicted class of test images offset..offset+n-1
// under c. It is safe for concurrent use.
func (e *Engine) Predict(c Config, offset, n int) ([]int, error) {
	g, err := e.graph(e.Opts.Batch)
	if err != nil {
		return nil, err
	}
	m, err := engine.Compile(g, EngineConfig(e.Layers, c), e.Opts)
	if err != nil {
		return nil, fmt.Errorf("search: compiling %s: %w", c, err)
	}
	defer m.Close()
	return engine.Predict(m, e.Test, offset, n)
}

// Top1 is the top-1 (percent) of c on test images offset..offset+n-1.
func (e *Engine) Top1(c Config, offset, n int) (float64, error) {
	pred, err := e.Predict(c, offset, n)
	if err != nil {
		return 0, err
	}
	return e.score(pred, offset, n, offset, offset+n)
}

// score is the top-1 (percent) over test images [lo, hi) of predictions
// that start at image offset.
func (e *Engine) score(pred []int, offset, n, lo, hi int) (float64, error) {
	labels, err := e.Test.Labels(offset, n)
	if err != nil {
		return 0, err
	}
	if lo < offset || hi > offset+n || hi <= lo {
		return 0, fmt.Errorf("search: images %d..%d outside the predicted %d..%d", lo, hi, offset, offset+n)
	}
	ok := 0
	for i := lo; i < hi; i++ {
		if pred[i-offset] == labels[i-offset] {
			ok++
		}
	}
	return 100 * float64(ok) / float64(hi-lo), nil
}

// Evaluator returns an Evaluator over test images offset..offset+n-1:
// top-1 and the mean KL divergence of the softmax from FP32's. It is safe
// for concurrent use.
func (e *Engine) Evaluator(offset, n int) Evaluator {
	var once sync.Once
	var ref []float64
	var refErr error
	return func(c Config) (Score, error) {
		once.Do(func() {
			ref, _, refErr = e.probs(Uniform(len(e.Layers), kernels.FP32), offset, n)
		})
		if refErr != nil {
			return Score{}, refErr
		}
		p, top1, err := e.probs(c, offset, n)
		if err != nil {
			return Score{}, err
		}
		kl := 0.0
		for i, q := range p {
			if r := ref[i]; r > 0 {
				kl += r * (math.Log(r) - math.Log(max(q, 1e-30)))
			}
		}
		return Score{Top1: top1, Div: kl / float64(n)}, nil
	}
}

// probs runs c on test images offset..offset+n-1 and returns the softmax
// of every output (n x classes) and the top-1 in percent.
func (e *Engine) probs(c Config, offset, n int) ([]float64, float64, error) {
	g, err := e.graph(e.Opts.Batch)
	if err != nil {
		return nil, 0, err
	}
	m, err := engine.Compile(g, EngineConfig(e.Layers, c), e.Opts)
	if err != nil {
		return nil, 0, fmt.Errorf("search: compiling %s: %w", c, err)
	}
	defer m.Close()
	if offset < 0 || n < 1 || offset+n > e.Test.Len() {
		return nil, 0, fmt.Errorf("search: images %d..%d outside %s", offset, offset+n, e.Test.Name)
	}
	labels, err := e.Test.Labels(offset, n)
	if err != nil {
		return nil, 0, err
	}
	x := make([]float32, m.Batch*e.Test.ImageSize())
	out := make([]float64, 0, n*m.Classes)
	ok := 0
	for b := offset; b < offset+n; b += m.Batch {
		k := min(m.Batch, offset+n-b)
		if err := e.Test.Images(b, k, x); err != nil {
			return nil, 0, err
		}
		y, err := m.Run(x, k)
		if err != nil {
			return nil, 0, err
		}
		for i := 0; i < k; i++ {
			row := y[i*m.Classes : (i+1)*m.Classes]
			best, hi := 0, row[0]
			for j, v := range row {
				if v > hi {
					best, hi = j, v
				}
			}
			if best == labels[b-offset+i] {
				ok++
			}
			sum := 0.0
			for _, v := range row {
				sum += math.Exp(float64(v - hi))
			}
			for _, v := range row {
				out = append(out, math.Exp(float64(v-hi))/sum)
			}
		}
	}
	return out, 100 * float64(ok) / float64(n), nil
}

// Timing is an end-to-end throughput measurement.
type Timing struct {
	ImagesPerS float64 // from the median batch latency
	// BestImagesPerS is from the fastest batch: on a machine shared with
	// other work, interference only ever adds time, so the minimum is the
	// steadier estimate of what the configuration can do.
	BestImagesPerS float64
	CV             float64 // of the batch latencies
}

// Throughput compiles c for a batch and thread count and times whole
// batches (the harness: warm-up, repeated samples for at least minTime).
func (e *Engine) Throughput(c Config, batch, threads int, minTime time.Duration) (Timing, error) {
	g, err := e.graph(batch)
	if err != nil {
		return Timing{}, err
	}
	o := e.Opts
	o.Batch, o.Threads = batch, threads
	m, err := engine.Compile(g, EngineConfig(e.Layers, c), o)
	if err != nil {
		return Timing{}, fmt.Errorf("search: compiling %s: %w", c, err)
	}
	defer m.Close()
	if e.Test.Len() < batch {
		return Timing{}, fmt.Errorf("search: %s has %d images, a batch needs %d", e.Test.Name, e.Test.Len(), batch)
	}
	x := make([]float32, batch*e.Test.ImageSize())
	if err := e.Test.Images(0, batch, x); err != nil {
		return Timing{}, err
	}
	var runErr error
	res, err := harness.Measure(func(n int) {
		for range n {
			if _, err := m.Run(x, batch); err != nil {
				runErr = err
			}
		}
	}, harness.Options{Name: "e2e/" + c.Key(), MinTime: minTime, Warmup: 100 * time.Millisecond, CPU: harness.NoPin, Reruns: -1})
	if err == nil {
		err = runErr
	}
	if err != nil {
		return Timing{}, fmt.Errorf("search: timing %s: %w", c, err)
	}
	return Timing{ImagesPerS: float64(batch) / (res.MedianNs * 1e-9), BestImagesPerS: float64(batch) / (res.MinNs * 1e-9), CV: res.CV}, nil
}
