package pipe

import (
	"sync"
	"testing"
)

func TestSum(t *testing.T) {
	if got := Sum(10); got != 55 {
		t.Fatalf("Sum(10) = %d", got)
	}
}

func TestCounterAndWaitGroup(t *testing.T) {
	var c Counter
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(d int) {
			defer wg.Done()
			c.Add(d)
		}(i)
	}
	wg.Wait()
	if c.n != 6 {
		t.Fatalf("n = %d", c.n)
	}
}

func TestShapes(t *testing.T) {
	ch := make(chan int, 3)
	done := make(chan struct{})
	var once sync.Once
	cond := sync.NewCond(&sync.Mutex{})
	ready := false
	go func() {
		cond.L.Lock()
		ready = true
		cond.L.Unlock()
		cond.Broadcast()
	}()
	cond.L.Lock()
	for !ready {
		cond.Wait()
	}
	cond.L.Unlock()
	ch <- 1
	ch <- 2
	if v := <-ch; v != 1 {
		t.Fatalf("v = %d", v)
	}
	switch v := <-ch; v {
	case 2:
		once.Do(func() { close(done) })
		fallthrough
	default:
		<-done
	}
	close(ch)
loop:
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				break loop
			}
		}
	}
	a, b := make(chan int), make(chan int)
	close(a)
	go func() { b <- 7 }()
	if got := First(a, b); got != 7 {
		t.Fatalf("First = %d", got)
	}
}

// TestSequential is deterministic: its delays must repeat exactly under the same seed.
func TestSequential(t *testing.T) {
	ch := make(chan int, 100)
	var mu sync.Mutex
	for i := 0; i < 50; i++ {
		mu.Lock()
		ch <- i
		mu.Unlock()
	}
	for i := 0; i < 50; i++ {
		<-ch
	}
}
