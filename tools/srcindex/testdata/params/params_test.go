package params

import (
	"sync"
	"testing"
)

func TestHandOff(t *testing.T) {
	results := make(chan int)
	go produce(results, 5)
	sum := 0
	for i := 0; i < 5; i++ {
		sum += <-results
	}
	if sum != 10 {
		t.Errorf("sum %d", sum)
	}
}

func TestChain(t *testing.T) {
	ch := make(chan int, 2)
	go relay(ch, 4)
	for i := 0; i < 4; i++ {
		<-ch
	}
}

func TestTwoFeeds(t *testing.T) {
	a := make(chan int)
	b := make(chan int)
	go feed(a, 3)
	go feed(b, 3)
	for i := 0; i < 6; i++ {
		select {
		case <-a:
		case <-b:
		}
	}
}

func TestLiteralWithArgument(t *testing.T) {
	done := make(chan struct{})
	go func(c chan struct{}) {
		close(c)
	}(done)
	<-done
}

func TestLocalFunc(t *testing.T) {
	got := make(chan string)
	say := func(out chan<- string, s string) {
		out <- s
	}
	go say(got, "a")
	go say(got, "b")
	<-got
	<-got
}

func TestPool(t *testing.T) {
	p := &pool{jobs: make(chan int)}
	var wg sync.WaitGroup
	wg.Add(1)
	go drain(p.jobs, &wg)
	results := make(chan int)
	go p.serve(results)
	<-results
	for i := 0; i < 3; i++ {
		p.jobs <- i
	}
	close(p.jobs)
	wg.Wait()
	var tl tally
	tl.add()
}

func TestCallback(t *testing.T) {
	ch := make(chan int, 3)
	callback(ch)
	run(callback, ch)
	reassigned(ch)
	<-ch
	<-ch
	<-ch
}

// Rounds of two goroutines each, waited for before the next round: a counted loop nested in
// another (the walk counts the inner loop's trips per entry).
func TestRoundsOfTwo(t *testing.T) {
	var wg sync.WaitGroup
	for round := 0; round < 3; round++ {
		for r := 0; r < 2; r++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
			}()
		}
		wg.Wait()
	}
}
