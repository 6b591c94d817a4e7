// Package global holds buggy kernels in which, when the bug manifests, the
// test goroutine itself blocks forever: a global deadlock from the test's
// point of view. The collector ends such runs at its deadline. Every kernel
// here also has interleavings in which the test returns normally.
package global

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The test reconciles two ledgers: it locks the ledger of record and, when
// its select picks the reconciliation job rather than the plain audit,
// also the journal. A background compactor holds the journal and wants the
// ledger: lock-order inversion with the test goroutine on one side.
// schedcast: category=deadlock primitives=mutex,bufchan,select bug=global-deadlock split=test
func TestLedgerReconcileInversion(t *testing.T) {
	var ledger, journal sync.Mutex
	go func() { // compactor
		journal.Lock()
		// Rewrite the journal segments.
		time.Sleep(3 * time.Millisecond)
		ledger.Lock() // schedcast:block
		ledger.Unlock()
		journal.Unlock()
	}()
	reconcile := make(chan struct{}, 1)
	audit := make(chan struct{}, 1)
	reconcile <- struct{}{}
	audit <- struct{}{}
	time.Sleep(time.Millisecond) // let the compactor start
	ledger.Lock()
	select {
	case <-reconcile:
		journal.Lock() // schedcast:block
		journal.Unlock()
	case <-audit:
		time.Sleep(4 * time.Millisecond) // read-only audit
	}
	ledger.Unlock()
}

// The test waits on a wait group for three sync workers. A worker whose
// select sees a conflict before the ack returns without calling Done, and
// the test's Wait never returns.
// schedcast: category=deadlock primitives=waitgroup,select,bufchan bug=global-deadlock split=train
func TestSyncWorkersMissingDone(t *testing.T) {
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		ack := make(chan bool, 1)
		conflict := make(chan bool, 1)
		ack <- true
		if w == 2 {
			conflict <- true
		}
		wg.Add(1)
		go func() {
			time.Sleep(200 * time.Microsecond)
			select {
			case <-conflict:
				return // BUG: no wg.Done on this path
			case <-ack:
			}
			wg.Done()
		}()
	}
	wg.Wait() // schedcast:block
}

// The test waits for a geocoding result. The geocoder sends a result only
// when its select takes the "found" branch; on "not found" it returns
// silently, and the test waits forever on a channel nobody will send on.
// schedcast: category=deadlock primitives=chan,bufchan,select bug=global-deadlock split=validation
func TestGeocoderSilentOnMiss(t *testing.T) {
	result := make(chan string)
	found := make(chan string, 1)
	missing := make(chan struct{}, 1)
	found <- "52.52,13.40"
	missing <- struct{}{}
	go func() {
		time.Sleep(200 * time.Microsecond) // query the index
		select {
		case loc := <-found:
			result <- loc
		case <-missing:
			// BUG: no reply on a miss
		}
	}()
	t.Logf("located at %s", <-result) // schedcast:block
}

// The test waits on a condition variable for a backup to finish but does
// not check any completion flag. The backup signals at once when its select
// picks the fast path, before the test is waiting; that signal is lost.
// schedcast: category=deadlock primitives=cond,mutex,bufchan,select bug=global-deadlock split=train
func TestBackupSignalBeforeWait(t *testing.T) {
	var mu sync.Mutex
	finished := sync.NewCond(&mu)
	incremental := make(chan struct{}, 1)
	full := make(chan struct{}, 1)
	incremental <- struct{}{}
	full <- struct{}{}
	go func() {
		select {
		case <-incremental:
		case <-full:
			time.Sleep(2 * time.Millisecond) // copy everything
		}
		mu.Lock()
		finished.Signal()
		mu.Unlock()
	}()
	time.Sleep(500 * time.Microsecond) // mount the backup volume
	mu.Lock()
	finished.Wait() // schedcast:block
	mu.Unlock()
}

// The test read-locks a route table and, further down, read-locks it again
// through a helper. A route updater asks for the write lock either straight
// away or after a pause, as its select decides; straight away means it is
// queued between the two read locks and both sides wait forever.
// schedcast: category=deadlock primitives=rwmutex,bufchan,select bug=global-deadlock split=validation
func TestRouteTableRecursiveRLock(t *testing.T) {
	var mu sync.RWMutex
	routes := map[string]string{"10.0.0.0/8": "eth0"}
	lookup := func(prefix string) string {
		mu.RLock() // schedcast:block
		defer mu.RUnlock()
		return routes[prefix]
	}
	now := make(chan struct{}, 1)
	later := make(chan struct{}, 1)
	now <- struct{}{}
	later <- struct{}{}
	mu.RLock()
	go func() { // updater
		select {
		case <-now:
		case <-later:
			time.Sleep(3 * time.Millisecond)
		}
		mu.Lock() // schedcast:block
		routes["0.0.0.0/0"] = "eth1"
		mu.Unlock()
	}()
	time.Sleep(time.Millisecond) // walk the table
	_ = lookup("10.0.0.0/8")
	mu.RUnlock()
}

