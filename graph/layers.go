package graph

// Layer describes one compute layer (Conv, Gemm or MatMul with constant
// weights): what the search and the kernel benchmarks iterate over.
// For Gemm/MatMul, Cin is K, Cout is N, the kernel and planes are 1x1.
type Layer struct {
	Node   *Node
	Name   string
	Op     string
	Cin    int
	Cout   int
	KH, KW int
	Stride int // StrideH (StrideW is the same in every supported model; see Node.Conv)
	Pad    int // PadT
	Group  int
	InH    int
	InW    int
	OutH   int
	OutW   int
	MACs   int64 // per image
	Params int64 // weights + bias
}

// Depthwise reports whether every group has one input channel.
func (l Layer) Depthwise() bool { return l.Group > 1 && l.Group == l.Cin }

// GEMM returns the layer's per-image GEMM shape: M = OutH*OutW, N = Cout/Group,
// K = Cin/Group*KH*KW (multiply M by the batch for a batched GEMM).
func (l Layer) GEMM() (m, n, k int) {
	return l.OutH * l.OutW, l.Cout / l.Group, l.Cin / l.Group * l.KH * l.KW
}

// Layers lists the compute layers of g in execution order.
func (g *Graph) Layers() []Layer {
	var ls []Layer
	for _, n := range g.Nodes {
		var l Layer
		switch n.Op {
		case "Conv":
			x, w, y := g.Values[n.Inputs[0]], g.Values[n.Inputs[1]], g.Values[n.Outputs[0]]
			c := n.Conv
			l = Layer{Cin: x.Shape[1], Cout: w.Shape[0], KH: c.KH, KW: c.KW, Stride: c.StrideH, Pad: c.PadT,
				Group: c.Group, InH: x.Shape[2], InW: x.Shape[3], OutH: y.Shape[2], OutW: y.Shape[3]}
			l.MACs = int64(l.OutH*l.OutW) * int64(l.Cout) * int64(l.Cin/l.Group*l.KH*l.KW)
			l.Params = int64(w.Len())
		case "Gemm", "MatMul":
			w := g.Values[n.Inputs[1]]
			if !w.Const() || len(w.Shape) != 2 {
				continue
			}
			k, nn := w.Shape[0], w.Shape[1]
			if n.Op == "Gemm" && n.Gemm.TransB {
				k, nn = nn, k
			}
			l = Layer{Cin: k, Cout: nn, KH: 1, KW: 1, Stride: 1, Group: 1, InH: 1, InW: 1, OutH: 1, OutW: 1}
			// Rows per image: a Gemm over [N, K] has one; a MatMul over [N, R, K] has R.
			y := g.Values[n.Outputs[0]]
			rows := y.Len() / nn / max(g.Batch, 1)
			l.MACs = int64(rows) * int64(k) * int64(nn)
			l.Params = int64(w.Len())
		default:
			continue
		}
		if len(n.Inputs) > 2 && n.Inputs[2] != "" {
			l.Params += int64(g.Values[n.Inputs[2]].Len())
		}
		l.Node, l.Name, l.Op = n, n.Name, n.Op
		ls = append(ls, l)
	}
	return ls
}
