// Command gemmgen writes the amd64 fp32/fp16 GEMM microkernels
// (kernels/gemm_f32_amd64.s, kernels/gemm_f16_amd64.s) and their Go stubs
// (kernels/gemm_f32_stubs_amd64.go, kernels/gemm_f16_stubs_amd64.go).
//
//	go run ./internal/gemmgen -dir kernels   (or go generate ./kernels)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// isa describes one vector width.
type isa struct {
	name  string // AVX512 or AVX2
	reg   string // Z or Y
	half  string // register holding the fp16 form of one vector: Y or X
	width int    // floats per vector = panel width
	tiles map[int][]int
}

var (
	avx512 = isa{"AVX512", "Z", "Y", 16, map[int][]int{4: {6, 4, 2, 1}, 2: {12, 8, 4, 2, 1}, 1: {24, 16, 8, 4, 2, 1}}}
	avx2   = isa{"AVX2", "Y", "X", 8, map[int][]int{2: {6, 4, 2, 1}, 1: {12, 8, 4, 2, 1}}}
)

const unroll = 4

// Tiles of at most prefetchRows rows prefetch B prefetchDist bytes ahead.
const (
	prefetchRows = 2
	prefetchDist = 8192
)

// GPR roles, #defined at the top of each .s file.
var aBase = []string{"A_ROW0", "A_ROW4", "A_ROW8", "A_ROW12", "A_ROW16", "A_ROW20"}

const (
	rLDA  = "LDA"
	rLDA3 = "LDA3"
	rB    = "B_PTR"
	rB2   = "B2_PTR" // second group of a dual kernel
	rPF   = "PF_PTR"
	rK    = "K_LEFT"
	rN    = "K_ITERS"
	rC    = "C_PTR"
	rLDC  = "LDC"
	rSc   = "SCALE_PTR"
	rBi   = "BIAS_PTR"
	rAct  = "ACT"
)

// roleDefs maps every role to its register (the epilogue reuses some).
var roleDefs = [][2]string{
	{"A_ROW0", "SI"}, {"A_ROW4", "DI"}, {"A_ROW8", "R8"}, {"A_ROW12", "R9"}, {"A_ROW16", "R10"}, {"A_ROW20", "R11"},
	{"LDA", "R12"}, {"LDA3", "R13"}, {"B_PTR", "BX"}, {"B2_PTR", "R15"}, {"PF_PTR", "R14"}, {"K_LEFT", "CX"}, {"K_ITERS", "DX"},
	{"C_PTR", "AX"}, {"LDC", "R12"}, {"SCALE_PTR", "SI"}, {"BIAS_PTR", "DI"}, {"ACT", "R8"},
}

// family is the element types of a kernel set; A is always float32.
type family struct {
	tag          string // F32, F16 (binary16 B and C), F16W (float32 B widened from binary16, binary16 C)
	bHalf, cHalf bool
	ref          string // reference loop named in the doc comments
}

var (
	famF32  = family{"F32", false, false, "tileRefF32"}
	famF16  = family{"F16", true, true, "tileRefF16"}
	famF16W = family{"F16W", false, true, "tileRefF16W"}
)

func (f family) types() (b, c string) {
	b, c = "float32", "float32"
	if f.bHalf {
		b = "uint16"
	}
	if f.cHalf {
		c = "uint16"
	}
	return b, c
}

type kern struct {
	is     isa
	fam    family
	mr, np int
	gp     int // panels per group: np, or np/2 for a dual kernel
}

// dual kernels (few rows) stream two adjacent groups through two pointers:
// a GEMV is bound by memory latency, and two streams keep more misses in
// flight than one.
func (k kern) dual() bool { return k.np > k.gp }

func (k kern) name() string {
	return fmt.Sprintf("gemm%s%sR%dP%d", k.fam.tag, k.is.name, k.mr, k.np)
}

// esz is the bytes of one B value.
func (k kern) esz() int {
	if k.fam.bHalf {
		return 2
	}
	return 4
}

