package kernels

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// sysCacheDir lists the caches of CPU 0 (index0, index1, ...), one directory
// per cache with level, type and size files.
const sysCacheDir = "/sys/devices/system/cpu/cpu0/cache"

// HostCaches returns this host's data cache sizes. cpuid answers on x86;
// arm64 has no such instruction available to user space, so the sizes come
// from sysfs there.
func HostCaches() Caches {
	c := cpuidCaches()
	if c.L1D > 0 && c.L2 > 0 {
		return c
	}
	s1, s2, s3 := sysCacheSizes(sysCacheDir)
	if s1 <= 0 && s2 <= 0 && s3 <= 0 {
		return c
	}
	switch c.Source {
	case "":
		c.Source = "sysfs"
	default:
		c.Source = "cpuid+sysfs"
	}
	if c.L1D <= 0 {
		c.L1D = s1
	}
	if c.L2 <= 0 {
		c.L2 = s2
	}
	if c.L3 <= 0 {
		c.L3 = s3
	}
	return c
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