// Four scrapers each may or may not find a price, as their selects decide,
// and report it on a channel with room for two. The test waits for every
// scraper before draining the channel; when three or more report, the
// third blocks on the full channel and the test's Wait never returns.
// schedcast: category=deadlock primitives=bufchan,close,range,select,waitgroup bug=global-deadlock split=train
func TestScrapersWaitBeforeDrain(t *testing.T) {
	prices := make(chan int, 2)
	var wg sync.WaitGroup
	for s := 0; s < 4; s++ {
		s := s
		hit := make(chan struct{}, 1)
		miss := make(chan struct{}, 1)
		hit <- struct{}{}
		miss <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(100 * time.Microsecond)
			select {
			case <-hit:
				prices <- 100 + s // schedcast:block
			case <-miss:
			}
		}()
	}
	wg.Wait() // schedcast:block
	close(prices)
	for p := range prices {
		t.Logf("price %d", p)
	}
}

// The test selects on two sensor channels. Each sensor offers its reading
// with a non-blocking send, either right away or after a delay, as its own
// select decides. Readings offered before the test is listening are
// dropped; when both are dropped the test's select waits forever.
// schedcast: category=deadlock primitives=select,select-default,chan,bufchan bug=global-deadlock split=train
func TestSensorsBothDropped(t *testing.T) {
	north := make(chan int)
	south := make(chan int)
	for _, out := range []chan int{north, south} {
		out := out
		now := make(chan struct{}, 1)
		later := make(chan struct{}, 1)
		now <- struct{}{}
		later <- struct{}{}
		go func() {
			select {
			case <-now:
			case <-later:
				time.Sleep(3 * time.Millisecond)
			}
			select {
			case out <- 7:
			default: // nobody listening: drop the reading
			}
		}()
	}
	// Calibrate the receiver before listening.
	time.Sleep(time.Millisecond)
	select { // schedcast:block
	case v := <-north:
		t.Logf("north %d", v)
	case v := <-south:
		t.Logf("south %d", v)
	}
}

// The test refreshes a token under a mutex. When its select picks the
// expired-token path, it calls a helper that takes the same mutex again.
// schedcast: category=deadlock primitives=mutex,bufchan,select bug=global-deadlock split=train
func TestTokenRefreshDoubleLock(t *testing.T) {
	var mu sync.Mutex
	token := "t-1"
	store := func(tok string) {
		mu.Lock() // schedcast:block
		token = tok
		mu.Unlock()
	}
	valid := make(chan struct{}, 1)
	expired := make(chan struct{}, 1)
	valid <- struct{}{}
	expired <- struct{}{}
	mu.Lock()
	select {
	case <-valid:
	case <-expired:
		store("t-2") // BUG: mu already held
	}
	mu.Unlock()
	t.Logf("token %s", token)
}

// The test ranges over an export channel that the last exporter to finish
// is meant to close, tracked with an atomic counter. An exporter whose
// select takes the skip path returns before decrementing, so the counter
// never reaches zero and the channel is never closed.
// schedcast: category=deadlock primitives=range,close,chan,bufchan,select,atomic bug=global-deadlock split=test
func TestExportersNeverClose(t *testing.T) {
	out := make(chan string)
	var left int32 = 3
	for e := 0; e < 3; e++ {
		e := e
		skip := make(chan struct{}, 1)
		write := make(chan struct{}, 1)
		write <- struct{}{}
		if e == 1 {
			skip <- struct{}{}
		}
		go func() {
			time.Sleep(100 * time.Microsecond)
			select {
			case <-skip:
				return // BUG: leaves without counting itself out
			case <-write:
				out <- "part"
			}
			if atomic.AddInt32(&left, -1) == 0 {
				close(out)
			}
		}()
	}
	n := 0
	for range out { // schedcast:block
		n++
	}
	t.Logf("exported %d parts", n)
}

// A lazily initialised template registry uses sync.Once. When the init
// function's select picks the legacy format, it calls a helper that itself
// goes through the same Once, which waits for the init in progress: the
// test blocks inside its own first call.
// schedcast: category=deadlock primitives=once,bufchan,select bug=global-deadlock split=test
func TestTemplateRegistryOnceReentry(t *testing.T) {
	var once sync.Once
	var templates map[string]string
	var load func()
	legacyName := func(n string) string {
		load() // schedcast:block
		return "legacy/" + n
	}
	modern := make(chan struct{}, 1)
	legacy := make(chan struct{}, 1)
	modern <- struct{}{}
	legacy <- struct{}{}
	load = func() {
		once.Do(func() { // schedcast:block
			templates = map[string]string{}
			select {
			case <-modern:
				templates["home"] = "home.tmpl"
			case <-legacy:
				templates["home"] = legacyName("home.tpl")
			}
		})
	}
	load() // schedcast:block
	t.Logf("%d templates", len(templates))
}
