package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGEMMF32Overlapped checks A rows that overlap (lda < K, as a
// column-stacked 3x3 convolution uses) against the generic reference, on one
// goroutine and split across a pool.
func TestGEMMF32Overlapped(t *testing.T) {
	pool := NewPool(2)
	defer pool.Close()
	forEachLevel(t, func(t *testing.T, level string) {
		r := rand.New(rand.NewPCG(5, 6))
		i := 0
		for _, cin := range []int{1, 3, 8, 16, 32} {
			k := 9 * cin
			for _, lda := range []int{0, 1, cin, 3 * cin, k - 1} {
				for _, n := range []int{1, 16, 17, 32, 64, 65} {
					for _, m := range []int{1, 2, 7, 24, 30, 34, 100} {
						i++
						p := pool
						if i%2 == 0 {
							p = nil
						}
						ldc := n + i%3
						g, err := PackGEMMF32(k, n, randF32(r, k*n), epilogueFor(r, n, i))
						if err != nil {
							t.Fatal(err)
						}
						a := randF32(r, (m-1)*lda+k)
						name := fmt.Sprintf("fp32 %s m=%d n=%d k=%d lda=%d", g.Variant, m, n, k, lda)
						cg := newGuard((m-1)*ldc+n, float32(math.Inf(-1)), i%2)
						g.RunOverlapped(p, m, a, lda, cg.data(), ldc)
						cg.checkMatrix(t, name, m, n, ldc)
						want := make([]float32, len(cg.data()))
						gemmF32Generic(g, 0, m, 0, n, a, lda, want, ldc)
						abs := absGEMM(g.W, a, m, n, k, lda)
						for mi := 0; mi < m; mi++ {
							for ni := 0; ni < n; ni++ {
								got, w := cg.data()[mi*ldc+ni], want[mi*ldc+ni]
								mag := abs[mi*n+ni]*abs32(g.Scale[ni]) + abs32(g.Bias[ni])
								if !closeF32(got, w, mag, k, 0) {
									t.Fatalf("%s: C[%d][%d] = %v, want %v", name, mi, ni, got, w)
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestGEMMF32OverlappedBounds: A one value short of the last row panics.
func TestGEMMF32OverlappedBounds(t *testing.T) {
	g, err := PackGEMMF32(18, 4, make([]float32, 18*4), Epilogue{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("short A did not panic")
		}
	}()
	g.RunOverlapped(nil, 3, make([]float32, 2*6+18-1), 6, make([]float32, 12), 4)
}
