//go:build gc && !purego

package kernels

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// Benchmarks under qemu-user measure the emulator, not the kernels: say so
// in their output. qemu-user shows the host's /proc/cpuinfo, whose x86
// vendor_id line no arm64 kernel prints.
func init() {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.bench") && emulated() {
			fmt.Println("NOTE: arm64 under emulation (qemu-user): benchmark figures mean nothing about arm64 speed")
			return
		}
	}
}

func emulated() bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	return err == nil && bytes.Contains(b, []byte("vendor_id"))
}

// TestARM64Features checks cpuid's view of the CPU against x/sys/cpu (both
// read HWCAP; under qemu-user they must agree with the emulated model).
func TestARM64Features(t *testing.T) {
	if Supported("neon") != cpu.ARM64.HasASIMD {
		t.Errorf("neon supported = %v, x/sys/cpu ASIMD = %v", Supported("neon"), cpu.ARM64.HasASIMD)
	}
	if Supported("neon-dotprod") != (cpu.ARM64.HasASIMD && cpu.ARM64.HasASIMDDP) {
		t.Errorf("neon-dotprod supported = %v, x/sys/cpu ASIMDDP = %v", Supported("neon-dotprod"), cpu.ARM64.HasASIMDDP)
	}
	if want := cpu.ARM64.HasASIMD && cpu.ARM64.HasFPHP && cpu.ARM64.HasASIMDHP; Supported("neon-fp16") != want {
		t.Errorf("neon-fp16 supported = %v, x/sys/cpu FPHP+ASIMDHP = %v", Supported("neon-fp16"), want)
	}
	t.Logf("levels %v, L1d/L2/L3 %v", levels(), func() []int { a, b, c := CacheSizes(); return []int{a, b, c} }())
}

// TestARM64Variants checks which kernel each family packs at each level.
func TestARM64Variants(t *testing.T) {
	want := map[string]map[string]string{
		"generic":      {"gemm/fp32": "generic", "gemm/fp16": "generic", "gemm/int8": "generic", "dw/int4": "generic"},
		"neon":         {"gemm/fp32": "neon", "gemm/fp16": "neon", "gemm/int8": "neon", "dw/int4": "neon"},
		"neon-dotprod": {"gemm/fp32": "neon", "gemm/fp16": "neon", "gemm/int8": "neon-dotprod", "dw/int4": "neon-dotprod"},
		"neon-fp16":    {"gemm/fp32": "neon", "gemm/fp16": "neon-fp16", "gemm/int8": "neon-dotprod", "dw/int4": "neon-dotprod"},
	}
	for _, l := range levels() {
		func() {
			defer ForceISA(l)()
			f32, _ := PackGEMMF32(4, 4, make([]float32, 16), Epilogue{})
			f16, _ := PackGEMMF16(4, 4, make([]float32, 16), Epilogue{})
			q, _ := PackGEMMQ(QuantWeights{K: 4, N: 4, Bits: 8, Q: make([]int8, 16), Scale: make([]float32, 4)}, Quant{Scale: 1}, Epilogue{}, Quant{Scale: 1})
			dq, _ := PackDepthwiseQ(1, QuantWeights{K: 9, N: 16, Bits: 4, Q: make([]int8, 144), Scale: make([]float32, 16)}, Quant{Scale: 1}, Epilogue{}, Quant{Scale: 1})
			got := map[string]string{"gemm/fp32": f32.Variant, "gemm/fp16": f16.Variant, "gemm/int8": q.Variant, "dw/int4": dq.Variant}
			for fam, v := range want[l] {
				if got[fam] != v {
					t.Errorf("level %s: %s packed as %s, want %s", l, fam, got[fam], v)
				}
			}
		}()
	}
}

