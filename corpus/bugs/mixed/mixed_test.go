// Package mixed holds buggy kernels in which a lock and a channel (or a
// wait group, a condition variable, a once) block each other: a goroutine
// holds a lock while it waits on a channel, and the goroutine that would
// serve that channel first needs the lock.
package mixed

import (
	"sync"
	"testing"
	"time"
)

// A metrics publisher holds the registry lock while it hands a snapshot
// over an unbuffered channel. The consumer picks its next task with a
// select; if it handles the pending config reload first, it takes the
// registry lock before reading the snapshot, and the two wait on each other.
// schedcast: category=leak primitives=mutex,chan,bufchan,select,close,after bug=leak split=train
func TestMetricsSnapshotUnderLock(t *testing.T) {
	var mu sync.Mutex
	counters := map[string]int{"req": 10, "err": 1}
	snapshots := make(chan int)
	reload := make(chan struct{}, 1)
	reload <- struct{}{}
	go func() { // publisher
		mu.Lock()
		snapshots <- len(counters) // schedcast:block
		mu.Unlock()
	}()
	done := make(chan struct{})
	go func() { // consumer
		time.Sleep(500 * time.Microsecond) // connect to the sink
		select {
		case n := <-snapshots:
			_ = n
			<-reload
			mu.Lock()
			counters["reloads"]++
			mu.Unlock()
		case <-reload:
			mu.Lock() // schedcast:block
			counters["reloads"]++
			mu.Unlock()
			<-snapshots
		}
		close(done)
	}()
	select {
	case <-done:
		t.Logf("snapshot consumed")
	case <-time.After(30 * time.Millisecond):
		t.Logf("publisher and consumer deadlocked")
	}
}

// A key-value store applies a batch of two mutations under its lock and
// emits one event per mutation on an unbuffered channel while still holding
// the lock. The watcher reacts to a delete event by reading the store,
// which needs the lock. If the delete happens to be applied first, the
// watcher's read and the store's second event block each other.
// schedcast: category=leak primitives=mutex,chan,bufchan,select,close,after bug=leak split=train
func TestWatcherReadsStoreDuringBatch(t *testing.T) {
	var mu sync.Mutex
	data := map[string]string{"a": "1", "b": "2"}
	puts := make(chan string, 1)
	dels := make(chan string, 1)
	puts <- "c"
	dels <- "a"
	events := make(chan string)
	go func() { // store
		mu.Lock()
		for i := 0; i < 2; i++ {
			select {
			case k := <-puts:
				data[k] = "new"
				events <- "put " + k // schedcast:block
			case k := <-dels:
				delete(data, k)
				events <- "del " + k // schedcast:block
			}
		}
		mu.Unlock()
	}()
	done := make(chan struct{})
	go func() { // watcher
		for i := 0; i < 2; i++ {
			ev := <-events
			if ev[:3] == "del" {
				mu.Lock() // schedcast:block
				_ = len(data)
				mu.Unlock()
			}
		}
		close(done)
	}()
	select {
	case <-done:
		t.Logf("watcher saw the batch")
	case <-time.After(30 * time.Millisecond):
		t.Logf("store and watcher deadlocked")
	}
}

// A build coordinator takes the results lock and then waits for all
// compile workers; each worker records its result under that same lock
// before calling Done. Workers that have not recorded by the time the
// coordinator holds the lock can never finish.
// schedcast: category=leak primitives=mutex,waitgroup,chan,close,select,after bug=leak split=validation
func TestBuildWaitUnderResultsLock(t *testing.T) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	results := map[string]bool{}
	gate := make(chan struct{})
	for _, unit := range []string{"lexer", "parser", "codegen"} {
		unit := unit
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			churn(12000)
			mu.Lock() // schedcast:block
			results[unit] = true
			mu.Unlock()
		}()
	}
	finished := make(chan struct{})
	go func() { // coordinator
		<-gate
		churn(12000)
		mu.Lock()
		wg.Wait() // schedcast:block
		mu.Unlock()
		close(finished)
	}()
	close(gate)
	select {
	case <-finished:
		t.Logf("build finished")
	case <-time.After(30 * time.Millisecond):
		t.Logf("coordinator holds the lock the workers need")
	}
}

// A printer driver waits on a condition variable until paper is loaded and
// only then reads pages from an unbuffered channel. The front panel handles
// two queued button presses in whichever order its select picks: if
// "print" comes before "load paper", the panel blocks handing over a page
// that the sleeping driver will never read.
// schedcast: category=leak primitives=cond,mutex,chan,bufchan,select,close,after bug=leak split=test
func TestPrinterPanelPageBeforePaper(t *testing.T) {
	var mu sync.Mutex
	paperIn := sync.NewCond(&mu)
	loaded := false
	pages := make(chan string)
	printed := make(chan struct{})
	go func() { // driver
		mu.Lock()
		for !loaded {
			paperIn.Wait() // schedcast:block
		}
		mu.Unlock()
		<-pages
		close(printed)
	}()
	printBtn := make(chan struct{}, 1)
	loadBtn := make(chan struct{}, 1)
	printBtn <- struct{}{}
	loadBtn <- struct{}{}
	go func() { // front panel
		time.Sleep(300 * time.Microsecond) // wake up the display
		for i := 0; i < 2; i++ {
			select {
			case <-printBtn:
				pages <- "page 1" // schedcast:block
			case <-loadBtn:
				mu.Lock()
				loaded = true
				paperIn.Broadcast()
				mu.Unlock()
			}
		}
	}()
	select {
	case <-printed:
		t.Logf("page printed")
	case <-time.After(30 * time.Millisecond):
		t.Logf("panel and driver wait on each other")
	}
}