// csz is the bytes of one C value.
func (k kern) csz() int {
	if k.fam.cHalf {
		return 2
	}
	return 4
}

func (k kern) acc(i, j int) string { return fmt.Sprintf("%s%d", k.is.reg, i*k.np+j) }

// bReg is the register holding B panel j; the epilogue reuses it for the scale.
func (k kern) bReg(j int) string {
	if k.dual() { // at most 16 (8) accumulators
		if k.is.name == "AVX512" {
			return fmt.Sprintf("Z%d", 16+j)
		}
		return fmt.Sprintf("Y%d", 8+j)
	}
	if k.is.name == "AVX512" {
		return fmt.Sprintf("Z%d", 24+j)
	}
	return fmt.Sprintf("Y%d", 12+j)
}

func (k kern) tReg(i int) string {
	if k.is.name == "AVX512" {
		return fmt.Sprintf("Z%d", 28+i%2)
	}
	if k.dual() {
		return fmt.Sprintf("Y%d", 12+i%2)
	}
	if k.np == 2 {
		return fmt.Sprintf("Y%d", 14+i%2)
	}
	return fmt.Sprintf("Y%d", 14-i%2) // Y13 is free when one panel is in flight
}

func (k kern) zero() string {
	if k.is.name == "AVX512" {
		return "Z30"
	}
	return "Y14"
}

func (k kern) six() string {
	if k.is.name == "AVX512" {
		return "Z31"
	}
	return "Y15"
}

func aAddr(row, disp int) string {
	base := aBase[row/4]
	switch row % 4 {
	case 0:
		return fmt.Sprintf("%d(%s)", disp, base)
	case 1:
		return fmt.Sprintf("%d(%s)(%s*1)", disp, base, rLDA)
	case 2:
		return fmt.Sprintf("%d(%s)(%s*2)", disp, base, rLDA)
	}
	return fmt.Sprintf("%d(%s)(%s*1)", disp, base, rLDA3)
}

// bAddr is B panel j of the group at step disp: the panels of a group are
// interleaved, np*w values per k, so B streams from one contiguous run.
func (k kern) bAddr(j, disp int) string {
	base := rB
	if j >= k.gp {
		base = rB2
	}
	return fmt.Sprintf("%d(%s)", disp+(j%k.gp)*k.is.width*k.esz(), base)
}

// fullGroup is the panels of a full group.
func (is isa) fullGroup() int {
	if is.name == "AVX512" {
		return 4
	}
	return 2
}

type emitter struct{ bytes.Buffer }

func (e *emitter) f(format string, args ...any) { fmt.Fprintf(&e.Buffer, format+"\n", args...) }

// step emits one k: acc[i][j] += A[i][k] * B[k][j].
func (k kern) step(e *emitter, u int) {
	bd := u * k.gp * k.is.width * k.esz()
	for j := 0; j < k.np; j++ {
		if k.fam.bHalf {
			e.f("\tVCVTPH2PS %s, %s", k.bAddr(j, bd), k.bReg(j))
		} else {
			e.f("\tVMOVUPS %s, %s", k.bAddr(j, bd), k.bReg(j))
		}
	}
	for i := 0; i < k.mr; i++ {
		if k.np == 1 && k.is.name == "AVX512" {
			e.f("\tVFMADD231PS.BCST %s, %s, %s", aAddr(i, 4*u), k.bReg(0), k.acc(i, 0))
			continue
		}
		t := k.tReg(i)
		e.f("\tVBROADCASTSS %s, %s", aAddr(i, 4*u), t)
		for j := 0; j < k.np; j++ {
			e.f("\tVFMADD231PS %s, %s, %s", k.bReg(j), t, k.acc(i, j))
		}
	}
}

func (k kern) advance(e *emitter, steps int) {
	for t := 0; t < (k.mr+3)/4; t++ {
		e.f("\tADDQ $%d, %s", 4*steps, aBase[t])
	}
	e.f("\tADDQ $%d, %s", steps*k.gp*k.is.width*k.esz(), rB)
	if k.dual() {
		e.f("\tADDQ $%d, %s", steps*k.gp*k.is.width*k.esz(), rB2)
	}
}

