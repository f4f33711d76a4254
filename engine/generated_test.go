package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/onnx"
	"github.com/aiq-project/aiq/quant"
)

// netBuilder writes a small ONNX model node by node, as an exporter would,
// with random weights from a fixed seed. The model goes through
// onnx.Marshal and onnx.Parse, then graph.FromONNX, the path of a file.
type netBuilder struct {
	g   *onnx.Graph
	rng *rand.Rand
	n   int
}

func newNet(c, h, w int) *netBuilder {
	b := &netBuilder{g: &onnx.Graph{Name: "generated"}, rng: rand.New(rand.NewPCG(1, 2))}
	b.g.Inputs = []*onnx.ValueInfo{{Name: "x", ElemType: onnx.Float, HasShape: true,
		Dims: []int64{-1, int64(c), int64(h), int64(w)}, DimParams: []string{"N", "", "", ""}}}
	return b
}

func (b *netBuilder) name(prefix string) string {
	b.n++
	return fmt.Sprintf("%s%d", prefix, b.n)
}

// constF adds a float initializer of dims; nil data is random in [-1, 1).
func (b *netBuilder) constF(dims []int64, data []float32) string {
	if data == nil {
		n := 1
		for _, d := range dims {
			n *= int(d)
		}
		data = make([]float32, n)
		for i := range data {
			data[i] = 2*b.rng.Float32() - 1
		}
	}
	name := b.name("c")
	b.g.Initializers = append(b.g.Initializers, &onnx.Tensor{Name: name, DataType: onnx.Float, Dims: dims, Floats: data})
	return name
}

func (b *netBuilder) constI(v ...int64) string {
	name := b.name("i")
	b.g.Initializers = append(b.g.Initializers, &onnx.Tensor{Name: name, DataType: onnx.Int64, Dims: []int64{int64(len(v))}, Ints: v})
	return name
}

