package engine

// Column-stacked 3x3 convolution (fp32, stride 1, padding 1): per output
// row, a buffer holds for each padded input column x' (W+2 of them) the
// three vertically adjacent pixels' channels, buf[x'][ky][cin]. With K
// ordered (kx, ky, cin) the patch of output pixel x is then the contiguous
// slice buf[x*3*cin:][:9*cin], overlapping the next pixel's, so the GEMM
// reads A in place with lda = 3*cin < K: the buffer is 3x smaller to write
// than im2col's patches.

// colStackMinW is the narrowest plane worth it: below, the per-row GEMMs
// are too short (on ResNet-20's 8x8 stage im2col measured ~10% faster).
const colStackMinW = 16

// colStackable reports whether g is a 3x3 stride-1 convolution with one
// pixel of padding on every side (output plane = input plane) on a plane
// at least colStackMinW wide.
func colStackable(g *geom) bool {
	return g.w >= colStackMinW && g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 &&
		g.pt == 1 && g.pl == 1 && g.ho == g.h && g.wo == g.w && g.cin > 0
}

// colStackLen is the length of one output row's column-stacked buffer.
func colStackLen(g *geom) int { return (g.w + 2) * 3 * g.cin }

// colStackWeights reorders K x N weights from K = (ky, kx, cin), the
// engine's im2col order, to K = (kx, ky, cin), the column-stacked order.
func colStackWeights(w []float32, g *geom, n int) []float32 {
	out := make([]float32, len(w))
	c := g.cin
	for ky := 0; ky < 3; ky++ {
		for kx := 0; kx < 3; kx++ {
			src := w[(ky*3+kx)*c*n:][:c*n]
			copy(out[(kx*3+ky)*c*n:], src)
		}
	}
	return out
}

// colStackRow fills buf (colStackLen(g) values) for output row oy of image
// n: input rows oy-1..oy+1, zero outside the image.
func colStackRow(asm bool, buf, src []float32, g *geom, n, oy int) {
	c, w := g.cin, g.w
	col := 3 * c
	buf = buf[:(w+2)*col]
	// The two pad columns; column 0 then serves as the zero source.
	clear(buf[:col])
	clear(buf[(w+1)*col:])
	img := src[n*g.h*w*c : (n+1)*g.h*w*c]
	for ky := 0; ky < 3; ky++ {
		dst := buf[col+ky*c:]
		if iy := oy - 1 + ky; iy >= 0 && iy < g.h {
			copyWindows(asm, dst, img[iy*w*c:], w, col, c, c)
		} else {
			copyWindows(asm, dst, buf[:c], w, col, 0, c)
		}
	}
}

// runColStack computes output rows [r0, r1) of a column-stacked layer, one
// GEMM per (partial) output row, straight into the output when it is
// float32, else into scratch, then finishes them. (Stacking several output
// rows into one taller GEMM, with 2 junk rows per output row computed into
// scratch and dropped, measured slower on the 32x32 and 16x16 ResNet-20
// stages and still slower than im2col on 8x8.)
func (s *convStep) runColStack(sc *scratch, r0, r1 int) {
	g := &s.g
	in, out := s.ins[0], s.outs[0]
	N := s.n
	lda := 3 * g.cin
	hw := g.ho * g.wo
	var y []float32
	if out.st == stF32 {
		y = out.f[r0*N : r1*N]
	} else {
		y = sc.y32[:(r1-r0)*N]
	}
	buf := sc.a32[:colStackLen(g)]
	for r := r0; r < r1; {
		n, p := r/hw, r%hw
		oy, ox0 := p/g.wo, p%g.wo
		count := min(g.wo-ox0, r1-r)
		colStackRow(s.asm, buf, in.f, g, n, oy)
		s.g32.RunOverlapped(nil, count, buf[ox0*lda:], lda, y[(r-r0)*N:], N)
		r += count
	}
	if out.st != stF32 || s.hasRes {
		s.finish(y, r0)
	}
}
