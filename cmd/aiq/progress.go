package main

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/aiq-project/aiq/quant"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Long steps (calibration, evaluation, search) show a progress bar on
// stderr when it is a terminal, and nothing when it is not (logs, pipes,
// CI) or with -q, so a captured stderr holds only messages.

// progressOn says whether bars are drawn on stderr.
func progressOn(quiet bool, stderr io.Writer) bool {
	f, ok := stderr.(*os.File)
	return !quiet && ok && term.IsTerminal(int(f.Fd()))
}

// newBar is a bar over total steps (-1: a spinner with the elapsed time)
// on stderr, invisible unless on. It is cleared when it finishes.
func newBar(on bool, stderr io.Writer, total int, desc string, more ...progressbar.Option) *progressbar.ProgressBar {
	if total > 0 {
		more = append(more, progressbar.OptionShowCount())
	}
	return progressbar.NewOptions(total, append([]progressbar.Option{
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetVisibility(on),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(total > 0),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
	}, more...)...)
}

// spinner is a bar with no total, for a step that reports no progress of
// its own (calibration runs inside the engine) or only messages (search).
// A ticker keeps it moving; mu orders the ticks with the lines printed
// above it.
type spinner struct {
	bar  *progressbar.ProgressBar
	mu   sync.Mutex
	stop chan struct{}
	done sync.WaitGroup
}

func startSpinner(on bool, stderr io.Writer, desc string) *spinner {
	s := &spinner{bar: newBar(on, stderr, -1, desc), stop: make(chan struct{})}
	if !on {
		return s
	}
	s.bar.RenderBlank()
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.mu.Lock()
				s.bar.Add(1)
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// describe changes the spinner's text.
func (s *spinner) describe(desc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bar.Describe(desc)
}

// println prints a line above the spinner (redrawn at its next tick).
func (s *spinner) println(w io.Writer, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bar.Clear()
	io.WriteString(w, line+"\n")
}

// finish stops and clears the spinner.
func (s *spinner) finish() {
	close(s.stop)
	s.done.Wait()
	s.bar.Finish()
}

// calibPasses is how many passes over its images a calibration takes
// (histogram methods add one): the total of its progress bar.
func calibPasses(m quant.Method) int {
	if m == quant.MinMax {
		return 1
	}
	return 2
}