func ints(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func intA(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

func floatA(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

// op appends a node and returns its output.
func (b *netBuilder) op(typ string, inputs []string, attrs ...*onnx.Attribute) string {
	out := b.name(strings.ToLower(typ))
	b.g.Nodes = append(b.g.Nodes, &onnx.Node{Name: out, OpType: typ, Inputs: inputs, Outputs: []string{out}, Attrs: attrs})
	return out
}

// conv is a Conv with k x k weights scaled to keep activations near 1.
func (b *netBuilder) conv(x string, cin, cout, k, stride, pad, group int) string {
	w := make([]float32, cout*cin/group*k*k)
	sc := float32(math.Sqrt(3 / float64(cin/group*k*k)))
	for i := range w {
		w[i] = (2*b.rng.Float32() - 1) * sc
	}
	wn := b.constF([]int64{int64(cout), int64(cin / group), int64(k), int64(k)}, w)
	bn := b.constF([]int64{int64(cout)}, nil)
	return b.op("Conv", []string{x, wn, bn}, ints("kernel_shape", int64(k), int64(k)),
		ints("strides", int64(stride), int64(stride)), ints("pads", int64(pad), int64(pad), int64(pad), int64(pad)),
		intA("group", int64(group)))
}

// load finishes the model with output y and imports it for batch.
func (b *netBuilder) load(t testing.TB, y string, batch int) *graph.Graph {
	t.Helper()
	b.g.Outputs = []*onnx.ValueInfo{{Name: y, ElemType: onnx.Float}}
	data, err := onnx.Marshal(&onnx.Model{IRVersion: 8, Producer: "aiq-test", Opsets: map[string]int64{"": 17}, Graph: b.g})
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.Parse(data, "generated.onnx")
	if err != nil {
		t.Fatal(err)
	}
	g, err := graph.FromONNX(m, batch)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func randImages(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n)
	for i := range x {
		x[i] = 2*r.Float32() - 1
	}
	return x
}

// fp32Tol is the fp32 bound against the reference: |engine - reference| <=
// 1e-4 * max(1, |reference|). Both sum in float32 in different orders
// (GEMM blocking against the reference's direct loops), which leaves
// errors of a few ulps of the largest partial sums.
const fp32Tol = 1e-4

// compareReference runs g (imported for batch images) in the engine with
// opts and in the reference interpreter, and checks the fp32 bound.
func compareReference(t *testing.T, g *graph.Graph, opts Options) {
	t.Helper()
	in := g.Value(g.Inputs[0])
	x := randImages(in.Len(), 3)
	want, err := graph.Reference(g, x)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(g, Config{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got, err := m.Run(x, g.Batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("engine gives %d values, reference %d", len(got), len(want))
	}
	for i := range want {
		d := math.Abs(float64(got[i] - want[i]))
		if !(d <= fp32Tol*math.Max(1, math.Abs(float64(want[i])))) {
			t.Fatalf("value %d of %d: engine %v, reference %v (output shape %v)\n%s", i, len(want), got[i], want[i],
				g.Value(g.Outputs[0]).Shape, m.Describe())
		}
	}
}

// sizes are the input planes each operator runs at: CIFAR's 32x32, and
// 224x224 (few channels, batch 2) as ImageNet models take.
var sizes = []struct{ hw, c, batch int }{{32, 8, 3}, {224, 4, 2}}

// genCase is one generated graph: build writes the nodes after input x
// (c channels of hw x hw) and returns the output.
type genCase struct {
	name  string
	build func(b *netBuilder, x string, c, hw int) string
}

var genCases = []genCase{
	{"maxpool3x3s2", func(b *netBuilder, x string, c, hw int) string {
		return b.op("MaxPool", []string{x}, ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))
	}},
	{"maxpool2x2-ceil", func(b *netBuilder, x string, c, hw int) string {
		y := b.conv(x, c, c, 3, 1, 0, 1) // odd plane
		return b.op("MaxPool", []string{y}, ints("kernel_shape", 2, 2), ints("strides", 2, 2), intA("ceil_mode", 1))
	}},
	{"avgpool3x3-pads", func(b *netBuilder, x string, c, hw int) string {
		return b.op("AveragePool", []string{x}, ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))
	}},
	{"avgpool-count-include-pad-ceil", func(b *netBuilder, x string, c, hw int) string {
		y := b.conv(x, c, c, 3, 1, 0, 1)
		return b.op("AveragePool", []string{y}, ints("kernel_shape", 3, 3), ints("strides", 2, 2),
			ints("pads", 1, 1, 1, 1), intA("count_include_pad", 1), intA("ceil_mode", 1))
	}},
	{"gap-flatten-gemm", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("GlobalAveragePool", []string{b.conv(x, c, 16, 3, 1, 1, 1)})
		f := b.op("Flatten", []string{y})
		return b.op("Gemm", []string{f, b.constF([]int64{10, 16}, nil), b.constF([]int64{10}, nil)}, intA("transB", 1))
	}},
	{"matmul", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("GlobalAveragePool", []string{x})
		f := b.op("Reshape", []string{y, b.constI(0, -1)})
		return b.op("MatMul", []string{f, b.constF([]int64{int64(c), 5}, nil)})
	}},
	{"concat", func(b *netBuilder, x string, c, hw int) string {
		y := b.conv(x, c, 6, 1, 1, 0, 1)
		return b.op("Concat", []string{x, y, b.conv(x, c, 2, 3, 1, 1, 1)}, intA("axis", 1))
	}},
	{"clip", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("Clip", []string{b.conv(x, c, c, 3, 1, 1, 1), b.constF(nil, []float32{-0.3}), b.constF(nil, []float32{0.7})})
		return b.op("Clip", []string{y, b.constF(nil, []float32{0}), b.constF(nil, []float32{6})}) // a Relu6 step
	}},
	{"mul-same-shape", func(b *netBuilder, x string, c, hw int) string {
		return b.op("Mul", []string{b.conv(x, c, c, 3, 1, 1, 1), b.conv(x, c, c, 1, 1, 0, 1)})
	}},
	{"grouped-conv", func(b *netBuilder, x string, c, hw int) string {
		y := b.conv(x, c, 2*c, 3, 2, 1, 2)                               // 2 groups, 3x3 stride 2
		y = b.op("Relu", []string{b.conv(y, 2*c, 2*c, 1, 1, 0, 4)})      // 4 groups, 1x1 (no im2col)
		return b.op("Add", []string{y, b.conv(y, 2*c, 2*c, 3, 1, 1, 2)}) // residual fused
	}},
	{"depthwise-5x5-and-uneven", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("Relu", []string{b.conv(x, c, c, 5, 2, 2, c)})
		w := b.constF([]int64{int64(c), 1, 3, 3}, nil)
		// TF-style SAME stride 2: pads 0 before, 1 after.
		return b.op("Conv", []string{y, w}, ints("kernel_shape", 3, 3), ints("strides", 2, 2),
			ints("pads", 0, 0, 1, 1), intA("group", int64(c)))
	}},
	{"channel-shuffle", func(b *netBuilder, x string, c, hw int) string {
		y := b.conv(x, c, 2*c, 1, 1, 0, 2)
		s := b.op("Reshape", []string{y, b.constI(0, 2, int64(c), int64(hw), int64(hw))})
		s = b.op("Transpose", []string{s}, ints("perm", 0, 2, 1, 3, 4))
		s = b.op("Reshape", []string{s, b.constI(0, -1, int64(hw), int64(hw))})
		return b.conv(s, 2*c, c, 3, 1, 1, 2)
	}},
	{"transpose-hw", func(b *netBuilder, x string, c, hw int) string {
		return b.op("Transpose", []string{b.conv(x, c, c, 3, 2, 1, 1)}, ints("perm", 0, 1, 3, 2))
	}},
	{"space-to-depth-6d", func(b *netBuilder, x string, c, hw int) string {
		// [N,C,H,W] -> [N,C,H/2,2,W/2,2] -> [N,2,2,C,H/2,W/2] -> [N,4C,H/2,W/2]
		h := int64(hw / 2)
		y := b.op("Reshape", []string{x, b.constI(0, int64(c), h, 2, h, 2)})
		y = b.op("Transpose", []string{y}, ints("perm", 0, 3, 5, 1, 2, 4))
		y = b.op("Reshape", []string{y, b.constI(0, int64(4*c), h, h)})
		return b.conv(y, 4*c, c, 3, 1, 1, 1)
	}},
	{"transpose-nhwc-softmax-back", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("Transpose", []string{b.conv(x, c, c, 3, 1, 1, 1)}, ints("perm", 0, 2, 3, 1))
		y = b.op("Softmax", []string{y}, intA("axis", 1)) // over H of NCHW: a plain [N,C',H',W'] to the engine
		return b.op("Transpose", []string{y}, ints("perm", 0, 3, 1, 2))
	}},
	{"flatten-spatial-gemm", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("MaxPool", []string{b.conv(x, c, 4, 3, 2, 1, 1)}, ints("kernel_shape", 2, 2), ints("strides", 2, 2))
		f := b.op("Flatten", []string{y})
		k := int64(4 * (hw / 4) * (hw / 4))
		return b.op("Gemm", []string{f, b.constF([]int64{k, 10}, nil), b.constF([]int64{10}, nil)}, floatA("alpha", 0.5), floatA("beta", 2))
	}},
	{"pad-modes", func(b *netBuilder, x string, c, hw int) string {
		mode := func(m string) *onnx.Attribute {
			return &onnx.Attribute{Name: "mode", Type: onnx.AttrString, S: []byte(m)}
		}
		y := b.op("Pad", []string{x, b.constI(0, 0, 2, 1, 0, 0, 1, 3)}, mode("reflect"))
		y = b.op("Pad", []string{b.conv(y, c, c, 3, 1, 0, 1), b.constI(0, 1, 1, 0, 0, 2, 0, 2)}, mode("edge"))
		y = b.op("Pad", []string{y, b.constI(0, 0, 3, 1, 0, 0, 0, 2)}, mode("wrap"))
		return b.op("Pad", []string{y, b.constI(0, 0, -1, 0, 0, 0, 0, -2)}) // crops
	}},
	{"conv-same-upper-dilated-strided-1x1", func(b *netBuilder, x string, c, hw int) string {
		w := b.constF([]int64{8, int64(c), 3, 3}, nil)
		y := b.op("Conv", []string{x, w}, ints("strides", 2, 2), &onnx.Attribute{Name: "auto_pad", Type: onnx.AttrString, S: []byte("SAME_UPPER")})
		w = b.constF([]int64{8, 8, 3, 3}, nil)
		y = b.op("Conv", []string{y, w}, ints("dilations", 2, 2), ints("pads", 2, 1, 2, 3))
		return b.conv(y, 8, 4, 1, 2, 0, 1)
	}},
	{"batchnorm-unfolded", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("MaxPool", []string{x}, ints("kernel_shape", 2, 2), ints("strides", 2, 2))
		vr := make([]float32, c)
		for i := range vr {
			vr[i] = 0.5 + float32(i)
		}
		cd := []int64{int64(c)}
		return b.op("BatchNormalization", []string{y, b.constF(cd, nil), b.constF(cd, nil), b.constF(cd, nil), b.constF(cd, vr)})
	}},
}

