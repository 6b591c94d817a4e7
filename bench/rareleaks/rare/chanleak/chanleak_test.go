package chanleak

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// feed is an in-process event feed: publish checks, under the lock, that the
// consumer has not unsubscribed, and then sends outside the lock.
type feed struct {
	mu     sync.Mutex
	closed bool
	ch     chan int
	quit   chan struct{}
}

// publishChecked is the buggy publish: between the check and the send the
// consumer may set closed, drain what is pending and leave.
func (f *feed) publishChecked(v int) bool {
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if closed {
		return false
	}
	f.ch <- v
	return true
}

// publishSelect is the fixed publish: the send gives up once quit is closed.
func (f *feed) publishSelect(v int) bool {
	select {
	case f.ch <- v:
		return true
	case <-f.quit:
		return false
	}
}

// consume sums the feed until quit, then marks the feed closed and drains
// the senders already waiting.
func (f *feed) consume(sum *int, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case v := <-f.ch:
			*sum += v
		case <-f.quit:
			f.mu.Lock()
			f.closed = true
			f.mu.Unlock()
			for {
				select {
				case v := <-f.ch:
					*sum += v
				default:
					return
				}
			}
		}
	}
}

// A metrics feed publishes records to one consumer. Publishing checks a
// closed flag under the lock and then sends outside it; the consumer, when
// unsubscribed, sets the flag and drains the senders already waiting. A
// publisher that passed the check just before the flag was set, and reaches
// its send just after the drain, blocks forever.
// schedcast: category=leak primitives=chan,close,select,select-default,mutex bug=leak split=train
func TestFeedPublishAfterUnsubscribe(t *testing.T) {
	publish := (*feed).publishChecked
	f := &feed{ch: make(chan int), quit: make(chan struct{})}
	sum := 0
	consumed := make(chan struct{})
	go f.consume(&sum, consumed)
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := 0; i < 200; i++ {
			rec := digest(256, byte(i))
			if !publish(f, int(rec[0])) { // schedcast:block
				return
			}
		}
	}()
	_ = digest(24<<10, 7) // the test's own work before it unsubscribes
	close(f.quit)
	<-consumed
	settle(t, published, "publisher")
}

// The fixed feed: publishing selects on the send and on quit.
// schedcast: category=correct primitives=chan,close,select,select-default,mutex bug=none split=test
func TestFeedPublishSelectsOnQuit(t *testing.T) {
	publish := (*feed).publishSelect
	f := &feed{ch: make(chan int), quit: make(chan struct{})}
	sum := 0
	consumed := make(chan struct{})
	go f.consume(&sum, consumed)
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := 0; i < 200; i++ {
			rec := digest(256, byte(i))
			if !publish(f, int(rec[0])) {
				return
			}
		}
	}()
	_ = digest(24<<10, 7) // the test's own work before it unsubscribes
	close(f.quit)
	<-consumed
	settle(t, published, "publisher")
}

// watch tracks a configuration version; set notifies a watcher without
// blocking.
type watch struct {
	mu      sync.Mutex
	version int
	changed chan struct{}
}

func (w *watch) set(v int) {
	w.mu.Lock()
	w.version = v
	w.mu.Unlock()
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// A config watcher re-reads the version, then waits for a change
// notification. The notification is a non-blocking send on an unbuffered
// channel, so it is dropped whenever the watcher is not parked in its
// receive; when the last update's notification is dropped while the
// watcher is between its read and its receive, it waits forever.
// schedcast: category=leak primitives=chan,close,select-default,mutex bug=leak split=test
func TestWatcherNotifyDroppedBeforeWait(t *testing.T) {
	changed := make(chan struct{})
	const last = 60
	w := &watch{changed: changed}
	seen := make(chan struct{})
	go func() {
		defer close(seen)
		for {
			w.mu.Lock()
			v := w.version
			w.mu.Unlock()
			if v >= last {
				return
			}
			_ = digest(128, byte(v)) // reload the derived settings
			<-w.changed              // schedcast:block
		}
	}()
	for v := 1; v <= last; v++ {
		_ = digest(512, byte(v))
		w.set(v)
	}
	settle(t, seen, "watcher")
}

// The fixed watcher: a notification channel of capacity 1 keeps one pending
// change.
// schedcast: category=correct primitives=chan,bufchan,close,select-default,mutex bug=none split=train
func TestWatcherNotifyBuffered(t *testing.T) {
	changed := make(chan struct{}, 1)
	const last = 60
	w := &watch{changed: changed}
	seen := make(chan struct{})
	go func() {
		defer close(seen)
		for {
			w.mu.Lock()
			v := w.version
			w.mu.Unlock()
			if v >= last {
				return
			}
			_ = digest(128, byte(v)) // reload the derived settings
			<-w.changed
		}
	}()
	for v := 1; v <= last; v++ {
		_ = digest(512, byte(v))
		w.set(v)
	}
	settle(t, seen, "watcher")
}

// A quote service prices each request in a goroutine and answers on an
// unbuffered channel; the caller gives up after a 3 ms deadline. Pricing
// takes tens of microseconds, so the deadline only fires when the pricer is
// held up; then the pricer's answer has no receiver and it blocks forever.
// schedcast: category=leak primitives=chan,close,select,context bug=leak split=validation
func TestQuoteReplyAfterDeadline(t *testing.T) {
	var priced int64
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Millisecond)
		reply := make(chan [32]byte)
		go func(salt byte) {
			reply <- digest(32<<10, salt) // schedcast:block
		}(byte(i))
		select {
		case q := <-reply:
			priced += int64(q[0])
		case <-ctx.Done():
			t.Logf("quote %d timed out", i)
		}
		cancel()
	}
	_ = priced
}

