package roofline

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Caches are the data cache sizes in bytes of one core's view: L1 and L2
// per core, L3 shared (0 when absent or unknown).
type Caches struct {
	L1     int64  `json:"l1d_bytes"`
	L2     int64  `json:"l2_bytes"`
	L3     int64  `json:"l3_bytes"`
	Source string `json:"source"`
}

// Largest is the last-level cache size.
func (c Caches) Largest() int64 { return max(c.L1, c.L2, c.L3) }

// detectCaches asks cpuid first and falls back to Linux sysfs.
func detectCaches() Caches {
	c := Caches{L1: int64(max(cpuid.CPU.Cache.L1D, 0)), L2: int64(max(cpuid.CPU.Cache.L2, 0)), L3: int64(max(cpuid.CPU.Cache.L3, 0)), Source: "cpuid"}
	if c.L1 > 0 && c.L2 > 0 {
		return c
	}
	if s, err := sysfsCaches("/sys/devices/system/cpu/cpu0/cache"); err == nil && s.L1 > 0 {
		return s
	}
	return Caches{L1: 32 << 10, L2: 1 << 20, L3: 32 << 20, Source: "assumed (cpuid and sysfs gave nothing)"}
}

// sysfsCaches reads index*/level, type and size under dir.
func sysfsCaches(dir string) (Caches, error) {
	idx, err := filepath.Glob(filepath.Join(dir, "index*"))
	if err != nil || len(idx) == 0 {
		return Caches{}, fmt.Errorf("no cache entries under %s", dir)
	}
	c := Caches{Source: "sysfs"}
	for _, d := range idx {
		read := func(name string) string {
			b, _ := os.ReadFile(filepath.Join(d, name))
			return strings.TrimSpace(string(b))
		}
		if t := read("type"); t != "Data" && t != "Unified" {
			continue
		}
		size, err := parseCacheSize(read("size"))
		if err != nil {
			return Caches{}, fmt.Errorf("%s: %w", d, err)
		}
		switch read("level") {
		case "1":
			c.L1 = size
		case "2":
			c.L2 = size
		case "3":
			c.L3 = size
		}
	}
	return c, nil
}

// parseCacheSize parses sysfs sizes such as "48K", "2048K", "260M".
func parseCacheSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad cache size %q", s)
	}
	return v * mult, nil
}