// TestGeneratedOps runs each generated graph in the engine and in the
// reference interpreter at 32x32 and 224x224.
func TestGeneratedOps(t *testing.T) {
	for _, tc := range genCases {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%d", tc.name, sz.hw), func(t *testing.T) {
				b := newNet(sz.c, sz.hw, sz.hw)
				g := b.load(t, tc.build(b, "x", sz.c, sz.hw), sz.batch)
				compareReference(t, g, Options{Batch: sz.batch, Threads: 2})
			})
		}
	}
}

// Cases whose operators the reference interpreter gained with their import
// (activations of MobileNetV3/EfficientNet, ReduceMean).
var genCasesV3 = []genCase{
	{"softmax-channels", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("Softmax", []string{b.conv(x, c, 6, 3, 2, 1, 1)}, intA("axis", 1))
		return b.op("Softmax", []string{b.op("Flatten", []string{b.op("GlobalAveragePool", []string{y})})}, intA("axis", -1))
	}},
	{"sigmoid-swish", func(b *netBuilder, x string, c, hw int) string {
		y := b.conv(x, c, c, 3, 1, 1, 1)
		return b.op("Mul", []string{y, b.op("Sigmoid", []string{y})})
	}},
	{"hardsigmoid-attrs", func(b *netBuilder, x string, c, hw int) string {
		return b.op("HardSigmoid", []string{b.conv(x, c, c, 3, 1, 1, 1)}, floatA("alpha", 0.3), floatA("beta", 0.4))
	}},
	{"reducemean-keepdims", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("ReduceMean", []string{b.conv(x, c, c, 3, 1, 1, 1)}, ints("axes", 2, 3), intA("keepdims", 1))
		return b.op("Mul", []string{x, y}) // back over the plane
	}},
	{"reducemean-no-keepdims", func(b *netBuilder, x string, c, hw int) string {
		y := b.op("ReduceMean", []string{b.conv(x, c, c, 3, 1, 1, 1)}, ints("axes", -1, -2), intA("keepdims", 0))
		return b.op("Gemm", []string{y, b.constF([]int64{int64(c), 4}, nil)})
	}},
	{"se-dense-reshape", func(b *netBuilder, x string, c, hw int) string {
		// Keras-style squeeze-excitation: mean -> Dense layers -> back to
		// [N,C,1,1] (Unsqueeze, Reshape) -> Mul; then a broadcast Add + Relu.
		y := b.conv(x, c, c, 3, 1, 1, 1)
		s := b.op("ReduceMean", []string{y}, ints("axes", 2, 3), intA("keepdims", 0))
		s = b.op("Relu", []string{b.op("Gemm", []string{s, b.constF([]int64{int64(c), 4}, nil)})})
		s = b.op("Sigmoid", []string{b.op("MatMul", []string{s, b.constF([]int64{4, int64(c)}, nil)})})
		u := b.op("Unsqueeze", []string{s, b.constI(2, 3)})
		r := b.op("Reshape", []string{s, b.constI(-1, int64(c), 1, 1)})
		y = b.op("Mul", []string{u, y})
		return b.op("Relu", []string{b.op("Add", []string{y, r})})
	}},
	{"mobilenetv3-block", mobileNetV3Block},
	{"shufflenet-unit", shuffleNetUnit},
}

