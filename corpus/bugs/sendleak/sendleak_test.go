// Package sendleak holds buggy kernels in which a goroutine is left blocked
// forever on a channel send because the only receiver has already gone: it
// timed out, was cancelled, or returned early on another path.
//
// In most kernels the receiver reaches its select when both the result and
// the timeout or cancellation are already there; Go then picks a ready case
// at random, so the leak shows up in only some of the runs.
package sendleak

import (
	"context"
	"sync"
	"testing"
	"time"
)

// A thermostat asks its sensor for a reading and arms a short timeout, then
// redraws the display before looking at either. The reading channel is
// unbuffered, so when the select takes the timeout the sensor goroutine can
// never deliver and stays blocked.
// schedcast: category=leak primitives=chan,select,after bug=leak split=validation
func TestThermostatReadTimeout(t *testing.T) {
	reading := make(chan float64)
	go func() {
		churn(500)      // sample the bus
		reading <- 21.5 // schedcast:block
	}()
	timeout := time.After(200 * time.Microsecond)
	time.Sleep(time.Millisecond) // redraw the display
	select {
	case r := <-reading:
		t.Logf("temperature %.1f", r)
	case <-timeout:
		t.Logf("sensor read timed out")
	}
}

// Two quote feeds each answer on their own unbuffered channel and register
// with a wait group before answering. The caller takes whichever answer it
// selects first and only waits for the primary when the backup came first;
// a primary-first pick strands the backup feed.
// schedcast: category=leak primitives=chan,select,waitgroup bug=leak split=test
func TestQuoteFeedsPrimaryFirst(t *testing.T) {
	primary := make(chan int)
	backup := make(chan int)
	var registered sync.WaitGroup
	registered.Add(2)
	go func() {
		registered.Done()
		primary <- 101
	}()
	go func() {
		registered.Done()
		backup <- 99 // schedcast:block
	}()
	registered.Wait()
	select {
	case p := <-primary:
		t.Logf("primary price %d", p)
	case b := <-backup:
		t.Logf("backup price %d, waiting for primary", b)
		t.Logf("primary price %d", <-primary)
	}
}

// An upload runs in a goroutine while the user may press cancel. The
// progress dialog opens before the caller looks at either outcome; if it
// then takes the cancellation, the uploader's unbuffered completion send
// never completes.
// schedcast: category=leak primitives=context,select,chan bug=leak split=train
func TestUploadCancelledByUser(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	finished := make(chan int)
	go func() {
		churn(2000)      // send the bytes
		finished <- 2048 // schedcast:block
	}()
	go func() {
		churn(1000) // the user hesitates, then presses cancel
		cancel()
	}()
	time.Sleep(time.Millisecond) // open the progress dialog
	select {
	case n := <-finished:
		t.Logf("uploaded %d bytes", n)
	case <-ctx.Done():
		t.Logf("upload cancelled")
	}
}

// Three spelling suggesters score a word concurrently, each on its own
// unbuffered channel. The caller selects over whatever has arrived and
// returns at the first confident suggestion; suggesters not yet heard from
// are stranded, unless the confident one happened to be heard last.
// schedcast: category=leak primitives=chan,select bug=leak split=train
func TestSpellSuggestEarlyReturn(t *testing.T) {
	type suggestion struct {
		word  string
		score int
	}
	chans := make([]chan suggestion, 3)
	for i, s := range []suggestion{{"recieve", 2}, {"receive", 9}, {"reprieve", 3}} {
		ch := make(chan suggestion)
		chans[i] = ch
		s := s
		go func() {
			churn(100 * len(s.word))
			ch <- s // schedcast:block
		}()
	}
	time.Sleep(500 * time.Microsecond) // tokenise the rest of the sentence
	a, b, c := chans[0], chans[1], chans[2]
	for i := 0; i < 3; i++ {
		var s suggestion
		select {
		case s = <-a:
			a = nil
		case s = <-b:
			b = nil
		case s = <-c:
			c = nil
		}
		if s.score > 5 {
			t.Logf("suggest %q", s.word)
			return
		}
	}
}

// A thumbnail is rendered while the image is validated in parallel. If the
// validator's rejection is taken first, the caller returns the error and the
// renderer is left holding a thumbnail nobody will take.
// schedcast: category=leak primitives=select,chan bug=leak split=test
func TestThumbnailRejectedFirst(t *testing.T) {
	thumb := make(chan []byte)
	verdict := make(chan bool)
	go func() {
		churn(1500)
		thumb <- []byte{0x89, 'P', 'N', 'G'} // schedcast:block
	}()
	go func() {
		churn(1500)
		verdict <- false
	}()
	time.Sleep(time.Millisecond) // read the request headers
	select {
	case <-thumb:
		if !<-verdict {
			t.Logf("rendered, then rejected")
		}
	case ok := <-verdict:
		if !ok {
			t.Logf("rejected before rendering finished")
			return
		}
		<-thumb
	}
}