func (k kern) gen(e *emitter) {
	n := k.name()
	btype, ctype := k.fam.types()
	e.f("// func %s(a *float32, lda int, b *%s, k int, c *%s, ldc int, scale, bias *float32, act int, mask uint64, pf uintptr)", n, btype, ctype)
	e.f("TEXT ·%s(SB), NOSPLIT, $0-88", n)
	e.f("\tMOVQ a+0(FP), %s", aBase[0])
	e.f("\tMOVQ lda+8(FP), %s", rLDA)
	e.f("\tSHLQ $2, %s", rLDA)
	e.f("\tLEAQ (%s)(%s*2), %s", rLDA, rLDA, rLDA3)
	for t := 1; t < (k.mr+3)/4; t++ {
		e.f("\tLEAQ (%s)(%s*4), %s", aBase[t-1], rLDA, aBase[t])
	}
	e.f("\tMOVQ b+16(FP), %s", rB)
	if k.mr >= 4 {
		e.f("\tMOVQ pf+80(FP), %s", rPF)
	}
	e.f("\tMOVQ k+24(FP), %s", rK)
	if k.dual() {
		e.f("\t// the second group follows the first")
		e.f("\tIMUL3Q $%d, %s, %s", k.gp*k.is.width*k.esz(), rK, rB2)
		e.f("\tADDQ %s, %s", rB, rB2)
	}
	e.f("\t// acc = 0")
	for i := 0; i < k.mr; i++ {
		for j := 0; j < k.np; j++ {
			a := k.acc(i, j)
			if k.is.name == "AVX512" {
				e.f("\tVPXORD %s, %s, %s", a, a, a)
			} else {
				e.f("\tVXORPS %s, %s, %s", a, a, a)
			}
		}
	}
	e.f("\tMOVQ %s, %s", rK, rN)
	e.f("\tSHRQ $%d, %s", 2, rN)
	e.f("\tJZ %s_tail", n)
	e.f("%s_loop4:", n)
	e.f("\t// %d steps of: acc[i][j] += a[i][k] * b[k][j]", unroll)
	for u := 0; u < unroll; u++ {
		k.step(e, u)
	}
	if k.mr >= 4 {
		// A from L3 or DRAM: the tile reads mr rows at once, a pattern the
		// hardware prefetcher follows badly; the caller points pf at rows a
		// later tile will read (one contiguous run when lda = K), fetched
		// here at the rate this tile consumes its own.
		e.f("\t// prefetch a later tile's A")
		lines := (k.mr*4*unroll + 63) / 64
		for l := 0; l < lines; l++ {
			e.f("\tPREFETCHT0 %d(%s)", 64*l, rPF)
		}
		e.f("\tADDQ $%d, %s", 64*lines, rPF)
	}
	if k.mr <= prefetchRows {
		// Few rows: the tile streams B from L3 or DRAM, faster than the
		// hardware prefetcher alone brings it in.
		e.f("\t// prefetch B %d bytes ahead", prefetchDist)
		for off := 0; off < unroll*k.gp*k.is.width*k.esz(); off += 64 {
			e.f("\tPREFETCHT1 %d(%s)", prefetchDist+off, rB)
			if k.dual() {
				e.f("\tPREFETCHT1 %d(%s)", prefetchDist+off, rB2)
			}
		}
	}
	k.advance(e, unroll)
	e.f("\tDECQ %s", rN)
	e.f("\tJNZ %s_loop4", n)
	e.f("%s_tail:", n)
	e.f("\tANDQ $3, %s", rK)
	e.f("\tJZ %s_epilogue", n)
	e.f("%s_loop1:", n)
	k.step(e, 0)
	k.advance(e, 1)
	e.f("\tDECQ %s", rK)
	e.f("\tJNZ %s_loop1", n)
	e.f("%s_epilogue:", n)
	e.f("\t// acc = act(acc*scale + bias)")
	e.f("\tMOVQ scale+48(FP), %s", rSc)
	e.f("\tMOVQ bias+56(FP), %s", rBi)
	for j := 0; j < k.np; j++ {
		e.f("\tVMOVUPS %d(%s), %s", 4*k.is.width*j, rSc, k.bReg(j))
	}
	for i := 0; i < k.mr; i++ {
		for j := 0; j < k.np; j++ {
			e.f("\tVFMADD213PS %d(%s), %s, %s", 4*k.is.width*j, rBi, k.bReg(j), k.acc(i, j))
		}
	}
	e.f("\tMOVQ act+64(FP), %s", rAct)
	e.f("\tTESTQ %s, %s", rAct, rAct)
	e.f("\tJZ %s_store", n)
	z := k.zero()
	e.f("\tVXORPS %s, %s, %s", z, z, z)
	// Operand order keeps a NaN accumulator, as Go's max and min do.
	for i := 0; i < k.mr; i++ {
		for j := 0; j < k.np; j++ {
			e.f("\tVMAXPS %s, %s, %s", k.acc(i, j), z, k.acc(i, j))
		}
	}
	e.f("\tCMPQ %s, $1", rAct)
	e.f("\tJEQ %s_store", n)
	six := k.six()
	e.f("\tMOVL $0x40c00000, %s", rAct) // 6.0
	if k.is.name == "AVX512" {
		e.f("\tVPBROADCASTD %s, %s", rAct, six)
	} else {
		e.f("\tVMOVD %s, X15", rAct)
		e.f("\tVPBROADCASTD X15, %s", six)
	}
	for i := 0; i < k.mr; i++ {
		for j := 0; j < k.np; j++ {
			e.f("\tVMINPS %s, %s, %s", k.acc(i, j), six, k.acc(i, j))
		}
	}
	e.f("%s_store:", n)
	e.f("\tMOVQ c+32(FP), %s", rC)
	e.f("\tMOVQ ldc+40(FP), %s", rLDC)
	e.f("\tSHLQ $%d, %s", map[int]int{2: 1, 4: 2}[k.csz()], rLDC)
	if k.is.name == "AVX512" {
		e.f("\tMOVQ mask+72(FP), %s", rAct)
		e.f("\tKMOVW %s, K1", rAct)
	}
	cw := k.is.width * k.csz()
	for i := 0; i < k.mr; i++ {
		for j := 0; j < k.np; j++ {
			a := k.acc(i, j)
			masked := k.is.name == "AVX512" && j == k.np-1
			dst := fmt.Sprintf("%d(%s)", cw*j, rC)
			switch {
			case k.fam.cHalf && masked:
				// The masked memory form of VCVTPS2PH is microcoded on Intel.
				e.f("\tVCVTPS2PH $0, %s, Y28", a)
				e.f("\tVMOVDQU16 Y28, K1, %s", dst)
			case k.fam.cHalf:
				e.f("\tVCVTPS2PH $0, %s, %s", a, dst)
			case masked:
				e.f("\tVMOVUPS %s, K1, %s", a, dst)
			default:
				e.f("\tVMOVUPS %s, %s", a, dst)
			}
		}
		if i < k.mr-1 {
			e.f("\tADDQ %s, %s", rLDC, rC)
		}
	}
	e.f("\tVZEROUPPER")
	e.f("\tRET")
	e.f("")
}

