package engine

import (
	"fmt"
	"time"

	"github.com/aiq-project/aiq/kernels"
)

// Step kinds of StepInfo.
const (
	KindGEMM      = "gemm"      // conv (im2col or pointwise) or fc, with its fused epilogue
	KindDepthwise = "depthwise" // 3x3 depthwise conv, with its fused epilogue
	KindConvert   = "convert"   // a tensor copied into another storage
	KindOp        = "op"        // every other operator (float32, or a copy for Slice/Pad)
)

// StepInfo describes one step of a compiled plan.
type StepInfo struct {
	Kind string
	// Key identifies the step across plans of one graph: the layer name
	// for compute steps; for others the operator, its output and the
	// storages involved, so a step that moves other bytes has another key.
	Key string
	// Layer is the compute layer (graph node) name; "" for other steps.
	Layer string
	// Format is the configured format of a compute step; Exec is the
	// format that executes (int4 weights the kernel packs as int8: Int8).
	Format, Exec kernels.Format
	// In and Out are the storages read and written: f32, f16 or u8; Res
	// is the storage of a fused residual input ("" without one).
	In, Out, Res string
	// Values is the number of values per image the step writes.
	Values   int
	Describe string
}

// Steps describes the steps of m in execution order.
func (m *Model) Steps() []StepInfo { return m.stepInfos() }

func (m *Model) stepInfos() []StepInfo {
	if m.lanes != nil {
		return m.lanes[0].stepInfos()
	}
	out := make([]StepInfo, len(m.steps))
	for i, s := range m.steps {
		io := s.io()
		in, o := io.ins[0], io.outs[0]
		si := StepInfo{Kind: KindOp, In: in.st.String(), Out: o.st.String(), Values: o.size(), Describe: s.describe()}
		switch st := s.(type) {
		case *convStep:
			si.Kind, si.Key, si.Layer, si.Format, si.Exec = KindGEMM, st.name, st.name, st.format, st.execFormat()
			if st.hasRes {
				si.Res = io.ins[1].st.String()
			}
			if st.depthwise {
				si.Kind = KindDepthwise
			}
		case *groupConvStep:
			si.Kind, si.Key, si.Layer, si.Format, si.Exec = KindGEMM, st.name, st.name, st.format, st.execFormat()
			if st.hasRes {
				si.Res = io.ins[1].st.String()
			}
		case *convertStep:
			si.Kind = KindConvert
			si.Key = fmt.Sprintf("convert %s(%s)->%s", in.name, in.st, o.st)
		default:
			si.Key = fmt.Sprintf("%T %s(%s)->%s", s, in.name, in.st, o.st)
		}
		out[i] = si
	}
	return out
}

// execFormat is the format s executes: int4 weights that the selected
// kernel packs as int8 run as int8.
func (s *convStep) execFormat() kernels.Format {
	if s.format != kernels.Int4 {
		return s.format
	}
	bits := 0
	switch {
	case s.gq != nil:
		bits = s.gq.ExecBits()
	case s.dq != nil:
		bits = s.dq.ExecBits()
	case s.depthwise:
		bits = kernels.DepthwiseQExecBits(4, s.n)
	default:
		bits = kernels.GEMMQExecBits(4, s.k, s.n)
	}
	if bits == 8 {
		return kernels.Int8
	}
	return kernels.Int4
}

// Profile holds per-step times of whole passes of a model.
type Profile struct {
	Batch, Threads int
	Steps          []StepInfo
	// Seconds[p][s] is the time of step s in pass p; Total[p] is the whole
	// pass (Run of one batch: input layout, every step, output copy).
	Seconds [][]float64
	Total   []float64
}

// Profile runs passes batches of images (Batch NCHW images) and times
// every step of each. The timers read the monotonic clock twice per step,
// tens of nanoseconds against steps of microseconds to milliseconds.
// With a batch split, a step's time is its mean over the threads, each
// running the step on its sub-batch while the others run theirs.
func (m *Model) Profile(images []float32, passes int) (*Profile, error) {
	if passes < 1 {
		return nil, fmt.Errorf("engine: profile of %d passes", passes)
	}
	if len(images) < m.Batch*m.InC*m.InH*m.InW {
		return nil, fmt.Errorf("engine: profile needs a full batch of %d images", m.Batch)
	}
	p := &Profile{Batch: m.Batch, Threads: m.Threads, Steps: m.stepInfos(),
		Seconds: make([][]float64, passes), Total: make([]float64, passes)}
	timed := []*Model{m}
	if m.lanes != nil {
		timed = m.lanes
	}
	for _, l := range timed {
		l.stepNs = make([]int64, len(l.steps))
	}
	defer func() {
		for _, l := range timed {
			l.stepNs = nil
		}
	}()
	for i := range passes {
		for _, l := range timed {
			clear(l.stepNs)
		}
		t0 := time.Now()
		if _, err := m.Run(images, m.Batch); err != nil {
			return nil, err
		}
		p.Total[i] = time.Since(t0).Seconds()
		row := make([]float64, len(p.Steps))
		for _, l := range timed {
			for j, v := range l.stepNs {
				row[j] += float64(v) * 1e-9 / float64(len(timed))
			}
		}
		p.Seconds[i] = row
	}
	return p, nil
}
