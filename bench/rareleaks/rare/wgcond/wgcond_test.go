package wgcond

import (
	"sync"
	"sync/atomic"
	"testing"
)

// lazyValue is computed once by a loader; callers that arrive before it is
// ready register a channel and wait.
type lazyValue struct {
	mu      sync.Mutex
	done    bool
	val     int
	waiters []chan int
}

func (l *lazyValue) get() int {
	l.mu.Lock()
	if l.done {
		v := l.val
		l.mu.Unlock()
		return v
	}
	ch := make(chan int, 1)
	l.waiters = append(l.waiters, ch)
	l.mu.Unlock()
	return <-ch
}

// loadSplit hands the value to the registered waiters and only then, in a
// second critical section, publishes done: a caller that registers in
// between is never answered.
func (l *lazyValue) loadSplit() {
	v := int(digest(8<<10, 3)[0])
	l.mu.Lock()
	ws := l.waiters
	l.waiters = nil
	l.mu.Unlock()
	for _, ch := range ws {
		ch <- v
	}
	l.mu.Lock()
	l.done, l.val = true, v
	l.mu.Unlock()
}

// loadAtomic is the fixed loader: done and the snapshot in one critical
// section.
func (l *lazyValue) loadAtomic() {
	v := int(digest(8<<10, 3)[0])
	l.mu.Lock()
	ws := l.waiters
	l.waiters = nil
	l.done, l.val = true, v
	l.mu.Unlock()
	for _, ch := range ws {
		ch <- v
	}
}

// A lazily loaded value answers early callers through channels they
// register. The loader snapshots and answers the registered callers, then
// sets done in a second critical section; a caller that registers in the
// short gap between the two is never answered.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,mutex,waitgroup bug=leak split=test
func TestLoaderSnapshotMissesLateWaiter(t *testing.T) {
	load := (*lazyValue).loadSplit
	l := &lazyValue{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); load(l) }()
	for i, size := range []int{2 << 10, 6 << 10, 10 << 10, 14 << 10, 20 << 10} {
		wg.Add(1)
		go func(i, size int) {
			defer wg.Done()
			_ = digest(size, byte(i)) // decode the request
			_ = l.get()               // schedcast:block
		}(i, size)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }() // schedcast:block
	settle(t, done, "loader and callers")
}

// The fixed loader publishes done with the snapshot.
// schedcast: category=correct primitives=chan,bufchan,close,select,after,mutex,waitgroup bug=none split=test
func TestLoaderPublishesWithSnapshot(t *testing.T) {
	load := (*lazyValue).loadAtomic
	l := &lazyValue{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); load(l) }()
	for i, size := range []int{2 << 10, 6 << 10, 10 << 10, 14 << 10, 20 << 10} {
		wg.Add(1)
		go func(i, size int) {
			defer wg.Done()
			_ = digest(size, byte(i)) // decode the request
			_ = l.get()
		}(i, size)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	settle(t, done, "loader and callers")
}

// batcher hands items from a producer to a consumer.
type batcher struct {
	mu      sync.Mutex
	cond    *sync.Cond
	items   []int
	pending int32
}

func (b *batcher) put(v int) {
	b.mu.Lock()
	b.items = append(b.items, v)
	atomic.AddInt32(&b.pending, 1)
	b.mu.Unlock()
	b.cond.Signal()
}

// takeFastPath checks the pending count without the lock and only then
// waits: a Signal between the check and the Wait is lost.
func (b *batcher) takeFastPath() []int {
	if atomic.LoadInt32(&b.pending) == 0 {
		b.mu.Lock()
		b.cond.Wait()
		b.mu.Unlock()
	}
	b.mu.Lock()
	got := b.items
	b.items = nil
	atomic.AddInt32(&b.pending, -int32(len(got)))
	b.mu.Unlock()
	return got
}

