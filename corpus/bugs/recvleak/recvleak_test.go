// Package recvleak holds buggy kernels in which a goroutine waits forever
// to receive from a channel that no goroutine will ever send on or close.
package recvleak

import (
	"context"
	"sync"
	"testing"
	"time"
)

// An order desk asks the stock service how many units are left and waits
// for the reply. The service answers queries and purchases in whatever
// order its select picks them up, and it stays silent when an item is sold
// out. If the last unit's purchase is handled first, the desk waits on its
// reply channel forever.
// schedcast: category=leak primitives=chan,bufchan,select,after bug=leak split=test
func TestOrderStatusNoReplyWhenSoldOut(t *testing.T) {
	purchases := make(chan int)
	queries := make(chan chan int)
	go func() { purchases <- 1 }() // a customer buys the last unit
	answered := make(chan int, 1)
	go func() { // desk worker
		reply := make(chan int)
		queries <- reply
		answered <- <-reply // schedcast:block
	}()
	go func() { // stock service
		stock := 1
		time.Sleep(500 * time.Microsecond) // load the ledger
		for i := 0; i < 2; i++ {
			select {
			case n := <-purchases:
				stock -= n
			case reply := <-queries:
				if stock > 0 {
					reply <- stock
				}
				// BUG: no reply at all when sold out
			}
		}
	}()
	select {
	case n := <-answered:
		t.Logf("%d in stock", n)
	case <-time.After(20 * time.Millisecond):
		t.Logf("desk still waiting for the stock service")
	}
}

// A nightly backup worker waits for a start signal. The scheduler either
// starts it or, if the maintenance window was picked first, returns early
// and forgets to close the start channel, so the worker waits forever.
// schedcast: category=leak primitives=chan,bufchan,close,select bug=leak split=train
func TestBackupNeverStarted(t *testing.T) {
	start := make(chan struct{})
	done := make(chan struct{})
	go func() {
		<-start // schedcast:block
		churn(200)
		close(done)
	}()
	quota := make(chan bool, 1)
	window := make(chan bool, 1)
	quota <- true
	window <- false
	select {
	case <-quota:
		close(start)
		<-done
		t.Logf("backup ran")
	case <-window:
		t.Logf("maintenance window closed; skipping backup")
	}
}

// An importer ranges over a row channel. The reader closes the channel at
// the end of the file but returns early, without closing, when the first
// row it inspects is malformed; which row comes first depends on which of
// two parser goroutines its select serves first.
// schedcast: category=leak primitives=chan,range,close,select bug=leak split=train
func TestImporterRangeNoClose(t *testing.T) {
	rows := make(chan string)
	good := make(chan string)
	bad := make(chan string)
	go func() { good <- "42,alice" }() // schedcast:block
	go func() { bad <- "x,,," }()
	imported := make(chan int)
	go func() {
		n := 0
		for range rows { // schedcast:block
			n++
		}
		imported <- n
	}()
	time.Sleep(500 * time.Microsecond)
	for i := 0; i < 2; i++ {
		var row string
		select {
		case row = <-good:
		case row = <-bad:
		}
		if row == "x,,," {
			if i > 0 {
				continue // bad rows after the first one are skipped
			}
			t.Logf("malformed first row; giving up")
			return // BUG: rows is never closed on this path
		}
		rows <- row
	}
	close(rows)
	t.Logf("imported %d rows", <-imported)
}

// A chat subscriber registers for a channel's messages and waits for the
// next one. The publisher delivers to whoever is registered at the moment
// it publishes; if the subscriber's registration is processed after the
// single publication, it waits for a message that never comes.
// schedcast: category=leak primitives=chan,bufchan,select,after,mutex bug=leak split=validation
func TestLateSubscriberMissesMessage(t *testing.T) {
	var mu sync.Mutex
	var subs []chan string
	register := make(chan chan string)
	publish := make(chan string)
	go func() { // broker
		time.Sleep(500 * time.Microsecond) // restore the topic list
		for i := 0; i < 2; i++ {
			select {
			case s := <-register:
				mu.Lock()
				subs = append(subs, s)
				mu.Unlock()
			case msg := <-publish:
				mu.Lock()
				for _, s := range subs {
					s <- msg
				}
				mu.Unlock()
			}
		}
	}()
	got := make(chan string, 1)
	go func() { // subscriber
		inbox := make(chan string, 1)
		register <- inbox
		got <- <-inbox // schedcast:block
	}()
	go func() { publish <- "standup in 5" }()
	select {
	case m := <-got:
		t.Logf("subscriber got %q", m)
	case <-time.After(20 * time.Millisecond):
		t.Logf("subscriber is still waiting")
	}
}