// mobileNetV3Block is an inverted residual of MobileNetV3: 1x1 expand ->
// HardSwish -> 5x5 depthwise -> squeeze-excitation (GAP -> 1x1 -> ReLU ->
// 1x1 -> HardSigmoid -> Mul) -> HardSwish -> 1x1 project + residual.
func mobileNetV3Block(b *netBuilder, x string, c, hw int) string {
	e := 3 * c
	y := b.op("HardSwish", []string{b.conv(x, c, e, 1, 1, 0, 1)})
	y = b.conv(y, e, e, 5, 1, 2, e)
	s := b.op("GlobalAveragePool", []string{y})
	s = b.op("Relu", []string{b.conv(s, e, c, 1, 1, 0, 1)})
	s = b.op("HardSigmoid", []string{b.conv(s, c, e, 1, 1, 0, 1)}, floatA("alpha", 1./6), floatA("beta", 0.5))
	y = b.op("HardSwish", []string{b.op("Mul", []string{y, s})})
	return b.op("Add", []string{b.conv(y, e, c, 1, 1, 0, 1), x})
}

// shuffleNetUnit is a ShuffleNet (v1) unit: grouped 1x1 -> channel
// shuffle -> 3x3 depthwise -> grouped 1x1, added to the input, then a
// stride-2 unit whose shortcut is an average pool concatenated.
func shuffleNetUnit(b *netBuilder, x string, c, hw int) string {
	const groups = 2
	y := b.op("Relu", []string{b.conv(x, c, 2*c, 1, 1, 0, groups)})
	y = b.op("Reshape", []string{y, b.constI(0, groups, int64(2*c/groups), int64(hw), int64(hw))})
	y = b.op("Transpose", []string{y}, ints("perm", 0, 2, 1, 3, 4))
	y = b.op("Reshape", []string{y, b.constI(0, int64(2*c), int64(hw), int64(hw))})
	y = b.conv(y, 2*c, 2*c, 3, 1, 1, 2*c)
	y = b.op("Relu", []string{b.op("Add", []string{b.conv(y, 2*c, c, 1, 1, 0, groups), x})})
	z := b.conv(b.conv(y, c, c, 1, 1, 0, groups), c, c, 3, 2, 1, c)
	p := b.op("AveragePool", []string{y}, ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))
	return b.op("Relu", []string{b.op("Concat", []string{p, z}, intA("axis", 1))})
}

func TestGeneratedOpsV3(t *testing.T) {
	for _, tc := range genCasesV3 {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%d", tc.name, sz.hw), func(t *testing.T) {
				b := newNet(sz.c, sz.hw, sz.hw)
				g := b.load(t, tc.build(b, "x", sz.c, sz.hw), sz.batch)
				compareReference(t, g, Options{Batch: sz.batch, Threads: 2})
			})
		}
	}
	// Batch 1 on two threads: the split inside the layers.
	b := newNet(8, 32, 32)
	compareReference(t, b.load(t, mobileNetV3Block(b, "x", 8, 32), 1), Options{Batch: 1, Threads: 2})
}

