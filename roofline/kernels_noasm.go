//go:build !amd64 || !gc || purego

package roofline

// Without assembly the generic Go kernels chosen in kernels_generic.go stay.
