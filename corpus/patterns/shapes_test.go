package patterns

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A lazily computed exchange rate behaves like a future: the first caller
// starts the computation once, and every caller blocks on the closed-done
// channel before reading the value.
// schedcast: category=correct primitives=once,close,chan,waitgroup bug=none split=train
func TestExchangeRateFuture(t *testing.T) {
	type future struct {
		once  sync.Once
		done  chan struct{}
		value float64
	}
	f := &future{done: make(chan struct{})}
	get := func() float64 {
		f.once.Do(func() {
			go func() {
				f.value = 1.08
				close(f.done)
			}()
		})
		<-f.done
		return f.value
	}
	var wg sync.WaitGroup
	for c := 0; c < 7; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v := get(); v != 1.08 {
				t.Errorf("rate %v", v)
			}
		}()
	}
	wg.Wait()
}

// A metrics batcher flushes either when four points have piled up or when
// a short flush timer fires, whichever comes first.
// schedcast: category=correct primitives=chan,close,range,select,timer bug=none split=train
func TestMetricsBatcher(t *testing.T) {
	points := make(chan int)
	batches := make(chan []int)
	go func() {
		defer close(batches)
		var batch []int
		flush := time.NewTimer(time.Hour)
		defer flush.Stop()
		for {
			select {
			case p, ok := <-points:
				if !ok {
					if len(batch) > 0 {
						batches <- batch
					}
					return
				}
				if len(batch) == 0 {
					flush.Reset(time.Millisecond)
				}
				batch = append(batch, p)
				if len(batch) == 4 {
					batches <- batch
					batch = nil
				}
			case <-flush.C:
				if len(batch) > 0 {
					batches <- batch
					batch = nil
				}
			}
		}
	}()
	go func() {
		for p := 0; p < 10; p++ {
			points <- p
		}
		close(points)
	}()
	total := 0
	for b := range batches {
		if len(b) == 0 || len(b) > 4 {
			t.Errorf("batch size %d", len(b))
		}
		total += len(b)
	}
	if total != 10 {
		t.Errorf("flushed %d points", total)
	}
}

// Nine nodes try to become leader by swapping an atomic owner field from
// zero; exactly one wins and it closes the elected channel.
// schedcast: category=correct primitives=atomic,waitgroup,close,chan bug=none split=train
func TestNodeLeaderElection(t *testing.T) {
	var leader int32
	elected := make(chan struct{})
	var wins int32
	var wg sync.WaitGroup
	for n := 1; n <= 9; n++ {
		n := n
		wg.Add(1)
		go func() {
			defer wg.Done()
			if atomic.CompareAndSwapInt32(&leader, 0, int32(n)) {
				atomic.AddInt32(&wins, 1)
				close(elected)
			}
			<-elected
		}()
	}
	wg.Wait()
	if wins != 1 || leader == 0 {
		t.Errorf("wins %d leader %d", wins, leader)
	}
}

// Five hikers go through three checkpoints together: a reusable barrier
// built from a condition variable and a generation counter.
// schedcast: category=correct primitives=mutex,waitgroup,cond,atomic bug=none split=validation
func TestHikersCheckpointBarrier(t *testing.T) {
	const hikers = 5
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	arrived, generation := 0, 0
	await := func() {
		mu.Lock()
		gen := generation
		arrived++
		if arrived == hikers {
			arrived = 0
			generation++
			cond.Broadcast()
		} else {
			for gen == generation {
				cond.Wait()
			}
		}
		mu.Unlock()
	}
	var reached [3]int32
	var wg sync.WaitGroup
	for h := 0; h < hikers; h++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for cp := 0; cp < 3; cp++ {
				atomic.AddInt32(&reached[cp], 1)
				await()
				if n := atomic.LoadInt32(&reached[cp]); n != hikers {
					t.Errorf("checkpoint %d left with %d hikers", cp, n)
				}
			}
		}()
	}
	wg.Wait()
}

// A word count over forty short documents: one goroutine per document
// counts locally and merges into a shared map under a mutex.
// schedcast: category=correct primitives=mutex,waitgroup bug=none split=validation
func TestDocumentWordCount(t *testing.T) {
	docs := make([]string, 40)
	for i := range docs {
		docs[i] = strings.Repeat("go chan ", i%3+1)
	}
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for _, d := range docs {
		d := d
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[string]int{}
			for _, w := range strings.Fields(d) {
				local[w]++
			}
			mu.Lock()
			for w, c := range local {
				counts[w] += c
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	want := 0
	for i := range docs {
		want += i%3 + 1
	}
	if counts["go"] != want || counts["chan"] != want {
		t.Errorf("counts %v want %d", counts, want)
	}
}

// A crowd of twenty-five voters drop ballots into a ballot box channel read
// by three counting clerks; the clerks' tallies add up to the crowd.
// schedcast: category=correct primitives=chan,close,range,waitgroup,atomic bug=none split=test
func TestBallotClerks(t *testing.T) {
	box := make(chan int)
	var counted int64
	var clerks sync.WaitGroup
	for c := 0; c < 3; c++ {
		clerks.Add(1)
		go func() {
			defer clerks.Done()
			for range box {
				atomic.AddInt64(&counted, 1)
			}
		}()
	}
	var voters sync.WaitGroup
	for v := 0; v < 25; v++ {
		v := v
		voters.Add(1)
		go func() {
			defer voters.Done()
			box <- v
		}()
	}
	voters.Wait()
	close(box)
	clerks.Wait()
	if counted != 25 {
		t.Errorf("counted %d", counted)
	}
}