// TestGeneratedInt8 calibrates a generated network with the new operators
// on random images and checks that int8, fp16 and int4 plans run and stay
// near fp32: relative RMS error of the outputs below 0.1 for int8, 0.01
// for fp16 and 0.5 for int4 (loose: a check that every step reads and
// writes the right storage, not an accuracy claim).
func TestGeneratedInt8(t *testing.T) {
	b := newNet(3, 32, 32)
	y := b.op("HardSwish", []string{b.conv("x", 3, 16, 3, 1, 1, 1)})
	y = b.op("MaxPool", []string{y}, ints("kernel_shape", 3, 3), ints("strides", 1, 1), ints("pads", 1, 1, 1, 1))
	y = mobileNetV3Block(b, y, 16, 32)
	y = shuffleNetUnit(b, y, 16, 32)
	y = b.op("Relu", []string{b.conv(y, 32, 32, 3, 1, 1, 4)})
	y = b.op("Flatten", []string{b.op("GlobalAveragePool", []string{y})})
	g := b.load(t, b.op("Gemm", []string{y, b.constF([]int64{32, 10}, nil)}), 1)

	r := rand.New(rand.NewPCG(5, 6))
	records := make([]byte, 96*(1+3*32*32))
	for i := range records {
		records[i] = byte(r.IntN(256))
	}
	for i := 0; i < len(records); i += 1 + 3*32*32 {
		records[i] = byte(r.IntN(10)) // the label
	}
	set, err := dataset.ParseCIFAR(records, "random")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Batch: 16, Threads: 2}
	calib, err := Calibrate(g, set, 0, 64, quant.MinMax, opts)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 32*set.ImageSize())
	if err := set.Images(64, 32, x); err != nil {
		t.Fatal(err)
	}
	run := func(cfg Config) []float32 {
		o := opts
		o.Calib = calib
		m, err := Compile(g, cfg, o)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		y, err := m.Run(x, 32)
		if err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), y...)
	}
	ref := run(Config{})
	// Between int8 layers a channel shuffle moves uint8 codes: no
	// conversion pass before or after it.
	o := opts
	o.Calib = calib
	steps, err := Plan(g, Uniform(kernels.Int8), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if strings.HasPrefix(st.Describe, "channel-permute") && (st.In != "u8" || st.Out != "u8") {
			t.Errorf("int8 plan: %s reads %s and writes %s, want u8", st.Describe, st.In, st.Out)
		}
	}
	// A Concat between int8 layers reads and writes uint8 (requantizing).
	cb := newNet(3, 32, 32)
	y = cb.op("Relu", []string{cb.conv("x", 3, 8, 3, 1, 1, 1)})
	y = cb.op("Concat", []string{cb.conv(y, 8, 4, 1, 1, 0, 1), cb.conv(y, 8, 6, 3, 1, 1, 2)}, intA("axis", 1))
	cg := cb.load(t, cb.op("Flatten", []string{cb.op("GlobalAveragePool", []string{cb.conv(y, 10, 8, 3, 2, 1, 1)})}), 1)
	ccal, err := Calibrate(cg, set, 0, 16, quant.MinMax, opts)
	if err != nil {
		t.Fatal(err)
	}
	o.Calib = ccal
	if steps, err = Plan(cg, Uniform(kernels.Int8), o); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if st.Kind == KindConvert && !strings.HasPrefix(st.Describe, "convert x(") ||
			strings.HasPrefix(st.Describe, "concat") && strings.Count(st.Describe, "(u8)") != 3 {
			t.Errorf("int8 plan around a Concat: %s", st.Describe)
		}
	}
	if rel := relRMS(t, cg, Uniform(kernels.Int8), o, x); !(rel < 0.1) {
		t.Errorf("int8 around a Concat: relative RMS error against fp32 %.4f, want < 0.1", rel)
	}
	for _, c := range []struct {
		f     kernels.Format
		bc    bool // bias correction
		bound float64
	}{{kernels.Int8, false, 0.1}, {kernels.Int8, true, 0.1}, {kernels.FP16, false, 0.01}, {kernels.Int4, false, 0.5}} {
		opts.BiasCorrection = c.bc
		got := run(Uniform(c.f))
		var num, den float64
		for i := range ref {
			d := float64(got[i] - ref[i])
			num += d * d
			den += float64(ref[i]) * float64(ref[i])
		}
		rel := math.Sqrt(num / den)
		t.Logf("%v (bias correction %v): relative RMS error against fp32 %.4f", c.f, c.bc, rel)
		if testing.Verbose() {
			t.Log(describe(g, Uniform(c.f), calib))
		}
		if !(rel < c.bound) {
			t.Errorf("%v: relative RMS error against fp32 %.4f, want < %v", c.f, rel, c.bound)
		}
	}
}

