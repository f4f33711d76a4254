package dataset

import (
	"fmt"
	"image"
	_ "image/jpeg" // register decoders for the folder layout
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/draw"
)

// openDir reads a folder: class subfolders of PNG/JPEG images, PNG/JPEG
// images without subfolders (unlabelled), or else every CIFAR-10 *.bin
// file in it (sorted by name). folder is false for the .bin case, whose
// options the caller applies.
func openDir(dir string, o Options) (s *Set, folder bool, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, fmt.Errorf("dataset: %w", err)
	}
	var subdirs, bins, loose []string
	for _, e := range ents {
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.IsDir():
			subdirs = append(subdirs, e.Name())
		case strings.HasSuffix(e.Name(), ".bin"):
			bins = append(bins, filepath.Join(dir, e.Name()))
		case isImage(e.Name()):
			loose = append(loose, filepath.Join(dir, e.Name()))
		}
	}
	switch {
	case len(subdirs) == 0 && len(loose) == 0 && len(bins) > 0:
		s, err := OpenCIFAR(bins...)
		return s, false, err
	case len(subdirs) == 0 && len(loose) == 0:
		return nil, true, fmt.Errorf("dataset: %s: %w (no class subfolders, no PNG/JPEG images and no CIFAR-10 .bin files)", dir, errEmpty)
	case len(subdirs) > 0 && len(loose) > 0 && !o.Unlabelled:
		return nil, true, fmt.Errorf("dataset: %s: both class subfolders and images (%s) at the top; move the images into class folders, or read them all unlabelled", dir, filepath.Base(loose[0]))
	}
	s = &Set{Name: dir, C: 3, H: o.H, W: o.W}
	r := &reader{s: s, fixed: o.H > 0}
	if len(subdirs) == 0 || o.Unlabelled {
		// Unlabelled: the top-level images, then every subfolder's, in name order.
		for _, p := range loose {
			if err := r.addImageFile(p, -1); err != nil {
				return nil, true, err
			}
		}
		for _, d := range subdirs {
			if err := r.addClassDir(filepath.Join(dir, d), -1); err != nil {
				return nil, true, err
			}
		}
		if s.Len() == 0 {
			return nil, true, fmt.Errorf("dataset: %s: %w (PNG or JPEG files)", dir, errEmpty)
		}
		return s, true, nil
	}
	if s.Classes, err = classList(dir, subdirs, o); err != nil {
		return nil, true, err
	}
	s.labels = []int32{}
	for label, class := range s.Classes {
		if !slices.Contains(subdirs, class) {
			continue // listed, no images
		}
		if err := r.addClassDir(filepath.Join(dir, class), label); err != nil {
			return nil, true, err
		}
	}
	if s.Len() == 0 {
		return nil, true, fmt.Errorf("dataset: %s: %w (PNG or JPEG files in class subfolders)", dir, errEmpty)
	}
	return s, true, nil
}

// classList is the label order of a class-folder set: o.Classes, else
// classes.txt, else CIFAR-10's when every subfolder is a CIFAR-10 class and
// the model has 10 outputs (or an unknown number), else the subfolders in
// name order when they are as many as the model's outputs.
func classList(dir string, subdirs []string, o Options) ([]string, error) {
	list, from := o.Classes, "the class list"
	if list == nil {
		list, from = readClassNames(dir), filepath.Join(dir, "classes.txt")
	}
	if list != nil {
		seen := map[string]bool{}
		for _, c := range list {
			if seen[c] {
				return nil, fmt.Errorf("dataset: %s: class %q listed twice in %s", dir, c, from)
			}
			seen[c] = true
		}
		for _, d := range subdirs {
			if !seen[d] {
				return nil, fmt.Errorf("dataset: %s: subfolder %q is not listed in %s", dir, d, from)
			}
		}
		if o.Outputs > 0 && len(list) != o.Outputs {
			return nil, fmt.Errorf("dataset: %s: %s lists %d classes, the model has %d outputs", dir, from, len(list), o.Outputs)
		}
		return list, nil
	}
	cifar := CIFAR10Classes()
	allCIFAR := true
	for _, d := range subdirs {
		allCIFAR = allCIFAR && slices.Contains(cifar, d)
	}
	if allCIFAR && (o.Outputs == 10 || o.Outputs == 0) {
		return cifar, nil
	}
	if o.Outputs > 0 && len(subdirs) != o.Outputs {
		return nil, fmt.Errorf("dataset: %s: %d class subfolders, the model has %d outputs, so name order would give wrong labels: %w: list the model's %d classes in order, one per line, in %s",
			dir, len(subdirs), o.Outputs, ErrClassList, o.Outputs, filepath.Join(dir, "classes.txt"))
	}
	return subdirs, nil // os.ReadDir sorts by name
}

