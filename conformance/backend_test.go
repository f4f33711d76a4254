// Package conformance runs ONNX's own per-operator backend tests
// (testdata/node, see testdata/README.md) on the graph importer and the
// reference interpreter and, for every case whose input is an NCHW float
// image, on the engine. `go test ./conformance -run TestONNXBackend -v`
// logs what passed and why each skipped case is skipped.
package conformance

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/onnx"
)

// The tolerances of ONNX's backend test runner for float outputs.
const (
	rtol = 1e-3
	atol = 1e-7
)

// backendCase is one test directory: the model and its first data set.
type backendCase struct {
	dir     string
	model   *onnx.Model
	inputs  []*onnx.Tensor // one per runtime input of the graph, in order
	outputs []*onnx.Tensor // one per graph output, in order
}

// tally counts outcomes for the summary.
type tally struct {
	refPass, refRuntimePass, enginePass int
	skips                               map[string][]string // reason -> cases
}

func (s *tally) skip(t *testing.T, reason string) {
	t.Helper()
	name := strings.TrimSuffix(t.Name(), "/engine")
	s.skips[reason] = append(s.skips[reason], name[strings.LastIndex(name, "/")+1:])
	t.Skip(reason)
}

func TestONNXBackend(t *testing.T) {
	dirs, err := filepath.Glob("testdata/node/test_*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases under testdata/node (%v)", err)
	}
	sum := &tally{skips: map[string][]string{}}
	engineSkips := map[string][]string{}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			c, err := loadCase(dir)
			if err != nil {
				sum.skip(t, "test data not readable: "+err.Error())
			}
			ok := runReference(t, c, sum)
			if ok && inEngineScope(c) {
				t.Run("engine", func(t *testing.T) {
					es := &tally{skips: engineSkips}
					if runEngine(t, c, es) {
						sum.enginePass++
					}
				})
			}
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d cases: reference passed %d (also with every input fed at run time: %d); engine passed %d\n",
		len(dirs), sum.refPass, sum.refRuntimePass, sum.enginePass)
	writeSkips(&b, "skipped", sum.skips)
	writeSkips(&b, "engine skipped", engineSkips)
	t.Log(b.String())
}

func writeSkips(b *strings.Builder, what string, m map[string][]string) {
	reasons := make([]string, 0, len(m))
	n := 0
	for r, cs := range m {
		reasons = append(reasons, r)
		n += len(cs)
	}
	sort.Strings(reasons)
	fmt.Fprintf(b, "%s %d:\n", what, n)
	for _, r := range reasons {
		fmt.Fprintf(b, "  %s: %s\n", r, strings.Join(m[r], " "))
	}
}

// loadCase reads model.onnx and test_data_set_0.
func loadCase(dir string) (*backendCase, error) {
	m, err := onnx.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return nil, err
	}
	c := &backendCase{dir: dir, model: m}
	read := func(file string) (*onnx.Tensor, error) {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return onnx.ParseTensor(data, file)
	}
	inits := map[string]bool{}
	for _, t := range m.Graph.Initializers {
		inits[t.Name] = true
	}
	set := filepath.Join(dir, "test_data_set_0")
	i := 0
	for _, in := range m.Graph.Inputs {
		if inits[in.Name] {
			continue
		}
		t, err := read(filepath.Join(set, fmt.Sprintf("input_%d.pb", i)))
		if err != nil {
			return nil, err
		}
		t.Name = in.Name
		c.inputs = append(c.inputs, t)
		i++
	}
	for i, out := range m.Graph.Outputs {
		t, err := read(filepath.Join(set, fmt.Sprintf("output_%d.pb", i)))
		if err != nil {
			return nil, err
		}
		t.Name = out.Name
		c.outputs = append(c.outputs, t)
	}
	return c, nil
}

// batchOf is the first dimension of the first input: the batch the graph
// is imported for.
func (c *backendCase) batchOf() int {
	if len(c.inputs) == 0 || len(c.inputs[0].Dims) == 0 {
		return 1
	}
	return int(c.inputs[0].Dims[0])
}

// bound returns the model with every input but the first turned into an
// initializer holding its test data: weights, biases, scales, zero points,
// shapes and pads are constants in the models users bring.
func (c *backendCase) bound() *onnx.Model {
	m := *c.model
	g := *m.Graph
	g.Initializers = append(slices.Clone(g.Initializers), c.inputs[1:]...)
	m.Graph = &g
	return &m
}

func feeds(g *graph.Graph, ins []*onnx.Tensor) map[string]*graph.Tensor {
	f := map[string]*graph.Tensor{}
	for _, t := range ins {
		if g.Value(t.Name) == nil || !slices.Contains(g.Inputs, t.Name) {
			continue // bound as a constant
		}
		f[t.Name] = &graph.Tensor{Name: t.Name, DType: g.Value(t.Name).DType, F: t.Floats, I: t.Ints}
	}
	return f
}

