package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
)

func init() { register("inspect", "list the layers of an ONNX model", runInspect) }

// runInspect prints the imported graph (after folding) node by node, with the
// geometry, MACs and parameter count of every Conv/Gemm/MatMul layer.
func runInspect(args []string) error {
	fs := newFlags("inspect")
	model := fs.String("model", "", "ONNX model file (required)")
	batch := fs.Int("batch", 1, "batch size the shapes are inferred for")
	layersOnly := fs.Bool("layers", false, "list only Conv/Gemm/MatMul layers")
	asJSON := fs.Bool("json", false, "print the compute layers (package layers: shapes, MACs, weights, activations) as one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return usagef("--model: required (an ONNX model file)")
	}
	if *batch < 1 {
		return usagef("--batch %d: must be >= 1", *batch)
	}
	g, err := loadFloatGraph("inspect", *model, *batch)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Model  string         `json:"model"`
			Batch  int            `json:"batch"`
			ISA    string         `json:"isa"`
			Layers []layers.Layer `json:"layers"`
		}{*model, *batch, kernels.ISA(), layers.Of(g)})
	}
	layers := map[*graph.Node]graph.Layer{}
	var macs, params int64
	for _, l := range g.Layers() {
		layers[l.Node] = l
		macs += l.MACs
		params += l.Params
	}
	fmt.Printf("model %s, batch %d: %d nodes, %d compute layers, %.2fM MACs/image, %.3fM params\n",
		*model, *batch, len(g.Nodes), len(layers), float64(macs)/1e6, float64(params)/1e6)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "#\tname\top\tinput\toutput\tkernel\tstride\tpad\tgroup\tMACs/image\tparams\tint4 runs as (%s)\t\n", kernels.ISA())
	for i, n := range g.Nodes {
		l, isLayer := layers[n]
		if *layersOnly && !isLayer {
			continue
		}
		var ins []string
		for _, in := range n.Inputs {
			if t := g.Value(in); t != nil && !t.Const() {
				ins = append(ins, shape(t.Shape))
			}
		}
		op := n.Op
		geo := "\t\t\t\t\t\t\t"
		if isLayer {
			if l.Depthwise() {
				op += " dw"
			}
			geo = fmt.Sprintf("%dx%d\t%d\t%d\t%d\t%d\t%d\t%s\t", l.KH, l.KW, l.Stride, l.Pad, l.Group, l.MACs, l.Params, int4Exec(l))
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", i, n.Name, op, strings.Join(ins, " "), shape(g.Value(n.Outputs[0]).Shape), geo)
	}
	return w.Flush()
}

// int4Exec says what an int4 layer executes with the kernels selected
// here: some kernels pack int4 weights and run them as int8.
func int4Exec(l graph.Layer) string {
	bits := 0
	if l.Depthwise() {
		bits = kernels.DepthwiseQExecBits(4, l.Cout)
	} else {
		_, n, k := l.GEMM()
		bits = kernels.GEMMQExecBits(4, k, n)
	}
	if bits == 8 {
		return "int8"
	}
	return "int4"
}

func shape(s []int) string {
	p := make([]string, len(s))
	for i, d := range s {
		p[i] = fmt.Sprint(d)
	}
	return strings.Join(p, "x")
}
