package kernels

import "math"

// The generic kernels are the reference every variant is tested against and
// the fallback where no assembly exists. They favour clarity over speed.

// ActBounds returns the clamp that is activation a: act(y) = min(max(y, lo),
// hi), with infinite bounds where a leaves y alone. Assembly epilogues take
// the pair; code outside this package that must match the kernels bit for
// bit (the engine's fused residual adds) can use it too.
func ActBounds(a Act) (lo, hi float32) {
	inf := math.Float32frombits(0x7f800000)
	switch a {
	case ActReLU:
		return 0, inf
	case ActReLU6:
		return 0, 6
	}
	return -inf, inf
}

// actF32 applies activation act to y.
func actF32(y float32, act Act) float32 {
	lo, hi := ActBounds(act)
	return min(max(y, lo), hi)
}

// epilogueQ is the integer epilogue of Epilogue's doc, to float32, before
// the optional uint8 quantization. y0 is the scaled accumulator.
func epilogueQ(y0, bias float32, act Act) float32 {
	return actF32(float32(y0+bias), act)
}

// QuantizeU8 is the uint8 output step of the integer epilogue (see
// Epilogue): round(clamp(y*invOut + zero, 0, 255)), float32 operations, ties
// to even. Code outside this package that requantizes (the engine's
// epilogues) uses it to stay bit-exact with the kernels.
func QuantizeU8(y, invOut float32, zero uint8) uint8 {
	t := float32(float32(y*invOut) + float32(zero))
	t = min(max(t, 0), 255)
	return uint8(math.RoundToEven(float64(t)))
}

func gemmF32Generic(g *GEMMF32, m0, m1, n0, n1 int, a []float32, lda int, c []float32, ldc int) {
	for m := m0; m < m1; m++ {
		row := a[m*lda : m*lda+g.K]
		for n := n0; n < n1; n++ {
			var acc float32
			for k, x := range row {
				acc += x * g.W[k*g.N+n]
			}
			c[m*ldc+n] = actF32(acc*g.Scale[n]+g.Bias[n], g.Act)
		}
	}
}

func gemmF16Generic(g *GEMMF16, m0, m1, n0, n1 int, a []uint16, lda int, c []uint16, ldc int) {
	for m := m0; m < m1; m++ {
		row := a[m*lda : m*lda+g.K]
		for n := n0; n < n1; n++ {
			var acc float32
			for k, x := range row {
				acc += F16ToF32One(x) * F16ToF32One(g.W[k*g.N+n])
			}
			c[m*ldc+n] = F32ToF16One(actF32(acc*g.Scale[n]+g.Bias[n], g.Act))
		}
	}
}

func gemmQGeneric(g *GEMMQ, m0, m1, n0, n1 int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int, r []uint8) {
	groups := g.Groups()
	gsize := g.Group
	if gsize == 0 {
		gsize = g.K
	}
	for m := m0; m < m1; m++ {
		row := a[m*lda : m*lda+g.K]
		for n := n0; n < n1; n++ {
			var y0 float32
			var acc int32
			for gi := 0; gi < groups; gi++ {
				k0, k1 := gi*gsize, min((gi+1)*gsize, g.K)
				acc = 0
				for k := k0; k < k1; k++ {
					acc += int32(row[k]) * int32(g.Q[k*g.N+n])
				}
				acc -= g.ZeroCorr[gi*g.N+n]
				y0 = y0 + float32(float32(acc)*g.S[gi*g.N+n])
			}
			switch y := epilogueQ(y0, g.Bias[n], g.Act); {
			case g.Res != nil:
				c8[m*ldc+n] = requantU8Res(acc, r[m*ldc+n], g.S8[n], g.B8[n], g.R8, g.Lo8, g.Hi8)
			case c8 != nil && groups == 1:
				c8[m*ldc+n] = requantU8(acc, g.S8[n], g.B8[n], g.Lo8, g.Hi8)
			case c8 != nil:
				c8[m*ldc+n] = QuantizeU8(y, g.InvOut, g.Out.Zero)
			default:
				c32[m*ldc+n] = y
			}
		}
	}
}

