package roofline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/aiq-project/aiq/harness"
	"github.com/aiq-project/aiq/kernels"
)

// synthSweep builds a sweep whose bandwidth steps down at the given
// boundaries (bytes), with multiplicative noise and a soft transition point.
func synthSweep(rng *rand.Rand, levels []float64, bounds []int64, noise float64) []SweepPoint {
	cfg := sweepConfig{minBytes: 4 << 10, maxBytes: 1 << 30, stepsPerOctave: 4}
	var pts []SweepPoint
	for _, s := range cfg.sizes() {
		lvl := 0
		for lvl < len(bounds) && s > bounds[lvl] {
			lvl++
		}
		v := levels[lvl]
		// Just past a boundary the bandwidth is between the two levels.
		if lvl > 0 && float64(s) < 1.2*float64(bounds[lvl-1]) {
			v = math.Sqrt(levels[lvl] * levels[lvl-1])
		}
		pt := SweepPoint{Bytes: s, Best: map[Kind]float64{}, Median: map[Kind]float64{}}
		for i, k := range Kinds {
			f := 1 + noise*(2*rng.Float64()-1)
			pt.Best[k] = v * f * (1 - 0.05*float64(i))
			pt.Median[k] = pt.Best[k]
		}
		pts = append(pts, pt)
	}
	return pts
}

func TestDetectPlateaus(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	levels := []float64{300, 120, 30, 15}
	bounds := []int64{48 << 10, 2 << 20, 96 << 20}
	for trial := range 20 {
		pts := synthSweep(rng, levels, bounds, 0.08)
		ps, err := DetectPlateaus(pts, 4)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range ps {
			if p.Level != Levels[i] {
				t.Fatalf("trial %d: plateau %d labelled %s, want %s", trial, i, p.Level, Levels[i])
			}
			if got := p.GBs[Read]; math.Abs(got-levels[i])/levels[i] > 0.1 {
				t.Errorf("trial %d: %s read %.1f GB/s, want %.1f within 10%%", trial, p.Level, got, levels[i])
			}
			if i > 0 {
				// The boundary must sit within one octave of the true one.
				b := float64(bounds[i-1])
				if f := float64(p.FromBytes); f < b/2 || f > 2*b {
					t.Errorf("trial %d: %s starts at %d bytes, true boundary %d", trial, p.Level, p.FromBytes, bounds[i-1])
				}
			}
		}
	}
}

func TestDetectPlateausFromDataNotCacheSizes(t *testing.T) {
	// An "L3" that ends at 24 MiB although a cache size table might claim
	// more: the boundary must follow the data.
	rng := rand.New(rand.NewPCG(3, 4))
	pts := synthSweep(rng, []float64{300, 120, 30, 15}, []int64{48 << 10, 2 << 20, 24 << 20}, 0.03)
	ps, err := DetectPlateaus(pts, 4)
	if err != nil {
		t.Fatal(err)
	}
	if ps[3].FromBytes < 16<<20 || ps[3].FromBytes > 48<<20 {
		t.Errorf("DRAM plateau starts at %d bytes, want near 24 MiB", ps[3].FromBytes)
	}
}

func TestDetectPlateausErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pts := synthSweep(rng, []float64{300, 120, 30, 15}, []int64{48 << 10, 2 << 20, 96 << 20}, 0)
	if _, err := DetectPlateaus(pts[:5], 4); err == nil {
		t.Error("5 points for 4 levels: no error")
	}
	if _, err := DetectPlateaus(pts, 5); err == nil {
		t.Error("5 levels: no error")
	}
	bad := append([]SweepPoint(nil), pts...)
	bad[3] = SweepPoint{Bytes: bad[3].Bytes, Best: map[Kind]float64{Read: 0}}
	if _, err := DetectPlateaus(bad, 4); err == nil || !strings.Contains(err.Error(), "bandwidth") {
		t.Errorf("zero bandwidth: err = %v", err)
	}
	bad = append([]SweepPoint(nil), pts...)
	bad[2], bad[3] = bad[3], bad[2]
	if _, err := DetectPlateaus(bad, 4); err == nil {
		t.Error("unsorted sizes: no error")
	}
}

