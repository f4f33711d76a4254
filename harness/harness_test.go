package harness

import (
	"bytes"
	"encoding/json"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"golang.org/x/perf/benchfmt"
)

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{4, 1, 3, 2})
	if s.N != 4 || s.Min != 1 || s.Max != 4 || s.Mean != 2.5 || s.Median != 2.5 {
		t.Errorf("summary %+v", s)
	}
	sd := math.Sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3)
	if math.Abs(s.Stddev-sd) > 1e-12 || math.Abs(s.CV-sd/2.5) > 1e-12 {
		t.Errorf("stddev %v cv %v, want %v %v", s.Stddev, s.CV, sd, sd/2.5)
	}
	if m := Median([]float64{5, 1, 3}); m != 3 {
		t.Errorf("median %v want 3", m)
	}
	if e := Summarize(nil); !math.IsNaN(e.Median) || e.N != 0 {
		t.Errorf("empty summary %+v", e)
	}
	if c := Summarize([]float64{7, 7, 7}); c.CV != 0 {
		t.Errorf("constant cv %v", c.CV)
	}
}

// spin burns CPU for about d without sleeping, so samples measure work.
func spin(d time.Duration) {
	for t0 := time.Now(); time.Since(t0) < d; {
	}
}

func TestMeasureCountsAndMetrics(t *testing.T) {
	calls := 0
	fn := func(n int) {
		calls++
		spin(time.Duration(n) * 20 * time.Microsecond)
	}
	r, err := Measure(fn, Options{Name: "spin", MinTime: 20 * time.Millisecond, SampleTime: time.Millisecond, MinSamples: 7, Warmup: time.Millisecond, Ops: 2000, Bytes: 1000, Reruns: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.SamplesNs) < 7 || r.Iterations < 1 || calls < len(r.SamplesNs) {
		t.Errorf("%d samples of %d iterations in %d calls", len(r.SamplesNs), r.Iterations, calls)
	}
	total := 0.0
	for _, s := range r.SamplesNs {
		total += s * float64(r.Iterations)
	}
	if total < float64(20*time.Millisecond) {
		t.Errorf("sampled %v ns, below MinTime", total)
	}
	// A spin of >= 20us per op: ns/op is at least that.
	if r.MedianNs < 20e3 || r.MinNs > r.MedianNs {
		t.Errorf("median %v min %v", r.MedianNs, r.MinNs)
	}
	if got, want := r.Metrics["GFLOP/s"], 2000/r.MedianNs; got != want {
		t.Errorf("GFLOP/s %v want %v", got, want)
	}
	if got, want := r.Metrics["GB/s"], 1000/r.MedianNs; got != want {
		t.Errorf("GB/s %v want %v", got, want)
	}
}

func TestMeasureNoisyRerun(t *testing.T) {
	// Every fourth sample is 10x slower: the CV is far above 5%, every
	// attempt is noisy, so the result is flagged after 1+Reruns attempts.
	i := 0
	fn := func(n int) {
		i++
		d := 5 * time.Microsecond
		if i%4 == 0 {
			d *= 10
		}
		spin(time.Duration(n) * d)
	}
	r, err := Measure(fn, Options{Name: "noisy", MinTime: time.Millisecond, SampleTime: 100 * time.Microsecond, MinSamples: 8, Warmup: time.Microsecond, Reruns: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Noisy || r.Attempts != 3 || r.CV <= 0.05 {
		t.Errorf("noisy=%v attempts=%d cv=%v", r.Noisy, r.Attempts, r.CV)
	}
}

func TestMeasureColdAndPinned(t *testing.T) {
	cpus, err := CPUs()
	if err != nil || len(cpus) == 0 {
		t.Fatalf("CPUs: %v %v", cpus, err)
	}
	cpu, pin := cpus[len(cpus)-1], true
	if runtime.GOOS != "linux" {
		cpu, pin = NoPin, false
	}
	n := 0
	r, err := Measure(func(k int) { n += k; spin(10 * time.Microsecond) }, Options{Name: "cold", Cold: true, FlushBytes: 1 << 20, MinSamples: 3, MinTime: time.Microsecond, Pin: pin, CPU: cpu})
	if err != nil {
		t.Fatal(err)
	}
	if r.Iterations != 1 || !r.Cold || r.CPU != cpu || len(r.SamplesNs) < 3 {
		t.Errorf("cold result %+v", r)
	}
}

func TestMeasureErrors(t *testing.T) {
	if _, err := Measure(nil, Options{Name: "x"}); err == nil {
		t.Error("nil fn: no error")
	}
	if _, err := Measure(func(int) {}, Options{}); err == nil {
		t.Error("no name: no error")
	}
	if _, err := Measure(func(int) {}, Options{Name: "x", MinSamples: 5, MaxSamples: 2}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("bad sample bounds: %v", err)
	}
	if runtime.GOOS == "linux" {
		if _, err := Measure(func(int) {}, Options{Name: "x", Pin: true, CPU: 1023}); err == nil {
			t.Error("pin to cpu 1023: no error")
		}
	}
}

func TestWriteTextParses(t *testing.T) {
	rs := []Result{
		{Name: "gemm/fp32/M=64", Iterations: 10, SamplesNs: []float64{100, 110, 90}, MedianNs: 100, Metrics: map[string]float64{"GFLOP/s": 50, "MB/s": 2000}},
		{Name: "dw/int8", Iterations: 3, SamplesNs: []float64{7}, MedianNs: 7},
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, rs, map[string]string{"model": "resnet20", "batch": "64"}); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(&buf, "test")
	var got []*benchfmt.Result
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			got = append(got, rec.Clone())
		case *benchfmt.SyntaxError:
			t.Fatalf("syntax error: %v", rec)
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d results, want 4 (one per sample)", len(got))
	}
	if name := got[0].Name.String(); !strings.HasPrefix(name, "Gemm/fp32/M=64") {
		t.Errorf("name %q", name)
	}
	if v, ok := got[1].Value("GFLOP/s"); !ok || math.Abs(v-50*100/110.0) > 0.01 {
		t.Errorf("second sample GFLOP/s %v %v", v, ok)
	}
	if v, ok := got[2].Value("sec/op"); !ok || math.Abs(v-90e-9) > 1e-12 {
		t.Errorf("third sample sec/op %v %v", v, ok)
	}
	if got[0].GetConfig("model") != "resnet20" || got[3].Iters != 3 {
		t.Errorf("config %q iters %d", got[0].GetConfig("model"), got[3].Iters)
	}
	if err := WriteText(&buf, []Result{{Name: "has space"}}, nil); err == nil {
		t.Error("name with a space: no error")
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []Result{{Name: "a", MedianNs: 3, Metrics: map[string]float64{"GB/s": 1}}}); err != nil {
		t.Fatal(err)
	}
	var back []Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back) != 1 || back[0].MedianNs != 3 || back[0].Metrics["GB/s"] != 1 {
		t.Errorf("round trip %+v %v", back, err)
	}
}

func TestAttribute(t *testing.T) {
	fa := &profile.Function{ID: 1, Name: "kernels.gemm"}
	fb := &profile.Function{ID: 2, Name: "main.loop"}
	la := &profile.Location{ID: 1, Line: []profile.Line{{Function: fa}}}
	lb := &profile.Location{ID: 2, Line: []profile.Line{{Function: fb}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{la, lb}, Value: []int64{3, 30}},
			{Location: []*profile.Location{lb}, Value: []int64{1, 10}},
		},
		Location: []*profile.Location{la, lb},
		Function: []*profile.Function{fa, fb},
	}
	got := Attribute(p)
	if len(got) != 2 || got[0].Func != "kernels.gemm" || got[0].Flat != 0.75 || got[0].Cum != 0.75 || got[1].Flat != 0.25 || got[1].Cum != 1 {
		t.Errorf("attribution %+v", got)
	}
}

