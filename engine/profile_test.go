package engine

import (
	"testing"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// TestPlanAndProfile checks that Plan describes exactly the steps Compile
// builds (conversions at format boundaries included), that the profile
// times every step of real passes, and that profiling leaves results alone.
func TestPlanAndProfile(t *testing.T) {
	const n = 4
	for _, name := range models {
		g, opts, cfg, x := mixedCase(t, name, n)
		plan, err := Plan(g, cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Compile(g, cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		steps := m.Steps()
		if len(plan) != len(steps) {
			t.Fatalf("%s: plan of %d steps, model of %d", name, len(plan), len(steps))
		}
		converts, layers := 0, 0
		for i := range steps {
			p, s := plan[i], steps[i]
			p.Describe, s.Describe = "", ""
			if p != s {
				t.Fatalf("%s step %d: plan %+v, model %+v", name, i, p, s)
			}
			switch s.Kind {
			case KindConvert:
				converts++
			case KindGEMM, KindDepthwise:
				layers++
				if s.Format != cfg.Format(s.Layer) {
					t.Fatalf("%s: layer %s in %v, configured %v", name, s.Layer, s.Format, cfg.Format(s.Layer))
				}
				if s.Format != kernels.Int4 && s.Exec != s.Format {
					t.Fatalf("%s: layer %s in %v executes as %v", name, s.Layer, s.Format, s.Exec)
				}
			}
		}
		if layers != len(g.Layers()) || converts == 0 {
			t.Fatalf("%s: %d layer steps of %d, %d conversions", name, layers, len(g.Layers()), converts)
		}
		want, err := m.Run(x, n)
		if err != nil {
			t.Fatal(err)
		}
		want = append([]float32(nil), want...)
		p, err := m.Profile(x, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Seconds) != 3 || len(p.Total) != 3 {
			t.Fatalf("%s: %d passes timed", name, len(p.Seconds))
		}
		for i, row := range p.Seconds {
			sum := 0.0
			for _, s := range row {
				if !(s >= 0) {
					t.Fatalf("%s: step time %v", name, s)
				}
				sum += s
			}
			if sum > p.Total[i] || sum < 0.5*p.Total[i] {
				t.Fatalf("%s pass %d: steps sum to %v of a %v pass", name, i, sum, p.Total[i])
			}
		}
		got, err := m.Run(x, n)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: output %d changed after profiling", name, i)
			}
		}
		m.Close()
		if _, err := m.Profile(x[:1], 1); err == nil {
			t.Fatal("profile of a partial batch accepted")
		}
	}
}

// TestExecFormat: a 16-column int4 GEMM runs as whatever the kernels say.
func TestExecFormat(t *testing.T) {
	s := &convStep{format: kernels.Int4, k: 144, n: 16}
	want := kernels.Int4
	if kernels.GEMMQExecBits(4, 144, 16) == 8 {
		want = kernels.Int8
	}
	if got := s.execFormat(); got != want {
		t.Fatalf("int4 K=144 N=16 executes as %v, want %v", got, want)
	}
	if got := (&convStep{format: kernels.Int8, k: 144, n: 16}).execFormat(); got != kernels.Int8 {
		t.Fatalf("int8 executes as %v", got)
	}
}

// BenchmarkProfileOverhead runs the same passes with and without the step
// timers; compare the two sub-benchmarks' ns/op.
func BenchmarkProfileOverhead(b *testing.B) {
	set := testSet(b, "cifar10-test.bin")
	train := testSet(b, "cifar10-train-5k.bin")
	for _, name := range models {
		g := loadGraph(b, name, 1)
		calib, err := Calibrate(g, train, 0, 64, quant.MinMax, Options{Batch: 64})
		if err != nil {
			b.Fatal(err)
		}
		m, err := Compile(g, Uniform(kernels.Int8), Options{Batch: 64, Threads: 1, Calib: calib})
		if err != nil {
			b.Fatal(err)
		}
		x := make([]float32, 64*set.ImageSize())
		set.Images(0, 64, x)
		b.Run(name+"/run", func(b *testing.B) {
			for range b.N {
				m.Run(x, 64)
			}
		})
		b.Run(name+"/profile", func(b *testing.B) {
			for range b.N {
				m.Profile(x, 1)
			}
		})
		m.Close()
	}
}
