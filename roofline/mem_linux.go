package roofline

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// allocFloats maps n float32 of anonymous memory, asks for transparent huge
// pages (ignored where not allowed) and does not touch it: the owning thread
// touches it first so the pages land on its node. The memory is page
// aligned. free unmaps it.
func allocFloats(n int) (x []float32, hugePages bool, free func(), err error) {
	b, err := unix.Mmap(-1, 0, 4*n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, false, nil, fmt.Errorf("mmap %d bytes: %w", 4*n, err)
	}
	huge := unix.Madvise(b, unix.MADV_HUGEPAGE) == nil
	x = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), n)
	return x, huge, func() { _ = unix.Munmap(b) }, nil
}
