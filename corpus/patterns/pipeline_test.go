// Package patterns holds correct programs that combine primitives into the
// usual concurrency shapes: pipelines, worker pools, fan-out/fan-in,
// publish/subscribe, rate limiting, futures and barriers.
package patterns

import (
	"context"
	"sync"
	"testing"
)

// Orchard pipeline: pick numbered apples, wash them (square the number),
// and weigh the lot at the end; three stages joined by unbuffered channels.
// schedcast: category=correct primitives=chan,close,range bug=none split=test
func TestOrchardPipeline(t *testing.T) {
	pick := func(n int) <-chan int {
		out := make(chan int)
		go func() {
			defer close(out)
			for i := 1; i <= n; i++ {
				out <- i
			}
		}()
		return out
	}
	wash := func(in <-chan int) <-chan int {
		out := make(chan int)
		go func() {
			defer close(out)
			for a := range in {
				out <- a * a
			}
		}()
		return out
	}
	total := 0
	for w := range wash(pick(10)) {
		total += w
	}
	if total != 385 {
		t.Errorf("total %d", total)
	}
}

// Textile pipeline with buffered channels between spinning, dyeing and
// folding, so neighbouring stages can drift apart by a few bolts.
// schedcast: category=correct primitives=bufchan,close,range bug=none split=train
func TestTextileBufferedStages(t *testing.T) {
	spun := make(chan int, 3)
	dyed := make(chan int, 2)
	go func() {
		defer close(spun)
		for b := 0; b < 12; b++ {
			spun <- b
		}
	}()
	go func() {
		defer close(dyed)
		for b := range spun {
			dyed <- b + 1000
		}
	}()
	folded := 0
	prev := 999
	for b := range dyed {
		if b != prev+1 {
			t.Errorf("bolt %d after %d", b, prev)
		}
		prev = b
		folded++
	}
	if folded != 12 {
		t.Errorf("folded %d", folded)
	}
}

// A photo-resizing service: four resizers pull jobs from a queue and push
// results; the caller closes the queue and waits for the workers before
// closing the results.
// schedcast: category=correct primitives=chan,bufchan,close,range,waitgroup bug=none split=test
func TestPhotoResizerPool(t *testing.T) {
	jobs := make(chan int, 5)
	results := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for px := range jobs {
				results <- px / 2
			}
		}()
	}
	go func() {
		for i := 0; i < 30; i++ {
			jobs <- i * 100
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	sum, n := 0, 0
	for r := range results {
		sum += r
		n++
	}
	if n != 30 || sum != 50*29*30/2 {
		t.Errorf("n %d sum %d", n, sum)
	}
}

// A survey is fanned out to five pollsters, each covering one district, and
// their counts are fanned back into one tally channel.
// schedcast: category=correct primitives=chan,close,range,waitgroup bug=none split=test
func TestSurveyFanOutFanIn(t *testing.T) {
	districts := [][]int{{1, 2}, {3}, {4, 5, 6}, {7}, {8, 9}}
	counts := make([]chan int, len(districts))
	for i, d := range districts {
		counts[i] = make(chan int)
		d, out := d, counts[i]
		go func() {
			defer close(out)
			for _, v := range d {
				out <- v
			}
		}()
	}
	tally := make(chan int)
	var wg sync.WaitGroup
	for _, c := range counts {
		c := c
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range c {
				tally <- v
			}
		}()
	}
	go func() {
		wg.Wait()
		close(tally)
	}()
	sum := 0
	for v := range tally {
		sum += v
	}
	if sum != 45 {
		t.Errorf("sum %d", sum)
	}
}

// Reports are rendered by workers in any order; each carries its index so
// the binder can put the pages back in order.
// schedcast: category=correct primitives=chan,waitgroup,close,range bug=none split=train
func TestReportBinderReorders(t *testing.T) {
	type page struct {
		idx  int
		text string
	}
	out := make(chan page)
	var wg sync.WaitGroup
	for i := 0; i < 9; i++ {
		i := i
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- page{i, string(rune('A' + i))}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	book := make([]string, 9)
	for p := range out {
		book[p.idx] = p.text
	}
	got := ""
	for _, s := range book {
		got += s
	}
	if got != "ABCDEFGHI" {
		t.Errorf("book %q", got)
	}
}

// A transcoding pipeline is cancelled halfway through; every stage selects
// on the context so the whole pipeline drains and shuts down.
// schedcast: category=correct primitives=context,select,close,range,chan bug=none split=validation
func TestTranscodeCancelledMidway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frames := make(chan int)
	encoded := make(chan int)
	go func() {
		defer close(frames)
		for f := 0; ; f++ {
			select {
			case frames <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		defer close(encoded)
		for f := range frames {
			select {
			case encoded <- f * 2:
			case <-ctx.Done():
				return
			}
		}
	}()
	seen := 0
	for range encoded {
		seen++
		if seen == 6 {
			cancel()
		}
	}
	if seen < 6 {
		t.Errorf("saw %d frames", seen)
	}
}

// A bulk mailer bounds its parallelism with a three-slot semaphore while up
// to fifteen send goroutines are spawned, and a mutex guards the sent list.
// schedcast: category=correct primitives=bufchan,waitgroup,mutex bug=none split=train
func TestBulkMailerBounded(t *testing.T) {
	slots := make(chan struct{}, 3)
	var mu sync.Mutex
	sent := make(map[int]bool)
	var wg sync.WaitGroup
	for m := 0; m < 15; m++ {
		m := m
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			mu.Lock()
			sent[m] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(sent) != 15 {
		t.Errorf("sent %d", len(sent))
	}
}
