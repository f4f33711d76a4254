package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/onnx"
)

// model builds an onnx.Model with one float input "x" of shape dims
// (dims[0] < 0 is the batch) and output "y".
func model(dims []int64, inits []*onnx.Tensor, nodes ...*onnx.Node) *onnx.Model {
	return &onnx.Model{Opsets: map[string]int64{"": 13}, Graph: &onnx.Graph{
		Nodes:        nodes,
		Initializers: inits,
		Inputs:       []*onnx.ValueInfo{{Name: "x", ElemType: onnx.Float, Dims: dims, HasShape: true, DimParams: make([]string, len(dims))}},
		Outputs:      []*onnx.ValueInfo{{Name: "y"}},
	}}
}

func node(op string, in, out []string, attrs ...*onnx.Attribute) *onnx.Node {
	return &onnx.Node{Name: "n_" + op, OpType: op, Inputs: in, Outputs: out, Attrs: attrs}
}

func intsAttr(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func iattr(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

func ftensor(name string, dims []int64, v []float32) *onnx.Tensor {
	return &onnx.Tensor{Name: name, DataType: onnx.Float, Dims: dims, Floats: v}
}

func randn(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// naiveConv is the textbook 7-loop convolution the reference must match.
func naiveConv(x []float32, xs []int, w []float32, ws []int, b []float32, c ConvParams) ([]float32, []int) {
	n, cin, h, wd := xs[0], xs[1], xs[2], xs[3]
	cout, cpg := ws[0], ws[1]
	oh := (h+c.PadT+c.PadB-(c.KH-1)*c.DilationH-1)/c.StrideH + 1
	ow := (wd+c.PadL+c.PadR-(c.KW-1)*c.DilationW-1)/c.StrideW + 1
	out := make([]float32, n*cout*oh*ow)
	opg := cout / c.Group
	for b0 := range n {
		for oc := range cout {
			g := oc / opg
			for y := range oh {
				for xx := range ow {
					var s float32
					if b != nil {
						s = b[oc]
					}
					for ic := range cpg {
						for kh := range c.KH {
							for kw := range c.KW {
								iy := y*c.StrideH + kh*c.DilationH - c.PadT
								ix := xx*c.StrideW + kw*c.DilationW - c.PadL
								if iy < 0 || iy >= h || ix < 0 || ix >= wd {
									continue
								}
								s += w[((oc*cpg+ic)*c.KH+kh)*c.KW+kw] * x[((b0*cin+g*cpg+ic)*h+iy)*wd+ix]
							}
						}
					}
					out[((b0*cout+oc)*oh+y)*ow+xx] = s
				}
			}
		}
	}
	_ = cin
	return out, []int{n, cout, oh, ow}
}

func close32(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s: index %d: got %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestConvMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		cin, cout, h, w, k, stride, pad, dil, group int
	}{
		{3, 16, 8, 8, 3, 1, 1, 1, 1}, {16, 32, 9, 7, 3, 2, 1, 1, 1}, {8, 8, 6, 6, 3, 1, 1, 1, 8},
		{8, 8, 7, 7, 3, 2, 1, 1, 8}, {4, 6, 5, 5, 1, 1, 0, 1, 2}, {3, 5, 9, 9, 5, 3, 2, 2, 1},
		{2, 2, 4, 4, 3, 1, 3, 1, 1}, {4, 8, 6, 5, 2, 2, 0, 1, 4},
	} {
		xs := []int{2, c.cin, c.h, c.w}
		ws := []int{c.cout, c.cin / c.group, c.k, c.k}
		x, w, b := randn(r, numel(xs)), randn(r, numel(ws)), randn(r, c.cout)
		m := model([]int64{-1, int64(c.cin), int64(c.h), int64(c.w)},
			[]*onnx.Tensor{ftensor("W", []int64{int64(ws[0]), int64(ws[1]), int64(ws[2]), int64(ws[3])}, w), ftensor("B", []int64{int64(c.cout)}, b)},
			node("Conv", []string{"x", "W", "B"}, []string{"y"}, intsAttr("kernel_shape", int64(c.k), int64(c.k)),
				intsAttr("strides", int64(c.stride), int64(c.stride)), intsAttr("pads", int64(c.pad), int64(c.pad), int64(c.pad), int64(c.pad)),
				intsAttr("dilations", int64(c.dil), int64(c.dil)), iattr("group", int64(c.group))))
		g, err := FromONNX(m, 2)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Reference(g, x)
		if err != nil {
			t.Fatal(err)
		}
		p := g.Nodes[0].Conv
		want, shape := naiveConv(x, xs, w, ws, b, p)
		if !slices.Equal(g.Value("y").Shape, shape) {
			t.Fatalf("%+v: shape %v, want %v", c, g.Value("y").Shape, shape)
		}
		close32(t, "conv", got, want, 1e-5)
	}
}

func TestBatchNormFoldsIntoConv(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x, w := randn(r, 2*3*5*5), randn(r, 4*3*3*3)
	gamma, beta, mean := randn(r, 4), randn(r, 4), randn(r, 4)
	vr := []float32{0.5, 1, 2, 0.1}
	m := model([]int64{-1, 3, 5, 5}, []*onnx.Tensor{ftensor("W", []int64{4, 3, 3, 3}, w),
		ftensor("g", []int64{4}, gamma), ftensor("b", []int64{4}, beta), ftensor("m", []int64{4}, mean), ftensor("v", []int64{4}, vr)},
		node("Conv", []string{"x", "W"}, []string{"c"}, intsAttr("pads", 1, 1, 1, 1)),
		node("BatchNormalization", []string{"c", "g", "b", "m", "v"}, []string{"y"}, &onnx.Attribute{Name: "epsilon", Type: onnx.AttrFloat, F: 1e-3}))
	g, err := FromONNX(m, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) != 1 || g.Nodes[0].Op != "Conv" {
		t.Fatalf("BatchNormalization not folded:\n%v", g)
	}
	got, _ := Reference(g, x)
	c, _ := naiveConv(x, []int{2, 3, 5, 5}, w, []int{4, 3, 3, 3}, nil, ConvParams{KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DilationH: 1, DilationW: 1, Group: 1})
	for i := range c {
		ch := i / 25 % 4
		c[i] = (c[i]-mean[ch])/float32(math.Sqrt(float64(vr[ch])+1e-3))*gamma[ch] + beta[ch]
	}
	close32(t, "conv+bn", got, c, 1e-4)
}

func TestUnsupportedIsNamed(t *testing.T) {
	for _, c := range []struct {
		n    *onnx.Node
		want string
	}{
		{node("LSTM", []string{"x"}, []string{"y"}), "operator not supported"},
		{node("Pad", []string{"x"}, []string{"y"}, &onnx.Attribute{Name: "mode", Type: onnx.AttrString, S: []byte("mirror")}, intsAttr("pads", 0, 0, 0, 0, 0, 0, 0, 0)), "mirror"},
		{node("Relu", []string{"x"}, []string{"y"}, iattr("bogus", 1)), "bogus"},
		{node("AveragePool", []string{"x"}, []string{"y"}, intsAttr("kernel_shape", 2, 2), iattr("storage_order", 1)), "storage_order"},
	} {
		c.n.Name = "the_node"
		_, err := FromONNX(model([]int64{1, 2, 4, 4}, nil, c.n), 1)
		if err == nil || !strings.Contains(err.Error(), "the_node") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming the_node and %q", c.n.OpType, err, c.want)
		}
	}
}

func TestPoolsGemmAndShapeOps(t *testing.T) {
	x := make([]float32, 16)
	for i := range x {
		x[i] = float32(i)
	}
	run := func(n ...*onnx.Node) []float32 {
		t.Helper()
		g, err := FromONNX(model([]int64{1, 1, 4, 4}, []*onnx.Tensor{ftensor("W", []int64{2, 4}, []float32{1, 0, 0, 0, 0, 0, 0, 2}), ftensor("C", []int64{2}, []float32{10, 20})}, n...), 1)
		if err != nil {
			t.Fatal(err)
		}
		y, err := Reference(g, x)
		if err != nil {
			t.Fatal(err)
		}
		return y
	}
	// MaxPool 2x2 stride 2 pad 1: windows clipped at the border.
	got := run(node("MaxPool", []string{"x"}, []string{"y"}, intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1)))
	close32(t, "maxpool", got, []float32{0, 2, 3, 8, 10, 11, 12, 14, 15}, 0)
	// AveragePool excluding the padding from the count.
	got = run(node("AveragePool", []string{"x"}, []string{"y"}, intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1)))
	close32(t, "avgpool", got, []float32{0, 1.5, 3, 6, 7.5, 9, 12, 13.5, 15}, 1e-6)
	got = run(node("AveragePool", []string{"x"}, []string{"y"}, intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1), iattr("count_include_pad", 1)))
	close32(t, "avgpool incl pad", got, []float32{0, 1.5 / 2, 3.0 / 4, 6.0 / 2, 7.5, 9.0 / 2, 12.0 / 4, 13.5 / 2, 15.0 / 4}, 1e-6)
	// Flatten to [4,4] then Gemm with W^T and beta 0.5: y[i] = (x[i,0] + 5, 2*x[i,3] + 10).
	got = run(node("Flatten", []string{"x"}, []string{"f"}, iattr("axis", 3)),
		node("Gemm", []string{"f", "W", "C"}, []string{"y"}, iattr("transB", 1), &onnx.Attribute{Name: "beta", Type: onnx.AttrFloat, F: 0.5}))
	close32(t, "gemm", got, []float32{5, 16, 9, 24, 13, 32, 17, 40}, 1e-6)
	// Transpose H,W then Slice every second column from 1 and Concat with itself on C.
	got = run(node("Transpose", []string{"x"}, []string{"t"}, intsAttr("perm", 0, 1, 3, 2)),
		node("Slice", []string{"t"}, []string{"s"}, intsAttr("starts", 1), intsAttr("ends", 100), intsAttr("axes", 3)),
		node("Concat", []string{"s", "s"}, []string{"y"}, iattr("axis", 1)))
	want := []float32{4, 8, 12, 5, 9, 13, 6, 10, 14, 7, 11, 15}
	close32(t, "transpose/slice/concat", got, append(slices.Clone(want), want...), 0)
}

