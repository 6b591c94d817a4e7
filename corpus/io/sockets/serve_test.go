// Package sockets holds programs in which goroutines other than the test
// goroutine do network I/O over loopback TCP, the way services do: accept
// loops with a goroutine per connection, clients dialling concurrently,
// readers and writers on both ends of one connection, deadlines and
// shutdowns. Every listener is net.Listen("tcp", "127.0.0.1:0"); nothing
// leaves the machine. The framed programs speak the small protocol of
// schedcast.dev/corpus/io/wire.
//
// Each TestXxx is one program of the schedcast corpus; its annotation comment
// is the single source of truth for its labels. Goroutines blocked on a
// socket show up in the trace as network waits, woken by the runtime's
// network poller rather than by another goroutine.
package sockets

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"schedcast.dev/corpus/io/wire"
)

// listen opens a listener on a free loopback port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return ln
}

// An upper-casing line service. The accept loop gives every connection a
// goroutine of its own, which reads lines through a bufio.Scanner and writes
// each back upper-cased through a bufio.Writer. Four clients dial at once,
// each writes its three lines in one go, half-closes its side, and reads the
// answers until the server hangs up; the answers reach the test on a
// buffered channel. Closing the listener ends the accept loop.
// schedcast: category=correct primitives=chan,bufchan,close,range,waitgroup bug=none split=test
func TestUppercaseLinesManyClients(t *testing.T) {
	ln := listen(t)
	addr := ln.Addr().String()
	var handlers sync.WaitGroup
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			handlers.Add(1)
			go func(nc net.Conn) {
				defer handlers.Done()
				defer nc.Close()
				sc := bufio.NewScanner(nc)
				w := bufio.NewWriter(nc)
				for sc.Scan() {
					w.WriteString(strings.ToUpper(sc.Text()))
					w.WriteByte('\n')
					if err := w.Flush(); err != nil {
						return
					}
				}
			}(nc)
		}
	}()

	answers := make(chan string, 12)
	var clients sync.WaitGroup
	for i := 0; i < 4; i++ {
		clients.Add(1)
		go func(i int) {
			defer clients.Done()
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Errorf("client %d: %v", i, err)
				return
			}
			defer nc.Close()
			if _, err := fmt.Fprintf(nc, "client %d alpha\nclient %d beta\nclient %d gamma\n", i, i, i); err != nil {
				t.Errorf("client %d write: %v", i, err)
				return
			}
			nc.(*net.TCPConn).CloseWrite()
			sc := bufio.NewScanner(nc)
			for sc.Scan() {
				answers <- sc.Text()
			}
			if err := sc.Err(); err != nil {
				t.Errorf("client %d read: %v", i, err)
			}
		}(i)
	}
	clients.Wait()
	close(answers)
	ln.Close()
	<-acceptDone
	handlers.Wait()

	n := 0
	for a := range answers {
		if !strings.HasPrefix(a, "CLIENT ") || a != strings.ToUpper(a) {
			t.Errorf("answer %q is not an upper-cased line", a)
		}
		n++
	}
	if n != 12 {
		t.Fatalf("got %d answers, want 12", n)
	}
}

// ledger is a wire.Handler: a request "deposit N" credits N through the
// credit callback and is answered with the balance after it.
type ledger struct {
	credit func(n int) int
}

func (l ledger) Handle(req wire.Message) wire.Message {
	n, err := strconv.Atoi(strings.TrimPrefix(req.Text(), "deposit "))
	if err != nil {
		return req.Answer("error: " + err.Error())
	}
	return req.Answer(strconv.Itoa(l.credit(n)))
}

// sessionHooks are the callbacks a framed server calls around each session.
type sessionHooks struct {
	onOpen  func(remote net.Addr)
	onClose func(served int, err error)
}

