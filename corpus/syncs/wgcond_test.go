package syncs

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Fifty seed counters each tally one plot of a field; a wait group tells the
// farmer when every plot has been counted.
// schedcast: category=correct primitives=waitgroup,atomic bug=none split=test
func TestFieldSeedTally(t *testing.T) {
	var seeds int64
	var wg sync.WaitGroup
	for plot := 0; plot < 50; plot++ {
		plot := plot
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&seeds, int64(plot%7))
		}()
	}
	wg.Wait()
	want := int64(0)
	for plot := 0; plot < 50; plot++ {
		want += int64(plot % 7)
	}
	if seeds != want {
		t.Errorf("seeds %d want %d", seeds, want)
	}
}

// A rowing coach runs three practice rounds with four rowers, reusing the
// same wait group once each round has fully finished.
// schedcast: category=correct primitives=waitgroup,mutex bug=none split=test
func TestRowingRounds(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	strokes := 0
	for round := 0; round < 3; round++ {
		for r := 0; r < 4; r++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mu.Lock()
				strokes++
				mu.Unlock()
			}()
		}
		wg.Wait()
		mu.Lock()
		if strokes != (round+1)*4 {
			t.Errorf("round %d strokes %d", round, strokes)
		}
		mu.Unlock()
	}
}

// A bounded dish rack guarded by a mutex and two condition variables: three
// washers wait while it is full, two dryers wait while it is empty.
// schedcast: category=correct primitives=cond,mutex,waitgroup bug=none split=train
func TestDishRackCond(t *testing.T) {
	var mu sync.Mutex
	notFull := sync.NewCond(&mu)
	notEmpty := sync.NewCond(&mu)
	const slots, perWasher = 2, 6
	var rack []int
	var washers, dryers sync.WaitGroup
	dried := 0
	closed := false
	for w := 0; w < 3; w++ {
		washers.Add(1)
		go func() {
			defer washers.Done()
			for d := 0; d < perWasher; d++ {
				mu.Lock()
				for len(rack) == slots {
					notFull.Wait()
				}
				rack = append(rack, d)
				notEmpty.Signal()
				mu.Unlock()
			}
		}()
	}
	for d := 0; d < 2; d++ {
		dryers.Add(1)
		go func() {
			defer dryers.Done()
			for {
				mu.Lock()
				for len(rack) == 0 && !closed {
					notEmpty.Wait()
				}
				if len(rack) == 0 && closed {
					mu.Unlock()
					return
				}
				rack = rack[1:]
				dried++
				notFull.Signal()
				mu.Unlock()
			}
		}()
	}
	washers.Wait()
	mu.Lock()
	closed = true
	notEmpty.Broadcast()
	mu.Unlock()
	dryers.Wait()
	if dried != 3*perWasher {
		t.Errorf("dried %d", dried)
	}
}

// Ten sprinters wait on a condition variable at the blocks until the starter
// broadcasts; the starter first waits until all of them are crouched.
// schedcast: category=correct primitives=cond,mutex,waitgroup bug=none split=train
func TestStartingBlocksBroadcast(t *testing.T) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	crouched, fired := 0, false
	var wg sync.WaitGroup
	for s := 0; s < 10; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			crouched++
			cond.Broadcast()
			for !fired {
				cond.Wait()
			}
			mu.Unlock()
		}()
	}
	mu.Lock()
	for crouched < 10 {
		cond.Wait()
	}
	fired = true
	cond.Broadcast()
	mu.Unlock()
	wg.Wait()
}

// A deli hands out numbered tickets; each customer waits on the shared
// condition until the counter shows their number, and one Broadcast per
// served customer moves the line on.
// schedcast: category=correct primitives=cond,mutex,waitgroup bug=none split=train
func TestDeliTicketCounter(t *testing.T) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	serving := 0
	order := make([]int, 0, 7)
	var wg sync.WaitGroup
	for ticket := 6; ticket >= 0; ticket-- {
		ticket := ticket
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			for serving != ticket {
				cond.Wait()
			}
			order = append(order, ticket)
			serving++
			cond.Broadcast()
			mu.Unlock()
		}()
	}
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Errorf("served %v", order)
			break
		}
	}
}
