package kernels

import (
	"runtime"
	"testing"
)

var (
	execBitsNs = []int{8, 16, 24, 32, 33, 48, 64, 160}
	execBitsKs = []int{9, 64, 576}
	execBitsCs = []int{1, 8, 15, 16, 17, 24, 32, 33, 48, 64, 160}
)

// wantGEMMQExecBits is the documented GEMMQExecBits per variant level,
// written out independently of the kernels' decision functions.
func wantGEMMQExecBits(level string, bits, k, n int) int {
	if bits == 8 {
		return 8
	}
	switch level {
	case "avx512vnni":
		if n > 32 && k <= 65536 {
			return 4
		}
	case "avx512":
		if n > 16 {
			return 4
		}
	case "avx2":
		if n > 8 {
			return 4
		}
	case "neon", "neon-dotprod", "neon-fp16":
		return 4
	}
	return 8
}

// wantDepthwiseQExecBits is the documented DepthwiseQExecBits per level.
func wantDepthwiseQExecBits(level string, bits, c int) int {
	if bits == 8 {
		return 8
	}
	switch level {
	case "neon", "neon-dotprod", "neon-fp16":
		if c >= 16 {
			return 4
		}
	}
	return 8
}

func execBitsGEMMQ(t *testing.T, bits, group, k, n int) *GEMMQ {
	t.Helper()
	w := QuantWeights{K: k, N: n, Bits: bits, Group: group, Q: make([]int8, k*n)}
	w.Scale = make([]float32, w.Groups()*n)
	for i := range w.Q {
		w.Q[i] = int8(i%15 - 7)
	}
	for i := range w.Scale {
		w.Scale[i] = 0.01
	}
	g, err := PackGEMMQ(w, Quant{Scale: 0.02, Zero: 3}, Epilogue{}, Quant{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func execBitsDepthwiseQ(t *testing.T, bits, c int) *DepthwiseQ {
	t.Helper()
	w := QuantWeights{K: 9, N: c, Bits: bits, Q: make([]int8, 9*c), Scale: make([]float32, c)}
	for i := range w.Q {
		w.Q[i] = int8(i%15 - 7)
	}
	for i := range w.Scale {
		w.Scale[i] = 0.01
	}
	d, err := PackDepthwiseQ(1, w, Quant{Scale: 0.02, Zero: 3}, Epilogue{}, Quant{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestGEMMQExecBits(t *testing.T) {
	forEachLevel(t, func(t *testing.T, level string) {
		for _, k := range execBitsKs {
			for _, n := range execBitsNs {
				g8 := execBitsGEMMQ(t, 8, 0, k, n)
				g4 := execBitsGEMMQ(t, 4, 0, k, n)
				if got := GEMMQExecBits(8, k, n); got != 8 {
					t.Errorf("GEMMQExecBits(8, %d, %d) = %d, want 8", k, n, got)
				}
				if got := g8.ExecBits(); got != 8 {
					t.Errorf("int8 K=%d N=%d: ExecBits = %d, want 8", k, n, got)
				}
				static := GEMMQExecBits(4, k, n)
				if got := g4.ExecBits(); got != static {
					t.Errorf("int4 K=%d N=%d: ExecBits = %d, GEMMQExecBits = %d", k, n, got, static)
				}
				if want := wantGEMMQExecBits(g4.Variant, 4, k, n); static != want {
					t.Errorf("int4 K=%d N=%d (%s): GEMMQExecBits = %d, want %d", k, n, g4.Variant, static, want)
				}
				// The packed weights say it too: nibbles take fewer bytes
				// than the int8 packing of the same shape, int4 run as int8
				// packs exactly like int8.
				smaller, same := len(g4.packed) < len(g8.packed), len(g4.packed) == len(g8.packed)
				if static == 4 && !smaller || static == 8 && !same {
					t.Errorf("int4 K=%d N=%d (%s): ExecBits %d, but %d packed bytes vs %d for int8",
						k, n, g4.Variant, static, len(g4.packed), len(g8.packed))
				}
				// Group scales change nothing.
				for _, group := range []int{4, 32} {
					if group >= k {
						continue
					}
					if got := execBitsGEMMQ(t, 4, group, k, n).ExecBits(); got != static {
						t.Errorf("int4 K=%d N=%d group %d: ExecBits = %d, without groups %d", k, n, group, got, static)
					}
				}
			}
		}
	})
}

func TestGEMMQExecBitsVNNI(t *testing.T) {
	if !Supported("avx512vnni") {
		t.Skip("no AVX-512 VNNI")
	}
	defer ForceISA("avx512vnni")()
	for _, c := range []struct{ k, n, want int }{
		{64, 64, 4},
		{576, 16, 8},
		{576, 32, 8},
		{576, 33, 4},
		{65536, 64, 4},
		{65537, 64, 8},
	} {
		if got := GEMMQExecBits(4, c.k, c.n); got != c.want {
			t.Errorf("avx512vnni: GEMMQExecBits(4, %d, %d) = %d, want %d", c.k, c.n, got, c.want)
		}
	}
	for _, c := range []struct{ k, n, want int }{{64, 64, 4}, {576, 16, 8}} {
		if got := execBitsGEMMQ(t, 4, 0, c.k, c.n).ExecBits(); got != c.want {
			t.Errorf("avx512vnni: int4 K=%d N=%d packed: ExecBits = %d, want %d", c.k, c.n, got, c.want)
		}
	}
}

func TestDepthwiseQExecBits(t *testing.T) {
	forEachLevel(t, func(t *testing.T, level string) {
		for _, c := range execBitsCs {
			d8 := execBitsDepthwiseQ(t, 8, c)
			d4 := execBitsDepthwiseQ(t, 4, c)
			if got := DepthwiseQExecBits(8, c); got != 8 {
				t.Errorf("DepthwiseQExecBits(8, %d) = %d, want 8", c, got)
			}
			if got := d8.ExecBits(); got != 8 {
				t.Errorf("int8 C=%d: ExecBits = %d, want 8", c, got)
			}
			static := DepthwiseQExecBits(4, c)
			if got := d4.ExecBits(); got != static {
				t.Errorf("int4 C=%d: ExecBits = %d, DepthwiseQExecBits = %d", c, got, static)
			}
			if want := wantDepthwiseQExecBits(d4.Variant, 4, c); static != want {
				t.Errorf("int4 C=%d (%s): DepthwiseQExecBits = %d, want %d", c, d4.Variant, static, want)
			}
			smaller, same := len(d4.packed) < len(d8.packed), len(d4.packed) == len(d8.packed)
			if static == 4 && !smaller || static == 8 && !same {
				t.Errorf("int4 C=%d (%s): ExecBits %d, but %d packed bytes vs %d for int8",
					c, d4.Variant, static, len(d4.packed), len(d8.packed))
			}
		}
	})
}

// TestExecBitsPackedVariant: a packed object answers for the variant it was
// packed with, the static functions for the level selected now.
func TestExecBitsPackedVariant(t *testing.T) {
	lv := levels()
	top := lv[len(lv)-1]
	defer ForceISA(top)()
	g := execBitsGEMMQ(t, 4, 0, 64, 64)
	d := execBitsDepthwiseQ(t, 4, 64)
	gb, db := g.ExecBits(), d.ExecBits()
	if gb != GEMMQExecBits(4, 64, 64) || db != DepthwiseQExecBits(4, 64) {
		t.Fatalf("%s: packed %d/%d, static %d/%d", top, gb, db, GEMMQExecBits(4, 64, 64), DepthwiseQExecBits(4, 64))
	}
	restore := ForceISA("generic")
	defer restore()
	if got := GEMMQExecBits(4, 64, 64); got != 8 {
		t.Errorf("generic: GEMMQExecBits(4, 64, 64) = %d, want 8", got)
	}
	if got := DepthwiseQExecBits(4, 64); got != 8 {
		t.Errorf("generic: DepthwiseQExecBits(4, 64) = %d, want 8", got)
	}
	if g.ExecBits() != gb || d.ExecBits() != db {
		t.Errorf("packed objects changed their answer with the level: %d/%d, were %d/%d", g.ExecBits(), d.ExecBits(), gb, db)
	}
	if runtime.GOARCH == "arm64" && haveAsm && top != "generic" && (gb != 4 || db != 4) {
		t.Errorf("arm64 %s: int4 64x64 GEMM / 64-channel depthwise execute %d/%d bits, want 4/4", top, gb, db)
	}
}

func TestExecBitsBadBits(t *testing.T) {
	for _, f := range []func(){
		func() { GEMMQExecBits(16, 4, 4) },
		func() { DepthwiseQExecBits(2, 16) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("bad bits accepted")
				}
			}()
			f()
		}()
	}
}
