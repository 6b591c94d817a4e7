package apps

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"schedcast.dev/corpus/libs/kv"
)

// Four restock clerks, released together by closing a gate, add stock to the
// same six SKUs of a sharded store while two shelf scanners read them. The
// clerks race for the shards' write locks and the scanners for read locks,
// all inside kv; whatever the interleaving, every SKU ends with 4×10 items
// and no scanner ever sees a count go down.
// schedcast: category=correct primitives=chan,bufchan,close,range,rwmutex,waitgroup bug=none split=test
func TestInventoryRestockRace(t *testing.T) {
	s := kv.New(4)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) { // clerk
			defer wg.Done()
			<-gate
			for i := 0; i < 10; i++ {
				for k := 0; k < 6; k++ {
					s.Add(fmt.Sprintf("sku-%d", (k+c)%6), 1)
				}
				churn(200)
			}
		}(c)
	}
	errs := make(chan string, 2)
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func(r int) { // shelf scanner
			defer wg.Done()
			<-gate
			last := make([]int, 6)
			for pass := 0; pass < 20; pass++ {
				for k := 0; k < 6; k++ {
					v, _ := s.Get(fmt.Sprintf("sku-%d", k))
					if v < last[k] {
						errs <- fmt.Sprintf("scanner %d: sku-%d went from %d to %d", r, k, last[k], v)
						return
					}
					last[k] = v
				}
			}
		}(r)
	}
	close(gate)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for k := 0; k < 6; k++ {
		if v, _ := s.Get(fmt.Sprintf("sku-%d", k)); v != 40 {
			t.Errorf("sku-%d = %d, want 40", k, v)
		}
	}
}

// A price board watches the store through kv.Tally, which ranges over the
// watch channel inside the library until Unwatch closes it. Three feed
// handlers put prices concurrently; the watch buffer holds only two changes,
// so feeds regularly wait inside Put for the board to catch up. Once the
// feeds are done the app unwatches and checks that the board saw every one
// of the 15 changes.
// schedcast: category=correct primitives=chan,bufchan,close,range,mutex,rwmutex,waitgroup bug=none split=test
func TestPriceBoardTally(t *testing.T) {
	s := kv.New(2)
	w := s.Watch(2)
	tallied := make(chan map[string]int)
	go func() { // price board
		tallied <- kv.Tally(w)
	}()
	var wg sync.WaitGroup
	for f, sym := range []string{"ACME", "GLOBEX", "INITECH"} {
		wg.Add(1)
		go func(f int, sym string) { // feed handler
			defer wg.Done()
			for i := 0; i < 5; i++ {
				churn(300)
				s.Put(sym, 100+10*f+i)
			}
		}(f, sym)
	}
	wg.Wait()
	s.Unwatch(w)
	counts := <-tallied
	for _, sym := range []string{"ACME", "GLOBEX", "INITECH"} {
		if counts[sym] != 5 {
			t.Errorf("board saw %d changes of %s, want 5", counts[sym], sym)
		}
	}
	if v, _ := s.Get("GLOBEX"); v != 114 {
		t.Errorf("GLOBEX = %d, want 114", v)
	}
}

// A session tracker bumps per-user request counters through kv.Update from
// three handlers while a metrics exporter takes snapshots shard by shard
// until the handlers are done, polling a done channel with select-default
// between snapshots. Each counter must never shrink from one snapshot to
// the next, and the last value must be the exact request count.
// schedcast: category=correct primitives=chan,close,select-default,rwmutex,waitgroup bug=none split=validation
func TestSessionSnapshotsDuringUpdates(t *testing.T) {
	s := kv.New(3)
	users := []string{"ana", "ben", "chen", "dara"}
	done := make(chan struct{})
	exported := make(chan int)
	go func() { // metrics exporter
		prev := map[string]int{}
		snaps := 0
		for {
			snap := s.Snapshot()
			snaps++
			for u, v := range snap {
				if v < prev[u] {
					t.Errorf("snapshot %d: %s went from %d to %d", snaps, u, prev[u], v)
				}
			}
			prev = snap
			select {
			case <-done:
				exported <- snaps
				return
			default:
				churn(500)
			}
		}
	}()
	var wg sync.WaitGroup
	for h := 0; h < 3; h++ {
		wg.Add(1)
		go func(h int) { // request handler
			defer wg.Done()
			for i := 0; i < 12; i++ {
				u := users[(h+i)%len(users)]
				s.Update("req/"+u, func(old int, had bool) int { return old + 1 })
				churn(150)
			}
		}(h)
	}
	wg.Wait()
	close(done)
	<-exported
	total := 0
	for _, u := range users {
		v, _ := s.Get("req/" + u)
		total += v
	}
	if total != 36 {
		t.Errorf("total requests %d, want 36", total)
	}
}

// A compliance auditor watches a tenant store with a two-change buffer and
// records each change (a millisecond of work) until its audit session
// expires. It returns on expiry without calling Unwatch. Two tenants' setup
// goroutines put two settings each; by the time the auditor finishes its
// first record, the buffer is full and one writer waits inside kv's delivery
// holding the watch lock. If the session expiry wins the auditor's next
// select, that writer and the other one (queued on the watch lock) stay
// blocked inside Put for good; if the change wins, the last change fits the
// buffer and nobody is stuck.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,mutex,rwmutex,waitgroup bug=leak split=train
func TestAuditWatcherAbandoned(t *testing.T) {
	s := kv.New(4)
	w := s.Watch(2)
	audited := make(chan int, 1)
	go func() { // auditor
		expire := time.After(300 * time.Microsecond)
		n := 0
		for {
			select {
			case c := <-w:
				n++
				_ = c.Key
				time.Sleep(time.Millisecond) // write the audit record
			case <-expire:
				audited <- n
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for _, tenant := range []string{"alice", "bob"} {
		wg.Add(1)
		go func(tenant string) { // tenant setup
			defer wg.Done()
			s.Put(tenant+"/plan", 2)  // schedcast:block
			s.Put(tenant+"/seats", 5) // schedcast:block
		}(tenant)
	}
	writersDone := make(chan struct{})
	go func() {
		wg.Wait() // schedcast:block
		close(writersDone)
	}()
	n := <-audited
	select {
	case <-writersDone:
		t.Logf("audited %d of 4 changes; setup finished", n)
	case <-time.After(20 * time.Millisecond):
		t.Logf("audited %d of 4 changes; setup stalled behind the abandoned watcher", n)
	}
}
