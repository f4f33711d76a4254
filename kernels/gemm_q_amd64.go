//go:build gc && !purego

package kernels

import (
	"encoding/binary"
	"sync"
	"unsafe"
)

// The integer GEMM on amd64. B is packed per block of columns (64 with
// ZMM, 16 with YMM; the last block keeps only the vectors it needs), and
// within a block per step of 4 values of K (Kp = K rounded up to 4, padded
// with zero weights):
//
//	avx512vnni int8: [block][K/4][vector][16 columns][4 k] int8, for VPDPBUSD
//	avx512vnni int4: [block][K/4][vector pair][16 columns][4 k] bytes
//	                 r = 16*q_odd + (q_even+8), an exact int8. VPDPBUSD on r
//	                 and on r&15 gives 16*sum(a*q_odd) + x and x, where
//	                 x = sum(a*q_even) + 8*sum(a): one AND per pair and step,
//	                 and per-row sums of A (one VPSADBW pass per 8 tiles)
//	avx512/avx2 int8: [block][K/4][vector][2 halves][columns][2 k] int16,
//	                 for VPMADDWD with A pairs widened by VPSHUFB (exact:
//	                 VPMADDUBSW would saturate on 255*-128*2)
//	avx512/avx2 int4: pairs as above with nibbles q+8, unpacked to q by
//	                 masking and subtracting 8; VPMADDUBSW is exact there
//	                 (|255*8*2| < 32767), then VPMADDWD by ones
//
// int4 with a single vector of columns (N <= 16, or 8 with YMM) packs as
// int8: a pair would waste half the multiplies. So does int4 VNNI up to 32
// columns, where the row sums cost more than the small (cached) weights
// save, and with K > 65536 (255*128*K must fit int32). gqKindOf decides;
// GEMMQExecBits reports those as 8.
//
// After the panels come, per group, the negated zero-point corrections and
// the combined scales, then the bias, each padded to whole blocks.
//
// A microkernel computes one tile of up to 6 rows (12 when the call has at
// most 32 columns, VNNI) x one block over a range of K into an int32 tile
// (row stride 256 bytes) including the correction; the epilogue kernel
// turns the tile into the output with the AVX-512 store mask of each
// vector (YMM tiles that are not whole go through a scratch tile). With
// groups the microkernel runs once per group and the epilogue accumulates
// float32(acc)*S[g] into a float32 tile in group order, as the reference
// does. A row's last K%4 bytes are copied into gqKern.tail so no kernel
// reads past A (ZMM kernels copy them with a masked load).
//
// int8 VNNI without groups (the model convolutions) takes a faster path
// for whole tiles: gemmQVNNI8Tiles loops over the row tiles of a block with
// the accumulators starting at the correction, applies the epilogue to
// them in registers and stores the output with the vector masks, so a tile
// costs no Go code, no second call and no int32 round trip. A tile is as
// many rows as 24 accumulators give (6 x 4 vectors .. 16 x 1), which small
// K needs: there the epilogue costs as much as the products. Rows left
// below a tile go the per-tile way.

// gqKern is the argument block of the microkernels (offsets in the
// assembly: gqK*).
type gqKern struct {
	a       [gqMaxRows]unsafe.Pointer // A rows at the first k of the range
	tail    [gqMaxRows]uint32         // each row's last K%4 bytes, zero padded
	b       unsafe.Pointer            // packed B at the first k of the range
	acc     unsafe.Pointer            // int32 tile out, row stride 256 bytes
	zc      unsafe.Pointer            // negated zero-point correction per column
	steps   int                       // whole 4-byte steps read from a
	hasTail int                       // 1: one more step from tail
	mr, nv  int                       // rows, vectors
	rs8     [gqMaxRows]int32          // int4 VNNI: 8 * sum of each row's bytes in the range
	pf      uintptr                   // A of the next tile, prefetched (never dereferenced)
	lda     int                       // row stride of A
	tmask   uint64                    // ZMM kernels: mask of the K%4 tail bytes (they copy them to tail)
}

