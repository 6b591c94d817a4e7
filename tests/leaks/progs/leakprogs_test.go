// Small tests whose end states exercise each leak rule of docs/LEAKS.md (collected by
// tests/leaks/make_leak_store.sh). The line numbers of the blocking statements are asserted by
// tests/leaks/leaks_test.cc: keep them in place when editing.
package leakprogs

import (
	"sync"
	"testing"
	"time"
)

// R1: a select with no cases.
func TestSelectNoCases(t *testing.T) {
	started := make(chan struct{})
	go func() {
		close(started)
		select {} // line 17
	}()
	<-started
}

// R1: a send on a nil channel.
func TestNilChanSend(t *testing.T) {
	var ch chan int
	started := make(chan struct{})
	go func() {
		close(started)
		ch <- 1 // line 28
	}()
	<-started
}

// R2a: a send nobody will ever receive; every other goroutine has ended.
func TestOrphanSend(t *testing.T) {
	results := make(chan int)
	go func() {
		results <- 42 // line 37
	}()
}

// R2b: two goroutines taking two mutexes in opposite orders.
func TestLockOrderCycle(t *testing.T) {
	var a, b sync.Mutex
	holdA, holdB := make(chan struct{}), make(chan struct{})
	go func() {
		a.Lock()
		close(holdA)
		<-holdB
		b.Lock() // line 49
	}()
	go func() {
		b.Lock()
		close(holdB)
		<-holdA
		a.Lock() // line 55
	}()
	<-holdA
	<-holdB
}

// R2b: two goroutines each sending to the other, neither receiving.
func TestSendCycle(t *testing.T) {
	toA, toB := make(chan int), make(chan int)
	go func() {
		toB <- 1 // line 65
		<-toA
	}()
	go func() {
		toA <- 2 // line 69
		<-toB
	}()
}

// No proof: the select has a timer case, which fires eventually.
func TestPendingTimer(t *testing.T) {
	never := make(chan int)
	started := make(chan struct{})
	go func() {
		close(started)
		select { // line 80
		case v := <-never:
			_ = v
		case <-time.After(time.Hour):
		}
	}()
	<-started
}

// No proof: the orphaned sender could in principle be served by the sleeper once it wakes.
func TestSleeperKeepsAlive(t *testing.T) {
	work := make(chan int)
	go func() {
		time.Sleep(time.Hour) // line 93
	}()
	go func() {
		work <- 1 // line 96
	}()
}

// Correct: every goroutine ends before the test returns.
func TestCorrectPipeline(t *testing.T) {
	in, out := make(chan int), make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := range in {
			out <- v * 2
		}
		close(out)
	}()
	go func() {
		for i := 0; i < 5; i++ {
			in <- i
		}
		close(in)
	}()
	sum := 0
	for v := range out {
		sum += v
	}
	wg.Wait()
	if sum != 20 {
		t.Fatalf("sum %d", sum)
	}
}

// R2a at the deadline: the test goroutine itself waits forever; the runtime's deadlock detector
// stays silent because the shim's watchdog timer is pending.
func TestTestGoroutineStuck(t *testing.T) {
	reply := make(chan string)
	<-reply // line 132
}

// awaitReply blocks its caller until a reply comes: none ever does.
func awaitReply(replies chan string) string {
	return <-replies // line 137
}

// R2a inside a helper: the goroutine waits in awaitReply, called from the literal at line 145; the
// leak's site is the helper's receive, and the call line is among the site's callers.
func TestOrphanInHelper(t *testing.T) {
	replies := make(chan string)
	go func() {
		_ = awaitReply(replies) // line 145
	}()
}