// dwTaps calls fn for every in-bounds tap of output pixel (oy, ox) with the
// tap index and the input pixel index within the image.
func dwTaps(h, w, stride, oy, ox int, fn func(tap, pix int)) {
	for ky := 0; ky < 3; ky++ {
		iy := oy*stride + ky - 1
		if iy < 0 || iy >= h {
			continue
		}
		for kx := 0; kx < 3; kx++ {
			ix := ox*stride + kx - 1
			if ix < 0 || ix >= w {
				continue
			}
			fn(ky*3+kx, iy*w+ix)
		}
	}
}

// Depthwise generic kernels compute output rows [r0, r1) of the batch*Ho
// rows; the From forms only channels [c0, C), the ones a vector kernel
// leaves to Go.

func dwF32Generic(d *DepthwiseF32, h, w, r0, r1 int, in, out []float32) {
	dwF32GenericFrom(d, h, w, r0, r1, 0, in, out)
}

func dwF16Generic(d *DepthwiseF16, h, w, r0, r1 int, in, out []uint16) {
	dwF16GenericFrom(d, h, w, r0, r1, 0, in, out)
}

func dwQGeneric(d *DepthwiseQ, h, w, r0, r1 int, in, out8 []uint8, out32 []float32) {
	dwQGenericFrom(d, h, w, r0, r1, 0, in, out8, out32)
}

func dwF32GenericFrom(d *DepthwiseF32, h, w, r0, r1, c0 int, in, out []float32) {
	ho, wo, C := DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C
	for r := r0; r < r1; r++ {
		img, oy := r/ho, r%ho
		src := in[img*h*w*C:]
		for ox := 0; ox < wo; ox++ {
			dst := out[(r*wo+ox)*C:]
			for c := c0; c < C; c++ {
				var acc float32
				dwTaps(h, w, d.Stride, oy, ox, func(tap, pix int) {
					acc += src[pix*C+c] * d.W[tap*C+c]
				})
				dst[c] = actF32(acc*d.Scale[c]+d.Bias[c], d.Act)
			}
		}
	}
}

func dwF16GenericFrom(d *DepthwiseF16, h, w, r0, r1, c0 int, in, out []uint16) {
	ho, wo, C := DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C
	for r := r0; r < r1; r++ {
		img, oy := r/ho, r%ho
		src := in[img*h*w*C:]
		for ox := 0; ox < wo; ox++ {
			dst := out[(r*wo+ox)*C:]
			for c := c0; c < C; c++ {
				var acc float32
				dwTaps(h, w, d.Stride, oy, ox, func(tap, pix int) {
					acc += F16ToF32One(src[pix*C+c]) * F16ToF32One(d.W[tap*C+c])
				})
				dst[c] = F32ToF16One(actF32(acc*d.Scale[c]+d.Bias[c], d.Act))
			}
		}
	}
}

func dwQGenericFrom(d *DepthwiseQ, h, w, r0, r1, c0 int, in, out8 []uint8, out32 []float32) {
	ho, wo, C := DepthwiseOut(h, d.Stride), DepthwiseOut(w, d.Stride), d.C
	zero := int32(d.In.Zero)
	for r := r0; r < r1; r++ {
		img, oy := r/ho, r%ho
		src := in[img*h*w*C:]
		for ox := 0; ox < wo; ox++ {
			o := (r*wo + ox) * C
			for c := c0; c < C; c++ {
				var acc int32 // padding taps contribute (zero-zero)*w = 0
				dwTaps(h, w, d.Stride, oy, ox, func(tap, pix int) {
					acc += (int32(src[pix*C+c]) - zero) * int32(d.Q[tap*C+c])
				})
				if out8 != nil {
					out8[o+c] = requantU8(acc, d.S8[c], d.B8[c], d.Lo8, d.Hi8)
				} else {
					out32[o+c] = epilogueQ(float32(float32(acc)*d.S[c]), d.Bias[c], d.Act)
				}
			}
		}
	}
}
