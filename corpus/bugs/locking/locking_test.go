// Package locking holds buggy kernels around sync.Mutex and sync.RWMutex:
// lock-order inversion, double locking, recursive read locking with a
// waiting writer, lock upgrades and unlocks skipped on early returns. The
// goroutines that get stuck are children; the test itself gives up after a
// short wait and returns, leaving them blocked.
package locking

import (
	"sync"
	"testing"
	"time"
)

// Two bank transfers run at once, one from checking to savings and one the
// other way. Each locks its source account, writes an audit record (to a
// local buffer or, slowly, to the remote audit log, as its select picks),
// then locks its destination: the classic AB/BA inversion. They deadlock
// only when both take their first lock before either takes its second.
// schedcast: category=leak primitives=mutex,waitgroup,chan,bufchan,close,select,after bug=leak split=train
func TestAccountTransferInversion(t *testing.T) {
	type account struct {
		mu      sync.Mutex
		balance int
	}
	checking := &account{balance: 100}
	savings := &account{balance: 100}
	transfer := func(from, to *account, amount int) {
		local := make(chan struct{}, 1)
		remote := make(chan struct{}, 1)
		local <- struct{}{}
		remote <- struct{}{}
		from.mu.Lock()
		select { // write the audit record
		case <-local:
			churn(2000)
		case <-remote:
			time.Sleep(2 * time.Millisecond)
		}
		to.mu.Lock() // schedcast:block
		from.balance -= amount
		to.balance += amount
		to.mu.Unlock()
		from.mu.Unlock()
	}
	gate := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); <-gate; transfer(checking, savings, 30) }()
	go func() { defer wg.Done(); <-gate; transfer(savings, checking, 10) }()
	close(gate)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }() // schedcast:block
	select {
	case <-done:
		t.Logf("both transfers went through")
	case <-time.After(30 * time.Millisecond):
		t.Logf("transfers stuck")
	}
}

// An inventory lookup holds the shelf lock and, on a miss, calls the refill
// helper, which takes the same lock again. A janitor goroutine decides with
// a select whether the item looks cold enough to evict, so the miss, and
// the self-deadlock, happen only when it evicted.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,mutex bug=leak split=train
func TestInventoryRefillDoubleLock(t *testing.T) {
	var mu sync.Mutex
	shelf := map[string]int{"bolts": 40}
	refill := func(item string) {
		mu.Lock() // schedcast:block
		shelf[item] = 50
		mu.Unlock()
	}
	lookup := func(item string) int {
		mu.Lock()
		defer mu.Unlock()
		n, ok := shelf[item]
		if !ok {
			refill(item) // BUG: mu is already held
			n = shelf[item]
		}
		return n
	}
	evicted := make(chan struct{})
	cold := make(chan struct{}, 1)
	warm := make(chan struct{}, 1)
	cold <- struct{}{}
	warm <- struct{}{}
	go func() { // janitor
		select {
		case <-cold:
			mu.Lock()
			delete(shelf, "bolts")
			mu.Unlock()
		case <-warm:
		}
		close(evicted)
	}()
	got := make(chan int, 1)
	go func() {
		time.Sleep(time.Millisecond) // take the order
		got <- lookup("bolts")
	}()
	select {
	case n := <-got:
		t.Logf("%d bolts", n)
		<-evicted
	case <-time.After(30 * time.Millisecond):
		t.Logf("lookup stuck")
	}
}

// A report renderer read-locks the dashboard and, inside, calls a helper
// that read-locks it again. If an editor asks for the write lock between
// the two read locks, which happens when the renderer's select takes the
// slow layout path, the second RLock waits behind the writer, and the
// writer waits for the first read lock: both are stuck.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,rwmutex,waitgroup bug=leak split=test
func TestDashboardRecursiveRLock(t *testing.T) {
	var mu sync.RWMutex
	widgets := []string{"cpu", "mem"}
	count := func() int {
		mu.RLock() // schedcast:block
		defer mu.RUnlock()
		return len(widgets)
	}
	quick := make(chan struct{}, 1)
	slow := make(chan struct{}, 1)
	quick <- struct{}{}
	slow <- struct{}{}
	render := func() {
		mu.RLock()
		defer mu.RUnlock()
		select { // lay out the page
		case <-quick:
			churn(2000)
		case <-slow:
			time.Sleep(3 * time.Millisecond)
		}
		_ = count()
	}
	gate := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); <-gate; render() }()
	go func() { // editor
		defer wg.Done()
		<-gate
		time.Sleep(time.Millisecond)
		mu.Lock() // schedcast:block
		widgets = append(widgets, "disk")
		mu.Unlock()
	}()
	close(gate)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }() // schedcast:block
	select {
	case <-done:
	case <-time.After(30 * time.Millisecond):
		t.Logf("renderer and editor stuck")
	}
}