// gqEpi is the argument block of the epilogue kernels.
type gqEpi struct {
	acc, yf         unsafe.Pointer            // int32 tile, float32 group tile (row stride 256 bytes)
	c               [gqMaxRows]unsafe.Pointer // output rows at the block's first column
	s, bias         unsafe.Pointer
	rows, nvec      int
	mask            [4]uint64 // AVX-512 store mask per vector
	src, dst, act   int       // src 0: acc*s, 1: yf; dst 0: uint8, 1: float32, 2: yf += y
	invOut, outZero float32
}

// gqTiles is the argument block of gemmQVNNI8Tiles (offsets: gqT*).
type gqTiles struct {
	a, c, b         unsafe.Pointer // A at the first row (k = 0), output at the first row and the block's column, packed block
	zc, s, bias     unsafe.Pointer // the block's negated corrections, scales, biases
	lda, ldc        int            // row strides in bytes
	tileA, tileC    int            // gqTileRows[nv] * lda, * ldc
	tiles, steps    int            // row tiles; whole 4-byte steps of K
	tmask           uint64         // mask of the K%4 tail bytes of a row
	mask            [4]uint64      // store mask per vector
	mode            int            // (nv-1)*6 + dst*3 + act, dst 0: uint8, 1: float32
	invOut, outZero float32
}

type gqKind uint8

const (
	gqGeneric gqKind = iota
	gqVNNI8
	gqVNNI4
	gqW8Z
	gqU4Z
	gqW8Y
	gqU4Y
)

// gqLayout is the packed layout of one GEMMQ, derived from its variant and
// shape, so nothing beyond the packed bytes needs storing.
type gqLayout struct {
	kind      gqKind
	zmm       bool
	cv        int // columns per vector
	nvMax     int
	mrMax     int
	block     int // columns per block
	pairs     bool
	vecStep   int // packed bytes per vector per 4-k step
	kp        int
	npad      int
	groups    int
	blockSize int // bytes of a whole block
	zcOff     int
	sOff      int
	biasOff   int
	size      int
}

// gqMaxGroupsCached is how many groups' row sums a row tile keeps.
const gqMaxGroupsCached = 16

// gqMaxRows bounds the rows of a tile.
const gqMaxRows = 12

// gqChunk is the most rows per row-sum pass (8 tiles).
const gqChunk = 8 * gqMaxRows

// gqMaxKInt4VNNI bounds K for the q*16 trick: 255*128*K must fit int32.
const gqMaxKInt4VNNI = 65536

// gqKindOf is the kernel kind of a GEMMQ of the variant, weight bits and
// shape: the one decision of which int4 GEMMs run as int8, shared by the
// packing, the dispatch (both through gqLayoutOf) and GEMMQExecBits.
func gqKindOf(variant string, bits, k, n int) gqKind {
	// int4 weights pack two vectors per byte vector; one vector of columns
	// would waste half the multiplies, so those few weights pack as int8.
	switch {
	case variant == "avx512vnni" && bits == 4 && k <= gqMaxKInt4VNNI && n > 32:
		return gqVNNI4
	case variant == "avx512vnni":
		return gqVNNI8
	case variant == "avx512" && bits == 4 && n > 16:
		return gqU4Z
	case variant == "avx512":
		return gqW8Z
	case variant == "avx2" && bits == 4 && n > 8:
		return gqU4Y
	case variant == "avx2":
		return gqW8Y
	}
	return gqGeneric
}

// pairs reports whether kind packs int4 weights as nibble pairs (two
// vectors of columns per byte vector); every other kind packs int8.
func (kind gqKind) pairs() bool {
	return kind == gqVNNI4 || kind == gqU4Z || kind == gqU4Y
}

// gemmQVariant is the GEMMQ variant pack selects under the current features
// (the same for both weight widths on amd64).
func gemmQVariant(bits int) string { return intVariant() }

// intVariant is the integer kernels' variant on amd64: the highest enabled
// of VNNI, AVX-512 and AVX2.
func intVariant() string {
	switch {
	case hasVNNI:
		return "avx512vnni"
	case hasAVX512:
		return "avx512"
	case hasAVX2:
		return "avx2"
	}
	return "generic"
}

// gemmQExecBits is the weight width the kernel of the variant runs for the
// shape: 4 only for the nibble-pair kinds (see GEMMQExecBits).
func gemmQExecBits(variant string, bits, k, n int) int {
	if gqKindOf(variant, bits, k, n).pairs() {
		return 4
	}
	return 8
}

