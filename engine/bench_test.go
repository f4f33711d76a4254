package engine

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/aiq-project/aiq/graph"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// BenchmarkModel times one batch per model, format and batch size at one
// thread; images/s is reported as a metric.
func BenchmarkModel(b *testing.B) {
	set := testSet(b, "cifar10-test.bin")
	for _, name := range models {
		g, calib := calibrated(b, name)
		for _, f := range []kernels.Format{kernels.FP32, kernels.Int8, kernels.Int4, kernels.FP16} {
			for _, batch := range []int{64, 1} {
				b.Run(fmt.Sprintf("%s/%v/b%d", name, f, batch), func(b *testing.B) {
					m, err := Compile(g, Uniform(f), Options{Batch: batch, Threads: 1, Calib: calib})
					if err != nil {
						b.Fatal(err)
					}
					defer m.Close()
					x := make([]float32, batch*set.ImageSize())
					set.Images(0, batch, x)
					m.Run(x, batch)
					b.ReportAllocs()
					b.ResetTimer()
					cpu0 := cpuTime()
					for i := 0; i < b.N; i++ {
						m.Run(x, batch)
					}
					b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
					// On a shared machine wall time includes waiting for a
					// core; images per CPU second is what the code costs.
					b.ReportMetric(float64(batch*b.N)/(cpuTime()-cpu0).Seconds(), "images/cpu-s")
				})
			}
		}
	}
}

// cpuTime is the user+system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSplit compares how threads share a batch of 64: the split
// inside layers, whole shares per thread, the automatic sub-batch and
// fixed smaller ones;
// images/s is reported as a metric. Run with -count so the variants
// interleave.
func BenchmarkSplit(b *testing.B) {
	const batch = 64
	set := testSet(b, "cifar10-test.bin")
	x := make([]float32, batch*set.ImageSize())
	set.Images(0, batch, x)
	variants := []struct {
		name string
		opts Options
	}{
		{"t1-whole", Options{Threads: 1, SubBatch: batch}},
		{"t1-auto", Options{Threads: 1}},
		{"t1-sub2", Options{Threads: 1, SubBatch: 2}},
		{"t1-sub4", Options{Threads: 1, SubBatch: 4}},
		{"t1-sub8", Options{Threads: 1, SubBatch: 8}},
		{"t2-layers", Options{Threads: 2, Split: SplitLayers}},
		{"t2-whole", Options{Threads: 2, SubBatch: batch / 2}},
		{"t2-auto", Options{Threads: 2}},
		{"t2-sub2", Options{Threads: 2, SubBatch: 2}},
		{"t2-sub4", Options{Threads: 2, SubBatch: 4}},
		{"t2-sub8", Options{Threads: 2, SubBatch: 8}},
	}
	for _, name := range models {
		g, calib := calibrated(b, name)
		for _, f := range []kernels.Format{kernels.FP32, kernels.Int8} {
			for _, v := range variants {
				b.Run(fmt.Sprintf("%s/%v/%s", name, f, v.name), func(b *testing.B) {
					o := v.opts
					o.Batch, o.Calib = batch, calib
					m, err := Compile(g, Uniform(f), o)
					if err != nil {
						b.Fatal(err)
					}
					defer m.Close()
					m.Run(x, batch)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						m.Run(x, batch)
					}
					b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
				})
			}
		}
	}
}

// BenchmarkBatch1 times one image at one and two threads (two: every
// layer split across them); images/s is reported as a metric.
func BenchmarkBatch1(b *testing.B) {
	set := testSet(b, "cifar10-test.bin")
	x := make([]float32, set.ImageSize())
	set.Images(0, 1, x)
	for _, name := range models {
		g, calib := calibrated(b, name)
		for _, f := range []kernels.Format{kernels.FP32, kernels.Int8} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%v/t%d", name, f, threads), func(b *testing.B) {
					m, err := Compile(g, Uniform(f), Options{Batch: 1, Threads: threads, Calib: calib})
					if err != nil {
						b.Fatal(err)
					}
					defer m.Close()
					m.Run(x, 1)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						m.Run(x, 1)
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
				})
			}
		}
	}
}

// calibrated is model name with min-max ranges from 64 training images.
func calibrated(b *testing.B, name string) (*graph.Graph, *quant.Calibration) {
	g := loadGraph(b, name, 1)
	calib, err := Calibrate(g, testSet(b, "cifar10-train-5k.bin"), 0, 64, quant.MinMax, Options{Batch: 64})
	if err != nil {
		b.Fatal(err)
	}
	return g, calib
}
