package chans

import (
	"sync"
	"testing"
)

// A referee and a player bat a shuttle back and forth over two unbuffered
// channels; every hit is a rendezvous.
// schedcast: category=correct primitives=chan,close,range bug=none split=train
func TestShuttleVolley(t *testing.T) {
	toPlayer := make(chan int)
	toReferee := make(chan int)
	go func() {
		for hit := range toPlayer {
			toReferee <- hit + 1
		}
		close(toReferee)
	}()
	hits := 0
	for i := 0; i < 12; i++ {
		toPlayer <- hits
		hits = <-toReferee
	}
	close(toPlayer)
	if _, ok := <-toReferee; ok {
		t.Errorf("player kept returning after the match")
	}
	if hits != 12 {
		t.Errorf("hits = %d, want 12", hits)
	}
}

// A baton is handed down a relay of runners, each connected to the next by
// an unbuffered channel.
// schedcast: category=correct primitives=chan bug=none split=train
func TestRelayBaton(t *testing.T) {
	const runners = 8
	legs := make([]chan string, runners+1)
	for i := range legs {
		legs[i] = make(chan string)
	}
	for i := 0; i < runners; i++ {
		in, out := legs[i], legs[i+1]
		name := string(rune('a' + i))
		go func() {
			baton := <-in
			out <- baton + name
		}()
	}
	legs[0] <- ""
	if got := <-legs[runners]; got != "abcdefgh" {
		t.Errorf("baton path = %q", got)
	}
}

// Ten ticket sellers race to hand their receipts to a single cashier over
// one unbuffered channel; the cashier accepts them in whatever order the
// scheduler lets them in.
// schedcast: category=correct primitives=chan bug=none split=train
func TestCashierReceipts(t *testing.T) {
	const sellers = 10
	receipts := make(chan int)
	for s := 0; s < sellers; s++ {
		s := s
		go func() {
			receipts <- 100 + s
		}()
	}
	total := 0
	for i := 0; i < sellers; i++ {
		total += <-receipts
	}
	if want := sellers*100 + sellers*(sellers-1)/2; total != want {
		t.Errorf("total = %d, want %d", total, want)
	}
}

// A dictionary server answers lookups; each client brings its own reply
// channel along with the word.
// schedcast: category=correct primitives=chan,close,range,waitgroup bug=none split=test
func TestDictionaryLookups(t *testing.T) {
	type lookup struct {
		word  string
		reply chan int
	}
	requests := make(chan lookup)
	go func() {
		for req := range requests {
			req.reply <- len(req.word)
		}
	}()
	words := []string{"tin", "copper", "zinc", "lead", "bismuth"}
	var wg sync.WaitGroup
	lengths := make([]int, len(words))
	for i, w := range words {
		i, w := i, w
		wg.Add(1)
		go func() {
			defer wg.Done()
			reply := make(chan int)
			requests <- lookup{w, reply}
			lengths[i] = <-reply
		}()
	}
	wg.Wait()
	close(requests)
	for i, w := range words {
		if lengths[i] != len(w) {
			t.Errorf("%s: got %d", w, lengths[i])
		}
	}
}

// Six stations sit in a ring; a single token goes round three laps and each
// station stamps it as it passes.
// schedcast: category=correct primitives=chan,close,range bug=none split=test
func TestRingStamp(t *testing.T) {
	const stations, laps = 6, 3
	links := make([]chan int, stations)
	for i := range links {
		links[i] = make(chan int)
	}
	finished := make(chan int)
	for i := 0; i < stations; i++ {
		in, out := links[i], links[(i+1)%stations]
		first := i == 0
		go func() {
			for stamp := range in {
				if first && stamp == stations*laps {
					finished <- stamp
					close(out)
					for range in {
					}
					return
				}
				out <- stamp + 1
			}
			if !first {
				close(out)
			}
		}()
	}
	links[0] <- 0
	if got := <-finished; got != stations*laps {
		t.Errorf("stamps = %d", got)
	}
}
