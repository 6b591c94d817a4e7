package wire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// Conn carries messages over a stream connection. Send may be called from
// several goroutines at once: a mutex keeps each message's bytes together and
// flushes them before the next sender writes. Recv is for one goroutine at a
// time (the connection's reader). Close may be called from any goroutine and
// unblocks a pending Recv.
type Conn struct {
	nc net.Conn
	r  *bufio.Reader

	mu sync.Mutex // guards w
	w  *bufio.Writer
}

// NewConn wraps nc; closing the Conn closes nc.
func NewConn(nc net.Conn) *Conn {
	return &Conn{nc: nc, r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}
}

// Dial connects to a TCP address (in the corpus always a loopback one).
func Dial(addr string) (*Conn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return NewConn(nc), nil
}

// Send encodes m and writes it as one frame, flushed before Send returns.
func (c *Conn) Send(m Message) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := WriteFrame(c.w, b); err != nil {
		return err
	}
	return c.w.Flush()
}

// Recv reads the next message.
func (c *Conn) Recv() (Message, error) {
	var m Message
	p, err := ReadFrame(c.r)
	if err != nil {
		return m, err
	}
	err = m.UnmarshalBinary(p)
	return m, err
}

// Call sends a request and reads the next message as its reply. It suits a
// connection with one caller and no other reader.
func (c *Conn) Call(id uint32, body string) (Message, error) {
	if err := c.Send(NewRequest(id, body)); err != nil {
		return Message{}, err
	}
	m, err := c.Recv()
	if err != nil {
		return m, err
	}
	if m.Kind != Reply || m.ID != id {
		return m, fmt.Errorf("wire: call #%d answered by %s", id, m)
	}
	return m, nil
}

// CloseWrite half-closes a TCP connection: the peer reads EOF after the
// frames already sent, while this side can still receive.
func (c *Conn) CloseWrite() error {
	if tc, ok := c.nc.(*net.TCPConn); ok {
		return tc.CloseWrite()
	}
	return c.nc.Close()
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// SetReadDeadline sets the deadline for pending and future Recv calls.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error { return c.nc.SetDeadline(t) }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// IsTimeout reports whether err is a deadline expiry.
func IsTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// IsClosed reports whether err means the connection is gone: closed here,
// ended by the peer, or reset.
func IsClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}
