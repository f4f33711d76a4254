package main

import "fmt"

// Offsets of gemmArgs and dwArgs in package kernels (tile_arm64.go checks
// them at compile time).
const (
	gaA      = 0   // [4]unsafe.Pointer rows of A
	gaC      = 32  // [4]unsafe.Pointer rows of C
	gaB      = 64  // packed panel
	gaMeta   = 72  // per-panel constants
	gaK      = 80  // fp: K; int: steps per group
	gaKLast  = 88  // int: steps of the last group
	gaGroups = 96  // int: groups
	gaTail   = 104 // int dotprod: 4x4 bytes of the partial last step, or nil
	gaYtmp   = 112 // int: 64 float32 of scratch
	gaAct    = 120
	gaOut8   = 128
	gaInvOut = 136
	gaOutZ   = 140
	gaLo8    = 144 // int uint8 output: lower clamp
	gaHi8    = 148 // int uint8 output: upper clamp
	gaR      = 152 // int uint8 output with a residual: [4]unsafe.Pointer rows of r
	gaR8     = 184 // int uint8 output with a residual: R8

	daIn   = 0 // [9]unsafe.Pointer tap pixels
	daOut  = 72
	daW    = 80
	daMeta = 88
	daNblk = 96
	daAct  = 104
	daOut8 = 112
	daLo8  = 120
	daHi8  = 124
)

// acc is the accumulator of row r, column block j in the 4x16 GEMM tiles.
func acc(r, j int) int { return 16 + 4*r + j }

// each calls fn for v16..v31.
func each(fn func(v int)) {
	for v := 16; v < 32; v++ {
		fn(v)
	}
}

func vlist(first, n int, arr string) string {
	s := "["
	for i := 0; i < n; i++ {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("V%d.%s", first+i, arr)
	}
	return s + "]"
}

// act emits the activation on regs: act register 0 none, 1 max(y, 0),
// 2 then min(y, 6); v9 must hold 0 and v10 6.
func act(f *asmFile, fn, reg string, regs []int) {
	f.g("CBZ %s, %s_act_done", reg, fn)
	for _, v := range regs {
		f.w("fmax v%d.4s, v%d.4s, v9.4s", v, v)
	}
	f.g("CMP $1, %s", reg)
	f.g("BEQ %s_act_done", fn)
	for _, v := range regs {
		f.w("fmin v%d.4s, v%d.4s, v10.4s", v, v)
	}
	f.raw("%s_act_done:", fn)
}

func rng(a, b int) []int {
	var s []int
	for i := a; i < b; i++ {
		s = append(s, i)
	}
	return s
}

// consts sets v9 = 0 and v10 = 6.0 for act.
func consts(f *asmFile) {
	f.g("VEOR V9.B16, V9.B16, V9.B16")
	f.w("fmov v10.4s, #6.0")
}

// gemmHead loads the A row pointers and the panel pointer.
func gemmHead(f *asmFile, fn, doc string) {
	f.raw("")
	f.raw("// func %s(p *gemmArgs)", fn)
	f.raw("// %s", doc)
	f.raw("TEXT ·%s(SB), NOSPLIT, $0-8", fn)
	f.g("MOVD p+0(FP), R19")
	for r := 0; r < 4; r++ {
		f.g("MOVD %d(R19), R%d // A row %d", gaA+8*r, r, r)
	}
	f.g("MOVD %d(R19), R4 // packed panel", gaB)
	f.g("MOVD %d(R19), R5 // panel constants", gaMeta)
}

// floatEpilogue is y = act(acc*scale + bias) on v16..v31 with scale and
// bias (16 each) at R5.
func floatEpilogue(f *asmFile, fn string) {
	f.g("VLD1.P 64(R5), %s // scale", vlist(0, 4, "S4"))
	f.g("VLD1 (R5), %s // bias", vlist(4, 4, "S4"))
	each(func(v int) { f.w("fmul v%d.4s, v%d.4s, v%d.4s", v, v, (v-16)%4) })
	each(func(v int) { f.w("fadd v%d.4s, v%d.4s, v%d.4s", v, v, 4+(v-16)%4) })
	consts(f)
	f.g("MOVD %d(R19), R11", gaAct)
	act(f, fn, "R11", rng(16, 32))
	for r := 0; r < 4; r++ {
		f.g("MOVD %d(R19), R%d // C row %d", gaC+8*r, 13+r, r)
	}
}

