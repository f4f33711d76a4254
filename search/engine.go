package search

// This file is the one coupling to the engine, graph, quant and dataset
// packages: everything else in the package works on tables.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
	"github.com/aiq-project/aiq/quant"
)

// EngineConfig turns c (one format per layer of layers) into the engine's
// configuration, every layer named.
func EngineConfig(ls []layers.Layer, c Config) engine.Config {
	ec := engine.Config{Default: kernels.FP32, Layers: map[string]kernels.Format{}}
	for i, l := range ls {
		ec.Layers[l.Name] = c[i]
	}
	return ec
}

// FromEngine reads an engine configuration as a Config over layers.
func FromEngine(ls []layers.Layer, ec engine.Config) Config {
	c := make(Config, len(ls))
	for i, l := range ls {
		c[i] = ec.Format(l.Name)
	}
	return c
}

// Engine runs configurations of one model with the engine.
type Engine struct {
	Path   string
	Layers []layers.Layer
	Test   *dataset.Set
	// Opts are the engine options of accuracy runs (batch, threads,
	// calibration, weight quantization).
	Opts engine.Options

	mu       sync.Mutex
	graphs   map[int]*graph.Graph // by batch
	measured map[string]float64   // end-to-end images/s at the search batch, by config key
	// refPred: FP32's predictions of every test image when they are the
	// labels (the agreement metric), else nil.
	refPred []int
}

// DataOptions are the dataset options for g: images resized to its input's
// H x W, its output width as the number of classes.
func DataOptions(g *graph.Graph) (dataset.Options, error) {
	if len(g.Inputs) == 0 || len(g.Outputs) == 0 {
		return dataset.Options{}, fmt.Errorf("search: the model has no input or no output")
	}
	in, out := g.Value(g.Inputs[0]), g.Value(g.Outputs[0])
	if in == nil || len(in.Shape) != 4 || out == nil || len(out.Shape) == 0 {
		return dataset.Options{}, fmt.Errorf("search: the model's input %q is not NCHW images or its output %q has no shape", g.Inputs[0], g.Outputs[0])
	}
	return dataset.Options{H: in.Shape[2], W: in.Shape[3], Outputs: out.Shape[len(out.Shape)-1]}, nil
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
	e.Layers = layers.Of(g)
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
	// A QDQ model is searched as its dequantized float graph.
	g, _, err := graph.LoadQDQ(e.Path, batch)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	e.graphs[batch] = g
	return g, nil
}

// FP32Predictions returns the FP32 model's predicted class of images
// offset..offset+n-1 of set (the labels of the agreement metric), run with
// opts' batch, threads and progress. With a cache dir ("": none) they are
// stored under the hashes of the model file and of the images' bytes, the
// kernel ISA and the architecture, so the next evaluation on the same
// images reads them instead of running FP32 again; a cache file that does
// not match is replaced.
func FP32Predictions(modelPath string, g *graph.Graph, set *dataset.Set, offset, n int, opts engine.Options, dir string) ([]int, error) {
	type cached struct {
		Model, Images, ISA, GOARCH string
		Pred                       []int
	}
	var want cached
	path := ""
	if dir != "" {
		mh, err := quant.HashFile(modelPath)
		if err != nil {
			return nil, err
		}
		px, err := set.Pixels(offset, n)
		if err != nil {
			return nil, err
		}
		ih := sha256.Sum256(px)
		want = cached{Model: mh, Images: hex.EncodeToString(ih[:]), ISA: kernels.ISA(), GOARCH: runtime.GOARCH}
		path = filepath.Join(dir, fmt.Sprintf("fp32pred-%.16s-%.16s-%s-%s.json", want.Model, want.Images, want.ISA, want.GOARCH))
		var c cached
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &c) == nil &&
			c.Model == want.Model && c.Images == want.Images && c.ISA == want.ISA && c.GOARCH == want.GOARCH && len(c.Pred) == n {
			return c.Pred, nil
		}
	}
	m, err := engine.Compile(g, engine.Uniform(kernels.FP32), engine.Options{Batch: opts.Batch, Threads: opts.Threads, Progress: opts.Progress})
	if err != nil {
		return nil, fmt.Errorf("search: compiling fp32: %w", err)
	}
	defer m.Close()
	pred, err := engine.Predict(m, set, offset, n)
	if err != nil || path == "" {
		return pred, err
	}
	want.Pred = pred
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("search: prediction cache: %w", err)
	}
	err = atomicfile.Write(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(want) })
	if err != nil {
		return nil, fmt.Errorf("search: prediction cache: %w", err)
	}
	return pred, nil
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
			ref, _, _, refErr = e.probs(Uniform(len(e.Layers), kernels.FP32), offset, n)
		})
		if refErr != nil {
			return Score{}, refErr
		}
		p, top1, correct, err := e.probs(c, offset, n)
		if err != nil {
			return Score{}, err
		}
		kl := 0.0
		for i, q := range p {
			if r := ref[i]; r > 0 {
				kl += r * (math.Log(r) - math.Log(max(q, 1e-30)))
			}
		}
		return Score{Top1: top1, Div: kl / float64(n), Correct: correct}, nil
	}
}

