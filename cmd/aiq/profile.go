package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"sort"
	"strings"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/results"
	"github.com/google/pprof/profile"
)

// --cpuprofile FILE on eval, search and bench: the Go CPU profile of the
// command's work, readable by `go tool pprof`. It is written to a
// temporary file next to FILE and renamed into place when the profiler
// stops, so FILE is never a half-written profile; on an error after the
// work began the profile of what ran is still completed.

// cpuProfile is a running CPU profile.
type cpuProfile struct {
	path string
	tmp  *os.File
	done bool
	err  error
}

// startCPUProfile starts the process CPU profiler into path; "" profiles
// nothing (a nil *cpuProfile, whose stop does nothing).
func startCPUProfile(path string) (*cpuProfile, error) {
	if path == "" {
		return nil, nil
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("--cpuprofile %s: directory %s does not exist", path, dir)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	if err := pprof.StartCPUProfile(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return &cpuProfile{path: path, tmp: tmp}, nil
}

// stop ends the profile and moves it to its path. It may be called more
// than once (an explicit stop, then a deferred one); later calls return
// the first call's error.
func (p *cpuProfile) stop() error {
	if p == nil || p.done {
		if p == nil {
			return nil
		}
		return p.err
	}
	p.done = true
	pprof.StopCPUProfile() // flushes the last samples into tmp
	name := p.tmp.Name()
	err := p.tmp.Close()
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err == nil {
		err = os.Rename(name, p.path)
	}
	if err != nil {
		os.Remove(name)
		p.err = fmt.Errorf("--cpuprofile %s: %w", p.path, err)
	}
	return p.err
}

// Profile labels: every sample of a model's calibration, compilation and
// passes carries labelModel; those of one format's compilation and passes
// carry labelFormat too. Goroutines inherit the labels of their creator,
// so the kernel pool's workers, started by engine.Compile under the
// labels, carry them as well.
const (
	labelModel  = "aiq.model"
	labelFormat = "aiq.format"
)

// withLabels runs fn with the profile labels kv (key, value, ...).
func withLabels(fn func() error, kv ...string) error {
	var err error
	pprof.Do(context.Background(), pprof.Labels(kv...), func(context.Context) { err = fn() })
	return err
}

// attribution is a CPU profile split into step kinds and kernel families.
type attribution struct {
	Total float64 // CPU seconds of every sample in the profile
	// ByModel are the shares of the samples labelled with each model;
	// Unlabelled those of no model (loading, the roofline probe, runtime
	// background work), in the same units.
	ByModel    map[string][]results.Share
	Unlabelled []results.Share
}

// modelShares is what a model's run records: the samples labelled with it,
// and with a single model every sample, since the whole command ran for it.
func (a *attribution) modelShares(model string, single bool) []results.Share {
	if !single {
		return a.ByModel[model]
	}
	return mergeShares(a.Total, a.ByModel[model], a.Unlabelled)
}

// attributeProfile reads the CPU profile at path and splits its CPU time.
// Each sample goes to the innermost frame of its stack that belongs to a
// step kind (see classify); samples with none go to "runtime" when they
// stop in the runtime and to "other" otherwise. variants maps a kernel
// family ("gemm/int8") to the variant that ran it.
func attributeProfile(path string, variants map[string]string) (*attribution, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return attribute(p, variants)
}

// cpuValueIndex is the sample value holding CPU time.
func cpuValueIndex(p *profile.Profile) (int, error) {
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			return i, nil
		}
	}
	return 0, fmt.Errorf("not a CPU profile (sample types %v)", p.SampleType)
}

func attribute(p *profile.Profile, variants map[string]string) (*attribution, error) {
	vi, err := cpuValueIndex(p)
	if err != nil {
		return nil, err
	}
	type key struct{ model, kind, family string }
	ns := map[key]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[vi]
		total += v
		kind, family := classifyStack(s, variants)
		model := ""
		if m := s.Label[labelModel]; len(m) > 0 {
			model = m[0]
		}
		ns[key{model, kind, family}] += v
	}
	a := &attribution{Total: float64(total) / 1e9, ByModel: map[string][]results.Share{}}
	for k, v := range ns {
		sh := results.Share{Kind: k.kind, Family: k.family, Seconds: float64(v) / 1e9}
		if total > 0 {
			sh.Share = float64(v) / float64(total)
		}
		if k.model == "" {
			a.Unlabelled = append(a.Unlabelled, sh)
		} else {
			a.ByModel[k.model] = append(a.ByModel[k.model], sh)
		}
	}
	sortShares(a.Unlabelled)
	for _, s := range a.ByModel {
		sortShares(s)
	}
	return a, nil
}