// TestGeneratedUnsupported checks that an operator form the engine does
// not run is a one-line error naming the node and the op.
func TestGeneratedUnsupported(t *testing.T) {
	cases := []struct {
		name  string
		build func(b *netBuilder) string
		want  string
	}{
		{"softmax-axis2", func(b *netBuilder) string {
			return b.op("Softmax", []string{b.conv("x", 4, 4, 3, 1, 1, 1)}, intA("axis", 2))
		}, `(Softmax): only Softmax over the channels`},
		{"mul-full-constant", func(b *netBuilder) string {
			return b.op("Mul", []string{b.conv("x", 4, 4, 3, 1, 1, 1), b.constF([]int64{1, 4, 8, 8}, nil)})
		}, `(Mul): one operand is a constant`},
		{"pad-batch", func(b *netBuilder) string {
			return b.op("Pad", []string{"x", b.constI(1, 0, 0, 0, 0, 0, 0, 0)})
		}, `(Pad): padding the batch axis is not supported`},
		{"transpose-batch", func(b *netBuilder) string {
			return b.op("Transpose", []string{b.conv("x", 4, 4, 3, 1, 1, 1)}, ints("perm", 1, 0, 2, 3))
		}, `(Transpose)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newNet(4, 8, 8)
			out := tc.build(b)
			g := b.load(t, out, 2)
			_, err := Compile(g, Config{}, Options{Batch: 2})
			if err == nil {
				t.Fatal("compiled")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, `node "`) || strings.Contains(msg, "\n") {
				t.Errorf("error %q, want one line naming the node and containing %q", msg, tc.want)
			}
		})
	}
}

// describe is the plan of cfg, for the log of a failing or verbose test.
func describe(g *graph.Graph, cfg Config, calib *quant.Calibration) string {
	m, err := Compile(g, cfg, Options{Batch: 1, Calib: calib})
	if err != nil {
		return err.Error()
	}
	defer m.Close()
	return m.Describe()
}

// TestGenerated224 runs an ImageNet-sized stem (224x224x3: conv 3x3/2 ->
// HardSwish -> 3x3 conv -> MaxPool -> MobileNetV3 block -> GAP -> Gemm)
// at batches 1..8 on one and two threads (split inside the layers, lanes,
// sub-batches) against the reference.
func TestGenerated224(t *testing.T) {
	if testing.Short() {
		t.Skip("several 224x224 reference passes")
	}
	b := newNet(3, 224, 224)
	y := b.op("HardSwish", []string{b.conv("x", 3, 8, 3, 2, 1, 1)})
	y = b.op("Relu", []string{b.conv(y, 8, 8, 3, 1, 1, 1)})
	y = b.op("MaxPool", []string{y}, ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))
	y = mobileNetV3Block(b, y, 8, 56)
	y = b.op("Flatten", []string{b.op("GlobalAveragePool", []string{y})})
	out := b.op("Gemm", []string{y, b.constF([]int64{10, 8}, nil)}, intA("transB", 1))
	for _, c := range []struct{ batch, threads, sub int }{{1, 1, 0}, {1, 2, 0}, {3, 2, 0}, {8, 2, 0}, {8, 1, 2}} {
		t.Run(fmt.Sprintf("batch%d-threads%d-sub%d", c.batch, c.threads, c.sub), func(t *testing.T) {
			g := b.load(t, out, c.batch)
			compareReference(t, g, Options{Batch: c.batch, Threads: c.threads, SubBatch: c.sub})
		})
	}
}

// TestGAPExact checks both global-average-pool paths against the scalar
// loop they replace, bit for bit, over channel counts with every tail.
func TestGAPExact(t *testing.T) {
	for _, c := range []int{1, 7, 8, 15, 16, 17, 33, 1280} {
		for _, plane := range []int{1, 16, 49} {
			x := &tensor{name: "x", c: c, h: plane, w: 1, rank: 4, f: randImages(2*c*plane, uint64(c))}
			want := make([]float32, 2*c)
			for i := range 2 {
				for p := 0; p < plane; p++ {
					for j := 0; j < c; j++ {
						want[i*c+j] += x.f[(i*plane+p)*c+j]
					}
				}
				for j := 0; j < c; j++ {
					want[i*c+j] *= 1 / float32(plane)
				}
			}
			for _, asm := range []bool{false, asmLevel()} {
				y := &tensor{name: "y", c: c, h: 1, w: 1, rank: 4, f: make([]float32, 2*c)}
				s := &gapStep{stepIO: stepIO{ins: []*tensor{x}, outs: []*tensor{y}}, asm: asm}
				s.run(nil, 2)
				for j := range want {
					if math.Float32bits(y.f[j]) != math.Float32bits(want[j]) {
						t.Fatalf("c=%d plane=%d asm=%v: value %d is %v, the scalar loop gives %v", c, plane, asm, j, y.f[j], want[j])
					}
				}
			}
		}
	}
}

