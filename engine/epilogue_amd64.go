//go:build gc && !purego

package engine

const hasEpilogueAsm = true

// addActU8Asm does n (a multiple of 16) values:
//
//	for i := 0; i < n; i++ {
//		v := min(max(y[i]+p.sc*(float32(r[i])-p.z), p.lo), p.hi)
//		dst[i] = uint8(roundHalfEven(min(max(v*p.inv+p.oz, 0), 255)))
//	}
//
//go:noescape
func addActU8Asm(dst, r *uint8, y *float32, n int, p *epiParams)

// addActDeqAsm does n (a multiple of 16) values:
//
//	for i := 0; i < n; i++ {
//		y[i] = min(max(y[i]+p.sc*(float32(r[i])-p.z), p.lo), p.hi)
//	}
//
//go:noescape
func addActDeqAsm(y *float32, r *uint8, n int, p *epiParams)

// addActF32Asm does n (a multiple of 16) values:
//
//	for i := 0; i < n; i++ {
//		y[i] = min(max(y[i]+r[i], p.lo), p.hi)
//	}
//
//go:noescape
func addActF32Asm(y, r *float32, n int, p *epiParams)

// quantizeU8Asm does n (a multiple of 16) values:
//
//	for i := 0; i < n; i++ {
//		dst[i] = uint8(roundHalfEven(min(max(y[i]*p.inv+p.oz, 0), 255)))
//	}
//
//go:noescape
func quantizeU8Asm(dst *uint8, y *float32, n int, p *epiParams)

// copyStridedAsm copies count rows of n bytes:
//
//	for i := 0; i < count; i++ {
//		copy(dst[i*dstStride:][:n], src[i*srcStride:][:n])
//	}
//
//go:noescape
func copyStridedAsm(dst, src *byte, count, dstStride, srcStride, n int)
