package pipes

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// A journal: four producers append records to one file through a shared
// buffered writer under a mutex, and after every second record ask a
// flusher goroutine to push the buffer to the file, coalescing requests
// through a one-slot channel with a non-blocking send. When the producers
// are done the flusher flushes once more, syncs the file to disk and closes
// it; the test then reads the journal back.
// schedcast: category=correct primitives=chan,bufchan,close,select,select-default,mutex,waitgroup bug=none split=validation
func TestJournalBufferedFlusher(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	bw := bufio.NewWriterSize(f, 256)
	flush := make(chan struct{}, 1)
	stop := make(chan struct{})
	flushed := make(chan int)
	go func() { // flusher
		flushes := 0
		for {
			select {
			case <-flush:
				mu.Lock()
				err := bw.Flush()
				mu.Unlock()
				if err != nil {
					t.Errorf("flush: %v", err)
				}
				flushes++
			case <-stop:
				mu.Lock()
				err := bw.Flush()
				if err == nil {
					err = f.Sync()
				}
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				mu.Unlock()
				if err != nil {
					t.Errorf("final flush: %v", err)
				}
				flushed <- flushes + 1
				return
			}
		}
	}()
	var producers sync.WaitGroup
	for p := 0; p < 4; p++ {
		p := p
		producers.Add(1)
		go func() {
			defer producers.Done()
			for i := 0; i < 6; i++ {
				churn(10000) // build the record
				mu.Lock()
				_, err := fmt.Fprintf(bw, "producer=%d seq=%d\n", p, i)
				mu.Unlock()
				if err != nil {
					t.Errorf("producer %d: %v", p, err)
					return
				}
				if i%2 == 1 {
					select {
					case flush <- struct{}{}:
					default: // a flush is already pending
					}
				}
			}
		}()
	}
	producers.Wait()
	close(stop)
	t.Logf("%d flushes", <-flushed)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	next := make([]int, 4)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for _, line := range lines {
		var p, seq int
		if _, err := fmt.Sscanf(line, "producer=%d seq=%d", &p, &seq); err != nil || p < 0 || p > 3 {
			t.Fatalf("bad record %q", line)
		}
		if seq != next[p] {
			t.Errorf("producer %d: seq %d, want %d", p, seq, next[p])
		}
		next[p]++
	}
	if len(lines) != 24 {
		t.Errorf("%d records, want 24", len(lines))
	}
}

// A stock counter checkpoints itself: three workers count items under a
// mutex while a checkpointer goroutine, on every tick, snapshots the
// counts and writes them to a temporary file that it renames over the
// checkpoint. Cancelling its context makes it write one last checkpoint,
// which the test reads back.
// schedcast: category=correct primitives=chan,select,ticker,context,mutex,waitgroup bug=none split=train
func TestCheckpointerWhileWorkersCount(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "stock.ckpt")
	var mu sync.Mutex
	stock := map[string]int{}
	save := func() error {
		mu.Lock()
		items := make([]string, 0, len(stock))
		for item := range stock {
			items = append(items, item)
		}
		sort.Strings(items)
		var b strings.Builder
		for _, item := range items {
			fmt.Fprintf(&b, "%s=%d\n", item, stock[item])
		}
		mu.Unlock()
		tmp := final + ".tmp"
		if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
			return err
		}
		return os.Rename(tmp, final)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan int)
	go func() { // checkpointer
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		saves := 0
		for {
			select {
			case <-tick.C:
				if err := save(); err != nil {
					t.Errorf("checkpoint: %v", err)
				}
				saves++
			case <-ctx.Done():
				if err := save(); err != nil {
					t.Errorf("last checkpoint: %v", err)
				}
				stopped <- saves + 1
				return
			}
		}
	}()
	var workers sync.WaitGroup
	for _, item := range []string{"bolts", "nuts", "washers"} {
		item := item
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := 0; i < 10; i++ {
				churn(25000) // count a bin
				mu.Lock()
				stock[item]++
				mu.Unlock()
			}
		}()
	}
	workers.Wait()
	cancel()
	t.Logf("%d checkpoints", <-stopped)
	data, err := os.ReadFile(final)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "bolts=10\nnuts=10\nwashers=10\n" {
		t.Errorf("checkpoint %q", data)
	}
}

// recordSink is where a spooler delivers each record.
type recordSink interface {
	Put(rec string) error
	Close() error
}

// fileSink appends records to a file through a buffered writer.
type fileSink struct {
	f       *os.File
	w       *bufio.Writer
	n       int
	onClose func(name string, n int)
}

func (s *fileSink) Put(rec string) error {
	s.n++
	_, err := s.w.WriteString(rec + "\n")
	return err
}

func (s *fileSink) Close() error {
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.onClose("file", s.n)
	return err
}

// streamSink forwards records to any io.WriteCloser (here a pipe).
type streamSink struct {
	w       io.WriteCloser
	n       int
	onClose func(name string, n int)
}

func (s *streamSink) Put(rec string) error {
	s.n++
	_, err := io.WriteString(s.w, rec+"\n")
	return err
}

func (s *streamSink) Close() error {
	err := s.w.Close()
	s.onClose("stream", s.n)
	return err
}

// A print spooler: two clients submit jobs on an unbuffered channel, and a
// dispatcher goroutine delivers every job to each of its sinks through the
// recordSink interface: a file sink that buffers into a spool file, and a
// stream sink writing to a pipe that a printer goroutine drains. Closing the
// job channel makes the dispatcher close its sinks, whose callbacks report
// how many jobs each took.
// schedcast: category=correct primitives=chan,bufchan,close,range,waitgroup bug=none split=train
func TestSpoolerFansOutToSinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	reports := make(chan string, 2)
	onClose := func(name string, n int) { reports <- fmt.Sprintf("%s:%d", name, n) }
	sinks := []recordSink{
		&fileSink{f: f, w: bufio.NewWriter(f), onClose: onClose},
		&streamSink{w: w, onClose: onClose},
	}
	printed := make(chan int, 1)
	go func() { // printer
		sc := bufio.NewScanner(r)
		n := 0
		for sc.Scan() {
			churn(5000) // move the print head
			n++
		}
		if err := sc.Err(); err != nil {
			t.Errorf("printer: %v", err)
		}
		r.Close()
		printed <- n
	}()
	jobs := make(chan string)
	done := make(chan struct{})
	go func() { // dispatcher
		defer close(done)
		for job := range jobs {
			for _, s := range sinks {
				if err := s.Put(job); err != nil {
					t.Errorf("put %q: %v", job, err)
				}
			}
		}
		for _, s := range sinks {
			if err := s.Close(); err != nil {
				t.Errorf("close sink: %v", err)
			}
		}
	}()
	var clients sync.WaitGroup
	for _, c := range []string{"accounts", "shipping"} {
		c := c
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := 0; i < 5; i++ {
				churn(10000)
				jobs <- fmt.Sprintf("%s-invoice-%d", c, i)
			}
		}()
	}
	clients.Wait()
	close(jobs)
	<-done
	close(reports)
	var got []string
	for rep := range reports {
		got = append(got, rep)
	}
	if strings.Join(got, " ") != "file:10 stream:10" {
		t.Errorf("sink reports %q", got)
	}
	if n := <-printed; n != 10 {
		t.Errorf("printer printed %d jobs, want 10", n)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 10 {
		t.Errorf("spool file holds %d jobs, want 10", n)
	}
}