// TestGeneratedRandom builds random chains of the operators above on odd
// shapes (channel counts off the vector widths, odd planes, stride 2 on
// odd sizes) and compares each with the reference.
func TestGeneratedRandom(t *testing.T) {
	seeds := 60
	if testing.Short() {
		seeds = 15
	}
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 11))
		c, hw := 1+r.IntN(12), 5+r.IntN(14)
		b := newNet(c, hw, hw)
		b.rng = rand.New(rand.NewPCG(uint64(seed), 12))
		x, h, w := "x", hw, hw
		var trail []string
		for range 3 + r.IntN(4) {
			op := r.IntN(11)
			switch {
			case op == 0 || op == 1: // conv, grouped sometimes
				k := []int{1, 3, 5}[r.IntN(3)]
				s, p := 1+r.IntN(2), r.IntN(k/2+1)
				if h+2*p < k || w+2*p < k {
					continue
				}
				g := 1
				for _, d := range []int{c, 2, 3, 4} {
					if c%d == 0 && r.IntN(2) == 0 {
						g = d
						break
					}
				}
				cout := g * (1 + r.IntN(max(1, 12/g)))
				x = b.conv(x, c, cout, k, s, p, g)
				c, h, w = cout, (h+2*p-k)/s+1, (w+2*p-k)/s+1
				if r.IntN(2) == 0 {
					x = b.op("Relu", []string{x})
				}
			case op == 2: // pools
				k, s := 2+r.IntN(2), 1+r.IntN(2)
				p := r.IntN(2)
				if h+2*p < k || w+2*p < k {
					continue
				}
				attrs := []*onnx.Attribute{ints("kernel_shape", int64(k), int64(k)), ints("strides", int64(s), int64(s)),
					ints("pads", int64(p), int64(p), int64(p), int64(p))}
				typ := "MaxPool"
				if r.IntN(2) == 0 {
					typ = "AveragePool"
					attrs = append(attrs, intA("count_include_pad", int64(r.IntN(2))))
				}
				x = b.op(typ, []string{x}, attrs...)
				h, w = (h+2*p-k)/s+1, (w+2*p-k)/s+1
			case op == 3:
				x = b.op([]string{"HardSwish", "Sigmoid", "HardSigmoid"}[r.IntN(3)], []string{x})
			case op == 4: // squeeze-excitation
				s := b.op("GlobalAveragePool", []string{x})
				s = b.op("Relu", []string{b.conv(s, c, 4, 1, 1, 0, 1)})
				s = b.op("HardSigmoid", []string{b.conv(s, 4, c, 1, 1, 0, 1)})
				x = b.op("Mul", []string{s, x})
			case op == 5 && c%2 == 0: // channel shuffle
				y := b.op("Reshape", []string{x, b.constI(0, 2, int64(c/2), int64(h), int64(w))})
				y = b.op("Transpose", []string{y}, ints("perm", 0, 2, 1, 3, 4))
				x = b.op("Reshape", []string{y, b.constI(0, -1, int64(h), int64(w))})
			case op == 6:
				y := b.conv(x, c, 3, 3, 1, 1, 1)
				x = b.op("Concat", []string{y, x}, intA("axis", 1))
				c += 3
			case op == 7:
				x = b.op("Transpose", []string{x}, ints("perm", 0, 1, 3, 2))
				h, w = w, h
			case op == 8 && h > 1 && w > 1:
				x = b.op("Pad", []string{x, b.constI(0, 0, 1, 0, 0, 0, 0, 1)},
					&onnx.Attribute{Name: "mode", Type: onnx.AttrString, S: []byte([]string{"reflect", "edge", "wrap"}[r.IntN(3)])})
				h, w = h+1, w+1
			case op == 9:
				x = b.op("Add", []string{x, b.conv(x, c, c, 3, 1, 1, 1)})
			default:
				x = b.op("Clip", []string{x, b.constF(nil, []float32{-0.5}), b.constF(nil, []float32{0.5})})
			}
			trail = append(trail, b.g.Nodes[len(b.g.Nodes)-1].OpType)
		}
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			t.Logf("%dx%dx%d: %v", c, h, w, trail)
			batch := 1 + r.IntN(3)
			compareReference(t, b.load(t, x, batch), Options{Batch: batch, Threads: 1 + r.IntN(2)})
		})
	}
}

// TestMulAddF32 checks the depthwise loop's assembly against its Go loop,
// bit for bit, over every length 0..80 and every tail, with guards after
// the output.
func TestMulAddF32(t *testing.T) {
	for n := 0; n <= 80; n++ {
		w, x := randImages(n, 1), randImages(n, 2)
		want := append(randImages(n, 3), 42)
		got := append([]float32(nil), want...)
		for i := range n {
			want[i] += w[i] * x[i]
		}
		mulAddF32(asmLevel(), got[:n], w, x)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d asm=%v: value %d is %v, want %v", n, asmLevel(), i, got[i], want[i])
			}
		}
	}
}