func genGEMMF32() *asmFile {
	f := newFile("gemm_f32_arm64.s", `fp32 GEMM microkernel for arm64 NEON: 4 rows x 16 columns, FMLA into
v16..v31 (row r, columns 4j..4j+3 in v16+4r+j).`)
	fn := "gemmF32NEON"
	gemmHead(f, fn, "C[4][16] = act(A[4][K] x panel[K][16] * scale + bias)")
	f.g("MOVD %d(R19), R6 // K", gaK)
	each(func(v int) { f.g("VEOR V%d.B16, V%d.B16, V%d.B16", v, v, v) })
	f.g("CBZ R6, %s_epilogue", fn)
	f.raw("%s_loop_k:", fn)
	f.g("VLD1.P 64(R4), %s // b[k][0:16]", vlist(0, 4, "S4"))
	for r := 0; r < 4; r++ {
		f.g("VLD1R.P 4(R%d), [V%d.S4] // a[%d][k] in every lane", r, 4+r, r)
	}
	for r := 0; r < 4; r++ {
		for j := 0; j < 4; j++ {
			f.g("VFMLA V%d.S4, V%d.S4, V%d.S4", j, 4+r, acc(r, j))
		}
	}
	f.g("SUBS $1, R6, R6")
	f.g("BNE %s_loop_k", fn)
	f.raw("%s_epilogue:", fn)
	floatEpilogue(f, fn)
	for r := 0; r < 4; r++ {
		f.g("VST1 %s, (R%d)", vlist(acc(r, 0), 4, "S4"), 13+r)
	}
	f.g("RET")
	return f
}

func genGEMMF16() *asmFile {
	f := newFile("gemm_f16_arm64.s", `fp16 GEMM microkernel for arm64 NEON: binary16 A and B widened with FCVTL,
FMLA in float32 (4 rows x 16 columns in v16..v31), FCVTN back to binary16.
Also the slice conversions between float32 and binary16.`)
	fn := "gemmF16NEON"
	gemmHead(f, fn, "C[4][16] = f16(act(f32(A[4][K]) x f32(panel[K][16]) * scale + bias))")
	f.g("MOVD %d(R19), R6 // K", gaK)
	each(func(v int) { f.g("VEOR V%d.B16, V%d.B16, V%d.B16", v, v, v) })
	f.g("CBZ R6, %s_epilogue", fn)
	f.raw("%s_loop_k:", fn)
	f.g("VLD1.P 32(R4), [V12.H8, V13.H8] // b[k][0:16]")
	f.w("fcvtl v0.4s, v12.4h")
	f.w("fcvtl2 v1.4s, v12.8h")
	f.w("fcvtl v2.4s, v13.4h")
	f.w("fcvtl2 v3.4s, v13.8h")
	for r := 0; r < 4; r++ {
		f.g("VLD1R.P 2(R%d), [V%d.H4] // a[%d][k]", r, 4+r, r)
		f.w("fcvtl v%d.4s, v%d.4h", 4+r, 4+r)
	}
	for r := 0; r < 4; r++ {
		for j := 0; j < 4; j++ {
			f.g("VFMLA V%d.S4, V%d.S4, V%d.S4", j, 4+r, acc(r, j))
		}
	}
	f.g("SUBS $1, R6, R6")
	f.g("BNE %s_loop_k", fn)
	f.raw("%s_epilogue:", fn)
	floatEpilogue(f, fn)
	for r := 0; r < 4; r++ {
		f.w("fcvtn v0.4h, v%d.4s", acc(r, 0))
		f.w("fcvtn2 v0.8h, v%d.4s", acc(r, 1))
		f.w("fcvtn v1.4h, v%d.4s", acc(r, 2))
		f.w("fcvtn2 v1.8h, v%d.4s", acc(r, 3))
		f.g("VST1 [V0.H8, V1.H8], (R%d)", 13+r)
	}
	f.g("RET")

	f.raw("")
	f.raw("// func f32ToF16NEON(dst *uint16, src *float32, n int)")
	f.raw("// for i := range n { dst[i] = F32ToF16One(src[i]) }; n is a multiple of 8")
	f.raw("TEXT ·f32ToF16NEON(SB), NOSPLIT, $0-24")
	f.g("MOVD dst+0(FP), R0")
	f.g("MOVD src+8(FP), R1")
	f.g("MOVD n+16(FP), R2")
	f.g("LSR $3, R2, R2")
	f.g("CBZ R2, f32ToF16NEON_done")
	f.raw("f32ToF16NEON_loop:")
	f.g("VLD1.P 32(R1), [V0.S4, V1.S4]")
	f.w("fcvtn v2.4h, v0.4s")
	f.w("fcvtn2 v2.8h, v1.4s")
	f.g("VST1.P [V2.H8], 16(R0)")
	f.g("SUBS $1, R2, R2")
	f.g("BNE f32ToF16NEON_loop")
	f.raw("f32ToF16NEON_done:")
	f.g("RET")

	f.raw("")
	f.raw("// func f16ToF32NEON(dst *float32, src *uint16, n int)")
	f.raw("// for i := range n { dst[i] = F16ToF32One(src[i]) }; n is a multiple of 8")
	f.raw("TEXT ·f16ToF32NEON(SB), NOSPLIT, $0-24")
	f.g("MOVD dst+0(FP), R0")
	f.g("MOVD src+8(FP), R1")
	f.g("MOVD n+16(FP), R2")
	f.g("LSR $3, R2, R2")
	f.g("CBZ R2, f16ToF32NEON_done")
	f.raw("f16ToF32NEON_loop:")
	f.g("VLD1.P 16(R1), [V0.H8]")
	f.w("fcvtl v1.4s, v0.4h")
	f.w("fcvtl2 v2.4s, v0.8h")
	f.g("VST1.P [V1.S4, V2.S4], 32(R0)")
	f.g("SUBS $1, R2, R2")
	f.g("BNE f16ToF32NEON_loop")
	f.raw("f16ToF32NEON_done:")
	f.g("RET")
	return f
}

