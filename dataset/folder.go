package dataset

import (
	"fmt"
	"image"
	_ "image/jpeg" // register decoders for the folder layout
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// openDir reads a folder: class subfolders of PNG/JPEG images, or else every
// CIFAR-10 *.bin file in it (sorted by name).
func openDir(dir string) (*Set, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var subdirs, bins []string
	for _, e := range ents {
		switch {
		case e.IsDir() && !strings.HasPrefix(e.Name(), "."):
			subdirs = append(subdirs, e.Name())
		case strings.HasSuffix(e.Name(), ".bin"):
			bins = append(bins, filepath.Join(dir, e.Name()))
		}
	}
	if len(subdirs) == 0 && len(bins) > 0 {
		return OpenCIFAR(bins...)
	}
	if len(subdirs) == 0 {
		return nil, fmt.Errorf("dataset: %s: no class subfolders and no CIFAR-10 .bin files", dir)
	}
	classes := subdirs // os.ReadDir sorts by name
	if names := readClassNames(dir); names != nil {
		for _, d := range subdirs {
			if !slices.Contains(names, d) {
				return nil, fmt.Errorf("dataset: %s: subfolder %q is not listed in classes.txt", dir, d)
			}
		}
		classes = names
	}
	if len(classes) > 256 {
		return nil, fmt.Errorf("dataset: %s: %d classes, at most 256 supported", dir, len(classes))
	}
	s := &Set{Name: dir, Classes: classes}
	for label, class := range classes {
		cdir := filepath.Join(dir, class)
		files, err := os.ReadDir(cdir)
		if err != nil {
			if os.IsNotExist(err) {
				continue // listed in classes.txt without images
			}
			return nil, fmt.Errorf("dataset: %w", err)
		}
		for _, f := range files {
			ext := strings.ToLower(filepath.Ext(f.Name()))
			if f.IsDir() || (ext != ".png" && ext != ".jpg" && ext != ".jpeg") {
				continue
			}
			p := filepath.Join(cdir, f.Name())
			if err := s.addImageFile(p, uint8(label)); err != nil {
				return nil, err
			}
		}
	}
	if s.Len() == 0 {
		return nil, fmt.Errorf("dataset: %s: %w (PNG or JPEG files in class subfolders)", dir, errEmpty)
	}
	return s, nil
}

func (s *Set) addImageFile(path string, label uint8) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("dataset: %s: %w", path, err)
	}
	return s.addImage(img, label, path)
}

// addImage appends img as 3 planes R, G, B; every image must have the size of the first.
func (s *Set) addImage(img image.Image, label uint8, name string) error {
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	if s.Len() == 0 {
		s.C, s.H, s.W = 3, h, w
	}
	if h != s.H || w != s.W {
		return fmt.Errorf("dataset: %s: image is %dx%d, the set's images are %dx%d", name, w, h, s.W, s.H)
	}
	if h == 0 || w == 0 {
		return fmt.Errorf("dataset: %s: empty image", name)
	}
	base := len(s.pix)
	s.pix = append(s.pix, make([]uint8, 3*h*w)...)
	px := s.pix[base:]
	for y := range h {
		for x := range w {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := y*w + x
			px[i], px[h*w+i], px[2*h*w+i] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
	}
	s.labels = append(s.labels, label)
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
