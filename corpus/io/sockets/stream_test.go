package sockets

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"schedcast.dev/corpus/io/wire"
)

// Both ends of one connection run full duplex. On the server, the
// connection's reader goroutine turns every request into two answers (an
// acknowledgement and a result) queued on a buffered outbox that a writer
// goroutine drains onto the socket. On the client, a writer goroutine sends
// five requests without waiting and then half-closes, while a reader
// goroutine collects the ten answers. The server's end of stream closes the
// outbox; the writer drains it, half-closes in turn, and the client reader
// sees the end.
// schedcast: category=correct primitives=chan,bufchan,close,range,waitgroup bug=none split=test
func TestDuplexReaderWriterPairs(t *testing.T) {
	ln := listen(t)
	defer ln.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // server session: this goroutine reads, a second one writes
		defer wg.Done()
		nc, err := ln.Accept()
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		c := wire.NewConn(nc)
		defer c.Close()
		outbox := make(chan wire.Message, 4)
		writerDone := make(chan struct{})
		go func() {
			defer close(writerDone)
			for m := range outbox {
				if err := c.Send(m); err != nil {
					t.Errorf("server send: %v", err)
				}
			}
			c.CloseWrite()
		}()
		for {
			m, err := c.Recv()
			if err != nil {
				if !wire.IsClosed(err) {
					t.Errorf("server recv: %v", err)
				}
				break
			}
			outbox <- m.Answer("ack")
			outbox <- m.Answer(strings.Repeat("*", int(m.ID)))
		}
		close(outbox)
		<-writerDone
	}()

	c, err := wire.Dial(ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	wg.Add(2)
	go func() { // client writer
		defer wg.Done()
		for id := uint32(1); id <= 5; id++ {
			if err := c.Send(wire.NewRequest(id, "size?")); err != nil {
				t.Errorf("client send: %v", err)
				break
			}
		}
		c.CloseWrite()
	}()
	acks := make(chan uint32, 10)
	results := make(chan string, 10)
	go func() { // client reader
		defer wg.Done()
		for {
			m, err := c.Recv()
			if err != nil {
				if !wire.IsClosed(err) {
					t.Errorf("client recv: %v", err)
				}
				return
			}
			if m.Text() == "ack" {
				acks <- m.ID
			} else {
				results <- m.Text()
			}
		}
	}()
	wg.Wait()
	close(acks)
	close(results)
	sum := uint32(0)
	for id := range acks {
		sum += id
	}
	stars := 0
	for r := range results {
		stars += len(r)
	}
	if sum != 15 || stars != 15 {
		t.Fatalf("acks sum to %d and results hold %d stars; want 15 and 15", sum, stars)
	}
}

// A client multiplexes concurrent calls over one connection. Each caller
// registers a reply channel under its request id in a mutex-guarded map of
// pending calls and sends through the shared wire.Conn (whose writer mutex
// keeps frames whole); one dispatcher goroutine reads every reply and hands
// it to the channel registered for its id. The server answers each request
// in a goroutine of its own, so replies come back out of order. A caller also
// watches the dispatcher's done channel, in case the connection dies.
// schedcast: category=correct primitives=chan,bufchan,close,select,mutex,waitgroup bug=none split=train
func TestMultiplexedCallsPendingMap(t *testing.T) {
	ln := listen(t)
	defer ln.Close()
	serverDone := make(chan struct{})
	go func() {
		defer close(serverDone)
		nc, err := ln.Accept()
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		c := wire.NewConn(nc)
		defer c.Close()
		var inflight sync.WaitGroup
		for {
			m, err := c.Recv()
			if err != nil {
				break
			}
			inflight.Add(1)
			go func(m wire.Message) {
				defer inflight.Done()
				if m.ID%2 == 0 {
					time.Sleep(100 * time.Microsecond) // a slower lookup
				}
				if err := c.Send(m.Answer(strings.ToUpper(m.Text()))); err != nil {
					t.Errorf("server send #%d: %v", m.ID, err)
				}
			}(m)
		}
		inflight.Wait()
	}()

	c, err := wire.Dial(ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	var mu sync.Mutex
	pending := map[uint32]chan wire.Message{}
	dispatcherDone := make(chan struct{})
	go func() {
		defer close(dispatcherDone)
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
				ch <- m
			}
		}
	}()

	var callers sync.WaitGroup
	for i := 1; i <= 4; i++ {
		callers.Add(1)
		go func(i int) {
			defer callers.Done()
			for j := 1; j <= 3; j++ {
				id := uint32(i*10 + j)
				ch := make(chan wire.Message, 1)
				mu.Lock()
				pending[id] = ch
				mu.Unlock()
				body := fmt.Sprintf("symbol-%d", id)
				if err := c.Send(wire.NewRequest(id, body)); err != nil {
					t.Errorf("call #%d: %v", id, err)
					return
				}
				select {
				case r := <-ch:
					if r.ID != id || r.Text() != strings.ToUpper(body) {
						t.Errorf("call #%d answered by %v", id, r)
					}
				case <-dispatcherDone:
					t.Errorf("call #%d: connection lost", id)
					return
				}
			}
		}(i)
	}
	callers.Wait()
	c.Close()
	<-dispatcherDone
	<-serverDone
	mu.Lock()
	defer mu.Unlock()
	if len(pending) != 0 {
		t.Fatalf("%d calls still pending", len(pending))
	}
}

