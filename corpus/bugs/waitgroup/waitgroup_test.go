// Package waitgroup holds buggy kernels that misuse sync.WaitGroup: Add
// called after Wait may already have returned, Done skipped on an error
// path, Add counted twice for one Done, and a member waiting on its own
// group.
package waitgroup

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A thumbnail batch hands the spawning of its workers to a dispatcher
// goroutine, and the dispatcher calls wg.Add once it has the photo list,
// from the cache or, slowly, from disk, as its select picks. If the
// gallery's Wait runs before the dispatcher got to Add, Wait returns at
// once, the gallery shows nothing and returns, and every worker blocks
// sending its thumbnail.
// schedcast: category=leak primitives=chan,bufchan,close,select,waitgroup bug=leak split=test
func TestGalleryAddInsideDispatcher(t *testing.T) {
	photos := []string{"a.jpg", "b.jpg", "c.jpg"}
	var wg sync.WaitGroup
	thumbs := make(chan string)
	cached := make(chan struct{}, 1)
	onDisk := make(chan struct{}, 1)
	cached <- struct{}{}
	onDisk <- struct{}{}
	go func() { // dispatcher
		select {
		case <-cached:
		case <-onDisk:
			time.Sleep(3 * time.Millisecond)
		}
		wg.Add(len(photos)) // BUG: must happen before the gallery can Wait
		for _, p := range photos {
			p := p
			go func() {
				defer wg.Done()
				thumbs <- "thumb-" + p // schedcast:block
			}()
		}
	}()
	allDone := make(chan struct{})
	go func() {
		time.Sleep(time.Millisecond) // lay out the album page
		wg.Wait()
		close(allDone)
	}()
	got := 0
	for {
		select {
		case <-thumbs:
			got++
			continue
		case <-allDone:
		}
		break
	}
	t.Logf("gallery shows %d thumbnails", got)
}

// A log shipper's workers skip Done when their batch fails. The closer
// goroutine waits on the group before closing the output, so a failed batch
// leaves the closer waiting forever and the reader ranging forever. Whether
// a batch fails depends on whether the disk-full flag was raised before it
// was written.
// schedcast: category=leak primitives=waitgroup,chan,close,range,atomic,select,after bug=leak split=validation
func TestShipperMissingDoneOnError(t *testing.T) {
	var diskFull int32
	var wg sync.WaitGroup
	shipped := make(chan int)
	for b := 0; b < 3; b++ {
		b := b
		wg.Add(1)
		go func() {
			churn(5000 * (b + 1))
			if atomic.LoadInt32(&diskFull) == 1 {
				return // BUG: no wg.Done on the error path
			}
			shipped <- b
			wg.Done()
		}()
	}
	go func() {
		churn(10000)
		atomic.StoreInt32(&diskFull, 1)
	}()
	go func() {
		wg.Wait() // schedcast:block
		close(shipped)
	}()
	total := make(chan int)
	go func() {
		n := 0
		for range shipped { // schedcast:block
			n++
		}
		total <- n
	}()
	select {
	case n := <-total:
		t.Logf("shipped %d batches", n)
	case <-time.After(30 * time.Millisecond):
		t.Logf("shipper never finished")
	}
}

// A retrying fetcher adds to the wait group again when it retries, but the
// retried attempt still calls Done only once. A retry happens when the
// first reply its select takes from the two mirrors is the failure.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,waitgroup bug=leak split=train
func TestFetcherRetryDoubleAdd(t *testing.T) {
	var wg sync.WaitGroup
	okReply := make(chan struct{}, 1)
	failReply := make(chan struct{}, 1)
	okReply <- struct{}{}
	failReply <- struct{}{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for attempt := 0; attempt < 2; attempt++ {
			churn(3000)
			if attempt == 1 {
				return
			}
			select {
			case <-okReply:
				return
			case <-failReply:
				wg.Add(1) // BUG: counts the retry, but only one Done follows
			}
		}
	}()
	done := make(chan struct{})
	go func() {
		wg.Wait() // schedcast:block
		close(done)
	}()
	select {
	case <-done:
		t.Logf("fetch finished")
	case <-time.After(30 * time.Millisecond):
		t.Logf("fetch group never drained")
	}
}

// Four survey workers share a wait group. The publisher, once its own part
// is done, waits on the group if any sibling is still running, forgetting
// that it is itself counted in the group and has not called Done yet.
// Whenever a sibling is still busy at that moment, the publisher never
// wakes.
// schedcast: category=leak primitives=waitgroup,atomic,chan,close,select,after bug=leak split=train
func TestSurveyPublisherWaitsOnItself(t *testing.T) {
	var wg sync.WaitGroup
	var running int32 = 4
	published := make(chan struct{})
	gate := make(chan struct{})
	for w := 1; w <= 4; w++ {
		w := w
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			churn(15000)
			left := atomic.AddInt32(&running, -1)
			if w == 4 {
				if left > 0 {
					wg.Wait() // schedcast:block
				}
				close(published)
			}
		}()
	}
	close(gate)
	select {
	case <-published:
		t.Logf("results published")
	case <-time.After(30 * time.Millisecond):
		t.Logf("publisher waiting on a group that includes itself")
	}
}

// An indexer adds the number of documents to its wait group, then opens the
// index (fast when it is cached, slow otherwise, as its select picks) and
// starts one goroutine per document left after de-duplication. A
// de-duplicator runs concurrently and may drop a document between the Add
// and the spawning; the group then waits for a Done that will never come.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,mutex,waitgroup bug=leak split=train
func TestIndexerAddCountMismatch(t *testing.T) {
	var mu sync.Mutex
	docs := []string{"intro", "guide", "guide-copy", "faq"}
	go func() { // de-duplicator
		time.Sleep(time.Millisecond)
		mu.Lock()
		docs = []string{"intro", "guide", "faq"}
		mu.Unlock()
	}()
	var wg sync.WaitGroup
	mu.Lock()
	wg.Add(len(docs))
	mu.Unlock()
	warm := make(chan struct{}, 1)
	cold := make(chan struct{}, 1)
	warm <- struct{}{}
	cold <- struct{}{}
	select { // open the index file
	case <-warm:
	case <-cold:
		time.Sleep(3 * time.Millisecond)
	}
	mu.Lock()
	todo := append([]string(nil), docs...)
	mu.Unlock()
	for range todo {
		go func() {
			defer wg.Done()
			churn(1000)
		}()
	}
	indexed := make(chan struct{})
	go func() {
		wg.Wait() // schedcast:block
		close(indexed)
	}()
	select {
	case <-indexed:
		t.Logf("indexed %d documents", len(todo))
	case <-time.After(30 * time.Millisecond):
		t.Logf("index never finished")
	}
}