func isImage(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// reader adds image files to a set; fixed: the set's size is the caller's
// target, else the first image's.
type reader struct {
	s     *Set
	fixed bool
}

// addClassDir reads the images of one folder (not its subfolders) with label
// (-1: unlabelled).
func (r *reader) addClassDir(dir string, label int) error {
	files, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	for _, f := range files {
		if f.IsDir() || strings.HasPrefix(f.Name(), ".") || !isImage(f.Name()) {
			continue
		}
		if err := r.addImageFile(filepath.Join(dir, f.Name()), label); err != nil {
			return err
		}
	}
	return nil
}

// maxPixels bounds an image's declared size, checked before decoding, so a
// corrupt or hostile header cannot make the decoder allocate gigabytes.
const maxPixels = 64 << 20

func (r *reader) addImageFile(path string, label int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return fmt.Errorf("dataset: %s: %w", path, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return fmt.Errorf("dataset: %s: %dx%d image, more than %d megapixels", path, cfg.Width, cfg.Height, maxPixels>>20)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("dataset: %s: %w", path, err)
	}
	return r.addImage(img, label, path)
}

// addImage appends img as 3 planes R, G, B at the set's size (the first
// image's when the set has none), resized and center-cropped to it when
// the caller gave one, else an error on another size.
func (r *reader) addImage(img image.Image, label int, name string) error {
	s, b := r.s, img.Bounds()
	if b.Empty() {
		return fmt.Errorf("dataset: %s: empty image", name)
	}
	if s.H == 0 {
		s.H, s.W = b.Dy(), b.Dx()
	} else if (b.Dy() != s.H || b.Dx() != s.W) && !r.fixed {
		return fmt.Errorf("dataset: %s: image is %dx%d, the set's images are %dx%d", name, b.Dx(), b.Dy(), s.W, s.H)
	}
	rgba := fit(img, s.H, s.W)
	base := len(s.pix)
	plane := s.H * s.W
	s.pix = append(s.pix, make([]uint8, 3*plane)...)
	px := s.pix[base:]
	for i := range plane {
		// RGBA's pixels are alpha-premultiplied: transparency shows as black.
		px[i], px[plane+i], px[2*plane+i] = rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2]
	}
	if label >= 0 {
		s.labels = append(s.labels, int32(label))
	}
	s.n++
	return nil
}

// fit returns img as 8-bit RGBA of h x w: converted (gray, paletted, CMYK,
// 16-bit) when it has that size, else resized so that it covers h x w with
// the fewest pixels (the shorter side, relative to the target, fits) and
// center-cropped. The filter is Catmull-Rom: x/image/draw widens its
// support by the scale factor when shrinking, so a 224-pixel photo
// reduced to 32 is averaged over every source pixel instead of aliasing
// as bilinear sampling of 4 neighbours (ApproxBiLinear) would.
func fit(img image.Image, h, w int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	b := img.Bounds()
	if b.Dx() == w && b.Dy() == h {
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
		return dst
	}
	scale := math.Max(float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy()))
	rw := max(w, int(math.Round(scale*float64(b.Dx()))))
	rh := max(h, int(math.Round(scale*float64(b.Dy()))))
	// The resized image placed so its center is dst's: the scaler computes
	// only the pixels inside dst, which is the crop.
	x0, y0 := (rw-w)/2, (rh-h)/2
	draw.CatmullRom.Scale(dst, image.Rect(-x0, -y0, rw-x0, rh-y0), img, b, draw.Src, nil)
	return dst
}

// resize resizes and center-crops every image of the set to h x w (as fit).
func (s *Set) resize(h, w int) error {
	if s.C != 3 {
		return fmt.Errorf("dataset %s: %d channels, resizing needs 3", s.Name, s.C)
	}
	src := image.NewRGBA(image.Rect(0, 0, s.W, s.H))
	plane, out := s.H*s.W, make([]uint8, 0, s.n*3*h*w)
	for i := range s.n {
		px := s.pix[i*s.ImageSize():][:s.ImageSize()]
		for p := range plane {
			copy(src.Pix[4*p:4*p+4], []uint8{px[p], px[plane+p], px[2*plane+p], 255})
		}
		d := fit(src, h, w)
		base := len(out)
		out = append(out, make([]uint8, 3*h*w)...)
		for p := range h * w {
			out[base+p], out[base+h*w+p], out[base+2*h*w+p] = d.Pix[4*p], d.Pix[4*p+1], d.Pix[4*p+2]
		}
	}
	s.pix, s.H, s.W = out, h, w
	return nil
}

// CheckSize returns an error unless the set's images are c x h x w, e.g.
// the input size of a model.
func (s *Set) CheckSize(c, h, w int) error {
	if s.C != c || s.H != h || s.W != w {
		return fmt.Errorf("dataset %s: images are %dx%dx%d, the model expects %dx%dx%d", s.Name, s.C, s.H, s.W, c, h, w)
	}
	return nil
}