func TestSizes(t *testing.T) {
	for _, c := range []sweepConfig{
		{minBytes: 4 << 10, maxBytes: 1040 << 20, stepsPerOctave: 4},
		{minBytes: 4 << 10, maxBytes: 1040 << 20, stepsPerOctave: 2, coarseFrom: 64 << 20},
	} {
		s := c.sizes()
		if s[0] != c.minBytes || s[len(s)-1] != c.maxBytes {
			t.Errorf("%+v: sizes %d..%d", c, s[0], s[len(s)-1])
		}
		for i := 1; i < len(s); i++ {
			if s[i] <= s[i-1] || s[i]%4096 != 0 || float64(s[i]) > 2.1*float64(s[i-1]) {
				t.Errorf("%+v: bad step %d -> %d", c, s[i-1], s[i])
			}
		}
	}
}

func testResult() *Result {
	bw := map[Level]Bandwidth{L1: {Read: 500}, L2: {Read: 200, Copy: 250}, L3: {Read: 50}, DRAM: {Read: 20, TriadNT: 25}}
	return &Result{
		Threads:      2,
		BandwidthGBs: bw,
		PeakGOPS:     map[kernels.Format]float64{kernels.FP32: 100, kernels.FP16: 60, kernels.Int8: 400, kernels.Int4: 300},
		Sweeps:       []ThreadSweep{{Threads: 1, Levels: map[Level]Bandwidth{L1: {Read: 250}, L2: {Read: 100}, L3: {Read: 30}, DRAM: {Read: 15}}}},
	}
}

func TestAttainable(t *testing.T) {
	if got := Attainable(100, 20, 2); got != 40 {
		t.Errorf("memory bound: %v want 40", got)
	}
	if got := Attainable(100, 20, 10); got != 100 {
		t.Errorf("compute bound: %v want 100", got)
	}
	if got := Ridge(100, 20); got != 5 {
		t.Errorf("ridge %v want 5", got)
	}
	r := testResult()
	// 2 threads: peak 200, DRAM ceiling max(read, triad_nt) = 25.
	if got, err := r.Attainable(kernels.FP32, 4, DRAM, 2); err != nil || got != 100 {
		t.Errorf("fp32 ai 4 DRAM 2t: %v, %v; want 100", got, err)
	}
	if got, err := r.Ridge(kernels.Int8, L2, 2); err != nil || got != 800.0/250 {
		t.Errorf("int8 L2 ridge: %v, %v; want 3.2", got, err)
	}
	// 1 thread uses the 1-thread sweep.
	if got, err := r.Attainable(kernels.FP32, 1, L1, 1); err != nil || got != 100 {
		t.Errorf("fp32 ai 1 L1 1t: %v, %v; want 100 (peak)", got, err)
	}
	if got, err := r.Attainable(kernels.FP32, 1, DRAM, 1); err != nil || got != 15 {
		t.Errorf("fp32 ai 1 DRAM 1t: %v, %v; want 15", got, err)
	}
	if _, err := r.Attainable(kernels.FormatNamed("bf16"), 1, L1, 2); err == nil {
		t.Error("unknown format: no error")
	}
	if _, err := r.Attainable(kernels.FP32, 1, L1, 3); err == nil {
		t.Error("unknown thread count: no error")
	}
	if _, err := r.Attainable(kernels.FP32, 0, L1, 2); err == nil {
		t.Error("zero intensity: no error")
	}
}

