package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aiq-project/aiq/layers"
)

// planBytes estimates the memory a model compiled at batch needs: every
// activation a layer reads or writes held as float32 (the widest format;
// the engine reuses some buffers, so this errs high), plus the largest
// im2col scratch (M x K floats of a batch). It is an estimate to refuse a
// batch that cannot fit before anything is allocated, not an accounting.
func planBytes(ls []layers.Layer, batch int) float64 {
	var acts, scratch float64
	for i, l := range ls {
		if i == 0 {
			acts += float64(l.InActs)
		}
		acts += float64(l.OutActs)
		if !l.Depthwise {
			scratch = max(scratch, float64(l.Shape.M)*float64(l.Shape.K))
		}
	}
	return 4 * (acts + scratch) * float64(batch)
}

// memAvailable is MemAvailable of /proc/meminfo in bytes; ok is false where
// it cannot be read (not Linux), and then no batch is refused.
func memAvailable() (bytes float64, ok bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// checkBatchMemory refuses a batch whose plan would not fit in the
// available memory, copies compiled models at once, naming flag.
func checkBatchMemory(flag string, batch int, ls []layers.Layer, copies int, model string) error {
	avail, ok := memAvailable()
	if !ok {
		return nil
	}
	need := planBytes(ls, batch) * float64(max(copies, 1))
	if need <= avail {
		return nil
	}
	return fmt.Errorf("%s %d: %s at this batch needs about %s (activations and im2col scratch of %s per image%s), more than the %s available (MemAvailable)",
		flag, batch, model, gb(need), gb(planBytes(ls, 1)), map[bool]string{true: fmt.Sprintf(", %d models at once", copies), false: ""}[copies > 1], gb(avail))
}

func gb(b float64) string {
	switch {
	case b >= 1e9:
		return fmt.Sprintf("%.1f GB", b/1e9)
	case b >= 1e6:
		return fmt.Sprintf("%.1f MB", b/1e6)
	}
	return fmt.Sprintf("%.0f kB", b/1e3)
}