// A cache worker holds the read lock while it asks the filler goroutine for
// a missing key and waits for the reply; the filler inserts under the write
// lock, which cannot be had while the read lock is held. Hot keys are
// served without the filler, so only a cold request deadlocks.
// schedcast: category=leak primitives=chan,bufchan,close,range,select,after,rwmutex bug=leak split=test
func TestCacheFillUnderReadLock(t *testing.T) {
	var mu sync.RWMutex
	cache := map[string]int{"hot": 1}
	fill := make(chan string)
	filled := make(chan int)
	go func() { // filler
		for k := range fill {
			mu.Lock() // schedcast:block
			cache[k] = 2
			mu.Unlock()
			filled <- 2
		}
	}()
	hotReq := make(chan string, 1)
	coldReq := make(chan string, 1)
	hotReq <- "hot"
	coldReq <- "cold"
	served := make(chan int, 1)
	go func() { // worker serves the first request it picks
		defer close(fill)
		time.Sleep(300 * time.Microsecond)
		var key string
		select {
		case key = <-hotReq:
		case key = <-coldReq:
		}
		mu.RLock()
		v, ok := cache[key]
		if !ok {
			fill <- key
			v = <-filled // schedcast:block
		}
		mu.RUnlock()
		served <- v
	}()
	select {
	case v := <-served:
		t.Logf("served %d", v)
	case <-time.After(30 * time.Millisecond):
		t.Logf("worker and filler deadlocked")
	}
}

// An event loop holds its state lock across the select that waits for the
// next event or the stop signal. Stop takes the state lock to mark the loop
// as stopping before closing the stop channel, so if the loop is already
// parked in its select, Stop can never get the lock.
// schedcast: category=leak primitives=mutex,select,chan,close,after bug=leak split=train
func TestEventLoopSelectHoldsLock(t *testing.T) {
	var mu sync.Mutex
	stopping := false
	events := make(chan int)
	stop := make(chan struct{})
	exited := make(chan struct{})
	go func() { // loop
		defer close(exited)
		for {
			mu.Lock()
			select { // schedcast:block
			case e := <-events:
				_ = e
				if stopping {
					mu.Unlock()
					return
				}
				mu.Unlock()
			case <-stop:
				mu.Unlock()
				return
			}
		}
	}()
	go func() { // event source
		for i := 0; i < 3; i++ {
			select {
			case events <- i:
			case <-stop:
				return
			}
			churn(5000)
		}
	}()
	stopped := make(chan struct{})
	go func() { // Stop()
		churn(8000)
		mu.Lock() // schedcast:block
		stopping = true
		mu.Unlock()
		close(stop)
		close(stopped)
	}()
	select {
	case <-stopped:
		<-exited
		t.Logf("loop stopped cleanly")
	case <-time.After(30 * time.Millisecond):
		t.Logf("Stop is stuck behind the loop's lock")
	}
}

// A logger's init, run through sync.Once, waits for the sink address from
// the config loader. The loader logs a warning, which goes through the same
// once, when the first key it processes is deprecated; that call waits for
// the once to finish, and the once waits for the loader.
// schedcast: category=leak primitives=once,chan,bufchan,select,close,after bug=leak split=train
func TestLoggerOnceWaitsForConfig(t *testing.T) {
	var once sync.Once
	sinkAddr := make(chan string)
	logger := func() {
		once.Do(func() { // schedcast:block
			_ = <-sinkAddr // schedcast:block
		})
	}
	oldKey := make(chan string, 1)
	newKey := make(chan string, 1)
	oldKey <- "log_host"
	newKey <- "log.sink"
	go func() { // config loader
		time.Sleep(300 * time.Microsecond)
		for i := 0; i < 2; i++ {
			select {
			case <-oldKey:
				logger() // schedcast:block
			case <-newKey:
				sinkAddr <- "udp://10.0.0.9:514"
			}
		}
	}()
	ready := make(chan struct{})
	go func() {
		logger()
		close(ready)
	}()
	select {
	case <-ready:
		t.Logf("logger ready")
	case <-time.After(30 * time.Millisecond):
		t.Logf("logger init and config loader wait on each other")
	}
}

// An audit logger holds its lock while it pushes records into a small
// bounded queue. The flusher handles its two queued duties in whichever
// order its select picks; rotating the file needs the same lock, so when it
// rotates while the logger is blocked on a full queue, neither can move.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,mutex bug=leak split=train
func TestAuditLogRotateWhileQueueFull(t *testing.T) {
	var mu sync.Mutex
	file := "audit.0"
	queue := make(chan string, 2)
	logged := make(chan struct{})
	go func() { // logger
		mu.Lock()
		for _, r := range []string{"login", "read", "logout"} {
			queue <- file + ":" + r // schedcast:block
		}
		mu.Unlock()
		close(logged)
	}()
	rotate := make(chan struct{}, 1)
	flush := make(chan struct{}, 1)
	rotate <- struct{}{}
	flush <- struct{}{}
	go func() { // flusher
		time.Sleep(300 * time.Microsecond)
		for i := 0; i < 2; i++ {
			select {
			case <-rotate:
				mu.Lock() // schedcast:block
				file = "audit.1"
				mu.Unlock()
			case <-flush:
				for len(queue) > 0 {
					<-queue
				}
			}
		}
	}()
	select {
	case <-logged:
		t.Logf("records queued")
	case <-time.After(30 * time.Millisecond):
		t.Logf("logger and flusher deadlocked")
	}
}
