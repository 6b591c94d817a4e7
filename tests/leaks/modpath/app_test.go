// Leaking tests collected under several module layouts by tests/leaks/make_modpath_store.sh (a
// dotless module path, a dotted one, a directory without go.mod): every layout must give the same
// sites, canonical ids and leak proofs (tests/leaks/modpath_test.cc asserts the line numbers below).
package app

import (
	"sync"
	"testing"
)

// A generic function whose goroutine leaks: frames read "app.startSend[...].func1".
func startSend[T any](v T) chan T {
	ch := make(chan T)
	go func() {
		ch <- v // line 15
	}()
	return ch
}

func TestGenericOrphan(t *testing.T) {
	_ = startSend[int](7)
	_ = startSend[string]("x")
}

// A helper small enough to be inlined: the blocking frame is an inlined one.
func put(ch chan int, v int) { ch <- v } // line 26

func TestInlinedOrphan(t *testing.T) {
	ch := make(chan int)
	go func() {
		put(ch, 1)
	}()
}

// Two goroutines taking two mutexes in opposite orders (R2b).
func TestLockCycle(t *testing.T) {
	var a, b sync.Mutex
	holdA, holdB := make(chan struct{}), make(chan struct{})
	go func() {
		a.Lock()
		close(holdA)
		<-holdB
		b.Lock() // line 43
	}()
	go func() {
		b.Lock()
		close(holdB)
		<-holdA
		a.Lock() // line 49
	}()
	<-holdA
	<-holdB
}

// A correct program: nothing leaks.
func TestNoLeak(t *testing.T) {
	var wg sync.WaitGroup
	results := make(chan int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- i * i
		}(i)
	}
	wg.Wait()
}
