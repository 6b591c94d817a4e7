// Package timers holds correct programs that use time.Timer, time.Ticker,
// time.After and time.AfterFunc.
package timers

import (
	"sync"
	"testing"
	"time"
)

// An egg timer rings once after two milliseconds.
// schedcast: category=correct primitives=timer bug=none split=train
func TestEggTimerRings(t *testing.T) {
	start := time.Now()
	tm := time.NewTimer(2 * time.Millisecond)
	<-tm.C
	if time.Since(start) < 2*time.Millisecond {
		t.Errorf("rang early")
	}
}

// A parking meter is cancelled before it expires; Stop reports that, and
// the non-blocking drain finds nothing in the channel.
// schedcast: category=correct primitives=timer,select-default bug=none split=train
func TestParkingMeterCancelled(t *testing.T) {
	meter := time.NewTimer(time.Hour)
	if !meter.Stop() {
		t.Fatalf("an hour-long meter expired at once")
	}
	select {
	case <-meter.C:
		t.Errorf("cancelled meter delivered a tick")
	default:
	}
}

// A watchdog is fed three times by a worker goroutine, pushing its expiry
// back each time with Reset, and finally fires after the feeding stops.
// schedcast: category=correct primitives=chan,close,range,timer bug=none split=train
func TestWatchdogFeeding(t *testing.T) {
	dog := time.NewTimer(20 * time.Millisecond)
	fed := make(chan struct{})
	go func() {
		for i := 0; i < 3; i++ {
			fed <- struct{}{}
		}
		close(fed)
	}()
	feeds := 0
	for range fed {
		if !dog.Stop() {
			<-dog.C
		}
		dog.Reset(time.Millisecond)
		feeds++
	}
	<-dog.C
	if feeds != 3 {
		t.Errorf("feeds %d", feeds)
	}
}

// A metronome ticks five times and is stopped.
// schedcast: category=correct primitives=ticker bug=none split=test
func TestMetronomeFiveTicks(t *testing.T) {
	m := time.NewTicker(time.Millisecond)
	defer m.Stop()
	for i := 0; i < 5; i++ {
		<-m.C
	}
}

// A lighthouse lamp turns on a ticker in its own goroutine until the keeper
// closes the quit channel.
// schedcast: category=correct primitives=ticker,select,close,chan bug=none split=train
func TestLighthouseLamp(t *testing.T) {
	quit := make(chan struct{})
	flashes := make(chan int)
	go func() {
		tk := time.NewTicker(500 * time.Microsecond)
		defer tk.Stop()
		n := 0
		for {
			select {
			case <-tk.C:
				n++
				if n == 4 {
					flashes <- n
				}
			case <-quit:
				return
			}
		}
	}()
	if n := <-flashes; n != 4 {
		t.Errorf("flashes %d", n)
	}
	close(quit)
}

// A kitchen alarm is armed with time.AfterFunc; the callback runs on its own
// goroutine and reports through a channel.
// schedcast: category=correct primitives=timer,chan bug=none split=test
func TestKitchenAlarmCallback(t *testing.T) {
	rang := make(chan string)
	time.AfterFunc(time.Millisecond, func() {
		rang <- "pasta"
	})
	if dish := <-rang; dish != "pasta" {
		t.Errorf("dish %q", dish)
	}
}

// Three couriers with different travel times report back; the dispatcher
// waits for each with an overall deadline made by time.After that is far
// enough away never to trigger.
// schedcast: category=correct primitives=after,select,chan bug=none split=test
func TestCourierDeadline(t *testing.T) {
	arrivals := make(chan int)
	for c := 1; c <= 3; c++ {
		c := c
		go func() {
			time.Sleep(time.Duration(c) * 300 * time.Microsecond)
			arrivals <- c
		}()
	}
	deadline := time.After(2 * time.Second)
	got := 0
	for got < 3 {
		select {
		case <-arrivals:
			got++
		case <-deadline:
			t.Fatalf("only %d couriers arrived", got)
		}
	}
}

// A pacemaker goroutine emits heartbeats on a ticker; the monitor accepts
// each beat within a time.After window and stops after six beats.
// schedcast: category=correct primitives=chan,close,select,ticker,after,waitgroup bug=none split=validation
func TestPacemakerMonitor(t *testing.T) {
	beats := make(chan int)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(400 * time.Microsecond)
		defer tk.Stop()
		for i := 0; ; i++ {
			select {
			case <-tk.C:
				select {
				case beats <- i:
				case <-stop:
					return
				}
			case <-stop:
				return
			}
		}
	}()
	for i := 0; i < 6; i++ {
		select {
		case <-beats:
		case <-time.After(2 * time.Second):
			t.Errorf("missed beat %d", i)
		}
	}
	close(stop)
	wg.Wait()
}

// A search box debounces keystrokes: each keystroke restarts a short timer
// and only the quiet period after the last keystroke triggers a query.
// schedcast: category=correct primitives=chan,close,range,select,after bug=none split=validation
func TestSearchBoxDebounce(t *testing.T) {
	keys := make(chan string)
	queries := make(chan string)
	go func() {
		in := keys
		var pending string
		var quiet <-chan time.Time
		for {
			select {
			case k, ok := <-in:
				if !ok {
					in = nil
					if quiet == nil {
						close(queries)
						return
					}
					continue
				}
				pending += k
				quiet = time.After(2 * time.Millisecond)
			case <-quiet:
				queries <- pending
				quiet = nil
				if in == nil {
					close(queries)
					return
				}
			}
		}
	}()
	go func() {
		for _, k := range []string{"g", "o", "p", "h", "e", "r"} {
			keys <- k
		}
		close(keys)
	}()
	var last string
	for q := range queries {
		last = q
	}
	if last != "gopher" {
		t.Errorf("last query %q", last)
	}
}

// Four alarm clocks set for staggered wake-up times ring; a wait group
// collects them and the order of rings is whatever the timers produce.
// schedcast: category=correct primitives=timer,waitgroup,mutex bug=none split=train
func TestStaggeredAlarmClocks(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	rung := 0
	for a := 0; a < 4; a++ {
		a := a
		wg.Add(1)
		tm := time.NewTimer(time.Duration(a+1) * 200 * time.Microsecond)
		go func() {
			defer wg.Done()
			<-tm.C
			mu.Lock()
			rung++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if rung != 4 {
		t.Errorf("rung %d", rung)
	}
}
