// Package selectblock holds buggy kernels in which a goroutine is parked in
// a select whose channels nobody will ever touch again: the owner returned,
// cancelled or reconfigured without closing or sending on any of them.
package selectblock

import (
	"context"
	"testing"
	"time"
)

// A disk monitor loops on a select over jobs and a stop channel. Its owner
// defers close(stop) only after the config has been validated, and returns
// early when the validator's rejection is picked first; the monitor then
// waits in its select forever.
// schedcast: category=leak primitives=select,chan,bufchan,close bug=leak split=test
func TestDiskMonitorStopNeverClosed(t *testing.T) {
	jobs := make(chan string)
	stop := make(chan struct{})
	go func() { // monitor
		for {
			select { // schedcast:block
			case j := <-jobs:
				_ = j
			case <-stop:
				return
			}
		}
	}()
	accepted := make(chan bool, 1)
	rejected := make(chan bool, 1)
	go func() { accepted <- true }()
	go func() { rejected <- true }()
	time.Sleep(500 * time.Microsecond) // parse the config file
	select {
	case <-rejected:
		t.Logf("config rejected")
		return // BUG: stop is never closed on this path
	case <-accepted:
	}
	defer close(stop)
	jobs <- "scan /var"
}

// A price poller selects on its ticks and on result deliveries but not on
// the context. The owner either receives the final price, which ends the
// poller, or gives up on cancellation and stops feeding it; in the second
// case the poller sits in its select for good.
// schedcast: category=leak primitives=select,context,chan,bufchan bug=leak split=train
func TestPricePollerIgnoresContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ticks := make(chan struct{})
	results := make(chan int)
	go func() { // poller
		for {
			select { // schedcast:block
			case <-ticks:
			case p := <-results:
				if p < 0 {
					return // final sentinel
				}
			}
		}
	}()
	finished := make(chan struct{}, 1)
	go func() { finished <- struct{}{} }()
	go func() { cancel() }()
	time.Sleep(500 * time.Microsecond)
	select {
	case <-ctx.Done():
		t.Logf("cancelled; poller abandoned")
	case <-finished:
		results <- -1
		cancel()
	}
}

// A notification hub swaps its channels on reconfiguration. A listener that
// subscribed before the swap keeps selecting on the old pair, which nobody
// sends on or closes any more; one that subscribed after the swap gets the
// goodbye on the new pair. Subscription and reconfiguration are served by
// the hub in whichever order its select picks.
// schedcast: category=leak primitives=chan,bufchan,close,select,after bug=leak split=train
func TestHubListenerOnStaleChannels(t *testing.T) {
	type pair struct {
		notes chan string
		bye   chan struct{}
	}
	subscribe := make(chan chan pair, 1)
	reconfigure := make(chan struct{}, 1)
	exited := make(chan struct{})
	go func() { // listener
		reply := make(chan pair)
		subscribe <- reply
		p := <-reply
		for {
			select { // schedcast:block
			case <-p.notes:
			case <-p.bye:
				close(exited)
				return
			}
		}
	}()
	reconfigure <- struct{}{}
	cur := pair{make(chan string), make(chan struct{})}
	time.Sleep(500 * time.Microsecond) // hub loads its routes
	for i := 0; i < 2; i++ {
		select {
		case r := <-subscribe:
			r <- cur
		case <-reconfigure:
			cur = pair{make(chan string), make(chan struct{})} // BUG: old pair abandoned
		}
	}
	close(cur.bye)
	select {
	case <-exited:
		t.Logf("listener said goodbye")
	case <-time.After(20 * time.Millisecond):
		t.Logf("listener parked on stale channels")
	}
}

// A hedged lookup asks two replicas; each offers its answer in a select on
// the answer channel and a quit channel that the owner never closes. After
// the first answer, the owner either collects the straggler or replies to
// its client straight away, whichever its select picks; in the second case
// the straggler stays parked.
// schedcast: category=leak primitives=select,chan,bufchan bug=leak split=train
func TestHedgedLookupStraggler(t *testing.T) {
	answers := make(chan string)
	quit := make(chan struct{}) // BUG: never closed
	for _, r := range []string{"replica-a", "replica-b"} {
		r := r
		go func() {
			select { // schedcast:block
			case answers <- r:
			case <-quit:
			}
		}()
	}
	first := <-answers
	respond := make(chan struct{}, 1)
	respond <- struct{}{}
	time.Sleep(300 * time.Microsecond) // log the first answer
	select {
	case second := <-answers:
		t.Logf("both answered: %s, %s", first, second)
	case <-respond:
		t.Logf("answered with %s", first)
	}
}

