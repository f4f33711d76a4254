package search

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/aiq-project/aiq/kernels"
	"github.com/aiq-project/aiq/layers"
)

func TestFrontOfEvaluated(t *testing.T) {
	ls := []layers.Layer{{MACs: 100, Weights: 1000, InActs: 10, OutActs: 10}, {MACs: 100, Weights: 10, InActs: 10, OutActs: 10}}
	times := [][]float64{{4, 3, 2, 1}, {4, 3, 2, 1}}
	acc := NewAccuracy(Top1Only(func(c Config) (float64, error) { return 0, errors.New("not used") }))
	acc.Set(Config{kernels.FP32, kernels.FP32}, Score{Top1: 90})
	acc.Set(Config{kernels.Int8, kernels.Int8}, Score{Top1: 90})   // dominates fp32 on both fronts
	acc.Set(Config{kernels.Int4, kernels.Int8}, Score{Top1: 89})   // faster, smaller: on both
	acc.Set(Config{kernels.Int8, kernels.Int4}, Score{Top1: 88.5}) // same kernel time as the last, worse: off the throughput front; AI lower than int4,int8: off
	acc.Set(Config{kernels.FP16, kernels.FP16}, Score{Top1: 80})   // dominated
	predict := func(c Config) float64 { return 8 / Sum(times, c) }
	pts := front(acc, ls, predict, Options{Batch: 8, AIBatch: 1}, []Measured{{cfg: Config{kernels.Int8, kernels.Int8}, ImagesPerS: 123}})
	got := map[string][2]bool{}
	for _, p := range pts {
		got[p.Summary] = [2]bool{p.FrontThroughput, p.FrontAI}
		if p.Summary == "int8:2" && p.ImagesPerS != 123 {
			t.Fatalf("measured images/s lost: %v", p.ImagesPerS)
		}
	}
	want := map[string][2]bool{"int8:2": {true, true}, "int8:1 int4:1": {true, true}}
	if len(got) != len(want) {
		t.Fatalf("front %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("front %v, want %v", got, want)
		}
	}
}

func TestParallel(t *testing.T) {
	var n atomic.Int64
	if err := parallel(10, 3, func(i int) error { n.Add(int64(i)); return nil }); err != nil || n.Load() != 45 {
		t.Fatalf("parallel: %v, sum %d", err, n.Load())
	}
	boom := errors.New("boom")
	if err := parallel(4, 2, func(i int) error {
		if i == 2 {
			return boom
		}
		return nil
	}); !errors.Is(err, boom) {
		t.Fatalf("error lost: %v", err)
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}
	if err := o.defaults(); err != nil {
		t.Fatal(err)
	}
	if o.Objective != "throughput" || o.Algorithm != "pareto" || o.Batch != 64 || o.AIBatch != 1 || o.MaxDrop != 1 {
		t.Fatalf("defaults: %+v", o)
	}
	for _, bad := range []Options{
		{Objective: "speed"},
		{Algorithm: "anneal"},
		{Formats: []kernels.Format{kernels.Int8, 9}},
		{MaxDrop: 1, Margin: 1},
		{SearchN: -1},
		{Metric: "labels"},
		{Batch: -1},
	} {
		if err := bad.defaults(); err == nil {
			t.Fatalf("accepted %+v", bad)
		}
	}
}
