package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// fileTime is the time in file names: sortable, no colons (Windows), ms.
const fileTime = "20060102T150405.000Z"

// ErrNoPrevious is returned by Previous when there is no earlier run.
var ErrNoPrevious = errors.New("no previous run")

// Save validates r, including MinSamples per timed point and the images of
// accuracy points, and writes it as dir/<host-id>/<time>-<kind>.json. The
// file appears complete or not at all: it is written to a temporary file in
// the same directory, synced, then linked into place. An existing file is
// never overwritten; a clash of names gets a numeric suffix.
func (r *Run) Save(dir string) (string, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	if err := r.checkSamples(); err != nil {
		return "", err
	}
	if strings.ContainsAny(r.Host.ID, `/\`) || r.Host.ID == "." || r.Host.ID == ".." {
		return "", fmt.Errorf("results: host id %q is not a directory name", r.Host.ID)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return "", fmt.Errorf("results: encoding %s run: %w", r.Kind, err)
	}
	hostDir := filepath.Join(dir, r.Host.ID)
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	base := r.Time.UTC().Format(fileTime) + "-" + r.Kind
	path, err := writeNew(hostDir, base, ".json", func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return "", err
	}
	r.Path = path
	return path, nil
}

// writeNew writes a new file dir/base[-n]ext through write, atomically, and
// returns its path. On any error no file is left behind.
func writeNew(dir, base, ext string, write func(io.Writer) error) (path string, err error) {
	tmp, err := os.CreateTemp(dir, "."+base+"-*.tmp")
	if err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	defer func() {
		// The temporary name is always removed: on success the data lives
		// on under the final name (a hard link or the renamed file).
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	if err := write(tmp); err != nil {
		return "", fmt.Errorf("results: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	for n := 1; n < 1000; n++ {
		path = filepath.Join(dir, base+ext)
		if n > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d%s", base, n, ext))
		}
		// Link fails if path exists, so a concurrent writer is never
		// clobbered. Filesystems without hard links get a checked rename.
		err := os.Link(tmp.Name(), path)
		if err == nil {
			return path, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if _, serr := os.Lstat(path); serr == nil {
			continue
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			return "", fmt.Errorf("results: %w", err)
		}
		return path, nil
	}
	return "", fmt.Errorf("results: %s: too many runs with the same name", filepath.Join(dir, base+ext))
}

// Load reads and validates one result file.
func Load(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var r Run
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("results: %s: %w", path, err)
	}
	r.Path = path
	// Save indents the payload with the envelope; compact it again so a
	// loaded run equals the run that was saved.
	if len(r.Payload) > 0 {
		var c bytes.Buffer
		if err := json.Compact(&c, r.Payload); err != nil {
			return nil, fmt.Errorf("results: %s: payload: %w", path, err)
		}
		r.Payload = c.Bytes()
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// IsResultFile reports whether a name looks like a saved run: a .json file
// that is not a temporary or hidden file.
func IsResultFile(name string) bool {
	base := filepath.Base(name)
	return strings.HasSuffix(base, ".json") && !strings.HasPrefix(base, ".")
}

// List loads every result file under dir (recursively), oldest first; runs
// at the same time are ordered by kind, then path. A file that does not load
// is an error naming it.
func List(dir string) ([]*Run, error) {
	var runs []*Run
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !IsResultFile(path) {
			return nil
		}
		r, err := Load(path)
		if err != nil {
			return err
		}
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortRuns(runs)
	return runs, nil
}

func sortRuns(runs []*Run) {
	sort.SliceStable(runs, func(i, j int) bool {
		a, b := runs[i], runs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Path < b.Path
	})
}

// Previous returns the latest run of kind on host hostID under dir that is
// strictly before the given time, or ErrNoPrevious.
func Previous(dir, hostID, kind string, before time.Time) (*Run, error) {
	runs, err := List(dir)
	if errors.Is(err, fs.ErrNotExist) {
		runs, err = nil, nil // no results directory yet: no previous run
	}
	if err != nil {
		return nil, err
	}
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		if r.Host.ID == hostID && r.Kind == kind && r.Time.Before(before) {
			return r, nil
		}
	}
	return nil, fmt.Errorf("results: %s run of host %s before %s under %s: %w", kind, hostID, before.Format(time.RFC3339), dir, ErrNoPrevious)
}