// A client keeps its connection alive with a pinger goroutine driven by a
// ticker while the test goroutine makes calls on the same connection (the
// wire.Conn writer mutex keeps their frames apart). A reader goroutine sorts
// what comes back: replies to the caller, pongs to a counter channel that it
// never blocks on (a full counter just drops the pong). After its calls the
// test waits for three pongs, with a watchdog timer for a dead peer, stops
// the pinger, says Bye, and the server hangs up.
// schedcast: category=correct primitives=chan,bufchan,close,select,select-default,timer,ticker,mutex bug=none split=train
func TestKeepAlivePingerTicker(t *testing.T) {
	ln := listen(t)
	defer ln.Close()
	serverDone := make(chan struct{})
	go func() {
		defer close(serverDone)
		nc, err := ln.Accept()
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		c := wire.NewConn(nc)
		defer c.Close()
		if _, err := wire.ServeConn(c, wire.HandlerFunc(func(req wire.Message) wire.Message {
			return req.Answer("pong-aware " + req.Text())
		})); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	c, err := wire.Dial(ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	stop := make(chan struct{})
	pingerDone := make(chan struct{})
	go func() {
		defer close(pingerDone)
		tick := time.NewTicker(300 * time.Microsecond)
		defer tick.Stop()
		seq := uint32(1000)
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				seq++
				if err := c.Send(wire.Message{Kind: wire.Ping, ID: seq}); err != nil {
					t.Errorf("ping: %v", err)
					return
				}
			}
		}
	}()
	pongs := make(chan uint32, 8)
	replies := make(chan wire.Message)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			m, err := c.Recv()
			if err != nil {
				return
			}
			switch m.Kind {
			case wire.Pong:
				select {
				case pongs <- m.ID:
				default:
				}
			case wire.Reply:
				replies <- m
			}
		}
	}()

	for id := uint32(1); id <= 3; id++ {
		if err := c.Send(wire.NewRequest(id, "status")); err != nil {
			t.Fatalf("send: %v", err)
		}
		if r := <-replies; r.ID != id {
			t.Fatalf("reply %v to call #%d", r, id)
		}
	}
	watchdog := time.NewTimer(2 * time.Second)
	defer watchdog.Stop()
	for got := 0; got < 3; got++ {
		select {
		case <-pongs:
		case <-watchdog.C:
			t.Fatalf("peer silent after %d pongs", got)
		}
	}
	close(stop)
	<-pingerDone
	if err := c.Send(wire.Message{Kind: wire.Bye}); err != nil {
		t.Fatalf("bye: %v", err)
	}
	<-serverDone
	<-readerDone
}

