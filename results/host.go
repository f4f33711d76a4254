package results

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/kernels"
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

// Caches are cache sizes in bytes per core (L3: total), 0 when unknown: the
// sizes of kernels.HostCaches under the field names of the aiq.result/v1
// files (kernels.Caches names them differently and adds a source).
type Caches struct {
	L1D int `json:"l1d"`
	L2  int `json:"l2"`
	L3  int `json:"l3"`
}

// DetectHost fingerprints this machine; the CPU facts come from kernels.
func DetectHost() Host {
	kc := kernels.HostCaches()
	h := Host{
		CPU:       kernels.CPUName(),
		Arch:      runtime.GOARCH,
		Features:  kernels.CPUFeatures(),
		Caches:    Caches{L1D: kc.L1D, L2: kc.L2, L3: kc.L3},
		OS:        runtime.GOOS,
		Kernel:    kernelRelease(),
		GoVersion: runtime.Version(),
		ISA:       kernels.ISA(),
		Variants:  kernels.Selected(),
	}
	h.Physical, h.Logical = kernels.CPUCores()
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
