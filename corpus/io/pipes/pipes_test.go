package pipes

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newPipe opens an os.Pipe or stops the test before any goroutine starts.
// Both ends are pollable: a read on an empty pipe or a write to a full one
// parks the goroutine in the netpoller.
func newPipe(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	return r, w
}

// An access log: three request handlers hand their log entries to a logger
// goroutine through a small buffered channel; the logger is the only writer
// of a pipe, and a tailer goroutine on the other end splits the stream into
// lines and tallies them per route. Closing the channel stops the logger,
// the logger's close of the write end gives the tailer its EOF.
// schedcast: category=correct primitives=chan,bufchan,close,range,waitgroup bug=none split=test
func TestAccessLogThroughPipe(t *testing.T) {
	r, w := newPipe(t)
	entries := make(chan string, 4)
	tally := make(chan map[string]int)
	go func() { // logger
		for e := range entries {
			if _, err := io.WriteString(w, e+"\n"); err != nil {
				t.Errorf("logger: %v", err)
			}
		}
		w.Close()
	}()
	go func() { // tailer
		counts := map[string]int{}
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			route := strings.Fields(sc.Text())[0]
			counts[route]++
		}
		if err := sc.Err(); err != nil {
			t.Errorf("tailer: %v", err)
		}
		r.Close()
		tally <- counts
	}()
	routes := []string{"/cart", "/search", "/login"}
	var handlers sync.WaitGroup
	for _, route := range routes {
		route := route
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			for i := 0; i < 5; i++ {
				churn(20000) // serve the request
				entries <- fmt.Sprintf("%s 200 %dus", route, 100+i)
			}
		}()
	}
	handlers.Wait()
	close(entries)
	counts := <-tally
	for _, route := range routes {
		if counts[route] != 5 {
			t.Errorf("%s: %d lines, want 5", route, counts[route])
		}
	}
}

// A health checker and a responder talk over two pipes. The responder sits
// in a pipe read until the checker writes a probe, answers it on the second
// pipe, and parks again; every answered probe is reported to the test over
// an unbuffered channel. When the checker closes its write end, the
// responder sees EOF and closes its own, which the checker waits for.
// schedcast: category=correct primitives=chan,close,range,waitgroup bug=none split=train
func TestHealthCheckPingPong(t *testing.T) {
	reqR, reqW := newPipe(t)
	respR, respW := newPipe(t)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // responder
		defer wg.Done()
		defer respW.Close()
		defer reqR.Close()
		buf := make([]byte, 8)
		for {
			if _, err := io.ReadFull(reqR, buf); err != nil {
				if err != io.EOF {
					t.Errorf("responder: %v", err)
				}
				return
			}
			copy(buf, "pong")
			if _, err := respW.Write(buf); err != nil {
				t.Errorf("responder: %v", err)
				return
			}
		}
	}()
	answered := make(chan int)
	go func() { // checker
		defer wg.Done()
		defer close(answered)
		defer respR.Close()
		buf := make([]byte, 8)
		for i := 0; i < 6; i++ {
			if _, err := fmt.Fprintf(reqW, "ping%04d", i); err != nil {
				t.Errorf("checker: %v", err)
				break
			}
			if _, err := io.ReadFull(respR, buf); err != nil {
				t.Errorf("checker: %v", err)
				break
			}
			if want := fmt.Sprintf("pong%04d", i); string(buf) != want {
				t.Errorf("got %q, want %q", buf, want)
			}
			answered <- i
		}
		reqW.Close()
		if n, err := respR.Read(buf); n != 0 || err != io.EOF {
			t.Errorf("after hang-up: %d bytes, %v", n, err)
		}
	}()
	probes := 0
	for range answered {
		churn(5000) // record the round trip
		probes++
	}
	wg.Wait()
	if probes != 6 {
		t.Errorf("%d probes answered, want 6", probes)
	}
}