func gqLayoutOf(g *GEMMQ) gqLayout {
	var l gqLayout
	l.kind = gqKindOf(g.Variant, g.Bits, g.K, g.N)
	if l.kind == gqGeneric {
		return l
	}
	l.zmm = l.kind <= gqU4Z
	if l.zmm {
		l.cv, l.nvMax, l.mrMax = 16, 4, 6
	} else {
		l.cv, l.nvMax, l.mrMax = 8, 2, 4
	}
	l.block = l.cv * l.nvMax
	l.pairs = l.kind.pairs()
	switch {
	case l.pairs:
		l.vecStep = l.cv * 2
	case l.kind == gqVNNI8:
		l.vecStep = l.cv * 4
	default:
		l.vecStep = l.cv * 8
	}
	l.kp = ceilDiv(g.K, 4) * 4
	l.npad = ceilDiv(g.N, l.block) * l.block
	l.groups = g.Groups()
	l.blockSize = l.kp / 4 * l.nvMax * l.vecStep
	nb := ceilDiv(g.N, l.block)
	bBytes := 0
	if nb > 0 {
		bBytes = (nb-1)*l.blockSize + l.kp/4*l.nvOf(g.N-(nb-1)*l.block)*l.vecStep
	}
	l.zcOff = ceilDiv(bBytes, 64) * 64
	l.sOff = l.zcOff + 4*l.groups*l.npad
	l.biasOff = l.sOff + 4*l.groups*l.npad
	l.size = l.biasOff + 4*l.npad
	return l
}

// nvOf is the number of vectors a block of ncols columns computes.
func (l *gqLayout) nvOf(ncols int) int {
	nv := ceilDiv(ncols, l.cv)
	if l.pairs {
		nv += nv & 1
	}
	return nv
}

func (g *GEMMQ) pack() {
	g.Variant = gemmQVariant(g.Bits)
	l := gqLayoutOf(g)
	if l.kind == gqGeneric {
		return
	}
	buf := make([]byte, l.size+64)
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf))) & 63) // 64-byte aligned panels
	p := buf[off : off+l.size : off+l.size]
	K, N := g.K, g.N
	q := func(k, n int) int8 {
		if k < K && n < N {
			return g.Q[k*N+n]
		}
		return 0
	}
	for n0 := 0; n0 < N; n0 += l.block {
		nv := l.nvOf(min(l.block, N-n0))
		base := n0 / l.block * l.blockSize
		for t := 0; t < l.kp/4; t++ {
			step := p[base+t*nv*l.vecStep:]
			for j := 0; j < nv; j++ {
				for c := 0; c < l.cv; c++ {
					n := n0 + j*l.cv + c
					for kk := 0; kk < 4; kk++ {
						k := 4*t + kk
						v := q(k, n)
						switch l.kind {
						case gqVNNI8:
							step[j*l.vecStep+c*4+kk] = byte(v)
						case gqW8Z, gqW8Y:
							// [vector][half kk/2][column][kk%2] int16 little endian
							o := j*l.vecStep + kk/2*l.cv*4 + c*4 + kk%2*2
							step[o], step[o+1] = byte(int16(v)), byte(uint16(int16(v))>>8)
						default:
							nib := byte(v+8) & 15
							if l.kind == gqVNNI4 && j&1 == 1 {
								nib = byte(v) & 15 // 16*q_hi + (q_lo+8) is an exact int8
							}
							o := (j&^1)*l.vecStep + c*4 + kk // a pair is two vectors wide
							step[o] |= nib << (4 * (j & 1))
						}
					}
				}
			}
		}
	}
	zc := unsafe.Slice((*int32)(unsafe.Pointer(&p[l.zcOff])), l.groups*l.npad)
	s := unsafe.Slice((*float32)(unsafe.Pointer(&p[l.sOff])), l.groups*l.npad)
	bias := unsafe.Slice((*float32)(unsafe.Pointer(&p[l.biasOff])), l.npad)
	for gi := 0; gi < l.groups; gi++ {
		for n := 0; n < N; n++ {
			zc[gi*l.npad+n] = -g.ZeroCorr[gi*N+n]
			s[gi*l.npad+n] = g.S[gi*N+n]
		}
	}
	copy(bias, g.Bias)
	g.packed = p
	g.nAlign, g.mTile = l.block, l.mrMax
}

