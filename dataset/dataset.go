// Package dataset loads image sets for evaluation and calibration:
// CIFAR-10 binary record files (one or several, or the official
// cifar-10-binary.tar.gz read directly), folders with one subfolder of
// PNG/JPEG images per class, and folders of unlabelled PNG/JPEG images.
//
// A class folder's label is its index in a class list (Options.Classes,
// else classes.txt in the folder, else CIFAR-10's order when every
// subfolder is a CIFAR-10 class name, else name order); a set whose
// subfolders cannot cover the model's outputs without a list is refused
// rather than mislabelled. Images of another size than the model's input
// are resized (shorter side to the target) and center-cropped.
//
// A Set holds every image decoded once as bytes (C planes of H x W, the
// CIFAR record order); Images and ImagesNHWC convert a range to float32 in
// [0,1] (byte/255, what the shipped models expect) in the layout the caller
// runs, and Pixels exposes the bytes for engines that quantize inputs.
package dataset

import (
	"errors"
	"fmt"
	"math"
	"os"
)

// Set is an image set held in memory, labelled or not.
type Set struct {
	Name    string   // the path it was opened from
	Classes []string // class names if known (class list or folder names)
	C, H, W int
	pix     []uint8 // image i at pix[i*C*H*W:], planar C x H x W
	n       int
	labels  []int32 // nil: unlabelled
}

// ErrNoLabels is returned by Labels on an unlabelled set.
var ErrNoLabels = errors.New("no labels")

// Len is the number of images.
func (s *Set) Len() int { return s.n }

// Labelled reports whether the set has a label per image.
func (s *Set) Labelled() bool { return s.labels != nil }

// WithoutLabels returns the set with its labels dropped; the pixels are shared.
func (s *Set) WithoutLabels() *Set {
	c := *s
	c.labels = nil
	return &c
}

// WithLabels returns the set with labels replaced (e.g. a reference model's
// predictions, for agreement with it); the pixels are shared.
func (s *Set) WithLabels(labels []int) (*Set, error) {
	if len(labels) != s.n {
		return nil, fmt.Errorf("dataset %s: %d labels for %d images", s.Name, len(labels), s.n)
	}
	c := *s
	c.labels = make([]int32, len(labels))
	for i, l := range labels {
		if l < 0 || l > math.MaxInt32 {
			return nil, fmt.Errorf("dataset %s: label %d of image %d out of range", s.Name, l, i)
		}
		c.labels[i] = int32(l)
	}
	return &c, nil
}

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

// Labels returns the class indices of images offset..offset+n-1; an
// unlabelled set gives an error wrapping ErrNoLabels.
func (s *Set) Labels(offset, n int) ([]int, error) {
	if err := s.check(offset, n, -1); err != nil {
		return nil, err
	}
	if s.labels == nil {
		return nil, fmt.Errorf("dataset %s: %w (unlabelled images)", s.Name, ErrNoLabels)
	}
	r := make([]int, n)
	for i := range r {
		r[i] = int(s.labels[offset+i])
	}
	return r, nil
}

// Options are what the caller knows about the model the set is for; the
// zero value keeps the images as they are.
type Options struct {
	// H, W: the model's input size. Images of another size are resized so
	// the shorter side fits (both sides cover the target), then
	// center-cropped. 0: no resizing, every image must have the first's size.
	H, W int
	// Classes is the label order of a class-folder set (overrides
	// classes.txt); every subfolder must be listed.
	Classes []string
	// Outputs is the model's number of classes (its output width), 0 if
	// unknown. A class-folder set that cannot be labelled for it without a
	// class list is refused (ErrClassList).
	Outputs int
	// Unlabelled drops the labels: class subfolders are read as plain
	// image folders, CIFAR-10 labels are ignored.
	Unlabelled bool
}

// ErrClassList is wrapped by the error for a class-folder set whose labels
// would be wrong without a class list.
var ErrClassList = errors.New("class list needed")

// Open loads a data set as it is (Options{}); see OpenWith.
func Open(path string) (*Set, error) { return OpenWith(path, Options{}) }

// OpenWith loads a data set: a directory of class subfolders (PNG/JPEG), a
// directory of PNG/JPEG images without subfolders (unlabelled), a
// directory of CIFAR-10 .bin files (all read, in name order), a CIFAR-10
// binary file, or the official cifar-10-binary.tar.gz (its test_batch.bin;
// OpenCIFARTarGz selects the training batches).
func OpenWith(path string, o Options) (*Set, error) {
	if o.H < 0 || o.W < 0 || (o.H == 0) != (o.W == 0) {
		return nil, fmt.Errorf("dataset: target size %dx%d", o.W, o.H)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var s *Set
	folder := false
	if fi.IsDir() {
		s, folder, err = openDir(path, o)
	} else {
		s, err = openFile(path)
	}
	if err != nil {
		return nil, err
	}
	if folder {
		return s, nil // class list, labels and size handled while reading
	}
	if o.Classes != nil {
		return nil, fmt.Errorf("dataset: %s: a class list applies to class-folder sets, this is CIFAR-10 binary", path)
	}
	if o.Unlabelled {
		s = s.WithoutLabels()
	}
	if o.H > 0 && (o.H != s.H || o.W != s.W) {
		if err := s.resize(o.H, o.W); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func openFile(path string) (*Set, error) {
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
