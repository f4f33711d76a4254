package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEUpToDate fails when the README's search tables differ from what
// the committed runs give: they are generated, never typed.
func TestREADMEUpToDate(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Update(doc, "../../data/published-runs")
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(doc) {
		t.Fatal("README.md's generated tables are stale: run go run ./scripts/tables")
	}
}

func TestSplice(t *testing.T) {
	begin, end := markers("search")
	doc := []byte("a\n" + begin + "\nold\n" + end + "\nb\n")
	got, err := Splice(doc, "search", "new\n")
	if err != nil || !strings.Contains(string(got), begin+"\nnew\n"+end) || strings.Contains(string(got), "old") {
		t.Fatalf("Splice: %q, %v", got, err)
	}
	if _, err := Splice([]byte("no markers"), "search", "x"); err == nil {
		t.Fatal("missing markers accepted")
	}
}

// TestKernelsTables renders the kernels section from a small synthetic
// perf-figures output: medians over the counts, the fastest variant per
// format, % of peak, ratios and % of the roofline.
func TestKernelsTables(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("meta.txt", "# commit 0123456789abcdef0123456789abcdef01234567 with uncommitted changes, 2026-01-02T03:04:05Z\n# load before: 0.10 0.20 0.30\n")
	// fp32 peak 200 GFLOP/s; one thread: L1 up to 32 KiB at best 50 GB/s
	// (copy), L2 up to 1 MiB at 20 GB/s, DRAM beyond at 5 GB/s.
	write("roofline.json", `{"threads": 2, "bandwidth_gbs": {"L1": {"read": 99}},
	 "peak_gops": {"fp32": 200, "int8": 800, "int4": 600},
	 "peaks": {"fp32": {"gops": 200, "isa": "avx512"}, "int8": {"gops": 800, "isa": "avx512-vnni"}, "int4": {"gops": 600, "isa": "avx512-vnni"}},
	 "sweeps": [{"threads": 1,
	   "bandwidth_gbs": {"L1": {"read": 40, "copy": 50}, "L2": {"read": 20}, "L3": {"read": 10}, "DRAM": {"read": 5}},
	   "plateaus": [{"level": "L1", "from_bytes": 4096, "to_bytes": 32768}, {"level": "L2", "from_bytes": 65536, "to_bytes": 1048576},
	     {"level": "L3", "from_bytes": 2097152, "to_bytes": 8388608}, {"level": "DRAM", "from_bytes": 16777216, "to_bytes": 67108864}]}],
	 "host": {"cpu": "Test CPU"}}`)
	// GEMM 64x64x64: fp32 medians 100 GFLOP/s (of 90, 100, 110); int8
	// avx512vnni at 400 beats int8 avx2 at 300; no int4. At 1x64x64 only
	// int8 avx2 ran, so int8's variant goes in its cells.
	// Depthwise: fp32 at 10 GB/s and 20 GFLOP/s (2 flops/byte) moving
	// 10 kB per op (L1: attainable min(200, 2 x 50) = 100, so 20%); int8
	// at 4 GB/s, 36 GOP/s (9 ops/byte), 2 MB per op (L3: min(800, 90), 40%).
	write("kernels.txt", `# load before: 1.00 2.00 3.00
goos: linux
goarch: amd64
pkg: github.com/aiq-project/aiq/kernels
cpu: Synthetic CPU
BenchmarkGEMMQTargets/fp32/avx512/64x64x64-2   	10	  5000 ns/op	 1000 MB/s	 90 GFLOP/s
BenchmarkGEMMQTargets/fp32/avx512/64x64x64-2   	10	  5000 ns/op	 1000 MB/s	 110 GFLOP/s
BenchmarkGEMMQTargets/fp32/avx512/64x64x64-2   	10	  5000 ns/op	 1000 MB/s	 100 GFLOP/s
BenchmarkGEMMQTargets/int8/avx2/64x64x64-2     	10	  5000 ns/op	 1000 MB/s	 300 GFLOP/s
BenchmarkGEMMQTargets/int8/avx512vnni/64x64x64-2	10	  5000 ns/op	 1000 MB/s	 400 GFLOP/s
BenchmarkGEMMQTargets/fp32/avx512/1x64x64-2   	10	  5000 ns/op	 1000 MB/s	 10 GFLOP/s
BenchmarkGEMMQTargets/int8/avx2/1x64x64-2     	10	  5000 ns/op	 1000 MB/s	 40 GFLOP/s
BenchmarkDepthwise/fp32/generic/b1-8x4x4-s1-2  	10	  5000 ns/op	 2000 MB/s	 4 GFLOP/s
BenchmarkDepthwise/fp32/avx512/b1-8x4x4-s1-2   	10	  1000 ns/op	10000 MB/s	 20 GFLOP/s
BenchmarkDepthwise/int8/avx512vnni/b1-8x4x4-s1-2	10	500000 ns/op	 4000 MB/s	 36 GFLOP/s
PASS
`)
	f, err := os.Open(filepath.Join(dir, "kernels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := readKernels(f, "kernels.txt")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Points) != 8 || run.CPU != "Synthetic CPU" || run.Load != "1.00 2.00 3.00" {
		t.Fatalf("parsed %d points, cpu %q, load %q", len(run.Points), run.CPU, run.Load)
	}
	p := run.Points[0]
	if p.Bench != "GEMMQTargets" || p.Format != "fp32" || p.Variant != "avx512" || p.Shape != "64x64x64" || p.Counts != 3 || p.GOPS != 100 || p.GBs != 1 {
		t.Fatalf("first point %+v", p)
	}
	if p := run.Points[6]; p.Shape != "b1-8x4x4-s1" || math.Abs(p.Bytes-10000) > 1e-6 || math.Abs(p.AI()-2) > 1e-9 {
		t.Fatalf("depthwise point %+v, intensity %v", p, p.AI())
	}
	text, err := KernelsTables(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Synthetic CPU, commit 0123456 with uncommitted changes, 2026-01-02T03:04:05Z; load average before the roofline probe 0.10 0.20 0.30, before the kernels 1.00 2.00 3.00. Medians of 3 counts.",
		"1 thread",
		"peak fp32 200 GFLOP/s (avx512), int8 800 GOP/s (avx512-vnni), int4 600 GOP/s (avx512-vnni)",
		"L1 50 GB/s, L2 20 GB/s, L3 10 GB/s, DRAM 5 GB/s.",
		"| shape MxNxK | fp32 avx512 GFLOP/s | int8 GOP/s | int4 GOP/s | GB/s fp32 / int8 / int4 |",
		"| 64x64x64 | 100 (50% of peak) | avx512vnni 400 (4.00x fp32) | - | 1.0 / 1.0 / - |",
		"| 1x64x64 | 10.0 (5% of peak) | avx2 40.0 (4.00x fp32) | - | 1.0 / 1.0 / - |",
		"| b1-8x4x4-s1 | avx512 | 10.0 | 20.0 | 20% (L1) | avx512vnni | 4.0 | 36.0 | 40% (L3) |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if _, err := readKernels(strings.NewReader("BenchmarkX/a/b/c-2 1 5 ns/op\n"), "bad"); err == nil {
		t.Error("a result without MB/s and GFLOP/s accepted")
	}
}
