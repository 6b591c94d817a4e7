// Package ctxs holds correct programs that use package context for
// cancellation, deadlines and timeouts.
package ctxs

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Six crawler goroutines loop over their frontier until the context is
// cancelled by the coordinator, then exit.
// schedcast: category=correct primitives=context,select,chan,waitgroup bug=none split=test
func TestCrawlersStopOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	frontier := make(chan string)
	var wg sync.WaitGroup
	for c := 0; c < 6; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-frontier:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for i := 0; i < 10; i++ {
		frontier <- "page"
	}
	cancel()
	wg.Wait()
}

// A slow geocoder is called with a 1 ms deadline; the caller gives up and the
// geocoder, watching the same context, gives up too and nobody is stranded.
// schedcast: category=correct primitives=bufchan,select,after,context bug=none split=train
func TestGeocoderDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	answer := make(chan string, 1)
	go func() {
		select {
		case <-time.After(time.Second):
			answer <- "52.5N"
		case <-ctx.Done():
		}
	}()
	select {
	case <-answer:
		t.Errorf("geocoder beat the deadline")
	case <-ctx.Done():
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Errorf("err %v", ctx.Err())
		}
	}
}

// A spell checker answers long before its generous timeout.
// schedcast: category=correct primitives=context,select,chan bug=none split=test
func TestSpellCheckInTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	verdict := make(chan bool)
	go func() {
		select {
		case verdict <- true:
		case <-ctx.Done():
		}
	}()
	select {
	case ok := <-verdict:
		if !ok {
			t.Errorf("misspelled")
		}
	case <-ctx.Done():
		t.Errorf("spell checker timed out")
	}
}

// A department context has four team contexts derived from it; cancelling
// the department reaches every team goroutine.
// schedcast: category=correct primitives=context,waitgroup bug=none split=train
func TestDepartmentCancelsTeams(t *testing.T) {
	dept, cancelDept := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := 0; i < 4; i++ {
		i := i
		team, cancelTeam := context.WithCancel(dept)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cancelTeam()
			<-team.Done()
			errs[i] = team.Err()
		}()
	}
	cancelDept()
	wg.Wait()
	for i, e := range errs {
		if !errors.Is(e, context.Canceled) {
			t.Errorf("team %d: %v", i, e)
		}
	}
}

// A request id travels in the context to three handlers, each of which
// returns it over a channel.
// schedcast: category=correct primitives=context,chan bug=none split=train
func TestRequestIDTravels(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "req-7")
	ids := make(chan string)
	for h := 0; h < 3; h++ {
		go func(ctx context.Context) {
			ids <- ctx.Value(key{}).(string)
		}(ctx)
	}
	for h := 0; h < 3; h++ {
		if id := <-ids; id != "req-7" {
			t.Errorf("id %q", id)
		}
	}
}

// A ticker-tape producer keeps offering quotes until the consumer has seen
// enough and cancels; the producer's send is guarded by ctx.Done so it never
// strands.
// schedcast: category=correct primitives=chan,close,select,context bug=none split=train
func TestTickerTapeConsumerCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tape := make(chan int)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for q := 0; ; q++ {
			select {
			case tape <- q:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := 0; i < 7; i++ {
		if q := <-tape; q != i {
			t.Errorf("quote %d at %d", q, i)
		}
	}
	cancel()
	<-stopped
}

// A hand-rolled task group: the first of five tasks to fail cancels the
// shared context and records its error once; the others notice and return.
// schedcast: category=correct primitives=select,after,context,waitgroup,once bug=none split=validation
func TestFirstFailureCancelsGroup(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for i := 0; i < 5; i++ {
		i := i
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 1 {
				once.Do(func() {
					firstErr = errors.New("task failed")
					cancel()
				})
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
				t.Errorf("task %d never saw cancellation", i)
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		t.Errorf("no error recorded")
	}
}

// A stage of a log pipeline ranges over its input but also watches the
// context, so it closes its output on either end condition.
// schedcast: category=correct primitives=context,range,close,select,chan bug=none split=train
func TestLogStageContextAware(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	raw := make(chan string)
	clean := make(chan string)
	go func() {
		defer close(clean)
		for line := range raw {
			select {
			case clean <- "[ok] " + line:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		for i := 0; i < 5; i++ {
			raw <- "line"
		}
		close(raw)
	}()
	n := 0
	for range clean {
		n++
	}
	if n != 5 {
		t.Errorf("lines %d", n)
	}
}

// Twelve lift passengers wait for the same 1 ms door deadline; every one of
// them is released when it passes.
// schedcast: category=correct primitives=context,waitgroup bug=none split=train
func TestLiftDoorDeadline(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Millisecond))
	defer cancel()
	var wg sync.WaitGroup
	for p := 0; p < 12; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ctx.Done()
		}()
	}
	wg.Wait()
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("err %v", ctx.Err())
	}
}
