//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package results

// kernelRelease is unknown without uname.
func kernelRelease() string { return "" }
