package locking

import (
	"sync"
	"testing"
)

// settings is a read-mostly configuration reloaded now and then.
type settings struct {
	mu   sync.RWMutex
	vals map[string]int
}

func (s *settings) get(k string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.vals[k]
}

// limitsNested read-locks and then calls get, which read-locks again: a
// writer that queues between the two read locks blocks the second, and the
// writer itself waits for the first.
func (s *settings) limitsNested() (int, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	lo := s.vals["lo"]
	return lo, s.get("hi")
}

// limitsFlat is the fixed version: one read lock for both values.
func (s *settings) limitsFlat() (int, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.vals["lo"], s.vals["hi"]
}

// A handler reads two limits through a helper that read-locks the settings
// again while the handler holds its read lock. Go's RWMutex blocks new
// readers once a writer waits, so a reload whose Lock lands between the two
// read locks deadlocks the handler and the reloader.
// schedcast: category=leak primitives=chan,close,select,after,rwmutex,waitgroup bug=leak split=test
func TestSettingsRecursiveRLockDuringReload(t *testing.T) {
	limits := (*settings).limitsNested
	s := &settings{vals: map[string]int{"lo": 1, "hi": 9}}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // request handlers read the limits
		defer wg.Done()
		for i := 0; i < 100; i++ {
			lo, hi := limits(s) // schedcast:block
			_ = digest(256+lo+hi, byte(i))
		}
	}()
	go func() { // the reloader applies new limits
		defer wg.Done()
		for i := 0; i < 20; i++ {
			next := digest(1<<10, byte(i))
			s.mu.Lock() // schedcast:block
			s.vals["lo"], s.vals["hi"] = int(next[0]%8), 8+int(next[1]%8)
			s.mu.Unlock()
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }() // schedcast:block
	settle(t, done, "handlers and reloader")
}

// The fixed handler takes one read lock.
// schedcast: category=correct primitives=chan,close,select,after,rwmutex,waitgroup bug=none split=train
func TestSettingsSingleRLockDuringReload(t *testing.T) {
	limits := (*settings).limitsFlat
	s := &settings{vals: map[string]int{"lo": 1, "hi": 9}}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // request handlers read the limits
		defer wg.Done()
		for i := 0; i < 100; i++ {
			lo, hi := limits(s)
			_ = digest(256+lo+hi, byte(i))
		}
	}()
	go func() { // the reloader applies new limits
		defer wg.Done()
		for i := 0; i < 20; i++ {
			next := digest(1<<10, byte(i))
			s.mu.Lock()
			s.vals["lo"], s.vals["hi"] = int(next[0]%8), 8+int(next[1]%8)
			s.mu.Unlock()
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	settle(t, done, "handlers and reloader")
}

// inventory caches stock levels in front of the stock table.
type inventory struct {
	cacheMu, stockMu sync.Mutex
	cache, stock     map[int]int
}

// lookup locks the cache and, on a miss only, the stock table under it
// (cache, then stock).
func (inv *inventory) lookup(k int) int {
	inv.cacheMu.Lock()
	defer inv.cacheMu.Unlock()
	if v, ok := inv.cache[k]; ok {
		return v
	}
	inv.stockMu.Lock()
	v := inv.stock[k]
	inv.stockMu.Unlock()
	inv.cache[k] = v
	return v
}

// restockInverted updates the stock and invalidates the cache entry under
// the stock lock (stock, then cache): the other order.
func (inv *inventory) restockInverted(k, n int) {
	inv.stockMu.Lock()
	defer inv.stockMu.Unlock()
	inv.stock[k] += n
	_ = digest(256, byte(k)) // write the audit record
	inv.cacheMu.Lock()
	delete(inv.cache, k)
	inv.cacheMu.Unlock()
}

// restockOrdered is the fixed version: the cache is invalidated after the
// stock lock is released.
func (inv *inventory) restockOrdered(k, n int) {
	inv.stockMu.Lock()
	inv.stock[k] += n
	_ = digest(256, byte(k))
	inv.stockMu.Unlock()
	inv.cacheMu.Lock()
	delete(inv.cache, k)
	inv.cacheMu.Unlock()
}

// An inventory takes cache then stock on a lookup miss, while a restock
// takes stock then cache to invalidate the entry. Lookups almost always hit;
// only a miss on an entry invalidated by an earlier delivery, while the
// next delivery holds the stock lock, closes the cycle.
// schedcast: category=leak primitives=chan,close,select,after,mutex,waitgroup bug=leak split=validation
func TestInventoryMissPathLockOrder(t *testing.T) {
	restock := (*inventory).restockInverted
	inv := &inventory{cache: map[int]int{}, stock: map[int]int{}}
	for k := 0; k < 8; k++ {
		inv.stock[k] = 10
		inv.cache[k] = 10
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the storefront looks items up
		defer wg.Done()
		for i := 0; i < 200; i++ {
			v := inv.lookup(i % 8) // schedcast:block
			_ = digest(256, byte(v+i))
		}
	}()
	go func() { // deliveries restock a few items
		defer wg.Done()
		for i := 0; i < 10; i++ {
			_ = digest(4<<10, byte(i))
			restock(inv, (3*i)%8, 5) // schedcast:block
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }() // schedcast:block
	settle(t, done, "storefront and deliveries")
}

// The fixed inventory never holds the two locks together.
// schedcast: category=correct primitives=chan,close,select,after,mutex,waitgroup bug=none split=train
func TestInventoryRestockReleasesFirst(t *testing.T) {
	restock := (*inventory).restockOrdered
	inv := &inventory{cache: map[int]int{}, stock: map[int]int{}}
	for k := 0; k < 8; k++ {
		inv.stock[k] = 10
		inv.cache[k] = 10
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the storefront looks items up
		defer wg.Done()
		for i := 0; i < 200; i++ {
			v := inv.lookup(i % 8)
			_ = digest(256, byte(v+i))
		}
	}()
	go func() { // deliveries restock a few items
		defer wg.Done()
		for i := 0; i < 10; i++ {
			_ = digest(4<<10, byte(i))
			restock(inv, (3*i)%8, 5)
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	settle(t, done, "storefront and deliveries")
}
