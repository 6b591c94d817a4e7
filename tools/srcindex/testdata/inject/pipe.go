// Package pipe is the fixture of the source-perturbation injector (inject_test.go): every kind of
// synchronising statement in the positions a rewrite must keep compiling.
package pipe

import "sync"

// Counter is guarded by a mutex.
type Counter struct {
	mu sync.Mutex
	n  int
}

// Add adds d.
func (c *Counter) Add(d int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += d
}

// Sum sends 1..n on a channel from a goroutine and adds them up on the receiving side.
func Sum(n int) int {
	ch := make(chan int)
	go func() { defer close(ch); produce(ch, n) }()
	total := 0
	for v := range ch {
		total += v
	}
	return total
}

func produce(ch chan<- int, n int) {
	for i := 1; i <= n; i++ {
		ch <- i
	}
}

// First returns the first value of either channel, or -1 once both are closed.
func First(a, b <-chan int) int {
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			return v
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			return v
		}
	}
	return -1
}
