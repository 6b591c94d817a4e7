package mempipe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// ServeLines answers a newline-delimited command protocol on rw: it reads
// each command with a bufio.Scanner and writes fn's answer as one line
// through a bufio.Writer, flushed after every answer because the peer waits
// for it before sending the next command. It returns the number of
// commands answered and nil when the input ends, or the first error.
func ServeLines(rw io.ReadWriter, fn func(string) string) (int, error) {
	sc := bufio.NewScanner(rw)
	w := bufio.NewWriter(rw)
	n := 0
	for sc.Scan() {
		if _, err := fmt.Fprintf(w, "%s\n", fn(sc.Text())); err != nil {
			return n, err
		}
		if err := w.Flush(); err != nil {
			return n, err
		}
		n++
	}
	return n, sc.Err()
}

// LineClient sends commands to a ServeLines peer. Do may be called from
// several goroutines at once: a mutex keeps each command together with its
// answer.
type LineClient struct {
	mu   sync.Mutex
	conn io.ReadWriteCloser
	r    *bufio.Reader
}

// NewLineClient returns a client on conn.
func NewLineClient(conn io.ReadWriteCloser) *LineClient {
	return &LineClient{conn: conn, r: bufio.NewReader(conn)}
}

// Do sends cmd and returns the answer, without its newline.
func (lc *LineClient) Do(cmd string) (string, error) {
	if strings.Contains(cmd, "\n") {
		return "", errors.New("mempipe: command contains a newline")
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if _, err := fmt.Fprintf(lc.conn, "%s\n", cmd); err != nil {
		return "", err
	}
	line, err := lc.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}

// Close hangs up; the peer's ServeLines sees the end of its input.
func (lc *LineClient) Close() error { return lc.conn.Close() }

// Stage starts a goroutine that reads lines from r with a bufio.Scanner,
// passes each through fn and writes the lines fn keeps, one Write each, to
// an io.Pipe whose read end it returns. When r ends, or a write fails
// because the returned reader was closed, the stage closes r if r is an
// io.Closer (releasing a writer upstream) and then closes the pipe, with
// the error that stopped it if any, so that its reader sees io.EOF or that
// error.
func Stage(r io.Reader, fn func(line string) (string, bool)) *io.PipeReader {
	pr, pw := io.Pipe()
	go func() {
		sc := bufio.NewScanner(r)
		var err error
		for sc.Scan() {
			line, keep := fn(sc.Text())
			if !keep {
				continue
			}
			if _, err = fmt.Fprintln(pw, line); err != nil {
				break
			}
		}
		if err == nil {
			err = sc.Err()
		}
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}
