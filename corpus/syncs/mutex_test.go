// Package syncs holds correct programs built on package sync and
// sync/atomic: mutexes, reader/writer locks, wait groups, condition
// variables, once and atomics.
package syncs

import (
	"runtime"
	"sync"
	"testing"
)

// Twenty turnstiles bump a shared visitor count under one mutex.
// schedcast: category=correct primitives=mutex,waitgroup bug=none split=train
func TestTurnstileCount(t *testing.T) {
	var mu sync.Mutex
	visitors := 0
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				mu.Lock()
				visitors++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if visitors != 500 {
		t.Errorf("visitors = %d", visitors)
	}
}

// Two chess clocks take turns: each player waits (yielding) until the shared
// turn marker, read under the mutex, names them.
// schedcast: category=correct primitives=mutex,waitgroup bug=none split=test
func TestChessClockTurns(t *testing.T) {
	var mu sync.Mutex
	turn := 0
	moves := make([]int, 0, 20)
	var wg sync.WaitGroup
	for p := 0; p < 2; p++ {
		p := p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for made := 0; made < 10; {
				mu.Lock()
				if turn == p {
					moves = append(moves, p)
					turn = 1 - p
					made++
				}
				mu.Unlock()
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	for i, m := range moves {
		if m != i%2 {
			t.Fatalf("move %d by player %d", i, m)
		}
	}
}

// A toy cache shared by twelve clients: lookups and fills go through one
// mutex-guarded map.
// schedcast: category=correct primitives=mutex,waitgroup bug=none split=validation
func TestToyCacheClients(t *testing.T) {
	type cache struct {
		mu    sync.Mutex
		items map[int]int
		fills int
	}
	c := &cache{items: make(map[int]int)}
	get := func(k int) int {
		c.mu.Lock()
		defer c.mu.Unlock()
		if v, ok := c.items[k]; ok {
			return v
		}
		c.fills++
		c.items[k] = k * k
		return k * k
	}
	var wg sync.WaitGroup
	for cl := 0; cl < 12; cl++ {
		cl := cl
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 6; k++ {
				if v := get((k + cl) % 6); v != ((k+cl)%6)*((k+cl)%6) {
					t.Errorf("bad value %d", v)
				}
			}
		}()
	}
	wg.Wait()
	if c.fills != 6 {
		t.Errorf("fills = %d", c.fills)
	}
}

// Kiosks first try to grab the receipt printer without waiting and fall back
// to queueing for it when it is busy.
// schedcast: category=correct primitives=mutex,waitgroup bug=none split=train
func TestKioskTryLockFallback(t *testing.T) {
	var printer sync.Mutex
	printed := 0
	var wg sync.WaitGroup
	for k := 0; k < 6; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !printer.TryLock() {
				printer.Lock()
			}
			printed++
			printer.Unlock()
		}()
	}
	wg.Wait()
	if printed != 6 {
		t.Errorf("printed %d", printed)
	}
}
