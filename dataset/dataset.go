// Package dataset loads labelled image sets for evaluation and calibration:
// CIFAR-10 binary record files (one or several, or the official
// cifar-10-binary.tar.gz read directly) and folders with one subfolder of
// PNG/JPEG images per class.
//
// A Set holds every image decoded once as bytes (C planes of H x W, the
// CIFAR record order); Images and ImagesNHWC convert a range to float32 in
// [0,1] (byte/255, what the shipped models expect) in the layout the caller
// runs, and Pixels exposes the bytes for engines that quantize inputs.
package dataset

import (
	"errors"
	"fmt"
	"os"
)

// Set is a labelled image set held in memory.
type Set struct {
	Name    string   // the path it was opened from
	Classes []string // class names if known (classes.txt or folder names)
	C, H, W int
	pix     []uint8 // image i at pix[i*C*H*W:], planar C x H x W
	labels  []uint8
}

// Len is the number of images.
func (s *Set) Len() int { return len(s.labels) }

// ImageSize is C*H*W, the float32 count per image.
func (s *Set) ImageSize() int { return s.C * s.H * s.W }

func (s *Set) check(offset, n, dst int) error {
	if offset < 0 || n < 0 || offset+n > s.Len() {
		return fmt.Errorf("dataset %s: images %d..%d out of range [0,%d)", s.Name, offset, offset+n, s.Len())
	}
	if dst >= 0 && dst < n*s.ImageSize() {
		return fmt.Errorf("dataset %s: destination holds %d values, %d images need %d", s.Name, dst, n, n*s.ImageSize())
	}
	return nil
}

// Images writes images offset..offset+n-1 to dst as NCHW float32 in [0,1].
func (s *Set) Images(offset, n int, dst []float32) error {
	if err := s.check(offset, n, len(dst)); err != nil {
		return err
	}
	src := s.pix[offset*s.ImageSize() : (offset+n)*s.ImageSize()]
	for i, v := range src {
		dst[i] = float32(v) / 255
	}
	return nil
}

// ImagesNHWC writes images offset..offset+n-1 to dst as NHWC float32 in [0,1].
func (s *Set) ImagesNHWC(offset, n int, dst []float32) error {
	if err := s.check(offset, n, len(dst)); err != nil {
		return err
	}
	plane := s.H * s.W
	for i := range n {
		src := s.pix[(offset+i)*s.ImageSize():][:s.ImageSize()]
		out := dst[i*s.ImageSize():][:s.ImageSize()]
		for c := range s.C {
			for p := range plane {
				out[p*s.C+c] = float32(src[c*plane+p]) / 255
			}
		}
	}
	return nil
}

// Pixels returns the raw bytes of images offset..offset+n-1 (planar CHW per
// image). The slice aliases the set: do not modify it.
func (s *Set) Pixels(offset, n int) ([]uint8, error) {
	if err := s.check(offset, n, -1); err != nil {
		return nil, err
	}
	return s.pix[offset*s.ImageSize() : (offset+n)*s.ImageSize()], nil
}

// Labels returns the class indices of images offset..offset+n-1.
func (s *Set) Labels(offset, n int) ([]int, error) {
	if err := s.check(offset, n, -1); err != nil {
		return nil, err
	}
	r := make([]int, n)
	for i := range r {
		r[i] = int(s.labels[offset+i])
	}
	return r, nil
}

// Open loads a data set: a directory of class subfolders (PNG/JPEG), a
// directory of CIFAR-10 .bin files (all read, in name order), a CIFAR-10
// binary file, or the official cifar-10-binary.tar.gz (its test_batch.bin;
// OpenCIFARTarGz selects the training batches).
func Open(path string) (*Set, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if fi.IsDir() {
		return openDir(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	var magic [2]byte
	if _, err := f.ReadAt(magic[:], 0); err == nil && magic == [2]byte{0x1f, 0x8b} {
		return openTarGz(path, f, "")
	}
	return OpenCIFAR(path)
}

var errEmpty = errors.New("no images")
