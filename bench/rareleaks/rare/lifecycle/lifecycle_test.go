package lifecycle

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

type request struct {
	key   int
	reply chan int
}

// server answers lookups in one goroutine until stopped.
type server struct {
	reqs     chan request
	quit     chan struct{}
	stopping int32
	wg       sync.WaitGroup
	table    map[int]int
}

// loop drops a request it accepts once stopping is set, without answering.
func (s *server) loop() {
	defer s.wg.Done()
	for {
		select {
		case r := <-s.reqs:
			if atomic.LoadInt32(&s.stopping) == 1 {
				continue // shutting down: do not start new work
			}
			r.reply <- s.table[r.key%len(s.table)]
		case <-s.quit:
			return
		}
	}
}

func (s *server) stop() {
	atomic.StoreInt32(&s.stopping, 1)
	close(s.quit)
	s.wg.Wait()
}

// callWaitReply waits for the reply only: a dropped request leaves the
// caller waiting forever.
func (s *server) callWaitReply(k int) (int, bool) {
	r := request{key: k, reply: make(chan int, 1)}
	select {
	case s.reqs <- r:
	case <-s.quit:
		return 0, false
	}
	return <-r.reply, true
}

// callSelectQuit is the fixed caller: it also gives up on shutdown.
func (s *server) callSelectQuit(k int) (int, bool) {
	r := request{key: k, reply: make(chan int, 1)}
	select {
	case s.reqs <- r:
	case <-s.quit:
		return 0, false
	}
	select {
	case v := <-r.reply:
		return v, true
	case <-s.quit:
		return 0, false
	}
}

// A lookup server stops accepting work on shutdown by dropping requests it
// receives once its stopping flag is set, but its callers wait for the
// reply alone. A health check that is handed over in the moment the server
// shuts down is dropped, and the checker waits forever.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,waitgroup,atomic bug=leak split=validation
func TestServerDropsInFlightOnStop(t *testing.T) {
	call := (*server).callWaitReply
	s := &server{reqs: make(chan request), quit: make(chan struct{}), table: map[int]int{}}
	for k := 0; k < 16; k++ {
		s.table[k] = k * k
	}
	s.wg.Add(1)
	go s.loop()
	checked := make(chan struct{})
	go func() { // a health checker polls until the server goes away
		defer close(checked)
		for i := 0; ; i++ {
			v, ok := call(s, i) // schedcast:block
			if !ok {
				return
			}
			_ = digest(2<<10, byte(v))
		}
	}()
	_ = digest(48<<10, 9) // the test's own work before shutdown
	s.stop()
	settle(t, checked, "health checker")
}

// The fixed callers also select on the server's quit channel.
// schedcast: category=correct primitives=chan,bufchan,close,select,after,waitgroup,atomic bug=none split=test
func TestServerCallerSelectsOnQuit(t *testing.T) {
	call := (*server).callSelectQuit
	s := &server{reqs: make(chan request), quit: make(chan struct{}), table: map[int]int{}}
	for k := 0; k < 16; k++ {
		s.table[k] = k * k
	}
	s.wg.Add(1)
	go s.loop()
	checked := make(chan struct{})
	go func() { // a health checker polls until the server goes away
		defer close(checked)
		for i := 0; ; i++ {
			v, ok := call(s, i)
			if !ok {
				return
			}
			_ = digest(2<<10, byte(v))
		}
	}()
	_ = digest(48<<10, 9) // the test's own work before shutdown
	s.stop()
	settle(t, checked, "health checker")
}

var errConflict = errors.New("row changed under the update")

// table rows carry a version for optimistic updates.
type table struct {
	mu       sync.Mutex
	vals     []int
	versions []int
}

// update reads a row, computes its new value without the lock, and writes
// it back only if nobody changed the row meanwhile.
func (tb *table) update(row int) error {
	tb.mu.Lock()
	v, base := tb.versions[row], tb.vals[row]
	tb.mu.Unlock()
	next := int(digest(512, byte(base))[0])
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.versions[row] != v {
		return errConflict
	}
	tb.vals[row], tb.versions[row] = next, v+1
	return nil
}

// applyFirstError returns at the first failed row, leaving the workers that
// have not reported yet blocked on the unbuffered results channel.
func applyFirstError(results <-chan error, n int) error {
	for i := 0; i < n; i++ {
		if err := <-results; err != nil {
			return err
		}
	}
	return nil
}

// applyAll is the fixed collector: it receives every result.
func applyAll(results <-chan error, n int) error {
	var first error
	for i := 0; i < n; i++ {
		if err := <-results; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// A bulk update applies rows in parallel with optimistic versions and
// returns at the first error. A conflict only happens when the compaction's
// write to row 5 lands inside that row's read-compute-write window; the
// workers that have not reported by then block forever on their send.
// schedcast: category=leak primitives=chan,mutex bug=leak split=train
func TestBulkUpdateConflictAbandonsWorkers(t *testing.T) {
	apply := applyFirstError
	const rows = 8
	tb := &table{vals: make([]int, rows), versions: make([]int, rows)}
	results := make(chan error)
	for r := 0; r < rows; r++ {
		go func(r int) {
			results <- tb.update(r) // schedcast:block
		}(r)
	}
	go func() { // a compaction rewrites row 5 once
		_ = digest(8<<10, 5)
		tb.mu.Lock()
		tb.versions[5]++
		tb.mu.Unlock()
	}()
	if err := apply(results, rows); err != nil {
		t.Logf("bulk update: %v", err)
	}
}
