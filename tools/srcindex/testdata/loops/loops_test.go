package loops

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

const workers = 4

// Loops whose trip count the statement fixes, and loops whose count it does not.
func TestLoopTrips(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ { // 4 trips
		wg.Add(1)
		go func() { defer wg.Done() }()
	}
	for i := 1; i <= 3; i++ { // 3 trips
		runtime.Gosched()
	}
	for range 2 { // 2 trips
		time.Sleep(time.Millisecond)
	}
	for _, d := range []time.Duration{1, 2, 3, 4, 5} { // 5 trips
		time.Sleep(d)
	}
	var pair [2]int
	for range pair { // 2 trips: an array
		runtime.Gosched()
	}
	n := 3
	for i := 0; i < n; i++ { // not a constant bound
		runtime.Gosched()
	}
	for i := 0; i < 6; i++ { // the body moves i
		i++
		runtime.Gosched()
	}
	for i := 0; i < 0; i++ { // never runs
		runtime.Gosched()
	}
	wg.Wait()
}
