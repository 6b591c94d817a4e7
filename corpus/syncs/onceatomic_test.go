package syncs

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// Fifteen plug-ins ask for the shared codec registry at once; it is built
// exactly one time through sync.Once.
// schedcast: category=correct primitives=once,waitgroup,atomic bug=none split=test
func TestCodecRegistryOnce(t *testing.T) {
	var once sync.Once
	var builds int32
	var registry map[string]int
	var wg sync.WaitGroup
	sizes := make([]int, 15)
	for p := 0; p < 15; p++ {
		p := p
		wg.Add(1)
		go func() {
			defer wg.Done()
			once.Do(func() {
				atomic.AddInt32(&builds, 1)
				registry = map[string]int{"gzip": 1, "zstd": 2, "lz4": 3}
			})
			sizes[p] = len(registry)
		}()
	}
	wg.Wait()
	if builds != 1 {
		t.Errorf("builds %d", builds)
	}
	for p, n := range sizes {
		if n != 3 {
			t.Errorf("plugin %d saw %d codecs", p, n)
		}
	}
}

// Whoever finishes loading the map tiles first closes the ready channel; a
// sync.Once makes sure the close happens only once among four loaders.
// schedcast: category=correct primitives=once,close,chan,waitgroup bug=none split=validation
func TestMapTilesReadyOnce(t *testing.T) {
	ready := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for l := 0; l < 4; l++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once.Do(func() { close(ready) })
		}()
	}
	<-ready
	wg.Wait()
}

// Six ticket agents claim seat numbers with a compare-and-swap loop; every
// seat is sold exactly once.
// schedcast: category=correct primitives=atomic,waitgroup bug=none split=validation
func TestSeatClaimCAS(t *testing.T) {
	var next int32
	claimed := make([]int32, 60)
	var wg sync.WaitGroup
	for a := 0; a < 6; a++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				cur := atomic.LoadInt32(&next)
				if cur >= 60 {
					return
				}
				if atomic.CompareAndSwapInt32(&next, cur, cur+1) {
					atomic.AddInt32(&claimed[cur], 1)
				}
			}
		}()
	}
	wg.Wait()
	for s, c := range claimed {
		if c != 1 {
			t.Errorf("seat %d claimed %d times", s, c)
		}
	}
}

// A fountain pump runs until an atomic shutdown flag is set by the park
// keeper, then reports how many cycles it did.
// schedcast: category=correct primitives=atomic,chan bug=none split=train
func TestFountainShutdownFlag(t *testing.T) {
	var shutdown atomic.Bool
	cycles := make(chan int)
	go func() {
		n := 0
		for !shutdown.Load() {
			n++
			runtime.Gosched()
		}
		cycles <- n
	}()
	runtime.Gosched()
	shutdown.Store(true)
	t.Logf("pump ran %d cycles", <-cycles)
}

// Routing tables are published through atomic.Value; eight forwarders read
// whole snapshots while a controller installs three new versions.
// schedcast: category=correct primitives=atomic,waitgroup bug=none split=test
func TestRoutingTableSnapshots(t *testing.T) {
	type table struct {
		version int
		routes  []string
	}
	var current atomic.Value
	current.Store(&table{version: 0, routes: []string{"a"}})
	var wg sync.WaitGroup
	for f := 0; f < 8; f++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				tb := current.Load().(*table)
				if len(tb.routes) != tb.version+1 {
					t.Errorf("torn table v%d with %d routes", tb.version, len(tb.routes))
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		routes := []string{"a"}
		for v := 1; v <= 3; v++ {
			routes = append(append([]string(nil), routes...), "r")
			current.Store(&table{version: v, routes: routes})
		}
	}()
	wg.Wait()
	if v := current.Load().(*table).version; v != 3 {
		t.Errorf("final version %d", v)
	}
}

// Two counters, one padded per worker and one shared, are bumped by
// five workers; the atomic totals must agree.
// schedcast: category=correct primitives=atomic,waitgroup bug=none split=train
func TestPerWorkerAndSharedCounters(t *testing.T) {
	var shared atomic.Int64
	perWorker := make([]atomic.Int64, 5)
	var wg sync.WaitGroup
	for w := 0; w < 5; w++ {
		w := w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				perWorker[w].Add(1)
				shared.Add(1)
			}
		}()
	}
	wg.Wait()
	var sum int64
	for i := range perWorker {
		sum += perWorker[i].Load()
	}
	if sum != shared.Load() || sum != 200 {
		t.Errorf("sum %d shared %d", sum, shared.Load())
	}
}