// A lookup is fanned out to three replicas, each a server on its own
// listener, by three fetcher goroutines that send their answers to a
// buffered result channel. The first answer wins and the context is
// cancelled; each fetcher has a watcher goroutine that turns the
// cancellation into a past deadline on its connection (the usual way to make
// blocking socket I/O obey a context), so the losers return promptly,
// answered or not. The buffer leaves no fetcher stuck on its send.
// schedcast: category=correct primitives=chan,bufchan,close,select,context,waitgroup bug=none split=test
func TestReplicaFanOutFirstAnswer(t *testing.T) {
	type result struct {
		replica int
		value   string
		err     error
	}
	var replicas sync.WaitGroup
	lns := make([]net.Listener, 3)
	addrs := make([]string, len(lns))
	for i := range lns {
		ln := listen(t)
		lns[i] = ln
		addrs[i] = ln.Addr().String()
		replicas.Add(1)
		go func(i int) {
			defer replicas.Done()
			for {
				nc, err := ln.Accept()
				if err != nil {
					return
				}
				c := wire.NewConn(nc)
				wire.ServeConn(c, wire.HandlerFunc(func(req wire.Message) wire.Message {
					return req.Answer(fmt.Sprintf("replica %d: %s=ada", i, req.Text()))
				}))
				c.Close()
			}
		}(i)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := make(chan result, len(addrs))
	var fetchers sync.WaitGroup
	for i, addr := range addrs {
		fetchers.Add(2)
		go func(i int, addr string) {
			defer fetchers.Done()
			c, err := wire.Dial(addr)
			if err != nil {
				fetchers.Done() // no watcher
				results <- result{i, "", err}
				return
			}
			defer c.Close()
			finished := make(chan struct{})
			defer close(finished)
			go func() {
				defer fetchers.Done()
				select {
				case <-ctx.Done():
					c.SetDeadline(time.Unix(1, 0))
				case <-finished:
				}
			}()
			r, err := c.Call(uint32(i+1), "user:42")
			results <- result{i, r.Text(), err}
		}(i, addr)
	}

	var first result
	for n := 0; n < len(addrs); n++ {
		first = <-results
		if first.err == nil {
			break
		}
	}
	cancel()
	fetchers.Wait()
	if first.err != nil || !strings.HasSuffix(first.value, "user:42=ada") {
		t.Fatalf("no usable answer: %+v", first)
	}
	t.Logf("first answer from replica %d", first.replica)
	for n := len(results); n > 0; n-- {
		if r := <-results; r.err != nil && !wire.IsTimeout(r.err) {
			t.Errorf("replica %d: %v", r.replica, r.err)
		}
	}
	for _, ln := range lns {
		ln.Close()
	}
	replicas.Wait()
}

// A telemetry collector reads samples with a short read deadline so that its
// loop can look at a quit channel between reads, with a select that has a
// default (the pre-context way to make a blocking socket reader stoppable).
// Two sensors, each on its own connection, send four samples apiece and wait
// for every acknowledgement, pausing between samples so that some of the
// collector's reads time out. The collectors add the samples to an atomic
// total. Only after both sensors are done does the test close quit; the
// collectors notice it at their next timeout and hang up.
// schedcast: category=correct primitives=chan,close,select-default,waitgroup,atomic bug=none split=train
func TestCollectorPollsQuitBetweenDeadlines(t *testing.T) {
	ln := listen(t)
	defer ln.Close()
	quit := make(chan struct{})
	var total int64
	var collectors sync.WaitGroup
	collectors.Add(2)
	go func() {
		for i := 0; i < 2; i++ {
			nc, err := ln.Accept()
			if err != nil {
				t.Errorf("accept: %v", err)
				collectors.Done()
				continue
			}
			go func(c *wire.Conn) {
				defer collectors.Done()
				defer c.Close()
				for {
					c.SetReadDeadline(time.Now().Add(400 * time.Microsecond))
					m, err := c.Recv()
					if wire.IsTimeout(err) {
						select {
						case <-quit:
							return
						default:
							continue
						}
					}
					if err != nil {
						t.Errorf("collector: %v", err)
						return
					}
					n := int64(0)
					fmt.Sscanf(m.Text(), "celsius=%d", &n)
					atomic.AddInt64(&total, n)
					if err := c.Send(m.Answer("stored")); err != nil {
						t.Errorf("collector ack: %v", err)
						return
					}
				}
			}(wire.NewConn(nc))
		}
	}()

	conns := make([]*wire.Conn, 2)
	var sensors sync.WaitGroup
	for s := range conns {
		sensors.Add(1)
		go func(s int) {
			defer sensors.Done()
			c, err := wire.Dial(ln.Addr().String())
			if err != nil {
				t.Errorf("sensor %d: %v", s, err)
				return
			}
			conns[s] = c
			for k := 1; k <= 4; k++ {
				if k > 1 {
					time.Sleep(time.Duration(300*(s+k)) * time.Microsecond)
				}
				if _, err := c.Call(uint32(k), fmt.Sprintf("celsius=%d", 10*s+k)); err != nil {
					t.Errorf("sensor %d sample %d: %v", s, k, err)
					return
				}
			}
		}(s)
	}
	sensors.Wait()
	close(quit)
	collectors.Wait()
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	if got := atomic.LoadInt64(&total); got != 60 {
		t.Fatalf("total %d, want 60", got)
	}
}
