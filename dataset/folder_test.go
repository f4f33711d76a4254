package dataset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	var err error
	if strings.HasSuffix(path, ".jpg") {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 100})
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func labelsOf(t *testing.T, s *Set) []int {
	t.Helper()
	l, err := s.Labels(0, s.Len())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// labelOfValue maps each image's first red value to its label.
func labelOfValue(t *testing.T, s *Set) map[uint8]int {
	t.Helper()
	m := map[uint8]int{}
	for i, l := range labelsOf(t, s) {
		px, _ := s.Pixels(i, 1)
		m[px[0]] = l
	}
	return m
}

// The label order comes from the caller's list, else classes.txt, else
// CIFAR-10's for CIFAR-10 names; a set that would be mislabelled without a
// list is refused with the counts and the fix.
func TestFolderClassOrder(t *testing.T) {
	dir := t.TempDir()
	for i, c := range []string{"deer", "frog", "zebra"} {
		writePNG(t, filepath.Join(dir, c, "1.png"), 2, 2, uint8(10*(i+1)))
	}
	// the labels of the images of value 10, 20, 30 (deer, frog, zebra)
	want := func(s *Set, deer, frog, zebra int) bool {
		m := labelOfValue(t, s)
		return len(m) == 3 && m[10] == deer && m[20] == frog && m[30] == zebra
	}
	_, err := OpenWith(dir, Options{Outputs: 10})
	if !errors.Is(err, ErrClassList) {
		t.Fatalf("3 of 10 classes without a list: %v, want ErrClassList", err)
	}
	for _, want := range []string{dir, "3 class subfolders", "10 outputs", "classes.txt"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// As many folders as outputs: name order.
	if s, err := OpenWith(dir, Options{Outputs: 3}); err != nil || !want(s, 0, 1, 2) {
		t.Fatalf("3 folders, 3 outputs: %v", err)
	}
	// The caller's list: labels are indices in it.
	list := []string{"zebra", "a", "b", "c", "deer", "e", "f", "g", "h", "frog"}
	s, err := OpenWith(dir, Options{Outputs: 10, Classes: list})
	if err != nil || !want(s, 4, 9, 0) || s.Classes[0] != "zebra" {
		t.Fatalf("class list: %v %v", s, err)
	}
	// classes.txt, with the caller's list taking precedence over it.
	os.WriteFile(filepath.Join(dir, "classes.txt"), []byte("frog\ndeer\nzebra\nx\ny\nz\nu\nv\nw\nq\n"), 0o644)
	if s, err = OpenWith(dir, Options{Outputs: 10}); err != nil || !want(s, 1, 0, 2) {
		t.Fatalf("classes.txt: %v", err)
	}
	if s, err = OpenWith(dir, Options{Outputs: 10, Classes: list}); err != nil || !want(s, 4, 9, 0) {
		t.Fatalf("class list over classes.txt: %v", err)
	}
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Outputs: 12}, "lists 10 classes, the model has 12 outputs"},
		{Options{Classes: []string{"deer", "frog"}}, `subfolder "zebra" is not listed`},
		{Options{Classes: []string{"deer", "frog", "zebra", "deer"}}, `"deer" listed twice`},
	} {
		if _, err := OpenWith(dir, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
		}
	}
	// CIFAR-10 names, 3 of 10, no list: CIFAR-10's labels for a 10-class model.
	cifar := t.TempDir()
	for i, c := range []string{"ship", "cat", "dog"} {
		writePNG(t, filepath.Join(cifar, c, "1.png"), 2, 2, uint8(10*(i+1)))
	}
	if s, err := OpenWith(cifar, Options{Outputs: 10}); err != nil || !want(s, 8, 3, 5) { // ship, cat, dog
		t.Fatalf("CIFAR-10 names: %v", err)
	}
	if _, err := OpenWith(cifar, Options{Outputs: 100}); !errors.Is(err, ErrClassList) {
		t.Errorf("CIFAR-10 names for a 100-class model: %v, want ErrClassList", err)
	}
	if _, err := OpenWith("../data/cifar10/cifar10-test.bin", Options{Classes: list}); err == nil || !strings.Contains(err.Error(), "class-folder") {
		t.Errorf("class list for a CIFAR-10 file: %v", err)
	}
}

