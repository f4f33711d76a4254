package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/kernels"
)

// ConfigFile is the JSON form of a Config:
//
//	{"model": "resnet20.onnx", "default": "fp32",
//	 "layers": {"/net/conv1/Conv": "int8", "/net/linear/Gemm": "fp16"}}
//
// "model" names the model file the configuration is for (LoadConfigFor
// checks it); "default" (fp32 when absent) applies to layers not
// listed; formats are fp32, fp16, int8, int4. Layer names are those of
// Layers (graph node names).
type ConfigFile struct {
	Model   string            `json:"model,omitempty"`
	Default string            `json:"default,omitempty"`
	Layers  map[string]string `json:"layers"`
}

// ParseConfig decodes a ConfigFile. Unknown fields and formats are errors;
// layer names are checked against a graph by Compile (CheckConfig).
func ParseConfig(data []byte) (Config, error) {
	c, _, err := parseConfigFile(data)
	return c, err
}

func parseConfigFile(data []byte) (Config, ConfigFile, error) {
	var f ConfigFile
	dec := json.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Config{}, f, fmt.Errorf("engine: config: %w", err)
	}
	c := Config{Layers: map[string]kernels.Format{}}
	if f.Default != "" {
		d, err := kernels.ParseFormat(f.Default)
		if err != nil {
			return Config{}, f, fmt.Errorf("engine: config default: %w", err)
		}
		c.Default = d
	}
	for name, s := range f.Layers {
		ff, err := kernels.ParseFormat(s)
		if err != nil {
			return Config{}, f, fmt.Errorf("engine: config layer %q: %w", name, err)
		}
		c.Layers[name] = ff
	}
	return c, f, nil
}

// LoadConfig reads a ConfigFile from path.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("engine: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// LoadConfigFor reads a ConfigFile from path for the model file model. A
// "model" field naming another model (compared by base name without
// extension) is an error unless force: layer names alone may match
// another model's by chance. A file without "model" is taken as is.
func LoadConfigFor(path, model string, force bool) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("engine: %w", err)
	}
	c, f, err := parseConfigFile(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if f.Model != "" && !force && modelName(f.Model) != modelName(model) {
		return Config{}, fmt.Errorf("%s: is for model %q, not %s (use --force to apply it anyway)", path, f.Model, model)
	}
	return c, nil
}

func modelName(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// File returns the JSON form of c.
func (c Config) File(model string) ConfigFile {
	f := ConfigFile{Model: model, Default: c.Default.String(), Layers: map[string]string{}}
	for name, ff := range c.Layers {
		f.Layers[name] = ff.String()
	}
	return f
}

// String is a short summary: the default and the count per format.
func (c Config) String() string {
	count := map[kernels.Format]int{}
	for _, f := range c.Layers {
		count[f]++
	}
	s := c.Default.String()
	var keys []int
	for f := range count {
		keys = append(keys, int(f))
	}
	sort.Ints(keys)
	for _, k := range keys {
		s += fmt.Sprintf(" %s:%d", kernels.Format(k), count[kernels.Format(k)])
	}
	return s
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