func sortShares(s []results.Share) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].Seconds != s[j].Seconds {
			return s[i].Seconds > s[j].Seconds
		}
		if s[i].Kind != s[j].Kind {
			return s[i].Kind < s[j].Kind
		}
		return s[i].Family < s[j].Family
	})
}

// mergeShares adds up shares of the same kind and family.
func mergeShares(total float64, lists ...[]results.Share) []results.Share {
	type key struct{ kind, family string }
	sum := map[key]float64{}
	for _, l := range lists {
		for _, s := range l {
			sum[key{s.Kind, s.Family}] += s.Seconds
		}
	}
	out := make([]results.Share, 0, len(sum))
	for k, v := range sum {
		sh := results.Share{Kind: k.kind, Family: k.family, Seconds: v}
		if total > 0 {
			sh.Share = v / total
		}
		out = append(out, sh)
	}
	sortShares(out)
	return out
}

// The step kinds of an attribution.
const (
	shareGEMM       = "gemm"
	shareDepthwise  = "depthwise"
	shareIm2col     = "im2col"
	shareConversion = "conversion"
	shareOtherOp    = "other-op"
	shareRuntime    = "runtime"
	shareOther      = "other"
)

const modulePath = "github.com/aiq-project/aiq/"

var (
	// Kernel code of a GEMM or depthwise family: the exported types'
	// methods, their parallel jobs, the assembly and the generic code.
	gemmFrame = regexp.MustCompile(`^kernels\.(\(\*(GEMMF32|GEMMF16|GEMMQ|gemmF32Job|gemmF16Job|gemmQJob)\)|gemm|tileRef)`)
	dwFrame   = regexp.MustCompile(`^kernels\.(\(\*(DepthwiseF32|DepthwiseF16|DepthwiseQ|dwJob)\)|dw|runDW|planDW)`)
	// The float format in a kernel's name: gemmF32AVX512R6P4, (*GEMMF16),
	// dwQDot8, (*DepthwiseQ).
	kernelFormat = regexp.MustCompile(`(?i)(?:gemm|tileref|dw|depthwise)(f32|f16|q)`)
	// Set-up: compiling a model, quantizing and packing its weights. No
	// pass runs under it, so a stack with one of these is "other" whatever
	// helper (a conversion, a kernel's layout) it stopped in.
	setupFrame = regexp.MustCompile(`^(engine\.(Compile|Plan|\(\*builder\))|kernels\.(Pack|pack|\(\*\w+\)\.(pack|layout))|quant\.)`)
	// The conv step's own code at run time: its loops and epilogue (whose
	// helpers, shared with other steps, count with their caller).
	convFrame = regexp.MustCompile(`^engine\.(\(\*convStep\)\.(run|runChunk|finish|runDepthwise)|\(\*convJob\)\.RunTask)`)
	// Engine steps other than conv and conversion.
	otherStepFrame = regexp.MustCompile(`^engine\.(\(\*(affine|clip|add|gap|pool|flatten|slice|pad|concat)Step\)\.|sliceRun|padRun|nchwToNHWC)`)
)

// classifyStack returns the kind and family of one sample.
func classifyStack(s *profile.Sample, variants map[string]string) (kind, family string) {
	format := ""
	if f := s.Label[labelFormat]; len(f) > 0 {
		format = f[0]
	}
	var names []string // innermost first
	for _, loc := range s.Location {
		for _, ln := range loc.Line { // inlined callees come first
			if ln.Function != nil {
				names = append(names, ln.Function.Name)
			}
		}
	}
	for _, n := range names {
		if strings.HasPrefix(n, modulePath) && setupFrame.MatchString(strings.TrimPrefix(n, modulePath)) {
			return shareOther, ""
		}
	}
	for i, n := range names {
		if kind, family, ok := classify(n, names[i+1:], format, variants); ok {
			return kind, family
		}
	}
	if len(names) > 0 && strings.HasPrefix(names[0], "runtime.") {
		return shareRuntime, ""
	}
	return shareOther, ""
}