// A relay copies everything from an upstream pipe to a downstream pipe with
// io.Copy, the way a proxy splices two connections. Three clients write
// numbered frames upstream under a mutex that also hands out the sequence
// numbers; a closer waits for the clients and closes upstream, which ends
// the copy; the downstream reader checks that the numbers arrive in order.
// schedcast: category=correct primitives=bufchan,mutex,waitgroup bug=none split=train
func TestProxyRelayCopy(t *testing.T) {
	upR, upW := newPipe(t)
	downR, downW := newPipe(t)
	copied := make(chan int64, 1)
	go func() { // relay
		n, err := io.Copy(downW, upR)
		if err != nil {
			t.Errorf("relay: %v", err)
		}
		upR.Close()
		downW.Close()
		copied <- n
	}()
	frames := make(chan int, 1)
	go func() { // downstream
		sc := bufio.NewScanner(downR)
		last, n := 0, 0
		for sc.Scan() {
			var seq int
			var who string
			if _, err := fmt.Sscanf(sc.Text(), "%d %s", &seq, &who); err != nil {
				t.Errorf("frame %q: %v", sc.Text(), err)
			}
			if seq != last+1 {
				t.Errorf("frame %d after %d", seq, last)
			}
			last = seq
			n++
		}
		if err := sc.Err(); err != nil {
			t.Errorf("downstream: %v", err)
		}
		downR.Close()
		frames <- n
	}()
	var mu sync.Mutex
	seq := 0
	var clients sync.WaitGroup
	for _, name := range []string{"alpha", "bravo", "charlie"} {
		name := name
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := 0; i < 4; i++ {
				churn(15000) // build the frame
				mu.Lock()
				seq++
				_, err := fmt.Fprintf(upW, "%03d %s\n", seq, name)
				mu.Unlock()
				if err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
			}
		}()
	}
	go func() { // closer
		clients.Wait()
		upW.Close()
	}()
	n := <-copied
	if got := <-frames; got != 12 {
		t.Errorf("%d frames downstream, want 12", got)
	}
	if want := int64(4 * (len("001 alpha\n") + len("001 bravo\n") + len("001 charlie\n"))); n != want {
		t.Errorf("relay copied %d bytes, want %d", n, want)
	}
}

// A heartbeat monitor reads one byte per beat from a pipe, arming a 2 ms
// read deadline before every read. The peer sends four beats and then goes
// silent without closing its end, like a hung process; the deadline wakes
// the monitor, which reports the peer dead. After the test tells the peer
// to hang up, the monitor drains whatever beats arrived after its verdict.
// schedcast: category=correct primitives=chan,close bug=none split=test
func TestHeartbeatReadDeadline(t *testing.T) {
	r, w := newPipe(t)
	quit := make(chan struct{})
	go func() { // peer
		for i := 0; i < 4; i++ {
			churn(10000)
			if _, err := w.Write([]byte{'b'}); err != nil {
				t.Errorf("peer: %v", err)
			}
		}
		<-quit
		w.Close()
	}()
	dead := make(chan int)
	total := make(chan int)
	go func() { // monitor
		buf := make([]byte, 1)
		beats := 0
		for {
			if err := r.SetReadDeadline(time.Now().Add(2 * time.Millisecond)); err != nil {
				t.Errorf("deadline: %v", err)
			}
			n, err := r.Read(buf)
			beats += n
			if err != nil {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("monitor: %v", err)
				}
				break
			}
		}
		dead <- beats
		<-quit
		r.SetReadDeadline(time.Time{})
		rest, err := io.ReadAll(r)
		if err != nil {
			t.Errorf("drain: %v", err)
		}
		r.Close()
		total <- beats + len(rest)
	}()
	t.Logf("peer declared dead after %d beats", <-dead)
	close(quit)
	if n := <-total; n != 4 {
		t.Errorf("%d beats in all, want 4", n)
	}
}

