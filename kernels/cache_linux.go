package kernels

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// sysCacheDir lists the caches of CPU 0 (index0, index1, ...), one directory
// per cache with level, type and size files.
const sysCacheDir = "/sys/devices/system/cpu/cpu0/cache"

// CacheSizes returns the L1 data, L2 and L3 cache sizes in bytes (0 when
// unknown). cpuid answers on x86; arm64 has no such instruction available
// to user space, so the sizes come from sysfs there.
func CacheSizes() (l1d, l2, l3 int) {
	c := cpuid.CPU.Cache
	l1d, l2, l3 = max(c.L1D, 0), max(c.L2, 0), max(c.L3, 0)
	if l1d > 0 && l2 > 0 {
		return l1d, l2, l3
	}
	s1, s2, s3 := sysCacheSizes(sysCacheDir)
	if l1d <= 0 {
		l1d = s1
	}
	if l2 <= 0 {
		l2 = s2
	}
	if l3 <= 0 {
		l3 = s3
	}
	return l1d, l2, l3
}

// sysCacheSizes reads dir/index*/{level,type,size}; unreadable entries are
// skipped.
func sysCacheSizes(dir string) (l1d, l2, l3 int) {
	entries, _ := filepath.Glob(filepath.Join(dir, "index*"))
	for _, e := range entries {
		level, err1 := readSys(filepath.Join(e, "level"))
		typ, err2 := readSys(filepath.Join(e, "type"))
		size, err3 := readSys(filepath.Join(e, "size"))
		if err1 != nil || err2 != nil || err3 != nil || typ == "Instruction" {
			continue
		}
		n := parseCacheSize(size)
		switch {
		case level == "1" && typ == "Data":
			l1d = max(l1d, n)
		case level == "2":
			l2 = max(l2, n)
		case level == "3":
			l3 = max(l3, n)
		}
	}
	return l1d, l2, l3
}

func readSys(path string) (string, error) {
	b, err := os.ReadFile(path)
	return strings.TrimSpace(string(b)), err
}

// parseCacheSize parses sysfs sizes such as "32K", "1024K" or "8M" (0 if
// malformed).
func parseCacheSize(s string) int {
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n * mult
}
