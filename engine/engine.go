// Package engine runs an imported CNN (package graph) end to end on aiq's
// kernels with one number format per compute layer: fp32, fp16, int8 or int4.
//
// Compile turns the graph into a list of steps over NHWC tensors:
//   - a Conv (or Gemm/MatMul with constant weights) becomes a GEMM with
//     M = batch*H*W, N = Cout, K = KH*KW*Cin (K ordered ky, kx, cin); 1x1
//     stride-1 convs read the NHWC input directly, others go through an
//     im2col built in cache-sized chunks of output rows, one chunk per task
//     on the worker pool; 3x3 depthwise convs use the depthwise kernels;
//     other grouped convs run one GEMM per group over its channel slice
//     (other depthwise shapes, e.g. 5x5: a direct float32 loop);
//   - bias, ReLU/ReLU6 and a following residual Add (and the activation
//     after it) are fused into the conv: the add runs on the chunk's rows
//     right after the GEMM wrote them, while they are in cache;
//   - every other operator runs in float32 on NHWC data, except those
//     that only move values (Slice, Pad, MaxPool, a Reshape/Transpose
//     chain such as a channel shuffle, composed into one gather), which
//     run in their input's storage.
//
// Tensor formats: each materialised tensor is stored once, in the
// activation format of its strict consumers if they all agree (uint8 with
// the tensor's calibrated quantization for int8/int4 layers, binary16 for
// fp16 layers, float32 for fp32 layers and for every non-conv operator),
// else in float32; graph outputs are float32. A residual input accepts any
// format. Where a consumer needs another format, a conversion step makes a
// second copy just before its first such consumer. A conv writes its output
// format directly in its epilogue (an integer layer requantizes to uint8
// with the consumer's input quantization), so a conversion pass only exists
// after non-conv operators and where consumers disagree.
//
// Buffers are planned once per Compile for the batch size of Options:
// tensors whose lifetimes do not overlap share memory, and Run allocates
// nothing.
package engine

