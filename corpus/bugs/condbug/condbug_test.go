// Package condbug holds buggy kernels around sync.Cond: signals sent before
// anyone waits, waits without a predicate loop, a predicate checked outside
// the lock, and Signal waking the wrong kind of waiter.
package condbug

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A print spooler waits on a condition variable for "job queued" without
// checking any state first. The submitter signals once. If the signal comes
// before the spooler is waiting, it is lost and the spooler sleeps forever.
// schedcast: category=leak primitives=cond,mutex,chan,close,select,after bug=leak split=train
func TestSpoolerSignalBeforeWait(t *testing.T) {
	var mu sync.Mutex
	queued := sync.NewCond(&mu)
	printed := make(chan struct{})
	gate := make(chan struct{})
	go func() { // spooler
		<-gate
		churn(10000) // warm up the fuser
		mu.Lock()
		queued.Wait() // schedcast:block
		mu.Unlock()
		close(printed)
	}()
	go func() { // submitter
		<-gate
		churn(10000)
		mu.Lock()
		queued.Signal()
		mu.Unlock()
	}()
	close(gate)
	select {
	case <-printed:
		t.Logf("job printed")
	case <-time.After(30 * time.Millisecond):
		t.Logf("spooler missed the signal")
	}
}

// A one-slot mail drop is shared by a sender and two receivers through a
// single condition variable, and every state change wakes just one waiter
// with Signal. The sender drops two letters in a row. When both receivers
// are already asleep, the first receiver's wake-up lands on the other
// receiver instead of the waiting sender; the woken receiver goes back to
// sleep, and nobody is left to wake anyone.
// schedcast: category=leak primitives=cond,mutex,waitgroup,chan,bufchan,close,select,after bug=leak split=test
func TestMailDropSignalWakesWrongWaiter(t *testing.T) {
	var mu sync.Mutex
	changed := sync.NewCond(&mu) // BUG: one Cond and Signal for two kinds of waiters
	full := false
	var wg sync.WaitGroup
	receive := func() {
		defer wg.Done()
		mu.Lock()
		for !full {
			changed.Wait() // schedcast:block
		}
		full = false
		changed.Signal()
		mu.Unlock()
	}
	wg.Add(3)
	go receive()
	early := make(chan struct{}, 1)
	late := make(chan struct{}, 1)
	early <- struct{}{}
	late <- struct{}{}
	go func() {
		select { // the second receiver comes by early or late
		case <-early:
		case <-late:
			time.Sleep(3 * time.Millisecond)
		}
		receive()
	}()
	go func() { // sender
		defer wg.Done()
		time.Sleep(time.Millisecond)
		for letter := 0; letter < 2; letter++ {
			mu.Lock()
			for full {
				changed.Wait() // schedcast:block
			}
			full = true
			changed.Signal()
			mu.Unlock()
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }() // schedcast:block
	select {
	case <-done:
		t.Logf("both letters delivered")
	case <-time.After(30 * time.Millisecond):
		t.Logf("mail drop stalled")
	}
}

// A download manager checks its "paused" flag atomically and only then takes
// the lock and waits for a resume broadcast. When it flushes its buffers in
// between (its select decides), the resume sets the flag and broadcasts
// between the check and the Wait; the broadcast reaches nobody and the
// download stays paused forever.
// schedcast: category=leak primitives=cond,mutex,atomic,chan,bufchan,close,select,after bug=leak split=train
func TestDownloadResumeLostWakeup(t *testing.T) {
	var mu sync.Mutex
	resumed := sync.NewCond(&mu)
	var paused int32 = 1
	finished := make(chan struct{})
	flush := make(chan struct{}, 1)
	skip := make(chan struct{}, 1)
	flush <- struct{}{}
	skip <- struct{}{}
	go func() { // downloader
		if atomic.LoadInt32(&paused) == 1 { // BUG: checked outside the lock
			select {
			case <-flush:
				time.Sleep(3 * time.Millisecond)
			case <-skip:
			}
			mu.Lock()
			resumed.Wait() // schedcast:block
			mu.Unlock()
		}
		close(finished)
	}()
	go func() { // user presses resume
		time.Sleep(time.Millisecond)
		mu.Lock()
		atomic.StoreInt32(&paused, 0)
		resumed.Broadcast()
		mu.Unlock()
	}()
	select {
	case <-finished:
		t.Logf("download finished")
	case <-time.After(30 * time.Millisecond):
		t.Logf("download stuck in pause")
	}
}

// A ferry leaves when the captain broadcasts "boarding closed". Two
// passengers arrive early or late, as their selects decide. Those who
// arrive after the broadcast wait for the next one, which never comes,
// because the captain does not record that boarding has closed.
// schedcast: category=leak primitives=cond,mutex,waitgroup,chan,bufchan,close,select,after bug=leak split=train
func TestFerryBroadcastBeforeLatePassenger(t *testing.T) {
	var mu sync.Mutex
	departed := sync.NewCond(&mu)
	var aboard sync.WaitGroup
	for p := 0; p < 2; p++ {
		early := make(chan struct{}, 1)
		late := make(chan struct{}, 1)
		early <- struct{}{}
		late <- struct{}{}
		aboard.Add(1)
		go func() {
			defer aboard.Done()
			select {
			case <-early:
			case <-late:
				time.Sleep(3 * time.Millisecond)
			}
			mu.Lock()
			departed.Wait() // schedcast:block
			mu.Unlock()
		}()
	}
	go func() { // captain
		time.Sleep(time.Millisecond)
		mu.Lock()
		departed.Broadcast() // BUG: no "departed" state for latecomers to check
		mu.Unlock()
	}()
	all := make(chan struct{})
	go func() { aboard.Wait(); close(all) }() // schedcast:block
	select {
	case <-all:
		t.Logf("every passenger saw the departure")
	case <-time.After(30 * time.Millisecond):
		t.Logf("a passenger is still waiting on the pier")
	}
}

// A job queue's consumer waits while the queue is empty and not closed.
// Shutdown sets closed but forgets to Broadcast. A consumer already asleep
// at that point sleeps forever; one that checks after the flag was set
// (because its select first took the slow housekeeping path) leaves
// normally.
// schedcast: category=leak primitives=cond,mutex,chan,bufchan,close,select,after bug=leak split=validation
func TestQueueShutdownWithoutBroadcast(t *testing.T) {
	var mu sync.Mutex
	ready := sync.NewCond(&mu)
	var items []int
	closed := false
	exited := make(chan struct{})
	gate := make(chan struct{})
	housekeeping := make(chan struct{}, 1)
	straightIn := make(chan struct{}, 1)
	housekeeping <- struct{}{}
	straightIn <- struct{}{}
	go func() { // consumer
		<-gate
		select {
		case <-housekeeping:
			time.Sleep(3 * time.Millisecond)
		case <-straightIn:
		}
		mu.Lock()
		for len(items) == 0 && !closed {
			ready.Wait() // schedcast:block
		}
		mu.Unlock()
		close(exited)
	}()
	go func() { // shutdown
		<-gate
		time.Sleep(time.Millisecond)
		mu.Lock()
		closed = true // BUG: no ready.Broadcast()
		mu.Unlock()
	}()
	close(gate)
	select {
	case <-exited:
		t.Logf("consumer exited")
	case <-time.After(30 * time.Millisecond):
		t.Logf("consumer sleeping through shutdown")
	}
}

// Two packers wait for parcels on a conveyor; each is at the belt or comes
// back from a break later, as its select decides. The loader puts two
// parcels on the belt but calls Signal only once; if both packers were
// already asleep, one of them never wakes even though a parcel is waiting
// for it.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,mutex,waitgroup,cond bug=leak split=test
func TestConveyorOneSignalTwoParcels(t *testing.T) {
	var mu sync.Mutex
	arrived := sync.NewCond(&mu)
	belt := 0
	var packers sync.WaitGroup
	for p := 0; p < 2; p++ {
		onTime := make(chan struct{}, 1)
		onBreak := make(chan struct{}, 1)
		onTime <- struct{}{}
		onBreak <- struct{}{}
		packers.Add(1)
		go func() {
			defer packers.Done()
			select { // the packer is at the belt, or back from a break later
			case <-onTime:
			case <-onBreak:
				time.Sleep(3 * time.Millisecond)
			}
			mu.Lock()
			for belt == 0 {
				arrived.Wait() // schedcast:block
			}
			belt--
			mu.Unlock()
		}()
	}
	go func() { // loader
		time.Sleep(time.Millisecond)
		mu.Lock()
		belt += 2
		arrived.Signal() // BUG: two parcels, one wake-up
		mu.Unlock()
	}()
	done := make(chan struct{})
	go func() { packers.Wait(); close(done) }() // schedcast:block
	select {
	case <-done:
		t.Logf("both parcels packed")
	case <-time.After(30 * time.Millisecond):
		t.Logf("a packer sleeps next to a waiting parcel")
	}
}
