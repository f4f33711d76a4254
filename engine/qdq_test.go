package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
)

// ortModel is ONNX Runtime's quantize_static QDQ model of a shipped model.
func ortModel(name string) string { return "../peers/" + name + "-int8-ort.onnx" }

func loadQDQ(t testing.TB, name string, batch int) (*graph.Graph, *graph.QDQ) {
	t.Helper()
	g, q, err := graph.LoadQDQ(ortModel(name), batch)
	if err != nil {
		t.Fatal(err)
	}
	if q == nil {
		t.Fatalf("%s: no Q/DQ nodes found", ortModel(name))
	}
	return g, q
}

// TestQDQFileQuantization checks that an int8 plan of a QDQ model runs the
// file's numbers: every uint8 tensor has the file's scale and zero point,
// and every integer layer's codes and scales are the file's weights.
func TestQDQFileQuantization(t *testing.T) {
	for _, name := range models {
		g, q := loadQDQ(t, name, 4)
		calib := FileCalibration(q)
		m, err := Compile(g, Uniform(kernels.Int8), Options{Batch: 4, Split: SplitLayers, Calib: calib})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		nodes := map[string]*graph.Node{}
		for _, n := range g.Nodes {
			nodes[n.Name] = n
		}
		u8 := 0
		for _, tn := range m.tensors {
			if tn.st != stU8 {
				continue
			}
			u8++
			want, ok := calib.Quants[strings.TrimSuffix(tn.name, "@u8")]
			if !ok && tn.qFrom == nil {
				t.Errorf("%s: uint8 tensor %q has no quantization in the file", name, tn.name)
			}
			if ok && tn.q != want {
				t.Errorf("%s: tensor %q quantized %v, file %v", name, tn.name, tn.q, want)
			}
		}
		layers := 0
		for _, st := range m.steps {
			s, ok := st.(*convStep)
			if !ok {
				continue
			}
			layers++
			n := nodes[s.name]
			w := q.Weights[n.Inputs[1]]
			if w.Q == nil {
				t.Fatalf("%s: layer %q: weights %q not annotated", name, s.name, n.Inputs[1])
			}
			codes, scales, in := s.packedQ()
			if codes == nil {
				t.Fatalf("%s: layer %q did not run in int8", name, s.name)
			}
			if in != s.ins[0].q {
				t.Errorf("%s: layer %q packed with input quantization %v, tensor has %v", name, s.name, in, s.ins[0].q)
			}
			for o := 0; o < s.n; o++ {
				if want := in.Scale * w.Scale[o]; scales[o] != want {
					t.Fatalf("%s: layer %q channel %d: combined scale %v, file %v", name, s.name, o, scales[o], want)
				}
			}
			for k := 0; k < s.k; k++ {
				for o := 0; o < s.n; o++ {
					if got, want := codes[k*s.n+o], w.Q[fileIndex(s, n, k, o)]; got != want {
						t.Fatalf("%s: layer %q weight k=%d n=%d: %d, file %d", name, s.name, k, o, got, want)
					}
				}
			}
		}
		m.Close()
		if u8 == 0 || layers != len(g.Layers()) {
			t.Errorf("%s: %d uint8 tensors, %d of %d layers checked", name, u8, layers, len(g.Layers()))
		}
	}
}

// packedQ returns the int8 codes (K x N), combined scales and input
// quantization an integer layer was packed with.
func (s *convStep) packedQ() ([]int8, []float32, kernels.Quant) {
	switch {
	case s.gq != nil:
		return s.gq.Q, s.gq.S, s.gq.In
	case s.dq != nil:
		return s.dq.Q, s.dq.S, s.dq.In
	}
	return nil, nil, kernels.Quant{}
}

// fileIndex is the index in the file's weight tensor of row k, column o of
// the layer's K x N weights (K ordered ky, kx, cin).
func fileIndex(s *convStep, n *graph.Node, k, o int) int {
	switch {
	case n.Op == "Gemm" && n.Gemm.TransB:
		return o*s.k + k
	case n.Op != "Conv":
		return k*s.n + o
	case s.depthwise:
		return o*9 + k
	}
	cin, kw := s.g.cin, s.g.kw
	tap, ci := k/cin, k%cin
	return ((o*cin+ci)*s.g.kh+tap/kw)*kw + tap%kw
}

