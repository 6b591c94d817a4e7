// Package params is the source index's fixture for objects passed through parameters
// (tools/srcindex/alias.go, index_test.go); the collector also runs its tests for the program
// facts (tests/srcindex/params_test.cc).
package params

import "sync"

// produce: every call passes the same channel (TestHandOff's results).
func produce(out chan<- int, n int) {
	for i := 0; i < n; i++ {
		out <- i
	}
}

// relay → forward: a chain of calls; forward's c is TestChain's ch.
func relay(in chan int, n int) {
	forward(in, n)
}

func forward(c chan int, n int) {
	for i := 0; i < n; i++ {
		c <- i
	}
}

// feed is started on two channels (TestTwoFeeds): out keeps its own name, both are its aliases.
func feed(out chan int, n int) {
	for i := 0; i < n; i++ {
		out <- i
	}
}

type pool struct {
	mu   sync.Mutex
	jobs chan int
	done int
}

// drain: the argument is a field (pool.jobs); the wait group is TestPool's.
func drain(jobs chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for range jobs {
	}
}

// serve: a method with a channel argument.
func (p *pool) serve(results chan<- int) {
	p.mu.Lock()
	p.done++
	p.mu.Unlock()
	results <- p.done
}

// tally's Lock is its embedded mutex: the receiver is the object.
type tally struct {
	sync.Mutex
	n int
}

func (c *tally) add() {
	c.Lock()
	c.n++
	c.Unlock()
}

// callback is also used as a value (TestCallback): calls may be unseen, so its parameter keeps
// its own name with the argument seen as an alias.
func callback(ch chan int) {
	ch <- 1
}

func run(f func(chan int), ch chan int) {
	f(ch)
}

// reassigned may act on another channel than its argument.
func reassigned(c chan int) {
	if c == nil {
		c = make(chan int, 1)
	}
	c <- 2
}

// Spawn starts a goroutine that sends n on out: a go statement of a function literal (the literal
// starts on the go statement's line) in a function called from several places — the external
// test package's TestSpawnFromOutside.
func Spawn(out chan<- int, n int) {
	go func() {
		out <- n
	}()
}
