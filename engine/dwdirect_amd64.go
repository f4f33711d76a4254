//go:build gc && !purego

package engine

// mulAddF32Asm does n (a multiple of 16) values:
//
//	for i := 0; i < n; i++ {
//		acc[i] += w[i] * x[i]
//	}
//
//go:noescape
func mulAddF32Asm(acc, w, x *float32, n int)