func TestJSONContract(t *testing.T) {
	var buf bytes.Buffer
	if err := testResult().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if th, ok := m["threads"].(float64); !ok || th != 2 {
		t.Errorf("threads = %v", m["threads"])
	}
	bw, ok := m["bandwidth_gbs"].(map[string]any)
	if !ok {
		t.Fatalf("bandwidth_gbs missing: %v", m)
	}
	for _, l := range []string{"L1", "L2", "L3", "DRAM"} {
		lv, ok := bw[l].(map[string]any)
		if !ok {
			t.Fatalf("bandwidth_gbs.%s missing", l)
		}
		for _, k := range []string{"read", "copy", "triad"} {
			if _, ok := lv[k].(float64); !ok {
				t.Errorf("bandwidth_gbs.%s.%s missing", l, k)
			}
		}
	}
	pk, ok := m["peak_gops"].(map[string]any)
	if !ok {
		t.Fatal("peak_gops missing")
	}
	for _, f := range []string{"fp32", "fp16", "int8", "int4"} {
		if _, ok := pk[f].(float64); !ok {
			t.Errorf("peak_gops.%s missing", f)
		}
	}
	r, err := decode(buf.Bytes(), "test")
	if err != nil || r.PeakGOPS[kernels.Int8] != 400 || r.BandwidthGBs[DRAM].TriadNT != 25 {
		t.Errorf("round trip: %+v, %v", r, err)
	}
	if _, err := decode([]byte(`{"threads":0}`), "empty.json"); err == nil || !strings.Contains(err.Error(), "empty.json") {
		t.Errorf("empty result: err = %v", err)
	}
}