// TestQDQTop1 runs both QDQ models in int8 with their own quantization and
// as their dequantized float graphs: top-1 on the first 500 test images is
// that of a working model, and the two runs predict alike.
func TestQDQTop1(t *testing.T) {
	if testing.Short() {
		t.Skip("500 images through two models twice")
	}
	set := testSet(t, "cifar10-test.bin")
	const n = 500
	for _, name := range models {
		g, q := loadQDQ(t, name, 50)
		var pred [2][]int
		for i, f := range []kernels.Format{kernels.Int8, kernels.FP32} {
			m, err := Compile(g, Uniform(f), Options{Batch: 50, Calib: FileCalibration(q)})
			if err != nil {
				t.Fatalf("%s %v: %v", name, f, err)
			}
			pred[i], err = Predict(m, set, 0, n)
			m.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		labels, err := set.Labels(0, n)
		if err != nil {
			t.Fatal(err)
		}
		correct, same := [2]int{}, 0
		for i := range labels {
			for j := range pred {
				if pred[j][i] == labels[i] {
					correct[j]++
				}
			}
			if pred[0][i] == pred[1][i] {
				same++
			}
		}
		t.Logf("%s: int8 top-1 %d/%d, dequantized fp32 %d/%d, same prediction %d", name, correct[0], n, correct[1], n, same)
		// Both models score 91-94% on the whole test set (fp32 and ONNX
		// Runtime's int8); 500 images vary by about 1.3 points.
		for j, f := range []string{"int8", "fp32"} {
			if correct[j] < n*88/100 {
				t.Errorf("%s %s: top-1 %d/%d", name, f, correct[j], n)
			}
		}
		if same < n*97/100 {
			t.Errorf("%s: int8 and fp32 agree on %d/%d images", name, same, n)
		}
	}
}

// TestQDQFileConfig: layers the file quantizes run in int8, a layer whose
// weights the file leaves in float runs in fp32 beside them.
func TestQDQFileConfig(t *testing.T) {
	g, q := loadQDQ(t, "resnet20", 2)
	ls := g.Layers()
	if c := FileConfig(g, q); len(c.Layers) != len(ls) || c.Default != kernels.FP32 {
		t.Fatalf("config %v for %d layers", c, len(ls))
	}
	first := g.Nodes[slices.IndexFunc(g.Nodes, func(n *graph.Node) bool { return n.Op == "Conv" })]
	delete(q.Weights, first.Inputs[1])
	c := FileConfig(g, q)
	if _, ok := c.Layers[first.Name]; ok || len(c.Layers) != len(ls)-1 {
		t.Fatalf("without %q's weights: config %v", first.Name, c)
	}
	m, err := Compile(g, c, Options{Batch: 2, Split: SplitLayers, Calib: FileCalibration(q)})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, st := range m.steps {
		if s, ok := st.(*convStep); ok && (s.name == first.Name) != (s.format == kernels.FP32) {
			t.Errorf("layer %q runs in %v", s.name, s.format)
		}
	}
}

// TestQDQMatchesReference compares aiq's int8 run of a QDQ model with the
// graph reference interpreter's evaluation of the QDQ graph itself (every
// QuantizeLinear/DequantizeLinear as the file says, as ONNX Runtime runs
// it). aiq requantizes only where it stores uint8 (a conv's fused output,
// after the residual add), not at each of the file's Q/DQ pairs, so a few
// predictions may differ; on all 10,000 test images top-1 is within 0.02
// points of ONNX Runtime's (scripts/qdq-check.sh).
func TestQDQMatchesReference(t *testing.T) {
	if testing.Short() {
		t.Skip("the reference interpreter takes ~10 s per 100 images")
	}
	set := testSet(t, "cifar10-test.bin")
	const n, batch = 100, 50
	labels, err := set.Labels(0, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range models {
		ref, err := graph.Load(ortModel(name), batch)
		if err != nil {
			t.Fatal(err)
		}
		g, q := loadQDQ(t, name, batch)
		m, err := Compile(g, FileConfig(g, q), Options{Batch: batch, Calib: FileCalibration(q)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Predict(m, set, 0, n)
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, batch*set.ImageSize())
		same, correct, refCorrect := 0, 0, 0
		for b := 0; b < n; b += batch {
			if err := set.Images(b, batch, x); err != nil {
				t.Fatal(err)
			}
			y, err := graph.Reference(ref, x)
			if err != nil {
				t.Fatal(err)
			}
			c := len(y) / batch
			for i := 0; i < batch; i++ {
				want := argmax(y[i*c : (i+1)*c])
				if got[b+i] == want {
					same++
				}
				if want == labels[b+i] {
					refCorrect++
				}
				if got[b+i] == labels[b+i] {
					correct++
				}
			}
		}
		t.Logf("%s: aiq int8 and the reference agree on %d/%d; top-1 %d vs %d", name, same, n, correct, refCorrect)
		// Measured on the first 500 images: 493 and 498 agree, top-1 455
		// vs 456 and 459 vs 459.
		if same < n*96/100 || correct < refCorrect-3 || correct > refCorrect+3 {
			t.Errorf("%s: agreement %d/%d, top-1 %d vs the reference's %d", name, same, n, correct, refCorrect)
		}
	}
}

// TestQDQGraphNeedsLoadQDQ: a graph that still has its Q/DQ nodes gets an
// error saying how to run it, not one about a bias vector's shape.
func TestQDQGraphNeedsLoadQDQ(t *testing.T) {
	g, err := graph.Load(ortModel("resnet20"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(g, Config{}, Options{Batch: 2}); err == nil || !strings.Contains(err.Error(), "graph.LoadQDQ") {
		t.Errorf("compiling a QDQ graph: %v", err)
	}
}
