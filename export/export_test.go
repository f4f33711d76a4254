package export

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/onnx"
	"github.com/aiq-project/aiq/quant"
)

// configsOf lists the precisions tested for a model: the uniform formats
// and every committed configuration of it.
func configsOf(t *testing.T, model string) map[string]engine.Config {
	t.Helper()
	cs := map[string]engine.Config{}
	for _, f := range kernels.Formats {
		cs[f.String()] = engine.Uniform(f)
	}
	files, _ := filepath.Glob("../configs/" + model + "-*.json")
	for _, f := range files {
		c, err := engine.LoadConfigFor(f, model+".onnx", false)
		if err != nil {
			t.Fatal(err)
		}
		cs[filepath.Base(f)] = c
	}
	return cs
}

// The exported file, read back from its bytes, rounds every activation as
// the engine stores it (engine.Storage): a tensor stored as uint8 is
// quantized once, with the engine's scale and zero point (its calibrated
// range's, or that of the tensor a passthrough step copied it from), and
// all its readers read the dequantized values; a binary16 tensor goes
// through one Cast pair; a layer the engine feeds a converted copy reads
// its own Q/DQ or Cast pair of the rounded tensor; there are no other
// Q/DQ or Casts on activations.
func TestExportMatchesEngineStorage(t *testing.T) {
	for _, model := range []string{"resnet20", "mobilenetv2"} {
		g, src, calib := setup(t, model)
		for name, cfg := range configsOf(t, model) {
			where := model + " " + name
			p, err := engine.Storage(g, cfg, engine.Options{Calib: calib})
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			x, sum, err := QDQ(src, g, cfg, Options{Calib: calib})
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			b, err := onnx.Marshal(x)
			if err != nil {
				t.Fatal(err)
			}
			m, err := onnx.Parse(b, "export.onnx")
			if err != nil {
				t.Fatal(err)
			}
			inits, prod := initializers(m), producers(m)
			readers := map[string][]*onnx.Node{}
			nodes := map[string]*onnx.Node{}
			quants, casts := 0, 0
			for _, n := range m.Graph.Nodes {
				nodes[n.Name] = n
				for _, in := range n.Inputs {
					readers[in] = append(readers[in], n)
				}
				if n.OpType == "QuantizeLinear" {
					quants++
				}
				if n.OpType == "Cast" && n.Attr("to").I == int64(onnx.Float16) {
					casts++
				}
			}
			// quantOf is the uint8 quantization of a Q or DQ node.
			quantOf := func(n *onnx.Node) (kernels.Quant, bool) {
				s, z := inits[n.Inputs[1]], inits[n.Inputs[2]]
				if s == nil || z == nil || len(s.Floats) != 1 || len(z.Ints) != 1 || z.DataType != onnx.Uint8 {
					return kernels.Quant{}, false
				}
				return kernels.Quant{Scale: s.Floats[0], Zero: uint8(z.Ints[0])}, true
			}
			// rounded checks that value v is read only through a Q -> DQ
			// pair with q (u8) or a Cast pair (f16), and returns the
			// rounded value.
			rounded := func(v, st string, q kernels.Quant) string {
				rs := readers[v]
				if len(rs) != 1 {
					t.Errorf("%s: %q (%s) has %d readers in the file, want its rounding alone", where, v, st, len(rs))
					return ""
				}
				r := rs[0]
				var next []*onnx.Node
				if len(r.Outputs) == 1 {
					next = readers[r.Outputs[0]]
				}
				switch st {
				case "u8":
					if r.OpType != "QuantizeLinear" || len(next) != 1 || next[0].OpType != "DequantizeLinear" {
						t.Errorf("%s: %q is not read through Q -> DQ", where, v)
						return ""
					}
					qq, ok1 := quantOf(r)
					dq, ok2 := quantOf(next[0])
					if !ok1 || !ok2 || qq != q || dq != q {
						t.Errorf("%s: %q quantized with %+v / %+v, the engine's is %+v", where, v, qq, dq, q)
					}
				case "f16":
					if r.OpType != "Cast" || r.Attr("to").I != int64(onnx.Float16) || len(next) != 1 ||
						next[0].OpType != "Cast" || next[0].Attr("to").I != int64(onnx.Float) {
						t.Errorf("%s: %q is not read through a binary16 Cast pair", where, v)
						return ""
					}
				}
				return next[0].Outputs[0]
			}
			wantQ, wantCasts := 0, 0
			view := map[string]string{}
			for _, v := range slices.Sorted(maps.Keys(p.Tensors)) {
				ts := p.Tensors[v]
				view[v] = v
				if ts.Storage == "u8" {
					src := v
					for p.Tensors[src].CopyOf != "" {
						src = p.Tensors[src].CopyOf
					}
					if want := calib.Ranges[src].Quant(); ts.Quant != want {
						t.Errorf("%s: %q quantized with %+v, the calibrated range of %q gives %+v", where, v, ts.Quant, src, want)
					}
				}
				if ts.CopyOf != "" {
					if ts.Storage != p.Tensors[ts.CopyOf].Storage {
						t.Errorf("%s: copy %q in %s of %q in %s", where, v, ts.Storage, ts.CopyOf, p.Tensors[ts.CopyOf].Storage)
					}
					continue
				}
				switch ts.Storage {
				case "u8":
					wantQ++
				case "f16":
					wantCasts++
				default:
					continue
				}
				if r := rounded(v, ts.Storage, ts.Quant); r != "" {
					view[v] = r
				}
			}
			for _, s := range p.Steps {
				if s.Layer == "" {
					continue
				}
				in := s.Ins[0]
				n := nodes[s.Layer]
				if n == nil {
					t.Fatalf("%s: no node %q", where, s.Layer)
				}
				if !in.Converted {
					if n.Inputs[0] != view[in.Name] {
						t.Errorf("%s: layer %s reads %q, want %q", where, s.Layer, n.Inputs[0], view[in.Name])
					}
					continue
				}
				if in.Storage == "u8" {
					wantQ++
					if want := calib.Ranges[in.Name].Quant(); in.Quant != want {
						t.Errorf("%s: layer %s reads %q converted with %+v, its calibrated range gives %+v", where, s.Layer, in.Name, in.Quant, want)
					}
				} else {
					wantCasts++
				}
				// The layer's own rounding of the rounded tensor.
				d := prod[n.Inputs[0]]
				var r *onnx.Node
				if d != nil && len(d.Inputs) > 0 {
					r = prod[d.Inputs[0]]
				}
				if r == nil || r.Inputs[0] != view[in.Name] {
					t.Errorf("%s: layer %s does not read a converted copy of %q", where, s.Layer, view[in.Name])
					continue
				}
				switch in.Storage {
				case "u8":
					qq, ok1 := quantOf(r)
					dq, ok2 := quantOf(d)
					if r.OpType != "QuantizeLinear" || d.OpType != "DequantizeLinear" || !ok1 || !ok2 || qq != in.Quant || dq != in.Quant {
						t.Errorf("%s: layer %s reads %q through %s %+v -> %s %+v, the engine's quantization is %+v", where, s.Layer, in.Name, r.OpType, qq, d.OpType, dq, in.Quant)
					}
				case "f16":
					if r.OpType != "Cast" || d.OpType != "Cast" || r.Attr("to").I != int64(onnx.Float16) {
						t.Errorf("%s: layer %s reads %q not through a binary16 Cast pair", where, s.Layer, in.Name)
					}
				}
			}
			if quants != wantQ || sum.QDQ != wantQ || casts != wantCasts || sum.Casts != wantCasts {
				t.Errorf("%s: %d Q/DQ pairs (summary %d) and %d Cast pairs (summary %d) on activations, the engine rounds %d and %d",
					where, quants, sum.QDQ, casts, sum.Casts, wantQ, wantCasts)
			}
		}
	}
}

