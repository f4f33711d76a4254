package kernels

// Every assembly file of this package and the Go declarations of its
// functions are generated, by the commands under internal/ (all in Go; each
// output starts with "// Code generated ... DO NOT EDIT."). One command
// rewrites them all:
//
//	go generate ./kernels
//
// Instructions the Go assembler lacks go in as WORD/BYTE with the mnemonic
// in a comment, encoded by a tool, never by hand. On arm64 (SDOT, FP16
// arithmetic, FCVTL, widening multiplies ...) asmgen encodes them with
// llvm-mc. On amd64 the Go assembler knows every instruction used today;
// one it lacks (such as the VEX form of VPDPBUSD) would be written as a
// comment line and encoded with the module's tool asm2plan9s:
//
//	// {vex} vpdpbusd ymm0, ymm1, ymm2
//	go tool asm2plan9s file_amd64.s   (uses yasm, or GNU as when absent)
//
// make check-generated runs these same lines into a temporary
// directory and fails when a committed file differs or a generated file has
// no generator.

//go:generate go run ../internal/gemmgen -dir .
//go:generate go run ../internal/gemmqgen -dir .
//go:generate go run ../internal/dwgen -dir .
//go:generate go run ../internal/asmgen -dir .