// The ResNet option-A shortcut must fold to one strided Slice and one channel Pad.
func TestResNetShortcutFolds(t *testing.T) {
	g, err := Load("../models/resnet20.onnx", 4)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	for _, n := range g.Nodes {
		ops[n.Op]++
		switch n.Op {
		case "Slice":
			if !slices.Equal(n.Slice.Steps, []int{1, 1, 2, 2}) || !slices.Equal(n.Slice.Starts, []int{0, 0, 0, 0}) {
				t.Errorf("%s: %+v, want steps 1,1,2,2 from 0", n.Name, n.Slice)
			}
		case "Pad":
			c := g.Value(n.Inputs[0]).Shape[1]
			if !slices.Equal(n.Pad.Begin, []int{0, c / 2, 0, 0}) || !slices.Equal(n.Pad.End, []int{0, c / 2, 0, 0}) || n.Pad.Value != 0 {
				t.Errorf("%s: %+v, want channel pad %d each side", n.Name, n.Pad, c/2)
			}
		}
	}
	want := map[string]int{"ChannelAffine": 1, "Conv": 19, "Relu": 19, "Add": 9, "Slice": 2, "Pad": 2, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1}
	if len(ops) != len(want) {
		t.Errorf("ops %v, want %v", ops, want)
	}
	for op, n := range want {
		if ops[op] != n {
			t.Errorf("%d %s nodes, want %d (all: %v)", ops[op], op, n, ops)
		}
	}
	// Input normalisation: scale 1/std, bias -mean/std.
	a := g.Nodes[0]
	s, b := g.Value(a.Inputs[1]).F, g.Value(a.Inputs[2]).F
	close32(t, "affine scale", s, []float32{1 / 0.229, 1 / 0.224, 1 / 0.225}, 1e-6)
	close32(t, "affine bias", b, []float32{-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225}, 1e-6)
}