// Integer GEMM steps: each consumes one step of K from the four A row
// pointers R0..R3 and the panel pointer R4 into v16..v31.

// stepDot is 4 values of K: SDOT of (a ^ 0x80) as int8 with int8 weights
// (v8 holds 0x80 in every byte).
func stepDot(f *asmFile, bits int) {
	if bits == 8 {
		f.g("VLD1.P 64(R4), %s // w[k:k+4][0:16], 4 columns x 4 k per vector", vlist(0, 4, "B16"))
	} else {
		f.g("VLD1.P 32(R4), [V12.B16, V13.B16] // int4: low nibbles v0/v2, high v1/v3")
		for i, src := range []int{12, 13} {
			f.g("VSHL $4, V%d.B16, V%d.B16", src, 2*i)
			f.w("sshr v%d.16b, v%d.16b, #4", 2*i, 2*i)
			f.w("sshr v%d.16b, v%d.16b, #4", 2*i+1, src)
		}
	}
	for r := 0; r < 4; r++ {
		f.g("VLD1R.P 4(R%d), [V%d.S4] // a[%d][k:k+4] in every lane", r, 4+r, r)
		f.g("VEOR V8.B16, V%d.B16, V%d.B16 // a - 128 as int8", 4+r, 4+r)
	}
	for r := 0; r < 4; r++ {
		for j := 0; j < 4; j++ {
			f.w("sdot v%d.4s, v%d.16b, v%d.16b", acc(r, j), j, 4+r)
		}
	}
}

// stepWide is 1 value of K: weights sign-extended to 16 bits, a zero-extended,
// SMLAL/SMLAL2 into 32 bits.
func stepWide(f *asmFile, bits int) {
	if bits == 8 {
		f.g("VLD1.P 16(R4), [V12.B16] // w[k][0:16]")
		f.w("sxtl v0.8h, v12.8b")
		f.w("sxtl2 v1.8h, v12.16b")
	} else {
		f.g("VLD1.P 8(R4), [V12.B8] // int4: columns 0..7 low nibbles, 8..15 high")
		f.g("VSHL $4, V12.B8, V13.B8")
		f.w("sshr v13.8b, v13.8b, #4")
		f.w("sshr v12.8b, v12.8b, #4")
		f.w("sxtl v0.8h, v13.8b")
		f.w("sxtl v1.8h, v12.8b")
	}
	for r := 0; r < 4; r++ {
		f.g("VLD1R.P 1(R%d), [V%d.B8] // a[%d][k]", r, 4+r, r)
		f.g("VUXTL V%d.B8, V%d.H8", 4+r, 4+r)
	}
	for r := 0; r < 4; r++ {
		f.w("smlal v%d.4s, v0.4h, v%d.4h", acc(r, 0), 4+r)
		f.w("smlal2 v%d.4s, v0.8h, v%d.8h", acc(r, 1), 4+r)
		f.w("smlal v%d.4s, v1.4h, v%d.4h", acc(r, 2), 4+r)
		f.w("smlal2 v%d.4s, v1.8h, v%d.8h", acc(r, 3), 4+r)
	}
}

