package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aiq-project/aiq/kernels"
)

// TestColStack runs column-stacked convolutions over chunks that start and
// end mid-row and span images, against a direct convolution.
func TestColStack(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct{ cin, h, w, n, cout, chunk int }{
		{3, 5, 16, 2, 16, 23},
		{16, 4, 17, 2, 32, 32},
		{5, 3, 20, 3, 7, 7},
		{32, 16, 16, 1, 32, 128},
	} {
		g := geom{cin: tc.cin, h: tc.h, w: tc.w, cout: tc.cout, ho: tc.h, wo: tc.w, kh: 3, kw: 3,
			sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1}
		if !colStackable(&g) {
			t.Fatalf("%+v is not column-stackable", g)
		}
		k := 9 * tc.cin
		w := make([]float32, k*tc.cout) // K = (ky, kx, cin)
		for i := range w {
			w[i] = r.Float32()*2 - 1
		}
		bias := make([]float32, tc.cout)
		for i := range bias {
			bias[i] = r.Float32()
		}
		src := make([]float32, tc.n*tc.h*tc.w*tc.cin)
		for i := range src {
			src[i] = r.Float32()*2 - 1
		}
		rows := tc.n * tc.h * tc.w
		want := make([]float32, rows*tc.cout)
		for p := 0; p < rows; p++ {
			n, oy, ox := p/(tc.h*tc.w), p/tc.w%tc.h, p%tc.w
			for o := 0; o < tc.cout; o++ {
				acc := float64(bias[o])
				for ky := 0; ky < 3; ky++ {
					for kx := 0; kx < 3; kx++ {
						iy, ix := oy-1+ky, ox-1+kx
						if iy < 0 || iy >= tc.h || ix < 0 || ix >= tc.w {
							continue
						}
						for c := 0; c < tc.cin; c++ {
							acc += float64(src[((n*tc.h+iy)*tc.w+ix)*tc.cin+c]) * float64(w[((ky*3+kx)*tc.cin+c)*tc.cout+o])
						}
					}
				}
				want[p*tc.cout+o] = float32(max(acc, 0))
			}
		}
		g32, err := kernels.PackGEMMF32(k, tc.cout, colStackWeights(w, &g, tc.cout), kernels.Epilogue{Bias: bias, Act: kernels.ActReLU})
		if err != nil {
			t.Fatal(err)
		}
		for _, asm := range []bool{false, asmLevel()} {
			out := &tensor{c: tc.cout, h: tc.h, w: tc.w, rank: 4, st: stF32, f: make([]float32, rows*tc.cout)}
			for i := range out.f {
				out.f[i] = float32(math.NaN())
			}
			s := &convStep{g: g, k: k, n: tc.cout, colstack: true, g32: g32, asm: asm, chunk: tc.chunk}
			s.ins = []*tensor{{c: tc.cin, h: tc.h, w: tc.w, rank: 4, st: stF32, f: src}}
			s.outs = []*tensor{out}
			var sc scratch
			s.scratchNeed(&sc)
			for r0 := 0; r0 < rows; r0 += tc.chunk {
				s.runColStack(&sc, r0, min(r0+tc.chunk, rows))
			}
			name := fmt.Sprintf("cin=%d %dx%d n=%d cout=%d asm=%v", tc.cin, tc.h, tc.w, tc.n, tc.cout, asm)
			for i, v := range out.f {
				if d := math.Abs(float64(v - want[i])); !(d <= 1e-4*float64(k)) {
					t.Fatalf("%s: out[%d] = %v, want %v", name, i, v, want[i])
				}
			}
		}
	}
}
