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
	n := runtime.NumCPU()
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

// Variables as static as constants (version 9): declared with a literal without keys or a
// constant, never assigned again.
func TestFixedVariableTrips(t *testing.T) {
	services := []string{"api", "web", "worker"}
	for _, s := range services { // 3 trips: a fixed slice variable
		_ = s
		runtime.Gosched()
	}
	rounds := 2
	for i := 0; i < rounds; i++ { // 2 trips: a fixed integer variable
		runtime.Gosched()
	}
	for i := 0; i < len(services); i++ { // 3 trips: the length of a fixed slice
		runtime.Gosched()
	}
	grown := []int{1}
	grown = append(grown, 2)
	for range grown { // unknown: assigned again
		runtime.Gosched()
	}
	limit := 4
	bump(&limit)
	for i := 0; i < limit; i++ { // unknown: its address is taken
		runtime.Gosched()
	}
	keyed := []int{2: 7}
	for range keyed { // unknown: a literal with keys
		runtime.Gosched()
	}
}

func bump(p *int) { *p++ }