// quantOut stores v16..v31 (4 rows of 16 after the float epilogue) either as
// float32 or quantized to uint8; C row pointers in R13..R16, output mode in
// R12: 0 float32, 1 two-step uint8 (y*invOut + zero, then the clamp). The
// one-step uint8 output (modes 2 and 3, see oneStepU8) computes its t apart
// and enters at fn_clamp, the clamp to [lo8, hi8] and the rounding.
func quantOut(f *asmFile, fn string, rows int) {
	f.g("CBNZ R12, %s_u8", fn)
	for r := 0; r < rows; r++ {
		f.g("VST1 %s, (R%d)", vlist(acc(r, 0), 4, "S4"), 13+r)
	}
	f.g("RET")
	f.raw("%s_u8:", fn)
	regs := rng(16, 16+4*rows)
	toOutScale(f, regs, gaInvOut, gaOutZ)
	f.raw("%s_clamp:", fn)
	f.g("FMOVS %d(R19), F14", gaLo8)
	f.g("VDUP V14.S[0], V14.S4 // lo8")
	f.g("FMOVS %d(R19), F13", gaHi8)
	f.g("VDUP V13.S[0], V13.S4 // hi8")
	for _, v := range regs {
		f.w("fmax v%d.4s, v%d.4s, v14.4s", v, v)
	}
	for _, v := range regs {
		f.w("fmin v%d.4s, v%d.4s, v13.4s", v, v)
	}
	for _, v := range regs {
		f.w("fcvtns v%d.4s, v%d.4s", v, v)
	}
	for r := 0; r < rows; r++ {
		narrow(f, acc(r, 0))
		f.g("VST1 [V0.B16], (R%d)", 13+r)
	}
	f.g("RET")
}

// oneStepU8 is the one-step uint8 output of GEMMQ without groups (output
// modes 2 and 3): the panel's alternate constants hold S8 and B8 in place
// of S and bias (R5 points at S8), act is 0, and t = B8 + float32(acc)*S8
// is one FMLA, rounded once (requantU8), into the accumulator register
// after its SCVTF went to a scratch register (v8..v11: one group, the
// steps are done, so v8's 0x80 and v9's zero are dead). Mode 3 adds the
// uint8 residual (requantU8Res): t += float32(r)*R8, a second FMLA rounded
// once, r's bytes widened by UXTL and converted exactly by UCVTF (the A
// row pointers R0..R3 are dead and take the residual rows). Then the C
// rows and quantOut's clamp.
func oneStepU8(f *asmFile, fn string) {
	f.raw("%s_one:", fn)
	f.g("VLD1.P 64(R5), %s // S8", vlist(0, 4, "S4"))
	f.g("VLD1 (R5), %s // B8", vlist(4, 4, "S4"))
	for r := 0; r < 4; r++ {
		for j := 0; j < 4; j++ {
			f.w("scvtf v%d.4s, v%d.4s", 8+j, acc(r, j))
		}
		for j := 0; j < 4; j++ {
			f.g("VMOV V%d.B16, V%d.B16", 4+j, acc(r, j))
		}
		for j := 0; j < 4; j++ {
			f.g("VFMLA V%d.S4, V%d.S4, V%d.S4 // t = B8 + float32(acc)*S8", j, 8+j, acc(r, j))
		}
	}
	for r := 0; r < 4; r++ {
		f.g("MOVD %d(R19), R%d // C row %d", gaC+8*r, 13+r, r)
	}
	f.g("CMP $3, R12")
	f.g("BNE %s_clamp", fn)
	f.g("FMOVS %d(R19), F15", gaR8)
	f.g("VDUP V15.S[0], V15.S4 // R8")
	for r := 0; r < 4; r++ {
		f.g("MOVD %d(R19), R%d // residual row %d", gaR+8*r, r, r)
	}
	for r := 0; r < 4; r++ {
		// Rows alternate between two register sets: the bytes, their two
		// halves widened to 16 bits, the four quarters to 32 bits.
		v := []int{0, 1, 2, 4, 5, 6, 7}
		if r%2 == 1 {
			v = []int{8, 9, 10, 11, 12, 13, 14}
		}
		f.g("VLD1 (R%d), [V%d.B16] // r[%d][0:16]", r, v[0], r)
		f.g("VUXTL V%d.B8, V%d.H8", v[0], v[1])
		f.g("VUXTL2 V%d.B16, V%d.H8", v[0], v[2])
		f.g("VUXTL V%d.H4, V%d.S4", v[1], v[3])
		f.g("VUXTL2 V%d.H8, V%d.S4", v[1], v[4])
		f.g("VUXTL V%d.H4, V%d.S4", v[2], v[5])
		f.g("VUXTL2 V%d.H8, V%d.S4", v[2], v[6])
		for j := 0; j < 4; j++ {
			f.w("ucvtf v%d.4s, v%d.4s", v[3+j], v[3+j])
		}
		for j := 0; j < 4; j++ {
			f.g("VFMLA V15.S4, V%d.S4, V%d.S4 // t += float32(r)*R8", v[3+j], acc(r, j))
		}
	}
	f.g("B %s_clamp", fn)
}

