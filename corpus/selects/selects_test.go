// Package selects holds correct programs centred on select statements, with
// and without a default case.
package selects

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Two newsrooms file stories; the editor merges both wires with one select
// and turns a wire off (nil) when its room closes it.
// schedcast: category=correct primitives=select,chan,close bug=none split=test
func TestNewsroomMerge(t *testing.T) {
	sports := make(chan string)
	politics := make(chan string)
	file := func(out chan<- string, n int) {
		for i := 0; i < n; i++ {
			out <- "story"
		}
		close(out)
	}
	go file(sports, 6)
	go file(politics, 4)
	a, b := sports, politics
	stories := 0
	for a != nil || b != nil {
		select {
		case _, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			stories++
		case _, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			stories++
		}
	}
	if stories != 10 {
		t.Errorf("stories = %d", stories)
	}
}

// A dashboard polls a status slot without blocking, yielding between polls
// until the status arrives.
// schedcast: category=correct primitives=select-default,bufchan bug=none split=train
func TestDashboardPoll(t *testing.T) {
	status := make(chan string, 1)
	go func() {
		status <- "green"
	}()
	polls := 0
	for {
		select {
		case s := <-status:
			if s != "green" {
				t.Errorf("status %q", s)
			}
			t.Logf("status after %d empty polls", polls)
			return
		default:
			polls++
			runtime.Gosched()
		}
	}
}

// A log shipper offers lines to a small outbox without ever blocking; lines
// that do not fit are counted as dropped.
// schedcast: category=correct primitives=chan,bufchan,close,range,select-default bug=none split=train
func TestLogShipperDrops(t *testing.T) {
	outbox := make(chan int, 4)
	shipped := make(chan int)
	go func() {
		n := 0
		for range outbox {
			n++
		}
		shipped <- n
	}()
	dropped := 0
	for line := 0; line < 40; line++ {
		select {
		case outbox <- line:
		default:
			dropped++
		}
	}
	close(outbox)
	got := <-shipped
	if got+dropped != 40 {
		t.Errorf("shipped %d + dropped %d != 40", got, dropped)
	}
}

// A vending machine loop serves coins until the quit channel is closed by
// the owner.
// schedcast: category=correct primitives=select,chan,close bug=none split=validation
func TestVendingQuit(t *testing.T) {
	coins := make(chan int)
	quit := make(chan struct{})
	stopped := make(chan int)
	go func() {
		credit := 0
		for {
			select {
			case c := <-coins:
				credit += c
			case <-quit:
				stopped <- credit
				return
			}
		}
	}()
	for i := 1; i <= 5; i++ {
		coins <- i
	}
	close(quit)
	if credit := <-stopped; credit != 15 {
		t.Errorf("credit = %d", credit)
	}
}

// A quote service answers well inside the generous deadline given by
// time.After, so the timeout branch is never taken.
// schedcast: category=correct primitives=select,after,chan bug=none split=train
func TestQuoteBeforeDeadline(t *testing.T) {
	quote := make(chan int)
	go func() {
		quote <- 42
	}()
	select {
	case q := <-quote:
		if q != 42 {
			t.Errorf("quote %d", q)
		}
	case <-time.After(2 * time.Second):
		t.Errorf("quote service too slow")
	}
}

// Two traders swap cards: each one's select can either offer a card or take
// the other's, and whoever is faster decides the direction.
// schedcast: category=correct primitives=select,chan,waitgroup bug=none split=test
func TestCardSwapDirection(t *testing.T) {
	table := make(chan string)
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i, card := range []string{"dragon", "knight"} {
		i, card := i, card
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case table <- card:
				got[i] = "gave"
			case other := <-table:
				got[i] = "took " + other
			}
		}()
	}
	wg.Wait()
	if !((got[0] == "gave") != (got[1] == "gave")) {
		t.Errorf("outcome %v", got)
	}
}

