// Package lib is a dependency of package app in the same module: its code is indexed with app's.
package lib

import (
	"strings"

	"example.com/deps/lib/inner"
)

// Queue hands items to a worker it starts.
type Queue struct {
	items chan string
	done  chan struct{}
	gate  inner.Gate
}

// New starts the worker.
func New() *Queue {
	q := &Queue{items: make(chan string), done: make(chan struct{})}
	go q.work()
	return q
}

func (q *Queue) work() {
	for it := range q.items {
		q.gate.Pass()
		_ = it
	}
	close(q.done)
}

// Put hands one item over.
func (q *Queue) Put(s string) { q.items <- s }

// Close stops the worker and waits for it.
func (q *Queue) Close() {
	close(q.items)
	<-q.done
}

// Upper synchronises with nothing: a call of it is no op.
func Upper(s string) string { return strings.ToUpper(s) }

// Local channels of a dependency are named with their file.
func Ping() {
	ch := make(chan int, 1)
	ch <- 1
	<-ch
}