import (
	"fmt"
	"sort"
	"time"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// Config assigns a number format to each compute layer (graph.Layer name);
// layers not listed use Default (the zero value is fp32).
type Config struct {
	Default kernels.Format
	Layers  map[string]kernels.Format
}

// Uniform is the configuration with every layer in format f.
func Uniform(f kernels.Format) Config { return Config{Default: f} }

// Format returns the format of layer name.
func (c Config) Format(name string) kernels.Format {
	if f, ok := c.Layers[name]; ok {
		return f
	}
	return c.Default
}

// Integer reports whether any layer of g runs in int8 or int4.
func (c Config) Integer(g *graph.Graph) bool {
	for _, l := range g.Layers() {
		if f := c.Format(l.Name); f == kernels.Int8 || f == kernels.Int4 {
			return true
		}
	}
	return false
}

// Options are the execution options of a compiled model.
type Options struct {
	Batch   int // images per pass (buffers are sized for it); default 64
	Threads int // worker threads; default 1
	// Split says how threads share a pass (default: whole sub-batches
	// per thread when the batch allows, see Split).
	Split Split
	// SubBatch, with a batch split, is the most images a thread runs
	// through the network at once (0: its whole share of the batch).
	// Smaller sub-batches keep a thread's activations in its caches.
	SubBatch int
	// Progress, if set, is called after every batch of Predict, Evaluate
	// and Calibrate with the images done and the total.
	Progress func(done, total int)

	// Calib holds activation ranges (and channel means) by tensor name;
	// required when any layer is int8 or int4 (see Calibrate).
	Calib *quant.Calibration
	// WeightMethod picks the per-channel weight clip (default MSE search).
	WeightMethod quant.WeightMethod
	// Int4Group > 0 gives int4 GEMM weights one scale per Int4Group rows of
	// K (a multiple of 4); 0 is one scale per output channel.
	Int4Group int
	// BiasCorrection folds the expected weight-quantization error of each
	// integer layer's output (from the calibration channel means) into its bias.
	BiasCorrection bool
}

func (o *Options) defaults() error {
	if o.Batch == 0 {
		o.Batch = 64
	}
	if o.Threads == 0 {
		o.Threads = 1
	}
	if o.Batch < 1 || o.Threads < 1 {
		return fmt.Errorf("engine: batch %d and threads %d must be >= 1", o.Batch, o.Threads)
	}
	if o.SubBatch < 0 {
		return fmt.Errorf("engine: sub-batch %d must be >= 0", o.SubBatch)
	}
	if o.Split < SplitAuto || o.Split > SplitBatch {
		return fmt.Errorf("engine: unknown split %d", o.Split)
	}
	return nil
}

// CheckConfig reports layer names in c that are not compute layers of g.
func CheckConfig(g *graph.Graph, c Config) error {
	known := map[string]bool{}
	for _, l := range g.Layers() {
		known[l.Name] = true
	}
	var bad []string
	for name, f := range c.Layers {
		if !known[name] {
			bad = append(bad, name)
		}
		if f > kernels.Int4 {
			return fmt.Errorf("engine: layer %q: unknown format %v", name, f)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("engine: config names unknown layers %q", bad)
	}
	return nil
}

// Model is a compiled graph ready to run. It is not safe for concurrent
// use: Run reuses its buffers.
type Model struct {
	Batch, Threads int
	InC, InH, InW  int // input image shape (NCHW per image)
	Classes        int // values per image of the output

	steps   []step
	tensors []*tensor
	input   *tensor
	output  *tensor
	pool    *kernels.Pool
	scratch []scratch // one per thread
	out     []float32

	observe  func(t *tensor, n int) // calibration hook, nil normally
	lanes    []*Model               // batch split: one single-thread plan per thread
	progress func(done, total int)  // Options.Progress
	// inputAffine is the input normalisation when it is the input's only
	// reader: it then reads the NCHW images and writes NHWC in one pass,
	// instead of a layout pass and an affine pass.
	inputAffine *affineStep
	laneGroup   *laneGroup // the goroutines of lanes[1:]
	stepNs      []int64    // per-step wall time of the last pass, when profiling
}

// Close stops the worker threads.
func (m *Model) Close() {
	m.pool.Close()
	m.stopLanes()
	for _, l := range m.lanes {
		l.Close()
	}
}

// SplitMode says how m's threads share a pass: SplitBatch or SplitLayers.
func (m *Model) SplitMode() Split {
	if m.lanes != nil {
		return SplitBatch
	}
	return SplitLayers
}

// Run computes the outputs of n images. images holds n NCHW float32 images
// (pixel values as the model expects them); the result is n x Classes
// values (in the output's NCHW order), valid until the next call. n may exceed the batch size: the
// images then run in batches.
func (m *Model) Run(images []float32, n int) ([]float32, error) {
	per := m.InC * m.InH * m.InW
	if n < 0 || len(images) < n*per {
		return nil, fmt.Errorf("engine: %d input values for %d images of %dx%dx%d", len(images), n, m.InC, m.InH, m.InW)
	}
	if cap(m.out) < n*m.Classes {
		m.out = make([]float32, n*m.Classes)
	}
	out := m.out[:n*m.Classes]
	if m.lanes != nil {
		return out, m.runLanes(images, n, out)
	}
	for b := 0; b < n; b += m.Batch {
		k := min(m.Batch, n-b)
		m.runBatch(images[b*per:(b+k)*per], k)
		o := m.output
		if plane := o.h * o.w; plane > 1 {
			// Back to the NCHW order of the ONNX output.
			for i := 0; i < k; i++ {
				src, dst := o.f[i*m.Classes:(i+1)*m.Classes], out[(b+i)*m.Classes:(b+i+1)*m.Classes]
				for p := 0; p < plane; p++ {
					for c := 0; c < o.c; c++ {
						dst[c*plane+p] = src[p*o.c+c]
					}
				}
			}
			continue
		}
		copy(out[b*m.Classes:], o.f[:k*m.Classes])
	}
	return out, nil
}

func (m *Model) runBatch(images []float32, n int) {
	if m.inputAffine != nil && m.observe == nil {
		// The affine step reads the NCHW images itself (see inputAffine).
		m.inputAffine.nchw = images
	} else {
		if m.inputAffine != nil {
			m.inputAffine.nchw = nil
		}
		nchwToNHWC(m.input.f, images, n, m.InC, m.InH*m.InW)
	}
	if m.observe != nil {
		m.observe(m.input, n)
	}
	for i, s := range m.steps {
		if m.stepNs != nil {
			t0 := time.Now()
			s.run(m, n)
			m.stepNs[i] += int64(time.Since(t0)) // summed over the sub-batches of a pass
		} else {
			s.run(m, n)
		}
		if m.observe != nil {
			for _, t := range s.io().outs {
				m.observe(t, n)
			}
		}
	}
}

func nchwToNHWC(dst, src []float32, n, c, plane int) {
	for i := 0; i < n; i++ {
		s := src[i*c*plane : (i+1)*c*plane]
		d := dst[i*c*plane : (i+1)*c*plane]
		for ch := 0; ch < c; ch++ {
			for p, v := range s[ch*plane : (ch+1)*plane] {
				d[p*c+ch] = v
			}
		}
	}
}

// Describe lists the steps with their formats, one per line.
func (m *Model) Describe() string {
	if m.lanes != nil {
		return fmt.Sprintf("# batch split: %d threads, each runs sub-batches of %d alone\n", len(m.lanes), m.lanes[0].Batch) +
			m.lanes[0].Describe()
	}
	s := ""
	for _, st := range m.steps {
		s += st.describe() + "\n"
	}
	return s
}
