package kernels

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// EnvISA names the environment variable that caps the kernel variant.
const EnvISA = "AIQ_ISA"

// CPU features the kernels use, read once at init and lowered by ForceISA.
// Plain booleans, read by the dispatch switches.
var (
	// amd64
	hasAVX2   bool // AVX2 + FMA3 + F16C
	hasAVX512 bool // AVX-512 F, BW, VL, DQ
	hasVNNI   bool // AVX-512 VNNI
	// arm64
	hasNEON    bool // ASIMD
	hasDotProd bool // ASIMDDP: SDOT/UDOT
	hasFP16    bool // FPHP + ASIMDHP: native half-precision arithmetic
)

// features is a set of the booleans above.
type features struct{ avx2, avx512, vnni, neon, dot, fp16 bool }

// detected holds what the CPU really has, so ForceISA can restore it.
var detected features

// enabled is the current set.
func enabled() features {
	return features{hasAVX2, hasAVX512, hasVNNI, hasNEON, hasDotProd, hasFP16}
}

func setFeatures(f features) {
	hasAVX2, hasAVX512, hasVNNI = f.avx2, f.avx512, f.vnni
	hasNEON, hasDotProd, hasFP16 = f.neon, f.dot, f.fp16
}

// has reports whether level name is in the set.
func (f features) has(name string) bool {
	switch name {
	case "generic":
		return true
	case "avx2":
		return f.avx2
	case "avx512":
		return f.avx512
	case "avx512vnni":
		return f.vnni
	case "neon":
		return f.neon
	case "neon-dotprod":
		return f.dot
	case "neon-fp16":
		return f.fp16
	}
	return false
}

// Levels lists the variant levels of this architecture, lowest first. Every
// name is a valid argument to ForceISA and AIQ_ISA.
func Levels() []string {
	switch runtime.GOARCH {
	case "amd64":
		return []string{"generic", "avx2", "avx512", "avx512vnni"}
	case "arm64":
		return []string{"generic", "neon", "neon-dotprod", "neon-fp16"}
	}
	return []string{"generic"}
}

func init() {
	c := cpuid.CPU
	detected.avx2 = c.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.F16C)
	detected.avx512 = detected.avx2 && c.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512DQ)
	detected.vnni = detected.avx512 && c.Supports(cpuid.AVX512VNNI)
	detected.neon = runtime.GOARCH == "arm64" && c.Supports(cpuid.ASIMD)
	detected.dot = detected.neon && c.Supports(cpuid.ASIMDDP)
	detected.fp16 = detected.neon && c.Supports(cpuid.FPHP, cpuid.ASIMDHP)
	if !haveAsm {
		detected = features{}
	}
	setFeatures(detected)
	if v := os.Getenv(EnvISA); v != "" {
		if err := SetISA(v); err != nil {
			fmt.Fprintf(os.Stderr, "aiq: %s: %v; using %s\n", EnvISA, err, ISA())
		}
	}
}

// levelIndex is the position of name in Levels, or -1.
func levelIndex(name string) int {
	for i, l := range Levels() {
		if l == name {
			return i
		}
	}
	return -1
}

// SetISA caps the kernel variants at level name (see Levels). Features the
// CPU lacks stay off: asking for more than the machine has is not an error,
// the highest supported level below it is used. Weights packed before the
// call keep the variant they were packed for.
func SetISA(name string) error {
	i := levelIndex(strings.ToLower(name))
	if i < 0 {
		return fmt.Errorf("unknown ISA level %q for %s (want one of %s)", name, runtime.GOARCH, strings.Join(Levels(), ", "))
	}
	setFeatures(detected)
	switch runtime.GOARCH {
	case "amd64":
		hasAVX2 = hasAVX2 && i >= 1
		hasAVX512 = hasAVX512 && i >= 2
		hasVNNI = hasVNNI && i >= 3
	case "arm64":
		hasNEON = hasNEON && i >= 1
		hasDotProd = hasDotProd && i >= 2
		hasFP16 = hasFP16 && i >= 3
	}
	return nil
}

