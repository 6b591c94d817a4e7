package mempipe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ErrClosed is returned by calls on a Client whose connection is closed,
// by either side, before their answer arrived.
var ErrClosed = errors.New("mempipe: connection closed")

// ErrPeerSilent is returned by KeepAlive when too many pings in a row went
// unanswered.
var ErrPeerSilent = errors.New("mempipe: peer stopped answering pings")

// Client makes calls over a connection and matches the answers to their
// callers by ID. Any number of goroutines may call at once: each registers
// a one-slot answer channel in the pending map, writes its frame while
// holding the write lock, and waits. The client's reader goroutine reads
// every incoming frame and hands it to the channel registered under its ID;
// an answer whose caller has already given up is dropped.
type Client struct {
	rwc io.ReadWriteCloser
	wmu sync.Mutex // held for the whole of each frame write

	mu      sync.Mutex // guards the fields below
	next    uint32
	pending map[uint32]chan Frame
	stray   int   // answers that arrived after their caller gave up
	closing bool  // Close was called
	err     error // why the reader stopped, once it has

	done chan struct{} // closed when the reader goroutine returns
}

// NewClient starts the reader goroutine on rwc. Close stops it.
func NewClient(rwc io.ReadWriteCloser) *Client {
	c := &Client{rwc: rwc, pending: map[uint32]chan Frame{}, done: make(chan struct{})}
	go c.readLoop()
	return c
}

func (c *Client) readLoop() {
	defer close(c.done)
	br := bufio.NewReader(c.rwc)
	for {
		f, err := ReadFrame(br)
		if err != nil {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
			return
		}
		c.mu.Lock()
		ch, ok := c.pending[f.ID]
		if ok {
			delete(c.pending, f.ID)
		} else {
			c.stray++
		}
		c.mu.Unlock()
		if ok {
			ch <- f // the only send on a one-slot channel: never blocks
		}
	}
}

// roundTrip sends a frame of the given kind and waits for the frame that
// answers it, for ctx to end or for the connection to go.
func (c *Client) roundTrip(ctx context.Context, kind Kind, body []byte) (Frame, error) {
	ch := make(chan Frame, 1)
	c.mu.Lock()
	if c.closing || c.err != nil {
		c.mu.Unlock()
		return Frame{}, ErrClosed
	}
	c.next++
	id := c.next
	c.pending[id] = ch
	c.mu.Unlock()

	c.wmu.Lock()
	err := WriteFrame(c.rwc, Frame{Kind: kind, ID: id, Body: body})
	c.wmu.Unlock()
	if err != nil {
		c.forget(id)
		c.mu.Lock()
		if c.closing || c.err != nil {
			err = ErrClosed
		}
		c.mu.Unlock()
		return Frame{}, err
	}
	select {
	case f := <-ch:
		return f, nil
	case <-ctx.Done():
		c.forget(id)
		return Frame{}, ctx.Err()
	case <-c.done:
		select {
		case f := <-ch: // answered just before the connection went
			return f, nil
		default:
		}
		c.forget(id)
		return Frame{}, ErrClosed
	}
}

func (c *Client) forget(id uint32) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// Call sends body as a request and returns the body of its reply. Writing
// the request waits for the peer to read it; after that, Call gives up when
// ctx ends.
func (c *Client) Call(ctx context.Context, body []byte) ([]byte, error) {
	f, err := c.roundTrip(ctx, Request, body)
	if err != nil {
		return nil, err
	}
	if f.Kind != Reply {
		return nil, fmt.Errorf("mempipe: request %d answered by a %s frame", f.ID, f.Kind)
	}
	return f.Body, nil
}

// Ping sends a ping and waits for its pong.
func (c *Client) Ping(ctx context.Context) error {
	f, err := c.roundTrip(ctx, Ping, nil)
	if err == nil && f.Kind != Pong {
		err = fmt.Errorf("mempipe: ping %d answered by a %s frame", f.ID, f.Kind)
	}
	return err
}

// KeepAlive pings the peer on every tick of an interval ticker, giving each
// ping one interval to be answered, until ctx ends. It returns the number
// of pongs and nil when ctx ends, ErrPeerSilent after misses unanswered
// pings in a row, or ErrClosed if the connection goes.
func (c *Client) KeepAlive(ctx context.Context, interval time.Duration, misses int) (int, error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	pongs, missed := 0, 0
	for {
		select {
		case <-ctx.Done():
			return pongs, nil
		case <-c.done:
			return pongs, ErrClosed
		case <-tick.C:
		}
		pctx, cancel := context.WithTimeout(ctx, interval)
		err := c.Ping(pctx)
		cancel()
		switch {
		case err == nil:
			pongs++
			missed = 0
		case ctx.Err() != nil:
			return pongs, nil
		case errors.Is(err, context.DeadlineExceeded):
			missed++
			if missed >= misses {
				return pongs, ErrPeerSilent
			}
		default:
			return pongs, err
		}
	}
}

// Done is closed once the client's reader goroutine has stopped.
func (c *Client) Done() <-chan struct{} { return c.done }

// Close closes the connection, which wakes the reader goroutine parked in
// its Read, and waits for the reader to stop. Calls still waiting for an
// answer return ErrClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	err := c.rwc.Close()
	<-c.done
	return err
}
