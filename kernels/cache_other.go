//go:build !linux

package kernels

// HostCaches returns this host's data cache sizes, from cpuid; only Linux
// has the sysfs fallback.
func HostCaches() Caches { return cpuidCaches() }