// gqScratch is the working memory of one runRange call, pooled: as locals
// its 20 KB would be zeroed on every call.
type gqScratch struct {
	ka      gqKern
	ep      gqEpi
	acc     [gqMaxRows * 64]int32
	yf      [gqMaxRows * 64]float32
	scratch [gqMaxRows * 64]float32            // YMM partial tiles land here first
	rs8     [gqMaxGroupsCached * gqChunk]int32 // [group][row of the chunk]
}

var gqScratchPool = sync.Pool{New: func() any { return new(gqScratch) }}

func (g *GEMMQ) runRange(m0, m1, n0, n1 int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int) {
	l := gqLayoutOf(g)
	if l.kind == gqGeneric {
		gemmQGeneric(g, m0, m1, n0, n1, a, lda, c8, c32, ldc)
		return
	}
	if l.kind == gqVNNI8 && l.groups == 1 {
		g.runTiles(&l, m0, m1, n0, n1, a, lda, c8, c32, ldc)
		return
	}
	g.runTileRange(&l, m0, m1, n0, n1, a, lda, c8, c32, ldc)
}

// gqTilesChunk is the rows of A each block of columns goes over before the
// next: a multiple of every gqTileRows, small enough that the rows stay in
// L1 across the blocks.
const gqTilesChunk = 96

// runTiles computes int8 VNNI without groups: whole row tiles in one call
// per block and chunk of rows, epilogue fused; the rows left below a tile
// take the per-tile path.
func (g *GEMMQ) runTiles(l *gqLayout, m0, m1, n0, n1 int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int) {
	pk := unsafe.Pointer(unsafe.SliceData(g.packed))
	aBase := unsafe.Pointer(unsafe.SliceData(a))
	var p gqTiles
	esize, dst := 1, 0
	if c8 != nil {
		p.c = unsafe.Pointer(unsafe.SliceData(c8))
	} else {
		p.c, esize, dst = unsafe.Pointer(unsafe.SliceData(c32)), 4, 1
	}
	cBase := p.c
	p.lda, p.ldc = lda, ldc*esize
	p.steps, p.tmask = g.K/4, 1<<(g.K%4)-1
	p.invOut, p.outZero = g.InvOut, float32(g.Out.Zero)
	for mc := m0; mc < m1; mc += gqTilesChunk {
		mce := min(mc+gqTilesChunk, m1)
		for nb := n0; nb < n1; nb += l.block {
			ncols := min(l.block, n1-nb)
			nv := ceilDiv(ncols, l.cv)
			mr := gqTileRows[nv]
			tiles := (mce - mc) / mr
			if tiles == 0 {
				continue
			}
			for j := range p.mask {
				p.mask[j] = 1<<max(0, min(l.cv, ncols-j*l.cv)) - 1
			}
			p.a = unsafe.Add(aBase, mc*lda)
			p.c = unsafe.Add(cBase, (mc*ldc+nb)*esize)
			p.b = unsafe.Add(pk, nb/l.block*l.blockSize)
			p.zc = unsafe.Add(pk, l.zcOff+4*nb)
			p.s = unsafe.Add(pk, l.sOff+4*nb)
			p.bias = unsafe.Add(pk, l.biasOff+4*nb)
			p.tileA, p.tileC = mr*lda, mr*p.ldc
			p.tiles = tiles
			p.mode = (nv-1)*6 + dst*3 + int(g.Act)
			gemmQVNNI8Tiles(&p)
		}
	}
	// Rows below a whole tile: at most one chunk's tail, per block.
	for nb := n0; nb < n1; nb += l.block {
		ncols := min(l.block, n1-nb)
		mr := gqTileRows[ceilDiv(ncols, l.cv)]
		last := m0 + (m1-m0-1)/gqTilesChunk*gqTilesChunk // first row of the last chunk
		done := last + (m1-last)/mr*mr
		if done < m1 {
			g.runTileRange(l, done, m1, nb, nb+ncols, a, lda, c8, c32, ldc)
		}
	}
}

