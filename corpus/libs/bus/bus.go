// Package bus is a tiny topic-based publish/subscribe hub for the libs
// programs. Subscribe returns a buffered channel; Publish hands a message to
// every subscriber of its topic, waiting while a subscriber's buffer is full,
// so a slow subscriber slows its publishers (no message is dropped). Close
// closes every subscriber channel; Unsubscribe closes one.
package bus

import (
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("bus: closed")

// Message is what subscribers receive.
type Message struct {
	Topic string
	Seq   int
	Body  string
}

// Bus is safe for use by any number of goroutines.
type Bus struct {
	mu     sync.RWMutex // read-held while publishing, write-held to change subscriptions
	subs   map[string][]chan Message
	closed bool
	seqMu  sync.Mutex
	seq    int
}

// New returns an empty bus.
func New() *Bus { return &Bus{subs: map[string][]chan Message{}} }

// Subscribe returns a channel that receives every message published on topic
// from now on, with room for buf undelivered messages. After Close it returns
// a closed channel.
func (b *Bus) Subscribe(topic string, buf int) <-chan Message {
	ch := make(chan Message, buf)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch
	}
	b.subs[topic] = append(b.subs[topic], ch)
	return ch
}

// Unsubscribe removes and closes the subscription. It waits for publishes in
// progress, so the subscriber must not stop reading before it returns.
func (b *Bus) Unsubscribe(topic string, sub <-chan Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	list := b.subs[topic]
	for i, ch := range list {
		if ch == sub {
			b.subs[topic] = append(list[:i], list[i+1:]...)
			close(ch)
			return
		}
	}
}

// Publish delivers body to every current subscriber of topic and returns
// how many received it.
func (b *Bus) Publish(topic, body string) (int, error) {
	b.seqMu.Lock()
	b.seq++
	m := Message{Topic: topic, Seq: b.seq, Body: body}
	b.seqMu.Unlock()

	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return 0, ErrClosed
	}
	for _, ch := range b.subs[topic] {
		ch <- m
	}
	return len(b.subs[topic]), nil
}

// Close closes every subscription; later Publish calls fail.
func (b *Bus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for _, list := range b.subs {
		for _, ch := range list {
			close(ch)
		}
	}
	b.subs = nil
}

// Collect receives from sub until it has n messages or sub is closed.
func Collect(sub <-chan Message, n int) []Message {
	var got []Message
	for len(got) < n {
		m, ok := <-sub
		if !ok {
			break
		}
		got = append(got, m)
	}
	return got
}

// Drain receives from sub until it is closed and returns the bodies in
// arrival order.
func Drain(sub <-chan Message) []string {
	var bodies []string
	for m := range sub {
		bodies = append(bodies, m.Body)
	}
	return bodies
}

// Await receives from sub until a message satisfies match, sub is closed or
// d has passed.
func Await(sub <-chan Message, match func(Message) bool, d time.Duration) (Message, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case m, ok := <-sub:
			if !ok {
				return Message{}, false
			}
			if match(m) {
				return m, true
			}
		case <-t.C:
			return Message{}, false
		}
	}
}
