package dataset

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShippedCIFAR(t *testing.T) {
	s, err := Open("../data/cifar10/cifar10-test.bin")
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 10000 || s.C != 3 || s.H != 32 || s.W != 32 || len(s.Classes) != 10 {
		t.Fatalf("len %d, %dx%dx%d, classes %v", s.Len(), s.C, s.H, s.W, s.Classes)
	}
	labels, err := s.Labels(0, 20)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range labels {
		if l != i%10 { // README: records are interleaved by class
			t.Fatalf("label %d = %d, want %d", i, l, i%10)
		}
	}
	raw, _ := os.ReadFile("../data/cifar10/cifar10-test.bin")
	const n = 3
	nchw := make([]float32, n*3072)
	nhwc := make([]float32, n*3072)
	if err := s.Images(5, n, nchw); err != nil {
		t.Fatal(err)
	}
	if err := s.ImagesNHWC(5, n, nhwc); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		rec := raw[(5+i)*3073:]
		for c := range 3 {
			for p := range 1024 {
				want := float32(rec[1+c*1024+p]) / 255
				if nchw[i*3072+c*1024+p] != want || nhwc[i*3072+p*3+c] != want {
					t.Fatalf("image %d channel %d pixel %d: NCHW %v NHWC %v, want %v", 5+i, c, p, nchw[i*3072+c*1024+p], nhwc[i*3072+p*3+c], want)
				}
			}
		}
	}
	if err := s.Images(9999, 2, nchw); err == nil {
		t.Error("range past the end accepted")
	}
	if err := s.Images(0, 4, nchw); err == nil {
		t.Error("short destination accepted")
	}
}

func record(label byte, fill byte) []byte {
	return append([]byte{label}, bytes.Repeat([]byte{fill}, cifarImage)...)
}

func TestCIFARErrors(t *testing.T) {
	dir := t.TempDir()
	trunc := filepath.Join(dir, "trunc.bin")
	os.WriteFile(trunc, append(record(1, 2), 3, 4), 0o644)
	badLabel := filepath.Join(dir, "label.bin")
	os.WriteFile(badLabel, record(10, 0), 0o644)
	empty := filepath.Join(dir, "empty.bin")
	os.WriteFile(empty, nil, 0o644)
	for _, c := range []struct{ path, want string }{
		{trunc, "whole number"}, {badLabel, "label 10"}, {empty, "no images"}, {filepath.Join(dir, "missing.bin"), "no such file"},
	} {
		_, err := Open(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.path)) {
			t.Errorf("%s: error %v, want one naming the file and %q", c.path, err, c.want)
		}
	}
}

func TestCIFARDirectoryOfBins(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "b.bin"), append(record(2, 20), record(3, 30)...), 0o644)
	os.WriteFile(filepath.Join(dir, "a.bin"), record(1, 10), 0o644)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := s.Labels(0, 3)
	if s.Len() != 3 || l[0] != 1 || l[1] != 2 || l[2] != 3 {
		t.Fatalf("len %d labels %v, want files in name order", s.Len(), l)
	}
	px, _ := s.Pixels(2, 1)
	if px[0] != 30 || len(px) != cifarImage {
		t.Fatalf("pixels %d.. (%d bytes)", px[0], len(px))
	}
}

func tarGz(t *testing.T, files map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range []string{"cifar-10-batches-bin/batches.meta.txt", "cifar-10-batches-bin/data_batch_2.bin", "cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/test_batch.bin", "cifar-10-batches-bin/readme.html"} {
		data, ok := files[name]
		if !ok {
			continue
		}
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestCIFARTarGz(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cifar-10-binary.tar.gz")
	os.WriteFile(p, tarGz(t, map[string][]byte{
		"cifar-10-batches-bin/batches.meta.txt": []byte("airplane\nautomobile\n\n"),
		"cifar-10-batches-bin/data_batch_1.bin": append(record(1, 1), record(2, 2)...),
		"cifar-10-batches-bin/data_batch_2.bin": record(3, 3),
		"cifar-10-batches-bin/test_batch.bin":   record(7, 7),
		"cifar-10-batches-bin/readme.html":      []byte("<html>"),
	}), 0o644)
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Labels(0, 1); s.Len() != 1 || l[0] != 7 || len(s.Classes) != 2 {
		t.Fatalf("default split: len %d labels %v classes %v, want the test batch", s.Len(), l, s.Classes)
	}
	s, err = OpenCIFARTarGz(p, "train")
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Labels(0, 3); s.Len() != 3 || l[0] != 1 || l[2] != 3 {
		t.Fatalf("train split: labels %v, want data_batch_1 then _2", l)
	}
	if s, _ = OpenCIFARTarGz(p, "all"); s.Len() != 4 {
		t.Fatalf("all: %d images", s.Len())
	}
	bad := filepath.Join(t.TempDir(), "x.tar.gz")
	data, _ := os.ReadFile(p)
	os.WriteFile(bad, data[:len(data)/2], 0o644)
	if _, err := Open(bad); err == nil || !strings.Contains(err.Error(), "x.tar.gz") {
		t.Errorf("truncated archive: error %v", err)
	}
}

func writePNG(t *testing.T, path string, w, h int, v uint8) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{v, v + 1, v + 2, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFolderLayout(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "cat", "1.png"), 4, 3, 10)
	writePNG(t, filepath.Join(dir, "airplane", "a.png"), 4, 3, 20)
	writePNG(t, filepath.Join(dir, "airplane", "b.PNG"), 4, 3, 30)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// CIFAR-10 class names without a list: CIFAR-10's labels (cat is 3).
	l, _ := s.Labels(0, 3)
	if s.Len() != 3 || s.Classes[0] != "airplane" || l[0] != 0 || l[2] != 3 || s.H != 3 || s.W != 4 {
		t.Fatalf("len %d classes %v labels %v size %dx%d", s.Len(), s.Classes, l, s.W, s.H)
	}
	px, _ := s.Pixels(1, 1)
	if px[0] != 30 || px[12] != 31 || px[24] != 32 {
		t.Fatalf("planes R,G,B: %v", px)
	}
	if err := s.CheckSize(3, 32, 32); err == nil {
		t.Error("CheckSize accepted 3x4 images for a 32x32 model")
	}
	// classes.txt fixes the order.
	os.WriteFile(filepath.Join(dir, "classes.txt"), []byte("cat\nairplane\n"), 0o644)
	s, _ = Open(dir)
	if l, _ := s.Labels(0, 1); l[0] != 0 || s.Classes[0] != "cat" {
		t.Fatalf("classes.txt order ignored: %v %v", s.Classes, l)
	}
	// A wrong size is an error naming the file.
	writePNG(t, filepath.Join(dir, "cat", "2.png"), 5, 3, 0)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "2.png") {
		t.Errorf("mixed sizes: error %v", err)
	}
	empty := t.TempDir()
	os.Mkdir(filepath.Join(empty, "cat"), 0o755)
	if _, err := Open(empty); err == nil || !strings.Contains(err.Error(), "no images") {
		t.Errorf("empty class folders: error %v", err)
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Error("empty folder accepted")
	}
	corrupt := t.TempDir()
	os.MkdirAll(filepath.Join(corrupt, "cat"), 0o755)
	os.WriteFile(filepath.Join(corrupt, "cat", "x.jpg"), []byte("not a jpeg"), 0o644)
	if _, err := Open(corrupt); err == nil || !strings.Contains(err.Error(), "x.jpg") {
		t.Errorf("corrupt image: error %v", err)
	}
}