// exportTo exports model in cfg and writes it under dir.
func exportTo(t *testing.T, dir, model string, cfg engine.Config, opts Options) (string, *onnx.Model, *Summary, *graph.Graph) {
	t.Helper()
	g, src, calib := setup(t, model)
	opts.Calib = calib
	m, sum, err := QDQ(src, g, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, model+".onnx")
	if err := onnx.WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	return path, m, sum, g
}

func initializers(m *onnx.Model) map[string]*onnx.Tensor {
	in := map[string]*onnx.Tensor{}
	for _, t := range m.Graph.Initializers {
		in[t.Name] = t
	}
	return in
}

func producers(m *onnx.Model) map[string]*onnx.Node {
	p := map[string]*onnx.Node{}
	for _, n := range m.Graph.Nodes {
		for _, o := range n.Outputs {
			p[o] = n
		}
	}
	return p
}

// The exported file, read back from its bytes: every int8/int4 layer reads
// its input through QuantizeLinear -> DequantizeLinear with aiq's scale and
// zero point of that tensor, and INT8/INT4 weights whose dequantized values
// are the model's weights within half a step (or clipped by the MSE
// search); fp16 layers read FLOAT16 weights and binary16-rounded inputs;
// fp32 layers are the source nodes.
func TestExportStructure(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		model, config string
		opset         int64
	}{
		{"resnet20", "int8", 13},
		{"resnet20", "resnet20-mixed-fp16.json", 21},
		{"mobilenetv2", "mobilenetv2-ai.json", 21},
	} {
		cfg := configsOf(t, c.model)[c.config]
		path, _, sum, g := exportTo(t, dir, c.model, cfg, Options{})
		_, _, calib := setup(t, c.model)
		m, err := onnx.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if m.Opsets[""] != c.opset || sum.Opset != c.opset {
			t.Errorf("%s %s: opset %d (summary %d), want %d", c.model, c.config, m.Opsets[""], sum.Opset, c.opset)
		}
		if _, err := graph.FromONNX(m, 1); err != nil {
			t.Errorf("%s %s: the exported model does not import: %v", c.model, c.config, err)
		}
		inits, prod := initializers(m), producers(m)
		nodes := map[string]*onnx.Node{}
		for _, n := range m.Graph.Nodes {
			nodes[n.Name] = n
		}
		scalar := func(name string) *onnx.Tensor {
			t := inits[name]
			if t == nil || t.Len() != 1 {
				return nil
			}
			return t
		}
		for _, l := range g.Layers() {
			f := cfg.Format(l.Name)
			n := nodes[l.Name]
			if n == nil {
				t.Fatalf("%s %s: no node %q", c.model, c.config, l.Name)
			}
			w := g.Value(l.Node.Inputs[1])
			where := fmt.Sprintf("%s %s: layer %s (%v)", c.model, c.config, l.Name, f)
			switch f {
			case kernels.FP32:
				if n.Inputs[1] != l.Node.Inputs[1] {
					t.Errorf("%s: weights %q, want the source's %q", where, n.Inputs[1], l.Node.Inputs[1])
				}
			case kernels.FP16:
				cast := prod[n.Inputs[1]]
				if cast == nil || cast.OpType != "Cast" || inits[cast.Inputs[0]] == nil || inits[cast.Inputs[0]].DataType != onnx.Float16 {
					t.Errorf("%s: weights are not FLOAT16 through a Cast", where)
				}
				in := prod[n.Inputs[0]]
				if in == nil || in.OpType != "Cast" || in.Attr("to").I != int64(onnx.Float) ||
					prod[in.Inputs[0]] == nil || prod[in.Inputs[0]].Attr("to").I != int64(onnx.Float16) {
					t.Errorf("%s: input is not rounded to binary16 by a Cast pair", where)
				}
			case kernels.Int8, kernels.Int4:
				dq := prod[n.Inputs[0]]
				if dq == nil || dq.OpType != "DequantizeLinear" || prod[dq.Inputs[0]] == nil || prod[dq.Inputs[0]].OpType != "QuantizeLinear" {
					t.Errorf("%s: input is not Q -> DQ", where)
					continue
				}
				// The range of the tensor the layer reads, or of the tensor a
				// Slice/Pad copied it from.
				src := l.Node.Inputs[0]
				for p := producerIn(g, src); p != nil && (p.Op == "Slice" || p.Op == "Pad"); p = producerIn(g, src) {
					src = p.Inputs[0]
				}
				want := calib.Ranges[src].Quant()
				s, z := scalar(dq.Inputs[1]), scalar(dq.Inputs[2])
				if s == nil || z == nil || s.Floats[0] != want.Scale || z.DataType != onnx.Uint8 || z.Ints[0] != int64(want.Zero) {
					t.Errorf("%s: input quantization %v %v, want aiq's scale %v zero %d of %q", where, s, z, want.Scale, want.Zero, src)
				}
				wdq := prod[n.Inputs[1]]
				if wdq == nil || wdq.OpType != "DequantizeLinear" {
					t.Errorf("%s: weights are not dequantized", where)
					continue
				}
				qt, st := inits[wdq.Inputs[0]], inits[wdq.Inputs[1]]
				wantDT, qmax := onnx.Int8, 127.0
				if f == kernels.Int4 {
					wantDT, qmax = onnx.Int4, 7
				}
				if qt == nil || st == nil || qt.DataType != wantDT || !slices.Equal(qt.Dims, onnxDims(g, l.Node)) || len(st.Floats) != int(qt.Dims[0]) {
					t.Errorf("%s: weight initializers %v %v", where, qt, st)
					continue
				}
				per := len(qt.Ints) / len(st.Floats)
				for i, q := range qt.Ints {
					s := float64(st.Floats[i/per])
					v := float64(w.F[i])
					if l.Op == "Gemm" && l.Node.Gemm.Alpha != 1 {
						v *= float64(l.Node.Gemm.Alpha)
					}
					clipped := math.Abs(float64(q)) >= qmax && math.Abs(v) >= qmax*s
					if d := math.Abs(float64(q)*s - v); d > s/2*(1+1e-5)+1e-12 && !clipped {
						t.Errorf("%s: weight %d = %v dequantizes to %d*%v", where, i, v, q, s)
						break
					}
				}
			}
		}
		if strings.Contains(c.config, "mixed") && sum.Casts == 0 {
			t.Errorf("%s %s: no fp16 Cast pairs", c.model, c.config)
		}
	}
}

