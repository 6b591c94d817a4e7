package apps

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"schedcast.dev/corpus/libs/bus"
	"schedcast.dev/corpus/libs/jobs"
	"schedcast.dev/corpus/libs/kv"
)

// A chat room on the bus: three members each drain their subscription (a
// one-message buffer) in bus.Drain, while two members post five lines each.
// Posters wait inside Publish, under the bus's read lock, whenever a member
// is behind. After the posters finish the room closes the bus; every member
// must have every line, and each poster's lines in the order posted.
// schedcast: category=correct primitives=chan,bufchan,close,range,mutex,rwmutex,waitgroup bug=none split=train
func TestChatRoomFanout(t *testing.T) {
	b := bus.New()
	logs := make(chan []string, 3)
	for m := 0; m < 3; m++ {
		sub := b.Subscribe("room", 1)
		go func() { // member
			logs <- bus.Drain(sub)
		}()
	}
	var wg sync.WaitGroup
	for _, who := range []string{"kim", "lee"} {
		wg.Add(1)
		go func(who string) { // poster
			defer wg.Done()
			for i := 0; i < 5; i++ {
				churn(200)
				if _, err := b.Publish("room", fmt.Sprintf("%s:%d", who, i)); err != nil {
					t.Errorf("publish: %v", err)
				}
			}
		}(who)
	}
	wg.Wait()
	b.Close()
	for m := 0; m < 3; m++ {
		lines := <-logs
		if len(lines) != 10 {
			t.Errorf("member saw %d lines, want 10", len(lines))
		}
		next := map[string]int{}
		for _, l := range lines {
			who := strings.Split(l, ":")[0]
			if want := fmt.Sprintf("%s:%d", who, next[who]); l != want {
				t.Errorf("member saw %s, want %s", l, want)
			}
			next[who]++
		}
	}
}

// A deploy dashboard: three rollout watchers each wait in bus.Await (a
// select on the subscription and a library timer) for their service's
// "ready" event, then keep draining until the bus closes. Three services
// publish "starting" and "ready" events on the same topic concurrently. The
// timer is generous; every watcher sees its own service become ready.
// schedcast: category=correct primitives=chan,bufchan,close,range,select,timer,mutex,rwmutex,waitgroup bug=none split=test
func TestDeployReadinessAwait(t *testing.T) {
	b := bus.New()
	services := []string{"api", "web", "worker"}
	type outcome struct {
		svc   string
		ready bool
		rest  int
	}
	outcomes := make(chan outcome, len(services))
	for _, svc := range services {
		sub := b.Subscribe("deploy", 2)
		go func(svc string) { // rollout watcher
			_, ok := bus.Await(sub, func(m bus.Message) bool {
				return m.Body == "ready "+svc
			}, time.Second)
			outcomes <- outcome{svc, ok, len(bus.Drain(sub))}
		}(svc)
	}
	var wg sync.WaitGroup
	for _, svc := range services {
		wg.Add(1)
		go func(svc string) { // service
			defer wg.Done()
			b.Publish("deploy", "starting "+svc)
			churn(1500)
			b.Publish("deploy", "ready "+svc)
		}(svc)
	}
	wg.Wait()
	b.Close()
	for range services {
		o := <-outcomes
		if !o.ready {
			t.Errorf("watcher for %s never saw it ready", o.svc)
		}
	}
}

// An alert router subscribes to the alerts topic and turns every alert into
// a task on a pool; the tasks bump per-severity counters in a sharded store.
// Two monitors publish alerts concurrently. After the monitors finish the
// app closes the bus (the router's range over its subscription ends), stops the pool
// and logs its counters through log.Printf to stderr.
// schedcast: category=correct primitives=chan,bufchan,close,range,mutex,rwmutex,waitgroup,once,atomic bug=none split=train
func TestAlertRouterCounts(t *testing.T) {
	b := bus.New()
	s := kv.New(2)
	p := jobs.New(2, 2)
	sub := b.Subscribe("alerts", 3)
	routed := make(chan int)
	go func() { // router
		n := 0
		for m := range sub {
			sev := strings.Fields(m.Body)[0]
			p.Submit(func() {
				churn(250)
				s.Add("alerts/"+sev, 1)
			})
			n++
		}
		routed <- n
	}()
	var wg sync.WaitGroup
	for mon, sevs := range [][]string{{"warn", "crit", "warn", "info"}, {"crit", "info", "warn", "warn"}} {
		wg.Add(1)
		go func(mon int, sevs []string) { // monitor
			defer wg.Done()
			for _, sev := range sevs {
				churn(300)
				b.Publish("alerts", fmt.Sprintf("%s disk%d", sev, mon))
			}
		}(mon, sevs)
	}
	wg.Wait()
	b.Close()
	n := <-routed
	p.Stop()
	p.Report("alerts")
	warn, _ := s.Get("alerts/warn")
	crit, _ := s.Get("alerts/crit")
	info, _ := s.Get("alerts/info")
	if n != 8 || warn != 4 || crit != 2 || info != 2 {
		t.Errorf("routed %d; warn=%d crit=%d info=%d, want 8; 4, 2, 2", n, warn, crit, info)
	}
}

// A ticker board shows the session's first three quotes, collected with
// bus.Collect from its subscription. The feed publishes two quotes at once;
// the third comes from an upstream fetch that is ready within microseconds,
// but the feed renders its chart for a millisecond first and then selects
// between the fetched quote and a deadline that has also passed. On the
// deadline path the feed logs a stall and returns without closing the bus
// (its cleanup sits on the success path), so the board stays blocked in
// Collect, inside the library, waiting for a quote that never comes.
// schedcast: category=leak primitives=chan,bufchan,close,select,after,mutex,rwmutex bug=leak split=train
func TestTickerBoardNeverClosed(t *testing.T) {
	b := bus.New()
	sub := b.Subscribe("quotes", 4)
	board := make(chan []bus.Message, 1)
	go func() { // ticker board
		board <- bus.Collect(sub, 3) // schedcast:block
	}()
	fetched := make(chan string, 1)
	go func() { // upstream fetch of the third quote
		churn(2000)
		fetched <- "ACME 17.40"
	}()
	deadline := time.After(200 * time.Microsecond)
	b.Publish("quotes", "ACME 17.10")
	b.Publish("quotes", "ACME 17.25")
	time.Sleep(time.Millisecond) // render the intraday chart
	select {
	case q := <-fetched:
		b.Publish("quotes", q)
		shown := <-board
		b.Close()
		t.Logf("board shows %d quotes, last %s", len(shown), shown[len(shown)-1].Body)
	case <-deadline:
		t.Logf("feed stalled; board left waiting for its third quote")
	}
}
