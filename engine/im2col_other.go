//go:build !amd64 || !gc || purego

package engine

func im2colRowAsm(dst, base *byte, offs *int, kh, count, step, n int) { panic("unreachable") }

func prefetchAsm(p *byte, n int) { panic("unreachable") }