func kernels(fam family) []kern {
	var ks []kern
	for _, is := range []isa{avx512, avx2} {
		for _, np := range []int{4, 2, 1} {
			for _, mr := range is.tiles[np] {
				ks = append(ks, kern{is, fam, mr, np, np})
			}
		}
		if fam != famF16W { // widened B is never used for so few rows
			full := is.fullGroup()
			for _, mr := range []int{2, 1} {
				ks = append(ks, kern{is, fam, mr, 2 * full, full})
			}
		}
	}
	return ks
}

const header = "// Code generated by go run ./internal/gemmgen; DO NOT EDIT."

// stubs returns the Go file declaring the kernels of fams (and, with conv,
// the slice conversions of convAsm).
func stubs(fams []family, conv bool) []byte {
	var e emitter
	e.f("%s", header)
	e.f("")
	e.f("//go:build gc && !purego")
	e.f("")
	e.f("package kernels")
	for _, fam := range fams {
		writeFamilyStubs(&e, fam)
	}
	if conv {
		e.WriteString(convStubs)
	}
	return e.Bytes()
}

func writeFamilyStubs(e *emitter, fam family) {
	ks := kernels(fam)
	f := fam.tag
	bt, ct := fam.types()
	for _, is := range []isa{avx512, avx2} {
		e.f("")
		e.f("// tile%s%s runs the mr x np-panel microkernel (see %s).", f, is.name, fam.ref)
		e.f("func tile%s%s(mr, np int, a *float32, lda int, b *%s, k int, c *%s, ldc int, scale, bias *float32, act int, mask uint64, pf uintptr) {", f, is.name, bt, ct)
		e.f("\tswitch np<<8 | mr {")
		for _, kk := range ks {
			if kk.is.name != is.name {
				continue
			}
			e.f("\tcase %d<<8 | %d:", kk.np, kk.mr)
			e.f("\t\t%s(a, lda, b, k, c, ldc, scale, bias, act, mask, pf)", kk.name())
		}
		e.f("\tdefault:")
		e.f("\t\tpanic(\"kernels: no %s %s tile\")", strings.ToLower(f), strings.ToLower(is.name))
		e.f("\t}")
		e.f("}")
	}
	for _, kk := range ks {
		e.f("")
		if kk.dual() {
			e.f("// %s is %s for %d rows and two adjacent groups of %d panels of %d columns.", kk.name(), fam.ref, kk.mr, kk.gp, kk.is.width)
		} else {
			e.f("// %s is %s for %d rows and %d panels of %d columns.", kk.name(), fam.ref, kk.mr, kk.np, kk.is.width)
		}
		e.f("//")
		e.f("//go:noescape")
		e.f("func %s(a *float32, lda int, b *%s, k int, c *%s, ldc int, scale, bias *float32, act int, mask uint64, pf uintptr)", kk.name(), bt, ct)
	}
}

