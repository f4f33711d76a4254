package harness

import "github.com/aiq-project/aiq/kernels"

// flusher evicts the caches by writing then reading a buffer larger than the
// last-level cache.
type flusher struct {
	buf  []uint64
	sink uint64
}

func newFlusher(bytes int) *flusher {
	if bytes == 0 {
		_, l2, l3 := kernels.CacheSizes()
		bytes = 2 * max(l3, l2)
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
