package syncs

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Eight readers consult a feature-flag table while two operators flip flags
// under the write lock.
// schedcast: category=correct primitives=rwmutex,waitgroup bug=none split=train
func TestFeatureFlagsReadWrite(t *testing.T) {
	var mu sync.RWMutex
	flags := map[string]bool{"beta": false, "dark": true}
	var wg sync.WaitGroup
	for r := 0; r < 8; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				mu.RLock()
				_ = flags["beta"] || flags["dark"]
				mu.RUnlock()
			}
		}()
	}
	for w := 0; w < 2; w++ {
		w := w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				mu.Lock()
				flags["beta"] = (i+w)%2 == 0
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	mu.RLock()
	defer mu.RUnlock()
	if len(flags) != 2 {
		t.Errorf("flags %v", flags)
	}
}

// Thirty library patrons hold read locks on the catalogue at the same time;
// the atomic high-water mark shows that readers really did overlap or not,
// but never exceeds the crowd size.
// schedcast: category=correct primitives=rwmutex,waitgroup,atomic bug=none split=train
func TestCataloguePatrons(t *testing.T) {
	var mu sync.RWMutex
	var reading, most int32
	var wg sync.WaitGroup
	for p := 0; p < 30; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.RLock()
			n := atomic.AddInt32(&reading, 1)
			for {
				m := atomic.LoadInt32(&most)
				if n <= m || atomic.CompareAndSwapInt32(&most, m, n) {
					break
				}
			}
			atomic.AddInt32(&reading, -1)
			mu.RUnlock()
		}()
	}
	wg.Wait()
	if most < 1 || most > 30 {
		t.Errorf("most concurrent readers %d", most)
	}
}

// A price list is read optimistically; when a reader finds a stale entry it
// drops the read lock, takes the write lock and re-checks before fixing it.
// schedcast: category=correct primitives=rwmutex,waitgroup bug=none split=train
func TestPriceListRecheck(t *testing.T) {
	var mu sync.RWMutex
	prices := map[string]int{"apple": 0}
	refreshes := 0
	var wg sync.WaitGroup
	for c := 0; c < 5; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.RLock()
			stale := prices["apple"] == 0
			mu.RUnlock()
			if !stale {
				return
			}
			mu.Lock()
			if prices["apple"] == 0 {
				prices["apple"] = 3
				refreshes++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if refreshes != 1 || prices["apple"] != 3 {
		t.Errorf("refreshes %d price %d", refreshes, prices["apple"])
	}
}