// toOutScale is y = y*invOut + zero on regs (sets v11, v12), the first step
// of QuantizeU8; the clamp to [0, 255] (lo8, hi8) and the rounding follow.
func toOutScale(f *asmFile, regs []int, offInv, offZ int) {
	f.g("FMOVS %d(R19), F11", offInv)
	f.g("VDUP V11.S[0], V11.S4 // invOut")
	f.g("FMOVS %d(R19), F12", offZ)
	f.g("VDUP V12.S[0], V12.S4 // float32(Out.Zero)")
	for _, v := range regs {
		f.w("fmul v%d.4s, v%d.4s, v11.4s", v, v)
	}
	for _, v := range regs {
		f.w("fadd v%d.4s, v%d.4s, v12.4s", v, v)
	}
}

// narrow packs the int32 values 0..255 of v..v+3 into the bytes of v0.
func narrow(f *asmFile, v int) {
	f.w("xtn v0.4h, v%d.4s", v)
	f.w("xtn2 v0.8h, v%d.4s", v+1)
	f.w("xtn v1.4h, v%d.4s", v+2)
	f.w("xtn2 v1.8h, v%d.4s", v+3)
	f.w("xtn v0.8b, v0.8h")
	f.w("xtn2 v0.16b, v1.8h")
}

func genGEMMQ() *asmFile {
	f := newFile("gemm_q_arm64.s", `Integer GEMM microkernels for arm64: uint8 A x int8/int4 B, 4 rows x 16
columns of int32 accumulators in v16..v31, per K group converted and
scaled into a float32 scratch, then the bit-exact integer epilogue (the
uint8 output without groups in one step, one FMLA from S8 and B8, and with
a uint8 residual one more FMLA from R8, see GEMMQ).
Dot variants (ASIMDDP) use SDOT on a ^ 0x80 (a - 128 as int8); the panel
constants then hold (128 - In.Zero) * sum(w) instead of -In.Zero * sum(w).
Wide variants (plain NEON) use UXTL/SXTL and SMLAL/SMLAL2.`)
	for _, v := range []struct {
		fn   string
		dot  bool
		bits int
	}{{"gemmQDot8", true, 8}, {"gemmQDot4", true, 4}, {"gemmQWide8", false, 8}, {"gemmQWide4", false, 4}} {
		fn := v.fn
		gemmHead(f, fn, fmt.Sprintf("int%d: C[4][16] = epilogue(sum over groups of float32(acc_g) * S_g)", v.bits))
		f.g("MOVD %d(R19), R6 // steps per group", gaK)
		f.g("MOVD %d(R19), R7 // steps of the last group", gaKLast)
		f.g("MOVD %d(R19), R8 // groups left", gaGroups)
		f.g("MOVD %d(R19), R9 // partial last step (dot) or nil", gaTail)
		f.g("MOVD %d(R19), R10 // y0 scratch, 4x16 float32", gaYtmp)
		f.g("MOVD %d(R19), R12 // output mode", gaOut8)
		if v.dot {
			f.g("VMOVI $128, V8.B16")
		}
		f.g("VEOR V9.B16, V9.B16, V9.B16")
		f.g("MOVD R8, R21 // groups")
		f.g("CMP $1, R21")
		f.g("BEQ %s_group // one group: y0 stays in registers", fn)
		f.g("MOVD R10, R20")
		for r := 0; r < 4; r++ {
			f.g("VST1.P [V9.B16], 16(R20) // y0 = 0")
			f.g("VST1.P [V9.B16], 16(R20)")
			f.g("VST1.P [V9.B16], 16(R20)")
			f.g("VST1.P [V9.B16], 16(R20)")
		}
		f.raw("%s_group:", fn)
		f.g("VLD1.P 64(R5), %s // acc = column constants of the group", vlist(16, 4, "S4"))
		for r := 1; r < 4; r++ {
			for j := 0; j < 4; j++ {
				f.g("VMOV V%d.B16, V%d.B16", acc(0, j), acc(r, j))
			}
		}
		f.g("CMP $1, R8")
		f.g("CSEL EQ, R7, R6, R17 // steps of this group")
		f.g("CBZ R17, %s_steps_done", fn)
		f.raw("%s_steps:", fn)
		if v.dot {
			stepDot(f, v.bits)
		} else {
			stepWide(f, v.bits)
		}
		f.g("SUBS $1, R17, R17")
		f.g("BNE %s_steps", fn)
		f.raw("%s_steps_done:", fn)
		if v.dot {
			f.g("CMP $1, R8")
			f.g("BNE %s_scale", fn)
			f.g("CBZ R9, %s_scale", fn)
			f.g("MOVD R9, R0 // the last K%%4 values of each row, zero padded")
			f.g("ADD $4, R9, R1")
			f.g("ADD $8, R9, R2")
			f.g("ADD $12, R9, R3")
			stepDot(f, v.bits)
			f.raw("%s_scale:", fn)
		}
		f.g("CMP $2, R12")
		f.g("BGE %s_one // one-step uint8 (one group), with or without a residual", fn)
		each(func(v int) { f.w("scvtf v%d.4s, v%d.4s", v, v) })
		f.g("VLD1.P 64(R5), %s // S of the group", vlist(0, 4, "S4"))
		each(func(v int) { f.w("fmul v%d.4s, v%d.4s, v%d.4s", v, v, (v-16)%4) })
		f.g("CMP $1, R21")
		f.g("BNE %s_accumulate", fn)
		each(func(v int) { f.w("fadd v%d.4s, v9.4s, v%d.4s // y0 = 0 + t", v, v) })
		f.g("B %s_bias", fn)
		f.raw("%s_accumulate:", fn)
		f.g("MOVD R10, R20")
		for r := 0; r < 4; r++ {
			f.g("VLD1 (R20), %s", vlist(4, 4, "S4"))
			for j := 0; j < 4; j++ {
				f.w("fadd v%d.4s, v%d.4s, v%d.4s // y0 += t", 4+j, 4+j, acc(r, j))
			}
			f.g("VST1.P %s, 64(R20)", vlist(4, 4, "S4"))
		}
		f.g("SUBS $1, R8, R8")
		f.g("BNE %s_group", fn)
		f.g("MOVD R10, R20")
		for r := 0; r < 4; r++ {
			f.g("VLD1.P 64(R20), %s", vlist(acc(r, 0), 4, "S4"))
		}
		f.raw("%s_bias:", fn)
		f.g("VLD1 (R5), %s // bias", vlist(0, 4, "S4"))
		each(func(v int) { f.w("fadd v%d.4s, v%d.4s, v%d.4s", v, v, (v-16)%4) })
		f.w("fmov v10.4s, #6.0")
		f.g("MOVD %d(R19), R11", gaAct)
		act(f, fn, "R11", rng(16, 32))
		for r := 0; r < 4; r++ {
			f.g("MOVD %d(R19), R%d // C row %d", gaC+8*r, 13+r, r)
		}
		quantOut(f, fn, 4)
		oneStepU8(f, fn)
	}
	return f
}