// relRMS is the relative RMS error of cfg's outputs against fp32's on x.
func relRMS(t *testing.T, g *graph.Graph, cfg Config, opts Options, x []float32) float64 {
	t.Helper()
	var out [2][]float32
	for i, c := range []Config{{}, cfg} {
		m, err := Compile(g, c, opts)
		if err != nil {
			t.Fatal(err)
		}
		y, err := m.Run(x, len(x)/(m.InC*m.InH*m.InW))
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = append([]float32(nil), y...)
	}
	var num, den float64
	for i := range out[0] {
		d := float64(out[1][i] - out[0][i])
		num += d * d
		den += float64(out[0][i]) * float64(out[0][i])
	}
	return math.Sqrt(num / den)
}

// TestGeneratedProfile checks that Steps and Profile cover the new steps:
// every compute layer (grouped ones included) has its step, and every
// step of a pass is timed.
func TestGeneratedProfile(t *testing.T) {
	b := newNet(8, 32, 32)
	g := b.load(t, shuffleNetUnit(b, mobileNetV3Block(b, "x", 8, 32), 8, 32), 2)
	m, err := Compile(g, Config{}, Options{Batch: 2, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	p, err := m.Profile(randImages(2*8*32*32, 4), 2)
	if err != nil {
		t.Fatal(err)
	}
	layers := map[string]bool{}
	for _, st := range p.Steps {
		if st.Layer != "" {
			if st.Kind != KindGEMM && st.Kind != KindDepthwise {
				t.Errorf("layer step %q has kind %q", st.Describe, st.Kind)
			}
			layers[st.Layer] = true
		}
	}
	for _, l := range g.Layers() {
		if !layers[l.Name] {
			t.Errorf("layer %s (group %d) has no step", l.Name, l.Group)
		}
	}
	for i, row := range p.Seconds {
		if len(row) != len(p.Steps) {
			t.Fatalf("pass %d times %d steps, plan has %d", i, len(row), len(p.Steps))
		}
		for j, s := range row {
			if !(s > 0) {
				t.Errorf("pass %d: step %q took %v s", i, p.Steps[j].Describe, s)
			}
		}
	}
}

// TestGroupedFileWeightScales: a grouped conv of a QDQ model takes the
// file's per-output-channel int8 weight scales, each group its own slice:
// with the scales the weights were made from it compiles and stays near
// fp32; with other scales it is an error naming the layer.
func TestGroupedFileWeightScales(t *testing.T) {
	const c, groups = 8, 2
	b := newNet(c, 16, 16)
	r := rand.New(rand.NewPCG(9, 9))
	scales := make([]float32, c)
	w := make([]float32, c*(c/groups)*9)
	for o := range scales {
		scales[o] = 0.002 * float32(1+o) // a different scale per channel
		for i := range c / groups * 9 {
			w[o*(c/groups)*9+i] = float32(r.IntN(255)-127) * scales[o]
		}
	}
	wn := b.constF([]int64{c, c / groups, 3, 3}, w)
	y := b.op("Conv", []string{"x", wn, b.constF([]int64{c}, nil)}, ints("kernel_shape", 3, 3),
		ints("pads", 1, 1, 1, 1), intA("group", groups))
	g := b.load(t, y, 2)
	x := randImages(2*c*16*16, 8)
	opts := Options{Batch: 2}
	calib := calibrateOn(t, g, x, opts)
	calib.WeightScales = map[string][]float32{wn: scales}
	opts.Calib = calib
	if rel := relRMS(t, g, Uniform(kernels.Int8), opts, x); !(rel < 0.05) {
		t.Errorf("file weight scales: relative RMS error against fp32 %.4f, want < 0.05", rel)
	}
	wrong := append([]float32(nil), scales...)
	wrong[c-1] *= 0.7
	calib.WeightScales[wn] = wrong
	_, err := Compile(g, Uniform(kernels.Int8), opts)
	if err == nil || !strings.Contains(err.Error(), `layer "conv`) || !strings.Contains(err.Error(), "not an int8 multiple") {
		t.Errorf("wrong file scales: error %v", err)
	}
}

// calibrateOn returns min-max ranges of every tensor of g from fp32 passes
// over images x (Calibrate's hook, without a data set).
func calibrateOn(t *testing.T, g *graph.Graph, x []float32, opts Options) *quant.Calibration {
	t.Helper()
	opts.Split = SplitLayers
	m, err := Compile(g, Config{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	stats := map[string]*quant.TensorStats{}
	m.observe = func(tn *tensor, k int) {
		if stats[tn.name] == nil {
			stats[tn.name] = &quant.TensorStats{}
		}
		stats[tn.name].Observe(tn.f[:k*tn.size()], tn.c)
	}
	if _, err := m.Run(x, len(x)/(m.InC*m.InH*m.InW)); err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		s.FinishMeans()
	}
	return quant.FromStats(stats, quant.MinMax)
}
