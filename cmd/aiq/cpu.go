package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/kernels"
)

func init() {
	register("cpu", "show the CPU, its caches and SIMD features, and the kernel variant of every family", runCPU)
}

// cpuInfo is what `aiq cpu --json` prints.
type cpuInfo struct {
	Brand    string            `json:"brand"`
	Arch     string            `json:"arch"`
	Physical int               `json:"physical_cores"`
	Logical  int               `json:"logical_cores"`
	L1D      int               `json:"l1d_bytes"`
	L2       int               `json:"l2_bytes"`
	L3       int               `json:"l3_bytes"`
	Features []string          `json:"features"`
	ISA      string            `json:"isa"`
	Levels   []string          `json:"levels"`
	Variants map[string]string `json:"variants"`
}

func hostCPU() cpuInfo {
	info := cpuInfo{
		Brand: kernels.CPUName(), Arch: runtime.GOARCH,
		Features: kernels.CPUFeatures(),
		ISA:      kernels.ISA(), Variants: kernels.Selected(),
	}
	info.Physical, info.Logical = kernels.CPUCores()
	info.L1D, info.L2, info.L3 = kernels.CacheSizes()
	for _, l := range kernels.Levels() {
		if kernels.Supported(l) {
			info.Levels = append(info.Levels, l)
		}
	}
	return info
}

func runCPU(args []string) error {
	fs := newFlags("cpu")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	info := hostCPU()
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	kib := func(b int) string {
		if b <= 0 {
			return "unknown"
		}
		return fmt.Sprintf("%d KiB", b>>10)
	}
	fmt.Printf("cpu        %s (%s)\n", info.Brand, info.Arch)
	fmt.Printf("cores      %d physical, %d logical\n", info.Physical, info.Logical)
	fmt.Printf("caches     L1d %s, L2 %s, L3 %s\n", kib(info.L1D), kib(info.L2), kib(info.L3))
	fmt.Printf("features   %s\n", strings.Join(info.Features, " "))
	fmt.Printf("levels     %s (selected: %s; cap with %s=<level>)\n", strings.Join(info.Levels, ", "), info.ISA, kernels.EnvISA)
	fams := make([]string, 0, len(info.Variants))
	for f := range info.Variants {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	for _, f := range fams {
		fmt.Printf("kernel     %-10s %s\n", f, info.Variants[f])
	}
	return nil
}
