package onnx

import (
	"bytes"
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

// FuzzMarshal: whatever Parse accepts, Marshal encodes or refuses with an
// error; what it encodes parses again and is a fixed point of Marshal.
func FuzzMarshal(f *testing.F) {
	data, err := os.ReadFile("../models/resnet20.onnx")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(model(tensor([]int64{3}, Int4, bytesField(9, []byte{0x2f, 0x08}))))
	f.Add(model(tensor([]int64{2}, Float16, bytesField(9, []byte{0, 0x7e, 1, 0x7c}))))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b, "fuzz.onnx")
		if err != nil {
			return
		}
		enc, err := Marshal(m)
		if err != nil {
			return
		}
		m2, err := Parse(enc, "marshalled.onnx")
		if err != nil {
			t.Fatalf("Marshal output does not parse: %v", err)
		}
		enc2, err := Marshal(m2)
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		m3, err := Parse(enc2, "marshalled2.onnx")
		if err != nil {
			t.Fatal(err)
		}
		enc3, err := Marshal(m3)
		if err != nil || !bytes.Equal(enc2, enc3) {
			t.Fatalf("Marshal is not a fixed point after one round (%v)", err)
		}
	})
}

// FuzzParseTensor: one TensorProto (a test data set's input_0.pb) decodes
// to a tensor whose payload matches its dims, or to an error.
func FuzzParseTensor(f *testing.F) {
	f.Add(tensor([]int64{3}, Int4, bytesField(9, []byte{0x2f, 0x08})))
	f.Add(tensor([]int64{2}, Float, bytesField(9, make([]byte, 8))))
	f.Add(tensor([]int64{1, 2}, Uint8, bytesField(9, []byte{1, 2})))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := ParseTensor(b, "input_0.pb")
		if err != nil {
			return
		}
		if len(x.Floats)+len(x.Ints) != x.Len() {
			t.Fatalf("%v tensor of dims %v holds %d values", x.DataType, x.Dims, len(x.Floats)+len(x.Ints))
		}
	})
}
