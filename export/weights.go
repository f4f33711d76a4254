package export

import (
	"fmt"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// layerWeights are a compute layer's weights as the engine holds them:
// K x N row-major (conv K = (ky, kx, cin); depthwise K = the 9 taps), Gemm
// alpha and beta folded in.
type layerWeights struct {
	node      *graph.Node
	k, n      int
	w         []float32
	bias      []float32 // nil: none
	depthwise bool
	cin       int // conv input channels (K = kh*kw*cin)
	kh, kw    int
}

// weightsOf lays out the weights of compute node n as engine.convWeights
// does, so quant.Weights sees the same matrix and returns the same values.
func weightsOf(g *graph.Graph, n *graph.Node) (*layerWeights, error) {
	wt := g.Value(n.Inputs[1])
	if wt == nil || !wt.Const() || wt.DType != graph.Float32 {
		return nil, fmt.Errorf("layer %q: weights %q are not a float32 constant", n.Name, n.Inputs[1])
	}
	var bias *graph.Tensor
	if len(n.Inputs) > 2 && n.Inputs[2] != "" {
		bias = g.Value(n.Inputs[2])
		if bias == nil || !bias.Const() || bias.DType != graph.Float32 {
			return nil, fmt.Errorf("layer %q: bias %q is not a float32 constant", n.Name, n.Inputs[2])
		}
	}
	lw := &layerWeights{node: n}
	switch n.Op {
	case "Conv":
		if len(wt.Shape) != 4 {
			return nil, fmt.Errorf("layer %q: weights %v are not 4-D", n.Name, wt.Shape)
		}
		c := n.Conv
		cout, cin, kh, kw := wt.Shape[0], wt.Shape[1], c.KH, c.KW
		lw.kh, lw.kw = kh, kw
		switch group := max(c.Group, 1); {
		case group == 1:
			lw.cin, lw.k, lw.n = cin, kh*kw*cin, cout
			lw.w = make([]float32, lw.k*lw.n)
			for o := 0; o < cout; o++ {
				for ci := 0; ci < cin; ci++ {
					for ky := 0; ky < kh; ky++ {
						for kx := 0; kx < kw; kx++ {
							lw.w[((ky*kw+kx)*cin+ci)*cout+o] = wt.F[((o*cin+ci)*kh+ky)*kw+kx]
						}
					}
				}
			}
		case group == cout && cin == 1 && kh == 3 && kw == 3:
			lw.depthwise, lw.cin, lw.k, lw.n = true, 1, 9, cout
			lw.w = make([]float32, 9*cout)
			for o := 0; o < cout; o++ {
				for tap := 0; tap < 9; tap++ {
					lw.w[tap*cout+o] = wt.F[o*9+tap]
				}
			}
		default:
			return nil, fmt.Errorf("layer %q: grouped convolution (group %d) is not supported", n.Name, group)
		}
		if bias != nil {
			lw.bias = append([]float32(nil), bias.F...)
		}
	case "Gemm", "MatMul":
		if len(wt.Shape) != 2 {
			return nil, fmt.Errorf("layer %q: weights %v are not 2-D", n.Name, wt.Shape)
		}
		k, nn := wt.Shape[0], wt.Shape[1]
		trans := n.Op == "Gemm" && n.Gemm.TransB
		if trans {
			k, nn = nn, k
		}
		alpha, beta := float32(1), float32(1)
		if n.Op == "Gemm" {
			alpha, beta = n.Gemm.Alpha, n.Gemm.Beta
		}
		lw.k, lw.n, lw.cin, lw.kh, lw.kw = k, nn, k, 1, 1
		lw.w = make([]float32, k*nn)
		for r := 0; r < k; r++ {
			for c := 0; c < nn; c++ {
				v := wt.F[r*nn+c]
				if trans {
					v = wt.F[c*k+r]
				}
				lw.w[r*nn+c] = alpha * v
			}
		}
		if bias != nil {
			if bias.Len() != nn {
				return nil, fmt.Errorf("layer %q: bias %q has shape %v, want %d values", n.Name, n.Inputs[2], bias.Shape, nn)
			}
			lw.bias = make([]float32, nn)
			for i := range lw.bias {
				lw.bias[i] = beta * bias.F[i]
			}
		}
	default:
		return nil, fmt.Errorf("layer %q: %s is not a compute layer", n.Name, n.Op)
	}
	if lw.bias != nil && len(lw.bias) != lw.n {
		return nil, fmt.Errorf("layer %q: bias has %d values, want %d", n.Name, len(lw.bias), lw.n)
	}
	return lw, nil
}

// quantize quantizes lw for format f (int8 or int4) with the engine's
// arguments (engine/conv.go prepare): int4 GEMM layers take the group,
// depthwise ones never. With bias correction it returns the corrected bias.
func (lw *layerWeights) quantize(f kernels.Format, opts Options) (kernels.QuantWeights, []float32, error) {
	bits, group := 8, 0
	if f == kernels.Int4 {
		bits = 4
		if !lw.depthwise {
			group = opts.Int4Group
		}
	}
	qw, err := quant.Weights(lw.w, lw.k, lw.n, bits, group, opts.WeightMethod)
	if err != nil {
		return qw, nil, fmt.Errorf("layer %q: %w", lw.node.Name, err)
	}
	bias := lw.bias
	if opts.BiasCorrection {
		bias = lw.correctedBias(qw, opts.Calib)
	}
	return qw, bias, nil
}

// correctedBias is engine's correctBias: the bias minus the expected output
// error of the quantized weights, with each input channel at its
// calibration mean. Without means for the input it is the bias unchanged.
func (lw *layerWeights) correctedBias(qw kernels.QuantWeights, calib *quant.Calibration) []float32 {
	bias := make([]float32, lw.n)
	copy(bias, lw.bias) // the engine uses zeros when there is none
	if calib == nil {
		return bias
	}
	mean := calib.Means[lw.node.Inputs[0]]
	cin := lw.cin
	if lw.depthwise {
		cin = lw.n
	}
	if len(mean) != cin {
		return bias
	}
	dq := quant.Dequantize(qw)
	for n := 0; n < lw.n; n++ {
		var e float64
		for k := 0; k < lw.k; k++ {
			ci := k % cin
			if lw.depthwise {
				ci = n
			}
			e += float64(dq[k*lw.n+n]-lw.w[k*lw.n+n]) * mean[ci]
		}
		bias[n] -= float32(e)
	}
	return bias
}
