package dataset

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// CIFAR-10 binary record: 1 label byte, then 1024 R, 1024 G, 1024 B bytes.
const (
	cifarSide   = 32
	cifarImage  = 3 * cifarSide * cifarSide
	cifarRecord = 1 + cifarImage
	cifarLabels = 10
)

// OpenCIFAR reads one or more CIFAR-10 binary files, in order, into one set.
// Class names come from classes.txt or batches.meta.txt next to the first file.
func OpenCIFAR(paths ...string) (*Set, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("dataset: no CIFAR files given")
	}
	s := newCIFARSet(strings.Join(paths, ","))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if err := s.addRecords(data, p); err != nil {
			return nil, err
		}
	}
	if s.Classes = readClassNames(filepath.Dir(paths[0])); s.Classes == nil {
		s.Classes = CIFAR10Classes()
	}
	return s, nil
}

func newCIFARSet(name string) *Set {
	return &Set{Name: name, C: 3, H: cifarSide, W: cifarSide}
}

// ParseCIFAR decodes CIFAR-10 binary records held in memory; name is for errors.
func ParseCIFAR(data []byte, name string) (*Set, error) {
	s := newCIFARSet(name)
	if err := s.addRecords(data, name); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Set) addRecords(data []byte, name string) error {
	if len(data) == 0 {
		return fmt.Errorf("dataset: %s: %w", name, errEmpty)
	}
	if len(data)%cifarRecord != 0 {
		return fmt.Errorf("dataset: %s: %d bytes is not a whole number of %d-byte CIFAR-10 records (truncated or not CIFAR-10)", name, len(data), cifarRecord)
	}
	n := len(data) / cifarRecord
	for i := range n {
		rec := data[i*cifarRecord:][:cifarRecord]
		if rec[0] >= cifarLabels {
			return fmt.Errorf("dataset: %s: record %d has label %d, want 0..9", name, i, rec[0])
		}
		s.labels = append(s.labels, int32(rec[0]))
		s.pix = append(s.pix, rec[1:]...)
		s.n++
	}
	return nil
}

// CIFAR10Classes returns CIFAR-10's class names in label order (also name
// order), the list a class folder of CIFAR-10 names is labelled by.
func CIFAR10Classes() []string {
	return []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
}

// readClassNames returns the lines of classes.txt (or batches.meta.txt) in dir.
func readClassNames(dir string) []string {
	for _, f := range []string{"classes.txt", "batches.meta.txt"} {
		if data, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
			return splitLines(string(data))
		}
	}
	return nil
}

func splitLines(s string) []string {
	var r []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			r = append(r, l)
		}
	}
	return r
}

// openTarGz reads the official cifar-10-binary.tar.gz. which selects the
// members: "" test_batch.bin, "train" the data_batch_*.bin files, "all" both.
func openTarGz(name string, r io.Reader, which string) (*Set, error) {
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", name, err)
	}
	tr := tar.NewReader(zr)
	members := map[string][]byte{}
	var meta []byte
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: %s: %w", name, err)
		}
		base := path.Base(h.Name)
		isData := strings.HasPrefix(base, "data_batch_") && strings.HasSuffix(base, ".bin")
		if h.Typeflag != tar.TypeReg || !(isData || base == "test_batch.bin" || base == "batches.meta.txt") {
			continue
		}
		if h.Size > 1<<30 {
			return nil, fmt.Errorf("dataset: %s: member %s too large (%d bytes)", name, h.Name, h.Size)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("dataset: %s: member %s: %w", name, h.Name, err)
		}
		if base == "batches.meta.txt" {
			meta = data
		} else {
			members[base] = data
		}
	}
	var pick []string
	for base := range members {
		if which == "all" || (which == "train") == (base != "test_batch.bin") {
			pick = append(pick, base)
		}
	}
	sort.Strings(pick)
	if len(pick) == 0 {
		return nil, fmt.Errorf("dataset: %s: no CIFAR-10 batch files (test_batch.bin, data_batch_*.bin) inside", name)
	}
	s := newCIFARSet(name + ":" + strings.Join(pick, ","))
	for _, base := range pick {
		if err := s.addRecords(members[base], name+":"+base); err != nil {
			return nil, err
		}
	}
	if s.Classes = splitLines(string(meta)); s.Classes == nil {
		s.Classes = CIFAR10Classes()
	}
	return s, nil
}

// OpenCIFARTarGz reads the official cifar-10-binary.tar.gz; split is "test"
// (test_batch.bin), "train" (data_batch_1..5.bin) or "all" (train then test).
func OpenCIFARTarGz(path, split string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	switch split {
	case "test":
		split = ""
	case "train", "all":
	default:
		return nil, fmt.Errorf("dataset: split %q, want test, train or all", split)
	}
	return openTarGz(path, f, split)
}