// Equal inputs give equal files, and the source model is left as it was.
func TestExportDeterministic(t *testing.T) {
	g, src, calib := setup(t, "mobilenetv2")
	before, err := onnx.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	cfg := configsOf(t, "mobilenetv2")["mobilenetv2-mixed-fp16.json"]
	var files [][]byte
	for range 2 {
		m, _, err := QDQ(src, g, cfg, Options{Calib: calib, BiasCorrection: true})
		if err != nil {
			t.Fatal(err)
		}
		b, err := onnx.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !slices.Equal(files[0], files[1]) {
		t.Error("two exports of the same input differ")
	}
	if after, _ := onnx.Marshal(src); !slices.Equal(before, after) {
		t.Error("the export changed the source model")
	}
}

// The reference interpreter runs the exported int8 ResNet-20 (its Q/DQ
// nodes included) and predicts what aiq's engine predicts.
func TestExportReference(t *testing.T) {
	const n = 64
	path, _, _, g := exportTo(t, t.TempDir(), "resnet20", engine.Uniform(kernels.Int8), Options{})
	_, _, calib := setup(t, "resnet20")
	rg, err := graph.Load(path, n)
	if err != nil {
		t.Fatal(err)
	}
	set, err := dataset.Open(testData)
	if err != nil {
		t.Skip(err)
	}
	x := make([]float32, n*set.ImageSize())
	if err := set.Images(0, n, x); err != nil {
		t.Fatal(err)
	}
	y, err := graph.Reference(rg, x)
	if err != nil {
		t.Fatal(err)
	}
	em, err := engine.Compile(g, engine.Uniform(kernels.Int8), engine.Options{Batch: n, Calib: calib})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	pred, err := engine.Predict(em, set, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for i := range n {
		if argmax(y[i*10:(i+1)*10]) != pred[i] {
			differ++
		}
	}
	if differ > 1 {
		t.Errorf("reference predictions differ from aiq's on %d of %d images", differ, n)
	}
}

func argmax(v []float32) int {
	b := 0
	for i := range v {
		if v[i] > v[b] {
			b = i
		}
	}
	return b
}

func producerIn(g *graph.Graph, v string) *graph.Node {
	for _, n := range g.Nodes {
		if slices.Contains(n.Outputs, v) {
			return n
		}
	}
	return nil
}

// int4 groups of 16 input channels become DequantizeLinear blocks along
// the input-channel axis whose values are the engine's dequantized weights;
// a layer whose groups span kernel taps (3 input channels) gets those
// values in float32.
func TestExportInt4Blocks(t *testing.T) {
	const group = 16
	g, src, calib := setup(t, "resnet20")
	opts := Options{Calib: calib, Int4Group: group}
	m, sum, err := QDQ(src, g, engine.Uniform(kernels.Int4), opts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Opsets[""] != 21 || m.IRVersion < 10 {
		t.Errorf("opset %d IR %d, want 21 and >= 10", m.Opsets[""], m.IRVersion)
	}
	inits, prod := initializers(m), producers(m)
	checked := 0
	for i, l := range g.Layers() {
		var n *onnx.Node
		for _, x := range m.Graph.Nodes {
			if x.Name == l.Name {
				n = x
			}
		}
		lw, err := weightsOf(g, l.Node)
		if err != nil {
			t.Fatal(err)
		}
		qw, _, err := lw.quantize(kernels.Int4, opts)
		if err != nil {
			t.Fatal(err)
		}
		want := quant.Dequantize(qw) // K x N, K = (ky, kx, ci)
		if l.Op != "Conv" {
			continue
		}
		if l.Cin%group != 0 {
			w := inits[n.Inputs[1]]
			if w == nil || w.DataType != onnx.Float || !strings.Contains(sum.Layers[i].Weights, "float32") {
				t.Errorf("layer %s (%d input channels): weights %v, %q; want float32", l.Name, l.Cin, w, sum.Layers[i].Weights)
			}
			continue
		}
		dq := prod[n.Inputs[1]]
		if dq == nil || dq.OpType != "DequantizeLinear" || dq.Attr("block_size") == nil || dq.Attr("block_size").I != group || dq.Attr("axis").I != 1 {
			t.Fatalf("layer %s: weights not blocked by %d along axis 1: %+v", l.Name, group, dq)
		}
		q, s := inits[dq.Inputs[0]], inits[dq.Inputs[1]]
		cb := l.Cin / group
		if q.DataType != onnx.Int4 || !slices.Equal(s.Dims, []int64{int64(l.Cout), int64(cb), int64(l.KH), int64(l.KW)}) {
			t.Fatalf("layer %s: weights %v scales %v", l.Name, q.DataType, s.Dims)
		}
		for o := 0; o < l.Cout; o++ {
			for ci := 0; ci < l.Cin; ci++ {
				for ky := 0; ky < l.KH; ky++ {
					for kx := 0; kx < l.KW; kx++ {
						got := float32(q.Ints[((o*l.Cin+ci)*l.KH+ky)*l.KW+kx]) * s.Floats[((o*cb+ci/group)*l.KH+ky)*l.KW+kx]
						if w := want[((ky*l.KW+kx)*l.Cin+ci)*l.Cout+o]; got != w {
							t.Fatalf("layer %s: weight [%d %d %d %d] dequantizes to %v, the engine's is %v", l.Name, o, ci, ky, kx, got, w)
						}
					}
				}
			}
		}
		checked++
	}
	if checked == 0 {
		t.Error("no blocked layer checked")
	}
}

// A BatchNormalization the importer folds into the Conv before it is gone
// from the export: the Conv writes its output with the folded weights, and
// the exported model predicts what the engine predicts on the same model.
func TestExportFoldedBatchNorm(t *testing.T) {
	const conv, n = "/net/layer1/layer1.0/conv1/Conv", 32
	data, err := os.ReadFile("../models/resnet20.onnx")
	if err != nil {
		t.Skip(err)
	}
	m, err := onnx.Parse(data, "resnet20.onnx")
	if err != nil {
		t.Fatal(err)
	}
	var cv *onnx.Node
	for _, x := range m.Graph.Nodes {
		if x.Name == conv {
			cv = x
		}
	}
	out := cv.Outputs[0]
	cv.Outputs[0] = out + "_before_bn"
	c := 16
	param := func(name string, v func(i int) float32) string {
		f := make([]float32, c)
		for i := range f {
			f[i] = v(i)
		}
		m.Graph.Initializers = append(m.Graph.Initializers, &onnx.Tensor{Name: name, DataType: onnx.Float, Dims: []int64{int64(c)}, Floats: f})
		return name
	}
	bn := &onnx.Node{Name: "bn", OpType: "BatchNormalization", Outputs: []string{out}, Inputs: []string{cv.Outputs[0],
		param("bn.gamma", func(i int) float32 { return 1 + float32(i%3)/4 }), param("bn.beta", func(i int) float32 { return float32(i%5) / 20 }),
		param("bn.mean", func(i int) float32 { return float32(i%4) / 10 }), param("bn.var", func(i int) float32 { return 0.5 + float32(i%2) })},
		Attrs: []*onnx.Attribute{{Name: "epsilon", Type: onnx.AttrFloat, F: 1e-5}}}
	i := slices.Index(m.Graph.Nodes, cv)
	m.Graph.Nodes = slices.Insert(m.Graph.Nodes, i+1, bn)
	withBN, err := onnx.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := onnx.Parse(withBN, "bn.onnx")
	imp, _ := onnx.Parse(withBN, "bn.onnx")
	g, err := graph.FromONNX(imp, n)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := dataset.Open(calibData)
	if err != nil {
		t.Skip(err)
	}
	calib, err := engine.Calibrate(g, cs, 0, 64, quant.MinMax, engine.Options{Batch: n})
	if err != nil {
		t.Fatal(err)
	}
	cfg := engine.Uniform(kernels.Int8)
	x, _, err := QDQ(src, g, cfg, Options{Calib: calib})
	if err != nil {
		t.Fatal(err)
	}
	for _, nd := range x.Graph.Nodes {
		if nd.OpType == "BatchNormalization" {
			t.Fatal("the export kept the BatchNormalization")
		}
		if nd.Name == conv && nd.Outputs[0] != out {
			t.Errorf("the Conv writes %q, want the BatchNormalization's output %q", nd.Outputs[0], out)
		}
	}
	b, err := onnx.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	xm, err := onnx.Parse(b, "export.onnx")
	if err != nil {
		t.Fatal(err)
	}
	rg, err := graph.FromONNX(xm, n)
	if err != nil {
		t.Fatal(err)
	}
	set, err := dataset.Open(testData)
	if err != nil {
		t.Skip(err)
	}
	img := make([]float32, n*set.ImageSize())
	if err := set.Images(0, n, img); err != nil {
		t.Fatal(err)
	}
	y, err := graph.Reference(rg, img)
	if err != nil {
		t.Fatal(err)
	}
	em, err := engine.Compile(g, cfg, engine.Options{Batch: n, Calib: calib})
	if err != nil {
		t.Fatal(err)
	}
	defer em.Close()
	pred, err := engine.Predict(em, set, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for i := range n {
		if argmax(y[i*10:(i+1)*10]) != pred[i] {
			differ++
		}
	}
	if differ > 1 {
		t.Errorf("the export predicts otherwise than the engine on %d of %d images", differ, n)
	}
}

// Unnamed nodes are found by the names the importer gives them.
func TestExportUnnamedNodes(t *testing.T) {
	data, err := os.ReadFile("../models/resnet20.onnx")
	if err != nil {
		t.Skip(err)
	}
	m, err := onnx.Parse(data, "resnet20.onnx")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range m.Graph.Nodes {
		n.Name = ""
	}
	b, err := onnx.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := onnx.Parse(b, "unnamed.onnx")
	imp, _ := onnx.Parse(b, "unnamed.onnx")
	g, err := graph.FromONNX(imp, 16)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := dataset.Open(calibData)
	if err != nil {
		t.Skip(err)
	}
	calib, err := engine.Calibrate(g, cs, 0, 16, quant.MinMax, engine.Options{Batch: 16})
	if err != nil {
		t.Fatal(err)
	}
	x, sum, err := QDQ(src, g, engine.Uniform(kernels.Int8), Options{Calib: calib})
	if err != nil {
		t.Fatal(err)
	}
	prod := producers(x)
	convs := 0
	for _, n := range x.Graph.Nodes {
		if n.OpType == "Conv" || n.OpType == "Gemm" {
			convs++
			if p := prod[n.Inputs[0]]; p == nil || p.OpType != "DequantizeLinear" {
				t.Errorf("%s reads %q, not a dequantized value", n.OpType, n.Inputs[0])
			}
			if p := prod[n.Inputs[1]]; p == nil || p.OpType != "DequantizeLinear" {
				t.Errorf("%s weights %q are not dequantized", n.OpType, n.Inputs[1])
			}
		}
	}
	if convs != 20 || len(sum.Layers) != 20 {
		t.Errorf("%d compute nodes, %d layers exported; want 20", convs, len(sum.Layers))
	}
}