// Three replication links each lock their own node and then the next one
// in a ring (n1→n2, n2→n3, n3→n1). A cycle of waits closes only when all
// three hold their first lock at the same time.
// schedcast: category=leak primitives=mutex,waitgroup,chan,close,select,after bug=leak split=validation
func TestReplicationRingLocks(t *testing.T) {
	nodes := make([]sync.Mutex, 3)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := 0; i < 3; i++ {
		own, next := &nodes[i], &nodes[(i+1)%3]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			own.Lock()
			churn(30000) // ship the log segment
			next.Lock()  // schedcast:block
			next.Unlock()
			own.Unlock()
		}()
	}
	close(gate)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }() // schedcast:block
	select {
	case <-done:
	case <-time.After(30 * time.Millisecond):
		t.Logf("replication ring deadlocked")
	}
}

// A quota checker locks the ledger and returns early, still holding the
// lock, when the account is over quota. Whether it sees the account over
// quota depends on whether a concurrent charge got in first, which happens
// when its select postpones the check to the next batch; after such an
// early return the billing run blocks on the lock forever.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,mutex bug=leak split=train
func TestQuotaEarlyReturnKeepsLock(t *testing.T) {
	var mu sync.Mutex
	used := 90
	check := func() bool {
		mu.Lock()
		if used > 100 {
			return false // BUG: returns with mu held
		}
		mu.Unlock()
		return true
	}
	charged := make(chan struct{})
	go func() {
		time.Sleep(time.Millisecond)
		mu.Lock()
		used += 20
		mu.Unlock()
		close(charged)
	}()
	checked := make(chan bool, 1)
	now := make(chan struct{}, 1)
	batched := make(chan struct{}, 1)
	now <- struct{}{}
	batched <- struct{}{}
	go func() {
		select { // check at once, or with the next batch
		case <-now:
		case <-batched:
			time.Sleep(3 * time.Millisecond)
		}
		checked <- check()
	}()
	billed := make(chan struct{})
	go func() {
		<-charged
		<-checked
		mu.Lock() // schedcast:block
		used = 0
		mu.Unlock()
		close(billed)
	}()
	select {
	case <-billed:
	case <-time.After(30 * time.Millisecond):
		t.Logf("billing run stuck behind a lock nobody will release")
	}
}

// A config reader holds the read lock and, on finding the config stale,
// upgrades by calling Lock while still holding RLock. Lock waits for all
// readers, including itself. The config is stale only if the reloader's
// bump got in before the read.
// schedcast: category=leak primitives=chan,close,select,after,rwmutex bug=leak split=test
func TestConfigUpgradeWhileReading(t *testing.T) {
	var mu sync.RWMutex
	version, seen := 1, 1
	bumped := make(chan struct{})
	go func() { // reloader
		churn(12000)
		mu.Lock()
		version++
		mu.Unlock()
		close(bumped)
	}()
	done := make(chan struct{})
	go func() { // reader
		churn(12000)
		mu.RLock()
		if version != seen {
			mu.Lock() // schedcast:block
			seen = version
			mu.Unlock()
		}
		mu.RUnlock()
		close(done)
	}()
	select {
	case <-done:
		<-bumped
	case <-time.After(30 * time.Millisecond):
		t.Logf("reader stuck upgrading its own read lock")
	}
}

// A subject notifies its observer while holding its own lock, and the
// observer's callback takes the registry lock. A registry sweep holds the
// registry lock and reads the subject. The two paths take the locks in
// opposite orders, and block each other when they overlap.
// schedcast: category=leak primitives=mutex,waitgroup,chan,close,select,after bug=leak split=train
func TestObserverCallbackLockOrder(t *testing.T) {
	var subjectMu, registryMu sync.Mutex
	state, observed := 0, 0
	onChange := func(v int) {
		registryMu.Lock() // schedcast:block
		observed = v
		registryMu.Unlock()
	}
	setState := func(v int) {
		subjectMu.Lock()
		state = v
		churn(15000)
		onChange(v)
		subjectMu.Unlock()
	}
	sweep := func() {
		registryMu.Lock()
		churn(15000)
		subjectMu.Lock() // schedcast:block
		_ = state + observed
		subjectMu.Unlock()
		registryMu.Unlock()
	}
	gate := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); <-gate; setState(7) }()
	go func() { defer wg.Done(); <-gate; sweep() }()
	close(gate)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }() // schedcast:block
	select {
	case <-done:
	case <-time.After(30 * time.Millisecond):
		t.Logf("observer and sweep deadlocked")
	}
}

// A mail spooler drains its queue in a loop and uses defer to unlock inside
// the loop body, so the lock is only released when the function returns.
// With one message queued it works; when a second message has arrived by
// the time it drains, the second iteration locks again and blocks forever.
// schedcast: category=leak primitives=chan,bufchan,close,select,select-default,after,mutex bug=leak split=train
func TestSpoolerDeferUnlockInLoop(t *testing.T) {
	var mu sync.Mutex
	queue := make(chan string, 4)
	sent := 0
	drain := func() {
		for {
			select {
			case <-queue:
				mu.Lock()         // schedcast:block
				defer mu.Unlock() // BUG: released only at function exit
				sent++
			default:
				return
			}
		}
	}
	queue <- "welcome"
	go func() {
		churn(15000)
		queue <- "reminder"
	}()
	drained := make(chan struct{})
	go func() {
		churn(15000)
		drain()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(30 * time.Millisecond):
		t.Logf("spooler stuck on its own lock")
	}
}
