package dataset

import (
	"bytes"
	"testing"
)

// FuzzParseCIFAR: arbitrary bytes give a consistent set or an error, never a panic.
func FuzzParseCIFAR(f *testing.F) {
	f.Add(record(3, 9))
	f.Add(append(record(1, 0), 5))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseCIFAR(b, "fuzz.bin")
		if err != nil {
			return
		}
		dst := make([]float32, s.Len()*s.ImageSize())
		if err := s.Images(0, s.Len(), dst); err != nil {
			t.Fatal(err)
		}
		if l, err := s.Labels(0, s.Len()); err != nil || len(l) != len(b)/cifarRecord {
			t.Fatalf("labels %v, %v", l, err)
		}
	})
}

// FuzzTarGz: corrupt archives give errors, never panics.
func FuzzTarGz(f *testing.F) {
	good := tarGz(nil, map[string][]byte{"cifar-10-batches-bin/test_batch.bin": record(7, 7)})
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := openTarGz("fuzz.tar.gz", bytes.NewReader(b), "all")
		if err == nil && s.Len()*s.ImageSize() != len(s.pix) {
			t.Fatalf("%d images but %d pixel bytes", s.Len(), len(s.pix))
		}
	})
}