// runTileRange computes rows m0..m1 of columns n0..n1 tile by tile: one
// microkernel call per tile (and group) into an int32 tile, then the
// epilogue kernel.
func (g *GEMMQ) runTileRange(l *gqLayout, m0, m1, n0, n1 int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int) {
	lc := *l // mrMax may change below
	l = &lc
	sc := gqScratchPool.Get().(*gqScratch)
	defer func() {
		sc.ka, sc.ep = gqKern{}, gqEpi{} // keep no caller memory alive in the pool
		gqScratchPool.Put(sc)
	}()
	ka, ep, acc, yf, scratch, rs8 := &sc.ka, &sc.ep, &sc.acc, &sc.yf, &sc.scratch, &sc.rs8
	aBase := unsafe.Pointer(unsafe.SliceData(a))
	gsize := g.Group
	if gsize == 0 {
		gsize = g.K
	}
	ka.acc = unsafe.Pointer(&acc[0])
	ep.acc, ep.yf = unsafe.Pointer(&acc[0]), unsafe.Pointer(&yf[0])
	ep.act, ep.invOut, ep.outZero = int(g.Act), g.InvOut, float32(g.Out.Zero)
	// int4 VNNI row sums: one streaming pass per chunk of rows, kept for
	// every block when there are few groups.
	cached := l.kind == gqVNNI4 && l.groups <= gqMaxGroupsCached
	if l.kind == gqVNNI8 && n1-n0 <= 32 {
		// At most 2 vectors: the strided kernels take twice the rows.
		l.mrMax = gqMaxRows
	}
	ka.lda = lda
	chunk := 8 * l.mrMax
	for mc := m0; mc < m1; mc += chunk {
		mce := min(mc+chunk, m1)
		if cached {
			for gi := 0; gi < l.groups; gi++ {
				k0, k1 := gi*gsize, min((gi+1)*gsize, g.K)
				if k1 > k0 {
					gemmQRowSums8(unsafe.Add(aBase, mc*lda+k0), lda, mce-mc, k1-k0, &rs8[gi*gqChunk])
				}
			}
		}
		g.runRows(l, mc, mce, n0, n1, a, lda, c8, c32, ldc, ka, ep, yf, scratch, rs8, cached)
	}
}

