package chans

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Four couriers drop parcels into a mailbox that holds three at a time; the
// postman empties it one parcel per visit.
// schedcast: category=correct primitives=bufchan,waitgroup,close,range bug=none split=train
func TestMailboxParcels(t *testing.T) {
	const couriers, each = 4, 5
	box := make(chan int, 3)
	var wg sync.WaitGroup
	for c := 0; c < couriers; c++ {
		c := c
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := 0; p < each; p++ {
				box <- c*each + p
			}
		}()
	}
	go func() {
		wg.Wait()
		close(box)
	}()
	seen := make(map[int]bool)
	for p := range box {
		seen[p] = true
	}
	if len(seen) != couriers*each {
		t.Errorf("delivered %d distinct parcels", len(seen))
	}
}

// Closing a gate channel releases a crowd of twelve waiting spectators at
// once.
// schedcast: category=correct primitives=chan,close,waitgroup,atomic bug=none split=test
func TestStadiumGate(t *testing.T) {
	gate := make(chan struct{})
	var inside int32
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			atomic.AddInt32(&inside, 1)
		}()
	}
	close(gate)
	wg.Wait()
	if inside != 12 {
		t.Errorf("inside = %d", inside)
	}
}

// A weather log producer writes twenty readings and closes the feed; the
// archiver ranges over it until it is drained.
// schedcast: category=correct primitives=chan,close,range bug=none split=train
func TestWeatherArchive(t *testing.T) {
	feed := make(chan float64)
	go func() {
		for i := 0; i < 20; i++ {
			feed <- float64(i) / 2
		}
		close(feed)
	}()
	var sum float64
	n := 0
	for r := range feed {
		sum += r
		n++
	}
	if n != 20 || sum != 95 {
		t.Errorf("n=%d sum=%v", n, sum)
	}
}

// Nine print jobs share a printer room with three printers, modelled as a
// buffered channel used as a counting semaphore.
// schedcast: category=correct primitives=bufchan,atomic,waitgroup bug=none split=test
func TestPrinterRoomSemaphore(t *testing.T) {
	printers := make(chan struct{}, 3)
	var busy, peak int32
	var wg sync.WaitGroup
	for j := 0; j < 9; j++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			printers <- struct{}{}
			now := atomic.AddInt32(&busy, 1)
			for {
				old := atomic.LoadInt32(&peak)
				if now <= old || atomic.CompareAndSwapInt32(&peak, old, now) {
					break
				}
			}
			atomic.AddInt32(&busy, -1)
			<-printers
		}()
	}
	wg.Wait()
	if peak > 3 || peak < 1 {
		t.Errorf("peak printers in use = %d", peak)
	}
}

// Each of five inspectors closes its own done flag when finished; the
// foreman waits on all five flags in turn.
// schedcast: category=correct primitives=chan,close bug=none split=validation
func TestInspectorsDoneFlags(t *testing.T) {
	flags := make([]chan struct{}, 5)
	reports := make([]int, 5)
	for i := range flags {
		flags[i] = make(chan struct{})
		i := i
		go func() {
			reports[i] = i * i
			close(flags[i])
		}()
	}
	for i, f := range flags {
		<-f
		if reports[i] != i*i {
			t.Errorf("inspector %d report %d", i, reports[i])
		}
	}
}

// A bakery fills a rack of ten trays and shuts the oven; the counter still
// sells every tray left on the rack after the close.
// schedcast: category=correct primitives=chan,bufchan,close,range bug=none split=validation
func TestBakeryRackAfterClose(t *testing.T) {
	rack := make(chan string, 10)
	done := make(chan int)
	go func() {
		sold := 0
		for range rack {
			sold++
		}
		done <- sold
	}()
	for i := 0; i < 10; i++ {
		rack <- "tray"
	}
	close(rack)
	if sold := <-done; sold != 10 {
		t.Errorf("sold %d trays", sold)
	}
}

// A dispatcher hands every job its own result channel; the job runners and
// the collector meet on those per-job channels.
// schedcast: category=correct primitives=bufchan,close,range bug=none split=train
func TestTicketPerJobReplies(t *testing.T) {
	type job struct {
		n     int
		reply chan int
	}
	queue := make(chan job, 4)
	for w := 0; w < 3; w++ {
		go func() {
			for j := range queue {
				j.reply <- j.n * 3
			}
		}()
	}
	replies := make([]chan int, 7)
	for i := range replies {
		replies[i] = make(chan int, 1)
		queue <- job{i, replies[i]}
	}
	close(queue)
	for i, r := range replies {
		if v := <-r; v != i*3 {
			t.Errorf("job %d -> %d", i, v)
		}
	}
}

// A fast bottling line feeds a slow labeller through a two-slot conveyor, so
// the bottler is throttled by the conveyor filling up.
// schedcast: category=correct primitives=bufchan,close,range bug=none split=train
func TestConveyorBackpressure(t *testing.T) {
	conveyor := make(chan int, 2)
	go func() {
		for b := 0; b < 15; b++ {
			conveyor <- b
		}
		close(conveyor)
	}()
	last := -1
	for b := range conveyor {
		if b != last+1 {
			t.Errorf("bottle %d after %d", b, last)
		}
		last = b
		for k := 0; k < 200; k++ {
			_ = k * b
		}
	}
	if last != 14 {
		t.Errorf("last bottle %d", last)
	}
}

// Seven probes report failures into a channel sized for all of them; the
// caller reads only the first report, and no probe is left stuck because the
// buffer can take every one.
// schedcast: category=correct primitives=bufchan,waitgroup bug=none split=train
func TestProbeFirstFailure(t *testing.T) {
	const probes = 7
	failures := make(chan int, probes)
	var wg sync.WaitGroup
	for p := 0; p < probes; p++ {
		p := p
		wg.Add(1)
		go func() {
			defer wg.Done()
			failures <- p
		}()
	}
	first := <-failures
	wg.Wait()
	if first < 0 || first >= probes {
		t.Errorf("first failure %d", first)
	}
	if len(failures) != probes-1 {
		t.Errorf("%d reports left buffered", len(failures))
	}
}