// A cache warm-up has a deadline from a context. The loader does not watch
// the context and reports on an unbuffered channel. The caller polls a
// stats channel while it waits; by the time it is done with the stats both
// the report and the deadline are usually there, and picking the deadline
// strands the loader.
// schedcast: category=leak primitives=context,select,chan,bufchan bug=leak split=train
func TestCacheWarmupDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Microsecond)
	defer cancel()
	loaded := make(chan int)
	stats := make(chan string, 3)
	go func() {
		keys := 0
		for i := 0; i < 3; i++ {
			churn(300)
			keys += 25
			stats <- "batch"
		}
		loaded <- keys // schedcast:block
	}()
	time.Sleep(2 * time.Millisecond) // log the warm-up plan
	for {
		select {
		case <-stats:
			continue
		case n := <-loaded:
			t.Logf("warmed %d keys", n)
		case <-ctx.Done():
			t.Logf("warm-up abandoned: %v", ctx.Err())
		}
		return
	}
}

// Three DNS resolvers take queries from a dispatcher that hands them out in
// whatever order its select picks, and put answers into a channel with room
// for only one. The caller reads past NXDOMAIN answers and returns at the
// first address; whenever that is not the last answer, a resolver is left
// blocked on the full buffer.
// schedcast: category=leak primitives=bufchan,chan,select bug=leak split=train
func TestResolverBufferTooSmall(t *testing.T) {
	type answer struct {
		server string
		addr   string
	}
	answers := make(chan answer, 1)
	queries := make([]chan string, 3)
	for i, a := range []answer{{"ns1", ""}, {"ns2", "10.0.0.7"}, {"ns3", "10.0.0.7"}} {
		q := make(chan string)
		queries[i] = q
		a := a
		go func() {
			<-q
			answers <- a // schedcast:block
		}()
	}
	time.Sleep(500 * time.Microsecond) // open the sockets
	q1, q2, q3 := queries[0], queries[1], queries[2]
	for sent := 0; sent < 3; sent++ {
		select {
		case q1 <- "example.test":
			q1 = nil
		case q2 <- "example.test":
			q2 = nil
		case q3 <- "example.test":
			q3 = nil
		}
	}
	for {
		a := <-answers
		if a.addr != "" {
			t.Logf("%s answered %s", a.server, a.addr)
			return
		}
	}
}

// A transcoder streams progress over an unbuffered channel while the view
// renders each frame. An operator aborts shortly after the start; the view
// stops reading on abort without telling the transcoder, which then blocks
// on its next progress report. Only when the view happens to read every
// report before noticing the abort is nobody stranded.
// schedcast: category=leak primitives=chan,close,select bug=leak split=train
func TestTranscodeAbortFlag(t *testing.T) {
	progress := make(chan int)
	abort := make(chan struct{})
	go func() {
		for pct := 25; pct <= 100; pct += 25 {
			progress <- pct // schedcast:block
		}
		close(progress)
	}()
	go func() {
		time.Sleep(300 * time.Microsecond)
		close(abort)
	}()
	for {
		select {
		case pct, ok := <-progress:
			if !ok {
				return
			}
			time.Sleep(200 * time.Microsecond) // render the frame
			_ = pct
		case <-abort:
			t.Logf("aborted")
			return
		}
	}
}

// A payment gateway calls back through time.AfterFunc; the callback
// delivers the receipt on an unbuffered channel. The checkout arms its own
// short timeout and renders the page before waiting, so when it finally
// selects both are ready and a timeout pick strands the callback.
// schedcast: category=leak primitives=timer,after,select,chan bug=leak split=train
func TestPaymentCallbackLate(t *testing.T) {
	receipt := make(chan string)
	time.AfterFunc(200*time.Microsecond, func() {
		receipt <- "rcpt-17" // schedcast:block
	})
	giveUp := time.After(300 * time.Microsecond)
	time.Sleep(2 * time.Millisecond) // render the checkout page
	select {
	case r := <-receipt:
		t.Logf("paid: %s", r)
	case <-giveUp:
		t.Logf("checkout gave up on the gateway")
	}
}
