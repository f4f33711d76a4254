package engine

import (
	"fmt"
	"slices"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

func checkSet(m *Model, set *dataset.Set) error {
	if set.C != m.InC || set.H != m.InH || set.W != m.InW {
		return fmt.Errorf("engine: data set %s has %dx%dx%d images, the model takes %dx%dx%d",
			set.Name, set.C, set.H, set.W, m.InC, m.InH, m.InW)
	}
	return nil
}

// Predict returns the arg-max class of images offset..offset+n-1 of set.
func Predict(m *Model, set *dataset.Set, offset, n int) ([]int, error) {
	if err := checkSet(m, set); err != nil {
		return nil, err
	}
	if offset < 0 || n < 0 || offset+n > set.Len() {
		return nil, fmt.Errorf("engine: images %d..%d outside data set %s of %d", offset, offset+n, set.Name, set.Len())
	}
	x := make([]float32, m.Batch*set.ImageSize())
	pred := make([]int, 0, n)
	for b := offset; b < offset+n; b += m.Batch {
		k := min(m.Batch, offset+n-b)
		if err := set.Images(b, k, x); err != nil {
			return nil, err
		}
		y, err := m.Run(x, k)
		if err != nil {
			return nil, err
		}
		for i := 0; i < k; i++ {
			row := y[i*m.Classes : (i+1)*m.Classes]
			pred = append(pred, argmax(row))
		}
		if m.progress != nil {
			m.progress(len(pred), n)
		}
	}
	return pred, nil
}

func argmax(row []float32) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}

// Evaluate returns the top-1 accuracy (a fraction) of m on images
// offset..offset+n-1 of set.
func Evaluate(m *Model, set *dataset.Set, offset, n int) (float64, error) {
	pred, err := Predict(m, set, offset, n)
	if err != nil {
		return 0, err
	}
	labels, err := set.Labels(offset, n)
	if err != nil {
		return 0, err
	}
	correct := 0
	for i, p := range pred {
		if p == labels[i] {
			correct++
		}
	}
	if n == 0 {
		return 0, nil
	}
	return float64(correct) / float64(n), nil
}

// Timing is a throughput measurement of one batch size.
type Timing struct {
	Batch        int
	Runs         int
	BatchLatency time.Duration // median over the timed runs
	ImagesPerS   float64       // Batch / BatchLatency
}