// bands is a w x h image: green rows above top and from bottom on, between
// them red left of w/2 and blue from it.
func bands(w, h, top, bottom int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0, 255, 0, 255}
			switch {
			case y < top || y >= bottom:
			case x < w/2:
				c = color.RGBA{255, 0, 0, 255}
			default:
				c = color.RGBA{0, 0, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// Images of another size are resized (shorter side to 32) and
// center-cropped: the green bands above and below the kept square are cut
// away (a squash to 32x32 would keep them as rows of green), the red/blue
// split stays at the middle.
func TestFolderResizeCrop(t *testing.T) {
	for _, c := range []struct{ w, h, top, bottom int }{
		{40, 50, 5, 45},     // scaled by 0.8 to 32x40, rows 4..35 kept: source rows 5..44
		{224, 300, 30, 270}, // by 1/7 to 32x43, rows 5..36 kept: source rows 35..258
	} {
		dir := t.TempDir()
		writeImage(t, filepath.Join(dir, "a.png"), bands(c.w, c.h, c.top, c.bottom))
		writePNG(t, filepath.Join(dir, "b.png"), 32, 32, 7) // the target size: kept as is
		s, err := OpenWith(dir, Options{H: 32, W: 32})
		if err != nil {
			t.Fatal(err)
		}
		if s.Len() != 2 || s.H != 32 || s.W != 32 || s.Labelled() {
			t.Fatalf("%dx%d: %d images of %dx%d, labelled %v", c.w, c.h, s.Len(), s.W, s.H, s.Labelled())
		}
		px, _ := s.Pixels(0, 1)
		at := func(x, y int) [3]int {
			return [3]int{int(px[y*32+x]), int(px[1024+y*32+x]), int(px[2048+y*32+x])}
		}
		near := func(a, b [3]int) bool {
			for i := range a {
				if a[i]-b[i] > 3 || b[i]-a[i] > 3 {
					return false
				}
			}
			return true
		}
		for y := 2; y < 30; y++ { // the kernel reaches 2 rows into the cut bands at most
			for x := range 32 {
				p := at(x, y)
				switch {
				case p[1] > 3:
					t.Fatalf("%dx%d: green %d at (%d,%d): the bands were not cropped", c.w, c.h, p[1], x, y)
				case x <= 13 && !near(p, [3]int{255, 0, 0}), x >= 18 && !near(p, [3]int{0, 0, 255}):
					t.Fatalf("%dx%d: pixel (%d,%d) = %v", c.w, c.h, x, y, p)
				}
			}
		}
		for _, y := range []int{0, 31} {
			if g := at(5, y)[1]; g > 128 {
				t.Errorf("%dx%d: row %d green %d: bands kept", c.w, c.h, y, g)
			}
		}
		if px, _ := s.Pixels(1, 1); px[0] != 7 || px[1024] != 8 || px[2048] != 9 {
			t.Errorf("32x32 image changed: %d %d %d", px[0], px[1024], px[2048])
		}
	}
	// Without a target size every image must have the first's.
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 4, 4, 0)
	writePNG(t, filepath.Join(dir, "b.png"), 5, 4, 0)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "b.png") {
		t.Errorf("mixed sizes without a target: %v", err)
	}
	// CIFAR-10 records are resized too.
	s, err := OpenWith("../data/cifar10/cifar10-test.bin", Options{H: 40, W: 48})
	if err != nil || s.H != 40 || s.W != 48 || s.Len() != 10000 || len(s.pix) != 10000*3*40*48 {
		t.Fatalf("CIFAR-10 to 48x40: %v", err)
	}
}

