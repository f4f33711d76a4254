//go:build gc && !purego

package engine

// im2colRowAsm writes count patches of kh windows of n bytes each:
//
//	for i := 0; i < count; i++ {
//		for ky := 0; ky < kh; ky++ {
//			copy(dst[(i*kh+ky)*n:][:n], base[offs[ky]+i*step:][:n])
//		}
//	}
//
// It may read up to 63 bytes past each window (never past a 64-byte
// round-up of n) and writes nothing past the last one.
//
//go:noescape
func im2colRowAsm(dst, base *byte, offs *int, kh, count, step, n int)

// prefetchAsm asks for the n bytes at p in L1, one request per 64 bytes.
//
//go:noescape
func prefetchAsm(p *byte, n int)