// runRows computes rows m0..m1 (at most gqChunk) of the block columns n0..n1.
func (g *GEMMQ) runRows(l *gqLayout, m0, m1, n0, n1 int, a []uint8, lda int, c8 []uint8, c32 []float32, ldc int,
	ka *gqKern, ep *gqEpi, yf, scratch *[gqMaxRows * 64]float32, rs8 *[gqMaxGroupsCached * gqChunk]int32, cached bool) {
	pk := unsafe.Pointer(unsafe.SliceData(g.packed))
	aBase := unsafe.Pointer(unsafe.SliceData(a))
	gsize := g.Group
	if gsize == 0 {
		gsize = g.K
	}
	grouped := l.groups != 1
	var cBase unsafe.Pointer // output, element size esize
	esize := 1
	if c8 != nil {
		cBase = unsafe.Pointer(unsafe.SliceData(c8))
	} else {
		cBase, esize = unsafe.Pointer(unsafe.SliceData(c32)), 4
	}
	lastCols := -1
	for m := m0; m < m1; m += l.mrMax {
		rows := min(l.mrMax, m1-m)
		ka.mr, ep.rows = rows, rows
		for nb := n0; nb < n1; nb += l.block {
			ncols := min(l.block, n1-nb)
			if ncols != lastCols { // else as the previous block
				lastCols = ncols
				ka.nv = l.nvOf(ncols)
				ep.nvec = ceilDiv(ncols, l.cv)
				for j := range ep.mask {
					ep.mask[j] = 1<<max(0, min(l.cv, ncols-j*l.cv)) - 1
				}
			}
			bBlock := unsafe.Add(pk, nb/l.block*l.blockSize)
			bStep := ka.nv * l.vecStep
			if grouped {
				clear(yf[:rows*64]) // K = 0 with groups has none: y0 = 0
			}
			for gi := 0; gi < l.groups; gi++ {
				k0, k1 := gi*gsize, min((gi+1)*gsize, g.K)
				ka.b = unsafe.Add(bBlock, k0/4*bStep)
				ka.zc = unsafe.Add(pk, l.zcOff+4*(gi*l.npad+nb))
				if !grouped && nb != n0 {
					// Rows, tails and row sums are those of the first block.
					gqKernel(l.kind, ka)
					continue
				}
				ka.steps = (k1 - k0) / 4
				ka.hasTail = 0
				tail := (k1 - k0) % 4
				ka.a[0] = unsafe.Add(aBase, m*lda+k0) // ZMM kernels derive the other rows
				if l.zmm && tail > 0 {
					ka.hasTail, ka.tmask = 1, 1<<tail-1
				}
				for i := 0; i < rows && !l.zmm; i++ {
					row := (m + i) * lda
					ka.a[i] = unsafe.Add(aBase, row+k0) // not read when k1 == k0
					switch {
					case tail == 0:
					case k1 >= 4:
						// The 4 bytes ending at the row's end, shifted down.
						ka.hasTail = 1
						ka.tail[i] = binary.LittleEndian.Uint32(a[row+k1-4:]) >> (32 - 8*tail)
					default:
						ka.hasTail = 1
						var w uint32
						for b, x := range a[row+k1-tail : row+k1] {
							w |= uint32(x) << (8 * b)
						}
						ka.tail[i] = w
					}
				}
				switch {
				case l.kind != gqVNNI4:
				case k1 == k0:
					ka.rs8 = [gqMaxRows]int32{}
				case cached:
					copy(ka.rs8[:rows], rs8[gi*gqChunk+m-m0:])
				default:
					gemmQRowSums8(unsafe.Add(aBase, m*lda+k0), lda, rows, k1-k0, &ka.rs8[0])
				}
				ka.pf = uintptr(aBase) + uintptr((m+rows)*lda+k0)
				gqKernel(l.kind, ka)
				if grouped {
					ep.s = unsafe.Add(pk, l.sOff+4*(gi*l.npad+nb))
					ep.src, ep.dst = 0, 2
					gqEpilogue(l.zmm, ep)
				}
			}
			ep.s = unsafe.Add(pk, l.sOff+4*nb)
			ep.bias = unsafe.Add(pk, l.biasOff+4*nb)
			ep.src, ep.dst = 0, 0
			if grouped {
				ep.src = 1
			}
			if c8 == nil {
				ep.dst = 1
			}
			direct := l.zmm || ncols == ep.nvec*l.cv
			if direct {
				c := unsafe.Add(cBase, (m*ldc+nb)*esize)
				for i := 0; i < rows; i++ {
					ep.c[i] = unsafe.Add(c, i*ldc*esize)
				}
			} else {
				for i := 0; i < rows; i++ {
					ep.c[i] = unsafe.Pointer(&scratch[i*64])
				}
			}
			gqEpilogue(l.zmm, ep)
			if !direct {
				sb := unsafe.Slice((*byte)(unsafe.Pointer(&scratch[0])), len(scratch)*4)
				for i := 0; i < rows; i++ {
					if c8 != nil {
						copy(c8[(m+i)*ldc+nb:(m+i)*ldc+nb+ncols], sb[i*256:])
					} else {
						copy(c32[(m+i)*ldc+nb:(m+i)*ldc+nb+ncols], scratch[i*64:])
					}
				}
			}
		}
	}
}

// gqKernel calls the microkernel of kind directly: a function value would
// make the argument blocks escape.
func gqKernel(kind gqKind, p *gqKern) {
	switch kind {
	case gqVNNI8:
		gemmQVNNI8(p)
	case gqVNNI4:
		gemmQVNNI4(p)
	case gqW8Z:
		gemmQW8Z(p)
	case gqU4Z:
		gemmQU4Z(p)
	case gqW8Y:
		gemmQW8Y(p)
	case gqU4Y:
		gemmQU4Y(p)
	}
}

func gqEpilogue(zmm bool, p *gqEpi) {
	if zmm {
		gemmQEpiZ(p)
	} else {
		gemmQEpiY(p)
	}
}