// Two always-ready queues are drained by one select; over two hundred picks
// both queues must be served.
// schedcast: category=correct primitives=select,bufchan bug=none split=validation
func TestTwoCountersFairness(t *testing.T) {
	left := make(chan int, 200)
	right := make(chan int, 200)
	for i := 0; i < 200; i++ {
		left <- i
		right <- i
	}
	var l, r int
	for i := 0; i < 200; i++ {
		select {
		case <-left:
			l++
		case <-right:
			r++
		}
	}
	if l == 0 || r == 0 {
		t.Errorf("left %d right %d", l, r)
	}
}

// A relay forwards pings only while it holds one; the outgoing case is
// disabled by setting its channel to nil when nothing is pending.
// schedcast: category=correct primitives=chan,close,range,select bug=none split=train
func TestRelayNilToggle(t *testing.T) {
	in := make(chan int)
	out := make(chan int)
	go func() {
		for i := 0; i < 8; i++ {
			in <- i
		}
		close(in)
	}()
	go func() {
		var pending []int
		src := in
		for src != nil || len(pending) > 0 {
			var send chan int
			var next int
			if len(pending) > 0 {
				send, next = out, pending[0]
			}
			select {
			case v, ok := <-src:
				if !ok {
					src = nil
					continue
				}
				pending = append(pending, v)
			case send <- next:
				pending = pending[1:]
			}
		}
		close(out)
	}()
	want := 0
	for v := range out {
		if v != want {
			t.Errorf("got %d want %d", v, want)
		}
		want++
	}
	if want != 8 {
		t.Errorf("relayed %d", want)
	}
}

// Three sensor groups of different sizes feed a hub; the hub selects over
// all three and a waitgroup tells it when every group has finished.
// schedcast: category=correct primitives=select,chan,close,waitgroup bug=none split=train
func TestSensorHubThreeGroups(t *testing.T) {
	temp := make(chan int)
	hum := make(chan int)
	wind := make(chan int)
	allDone := make(chan struct{})
	var wg sync.WaitGroup
	for _, g := range []struct {
		ch chan int
		n  int
	}{{temp, 3}, {hum, 5}, {wind, 2}} {
		g := g
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < g.n; i++ {
				g.ch <- i
			}
		}()
	}
	go func() {
		wg.Wait()
		close(allDone)
	}()
	count := 0
	for {
		select {
		case <-temp:
			count++
		case <-hum:
			count++
		case <-wind:
			count++
		case <-allDone:
			if count != 10 {
				t.Errorf("count = %d", count)
			}
			return
		}
	}
}

// A spinner keeps checking a stop flag with a non-blocking select on its
// inbox, and quits when the flag is raised atomically.
// schedcast: category=correct primitives=select-default,atomic,chan bug=none split=train
func TestSpinnerStopFlag(t *testing.T) {
	var stop int32
	inbox := make(chan int)
	finished := make(chan int)
	go func() {
		handled := 0
		for atomic.LoadInt32(&stop) == 0 {
			select {
			case <-inbox:
				handled++
			default:
				runtime.Gosched()
			}
		}
		finished <- handled
	}()
	for i := 0; i < 3; i++ {
		inbox <- i
	}
	atomic.StoreInt32(&stop, 1)
	if h := <-finished; h != 3 {
		t.Errorf("handled %d", h)
	}
}

// A session keeper resets an idle timer on every keystroke and ends the
// session when the timer fires after the keyboard has been unplugged.
// schedcast: category=correct primitives=select,timer,chan,close bug=none split=test
func TestSessionIdleTimer(t *testing.T) {
	keys := make(chan rune)
	ended := make(chan int)
	go func() {
		in := keys
		idle := time.NewTimer(3 * time.Millisecond)
		defer idle.Stop()
		strokes := 0
		for {
			select {
			case _, ok := <-in:
				if !ok {
					in = nil
					continue
				}
				strokes++
				if !idle.Stop() {
					<-idle.C
				}
				idle.Reset(3 * time.Millisecond)
			case <-idle.C:
				if in != nil {
					// A pause between keystrokes, not the end.
					idle.Reset(3 * time.Millisecond)
					continue
				}
				ended <- strokes
				return
			}
		}
	}()
	for _, r := range "hello" {
		keys <- r
	}
	close(keys)
	if s := <-ended; s != 5 {
		t.Errorf("strokes %d", s)
	}
}
