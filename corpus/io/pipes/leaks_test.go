package pipes

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// child is a child process as its supervisor sees it: the read end of the
// child's output pipe and the supervisor's own copy of the write end.
type child struct {
	stdout  *os.File
	stdoutW *os.File
	seen    int
}

// A supervisor starts a child and a tailer on the child's output, arms a
// short start-up timeout and writes its pid file before looking at either.
// When the child's "ready" line wins, the supervisor lets it finish and the
// child closes the pipe. When the timeout wins, it kills the child but
// forgets to close the write end it holds, so the tailer never sees EOF
// and stays parked in its pipe read.
// schedcast: category=leak primitives=chan,bufchan,close,select,after bug=leak split=train
func TestSupervisorKeepsChildPipeOpen(t *testing.T) {
	r, w := newPipe(t)
	c := &child{stdout: r, stdoutW: w}
	ready := make(chan string, 1)
	go func() { // tailer
		buf := make([]byte, 64)
		for {
			n, err := c.stdout.Read(buf) // schedcast:block
			if n > 0 && c.seen == 0 {
				ready <- string(buf[:n])
			}
			c.seen += n
			if err != nil {
				c.stdout.Close()
				return
			}
		}
	}()
	finish := make(chan struct{})
	kill := make(chan struct{})
	go func() { // the child
		io.WriteString(c.stdoutW, "ready\n")
		select {
		case <-finish:
			io.WriteString(c.stdoutW, "bye\n")
			c.stdoutW.Close()
		case <-kill:
			// killed: closing the pipe is the supervisor's job now
		}
	}()
	timeout := time.After(200 * time.Microsecond)
	time.Sleep(time.Millisecond) // write the pid file
	select {
	case line := <-ready:
		t.Logf("child says %q", strings.TrimSpace(line))
		close(finish)
	case <-timeout:
		t.Logf("child slow to start; killing it")
		close(kill)
		// BUG: c.stdoutW is never closed, so the tailer waits for EOF forever
	}
}

// snapshot is a pipe between a snapshot exporter and an importer.
type snapshot struct {
	r, w *os.File
	sent int
}

// A database streams a 256 KiB snapshot into a pipe while an importer
// reads the header and validates it. The client confirms the import and
// hangs up straight away, so the importer's select finds both the
// confirmation and the cancellation. Taking the cancellation, it returns
// without closing its end of the pipe: the exporter fills the 64 KiB pipe
// buffer and blocks in a write that can never finish.
// schedcast: category=leak primitives=chan,bufchan,close,select,context bug=leak split=validation
func TestSnapshotExportClientHungUp(t *testing.T) {
	r, w := newPipe(t)
	s := &snapshot{r: r, w: w}
	data := bytes.Repeat([]byte("row,"), 64<<10)
	go func() { // exporter
		const chunk = 16 << 10
		for off := 0; off < len(data); off += chunk {
			n, err := s.w.Write(data[off : off+chunk]) // schedcast:block
			s.sent += n
			if err != nil {
				break
			}
		}
		s.w.Close()
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	accept := make(chan struct{})
	outcome := make(chan string, 1)
	go func() { // importer
		hdr := make([]byte, 16)
		if _, err := io.ReadFull(s.r, hdr); err != nil {
			t.Errorf("header: %v", err)
		}
		time.Sleep(time.Millisecond) // check the header against the schema
		select {
		case <-accept:
			n, err := io.Copy(io.Discard, s.r)
			if err != nil {
				t.Errorf("import: %v", err)
			}
			s.r.Close()
			outcome <- fmt.Sprintf("imported %d bytes", n+int64(len(hdr)))
		case <-ctx.Done():
			outcome <- "client hung up"
			// BUG: s.r stays open, so the exporter is never told to stop
		}
	}()
	close(accept) // the client confirms the import...
	cancel()      // ...and disconnects at once
	t.Log(<-outcome)
}

// An alert router reads an application's log through a splitter goroutine
// that turns the pipe into an unbuffered channel of lines. The router arms
// a short timeout for the first line and loads its rules before looking.
// When the timeout wins it gives up on the source, and the splitter is left
// holding a line nobody will receive.
// schedcast: category=leak primitives=chan,bufchan,close,range,select,after bug=leak split=train
func TestAlertRouterAbandonsSplitter(t *testing.T) {
	r, w := newPipe(t)
	go func() { // the application
		for _, l := range []string{"INFO start", "WARN slow disk", "ERROR replica down", "INFO retry"} {
			if _, err := io.WriteString(w, l+"\n"); err != nil {
				t.Errorf("app: %v", err)
			}
		}
		w.Close()
	}()
	lines := make(chan string)
	go func() { // splitter
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text() // schedcast:block
		}
		r.Close()
		close(lines)
	}()
	verdict := make(chan string, 1)
	go func() { // router
		timeout := time.After(200 * time.Microsecond)
		time.Sleep(time.Millisecond) // load the alert rules
		select {
		case first := <-lines:
			worst := first
			for l := range lines {
				if strings.HasPrefix(l, "ERROR") {
					worst = l
				}
			}
			verdict <- "page on-call: " + worst
		case <-timeout:
			verdict <- "log source too slow; routing nothing"
			// BUG: nobody drains lines any more
		}
	}()
	t.Log(<-verdict)
}
