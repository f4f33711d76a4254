package results

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/kernels"
	"github.com/klauspost/cpuid/v2"
)

// Host fingerprints the machine a run was measured on. ID hashes only what
// decides kernel speed (CPU, features, caches, cores), so it stays the same
// across OS updates and Go releases, which are recorded beside it.
type Host struct {
	ID        string   `json:"id"`
	CPU       string   `json:"cpu"`
	Arch      string   `json:"arch"`
	Features  []string `json:"features"`
	Caches    Caches   `json:"caches"`
	Physical  int      `json:"physical_cores"`
	Logical   int      `json:"logical_cores"`
	OS        string   `json:"os"`
	Kernel    string   `json:"kernel,omitempty"` // uname release
	GoVersion string   `json:"go_version"`
	// ISA and Variants are the kernel level and variant per family aiq
	// selected; they can be capped by environment, so they are not in ID.
	ISA      string            `json:"isa,omitempty"`
	Variants map[string]string `json:"variants,omitempty"`
}

// Caches are cache sizes in bytes per core (L3: total), 0 when unknown.
type Caches struct {
	L1D int `json:"l1d"`
	L2  int `json:"l2"`
	L3  int `json:"l3"`
}

// simdFeatures are the features the kernels dispatch on: the fingerprint
// lists these, not cpuid's whole set, so a cpuid upgrade that learns a new
// unrelated flag does not change the host id.
var simdFeatures = []cpuid.FeatureID{cpuid.SSE2, cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.F16C,
	cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512VNNI, cpuid.AVXVNNI,
	cpuid.AVX512FP16, cpuid.AVX512BF16, cpuid.AMXINT8, cpuid.AMXBF16,
	cpuid.ASIMD, cpuid.ASIMDDP, cpuid.FPHP, cpuid.ASIMDHP, cpuid.SVE}

// DetectHost fingerprints this machine.
func DetectHost() Host {
	c := cpuid.CPU
	h := Host{
		CPU:       strings.TrimSpace(c.BrandName),
		Arch:      runtime.GOARCH,
		Caches:    Caches{L1D: c.Cache.L1D, L2: c.Cache.L2, L3: c.Cache.L3},
		Physical:  c.PhysicalCores,
		Logical:   c.LogicalCores,
		OS:        runtime.GOOS,
		Kernel:    kernelRelease(),
		GoVersion: runtime.Version(),
		ISA:       kernels.ISA(),
		Variants:  kernels.Selected(),
	}
	if h.Logical <= 0 {
		h.Logical = runtime.NumCPU()
	}
	for _, f := range simdFeatures {
		if c.Supports(f) {
			h.Features = append(h.Features, strings.ToLower(f.String()))
		}
	}
	h.ID = h.fingerprint()
	return h
}

// fingerprint is "<arch>-<12 hex digits>" of a hash over the speed-deciding
// fields; features are sorted so their order does not matter.
func (h Host) fingerprint() string {
	feats := append([]string(nil), h.Features...)
	sort.Strings(feats)
	key := fmt.Sprintf("cpu=%s\narch=%s\nfeatures=%s\ncaches=%d,%d,%d\ncores=%d,%d\n",
		h.CPU, h.Arch, strings.Join(feats, ","), h.Caches.L1D, h.Caches.L2, h.Caches.L3, h.Physical, h.Logical)
	sum := sha256.Sum256([]byte(key))
	return h.Arch + "-" + hex.EncodeToString(sum[:6])
}
