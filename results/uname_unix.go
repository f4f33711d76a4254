//go:build linux || darwin || freebsd || netbsd || openbsd

package results

import "golang.org/x/sys/unix"

// kernelRelease is uname -r, or "" when uname fails.
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}