// TestARM64LargeK covers long K loops, K%4 tails of the dot kernels and
// groups, which the shared tests reach only up to K = 67.
func TestARM64LargeK(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	forEachLevel(t, func(t *testing.T, level string) {
		for _, s := range [][3]int{{9, 37, 1027}, {5, 16, 2050}, {4, 33, 515}} {
			m, n, k := s[0], s[1], s[2]
			for _, bits := range []int{8, 4} {
				qc := quantCases[0]
				if bits == 4 {
					qc = quantCases[4]
				}
				w := randQuantWeights(r, qc, k, n, bits)
				g, err := PackGEMMQ(w, Quant{Scale: 0.01, Zero: 77}, Epilogue{Act: ActReLU6, Bias: randF32(r, n)}, Quant{Scale: 0.3, Zero: 5})
				if err != nil {
					t.Fatal(err)
				}
				a := make([]uint8, m*k)
				for i := range a {
					a[i] = uint8(r.IntN(256))
				}
				got, want := make([]float32, m*n), make([]float32, m*n)
				g.RunF32(nil, m, a, k, got, n)
				gemmQGeneric(g, 0, m, 0, n, a, k, nil, want, n, nil)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("int%d %s %dx%dx%d group %d: C[%d] = %v, want %v", bits, g.Variant, m, n, k, g.Group, i, got[i], want[i])
					}
				}
			}
			b := randF32(r, k*n)
			a := randF32(r, m*k)
			f, _ := PackGEMMF32(k, n, b, Epilogue{})
			got, want := make([]float32, m*n), make([]float32, m*n)
			f.Run(nil, m, a, k, got, n)
			gemmF32Generic(f, 0, m, 0, n, a, k, want, n)
			abs := absGEMM(b, a, m, n, k, k)
			for i := range got {
				if !closeF32(got[i], want[i], abs[i], k, 0) {
					t.Fatalf("fp32 %s %dx%dx%d: C[%d] = %v, want %v", f.Variant, m, n, k, i, got[i], want[i])
				}
			}
		}
	})
}

// TestARM64NoAlloc: the tile arguments and scratch stay on the stack.
func TestARM64NoAlloc(t *testing.T) {
	q, _ := PackGEMMQ(QuantWeights{K: 35, N: 20, Bits: 4, Group: 8, Q: make([]int8, 35*20), Scale: make([]float32, 5*20)}, Quant{Scale: 1}, Epilogue{}, Quant{Scale: 1})
	a, c := make([]uint8, 7*35), make([]uint8, 7*20)
	f16, _ := PackGEMMF16(35, 20, make([]float32, 35*20), Epilogue{})
	ah, ch := make([]uint16, 7*35), make([]uint16, 7*20)
	d, _ := PackDepthwiseQ(2, QuantWeights{K: 9, N: 40, Bits: 8, Q: make([]int8, 360), Scale: make([]float32, 40)}, Quant{Scale: 1}, Epilogue{}, Quant{Scale: 1})
	in, out := make([]uint8, 5*5*40), make([]uint8, 3*3*40)
	if n := testing.AllocsPerRun(10, func() {
		q.Run(nil, 7, a, 35, c, 20)
		f16.Run(nil, 7, ah, 35, ch, 20)
		d.Run(nil, 1, 5, 5, in, out)
	}); n != 0 {
		t.Errorf("%s kernels allocate %v times per call", q.Variant, n)
	}
}

// TestARM64EmptyK: K = 0 leaves the epilogue of zero sums (and no A reads).
func TestARM64EmptyK(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	forEachLevel(t, func(t *testing.T, level string) {
		const m, n = 5, 19
		ep := Epilogue{Bias: randF32(r, n), Act: ActReLU}
		f, _ := PackGEMMF32(0, n, nil, ep)
		got, want := make([]float32, m*n), make([]float32, m*n)
		f.Run(nil, m, nil, 0, got, n)
		gemmF32Generic(f, 0, m, 0, n, nil, 0, want, n)
		h, _ := PackGEMMF16(0, n, nil, ep)
		got16, want16 := make([]uint16, m*n), make([]uint16, m*n)
		h.Run(nil, m, nil, 0, got16, n)
		gemmF16Generic(h, 0, m, 0, n, nil, 0, want16, n)
		q, _ := PackGEMMQ(QuantWeights{N: n, Bits: 8, Scale: make([]float32, n)}, Quant{Scale: 1, Zero: 9}, ep, Quant{Scale: 0.1, Zero: 3})
		got8, want8 := make([]uint8, m*n), make([]uint8, m*n)
		q.Run(nil, m, nil, 0, got8, n)
		gemmQGeneric(q, 0, m, 0, n, nil, 0, want8, nil, n, nil)
		for i := range got {
			if got[i] != want[i] || got16[i] != want16[i] || got8[i] != want8[i] {
				t.Fatalf("K=0 %s/%s/%s: C[%d] = %v %v %v, want %v %v %v", f.Variant, h.Variant, q.Variant, i, got[i], got16[i], got8[i], want[i], want16[i], want8[i])
			}
		}
	})
}