// A bank branch serves framed sessions through a wire.Handler (the ledger,
// whose credit callback updates a balance under a mutex) and reports each
// session through func-typed hooks: the close hook sends an audit record to
// an auditor goroutine that ranges over the records until the server has
// drained. Three tellers deposit concurrently, each on its own connection,
// and say Bye when done.
// schedcast: category=correct primitives=chan,close,range,mutex,waitgroup,atomic bug=none split=validation
func TestLedgerHandlerBehindInterface(t *testing.T) {
	ln := listen(t)
	addr := ln.Addr().String()

	var mu sync.Mutex
	balance := 0
	var h wire.Handler = ledger{credit: func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		balance += n
		return balance
	}}
	audit := make(chan int)
	opened := int32(0)
	hooks := sessionHooks{
		onOpen: func(net.Addr) { atomic.AddInt32(&opened, 1) },
		onClose: func(served int, err error) {
			if err != nil {
				t.Errorf("session ended with %v", err)
			}
			audit <- served
		},
	}
	audited := make(chan int)
	go func() {
		total := 0
		for served := range audit {
			total += served
		}
		audited <- total
	}()

	var sessions sync.WaitGroup
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			sessions.Add(1)
			go func(c *wire.Conn) {
				defer sessions.Done()
				defer c.Close()
				hooks.onOpen(c.RemoteAddr())
				served, err := wire.ServeConn(c, h)
				hooks.onClose(served, err)
			}(wire.NewConn(nc))
		}
	}()

	var tellers sync.WaitGroup
	for i := 1; i <= 3; i++ {
		tellers.Add(1)
		go func(i int) {
			defer tellers.Done()
			c, err := wire.Dial(addr)
			if err != nil {
				t.Errorf("teller %d: %v", i, err)
				return
			}
			defer c.Close()
			for j := 1; j <= 4; j++ {
				if _, err := c.Call(uint32(j), fmt.Sprintf("deposit %d", i*j)); err != nil {
					t.Errorf("teller %d deposit %d: %v", i, j, err)
					return
				}
			}
			if err := c.Send(wire.Message{Kind: wire.Bye}); err != nil {
				t.Errorf("teller %d bye: %v", i, err)
			}
		}(i)
	}
	tellers.Wait()
	ln.Close()
	<-acceptDone
	sessions.Wait()
	close(audit)
	if got := <-audited; got != 12 {
		t.Errorf("audited %d deposits, want 12", got)
	}
	if n := atomic.LoadInt32(&opened); n != 3 {
		t.Errorf("%d sessions opened, want 3", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if balance != 60 {
		t.Fatalf("balance %d, want 60", balance)
	}
}

// A session server shuts down on context cancellation. A watcher goroutine
// waits for the context, closes the listener (which unblocks Accept) and
// moves the read deadline of every live session into the past (which
// unblocks their Recv); the sessions deregister under the registry mutex and
// the server waits for them on a WaitGroup. Three clients make one call each
// and then sit idle, reading, until the server hangs up on them.
// schedcast: category=correct primitives=chan,bufchan,close,context,mutex,waitgroup bug=none split=validation
func TestGracefulShutdownDrainsIdleSessions(t *testing.T) {
	ln := listen(t)
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var (
		mu       sync.Mutex
		live     = map[*wire.Conn]bool{}
		closing  bool
		sessions sync.WaitGroup
	)
	watcherDone := make(chan struct{})
	go func() {
		defer close(watcherDone)
		<-ctx.Done()
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		closing = true
		for c := range live {
			c.SetReadDeadline(time.Unix(1, 0))
		}
	}()
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			c := wire.NewConn(nc)
			mu.Lock()
			if closing {
				mu.Unlock()
				c.Close()
				continue
			}
			live[c] = true
			sessions.Add(1)
			mu.Unlock()
			go func() {
				defer sessions.Done()
				defer c.Close()
				for {
					m, err := c.Recv()
					if err != nil {
						if !wire.IsTimeout(err) {
							t.Errorf("session ended with %v before shutdown", err)
						}
						break
					}
					if err := c.Send(m.Answer("welcome " + m.Text())); err != nil {
						t.Errorf("session send: %v", err)
						break
					}
				}
				mu.Lock()
				delete(live, c)
				mu.Unlock()
			}()
		}
	}()

	greeted := make(chan struct{})
	hungUp := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func(i int) {
			c, err := wire.Dial(addr)
			if err != nil {
				hungUp <- err
				greeted <- struct{}{}
				return
			}
			defer c.Close()
			_, err = c.Call(1, fmt.Sprintf("guest-%d", i))
			greeted <- struct{}{}
			if err != nil {
				hungUp <- err
				return
			}
			_, err = c.Recv() // idle until the server hangs up
			if wire.IsClosed(err) {
				err = nil
			} else if err == nil {
				err = fmt.Errorf("guest %d: unexpected message", i)
			}
			hungUp <- err
		}(i)
	}
	for i := 0; i < 3; i++ {
		<-greeted
	}
	cancel()
	for i := 0; i < 3; i++ {
		if err := <-hungUp; err != nil {
			t.Errorf("client: %v", err)
		}
	}
	<-watcherDone
	<-acceptDone
	sessions.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(live) != 0 {
		t.Fatalf("%d sessions still registered", len(live))
	}
}

