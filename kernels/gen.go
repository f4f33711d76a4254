package kernels

// Every assembly file of this package and the Go declarations of its
// functions are generated, by the commands under internal/ (all in Go; each
// output starts with "// Code generated ... DO NOT EDIT."). One command
// rewrites them all:
//
//	go generate ./kernels
//
// asmgen (arm64) encodes the instructions the Go assembler lacks with
// llvm-mc. make check-generated runs these same lines into a temporary
// directory and fails when a committed file differs or a generated file has
// no generator.

//go:generate go run ../internal/gemmgen -dir .
//go:generate go run ../internal/gemmqgen -dir .
//go:generate go run ../internal/dwgen -dir .
//go:generate go run ../internal/asmgen -dir .
