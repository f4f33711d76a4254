package kernels

import (
	"sync/atomic"
	"testing"
	"time"
)

type countTask struct{ hits []atomic.Int32 }

func (c *countTask) RunTask(i int) { c.hits[i].Add(1) }

// TestPoolParallelHandoff runs every task exactly once whether the workers
// are spinning (calls back to back) or parked (calls spinTime apart), for
// more and fewer tasks than threads, then closes the pool with its workers
// in either state.
func TestPoolParallelHandoff(t *testing.T) {
	for _, threads := range []int{2, 3, 5} {
		for _, gap := range []time.Duration{0, 3 * spinTime} {
			p := NewPool(threads)
			for call := range 60 {
				n := 1 + call%(2*threads+1)
				c := &countTask{hits: make([]atomic.Int32, n)}
				p.Do(n, c)
				for i := range c.hits {
					if h := c.hits[i].Load(); h != 1 {
						t.Fatalf("threads %d gap %v call %d: task %d of %d ran %d times", threads, gap, call, i, n, h)
					}
				}
				if gap > 0 && call%3 == 0 {
					time.Sleep(gap)
				}
			}
			p.Close()
		}
	}
}
