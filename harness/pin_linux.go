package harness

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Pin binds the calling OS thread to cpu and returns a function restoring its
// previous affinity. The caller must hold runtime.LockOSThread, otherwise the
// goroutine may move to another, unpinned thread.
func Pin(cpu int) (restore func(), err error) {
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, fmt.Errorf("read affinity: %w", err)
	}
	if cpu < 0 || cpu >= 1024 || !old.IsSet(cpu) && !allowed(cpu) {
		return nil, fmt.Errorf("cpu %d is not in this process's allowed set", cpu)
	}
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("pin to cpu %d: %w", cpu, err)
	}
	return func() { _ = unix.SchedSetaffinity(0, &old) }, nil
}

// allowed reports whether cpu is in the process-wide allowed set; the
// thread's own set may already be narrower after an earlier Pin.
func allowed(cpu int) bool {
	cpus, err := CPUs()
	if err != nil {
		return false
	}
	for _, c := range cpus {
		if c == cpu {
			return true
		}
	}
	return false
}

// CPUs lists the CPUs this process may run on, in ascending order.
func CPUs() ([]int, error) {
	var set unix.CPUSet
	// pid 0 is the calling thread; use the process (thread group leader)
	// so a pinned caller still sees every CPU.
	if err := unix.SchedGetaffinity(unix.Getpid(), &set); err != nil {
		return nil, fmt.Errorf("read affinity: %w", err)
	}
	var cpus []int
	for c := 0; c < 1024; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// threadCPUClock reads the calling thread's CPU time.
func threadCPUClock() (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, fmt.Errorf("thread cpu clock: %w", err)
	}
	return time.Duration(ts.Nano()), nil
}
