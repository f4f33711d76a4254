//go:build !linux

package harness

import (
	"errors"
	"runtime"
	"time"
)

// Pin is not supported on this OS; it fails so callers can say so.
func Pin(cpu int) (restore func(), err error) {
	return nil, errors.New("thread pinning is only supported on linux")
}

// CPUs lists 0..GOMAXPROCS-1, the best guess without an affinity API.
func CPUs() ([]int, error) {
	n := runtime.GOMAXPROCS(0)
	cpus := make([]int, n)
	for i := range cpus {
		cpus[i] = i
	}
	return cpus, nil
}

// threadCPUClock is not available without Linux's per-thread clock.
func threadCPUClock() (time.Duration, error) {
	return 0, errors.New("thread CPU time is only supported on linux")
}