// Gray, paletted and 16-bit images become 8-bit RGB.
func TestFolderColorModels(t *testing.T) {
	dir := t.TempDir()
	gray := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range gray.Pix {
		gray.Pix[i] = 100
	}
	writeImage(t, filepath.Join(dir, "cat", "gray.jpg"), gray)
	writeImage(t, filepath.Join(dir, "cat", "gray.png"), gray)
	pal := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.RGBA{1, 2, 3, 255}, color.RGBA{200, 100, 50, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = 1
	}
	writeImage(t, filepath.Join(dir, "dog", "pal.png"), pal)
	deep := image.NewRGBA64(image.Rect(0, 0, 8, 8))
	for y := range 8 {
		for x := range 8 {
			deep.SetRGBA64(x, y, color.RGBA64{0x1234, 0x5678, 0x9abc, 0xffff})
		}
	}
	writeImage(t, filepath.Join(dir, "dog", "x16.png"), deep)
	s, err := OpenWith(dir, Options{H: 8, W: 8, Outputs: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := [][3]int{{100, 100, 100}, {100, 100, 100}, {200, 100, 50}, {0x12, 0x56, 0x9a}}
	for i, w := range want {
		px, _ := s.Pixels(i, 1)
		for c := range 3 {
			if d := int(px[c*64+27]) - w[c]; d < -2 || d > 2 {
				t.Errorf("image %d channel %d = %d, want %d", i, c, px[c*64+27], w[c])
			}
		}
	}
	if l := labelsOf(t, s); !slices.Equal(l, []int{3, 3, 5, 5}) {
		t.Errorf("labels %v", l)
	}
}

// A folder of images without subfolders, or any set read unlabelled, has
// no labels; Labels says so.
func TestFolderUnlabelled(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "b.png"), 4, 4, 20)
	writePNG(t, filepath.Join(dir, "a.png"), 4, 4, 10)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	px, _ := s.Pixels(0, 1)
	if s.Labelled() || s.Len() != 2 || px[0] != 10 {
		t.Fatalf("labelled %v, %d images, first pixel %d (want a.png first)", s.Labelled(), s.Len(), px[0])
	}
	if _, err := s.Labels(0, 1); !errors.Is(err, ErrNoLabels) || !strings.Contains(err.Error(), dir) {
		t.Errorf("Labels of an unlabelled set: %v", err)
	}
	// Loose images beside class folders: an error unless read unlabelled,
	// which then reads every image.
	writePNG(t, filepath.Join(dir, "cat", "c.png"), 4, 4, 30)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "a.png") {
		t.Errorf("loose images beside class folders: %v", err)
	}
	if s, err := OpenWith(dir, Options{Unlabelled: true}); err != nil || s.Len() != 3 || s.Labelled() {
		t.Errorf("unlabelled read of a mixed folder: %v", err)
	}
	// A labelled set read unlabelled, and relabelled.
	c, err := OpenWith("../data/cifar10/cifar10-test.bin", Options{Unlabelled: true})
	if err != nil || c.Labelled() || c.Len() != 10000 {
		t.Fatalf("CIFAR-10 unlabelled: %v", err)
	}
	r, err := c.WithLabels(make([]int, 10000))
	if err != nil || !r.Labelled() || c.Labelled() {
		t.Fatalf("WithLabels: %v", err)
	}
	if _, err := c.WithLabels([]int{1}); err == nil {
		t.Error("WithLabels accepted 1 label for 10000 images")
	}
	// A corrupt image names its file, labelled or not.
	writeImage(t, filepath.Join(dir, "z.png"), image.NewGray(image.Rect(0, 0, 4, 4)))
	data, _ := os.ReadFile(filepath.Join(dir, "z.png"))
	os.WriteFile(filepath.Join(dir, "z.png"), data[:len(data)/2], 0o644)
	if _, err := OpenWith(dir, Options{Unlabelled: true}); err == nil || !strings.Contains(err.Error(), "z.png") {
		t.Errorf("truncated PNG: %v", err)
	}
	// A header declaring 100000 x 100000 pixels is refused before decoding.
	data = pngHeader(100000, 100000)
	os.WriteFile(filepath.Join(dir, "z.png"), data, 0o644)
	if _, err := OpenWith(dir, Options{Unlabelled: true}); err == nil || !strings.Contains(err.Error(), "z.png") || !strings.Contains(err.Error(), "megapixels") {
		t.Errorf("huge PNG header: %v", err)
	}
}

// pngHeader is a PNG signature and IHDR chunk (8-bit RGB) of w x h, no data.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)-4))
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}
