package engine

import (
	"fmt"
	"testing"
)

// refIm2col is the definition: patch value of row r, tap (ky, kx), channel c.
func refIm2col(src []float32, g *geom, r0, r1 int) []float32 {
	K := g.kh * g.kw * g.cin
	out := make([]float32, (r1-r0)*K)
	for r := r0; r < r1; r++ {
		n, p := r/(g.ho*g.wo), r%(g.ho*g.wo)
		oy, ox := p/g.wo, p%g.wo
		for ky := 0; ky < g.kh; ky++ {
			for kx := 0; kx < g.kw; kx++ {
				iy, ix := oy*g.sh-g.pt+ky*g.dh, ox*g.sw-g.pl+kx*g.dw
				for c := 0; c < g.cin; c++ {
					v := float32(-1)
					if iy >= 0 && iy < g.h && ix >= 0 && ix < g.w {
						v = src[((n*g.h+iy)*g.w+ix)*g.cin+c]
					}
					out[(r-r0)*K+(ky*g.kw+kx)*g.cin+c] = v
				}
			}
		}
	}
	return out
}

func TestIm2col(t *testing.T) {
	geoms := []geom{
		{cin: 16, h: 8, w: 8, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1},
		{cin: 3, h: 7, w: 5, kh: 3, kw: 3, sh: 2, sw: 2, pt: 1, pl: 1, dh: 1, dw: 1},
		{cin: 32, h: 6, w: 6, kh: 3, kw: 3, sh: 2, sw: 2, pt: 1, pl: 1, dh: 1, dw: 1},
		{cin: 2, h: 9, w: 9, kh: 3, kw: 2, sh: 1, sw: 2, pt: 2, pl: 0, dh: 2, dw: 3},
		{cin: 4, h: 5, w: 6, kh: 5, kw: 5, sh: 1, sw: 1, pt: 2, pl: 2, dh: 1, dw: 1},
		// Narrow tap rows: 9 and 24 bytes in uint8, 18 and 48 in fp16.
		{cin: 3, h: 6, w: 9, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1},
		{cin: 8, h: 5, w: 7, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1},
	}
	for _, g := range geoms {
		g.ho = (g.h+2*g.pt-g.dh*(g.kh-1)-1)/g.sh + 1
		g.wo = (g.w+2*g.pl-g.dw*(g.kw-1)-1)/g.sw + 1
		const n = 2
		src := make([]float32, n*g.h*g.w*g.cin)
		for i := range src {
			src[i] = float32(i)
		}
		rows := n * g.ho * g.wo
		for _, span := range [][2]int{{0, rows}, {3, rows - 2}, {g.wo - 1, g.wo + 1}} {
			want := refIm2col(src, &g, span[0], span[1])
			for _, c := range []struct{ asm, padded bool }{{false, false}, {asmLevel(), false}, {false, true}, {asmLevel(), true}} {
				asm := c.asm
				// The padded form gets a dirty row buffer: it must not rely on its contents.
				buf := make([]float32, im2colBufLen(&g))
				buf8 := make([]uint8, len(buf))
				for i := range buf {
					buf[i], buf8[i] = 99, 99
				}
				got := make([]float32, len(want)+3)
				got[len(want)] = 42
				if c.padded {
					im2colPadded(asm, got[:len(want)], src, buf, &g, span[0], span[1], -1)
				} else {
					im2col(asm, got[:len(want)], src, &g, span[0], span[1], -1)
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("geom %+v rows %v %+v: index %d: got %v want %v", g, span, c, i, got[i], want[i])
					}
				}
				if got[len(want)] != 42 {
					t.Fatalf("geom %+v: wrote past the end", g)
				}
				// The same in bytes (masked tails of other lengths).
				s8 := make([]uint8, len(src))
				for i := range s8 {
					s8[i] = uint8(i)
				}
				w8 := make([]uint8, len(want))
				for i, v := range want {
					w8[i] = uint8(int(v))
					if v == -1 {
						w8[i] = 7
					}
				}
				g8 := make([]uint8, len(want)+64)
				for i := range g8 {
					g8[i] = 0xa5
				}
				if c.padded {
					im2colPadded(asm, g8[:len(want)], s8, buf8, &g, span[0], span[1], 7)
				} else {
					im2col(asm, g8[:len(want)], s8, &g, span[0], span[1], 7)
				}
				for i := len(want); i < len(g8); i++ {
					if g8[i] != 0xa5 {
						t.Fatalf("u8 geom %+v rows %v %+v: wrote past the end at %d", g, span, c, i-len(want))
					}
				}
				for i := range w8 {
					if g8[i] != w8[i] {
						t.Fatalf("u8 geom %+v rows %v %+v: index %d: got %v want %v", g, span, c, i, g8[i], w8[i])
					}
				}
			}
		}
	}
}

func BenchmarkIm2col(b *testing.B) {
	for _, c := range []int{3, 16, 32, 64} {
		h := 32 * 16 / max(c, 16)
		g := geom{cin: c, h: h, w: h, ho: h, wo: h, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1}
		src8 := make([]uint8, 64*h*h*c)
		src := make([]float32, 64*h*h*c)
		rows := benchRows
		buf := make([]float32, im2colBufLen(&g))
		buf8 := make([]uint8, len(buf))
		b.Run(fmt.Sprintf("u8/c%d", c), func(b *testing.B) {
			dst := make([]uint8, rows*9*c)
			b.SetBytes(int64(rows * 9 * c))
			t0 := cpuTime()
			for i := 0; i < b.N; i++ {
				r0 := (i * rows) % (64*h*h - rows)
				im2colPadded(true, dst, src8, buf8, &g, r0, r0+rows, 0)
			}
			b.ReportMetric(float64((cpuTime()-t0).Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
		})
		b.Run(fmt.Sprintf("f32/c%d", c), func(b *testing.B) {
			dst := make([]float32, rows*9*c)
			b.SetBytes(int64(rows * 9 * c * 4))
			t0 := cpuTime()
			for i := 0; i < b.N; i++ {
				r0 := (i * rows) % (64*h*h - rows)
				im2colPadded(true, dst, src, buf, &g, r0, r0+rows, 0)
			}
			b.ReportMetric(float64((cpuTime()-t0).Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
		})
	}
}

var benchRows = 256
