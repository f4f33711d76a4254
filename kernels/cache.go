package kernels

import "github.com/klauspost/cpuid/v2"

// Caches are the data cache sizes in bytes of one core's view: L1 data and
// L2 per core, L3 shared; 0 when absent or unknown. Source says where they
// came from ("cpuid", "sysfs", "cpuid+sysfs", or "" when nothing answered).
type Caches struct {
	L1D    int    `json:"l1d_bytes"`
	L2     int    `json:"l2_bytes"`
	L3     int    `json:"l3_bytes"`
	Source string `json:"source"`
}

// Largest is the last-level cache size.
func (c Caches) Largest() int { return max(c.L1D, c.L2, c.L3) }

// CacheSizes returns the L1 data, L2 and L3 cache sizes of HostCaches.
func CacheSizes() (l1d, l2, l3 int) {
	c := HostCaches()
	return c.L1D, c.L2, c.L3
}

// cpuidCaches are the sizes cpuid reports (Source "cpuid" when it reports
// any).
func cpuidCaches() Caches {
	cc := cpuid.CPU.Cache
	c := Caches{L1D: max(cc.L1D, 0), L2: max(cc.L2, 0), L3: max(cc.L3, 0)}
	if c.Largest() > 0 {
		c.Source = "cpuid"
	}
	return c
}
