package dataset

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
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

// FuzzFolderImage: any bytes as an image file give a set of the target size
// or an error naming the file, never a panic.
func FuzzFolderImage(f *testing.F) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 3, 7)))
	f.Add(buf.Bytes())
	f.Add(pngHeader(1, 5000))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "x.png"), b, 0o644)
		s, err := OpenWith(dir, Options{H: 8, W: 6})
		switch {
		case err != nil && !strings.Contains(err.Error(), "x.png"):
			t.Fatalf("error %v does not name the file", err)
		case err == nil && (s.Len() != 1 || len(s.pix) != 3*8*6):
			t.Fatalf("%d images, %d bytes", s.Len(), len(s.pix))
		}
	})
}
