//go:build !linux

package kernels

import "github.com/klauspost/cpuid/v2"

// CacheSizes returns the L1 data, L2 and L3 cache sizes in bytes (0 when
// unknown), from cpuid; only Linux has the sysfs fallback.
func CacheSizes() (l1d, l2, l3 int) {
	c := cpuid.CPU.Cache
	return max(c.L1D, 0), max(c.L2, 0), max(c.L3, 0)
}
