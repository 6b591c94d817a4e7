package patterns

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A stock-alert broker keeps a mutex-guarded subscriber list; four
// subscribers each get a buffered inbox, the broker publishes five alerts
// and then closes every inbox.
// schedcast: category=correct primitives=bufchan,close,range,mutex,waitgroup bug=none split=train
func TestStockAlertBroker(t *testing.T) {
	type broker struct {
		mu   sync.Mutex
		subs []chan string
	}
	b := &broker{}
	subscribe := func() <-chan string {
		ch := make(chan string, 2)
		b.mu.Lock()
		b.subs = append(b.subs, ch)
		b.mu.Unlock()
		return ch
	}
	publish := func(msg string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, s := range b.subs {
			s <- msg
		}
	}
	shutdown := func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, s := range b.subs {
			close(s)
		}
	}
	var wg sync.WaitGroup
	got := make([]int, 4)
	for i := 0; i < 4; i++ {
		i := i
		inbox := subscribe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range inbox {
				got[i]++
			}
		}()
	}
	for a := 0; a < 5; a++ {
		publish("ACME up")
	}
	shutdown()
	wg.Wait()
	for i, n := range got {
		if n != 5 {
			t.Errorf("subscriber %d got %d", i, n)
		}
	}
}

// A chat room goroutine owns the member set; join, leave and say requests
// all arrive through channels it selects over, and members read from
// buffered inboxes.
// schedcast: category=correct primitives=chan,bufchan,close,range,select,waitgroup bug=none split=train
func TestChatRoomOwner(t *testing.T) {
	type member struct {
		name  string
		inbox chan string
	}
	join := make(chan member)
	leave := make(chan string)
	say := make(chan string)
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		members := map[string]member{}
		for {
			select {
			case m := <-join:
				members[m.name] = m
			case n := <-leave:
				if m, ok := members[n]; ok {
					close(m.inbox)
					delete(members, n)
				}
				if len(members) == 0 {
					return
				}
			case line := <-say:
				for _, m := range members {
					m.inbox <- line
				}
			}
		}
	}()
	names := []string{"ada", "bob", "cy"}
	var wg sync.WaitGroup
	heard := make([]int, len(names))
	for i, n := range names {
		m := member{n, make(chan string, 4)}
		join <- m
		i := i
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range m.inbox {
				heard[i]++
			}
		}()
	}
	for _, line := range []string{"hi", "hello", "bye"} {
		say <- line
	}
	for _, n := range names {
		leave <- n
	}
	<-closed
	wg.Wait()
	for i, h := range heard {
		if h != 3 {
			t.Errorf("%s heard %d lines", names[i], h)
		}
	}
}

// A news feed subscriber can unsubscribe: the publisher selects between
// delivering and noticing the subscriber's cancel channel.
// schedcast: category=correct primitives=select,chan,close bug=none split=train
func TestNewsFeedUnsubscribe(t *testing.T) {
	feed := make(chan int)
	unsub := make(chan struct{})
	done := make(chan int)
	go func() {
		delivered := 0
		for n := 0; ; n++ {
			select {
			case feed <- n:
				delivered++
			case <-unsub:
				done <- delivered
				return
			}
		}
	}()
	for i := 0; i < 4; i++ {
		<-feed
	}
	close(unsub)
	if d := <-done; d != 4 {
		t.Errorf("delivered %d", d)
	}
}

// An API gateway admits one request per ticker tick; five requests take at
// least four tick intervals.
// schedcast: category=correct primitives=ticker,chan,bufchan,close,range bug=none split=test
func TestGatewayTickLimiter(t *testing.T) {
	requests := make(chan int, 5)
	for i := 0; i < 5; i++ {
		requests <- i
	}
	close(requests)
	limiter := time.NewTicker(300 * time.Microsecond)
	defer limiter.Stop()
	served := make(chan int)
	go func() {
		n := 0
		for range requests {
			<-limiter.C
			n++
		}
		served <- n
	}()
	if n := <-served; n != 5 {
		t.Errorf("served %d", n)
	}
}

// A token bucket holds three tokens and is refilled by a ticker; callers
// take a token without waiting when one is there and wait for a refill
// otherwise.
// schedcast: category=correct primitives=chan,bufchan,close,select,select-default,ticker,waitgroup,atomic bug=none split=train
func TestTokenBucketRefill(t *testing.T) {
	bucket := make(chan struct{}, 3)
	for i := 0; i < 3; i++ {
		bucket <- struct{}{}
	}
	stop := make(chan struct{})
	var refiller sync.WaitGroup
	refiller.Add(1)
	go func() {
		defer refiller.Done()
		tk := time.NewTicker(200 * time.Microsecond)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				select {
				case bucket <- struct{}{}:
				default:
				}
			case <-stop:
				return
			}
		}
	}()
	var callers sync.WaitGroup
	var immediate, waited int32
	for c := 0; c < 8; c++ {
		callers.Add(1)
		go func() {
			defer callers.Done()
			select {
			case <-bucket:
				atomic.AddInt32(&immediate, 1)
			default:
				<-bucket
				atomic.AddInt32(&waited, 1)
			}
		}()
	}
	callers.Wait()
	close(stop)
	refiller.Wait()
	if immediate+waited != 8 {
		t.Errorf("immediate %d waited %d", immediate, waited)
	}
}

// A price lookup is sent to five replicas; the fastest answer wins, the
// rest are cancelled, and their answers land in a buffer sized for all of
// them so no replica is stranded.
// schedcast: category=correct primitives=bufchan,select-default,context,waitgroup bug=none split=train
func TestReplicaFastestAnswer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	answers := make(chan int, 5)
	var wg sync.WaitGroup
	for r := 0; r < 5; r++ {
		r := r
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-ctx.Done():
				return
			default:
			}
			answers <- 10 + r
		}()
	}
	first := <-answers
	cancel()
	wg.Wait()
	if first < 10 || first > 14 {
		t.Errorf("first answer %d", first)
	}
}
