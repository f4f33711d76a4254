package onnx

import (
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must return a model or an
// error, never panic, and any model it returns must be self-consistent.
func FuzzParse(f *testing.F) {
	data, err := os.ReadFile("../models/resnet20.onnx")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, n := range []int{0, 1, 10, 100, 1000, len(data) / 2, len(data) - 1} {
		f.Add(data[:n])
	}
	f.Add(model(tensor([]int64{3}, Int8, bytesField(9, []byte{1, 2, 3}))))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b, "fuzz.onnx")
		if err != nil {
			return
		}
		for _, in := range m.Graph.Initializers {
			if len(in.Floats)+len(in.Ints) != in.Len() {
				t.Fatalf("initializer %s: %d values for dims %v", in.Name, len(in.Floats)+len(in.Ints), in.Dims)
			}
		}
	})
}