// Depthwise: one output pixel per call, channel blocks in a loop. Tap
// pointers R0..R8 (out-of-image taps point at a padding row), out R9,
// weights R10, constants R11, blocks R12, act R13.

func dwHead(f *asmFile, fn, doc string) {
	f.raw("")
	f.raw("// func %s(p *dwArgs)", fn)
	f.raw("// %s", doc)
	f.raw("TEXT ·%s(SB), NOSPLIT, $0-8", fn)
	f.g("MOVD p+0(FP), R19")
	for t := 0; t < 9; t++ {
		f.g("MOVD %d(R19), R%d // tap %d", daIn+8*t, t, t)
	}
	f.g("MOVD %d(R19), R9 // out", daOut)
	f.g("MOVD %d(R19), R10 // weights", daW)
	f.g("MOVD %d(R19), R11 // constants", daMeta)
	f.g("MOVD %d(R19), R12 // channel blocks", daNblk)
	f.g("MOVD %d(R19), R13 // act", daAct)
	consts(f)
	f.g("CBZ R12, %s_done", fn)
}

func genDW() *asmFile {
	f := newFile("dw_arm64.s", `3x3 depthwise microkernels for arm64: one output pixel, all whole channel
blocks; taps outside the image point at a padding row (zeros, or In.Zero).`)

	fn := "dwF32NEON"
	dwHead(f, fn, "out[c] = act(sum_t in_t[c]*w[t][c] * scale[c] + bias[c]), blocks of 8 channels")
	f.raw("%s_block:", fn)
	f.g("VEOR V16.B16, V16.B16, V16.B16")
	f.g("VEOR V17.B16, V17.B16, V17.B16")
	for t := 0; t < 9; t++ {
		f.g("VLD1.P 32(R%d), [V0.S4, V1.S4]", t)
		f.g("VLD1.P 32(R10), [V2.S4, V3.S4]")
		f.g("VFMLA V0.S4, V2.S4, V16.S4")
		f.g("VFMLA V1.S4, V3.S4, V17.S4")
	}
	dwFloatEpi(f, fn)
	f.g("VST1.P [V16.S4, V17.S4], 32(R9)")
	dwTail(f, fn)

	for _, native := range []bool{false, true} {
		fn := "dwF16NEON"
		doc := "binary16 in and out, FCVTL to float32 and FMLA, blocks of 8 channels"
		if native {
			fn = "dwF16FP16"
			doc = "binary16 in and out, FMLA .8H accumulating in binary16 (FPHP/ASIMDHP), blocks of 8"
		}
		dwHead(f, fn, doc)
		f.raw("%s_block:", fn)
		if native {
			f.g("VEOR V18.B16, V18.B16, V18.B16")
		} else {
			f.g("VEOR V16.B16, V16.B16, V16.B16")
			f.g("VEOR V17.B16, V17.B16, V17.B16")
		}
		for t := 0; t < 9; t++ {
			f.g("VLD1.P 16(R%d), [V0.H8]", t)
			f.g("VLD1.P 16(R10), [V3.H8]")
			if native {
				f.w("fmla v18.8h, v0.8h, v3.8h")
				continue
			}
			f.w("fcvtl v1.4s, v0.4h")
			f.w("fcvtl2 v2.4s, v0.8h")
			f.w("fcvtl v4.4s, v3.4h")
			f.w("fcvtl2 v5.4s, v3.8h")
			f.g("VFMLA V1.S4, V4.S4, V16.S4")
			f.g("VFMLA V2.S4, V5.S4, V17.S4")
		}
		if native {
			f.w("fcvtl v16.4s, v18.4h")
			f.w("fcvtl2 v17.4s, v18.8h")
		}
		dwFloatEpi(f, fn)
		f.w("fcvtn v0.4h, v16.4s")
		f.w("fcvtn2 v0.8h, v17.4s")
		f.g("VST1.P [V0.H8], 16(R9)")
		dwTail(f, fn)
	}

	for _, v := range []struct {
		fn   string
		dot  bool
		bits int
	}{{"dwQDot8", true, 8}, {"dwQDot4", true, 4}, {"dwQWide8", false, 8}, {"dwQWide4", false, 4}} {
		fn := v.fn
		dwHead(f, fn, fmt.Sprintf("int%d, blocks of 16 channels, integer epilogue", v.bits))
		f.g("MOVD %d(R19), R14 // uint8 output", daOut8)
		f.g("FMOVS %d(R19), F14", daLo8)
		f.g("VDUP V14.S[0], V14.S4 // max(Lo8, 0)")
		f.g("FMOVS %d(R19), F13", daHi8)
		f.g("VDUP V13.S[0], V13.S4 // Hi8")
		if v.dot {
			f.g("VMOVI $128, V8.B16")
		}
		f.raw("%s_block:", fn)
		f.g("VLD1.P 64(R11), %s // acc = channel constants", vlist(16, 4, "S4"))
		if v.dot {
			// Taps in groups of four, interleaved so that each int32 lane
			// holds one channel's four taps; the last group is tap 8 alone
			// (the weights of the three dummy taps are zero).
			for _, grp := range [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 8, 8, 8}} {
				for i, t := range grp {
					if i > 0 && t == grp[0] {
						f.g("VMOV V0.B16, V%d.B16", i)
						continue
					}
					f.g("VLD1.P 16(R%d), [V%d.B16]", t, i)
					f.g("VEOR V8.B16, V%d.B16, V%d.B16 // x - 128 as int8", i, i)
				}
				f.w("zip1 v4.16b, v0.16b, v1.16b")
				f.w("zip2 v5.16b, v0.16b, v1.16b")
				f.w("zip1 v6.16b, v2.16b, v3.16b")
				f.w("zip2 v7.16b, v2.16b, v3.16b")
				f.w("zip1 v0.8h, v4.8h, v6.8h")
				f.w("zip2 v1.8h, v4.8h, v6.8h")
				f.w("zip1 v2.8h, v5.8h, v7.8h")
				f.w("zip2 v3.8h, v5.8h, v7.8h")
				if v.bits == 8 {
					f.g("VLD1.P 64(R10), %s", vlist(20, 4, "B16"))
				} else {
					f.g("VLD1.P 32(R10), [V24.B16, V25.B16]")
					for i, src := range []int{24, 25} {
						f.g("VSHL $4, V%d.B16, V%d.B16", src, 20+2*i)
						f.w("sshr v%d.16b, v%d.16b, #4", 20+2*i, 20+2*i)
						f.w("sshr v%d.16b, v%d.16b, #4", 21+2*i, src)
					}
				}
				for j := 0; j < 4; j++ {
					f.w("sdot v%d.4s, v%d.16b, v%d.16b", 16+j, j, 20+j)
				}
			}
		} else {
			for t := 0; t < 9; t++ {
				f.g("VLD1.P 16(R%d), [V0.B16]", t)
				f.g("VUXTL V0.B8, V1.H8")
				f.g("VUXTL2 V0.B16, V2.H8")
				if v.bits == 8 {
					f.g("VLD1.P 16(R10), [V3.B16]")
					f.w("sxtl v4.8h, v3.8b")
					f.w("sxtl2 v5.8h, v3.16b")
				} else {
					f.g("VLD1.P 8(R10), [V3.B8] // channels 0..7 low nibbles, 8..15 high")
					f.g("VSHL $4, V3.B8, V4.B8")
					f.w("sshr v4.8b, v4.8b, #4")
					f.w("sshr v5.8b, v3.8b, #4")
					f.w("sxtl v4.8h, v4.8b")
					f.w("sxtl v5.8h, v5.8b")
				}
				f.w("smlal v16.4s, v1.4h, v4.4h")
				f.w("smlal2 v17.4s, v1.8h, v4.8h")
				f.w("smlal v18.4s, v2.4h, v5.4h")
				f.w("smlal2 v19.4s, v2.8h, v5.8h")
			}
		}
		regs := rng(16, 20)
		for _, r := range regs {
			f.w("scvtf v%d.4s, v%d.4s", r, r)
		}
		f.g("CBNZ R14, %s_u8", fn)
		// float output: y = act(float32(acc)*S + bias), rounded twice.
		f.g("VLD1.P 64(R11), %s // S", vlist(0, 4, "S4"))
		for j, r := range regs {
			f.w("fmul v%d.4s, v%d.4s, v%d.4s", r, r, j)
		}
		f.g("VLD1.P 64(R11), %s // bias", vlist(0, 4, "S4"))
		for j, r := range regs {
			f.w("fadd v%d.4s, v%d.4s, v%d.4s", r, r, j)
		}
		act(f, fn, "R13", regs)
		f.g("VST1.P %s, 64(R9)", vlist(16, 4, "S4"))
		f.g("B %s_next", fn)
		// uint8 output: meta holds S8 and B8 and act is 0 (see DepthwiseQ):
		// t = B8 + float32(acc)*S8 in one FMLA, rounded once (requantU8),
		// is already in the output scale; clamp and round.
		f.raw("%s_u8:", fn)
		f.g("VLD1.P 64(R11), %s // S8", vlist(0, 4, "S4"))
		f.g("VLD1.P 64(R11), %s // B8", vlist(4, 4, "S4"))
		t8 := rng(4, 8)
		for j, r := range regs {
			f.g("VFMLA V%d.S4, V%d.S4, V%d.S4 // t = B8 + float32(acc)*S8", j, r, t8[j])
		}
		for _, r := range t8 {
			f.w("fmax v%d.4s, v%d.4s, v14.4s", r, r)
		}
		for _, r := range t8 {
			f.w("fmin v%d.4s, v%d.4s, v13.4s", r, r)
		}
		for _, r := range t8 {
			f.w("fcvtns v%d.4s, v%d.4s", r, r)
		}
		narrow(f, 4)
		f.g("VST1.P [V0.B16], 16(R9)")
		f.raw("%s_next:", fn)
		dwTail(f, fn)
	}
	return f
}

// dwFloatEpilogue: v16, v17 = act(acc*scale + bias), constants at R11
// (scale[8], bias[8] per block).
func dwFloatEpi(f *asmFile, fn string) {
	f.g("VLD1.P 64(R11), %s // scale[8], bias[8]", vlist(4, 4, "S4"))
	f.w("fmul v16.4s, v16.4s, v4.4s")
	f.w("fmul v17.4s, v17.4s, v5.4s")
	f.w("fadd v16.4s, v16.4s, v6.4s")
	f.w("fadd v17.4s, v17.4s, v7.4s")
	act(f, fn, "R13", []int{16, 17})
}

func dwTail(f *asmFile, fn string) {
	f.g("SUBS $1, R12, R12")
	f.g("BNE %s_block", fn)
	f.raw("%s_done:", fn)
	f.g("RET")
}