// conn is a pooled connection with its read loop.
type conn struct {
	inbox chan []byte
}

// pool keeps one shared connection, dialled on first use.
type pool struct {
	mu      sync.Mutex
	cur     atomic.Value // *conn
	readers sync.WaitGroup
	got     int64
	// serve starts the connection's read loop.
	serve func(*conn)
}

func (p *pool) dial() *conn {
	c := &conn{inbox: make(chan []byte, 4)}
	_ = digest(512, 1) // handshake
	p.serve(c)
	return c
}

// getUnchecked dials without re-checking under the lock: a caller that
// passed the fast path while another was dialling dials again and replaces
// the first connection, whose read loop nobody will close.
func (p *pool) getUnchecked() *conn {
	if c, ok := p.cur.Load().(*conn); ok {
		return c
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.dial()
	p.cur.Store(c)
	return c
}

// getChecked is the fixed double-checked dial.
func (p *pool) getChecked() *conn {
	if c, ok := p.cur.Load().(*conn); ok {
		return c
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.cur.Load().(*conn); ok {
		return c
	}
	c := p.dial()
	p.cur.Store(c)
	return c
}

// Three request handlers share a lazily dialled connection. The dial path
// takes the lock but does not re-check: when a second handler reaches the
// fast path while the first is still dialling, it dials a second
// connection; shutdown closes only the current one, and the first one's
// read loop waits forever.
// schedcast: category=leak primitives=chan,bufchan,close,range,select,after,mutex,waitgroup,atomic bug=leak split=train
func TestPoolDialTwiceOrphansReader(t *testing.T) {
	get := (*pool).getUnchecked
	p := &pool{}
	p.serve = func(c *conn) {
		p.readers.Add(1)
		go func() {
			defer p.readers.Done()
			for m := range c.inbox { // schedcast:block
				atomic.AddInt64(&p.got, int64(len(m)))
			}
		}()
	}
	var handlers sync.WaitGroup
	for i, size := range []int{1 << 10, 24 << 10, 48 << 10} {
		handlers.Add(1)
		go func(i, size int) {
			defer handlers.Done()
			req := digest(size, byte(i)) // parse the request
			get(p).inbox <- req[:]
		}(i, size)
	}
	handlers.Wait()
	if c, ok := p.cur.Load().(*conn); ok {
		close(c.inbox)
	}
	done := make(chan struct{})
	go func() { p.readers.Wait(); close(done) }() // schedcast:block
	settle(t, done, "connection readers")
}

// The fixed pool re-checks under the lock.
// schedcast: category=correct primitives=chan,bufchan,close,range,select,after,mutex,waitgroup,atomic bug=none split=train
func TestPoolDialChecksUnderLock(t *testing.T) {
	get := (*pool).getChecked
	p := &pool{}
	p.serve = func(c *conn) {
		p.readers.Add(1)
		go func() {
			defer p.readers.Done()
			for m := range c.inbox {
				atomic.AddInt64(&p.got, int64(len(m)))
			}
		}()
	}
	var handlers sync.WaitGroup
	for i, size := range []int{1 << 10, 24 << 10, 48 << 10} {
		handlers.Add(1)
		go func(i, size int) {
			defer handlers.Done()
			req := digest(size, byte(i)) // parse the request
			get(p).inbox <- req[:]
		}(i, size)
	}
	handlers.Wait()
	if c, ok := p.cur.Load().(*conn); ok {
		close(c.inbox)
	}
	done := make(chan struct{})
	go func() { p.readers.Wait(); close(done) }()
	settle(t, done, "connection readers")
}