// A client library keeps a small pool of idle framed connections behind a
// mutex: get takes an idle one or dials, put keeps at most two and closes the
// rest. Five workers make three calls each through the pool, so connections
// are reused by whichever worker comes next; the server counts the
// connections it accepted with an atomic counter.
// schedcast: category=correct primitives=chan,close,mutex,waitgroup,atomic bug=none split=train
func TestConnPoolReusesIdleConns(t *testing.T) {
	ln := listen(t)
	addr := ln.Addr().String()
	var accepted int64
	var sessions sync.WaitGroup
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			atomic.AddInt64(&accepted, 1)
			sessions.Add(1)
			go func(c *wire.Conn) {
				defer sessions.Done()
				defer c.Close()
				_, err := wire.ServeConn(c, wire.HandlerFunc(func(req wire.Message) wire.Message {
					return req.Answer("done " + req.Text())
				}))
				if err != nil && !wire.IsClosed(err) {
					t.Errorf("session: %v", err)
				}
			}(wire.NewConn(nc))
		}
	}()

	var mu sync.Mutex
	var idle []*wire.Conn
	get := func() (*wire.Conn, error) {
		mu.Lock()
		if n := len(idle); n > 0 {
			c := idle[n-1]
			idle = idle[:n-1]
			mu.Unlock()
			return c, nil
		}
		mu.Unlock()
		return wire.Dial(addr)
	}
	put := func(c *wire.Conn) {
		mu.Lock()
		if len(idle) < 2 {
			idle = append(idle, c)
			mu.Unlock()
			return
		}
		mu.Unlock()
		c.Close()
	}

	var workers sync.WaitGroup
	for w := 1; w <= 5; w++ {
		workers.Add(1)
		go func(w int) {
			defer workers.Done()
			for j := 1; j <= 3; j++ {
				c, err := get()
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				body := fmt.Sprintf("job %d.%d", w, j)
				r, err := c.Call(uint32(w*10+j), body)
				if err != nil {
					c.Close()
					t.Errorf("worker %d: %v", w, err)
					return
				}
				if r.Text() != "done "+body {
					t.Errorf("worker %d: got %q", w, r.Text())
				}
				put(c)
			}
		}(w)
	}
	workers.Wait()
	mu.Lock()
	for _, c := range idle {
		c.Close()
	}
	idle = nil
	mu.Unlock()
	ln.Close()
	<-acceptDone
	sessions.Wait()
	if n := atomic.LoadInt64(&accepted); n < 1 || n > 15 {
		t.Fatalf("%d connections for 15 calls", n)
	}
}
