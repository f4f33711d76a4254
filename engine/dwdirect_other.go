//go:build !amd64 || !gc || purego

package engine

func mulAddF32Asm(acc, w, x *float32, n int) { panic("unreachable") }
