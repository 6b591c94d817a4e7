package apps

import (
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"schedcast.dev/corpus/libs/jobs"
	"schedcast.dev/corpus/libs/kv"
)

// Two upload handlers queue thumbnail renders on a three-worker pool whose
// queue holds four tasks, so handlers often wait inside Compute for a free
// slot. A gallery goroutine ranges over the pool's Results until Stop
// closes it. Every render's result must arrive exactly once.
// schedcast: category=correct primitives=chan,bufchan,close,range,waitgroup,once,atomic bug=none split=validation
func TestThumbnailPoolResults(t *testing.T) {
	p := jobs.New(3, 4)
	gallery := make(chan map[int]int)
	go func() { // gallery
		seen := map[int]int{}
		for r := range p.Results() {
			seen[r.ID] = r.Value
		}
		gallery <- seen
	}()
	var wg sync.WaitGroup
	for h := 0; h < 2; h++ {
		wg.Add(1)
		go func(h int) { // upload handler
			defer wg.Done()
			for i := 0; i < 6; i++ {
				size := 64 * (h*6 + i + 1)
				p.Compute(func() int {
					churn(400)
					return size / 2
				})
			}
		}(h)
	}
	wg.Wait()
	p.Stop()
	seen := <-gallery
	if len(seen) != 12 {
		t.Fatalf("gallery got %d thumbnails, want 12", len(seen))
	}
	sum := 0
	for _, v := range seen {
		sum += v
	}
	if sum != 32*78 {
		t.Errorf("thumbnail sizes sum to %d, want %d", sum, 32*78)
	}
}

// A report builder hooks the pool's OnStart and OnDone callbacks to keep a
// progress table (under its own mutex) and a running count (atomic), then
// mixes fire-and-forget cleanup tasks (Submit) with computed report pages
// (Compute) while a collector drains Results. After Stop the pool logs its
// counters through log.Printf to stderr, the one piece of I/O here.
// schedcast: category=correct primitives=chan,bufchan,close,range,mutex,waitgroup,once,atomic bug=none split=train
func TestReportProgressCallbacks(t *testing.T) {
	p := jobs.New(2, 3)
	var mu sync.Mutex
	started := map[int]bool{}
	var finished int64
	p.OnStart = func(id int) {
		mu.Lock()
		started[id] = true
		mu.Unlock()
	}
	p.OnDone = func(r jobs.Result) { atomic.AddInt64(&finished, 1) }

	pages := make(chan []int)
	go func() { // collector
		var vals []int
		for r := range p.Results() {
			vals = append(vals, r.Value)
		}
		sort.Ints(vals)
		pages <- vals
	}()
	var cleaned int64
	for i := 1; i <= 5; i++ {
		i := i
		p.Compute(func() int {
			churn(300 * i)
			return i * 100
		})
		p.Submit(func() {
			churn(200)
			atomic.AddInt64(&cleaned, 1)
		})
	}
	p.Stop()
	vals := <-pages
	p.Report("reports")
	if len(vals) != 5 || vals[0] != 100 || vals[4] != 500 {
		t.Errorf("pages %v, want 100..500", vals)
	}
	mu.Lock()
	n := len(started)
	mu.Unlock()
	if n != 10 || atomic.LoadInt64(&finished) != 5 || atomic.LoadInt64(&cleaned) != 5 {
		t.Errorf("started %d, finished %d, cleaned %d; want 10, 5, 5", n, finished, cleaned)
	}
}

// Checkout workers on a pool reserve stock in a sharded store: jobs.Map runs
// one reservation per order on three workers and collects the results in
// order (its own collector goroutine reads the pool's Results). Orders for
// the same SKU race for that shard's write lock through kv.Update; the
// store never oversells and the reservations add up to what was taken.
// schedcast: category=correct primitives=chan,bufchan,close,mutex,rwmutex,waitgroup,once,atomic bug=none split=train
func TestCheckoutReservesStock(t *testing.T) {
	s := kv.New(2)
	s.Put("stock/lamp", 7)
	s.Put("stock/desk", 3)
	p := jobs.New(3, 2)
	orders := []int{2, 1, 3, 2, 1, 2, 1, 1}
	reserved := jobs.Map(p, orders, func(o int) int {
		sku := "stock/lamp"
		if o%2 == 1 {
			sku = "stock/desk"
		}
		churn(300)
		got := 0
		s.Update(sku, func(left int, _ bool) int {
			got = o
			if got > left {
				got = left
			}
			return left - got
		})
		return got
	})
	p.Stop()
	total := 0
	for _, r := range reserved {
		total += r
	}
	lamp, _ := s.Get("stock/lamp")
	desk, _ := s.Get("stock/desk")
	if lamp < 0 || desk < 0 || total+lamp+desk != 10 {
		t.Errorf("reserved %v (total %d), left lamp=%d desk=%d", reserved, total, lamp, desk)
	}
	if lamp != 1 || desk != 0 {
		t.Errorf("left lamp=%d desk=%d, want 1 and 0", lamp, desk)
	}
}

// An export handler splits a report into two parts rendered on a pool; each
// job hands its part to the handler over an unbuffered channel. The handler
// uploads the first part (a millisecond) and then waits for the second with
// a deadline armed at the start, so usually both the second part (its job
// blocked on the send) and the deadline are ready. On the deadline path the
// handler stops the pool in the background and returns: the job stays
// blocked on its send, and the goroutine in Stop waits inside the pool for
// that worker forever.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,waitgroup,once bug=leak split=train
func TestExportPartStrandedAfterStop(t *testing.T) {
	p := jobs.New(2, 2)
	parts := make(chan string)
	deadline := time.After(300 * time.Microsecond)
	for _, name := range []string{"orders.csv", "refunds.csv"} {
		name := name
		p.Submit(func() {
			churn(3000)
			parts <- name // schedcast:block
		})
	}
	first := <-parts
	time.Sleep(time.Millisecond) // upload the first part
	select {
	case second := <-parts:
		p.Stop()
		t.Logf("exported %s and %s", first, second)
	case <-deadline:
		t.Logf("export of %s incomplete; stopping the pool in the background", first)
		go func() {
			p.Stop() // schedcast:block
		}()
	}
}