// A client hands a request to a server with a non-blocking send so it never
// waits for a busy server, but then waits for the acknowledgement anyway.
// When the server is not ready at that instant the request is dropped and
// the client waits for an ack that cannot come.
// schedcast: category=leak primitives=chan,close,select,select-default,after bug=leak split=test
func TestAckAfterDroppedRequest(t *testing.T) {
	requests := make(chan int)
	acks := make(chan int)
	go func() { // server
		for {
			select {
			case r := <-requests:
				acks <- r
			case <-time.After(2 * time.Millisecond):
				return // idle server shuts down
			}
		}
	}()
	ackd := make(chan struct{})
	go func() { // client
		churn(20000)
		select {
		case requests <- 7:
		default: // server busy: drop it
		}
		<-acks // schedcast:block
		close(ackd)
	}()
	select {
	case <-ackd:
		t.Logf("acknowledged")
	case <-time.After(20 * time.Millisecond):
		t.Logf("client still waiting for an ack")
	}
}

// A future is resolved by a goroutine that, once connected, waits for the
// go-ahead or the cancellation. Both have usually happened by then; when
// its select takes the cancellation, it returns without closing the done
// channel, and the reader of the future waits forever.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,context bug=leak split=train
func TestFutureNeverResolved(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	type future struct {
		done  chan struct{}
		value int
	}
	f := &future{done: make(chan struct{})}
	begin := make(chan struct{})
	go func() {
		time.Sleep(500 * time.Microsecond) // dial the backend
		select {
		case <-ctx.Done():
			return // BUG: f.done is never closed
		case <-begin:
		}
		f.value = 12
		close(f.done)
	}()
	read := make(chan int, 1)
	go func() {
		<-f.done // schedcast:block
		read <- f.value
	}()
	go func() { close(begin) }()
	go func() { cancel() }()
	select {
	case v := <-read:
		t.Logf("future resolved to %d", v)
	case <-time.After(20 * time.Millisecond):
		t.Logf("reader still waiting on the future")
	}
	cancel()
}

// A result collector waits for one result per job. Workers stop sending
// once they see that another worker reported an error; the collector does
// not know that, so it waits for results that are never sent. Jobs are
// started in whatever order the dispatcher's select picks, and nothing is
// lost only when the failing job happens to run last.
// schedcast: category=leak primitives=chan,select,after,mutex,waitgroup bug=leak split=train
func TestCollectorExpectsEveryResult(t *testing.T) {
	var mu sync.Mutex
	failed := false
	results := make(chan int)
	jobs := []int{1, 2, -1, 4}
	starts := make([]chan struct{}, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		j := j
		start := make(chan struct{})
		starts[i] = start
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			mu.Lock()
			if failed {
				mu.Unlock()
				return // BUG: collector still counts on this result
			}
			if j < 0 {
				failed = true
			}
			mu.Unlock()
			results <- j
		}()
	}
	total := make(chan int)
	go func() {
		sum := 0
		for range jobs {
			sum += <-results // schedcast:block
		}
		total <- sum
	}()
	time.Sleep(500 * time.Microsecond) // workers connect
	s0, s1, s2, s3 := starts[0], starts[1], starts[2], starts[3]
	for n := 0; n < len(jobs); n++ {
		select {
		case s0 <- struct{}{}:
			s0 = nil
		case s1 <- struct{}{}:
			s1 = nil
		case s2 <- struct{}{}:
			s2 = nil
		case s3 <- struct{}{}:
			s3 = nil
		}
	}
	wg.Wait()
	select {
	case s := <-total:
		t.Logf("sum %d", s)
	case <-time.After(20 * time.Millisecond):
		t.Logf("collector still waiting")
	}
}

// A heartbeat reader wants three beats; the pacer goroutine stops beating
// once it is told to quit. Quitting is requested right after the first
// beat, and at each later beat the pacer's select may take the quit
// instead, leaving the reader waiting for a beat that never comes.
// schedcast: category=leak primitives=chan,close,select,ticker,after bug=leak split=train
func TestHeartbeatReaderAfterPacerQuit(t *testing.T) {
	beats := make(chan int)
	quit := make(chan struct{})
	go func() { // pacer
		tk := time.NewTicker(200 * time.Microsecond)
		defer tk.Stop()
		for i := 0; ; i++ {
			<-tk.C
			select {
			case <-quit:
				return
			case beats <- i:
			}
		}
	}()
	seen := make(chan int)
	go func() { // reader
		<-beats
		seen <- 1
		<-beats // schedcast:block
		<-beats // schedcast:block
		seen <- 3
	}()
	<-seen
	close(quit)
	select {
	case <-seen:
		t.Logf("reader got all beats")
	case <-time.After(20 * time.Millisecond):
		t.Logf("reader still waiting for a beat")
	}
}
