// Package jobs is a fixed-size worker pool for the libs programs. Tasks are
// queued on a buffered channel and run by the pool's own goroutines; tasks
// submitted with Compute deliver a Result on the Results channel, tasks
// submitted with Submit deliver nothing. Optional callbacks in the pool's
// func-typed fields run on the worker goroutine around each task.
//
// Stop closes the queue, waits until every worker has finished and then
// closes Results. Results is buffered with the queue's capacity; a program
// that computes more results than that must read them while the pool runs,
// or workers (and Stop) wait for it.
package jobs

import (
	"log"
	"sync"
	"sync/atomic"
)

// Result is what a Compute task produced.
type Result struct {
	ID    int
	Value int
}

type task struct {
	id      int
	fn      func()
	compute func() int
}

// Pool runs tasks on a fixed set of goroutines.
type Pool struct {
	// OnStart, if set, runs on the worker before each task.
	OnStart func(id int)
	// OnDone, if set, runs on the worker after each Compute task, before its
	// result is delivered.
	OnDone func(r Result)

	tasks   chan task
	results chan Result
	wg      sync.WaitGroup
	stop    sync.Once
	nextID  int64
	ran     int64
	workers int
}

// New returns a pool of workers goroutines with room for queue waiting tasks
// (and queue undelivered results). Set the callback fields before the first
// Submit or Compute.
func New(workers, queue int) *Pool {
	p := &Pool{
		tasks:   make(chan task, queue),
		results: make(chan Result, queue),
		workers: workers,
	}
	p.wg.Add(workers)
	for i := 0; i < workers; i++ {
		go p.work()
	}
	return p
}

func (p *Pool) work() {
	defer p.wg.Done()
	for t := range p.tasks {
		if p.OnStart != nil {
			p.OnStart(t.id)
		}
		if t.fn != nil {
			t.fn()
			atomic.AddInt64(&p.ran, 1)
			continue
		}
		r := Result{ID: t.id, Value: t.compute()}
		atomic.AddInt64(&p.ran, 1)
		if p.OnDone != nil {
			p.OnDone(r)
		}
		p.results <- r
	}
}

func (p *Pool) id() int { return int(atomic.AddInt64(&p.nextID, 1)) }

// Submit queues fn and returns its task id; it blocks while the queue is
// full. Submit after Stop panics.
func (p *Pool) Submit(fn func()) int {
	id := p.id()
	p.tasks <- task{id: id, fn: fn}
	return id
}

// Compute queues fn; its value arrives on Results under the returned id.
func (p *Pool) Compute(fn func() int) int {
	id := p.id()
	p.tasks <- task{id: id, compute: fn}
	return id
}

// Results delivers the results of Compute tasks; it is closed by Stop once
// every worker has finished.
func (p *Pool) Results() <-chan Result { return p.results }

// Stop stops accepting tasks, waits for queued and running tasks to finish,
// and closes Results. It may be called more than once.
func (p *Pool) Stop() {
	first := false
	p.stop.Do(func() {
		first = true
		close(p.tasks)
	})
	p.wg.Wait()
	if first {
		close(p.results)
	}
}

// Ran reports how many tasks have finished so far.
func (p *Pool) Ran() int { return int(atomic.LoadInt64(&p.ran)) }

// Report logs one line with the pool's counters to the standard logger
// (os.Stderr).
func (p *Pool) Report(name string) {
	log.Printf("jobs: pool %s: %d workers, %d tasks submitted, %d finished",
		name, p.workers, atomic.LoadInt64(&p.nextID), p.Ran())
}

// Map runs fn over xs on the pool and returns the values in input order. It
// reads Results itself, so it must not be mixed with other Compute calls.
func Map(p *Pool, xs []int, fn func(int) int) []int {
	index := make(map[int]int, len(xs))
	var mu sync.Mutex
	done := make(chan struct{})
	out := make([]int, len(xs))
	go func() {
		defer close(done)
		for n := 0; n < len(xs); n++ {
			r := <-p.results
			mu.Lock()
			out[index[r.ID]] = r.Value
			mu.Unlock()
		}
	}()
	for i, x := range xs {
		x := x
		mu.Lock()
		id := p.id()
		index[id] = i
		mu.Unlock()
		p.tasks <- task{id: id, compute: func() int { return fn(x) }}
	}
	<-done
	return out
}