func TestSVG(t *testing.T) {
	var buf bytes.Buffer
	err := WriteSVG(&buf, testResult(), ChartOptions{Points: []ChartPoint{{Name: "gemm<fp32>", AI: 8, GOPS: 90}}})
	if err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{"<svg", "</svg>", "DRAM 25.0 GB/s", "int8 800 GOP/s", "gemm&lt;fp32&gt;"} {
		if !strings.Contains(s, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Error("svg has NaN or Inf coordinates")
	}
	if err := WriteSVG(&buf, testResult(), ChartOptions{Threads: 7}); err == nil {
		t.Error("unknown thread count: no error")
	}
}

func TestSweepSmall(t *testing.T) {
	cpus, err := harness.CPUs()
	if err != nil {
		t.Fatal(err)
	}
	cfg := sweepConfig{minBytes: 4 << 10, maxBytes: 1 << 20, stepsPerOctave: 1, samples: 1, sampleTime: 100_000}
	ts, err := sweepThreads(cpus[:1], cfg, []int64{64 << 10}, selectKernels().bw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts.Points) != len(cfg.sizes()) || len(ts.Plateaus) != 2 {
		t.Fatalf("%d points, %d plateaus", len(ts.Points), len(ts.Plateaus))
	}
	for _, p := range ts.Points {
		for _, k := range Kinds {
			if !(p.Best[k] > 0) || p.Median[k] > p.Best[k] {
				t.Errorf("%d bytes %s: best %v median %v", p.Bytes, k, p.Best[k], p.Median[k])
			}
		}
	}
	for _, l := range Levels {
		if !(ts.Levels[l].Read > 0) {
			t.Errorf("level %s has no read bandwidth", l)
		}
	}
}

func TestComputeKernelsRun(t *testing.T) {
	for _, f := range kernels.Formats {
		k, ok := selectKernels().compute[f]
		if !ok || k.run == nil || !(k.opsPerIter > 0) {
			t.Fatalf("%s: no kernel", f)
		}
		k.run(3)
	}
	// The generic loops compute what their doc says.
	if got := fmaFP32Generic(10, 1, 0.5); got != 10 {
		t.Errorf("fmaFP32Generic = %v want 10", got)
	}
	if got := fp16FMAGeneric(4, fp16Weights(), 0.25); got != 4*0.375 {
		t.Errorf("fp16FMAGeneric = %v want 1.5", got)
	}
	if got := dotInt8Generic(2, 0x01020304, 0x01ff01ff); got != 2*2*(-4+3-2+1) {
		t.Errorf("dotInt8Generic = %v want -8", got)
	}
	if got := dotInt4Generic(1, int4Weights(), 0x01010101); got != 4*3 {
		t.Errorf("dotInt4Generic = %v want 12", got)
	}
}

func TestDetectPlateausNearWindows(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pts := synthSweep(rng, []float64{300, 120, 30, 15}, []int64{48 << 10, 2 << 20, 96 << 20}, 0.02)
	// A burst of interference: two L1 points read at a tenth of their rate.
	for i := 1; i <= 2; i++ {
		for _, k := range Kinds {
			pts[i].Best[k] /= 10
		}
	}
	caps := []int64{48 << 10, 2 << 20, 96 << 20}
	ps, err := DetectPlateausNear(pts, 4, caps)
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s < 4; s++ {
		if b, c := ps[s].FromBytes, caps[s-1]; b < c/4 || b > 4*c {
			t.Errorf("%s starts at %d bytes, outside 4x of %d", ps[s].Level, b, c)
		}
	}
	if _, err := DetectPlateausNear(pts, 4, caps[:2]); err == nil {
		t.Error("wrong capacity count: no error")
	}
	// Windows no split can satisfy: fall back to the free split.
	if _, err := DetectPlateausNear(pts, 4, []int64{1, 1, 1}); err != nil {
		t.Errorf("infeasible windows: %v", err)
	}
}

// checkCapped fails if ks runs a loop above the level package kernels has
// enabled.
func checkCapped(t *testing.T, ks kernelSet) {
	t.Helper()
	isas := []string{"bandwidth " + ks.bw.isa}
	for _, f := range kernels.Formats {
		isas = append(isas, fmt.Sprintf("%s %s", f, ks.compute[f].isa))
	}
	for _, s := range isas {
		switch {
		case !kernels.Enabled("avx2") && !strings.HasSuffix(s, " generic"):
			t.Errorf("%s at kernels level %s", s, kernels.ISA())
		case !kernels.Enabled("avx512") && strings.Contains(s, "avx512"):
			t.Errorf("%s at kernels level %s", s, kernels.ISA())
		case !kernels.Enabled("avx512vnni") && strings.Contains(s, "vnni"):
			t.Errorf("%s at kernels level %s", s, kernels.ISA())
		}
	}
	if !kernels.Enabled("avx512") && ks.clockVector != nil {
		t.Errorf("vector clock chain (AVX-512) at kernels level %s", kernels.ISA())
	}
}

// The probe's loops follow the kernels' level, whatever caps it.
func TestProbeFollowsISA(t *testing.T) {
	for _, level := range kernels.Levels() {
		t.Run(level, func(t *testing.T) {
			defer kernels.ForceISA(level)()
			checkCapped(t, selectKernels())
		})
	}
}

// AIQ_ISA caps the probe as it caps the kernels: a child test process runs
// with AIQ_ISA set to the second level (avx2 on amd64).
func TestEnvISACapsProbe(t *testing.T) {
	const child = "AIQ_ROOFLINE_TEST_CHILD"
	if runtime.GOARCH != "amd64" {
		t.Skip("the probe has assembly on amd64 only; elsewhere it is generic at every level")
	}
	levels := kernels.Levels()
	if os.Getenv(child) != "" {
		if want := os.Getenv(kernels.EnvISA); kernels.Enabled(levels[2]) || (kernels.Supported(want) && kernels.ISA() != want) {
			t.Fatalf("%s=%s: kernels at %s", kernels.EnvISA, want, kernels.ISA())
		}
		checkCapped(t, selectKernels())
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnvISACapsProbe$", "-test.count=1")
	cmd.Env = append(os.Environ(), kernels.EnvISA+"="+levels[1], child+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("with %s=%s: %v\n%s", kernels.EnvISA, levels[1], err, out)
	}
}
