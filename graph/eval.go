package graph

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// eval computes n's outputs (allocated, shaped) from its inputs (with data).
// It is the reference semantics of every operator: plain loops, float32
// arithmetic, NCHW. Heavy operators split the batch across goroutines.
func eval(n *Node, in []*Tensor, out []*Tensor) error {
	o := out[0]
	switch n.Op {
	case "Conv":
		var bias []float32
		if len(in) > 2 && in[2] != nil {
			bias = in[2].F
		}
		conv(n.Conv, in[0], in[1].F, bias, o)
	case "AveragePool", "MaxPool":
		switch {
		case len(out) == 2:
			maxPoolIndices(n, in[0], o, out[1])
		case o.DType == Int64:
			poolInt(n, in[0], o)
		default:
			pool(n, in[0], o)
		}
	case "GlobalAveragePool":
		plane := numel(in[0].Shape[2:])
		for i := range o.F {
			var s float32
			for _, v := range in[0].F[i*plane : (i+1)*plane] {
				s += v
			}
			o.F[i] = s / float32(plane)
		}
	case "GlobalMaxPool":
		plane := numel(in[0].Shape[2:])
		for i := range o.F {
			o.F[i] = slicesMax(in[0].F[i*plane : (i+1)*plane])
		}
	case "ReduceMean":
		reduceMean(n, in[0], o)
	case "Sigmoid":
		for i, v := range in[0].F {
			o.F[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case "HardSigmoid", "HardSwish":
		alpha, beta := n.Alpha, n.Beta
		if n.Op == "HardSwish" {
			alpha, beta = 1/6.0, 0.5
		}
		for i, v := range in[0].F {
			y := max(0, min(1, alpha*v+beta))
			if n.Op == "HardSwish" {
				y *= v
			}
			o.F[i] = y
		}
	case "QuantizeLinear", "DequantizeLinear", "ConvInteger", "QLinearConv", "MatMulInteger", "QLinearMatMul":
		return evalQuant(n, in, o)
	case "Gemm":
		gemm(n.Gemm, in, o)
	case "MatMul":
		matmul(in[0], in[1], o)
	case "Relu", "Clip":
		clip(n, in, o)
	case "Softmax":
		softmax(in[0], n.Axis, o)
	case "Identity", "Flatten", "Reshape", "Unsqueeze", "Squeeze":
		copy(o.F, in[0].F)
		copy(o.I, in[0].I)
	case "Add", "Sub", "Mul", "Div":
		if err := binary(n.Op, in[0], in[1], o); err != nil {
			return err
		}
		for i, v := range o.I {
			o.I[i] = wrapInt(o.Elem, v)
		}
	case ChannelAffine:
		c := in[0].Shape[1]
		inner := numel(in[0].Shape[2:])
		for i, v := range in[0].F {
			ch := i / inner % c
			o.F[i] = v*in[1].F[ch] + in[2].F[ch]
		}
	case "BatchNormalization":
		scale, b, mean, vr := in[1].F, in[2].F, in[3].F, in[4].F
		c := in[0].Shape[1]
		inner := numel(in[0].Shape[2:])
		for i, v := range in[0].F {
			ch := i / inner % c
			s := scale[ch] / float32(math.Sqrt(float64(vr[ch]+n.Eps)))
			o.F[i] = (v-mean[ch])*s + b[ch]
		}
	case "Slice":
		p := n.Slice
		gatherIndex(in[0], o, func(oi []int, ii []int) bool {
			for a := range oi {
				ii[a] = p.Starts[a] + oi[a]*p.Steps[a]
			}
			return true
		})
	case "Pad":
		p := n.Pad
		for i := range o.F {
			o.F[i] = p.Value
		}
		for i := range o.I {
			o.I[i] = int64(p.Value)
		}
		gatherIndex(in[0], o, func(oi []int, ii []int) bool {
			for a := range oi {
				d := in[0].Shape[a]
				v := oi[a] - p.Begin[a]
				if v < 0 || v >= d {
					switch p.Mode {
					case "":
						return false
					case "edge":
						v = min(max(v, 0), d-1)
					case "wrap":
						v = (v%d + d) % d
					case "reflect":
						// Mirror without repeating the edge: period 2(d-1).
						if d == 1 {
							v = 0
						} else {
							per := 2 * (d - 1)
							v = (v%per + per) % per
							if v >= d {
								v = per - v
							}
						}
					}
				}
				ii[a] = v
			}
			return true
		})
	case "Concat":
		outer := numel(o.Shape[:n.Axis])
		off := 0
		for _, t := range in {
			chunk := numel(t.Shape[n.Axis:])
			row := numel(o.Shape[n.Axis:])
			for j := range outer {
				if o.DType == Int64 {
					copy(o.I[j*row+off:], t.I[j*chunk:(j+1)*chunk])
				} else {
					copy(o.F[j*row+off:], t.F[j*chunk:(j+1)*chunk])
				}
			}
			off += chunk
		}
	case "Transpose":
		gatherIndex(in[0], o, func(oi []int, ii []int) bool {
			for a, p := range n.Perm {
				ii[p] = oi[a]
			}
			return true
		})
	case "Shape":
		for i, d := range in[0].Shape {
			o.I[i] = int64(d)
		}
	case "Gather":
		return gather(n.Axis, in[0], in[1], o)
	case "Cast":
		switch {
		case in[0].DType == Float32 && o.DType == Int64:
			for i, v := range in[0].F {
				o.I[i] = int64(v)
			}
		case in[0].DType == Int64 && o.DType == Float32:
			for i, v := range in[0].I {
				o.F[i] = float32(v)
			}
		default:
			copy(o.F, in[0].F)
			copy(o.I, in[0].I)
		}
	case "Constant":
		copy(o.F, n.Value.F)
		copy(o.I, n.Value.I)
	case "ConstantOfShape":
		for i := range o.F {
			o.F[i] = n.Value.F[0]
		}
		for i := range o.I {
			o.I[i] = n.Value.I[0]
		}
	default:
		return fmt.Errorf("operator %s has no reference implementation", n.Op)
	}
	return nil
}

func slicesMax(v []float32) float32 {
	m := float32(math.Inf(-1))
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// clip bounds x by Node.Clip or, when they are runtime inputs, by inputs 1
// and 2 (an omitted one is unbounded).
func clip(n *Node, in []*Tensor, o *Tensor) {
	lo, hi := n.Clip.Min, n.Clip.Max
	if o.DType == Int64 {
		ilo, ihi := int64(math.MinInt64), int64(math.MaxInt64)
		if !math.IsInf(float64(lo), -1) {
			ilo = int64(lo)
		}
		if !math.IsInf(float64(hi), 1) {
			ihi = int64(hi)
		}
		if len(in) > 1 && in[1] != nil {
			ilo = in[1].I[0]
		}
		if len(in) > 2 && in[2] != nil {
			ihi = in[2].I[0]
		}
		for i, v := range in[0].I {
			o.I[i] = min(max(v, ilo), ihi)
		}
		return
	}
	if len(in) > 1 && in[1] != nil {
		lo = in[1].F[0]
	}
	if len(in) > 2 && in[2] != nil {
		hi = in[2].F[0]
	}
	for i, v := range in[0].F {
		o.F[i] = min(max(v, lo), hi)
	}
}

// reduceMean averages x over n.Axes, summing in float64.
func reduceMean(n *Node, x, o *Tensor) {
	r := len(x.Shape)
	// Output strides over the kept axes; reduced axes contribute nothing.
	ostride := make([]int, r)
	st := 1
	for a := r - 1; a >= 0; a-- {
		if !slices.Contains(n.Axes, a) {
			ostride[a] = st
			st *= x.Shape[a]
		}
	}
	sum := make([]float64, o.Len())
	for i, v := range x.F {
		rem, oi := i, 0
		for a := r - 1; a >= 0; a-- {
			oi += rem % x.Shape[a] * ostride[a]
			rem /= x.Shape[a]
		}
		sum[oi] += float64(v)
	}
	cnt := float64(x.Len()) / float64(max(o.Len(), 1))
	for i, s := range sum {
		o.F[i] = float32(s / cnt)
	}
}

// poolInt is MaxPool over integer data (uint8/int8 activations).
func poolInt(n *Node, x, o *Tensor) {
	c := n.Conv
	h, wd := x.Shape[2], x.Shape[3]
	oh, ow := o.Shape[2], o.Shape[3]
	for p := range x.Shape[0] * x.Shape[1] {
		src := x.I[p*h*wd:][:h*wd]
		dst := o.I[p*oh*ow:][:oh*ow]
		for y := range oh {
			for xx := range ow {
				acc := int64(math.MinInt64)
				for kh := range c.KH {
					iy := y*c.StrideH + kh*c.DilationH - c.PadT
					for kw := range c.KW {
						ix := xx*c.StrideW + kw*c.DilationW - c.PadL
						if iy >= 0 && iy < h && ix >= 0 && ix < wd {
							acc = max(acc, src[iy*wd+ix])
						}
					}
				}
				dst[y*ow+xx] = acc
			}
		}
	}
}

// maxPoolIndices is MaxPool with its Indices output: the flat input index
// of the first largest value of each window (row-major planes, or
// column-major ones with storage_order 1).
func maxPoolIndices(n *Node, x, o, idx *Tensor) {
	c := n.Conv
	h, wd := x.Shape[2], x.Shape[3]
	oh, ow := o.Shape[2], o.Shape[3]
	for p := range x.Shape[0] * x.Shape[1] {
		for y := range oh {
			for xx := range ow {
				best, at := float32(math.Inf(-1)), int64(-1)
				for kh := range c.KH {
					iy := y*c.StrideH + kh*c.DilationH - c.PadT
					for kw := range c.KW {
						ix := xx*c.StrideW + kw*c.DilationW - c.PadL
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							continue
						}
						if v := x.F[(p*h+iy)*wd+ix]; at < 0 || v > best {
							best, at = v, int64(p*h*wd+iy*wd+ix)
							if n.Pool.ColumnMajor {
								at = int64(p*h*wd + ix*h + iy)
							}
						}
					}
				}
				o.F[(p*oh+y)*ow+xx], idx.I[(p*oh+y)*ow+xx] = best, at
			}
		}
	}
}

// parallel runs fn(i) for i in [0, n) on up to GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// conv is a direct NCHW convolution. For each output channel it accumulates
// weight x input-row products into the output plane, one tap at a time.
func conv(c ConvParams, x *Tensor, w, bias []float32, o *Tensor) {
	nb, cin, h, wd := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	cout, oh, ow := o.Shape[1], o.Shape[2], o.Shape[3]
	cpg, opg := cin/c.Group, cout/c.Group
	parallel(nb*cout, func(job int) {
		b, oc := job/cout, job%cout
		dst := o.F[(b*cout+oc)*oh*ow : (b*cout+oc+1)*oh*ow]
		var b0 float32
		if bias != nil {
			b0 = bias[oc]
		}
		for i := range dst {
			dst[i] = b0
		}
		g := oc / opg
		plane := func(ic int) []float32 { return x.F[(b*cin+g*cpg+ic)*h*wd:][:h*wd] }
		if c.KH == 1 && c.KW == 1 && c.StrideH == 1 && c.StrideW == 1 && c.PadT == 0 && c.PadL == 0 && oh == h && ow == wd {
			// Pointwise: whole planes, four input channels per pass over dst.
			wr := w[oc*cpg:][:cpg]
			ic := 0
			for ; ic+4 <= cpg; ic += 4 {
				axpy4(dst, plane(ic), plane(ic+1), plane(ic+2), plane(ic+3), wr[ic], wr[ic+1], wr[ic+2], wr[ic+3])
			}
			for ; ic < cpg; ic++ {
				axpy(dst, plane(ic), wr[ic])
			}
			return
		}
		for ic := range cpg {
			src := plane(ic)
			for kh := range c.KH {
				for kw := range c.KW {
					wv := w[((oc*cpg+ic)*c.KH+kh)*c.KW+kw]
					// Output columns whose input column lies inside the image.
					offW := kw*c.DilationW - c.PadL
					x0 := max(0, (-offW+c.StrideW-1)/c.StrideW)
					x1 := min(ow, (wd-offW+c.StrideW-1)/c.StrideW)
					if x0 >= x1 {
						continue
					}
					for y := range oh {
						iy := y*c.StrideH + kh*c.DilationH - c.PadT
						if iy < 0 || iy >= h {
							continue
						}
						row := src[iy*wd:][:wd]
						drow := dst[y*ow:][:ow]
						if c.StrideW == 1 {
							axpy(drow[x0:x1], row[x0+offW:x1+offW], wv)
							continue
						}
						for xx := x0; xx < x1; xx++ {
							drow[xx] += wv * row[xx*c.StrideW+offW]
						}
					}
				}
			}
		}
	})
}

// axpy computes d[i] += a*s[i] for i < len(d).
func axpy(d, s []float32, a float32) {
	s = s[:len(d)]
	for i := range d {
		d[i] += a * s[i]
	}
}

// axpy4 computes d[i] += a0*s0[i] + a1*s1[i] + a2*s2[i] + a3*s3[i].
func axpy4(d, s0, s1, s2, s3 []float32, a0, a1, a2, a3 float32) {
	s0, s1, s2, s3 = s0[:len(d)], s1[:len(d)], s2[:len(d)], s3[:len(d)]
	for i := range d {
		d[i] += a0*s0[i] + a1*s1[i] + a2*s2[i] + a3*s3[i]
	}
}

func pool(n *Node, x, o *Tensor) {
	c := n.Conv
	h, wd := x.Shape[2], x.Shape[3]
	oh, ow := o.Shape[2], o.Shape[3]
	planes := x.Shape[0] * x.Shape[1]
	maxp := n.Op == "MaxPool"
	parallel(planes, func(p int) {
		src := x.F[p*h*wd:][:h*wd]
		dst := o.F[p*oh*ow:][:oh*ow]
		for y := range oh {
			for xx := range ow {
				acc := float32(0)
				if maxp {
					acc = float32(math.Inf(-1))
				}
				cnt := 0
				for kh := range c.KH {
					iy := y*c.StrideH + kh*c.DilationH - c.PadT
					for kw := range c.KW {
						ix := xx*c.StrideW + kw*c.DilationW - c.PadL
						inPad := iy >= -c.PadT && iy < h+c.PadB && ix >= -c.PadL && ix < wd+c.PadR
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							if inPad && n.Pool.CountIncludePad {
								cnt++
							}
							continue
						}
						v := src[iy*wd+ix]
						if maxp {
							acc = max(acc, v)
						} else {
							acc += v
						}
						cnt++
					}
				}
				if !maxp && cnt > 0 {
					acc /= float32(cnt)
				}
				dst[y*ow+xx] = acc
			}
		}
	})
}

func gemm(p GemmParams, in []*Tensor, o *Tensor) {
	a, b := in[0], in[1]
	m, nn := o.Shape[0], o.Shape[1]
	k := a.Shape[1]
	if p.TransA {
		k = a.Shape[0]
	}
	var c *Tensor
	if len(in) > 2 {
		c = in[2]
	}
	parallel(m, func(i int) {
		for j := range nn {
			var s float32
			for l := range k {
				av := a.F[i*k+l]
				if p.TransA {
					av = a.F[l*m+i]
				}
				bv := b.F[l*nn+j]
				if p.TransB {
					bv = b.F[j*k+l]
				}
				s += av * bv
			}
			s *= p.Alpha
			if c != nil {
				s += p.Beta * c.F[bcastIndex(c.Shape, o.Shape, i*nn+j)]
			}
			o.F[i*nn+j] = s
		}
	})
}

// matmul is numpy's matmul; 1-D operands are promoted to a row (a) or a
// column (b) and the output has the added axis removed.
func matmul(a, b, o *Tensor) {
	as, bs := a.Shape, b.Shape
	if len(as) == 1 {
		as = []int{1, as[0]}
	}
	if len(bs) == 1 {
		bs = []int{bs[0], 1}
	}
	m, nn, k := as[len(as)-2], bs[len(bs)-1], as[len(as)-1]
	lead, _ := broadcast(as[:len(as)-2], bs[:len(bs)-2])
	batches := numel(lead)
	aLead := append(append([]int{}, as[:len(as)-2]...), 1, 1)
	bLead := append(append([]int{}, bs[:len(bs)-2]...), 1, 1)
	oLead := append(append([]int{}, lead...), 1, 1)
	parallel(batches, func(bi int) {
		ab := bcastIndex(aLead, oLead, bi)
		bb := bcastIndex(bLead, oLead, bi)
		af, bf := a.F[ab*m*k:], b.F[bb*k*nn:]
		of := o.F[bi*m*nn:]
		for i := range m {
			for j := range nn {
				var s float32
				for l := range k {
					s += af[i*k+l] * bf[l*nn+j]
				}
				of[i*nn+j] = s
			}
		}
	})
}

func softmax(x *Tensor, axis int, o *Tensor) {
	d := x.Shape[axis]
	inner := numel(x.Shape[axis+1:])
	outer := numel(x.Shape[:axis])
	for a := range outer {
		for b := range inner {
			base := a*d*inner + b
			mx := float32(math.Inf(-1))
			for i := range d {
				mx = max(mx, x.F[base+i*inner])
			}
			var s float64
			for i := range d {
				e := math.Exp(float64(x.F[base+i*inner] - mx))
				o.F[base+i*inner] = float32(e)
				s += e
			}
			for i := range d {
				o.F[base+i*inner] /= float32(s)
			}
		}
	}
}

// bcastIndex maps flat index i of shape out to the flat index of the
// broadcast operand of shape s (right-aligned, size-1 axes repeat).
func bcastIndex(s, out []int, i int) int {
	idx, stride := 0, 1
	for a := len(out) - 1; a >= 0; a-- {
		c := i % out[a]
		i /= out[a]
		if j := a - (len(out) - len(s)); j >= 0 {
			if s[j] != 1 {
				idx += c * stride
			}
			stride *= s[j]
		}
	}
	return idx
}

func binary(op string, a, b, o *Tensor) error {
	same := numel(a.Shape) == o.Len() && numel(b.Shape) == o.Len()
	ia := func(i int) int {
		if same {
			return i
		}
		return bcastIndex(a.Shape, o.Shape, i)
	}
	ib := func(i int) int {
		if same {
			return i
		}
		return bcastIndex(b.Shape, o.Shape, i)
	}
	if o.DType == Int64 {
		for i := range o.I {
			x, y := a.I[ia(i)], b.I[ib(i)]
			switch op {
			case "Add":
				o.I[i] = x + y
			case "Sub":
				o.I[i] = x - y
			case "Mul":
				o.I[i] = x * y
			case "Div":
				if y == 0 {
					return errors.New("integer division by zero")
				}
				o.I[i] = x / y
			}
		}
		return nil
	}
	for i := range o.F {
		x, y := a.F[ia(i)], b.F[ib(i)]
		switch op {
		case "Add":
			o.F[i] = x + y
		case "Sub":
			o.F[i] = x - y
		case "Mul":
			o.F[i] = x * y
		case "Div":
			o.F[i] = x / y
		}
	}
	return nil
}

// gatherIndex fills o from x: for every output multi-index oi, idx sets the
// input multi-index ii and reports whether it exists (else o keeps its value).
func gatherIndex(x, o *Tensor, idx func(oi, ii []int) bool) {
	r := len(o.Shape)
	oi, ii := make([]int, r), make([]int, len(x.Shape))
	for i := range o.Len() {
		rem := i
		for a := r - 1; a >= 0; a-- {
			oi[a] = rem % o.Shape[a]
			rem /= o.Shape[a]
		}
		if !idx(oi, ii) {
			continue
		}
		src := 0
		for a, v := range ii {
			src = src*x.Shape[a] + v
		}
		if o.DType == Int64 {
			o.I[i] = x.I[src]
		} else {
			o.F[i] = x.F[src]
		}
	}
}

func gather(axis int, x, idx, o *Tensor) error {
	d := x.Shape[axis]
	inner := numel(x.Shape[axis+1:])
	outer := numel(x.Shape[:axis])
	k := idx.Len()
	for a := range outer {
		for j, v := range idx.I {
			if v < 0 {
				v += int64(d)
			}
			if v < 0 || v >= int64(d) {
				return fmt.Errorf("index %d out of range [0,%d)", idx.I[j], d)
			}
			src := (a*d + int(v)) * inner
			dst := (a*k + j) * inner
			if o.DType == Int64 {
				copy(o.I[dst:dst+inner], x.I[src:src+inner])
			} else {
				copy(o.F[dst:dst+inner], x.F[src:src+inner])
			}
		}
	}
	return nil
}