// classify places one frame (a function name) in a step kind; outer are
// the frames that called it. Runtime frames (memmove, the scheduler under
// a kernel pool) match nothing: they count with the step that called them.
func classify(name string, outer []string, format string, variants map[string]string) (kind, family string, ok bool) {
	if !strings.HasPrefix(name, modulePath) {
		return "", "", false
	}
	n := strings.TrimPrefix(name, modulePath)
	switch {
	case gemmFrame.MatchString(n):
		return shareGEMM, kernelFamily("gemm", n, format, variants), true
	case dwFrame.MatchString(n):
		return shareDepthwise, kernelFamily("dw", n, format, variants), true
	case strings.HasPrefix(n, "kernels.F32ToF16"), strings.HasPrefix(n, "kernels.F16ToF32"),
		strings.HasPrefix(n, "kernels.f32ToF16"), strings.HasPrefix(n, "kernels.f16ToF32"):
		return shareConversion, "", true
	case strings.HasPrefix(n, "engine.(*convertStep)."), isFunc(n, "engine.store"), isFunc(n, "engine.load"):
		return shareConversion, "", true
	case strings.HasPrefix(n, "engine.im2col"), strings.HasPrefix(n, "engine.copyWindows"),
		strings.HasPrefix(n, "engine.colStack"), strings.HasPrefix(n, "engine.(*convStep).runColStack"):
		return shareIm2col, "", true
	case convFrame.MatchString(n):
		// finish serves both kinds, so the step's entry decides.
		for _, o := range outer {
			if strings.HasPrefix(o, modulePath+"engine.(*convStep).runDepthwise") {
				return shareDepthwise, "", true
			}
		}
		return shareGEMM, "", true
	case otherStepFrame.MatchString(n):
		return shareOtherOp, "", true
	}
	return "", "", false
}

// isFunc reports whether n is the function fn or an instance or closure of it.
func isFunc(n, fn string) bool {
	if !strings.HasPrefix(n, fn) {
		return false
	}
	rest := n[len(fn):]
	return rest == "" || rest[0] == '[' || rest[0] == '.'
}

// kernelFamily names the family of a kernel frame, "gemm/int8 avx512vnni":
// the float format from the code's name; otherwise the format label of the
// pass (int4 packed as int8 stays int4, the format configured), else for
// integer code the width in the assembly's name (gemmQVNNI8), else "int".
func kernelFamily(prefix, n, format string, variants map[string]string) string {
	f := ""
	m := kernelFormat.FindStringSubmatchIndex(n)
	if m != nil {
		switch strings.ToLower(n[m[2]:m[3]]) {
		case "f32":
			f = "fp32"
		case "f16":
			f = "fp16"
		case "q":
			f = "int"
			if i := strings.IndexAny(n[m[1]:], "48"); i >= 0 {
				f += n[m[1]+i : m[1]+i+1]
			}
		}
	}
	switch {
	case (f == "" || strings.HasPrefix(f, "int")) && (format == "int8" || format == "int4"):
		f = format
	case f == "" && format != "":
		f = format
	case f == "":
		return prefix
	}
	fam := prefix + "/" + f
	if v := variants[fam]; v != "" {
		return fam + " " + v
	}
	return fam
}

// printAttribution writes one model's shares as a table.
func printAttribution(w io.Writer, title string, total float64, shares []results.Share) {
	sum := 0.0
	for _, s := range shares {
		sum += s.Seconds
	}
	fmt.Fprintf(w, "%s: %.2f s of CPU samples (%.1f%% of the profile's %.2f s), by step kind and kernel family:\n", title, sum, pct(sum, total), total)
	fmt.Fprintf(w, "    %-10s %-26s %9s %7s\n", "kind", "family", "cpu s", "share")
	for _, s := range shares {
		fam := s.Family
		if fam == "" {
			fam = "-"
		}
		fmt.Fprintf(w, "    %-10s %-26s %9.3f %6.1f%%\n", s.Kind, fam, s.Seconds, 100*s.Share)
	}
}

func pct(x, total float64) float64 {
	if total == 0 {
		return 0
	}
	return 100 * x / total
}

// kernelVariants is kernels.Selected, the variant of every family.
func kernelVariants() map[string]string { return kernels.Selected() }
