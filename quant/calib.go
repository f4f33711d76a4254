package quant

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aiq-project/aiq/internal/atomicfile"
	"github.com/aiq-project/aiq/kernels"
)

// Calibration is the result of calibrating one model: an activation range
// and the per-channel means of every tensor the engine materialises, by
// graph value name.
type Calibration struct {
	Model  string               `json:"model"`  // SHA-256 of the model file
	Data   string               `json:"data"`   // calibration set identity
	Method string               `json:"method"` // minmax, percentile or mse
	N      int                  `json:"n"`      // calibration images
	Ranges map[string]Range     `json:"ranges"`
	Means  map[string][]float64 `json:"means"`
	// Quants are exact activation quantizations given by the model file
	// (a QDQ model's scales and zero points); they take precedence over
	// Ranges for the tensors they name.
	Quants map[string]kernels.Quant `json:"quants,omitempty"`
	// WeightScales are the per-output-channel scales of int8 weights given
	// by the model file, by weight constant name: an int8 layer whose
	// weights are named here uses them instead of choosing its own.
	WeightScales map[string][]float32 `json:"weight_scales,omitempty"`
}

// Quant is the uint8 quantization of tensor name: the file's own when
// Quants has it, else that of its calibrated range.
func (c *Calibration) Quant(name string) (kernels.Quant, bool) {
	if q, ok := c.Quants[name]; ok {
		return q, true
	}
	r, ok := c.Ranges[name]
	return r.Quant(), ok
}

// FromStats builds a Calibration from statistics with method m.
func FromStats(stats map[string]*TensorStats, m Method) *Calibration {
	c := &Calibration{Method: m.String(), Ranges: map[string]Range{}, Means: map[string][]float64{}}
	for name, s := range stats {
		c.Ranges[name] = s.Range(m)
		c.Means[name] = s.Mean
	}
	return c
}

// Validate checks that every range is finite and ordered.
func (c *Calibration) Validate() error {
	for name, r := range c.Ranges {
		if !(r.Lo <= r.Hi) || isInf(r.Lo) || isInf(r.Hi) {
			return fmt.Errorf("calibration: tensor %q has range [%v, %v]", name, r.Lo, r.Hi)
		}
	}
	for name, q := range c.Quants {
		if !(q.Scale > 0) || isInf(q.Scale) {
			return fmt.Errorf("calibration: tensor %q has scale %v", name, q.Scale)
		}
	}
	for name, sc := range c.WeightScales {
		for i, v := range sc {
			if !(v >= 0) || isInf(v) {
				return fmt.Errorf("calibration: weights %q have scale %v for channel %d", name, v, i)
			}
		}
	}
	return nil
}

func isInf(v float32) bool { return v > 3e38 || v < -3e38 }

// HashFile returns the hex SHA-256 of a file, the model part of cache keys.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("quant: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("quant: hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CachePath is where the calibration of (model hash, data identity, method,
// n) is stored under dir.
func CachePath(dir, modelHash, data string, m Method, n int) string {
	d := sha256.Sum256([]byte(data))
	return filepath.Join(dir, fmt.Sprintf("calib-%.16s-%s-%s-%d.json", modelHash, hex.EncodeToString(d[:4]), m, n))
}

// LoadCache reads a cached calibration; a missing file returns (nil, nil).
// A corrupt file, or one for other parameters than asked, also returns
// (nil, nil) after a warning on stderr, so the caller calibrates again and
// SaveCache replaces it: a bad cache must not fail every later run. Only a
// file that exists but cannot be read is an error.
func LoadCache(path, modelHash, data string, m Method, n int) (*Calibration, error) {
	return loadCache(path, modelHash, data, m, n, os.Stderr)
}

func loadCache(path, modelHash, data string, m Method, n int, warn io.Writer) (*Calibration, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("quant: calibration cache: %w", err)
	}
	stale := func(why error) (*Calibration, error) {
		fmt.Fprintf(warn, "warning: calibration cache %s: %v; calibrating again\n", path, why)
		return nil, nil
	}
	var c Calibration
	if err := json.Unmarshal(b, &c); err != nil {
		return stale(fmt.Errorf("corrupt: %w", err))
	}
	if c.Model != modelHash || c.Data != data || c.Method != m.String() || c.N != n {
		return stale(fmt.Errorf("holds model %.16s data %q method %s n %d", c.Model, c.Data, c.Method, c.N))
	}
	if err := c.Validate(); err != nil {
		return stale(err)
	}
	return &c, nil
}

// SaveCache writes c to path atomically (temporary file, then rename), so
// concurrent runs never read half a file.
func SaveCache(path string, c *Calibration) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("quant: calibration cache: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("quant: calibration cache: %w", err)
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("quant: calibration cache: %w", err)
	}
	return nil
}