// runReference imports the case with its first input fed at run time and
// the others bound (the form every model has), runs the reference
// interpreter and compares; then again with every input fed at run time
// when the importer accepts that (a runtime shape or pads it does not).
func runReference(t *testing.T, c *backendCase, sum *tally) bool {
	if len(c.inputs) == 0 {
		sum.skip(t, "no runtime input")
	}
	if c.batchOf() < 1 {
		sum.skip(t, "zero-size batch")
	}
	g, err := graph.FromONNX(c.bound(), c.batchOf())
	if err != nil {
		sum.skip(t, reason(err))
	}
	if !check(t, "reference", g, feeds(g, c.inputs[:1]), c.outputs) {
		return false
	}
	sum.refPass++
	if len(c.inputs) > 1 {
		if g2, err := graph.Load(filepath.Join(c.dir, "model.onnx"), c.batchOf()); err == nil {
			if !check(t, "reference, all inputs at run time", g2, feeds(g2, c.inputs), c.outputs) {
				return false
			}
			sum.refRuntimePass++
		}
	}
	return true
}

// reason shortens an import error to its cause (the node's name is the
// case's, the operator is in the message).
func reason(err error) string {
	s := err.Error()
	if i := strings.Index(s, "): "); i >= 0 && strings.HasPrefix(s, "graph: node") {
		op := s[strings.LastIndex(s[:i], "(")+1 : i]
		return op + ": " + s[i+3:]
	}
	return s
}

func check(t *testing.T, what string, g *graph.Graph, f map[string]*graph.Tensor, want []*onnx.Tensor) bool {
	t.Helper()
	res, err := graph.RunTensors(g, f)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return false
	}
	ok := true
	for i, w := range want {
		got := res[g.Outputs[i]]
		if msg := compare(got.Shape, got.F, got.I, got.Elem, w); msg != "" {
			t.Errorf("%s: output %q: %s", what, w.Name, msg)
			ok = false
		}
	}
	return ok
}

// compare checks shape, element type and values against want: floats
// within rtol/atol (NaN matches NaN), integers exactly.
func compare(shape []int, f []float32, ints []int64, elem onnx.DataType, want *onnx.Tensor) string {
	ws := make([]int, len(want.Dims))
	for i, d := range want.Dims {
		ws[i] = int(d)
	}
	if !slices.Equal(shape, ws) {
		return fmt.Sprintf("shape %v, want %v", shape, ws)
	}
	if want.DataType.IsFloat() {
		if f == nil && len(want.Floats) > 0 {
			return fmt.Sprintf("integer output, want %v", want.DataType)
		}
		for i, w := range want.Floats {
			g := float64(f[i])
			if math.IsNaN(g) && math.IsNaN(float64(w)) {
				continue
			}
			if !(math.Abs(g-float64(w)) <= atol+rtol*math.Abs(float64(w))) {
				return fmt.Sprintf("index %d: got %g, want %g", i, g, w)
			}
		}
		return ""
	}
	if elem != 0 && elem != want.DataType {
		return fmt.Sprintf("element type %v, want %v", elem, want.DataType)
	}
	if ints == nil && len(want.Ints) > 0 {
		return fmt.Sprintf("float output, want %v", want.DataType)
	}
	for i, w := range want.Ints {
		if ints[i] != w {
			return fmt.Sprintf("index %d: got %d, want %d", i, ints[i], w)
		}
	}
	return ""
}

// inEngineScope: the engine runs NCHW float32 images, so every case whose
// first input is one (conv, pool, activation, BatchNormalization, Pad,
// Flatten, MatMul, QuantizeLinear ...) runs on it too; what it does not
// support is skipped with its error.
func inEngineScope(c *backendCase) bool {
	in := c.inputs[0]
	return len(in.Dims) == 4 && in.DataType == onnx.Float
}

// runEngine compiles the bound graph in fp32 on one thread and compares its
// output; a graph the engine cannot compile is skipped with its error.
func runEngine(t *testing.T, c *backendCase, s *tally) (pass bool) {
	if len(c.outputs) != 1 {
		s.skip(t, "engine: one output per graph")
	}
	if !c.outputs[0].DataType.IsFloat() {
		s.skip(t, "engine: outputs are float32, this one is "+c.outputs[0].DataType.String())
	}
	n := c.batchOf()
	g, err := graph.FromONNX(c.bound(), n)
	if err != nil {
		t.Fatal(err) // the reference imported it
	}
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("engine panicked: %v\n%s", r, debug.Stack())
			pass = false
		}
	}()
	m, err := engine.Compile(g, engine.Uniform(kernels.FP32), engine.Options{Batch: n, Threads: 1})
	if err != nil {
		s.skip(t, err.Error())
	}
	defer m.Close()
	got, err := m.Run(c.inputs[0].Floats, n)
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	out := g.Value(g.Outputs[0])
	if msg := compare(out.Shape, got, nil, 0, c.outputs[0]); msg != "" {
		t.Errorf("engine: %s", msg)
		return false
	}
	return true
}