func main() {
	dir := flag.String("dir", ".", "kernels package directory")
	flag.Parse()
	for _, file := range []struct {
		name string
		fams []family
	}{{"gemm_f32_amd64", []family{famF32}}, {"gemm_f16_amd64", []family{famF16, famF16W}}} {
		var e emitter
		e.f("%s", header)
		e.f("")
		e.f("//go:build gc && !purego")
		e.f("")
		e.f("#include \"textflag.h\"")
		e.f("")
		e.f("// Register roles in every tile kernel. A row 4t+s is at (A_ROW<4t>) plus")
		e.f("// 0, LDA, 2*LDA or LDA3 (bytes); B_PTR is the group of np interleaved")
		e.f("// panels (np*w values per k); PF_PTR walks rows a later tile reads. The")
		e.f("// epilogue reuses registers for C, its stride and the epilogue operands.")
		e.f("// Accumulators are Z0..Z23 (Y0..Y11 for AVX2), acc[i][j] = reg i*np+j;")
		e.f("// B panels Z24.. (Y12..), broadcasts Z28/Z29 (Y13..Y15), 0 and 6 in Z30/Z31.")
		for _, d := range roleDefs {
			e.f("#define %s %s", d[0], d[1])
		}
		e.f("")
		for _, fam := range file.fams {
			for _, k := range kernels(fam) {
				k.gen(&e)
			}
		}
		if file.name == "gemm_f16_amd64" {
			e.WriteString(convAsm)
		}
		if err := os.WriteFile(filepath.Join(*dir, file.name+".s"), e.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
		stubFile := strings.TrimSuffix(file.name, "_amd64") + "_stubs_amd64.go"
		if err := os.WriteFile(filepath.Join(*dir, stubFile), stubs(file.fams, file.name == "gemm_f16_amd64"), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// convStubs declares the functions of convAsm.
const convStubs = `
// f32ToF16AVX512 is f32ToF16F16C for any n, 16 values a vector, the last
// one under a mask.
//
//go:noescape
func f32ToF16AVX512(dst *uint16, src *float32, n int)

// f16ToF32AVX512 is f16ToF32F16C for any n, the last vector under a mask.
//
//go:noescape
func f16ToF32AVX512(dst *float32, src *uint16, n int)

// f32ToF16F16C converts n (a multiple of 8) values with VCVTPS2PH imm 0:
//
//	for i := range n { dst[i] = F32ToF16One(src[i]) }
//
//go:noescape
func f32ToF16F16C(dst *uint16, src *float32, n int)

// f16ToF32F16C converts n (a multiple of 8) values with VCVTPH2PS:
//
//	for i := range n { dst[i] = F16ToF32One(src[i]) }
//
//go:noescape
func f16ToF32F16C(dst *float32, src *uint16, n int)
`

// convAsm is the slice conversion between binary16 and float32 with F16C.
const convAsm = `// func f32ToF16F16C(dst *uint16, src *float32, n int)
TEXT ·f32ToF16F16C(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ f32ToF16F16C_done
f32ToF16F16C_loop:
	// dst[i] = F32ToF16One(src[i]), 8 at a time, round to nearest even (imm 0)
	VMOVUPS (SI), Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ $32, SI
	ADDQ $16, DI
	DECQ CX
	JNZ f32ToF16F16C_loop
f32ToF16F16C_done:
	VZEROUPPER
	RET

// func f16ToF32F16C(dst *float32, src *uint16, n int)
TEXT ·f16ToF32F16C(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ f16ToF32F16C_done
f16ToF32F16C_loop:
	// dst[i] = F16ToF32One(src[i]), 8 at a time
	VCVTPH2PS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	DECQ CX
	JNZ f16ToF32F16C_loop
f16ToF32F16C_done:
	VZEROUPPER
	RET

// func f32ToF16AVX512(dst *uint16, src *float32, n int)
TEXT ·f32ToF16AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	CMPQ CX, $32
	JB f32ToF16AVX512_tail
f32ToF16AVX512_loop:
	// dst[i] = F32ToF16One(src[i]), 32 at a time, round to nearest even (imm 0)
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VCVTPS2PH $0, Z0, (DI)
	VCVTPS2PH $0, Z1, 32(DI)
	ADDQ $128, SI
	ADDQ $64, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JAE f32ToF16AVX512_loop
f32ToF16AVX512_tail:
	// the last n%32 values, 16 at a time under a mask
	TESTQ CX, CX
	JZ f32ToF16AVX512_done
	MOVQ $-1, AX
	CMPQ CX, $16
	JAE f32ToF16AVX512_mask
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
f32ToF16AVX512_mask:
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VCVTPS2PH $0, Z0, Y0
	VMOVDQU16 Y0, K1, (DI)
	ADDQ $64, SI
	ADDQ $32, DI
	SUBQ $16, CX
	JA f32ToF16AVX512_tail
f32ToF16AVX512_done:
	VZEROUPPER
	RET

// func f16ToF32AVX512(dst *float32, src *uint16, n int)
TEXT ·f16ToF32AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	CMPQ CX, $32
	JB f16ToF32AVX512_tail
f16ToF32AVX512_loop:
	// dst[i] = F16ToF32One(src[i]), 32 at a time
	VCVTPH2PS (SI), Z0
	VCVTPH2PS 32(SI), Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JAE f16ToF32AVX512_loop
f16ToF32AVX512_tail:
	// the last n%32 values, 16 at a time under a mask
	TESTQ CX, CX
	JZ f16ToF32AVX512_done
	MOVQ $-1, AX
	CMPQ CX, $16
	JAE f16ToF32AVX512_mask
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
f16ToF32AVX512_mask:
	KMOVW AX, K1
	VMOVDQU16.Z (SI), K1, Y0
	VCVTPH2PS Y0, Z0
	VMOVUPS Z0, K1, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JA f16ToF32AVX512_tail
f16ToF32AVX512_done:
	VZEROUPPER
	RET
`