func TestLayers(t *testing.T) {
	for _, c := range []struct {
		model        string
		layers, dw   int
		macs, params int64
	}{
		{"resnet20", 20, 0, 40551040, 269034},
		{"mobilenetv2", 53, 17, 87980000, 0},
	} {
		g, err := Load("../models/"+c.model+".onnx", 64)
		if err != nil {
			t.Fatal(err)
		}
		ls := g.Layers()
		var macs, params int64
		dw := 0
		for _, l := range ls {
			macs += l.MACs
			params += l.Params
			if l.Depthwise() {
				dw++
			}
		}
		if len(ls) != c.layers || dw != c.dw {
			t.Errorf("%s: %d layers (%d depthwise), want %d (%d)", c.model, len(ls), dw, c.layers, c.dw)
		}
		// The models' published counts: 40.6M and 88.0M MACs per image.
		if d := float64(macs-c.macs) / float64(c.macs); d > 0.001 || d < -0.001 {
			t.Errorf("%s: %d MACs/image, want about %d", c.model, macs, c.macs)
		}
		if c.params != 0 && params != c.params {
			t.Errorf("%s: %d params, want %d", c.model, params, c.params)
		}
		if m, n, k := ls[0].GEMM(); m != 32*32 || n != ls[0].Cout || k != 27 {
			t.Errorf("%s: first layer GEMM %d,%d,%d", c.model, m, n, k)
		}
	}
}

// Every image's logits must not depend on the batch it ran in.
func TestBatchInvariance(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, 3*3*32*32)
	for i := range x {
		x[i] = r.Float32()
	}
	g1, err := Load("../models/resnet20.onnx", 1)
	if err != nil {
		t.Fatal(err)
	}
	g3, _ := Load("../models/resnet20.onnx", 3)
	all, err := Reference(g3, x)
	if err != nil {
		t.Fatal(err)
	}
	one, _ := Reference(g1, x[2*3072:])
	close32(t, "image 2", one, all[20:30], 0)
}