// ForceISA is SetISA for tests and benchmarks; it panics on an unknown
// level and returns a function that restores the previous features:
//
//	defer kernels.ForceISA("avx2")()
func ForceISA(name string) (restore func()) {
	saved := enabled()
	if err := SetISA(name); err != nil {
		panic(err)
	}
	return func() { setFeatures(saved) }
}

// Supported reports whether the machine can run level name.
func Supported(name string) bool { return detected.has(name) }

// Enabled reports whether level name is on now: supported and not capped
// by AIQ_ISA, SetISA or ForceISA. Code outside this package that has
// assembly of its own (the roofline's measurement loops) picks it with
// Enabled, so one cap governs every variant choice.
func Enabled(name string) bool { return enabled().has(name) }

// ISA is the highest level currently enabled.
func ISA() string {
	levels := Levels()
	for i := len(levels) - 1; i > 0; i-- {
		if Enabled(levels[i]) {
			return levels[i]
		}
	}
	return "generic"
}

// CPUName is the processor's brand string ("" when cpuid has none).
func CPUName() string { return strings.TrimSpace(cpuid.CPU.BrandName) }

// CPUCores returns the physical and logical core counts; logical falls back
// to runtime.NumCPU when cpuid does not know, physical stays 0.
func CPUCores() (physical, logical int) {
	physical, logical = max(cpuid.CPU.PhysicalCores, 0), cpuid.CPU.LogicalCores
	if logical <= 0 {
		logical = runtime.NumCPU()
	}
	return physical, logical
}

// simdFeatures are the SIMD features CPUFeatures reports: the ones the
// kernels dispatch on and their near neighbours, not cpuid's whole set, so
// that a cpuid upgrade learning an unrelated flag changes no host id (see
// results.Host). Keep the list stable.
var simdFeatures = []cpuid.FeatureID{cpuid.SSE2, cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.F16C,
	cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512DQ, cpuid.AVX512VNNI, cpuid.AVXVNNI,
	cpuid.AVX512FP16, cpuid.AVX512BF16, cpuid.AMXINT8, cpuid.AMXBF16,
	cpuid.ASIMD, cpuid.ASIMDDP, cpuid.FPHP, cpuid.ASIMDHP, cpuid.SVE}

// CPUFeatures lists, in lower case, the SIMD features of simdFeatures the
// CPU has (whatever AIQ_ISA caps: this is the machine, not the selection).
func CPUFeatures() []string {
	var fs []string
	for _, f := range simdFeatures {
		if cpuid.CPU.Supports(f) {
			fs = append(fs, strings.ToLower(f.String()))
		}
	}
	return fs
}

// Families names the kernel families, for Selected.
var Families = []string{"gemm/fp32", "gemm/fp16", "gemm/int8", "gemm/int4", "dw/fp32", "dw/fp16", "dw/int8", "dw/int4"}

// Selected returns the variant each kernel family would use if packed now.
func Selected() map[string]string {
	m := make(map[string]string, len(Families))
	for _, f := range Families {
		m[f] = variantFor(f)
	}
	return m
}

// variantFor names the variant for a family under the current features. The
// pack functions record this name; it is the single place that maps
// features to variants.
func variantFor(family string) string {
	integer := strings.HasSuffix(family, "int8") || strings.HasSuffix(family, "int4")
	half := strings.HasSuffix(family, "fp16")
	switch {
	case hasVNNI && integer:
		return "avx512vnni"
	case hasAVX512:
		return "avx512"
	case hasAVX2:
		return "avx2"
	case hasDotProd && integer:
		return "neon-dotprod"
	case hasFP16 && half:
		return "neon-fp16"
	case hasNEON:
		return "neon"
	}
	return "generic"
}

// itoa names a weight width in a family name ("gemm/int" + itoa(bits)).
func itoa(bits int) string {
	if bits == 4 {
		return "4"
	}
	return "8"
}