// Throughput runs one batch of images (the first Batch images of set
// starting at offset) warmup times, then repeatedly for at least minTime
// (and at least 5 runs), and reports the median batch latency.
func Throughput(m *Model, set *dataset.Set, offset int, warmup int, minTime time.Duration) (Timing, error) {
	if err := checkSet(m, set); err != nil {
		return Timing{}, err
	}
	x := make([]float32, m.Batch*set.ImageSize())
	k := min(m.Batch, set.Len()-offset)
	if k < m.Batch {
		return Timing{}, fmt.Errorf("engine: data set %s has %d images from %d, a batch needs %d", set.Name, k, offset, m.Batch)
	}
	if err := set.Images(offset, m.Batch, x); err != nil {
		return Timing{}, err
	}
	for i := 0; i < warmup; i++ {
		if _, err := m.Run(x, m.Batch); err != nil {
			return Timing{}, err
		}
	}
	var lat []time.Duration
	start := time.Now()
	for len(lat) < 5 || time.Since(start) < minTime {
		t0 := time.Now()
		m.Run(x, m.Batch)
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	med := lat[len(lat)/2]
	return Timing{Batch: m.Batch, Runs: len(lat), BatchLatency: med,
		ImagesPerS: float64(m.Batch) / med.Seconds()}, nil
}

// Calibrate runs g in fp32 on images offset..offset+n-1 of set (training
// images, never the test set) and returns activation ranges for method:
// a first pass records min, max and channel means of every tensor the
// engine materialises; percentile and MSE take a second pass to build
// histograms over [min, max].
func Calibrate(g *graph.Graph, set *dataset.Set, offset, n int, method quant.Method, opts Options) (*quant.Calibration, error) {
	if n < 1 {
		return nil, fmt.Errorf("engine: calibration needs at least 1 image, got %d", n)
	}
	opts.Calib = nil
	opts.Split = SplitLayers // the hook sees every tensor of one plan, in order
	passes := 1
	if method != quant.MinMax {
		passes = 2
	}
	progress := opts.Progress
	opts.Progress = nil
	m, err := Compile(g, Config{}, opts)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	pass := 0
	if progress != nil {
		m.progress = func(done, _ int) { progress(pass*n+done, passes*n) }
	}
	stats := map[string]*quant.TensorStats{}
	m.observe = func(t *tensor, k int) {
		s := stats[t.name]
		if s == nil {
			s = &quant.TensorStats{}
			stats[t.name] = s
		}
		s.Observe(t.f[:k*t.size()], t.c)
	}
	if _, err := Predict(m, set, offset, n); err != nil {
		return nil, fmt.Errorf("engine: calibration: %w", err)
	}
	for _, s := range stats {
		s.FinishMeans()
	}
	if method != quant.MinMax {
		pass = 1
		m.observe = func(t *tensor, k int) { stats[t.name].ObserveHist(t.f[:k*t.size()]) }
		if _, err := Predict(m, set, offset, n); err != nil {
			return nil, fmt.Errorf("engine: calibration: %w", err)
		}
	}
	c := quant.FromStats(stats, method)
	c.N = n
	return c, nil
}

// CalibrateCached is Calibrate with a cache under dir keyed by the model
// file's hash, the data set, method and n ("" dir: no cache).
func CalibrateCached(modelPath string, g *graph.Graph, set *dataset.Set, n int, method quant.Method, opts Options, dir string) (*quant.Calibration, error) {
	hash, err := quant.HashFile(modelPath)
	if err != nil {
		return nil, err
	}
	data := fmt.Sprintf("%s:%d", set.Name, set.Len())
	path := ""
	if dir != "" {
		path = quant.CachePath(dir, hash, data, method, n)
		c, err := quant.LoadCache(path, hash, data, method, n)
		if err != nil {
			return nil, err
		}
		if c != nil {
			return c, nil
		}
	}
	c, err := Calibrate(g, set, 0, n, method, opts)
	if err != nil {
		return nil, err
	}
	c.Model, c.Data = hash, data
	if path != "" {
		if err := quant.SaveCache(path, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// FileCalibration is the quantization a QDQ model file carries (see
// graph.LoadQDQ): its activation scales and zero points and its int8
// weight scales, used as they are, with no calibration images.
func FileCalibration(q *graph.QDQ) *quant.Calibration {
	c := &quant.Calibration{Method: "file", Ranges: map[string]quant.Range{}, Means: map[string][]float64{},
		Quants: map[string]kernels.Quant{}, WeightScales: map[string][]float32{}}
	for name, a := range q.Acts {
		c.Quants[name] = kernels.Quant{Scale: a.Scale, Zero: a.Zero}
	}
	for name, w := range q.Weights {
		c.WeightScales[name] = w.Scale
	}
	return c
}

// FileConfig is the configuration a QDQ model file implies: int8 (int4)
// for each compute layer whose input the file quantizes and whose weights
// it stores as int8 (int4), fp32 for the others (layers a quantizer left
// in float).
func FileConfig(g *graph.Graph, q *graph.QDQ) Config {
	c := Config{Layers: map[string]kernels.Format{}}
	for _, n := range g.Nodes {
		if !isCompute(g, n) {
			continue
		}
		w, ok := q.Weights[n.Inputs[1]]
		if _, a := q.Acts[n.Inputs[0]]; ok && a {
			c.Layers[n.Name] = kernels.Int8
			if w.Bits == 4 {
				c.Layers[n.Name] = kernels.Int4
			}
		}
	}
	return c
}