// An agent follows commands that an operator writes to a pipe and hands
// each to the test's dispatcher. After the third command the dispatcher
// cancels the agent's context; a watcher goroutine then closes the read end
// under the follower, whose blocked read returns os.ErrClosed, and the
// follower closes the command channel on its way out.
// schedcast: category=correct primitives=chan,close,range,select,context,waitgroup bug=none split=test
func TestShutdownClosesBlockedReader(t *testing.T) {
	r, w := newPipe(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmds := make(chan string)
	finished := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { // follower
		defer wg.Done()
		defer close(finished)
		defer close(cmds)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			cmds <- sc.Text()
		}
		if err := sc.Err(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("follower stopped with %v, want a closed-file error", err)
		}
	}()
	go func() { // watcher
		defer wg.Done()
		select {
		case <-ctx.Done():
			r.Close()
		case <-finished:
			r.Close()
		}
	}()
	go func() { // operator
		defer wg.Done()
		for _, c := range []string{"reload", "rotate", "status"} {
			churn(15000)
			if _, err := io.WriteString(w, c+"\n"); err != nil {
				t.Errorf("operator: %v", err)
			}
		}
	}()
	var got []string
	for c := range cmds {
		got = append(got, c)
		if len(got) == 3 {
			cancel()
		}
	}
	wg.Wait()
	w.Close()
	if strings.Join(got, ",") != "reload,rotate,status" {
		t.Errorf("commands %q", got)
	}
}

// lineFilter rewrites one line of a stream.
type lineFilter interface {
	Apply(line string) string
}

// upperFilter normalises a line to upper case.
type upperFilter struct{}

func (upperFilter) Apply(line string) string { return strings.ToUpper(line) }

// maskFilter hides every character of the last field but its final keep.
type maskFilter struct{ keep int }

func (m maskFilter) Apply(line string) string {
	i := strings.LastIndexByte(line, ' ') + 1
	field := line[i:]
	if len(field) <= m.keep {
		return line
	}
	return line[:i] + strings.Repeat("*", len(field)-m.keep) + field[len(field)-m.keep:]
}

// stage reads lines from one pipe, filters them and writes them to the
// next, reporting its progress through a callback.
type stage struct {
	name   string
	filter lineFilter
	in     *os.File
	out    *os.File
	onLine func(stage string, n int)
}

func (s *stage) run() error {
	defer s.out.Close()
	defer s.in.Close()
	sc := bufio.NewScanner(s.in)
	n := 0
	for sc.Scan() {
		if _, err := io.WriteString(s.out, s.filter.Apply(sc.Text())+"\n"); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		n++
		s.onLine(s.name, n)
	}
	return sc.Err()
}

// A payment export runs through two filter stages joined by pipes: the
// first normalises case, the second masks the card number. Each stage is a
// goroutine behind the same filter interface with its own implementation,
// and reports progress through a callback field; errors from the source
// and the stages are collected on a buffered channel.
// schedcast: category=correct primitives=bufchan,close,range,waitgroup,atomic bug=none split=train
func TestCardExportFilterStages(t *testing.T) {
	srcR, srcW := newPipe(t)
	midR, midW := newPipe(t)
	outR, outW := newPipe(t)
	var progress int64
	onLine := func(string, int) { atomic.AddInt64(&progress, 1) }
	stages := []*stage{
		{name: "upper", filter: upperFilter{}, in: srcR, out: midW, onLine: onLine},
		{name: "mask", filter: maskFilter{keep: 4}, in: midR, out: outW, onLine: onLine},
	}
	records := []string{"ada visa 4111222233334444", "bob amex 371449635398431", "cy mc 5500005555555559", "di visa 4012888888881881"}
	errc := make(chan error, len(stages)+1)
	var wg sync.WaitGroup
	for _, s := range stages {
		s := s
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- s.run()
		}()
	}
	wg.Add(1)
	go func() { // source
		defer wg.Done()
		defer srcW.Close()
		for _, rec := range records {
			churn(10000)
			if _, err := io.WriteString(srcW, rec+"\n"); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	out := make(chan []string, 1)
	go func() { // sink
		var lines []string
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		outR.Close()
		out <- lines
	}()
	lines := <-out
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Errorf("export: %v", err)
		}
	}
	want := []string{"ADA VISA ************4444", "BOB AMEX ***********8431", "CY MC ************5559", "DI VISA ************1881"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("exported %q", lines)
	}
	if p := atomic.LoadInt64(&progress); p != int64(2*len(records)) {
		t.Errorf("progress %d, want %d", p, 2*len(records))
	}
}
