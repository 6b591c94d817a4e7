// Package pipes is a fixture for pipes.go: pipe ends handed to the package's functions, stored in
// fields, wrapped in bufio and returned by helpers, next to readers that are files or buffers.
package pipes

import (
	"bufio"
	"fmt"
	"io"
)

// Link keeps one end of a connection; the tests only ever give it a pipe end.
type Link struct {
	rwc io.ReadWriteCloser
	log io.Writer // a pipe in one test, a buffer in another
}

func NewLink(rwc io.ReadWriteCloser, log io.Writer) *Link { return &Link{rwc: rwc, log: log} }

// Send writes through the field (a pipe) and logs (unknown: a buffer too).
func (l *Link) Send(msg string) error {
	if _, err := l.rwc.Write([]byte(msg + "\n")); err != nil {
		return err
	}
	fmt.Fprintln(l.log, "sent", msg)
	return nil
}

// Recv reads a line through a bufio reader around the field, in a helper taking an io.Reader.
func (l *Link) Recv() (string, error) { return readLine(bufio.NewReader(l.rwc)) }

func readLine(r *bufio.Reader) (string, error) { return r.ReadString('\n') }

// Count reads whatever it is given: a pipe end from one caller, a file from another.
func Count(r io.Reader) int {
	n, _ := io.Copy(io.Discard, r)
	return int(n)
}
