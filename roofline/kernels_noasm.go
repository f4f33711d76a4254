//go:build !amd64 || !gc || purego

package roofline

// selectKernels: without assembly the probe runs the generic Go loops.
func selectKernels() kernelSet { return genericKernels() }