// A server loop parks in a select on requests and a shutdown channel.
// Shutdown is sent without blocking, on the assumption that the server is
// idle; but the server first works off one backlog job, and when that job
// is the slow one the shutdown arrives while it is busy, is dropped, and
// the server parks in its select for good.
// schedcast: category=leak primitives=select,select-default,chan,bufchan bug=leak split=validation
func TestServerShutdownDropped(t *testing.T) {
	requests := make(chan int)
	shutdown := make(chan struct{})
	fast := make(chan int, 1)
	slow := make(chan int, 1)
	fast <- 1
	slow <- 2
	go func() { // server
		select {
		case <-fast:
		case <-slow:
			time.Sleep(2 * time.Millisecond) // rebuild an index
		}
		for {
			select { // schedcast:block
			case <-requests:
			case <-shutdown:
				return
			}
		}
	}()
	time.Sleep(time.Millisecond)
	select {
	case shutdown <- struct{}{}:
		t.Logf("server shut down")
	default:
		t.Logf("server busy; shutdown dropped")
	}
}

// A merger selects over two sensor streams until both are closed. The
// humidity stream closes its channel when it is done, but on a write error
// it returns without closing; the merger then waits on it forever.
// schedcast: category=leak primitives=chan,bufchan,close,select,after bug=leak split=test
func TestStreamMergerOneSideOpen(t *testing.T) {
	temp := make(chan int)
	hum := make(chan int)
	writeOK := make(chan bool, 1)
	writeErr := make(chan bool, 1)
	writeOK <- true
	writeErr <- true
	go func() {
		for i := 0; i < 3; i++ {
			temp <- 20 + i
		}
		close(temp)
	}()
	go func() {
		hum <- 55
		time.Sleep(300 * time.Microsecond) // flush to the SD card
		select {
		case <-writeErr:
			return // BUG: hum is never closed on this path
		case <-writeOK:
		}
		close(hum)
	}()
	merged := make(chan int)
	go func() {
		n := 0
		a, b := temp, hum
		for a != nil || b != nil {
			select { // schedcast:block
			case _, ok := <-a:
				if !ok {
					a = nil
					continue
				}
				n++
			case _, ok := <-b:
				if !ok {
					b = nil
					continue
				}
				n++
			}
		}
		merged <- n
	}()
	select {
	case n := <-merged:
		t.Logf("merged %d readings", n)
	case <-time.After(20 * time.Millisecond):
		t.Logf("merger waiting on a stream that never ends")
	}
}

// A watchdog waits in a select for either a data packet or its timer. The
// owner may cancel the watch by stopping the timer, which it does when its
// select picks the cancel button over the confirm button, but never tells
// the watchdog, which then has nothing left to wake it.
// schedcast: category=leak primitives=select,timer,chan,bufchan bug=leak split=train
func TestWatchdogTimerStoppedSilently(t *testing.T) {
	data := make(chan []byte)
	tm := time.NewTimer(200 * time.Microsecond)
	go func() { // watchdog
		select { // schedcast:block
		case <-data:
		case <-tm.C:
		}
	}()
	cancelBtn := make(chan struct{}, 1)
	confirmBtn := make(chan struct{}, 1)
	cancelBtn <- struct{}{}
	confirmBtn <- struct{}{}
	select {
	case <-cancelBtn:
		if tm.Stop() {
			t.Logf("watch cancelled")
		}
	case <-confirmBtn:
		t.Logf("watch confirmed")
	}
}

// A lease renewer renews on every tick and stops when done is closed. The
// owner shuts down either gracefully or abruptly, whichever signal its
// select takes; the abrupt path stops the ticker but forgets to close done,
// so the renewer waits for a tick or a close that will never come.
// schedcast: category=leak primitives=chan,bufchan,close,select,select-default,ticker bug=leak split=train
func TestLeaseRenewerTickerStopped(t *testing.T) {
	tk := time.NewTicker(500 * time.Microsecond)
	done := make(chan struct{})
	renewals := make(chan int, 1)
	go func() {
		n := 0
		for {
			select { // schedcast:block
			case <-tk.C:
				n++
				select {
				case renewals <- n:
				default:
				}
			case <-done:
				return
			}
		}
	}()
	graceful := make(chan struct{}, 1)
	abrupt := make(chan struct{}, 1)
	graceful <- struct{}{}
	abrupt <- struct{}{}
	<-renewals
	select {
	case <-graceful:
		tk.Stop()
		close(done)
	case <-abrupt:
		tk.Stop() // BUG: done is not closed on this path
	}
}
