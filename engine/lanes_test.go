package engine

import (
	"testing"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// TestSplitBatchExact: a batch split across threads gives the same bits as
// one thread and as the split inside layers, for every format and for
// image counts that do not divide evenly into the lanes' sub-batches.
func TestSplitBatchExact(t *testing.T) {
	const batch, n = 8, 13
	for _, name := range models {
		g, opts, mixed, x := mixedCase(t, name, n)
		opts.Batch = batch
		cfgs := map[string]Config{"fp32": {}, "int8": Uniform(kernels.Int8), "int4": Uniform(kernels.Int4),
			"fp16": Uniform(kernels.FP16), "mixed": mixed}
		for cname, cfg := range cfgs {
			one := opts
			ref, err := Compile(g, cfg, one)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := ref.Run(x, n)
			want = append([]float32(nil), want...)
			ref.Close()
			for _, o := range []Options{{Threads: 2, Split: SplitBatch}, {Threads: 2, Split: SplitLayers},
				{Threads: 2, SubBatch: 3}, {Threads: 1, SubBatch: 5}} {
				split := o.Split
				if split == SplitAuto {
					split = SplitBatch
				}
				o.Batch, o.Calib = opts.Batch, opts.Calib
				m, err := Compile(g, cfg, o)
				if err != nil {
					t.Fatal(err)
				}
				if m.SplitMode() != split {
					t.Errorf("%s %s: asked %v, got %v", name, cname, split, m.SplitMode())
				}
				for pass := range 2 { // the second pass reuses every buffer
					got, err := m.Run(x, n)
					if err != nil {
						t.Fatal(err)
					}
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("%s %s %+v pass %d: output %d = %v, one thread %v", name, cname, o, pass, i, got[i], want[i])
						}
					}
				}
				m.Close()
			}
		}
	}
}

func TestSplitAuto(t *testing.T) {
	g := loadGraph(t, "resnet20", 1)
	for _, c := range []struct {
		batch, threads int
		want           Split
	}{{64, 2, SplitBatch}, {2, 2, SplitBatch}, {1, 2, SplitLayers}, {1, 1, SplitLayers}, {3, 4, SplitLayers},
		{64, 1, SplitBatch}, // fp32 ResNet-20 runs 64 images in sub-batches
		{8, 1, SplitLayers}, // ... of 8: the plain plan
	} {
		m, err := Compile(g, Config{}, Options{Batch: c.batch, Threads: c.threads})
		if err != nil {
			t.Fatal(err)
		}
		if m.SplitMode() != c.want {
			t.Errorf("batch %d threads %d: split %v, want %v", c.batch, c.threads, m.SplitMode(), c.want)
		}
		m.Close()
	}
	if _, err := Compile(g, Config{}, Options{Split: 7}); err == nil {
		t.Error("unknown split accepted")
	}
}

func TestProfileSplitBatch(t *testing.T) {
	set := testSet(t, "cifar10-test.bin")
	g := loadGraph(t, "resnet20", 1)
	m, err := Compile(g, Config{}, Options{Batch: 4, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	x := make([]float32, 4*set.ImageSize())
	set.Images(0, 4, x)
	p, err := m.Profile(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) == 0 || len(p.Seconds[1]) != len(p.Steps) {
		t.Fatalf("profile of %d steps, %d times", len(p.Steps), len(p.Seconds[1]))
	}
	var sum float64
	for _, s := range p.Seconds[1] {
		if s <= 0 {
			t.Fatalf("a step took %v s", s)
		}
		sum += s
	}
	if sum > p.Total[1]*1.05 {
		t.Errorf("steps sum to %v s, more than the pass, %v s", sum, p.Total[1])
	}
}

// TestProgress: Predict and both passes of a histogram calibration report
// monotone progress that ends at the total.
func TestProgress(t *testing.T) {
	set := testSet(t, "cifar10-test.bin")
	g := loadGraph(t, "resnet20", 1)
	var seen [][2]int
	rec := func(done, total int) { seen = append(seen, [2]int{done, total}) }
	check := func(what string, total int) {
		t.Helper()
		if len(seen) == 0 || seen[len(seen)-1] != [2]int{total, total} {
			t.Fatalf("%s: progress %v, want to end at %d of %d", what, seen, total, total)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i][0] <= seen[i-1][0] {
				t.Fatalf("%s: progress %v not increasing", what, seen)
			}
		}
		seen = nil
	}
	m, err := Compile(g, Config{}, Options{Batch: 4, Threads: 2, Progress: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := Predict(m, set, 0, 10); err != nil {
		t.Fatal(err)
	}
	check("predict", 10)
	if _, err := Calibrate(g, set, 0, 6, quant.Percentile, Options{Batch: 4, Progress: rec}); err != nil {
		t.Fatal(err)
	}
	check("calibrate", 12)
}
