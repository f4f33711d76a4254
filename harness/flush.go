package harness

import (
	"github.com/klauspost/cpuid/v2"
)

// flusher evicts the caches by writing then reading a buffer larger than the
// last-level cache.
type flusher struct {
	buf  []uint64
	sink uint64
}

func newFlusher(bytes int) *flusher {
	if bytes == 0 {
		bytes = 2 * max(cpuid.CPU.Cache.L3, cpuid.CPU.Cache.L2, 0)
		bytes = max(bytes, 64<<20)
	}
	return &flusher{buf: make([]uint64, bytes/8)}
}

func (f *flusher) run() {
	s := f.sink
	for i := range f.buf {
		f.buf[i] += s
		s += f.buf[i] >> 7
	}
	f.sink = s
}
