package search

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/aiq-project/aiq/dataset"
	"github.com/aiq-project/aiq/engine"
	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/quant"
)

// BenchmarkPredictionError measures the cost model's error on random mixed
// configurations (about one layer in eight moved off int8 to a random
// format) of AIQ_MODEL (default ResNet-20) at batch 64, one thread:
// predicted images/s against the measured median of interleaved end-to-end
// runs. It reports the largest and the mean absolute error in percent.
//
//	go test ./search -run XXX -bench PredictionError -benchtime 1x
//	AIQ_MODEL=../models/mobilenetv2.onnx go test ./search -run XXX -bench PredictionError -benchtime 1x
func BenchmarkPredictionError(b *testing.B) {
	model := os.Getenv("AIQ_MODEL")
	if model == "" {
		model = "../models/resnet20.onnx"
	}
	test, err := dataset.Open("../data/cifar10/cifar10-test.bin")
	if err != nil {
		b.Skip(err)
	}
	calib, err := dataset.Open("../data/cifar10/cifar10-train-5k.bin")
	if err != nil {
		b.Skip(err)
	}
	e, err := NewEngine(model, test, engine.Options{Batch: 64, Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Calibrate(calib, 512, quant.MinMax, b.TempDir()); err != nil {
		b.Fatal(err)
	}
	for range b.N {
		costs, err := e.MeasureCosts(kernels.Formats, CostOptions{Batch: 64, Threads: 1})
		if err != nil {
			b.Fatal(err)
		}
		n := len(e.Layers)
		rng := rand.New(rand.NewPCG(1, 2))
		var cs []Config
		for range 8 {
			c := Uniform(n, kernels.Int8)
			for l := range c {
				if rng.IntN(8) == 0 {
					c[l] = kernels.Formats[rng.IntN(len(kernels.Formats))]
				}
			}
			cs = append(cs, c)
		}
		ts, err := e.interleaved(cs, 64, 1, 2*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		worst, sum := 0.0, 0.0
		for i, c := range cs {
			p, err := e.PredictConfig(costs, c)
			if err != nil {
				b.Fatal(err)
			}
			d := 100 * math.Abs(p/ts[i].ImagesPerS-1)
			worst, sum = max(worst, d), sum+d
			b.Logf("%-32s predicted %6.0f measured %6.0f images/s (%+.1f%%)", c, p, ts[i].ImagesPerS, 100*(p/ts[i].ImagesPerS-1))
		}
		b.ReportMetric(worst, "max-err-%")
		b.ReportMetric(sum/float64(len(cs)), "mean-err-%")
	}
}
