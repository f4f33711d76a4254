//go:build !amd64 || !gc || purego

package engine

const hasEpilogueAsm = false

func addActU8Asm(dst, r *uint8, y *float32, n int, p *epiParams) { panic("unreachable") }
func addActF32Asm(y, r *float32, n int, p *epiParams)            { panic("unreachable") }
func addActDeqAsm(y *float32, r *uint8, n int, p *epiParams)     { panic("unreachable") }
func quantizeU8Asm(dst *uint8, y *float32, n int, p *epiParams)  { panic("unreachable") }

func copyStridedAsm(dst, src *byte, count, dstStride, srcStride, n int) { panic("unreachable") }
