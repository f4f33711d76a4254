package kernels

import "testing"

// Every parallel entry point reuses its job: no allocation per call, at
// sizes that split into several tasks.
func TestParallelNoAllocEveryCall(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	p := NewPool(2)
	defer p.Close()
	const m, k, n = 256, 64, 64
	w := make([]float32, k*n)
	f32, _ := PackGEMMF32(k, n, w, Epilogue{})
	f16, _ := PackGEMMF16(k, n, w, Epilogue{})
	q, _ := PackGEMMQ(QuantWeights{K: k, N: n, Bits: 8, Q: make([]int8, k*n), Scale: make([]float32, n)}, Quant{Scale: 1}, Epilogue{}, Quant{Scale: 1})
	a32, c32 := make([]float32, m*k), make([]float32, m*n)
	a16, c16 := make([]uint16, m*k), make([]uint16, m*n)
	a8, c8 := make([]uint8, m*k), make([]uint8, m*n)

	const batch, h, c = 2, 16, 64
	dw := make([]float32, 9*c)
	d32, _ := PackDepthwiseF32(c, 1, dw, Epilogue{})
	d16, _ := PackDepthwiseF16(c, 1, dw, Epilogue{})
	dq, _ := PackDepthwiseQ(1, QuantWeights{K: 9, N: c, Bits: 8, Q: make([]int8, 9*c), Scale: make([]float32, c)}, Quant{Scale: 1}, Epilogue{}, Quant{Scale: 1})
	in32, out32 := make([]float32, batch*h*h*c), make([]float32, batch*h*h*c)
	in16, out16 := make([]uint16, batch*h*h*c), make([]uint16, batch*h*h*c)
	in8, out8 := make([]uint8, batch*h*h*c), make([]uint8, batch*h*h*c)

	if s := planSplit(p, m, n, k, f32.mTile, f32.nAlign); s.tasks < 2 {
		t.Fatalf("GEMM %dx%dx%d is %d task(s): the test needs a split", m, k, n, s.tasks)
	}
	if s := planDW(p, batch, h, h, c); s.tasks < 2 {
		t.Fatalf("depthwise %dx%dx%dx%d is %d task(s): the test needs a split", batch, h, h, c, s.tasks)
	}
	for name, call := range map[string]func(){
		"gemm/fp32":            func() { f32.Run(p, m, a32, k, c32, n) },
		"gemm/fp32/overlapped": func() { f32.RunOverlapped(p, m, a32, k/2, c32, n) },
		"gemm/fp16":            func() { f16.Run(p, m, a16, k, c16, n) },
		"gemm/int8":            func() { q.Run(p, m, a8, k, c8, n) },
		"gemm/int8/f32":        func() { q.RunF32(p, m, a8, k, c32, n) },
		"dw/fp32":              func() { d32.Run(p, batch, h, h, in32, out32) },
		"dw/fp16":              func() { d16.Run(p, batch, h, h, in16, out16) },
		"dw/int8":              func() { dq.Run(p, batch, h, h, in8, out8) },
		"dw/int8/f32":          func() { dq.RunF32(p, batch, h, h, in8, out32) },
	} {
		call()
		if allocs := testing.AllocsPerRun(20, call); allocs != 0 {
			t.Errorf("%s allocates %v times per call", name, allocs)
		}
	}
}
