package calls

import (
	"sync"
	"testing"
)

// Fixture for the "call" ops (index version 4): which calls stay in the index.

func square(n int) int { return n * n } // no synchronising op: its calls are pruned

func twice(n int) int { return square(n) + square(n) } // only calls that are pruned: pruned too

type box struct {
	mu sync.Mutex
	n  int
}

func (b *box) add(n int) { // a method that locks: its calls stay
	b.mu.Lock()
	b.n += n
	b.mu.Unlock()
}

func report(out chan<- int, b *box) { // calls a method that locks, then sends
	b.add(twice(1))
	out <- b.n
}

func TestCalls(t *testing.T) {
	var b box
	out := make(chan int)
	bump := func() { b.add(1) } // bound once to a literal: a call of it stays
	for i := 0; i < 3; i++ {
		_ = square(i)
	}
	bump()
	go report(out, &b)
	if got := <-out; got != 3 {
		t.Errorf("got %d", got)
	}
}