func TestMeasureProfile(t *testing.T) {
	r, err := Measure(func(n int) { spin(time.Duration(n) * 50 * time.Microsecond) }, Options{Name: "prof", Profile: true, MinTime: 300 * time.Millisecond, Reruns: -1})
	if err != nil {
		t.Fatal(err)
	}
	// 300ms at 100 Hz gives about 30 samples, almost all in spin.
	found := false
	for _, f := range r.Profile {
		if strings.HasSuffix(f.Func, "harness.spin") && f.Cum > 0.5 {
			found = true
		}
	}
	if !found {
		t.Errorf("spin not attributed: %+v", r.Profile)
	}
}

func TestMeasureThreadCPUTime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("linux only")
	}
	// Sleeping uses no CPU: the thread clock must not count the sleep the
	// wall clock does, only the spin.
	fn := func(n int) {
		for range n {
			time.Sleep(time.Millisecond)
			spin(100 * time.Microsecond)
		}
	}
	o := Options{Name: "sleep", MinTime: 5 * time.Millisecond, SampleTime: 2 * time.Millisecond, MinSamples: 3, Warmup: time.Microsecond, Reruns: -1}
	wall, err := Measure(fn, o)
	if err != nil {
		t.Fatal(err)
	}
	o.ThreadCPUTime = true
	cpu, err := Measure(fn, o)
	if err != nil {
		t.Fatal(err)
	}
	if wall.Clock != "wall" || cpu.Clock != "thread-cpu" {
		t.Errorf("clocks %q %q", wall.Clock, cpu.Clock)
	}
	if wall.MedianNs < 1e6 || cpu.MedianNs > wall.MedianNs/4 {
		t.Errorf("sleep 1ms: wall %v ns/op, thread cpu %v ns/op", wall.MedianNs, cpu.MedianNs)
	}
}
