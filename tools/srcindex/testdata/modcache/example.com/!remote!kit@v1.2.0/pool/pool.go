// Package pool stands for a module of another repository, found in the module cache (its path has
// upper-case letters, spelled "!" and lower case there).
package pool

// Pool runs submitted functions on n workers.
type Pool struct{ work chan func() }

// New starts n workers.
func New(n int) *Pool {
	p := &Pool{work: make(chan func())}
	for i := 0; i < n; i++ {
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	for f := range p.work {
		f()
	}
}

// Submit hands f to a worker.
func (p *Pool) Submit(f func()) { p.work <- f }

// Stop ends the workers.
func (p *Pool) Stop() { close(p.work) }
