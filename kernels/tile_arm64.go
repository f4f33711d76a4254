//go:build gc && !purego

package kernels

import "unsafe"

// The arm64 kernels take their operands through these structs, so one
// pointer argument carries a whole tile; internal/asmgen hard-codes the
// offsets, which the array sizes below check at compile time.

// gemmArgs is one 4-row x 16-column GEMM tile.
type gemmArgs struct {
	a       [4]unsafe.Pointer // rows of A (the last real row repeated for a short tile)
	c       [4]unsafe.Pointer // rows of C, or scratch for missing rows and columns
	b       unsafe.Pointer    // packed panel
	meta    unsafe.Pointer    // panel constants (scale/bias, or per group corrections and scales)
	k       int               // float: K; integer: steps of every group but the last
	kLast   int               // integer: steps of the last group
	groups  int               // integer: K groups (1 without grouping)
	tail    unsafe.Pointer    // integer dotprod: [4][4]byte, the K%4 last values of each row, or nil
	ytmp    unsafe.Pointer    // integer: [64]float32 scratch for the group sums
	act     int               // Act (0 for the one-step uint8 output)
	out8    int               // integer: 0 float32, 1 uint8 in two steps (with groups), 2 in one step, 3 in one step with a residual
	invOut  float32           // integer, two-step uint8: 1/Out.Scale
	outZero float32           // integer, two-step uint8: float32(Out.Zero)
	lo8     float32           // integer uint8: lower clamp, 0 or max(Lo8, 0) (see GEMMQ)
	hi8     float32           // integer uint8: upper clamp, 255 or Hi8
	r       [4]unsafe.Pointer // integer, out8 3: rows of the uint8 residual, or scratch as for c
	r8      float32           // integer, out8 3: R8 (see GEMMQ)
}

// dwArgs is one depthwise output pixel.
type dwArgs struct {
	in   [9]unsafe.Pointer // tap pixels, or the padding row for taps outside the image
	out  unsafe.Pointer
	w    unsafe.Pointer // packed weights
	meta unsafe.Pointer // per block constants
	nblk int            // whole channel blocks
	act  int
	out8 int
	lo8  float32 // uint8 output: max(Lo8, 0) (see DepthwiseQ)
	hi8  float32 // uint8 output: Hi8
}

// Compile-time checks of the offsets in internal/asmgen/kernels.go.
var (
	_ [unsafe.Offsetof(gemmArgs{}.c) - 32]struct{}
	_ [32 - unsafe.Offsetof(gemmArgs{}.c)]struct{}
	_ [unsafe.Offsetof(gemmArgs{}.k) - 80]struct{}
	_ [80 - unsafe.Offsetof(gemmArgs{}.k)]struct{}
	_ [unsafe.Offsetof(gemmArgs{}.act) - 120]struct{}
	_ [120 - unsafe.Offsetof(gemmArgs{}.act)]struct{}
	_ [unsafe.Offsetof(gemmArgs{}.outZero) - 140]struct{}
	_ [140 - unsafe.Offsetof(gemmArgs{}.outZero)]struct{}
	_ [unsafe.Offsetof(gemmArgs{}.hi8) - 148]struct{}
	_ [148 - unsafe.Offsetof(gemmArgs{}.hi8)]struct{}
	_ [unsafe.Offsetof(gemmArgs{}.r) - 152]struct{}
	_ [152 - unsafe.Offsetof(gemmArgs{}.r)]struct{}
	_ [unsafe.Offsetof(gemmArgs{}.r8) - 184]struct{}
	_ [184 - unsafe.Offsetof(gemmArgs{}.r8)]struct{}
	_ [unsafe.Offsetof(dwArgs{}.out) - 72]struct{}
	_ [72 - unsafe.Offsetof(dwArgs{}.out)]struct{}
	_ [unsafe.Offsetof(dwArgs{}.hi8) - 124]struct{}
	_ [124 - unsafe.Offsetof(dwArgs{}.hi8)]struct{}
)

// panelW is the column width of every packed GEMM panel on arm64.
const panelW = 16

// gemmRows is the row tile of every arm64 GEMM microkernel.
const gemmRows = 4

// gemmFloatPanels runs the float GEMM kernel (gemmF16NEON when half, else
// gemmF32NEON) over rows [m0, m1) and columns [n0, n1): per panel of panelW
// columns (stride elements of packed each: K rows, then scale and bias at
// K*panelW), tiles of gemmRows rows; short tiles and the last partial panel
// go through a scratch tile.
func gemmFloatPanels[E float32 | uint16](half bool, packed []E, stride, k int, act Act, m0, m1, n0, n1 int, a []E, lda int, c []E, ldc int) {
	var scratch [gemmRows * panelW]E
	p := gemmArgs{k: k, act: int(act)}
	for n := n0; n < n1; n += panelW {
		w := min(panelW, n1-n)
		pan := packed[n/panelW*stride:]
		p.b, p.meta = unsafe.Pointer(&pan[0]), unsafe.Pointer(&pan[k*panelW])
		for m := m0; m < m1; m += gemmRows {
			rows := min(gemmRows, m1-m)
			for r := 0; r < gemmRows; r++ {
				p.a[r] = rowPtr(a, (m+min(r, rows-1))*lda, k)
				if r < rows && w == panelW {
					p.c[r] = unsafe.Pointer(&c[(m+r)*ldc+n])
				} else {
					p.c[r] = unsafe.Pointer(&scratch[r*panelW])
				}
			}
			if half {
				gemmF16NEON(&p)
			} else {
				gemmF32NEON(&p)
			}
			if w < panelW {
				for r := 0; r < rows; r++ {
					copy(c[(m+r)*ldc+n:(m+r)*ldc+n+w], scratch[r*panelW:])
				}
			}
		}
	}
}

// rowPtr is the address of a[off], or nil when the row is empty (K = 0:
// the kernels then read nothing).
func rowPtr[T any](a []T, off, k int) unsafe.Pointer {
	if k == 0 {
		return nil
	}
	return unsafe.Pointer(&a[off])
}

// dwTapIndex fills idx with the input pixel of each 3x3 tap of output pixel
// (oy, ox) within the image, or -1 outside it.
func dwTapIndex(idx *[9]int, h, w, stride, oy, ox int) {
	for ky := 0; ky < 3; ky++ {
		iy := oy*stride + ky - 1
		for kx := 0; kx < 3; kx++ {
			ix := ox*stride + kx - 1
			if iy < 0 || iy >= h || ix < 0 || ix >= w {
				idx[ky*3+kx] = -1
			} else {
				idx[ky*3+kx] = iy*w + ix
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