// takeLocked is the fixed version: the predicate is checked under the lock,
// in a loop.
func (b *batcher) takeLocked() []int {
	b.mu.Lock()
	for len(b.items) == 0 {
		b.cond.Wait()
	}
	got := b.items
	b.items = nil
	atomic.AddInt32(&b.pending, -int32(len(got)))
	b.mu.Unlock()
	return got
}

// A log batcher's flusher checks an atomic pending count as a fast path
// and waits on the condition variable only when it reads zero, without
// re-checking under the lock. When the producer's last Signal falls between
// the check and the Wait, the flusher sleeps forever.
// schedcast: category=leak primitives=chan,close,select,after,mutex,cond,atomic bug=leak split=train
func TestBatcherFastPathLostSignal(t *testing.T) {
	take := (*batcher).takeFastPath
	const n = 40
	b := &batcher{}
	b.cond = sync.NewCond(&b.mu)
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		for got := 0; got < n; {
			batch := take(b) // schedcast:block
			for _, v := range batch {
				_ = digest(64, byte(v)) // write the record out
			}
			got += len(batch)
		}
	}()
	for i := 0; i < n; i++ {
		_ = digest(384, byte(i))
		b.put(i)
	}
	settle(t, flushed, "flusher")
}

// The fixed flusher checks under the lock in a loop.
// schedcast: category=correct primitives=chan,close,select,after,mutex,cond,atomic bug=none split=train
func TestBatcherChecksUnderLock(t *testing.T) {
	take := (*batcher).takeLocked
	const n = 40
	b := &batcher{}
	b.cond = sync.NewCond(&b.mu)
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		for got := 0; got < n; {
			batch := take(b)
			for _, v := range batch {
				_ = digest(64, byte(v)) // write the record out
			}
			got += len(batch)
		}
	}()
	for i := 0; i < n; i++ {
		_ = digest(384, byte(i))
		b.put(i)
	}
	settle(t, flushed, "flusher")
}

// refresher refreshes cache shards in parallel; a shard already being
// refreshed by someone else is skipped.
type refresher struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	shards map[int][32]byte
}

// refreshSkipEarly returns before deferring Done when the lock is busy: the
// wait group then never drains.
func (r *refresher) refreshSkipEarly(shard, size int) {
	sum := digest(size, byte(shard)) // fetch and checksum the shard
	if !r.mu.TryLock() {
		return // someone else is writing: skip this round
	}
	defer r.wg.Done()
	r.shards[shard] = sum
	r.mu.Unlock()
}

// refreshSkipDone is the fixed version: Done is deferred first.
func (r *refresher) refreshSkipDone(shard, size int) {
	defer r.wg.Done()
	sum := digest(size, byte(shard))
	if !r.mu.TryLock() {
		return
	}
	r.shards[shard] = sum
	r.mu.Unlock()
}

// Shard refreshers skip a shard when another refresher holds the cache
// lock, but they return before deferring wg.Done. The lock is held only for
// a map write, so a refresher finds it busy only when two of them finish
// their checksums at nearly the same moment; then the refresh never
// completes and its waiter blocks forever.
// schedcast: category=leak primitives=chan,close,select,after,mutex,waitgroup bug=leak split=validation
func TestRefreshSkipReturnsBeforeDone(t *testing.T) {
	refresh := (*refresher).refreshSkipEarly
	r := &refresher{shards: map[int][32]byte{}}
	for i, size := range []int{3 << 10, 7 << 10, 11 << 10, 15 << 10} {
		r.wg.Add(1)
		go refresh(r, i, size)
	}
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }() // schedcast:block
	settle(t, done, "shard refresh")
}

// The fixed refreshers defer Done first.
// schedcast: category=correct primitives=chan,close,select,after,mutex,waitgroup bug=none split=train
func TestRefreshSkipDefersDoneFirst(t *testing.T) {
	refresh := (*refresher).refreshSkipDone
	r := &refresher{shards: map[int][32]byte{}}
	for i, size := range []int{3 << 10, 7 << 10, 11 << 10, 15 << 10} {
		r.wg.Add(1)
		go refresh(r, i, size)
	}
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	settle(t, done, "shard refresh")
}
