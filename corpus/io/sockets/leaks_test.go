package sockets

import (
	"context"
	"sync"
	"testing"
	"time"

	"schedcast.dev/corpus/io/wire"
)

// A price client multiplexes calls over one connection: its dispatcher
// goroutine reads each reply and hands it to the unbuffered channel the
// caller registered under the request id. The caller arms a short timeout,
// sends, and formats its request log for a millisecond before it waits, so
// usually both the reply (its dispatcher already blocked on the hand-off) and
// the timeout are ready and select picks one at random. On the timeout path
// the caller drops its pending entry and closes the connection, but the
// dispatcher already took the channel out of the map and stays blocked
// sending a reply nobody will take.
// schedcast: category=leak primitives=chan,close,select,after,mutex bug=leak split=train
func TestQuoteDispatcherStrandedAfterTimeout(t *testing.T) {
	ln := listen(t)
	defer ln.Close()
	serverDone := make(chan struct{})
	go func() { // the quote server answers one connection until it ends
		defer close(serverDone)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		c := wire.NewConn(nc)
		defer c.Close()
		wire.ServeConn(c, wire.HandlerFunc(func(req wire.Message) wire.Message {
			return req.Answer("EURUSD 1.0842")
		}))
	}()

	c, err := wire.Dial(ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	var mu sync.Mutex
	pending := map[uint32]chan wire.Message{}
	go func() { // dispatcher
		for {
			m, err := c.Recv()
			if err != nil {
				return
			}
			mu.Lock()
			ch := pending[m.ID]
			delete(pending, m.ID)
			mu.Unlock()
			if ch != nil {
				ch <- m // schedcast:block
			}
		}
	}()

	reply := make(chan wire.Message)
	mu.Lock()
	pending[7] = reply
	mu.Unlock()
	timeout := time.After(200 * time.Microsecond)
	if err := c.Send(wire.NewRequest(7, "quote EURUSD")); err != nil {
		t.Fatalf("send: %v", err)
	}
	time.Sleep(time.Millisecond) // format the request log
	select {
	case r := <-reply:
		t.Logf("quote: %s", r.Text())
	case <-timeout:
		mu.Lock()
		delete(pending, 7)
		mu.Unlock()
		t.Logf("quote timed out")
	}
	c.Close()
	<-serverDone
}

// A batch uploader borrows a connection from a small pool whose idle
// connections sit in a buffered channel; the pool's janitor goroutine closes
// them once the pool is closed. The test waits for the upload's result or its
// deadline, checksumming the next batch for a millisecond first, so both are
// usually ready and select picks one at random. The deadline path returns
// before the pool.close the success path reaches (there is no defer): the
// janitor waits forever for a close that never comes, holding the idle
// connection open, and the server's session goroutine stays blocked reading
// from a client that will neither send nor hang up.
// schedcast: category=leak primitives=chan,bufchan,close,select,select-default,after bug=leak split=train
func TestUploadPoolLeftOpenOnDeadline(t *testing.T) {
	ln := listen(t)
	defer ln.Close()
	go func() { // upload server: a session goroutine per connection
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c *wire.Conn) {
				defer c.Close()
				for {
					m, err := c.Recv() // schedcast:block
					if err != nil {
						return
					}
					if err := c.Send(m.Answer("stored " + m.Text())); err != nil {
						return
					}
				}
			}(wire.NewConn(nc))
		}
	}()
	addr := ln.Addr().String()

	idle := make(chan *wire.Conn, 2)
	closed := make(chan struct{})
	go func() { // the pool's janitor
		<-closed // schedcast:block
		for {
			select {
			case c := <-idle:
				c.Close()
			default:
				return
			}
		}
	}()
	get := func() (*wire.Conn, error) {
		select {
		case c := <-idle:
			return c, nil
		default:
			return wire.Dial(addr)
		}
	}
	put := func(c *wire.Conn) {
		select {
		case idle <- c:
		default:
			c.Close()
		}
	}

	done := make(chan error, 1)
	go func() { // uploader
		c, err := get()
		if err != nil {
			done <- err
			return
		}
		_, err = c.Call(1, "chunk-0001")
		put(c)
		done <- err
	}()
	deadline := time.After(200 * time.Microsecond)
	time.Sleep(time.Millisecond) // checksum the next batch
	select {
	case err := <-done:
		if err != nil {
			t.Logf("upload failed: %v", err)
		}
	case <-deadline:
		t.Logf("upload deadline passed; giving up on the batch")
		return
	}
	close(closed) // pool.close
}

// A push server gives each session a writer goroutine that drains an
// unbuffered outbox onto the socket, pacing itself a millisecond after every
// message, and quits when the server's context is cancelled. The session's
// reader answers requests through the outbox and, on the client's Bye,
// queues a goodbye. The client sends a request and Bye together, and on the
// first reply the test shuts the server down while the writer is still
// pacing: when it looks again both the goodbye and the cancellation are
// ready. If select takes the cancellation, the reader stays blocked handing
// over its goodbye and never closes the session's connection.
// schedcast: category=leak primitives=chan,close,select,context bug=leak split=train
func TestPushWriterQuitsBeforeGoodbye(t *testing.T) {
	ln := listen(t)
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // push server: accepts one session
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		c := wire.NewConn(nc)
		outbox := make(chan wire.Message)
		writerDone := make(chan struct{})
		go func() {
			defer close(writerDone)
			for {
				select {
				case m := <-outbox:
					c.Send(m)
					time.Sleep(time.Millisecond) // pace the push stream
				case <-ctx.Done():
					return
				}
			}
		}()
		for {
			m, err := c.Recv()
			if err != nil {
				break
			}
			if m.Kind == wire.Bye {
				outbox <- wire.Message{Kind: wire.Bye, Body: []byte("goodbye")} // schedcast:block
				break
			}
			outbox <- m.Answer("subscribed to " + m.Text())
		}
		<-writerDone
		c.Close()
	}()

	c, err := wire.Dial(ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if err := c.Send(wire.NewRequest(1, "orders")); err != nil {
		t.Fatalf("send: %v", err)
	}
	if err := c.Send(wire.Message{Kind: wire.Bye}); err != nil {
		t.Fatalf("bye: %v", err)
	}
	r, err := c.Recv()
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	t.Logf("server: %s", r.Text())
	cancel() // shut the push server down
	c.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
	if m, err := c.Recv(); err != nil {
		t.Logf("no goodbye: %v", err)
	} else {
		t.Logf("server: %s", m.Text())
	}
}