// probs runs c on test images offset..offset+n-1 and returns the softmax
// of every output (n x classes), the top-1 in percent and whether each
// image was right.
func (e *Engine) probs(c Config, offset, n int) ([]float64, float64, []bool, error) {
	g, err := e.graph(e.Opts.Batch)
	if err != nil {
		return nil, 0, nil, err
	}
	m, err := engine.Compile(g, EngineConfig(e.Layers, c), e.Opts)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("search: compiling %s: %w", c, err)
	}
	defer m.Close()
	if offset < 0 || n < 1 || offset+n > e.Test.Len() {
		return nil, 0, nil, fmt.Errorf("search: images %d..%d outside %s", offset, offset+n, e.Test.Name)
	}
	labels, err := e.Test.Labels(offset, n)
	if err != nil {
		return nil, 0, nil, err
	}
	x := make([]float32, m.Batch*e.Test.ImageSize())
	out := make([]float64, 0, n*m.Classes)
	ok := 0
	correct := make([]bool, n)
	for b := offset; b < offset+n; b += m.Batch {
		k := min(m.Batch, offset+n-b)
		if err := e.Test.Images(b, k, x); err != nil {
			return nil, 0, nil, err
		}
		y, err := m.Run(x, k)
		if err != nil {
			return nil, 0, nil, err
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
				correct[b-offset+i] = true
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
	return out, 100 * float64(ok) / float64(n), correct, nil
}

// Timing is an end-to-end throughput measurement.
type Timing struct {
	ImagesPerS float64 // from the median batch latency
	// BestImagesPerS is from the fastest batch.
	BestImagesPerS float64
	CV             float64 // of the batch latencies
	// Samples are batch latencies in seconds, each the mean of a few
	// consecutive batches.
	Samples []float64
}

// compile builds cfg for a batch and thread count.
func (e *Engine) compile(c Config, batch, threads int) (*engine.Model, error) {
	g, err := e.graph(batch)
	if err != nil {
		return nil, err
	}
	o := e.Opts
	o.Batch, o.Threads = batch, threads
	m, err := engine.Compile(g, EngineConfig(e.Layers, c), o)
	if err != nil {
		return nil, fmt.Errorf("search: compiling %s: %w", c, err)
	}
	return m, nil
}

// compileAll compiles every configuration; on an error the models built so
// far are returned for closeAll.
func (e *Engine) compileAll(cs []Config, batch, threads int) ([]*engine.Model, error) {
	models := make([]*engine.Model, 0, len(cs))
	for _, c := range cs {
		m, err := e.compile(c, batch, threads)
		if err != nil {
			return models, err
		}
		models = append(models, m)
	}
	return models, nil
}

func closeAll(ms []*engine.Model) {
	for _, m := range ms {
		m.Close()
	}
}

// batchImages returns the first batch test images (NCHW float32).
func (e *Engine) batchImages(batch int) ([]float32, error) {
	if e.Test.Len() < batch {
		return nil, fmt.Errorf("search: %s has %d images, a batch needs %d", e.Test.Name, e.Test.Len(), batch)
	}
	x := make([]float32, batch*e.Test.ImageSize())
	if err := e.Test.Images(0, batch, x); err != nil {
		return nil, err
	}
	return x, nil
}

// Throughput compiles c for a batch and thread count and times whole
// batches (the harness: warm-up, repeated samples for at least minTime).
func (e *Engine) Throughput(c Config, batch, threads int, minTime time.Duration) (Timing, error) {
	m, err := e.compile(c, batch, threads)
	if err != nil {
		return Timing{}, err
	}
	defer m.Close()
	return timeModel(m, e, c, batch, minTime)
}

func timeModel(m *engine.Model, e *Engine, c Config, batch int, minTime time.Duration) (Timing, error) {
	x, err := e.batchImages(batch)
	if err != nil {
		return Timing{}, err
	}
	var runErr error
	res, err := harness.Measure(func(n int) {
		for range n {
			if _, err := m.Run(x, batch); err != nil {
				runErr = err
			}
		}
	}, harness.Options{Name: "e2e/" + c.Key(), MinTime: minTime, SampleTime: 10 * time.Millisecond, Warmup: 50 * time.Millisecond, CPU: harness.NoPin, Reruns: -1})
	if err == nil {
		err = runErr
	}
	if err != nil {
		return Timing{}, fmt.Errorf("search: timing %s: %w", c, err)
	}
	t := Timing{ImagesPerS: float64(batch) / (res.MedianNs * 1e-9), BestImagesPerS: float64(batch) / (res.MinNs * 1e-9), CV: res.CV}
	for _, v := range res.SamplesNs {
		t.Samples = append(t.Samples, v*1e-9)
	}
	return t, nil
}
