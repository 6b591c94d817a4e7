// Package mempipe is a small framed protocol for goroutines that talk over
// in-memory pipes, the way tests of network code do: one end of a net.Pipe
// or an io.Pipe is handed to a server, a client or a stream reader written
// against io.Reader, io.Writer, io.ReadWriteCloser or net.Conn. Nothing
// here touches the operating system. Every Read and Write on those pipes is
// a hand-off between two goroutines through channels and a mutex, so a
// goroutine waiting for its peer blocks in a select or on a lock, never in
// a system call.
//
// The pieces:
//
//   - WriteFrame and ReadFrame, a length-prefixed frame codec;
//   - Client, request/response calls multiplexed over one connection by a
//     reader goroutine and a map of pending calls;
//   - Server, which handles requests concurrently and funnels every reply
//     through one writer goroutine;
//   - Demux, which sorts the frames of several streams into per-stream
//     mailboxes;
//   - ServeLines and LineClient, a newline-delimited command protocol;
//   - Stage, a line filter running behind an io.Pipe.
package mempipe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Kind says what a frame carries.
type Kind byte

// The frame kinds.
const (
	Request Kind = 'Q' // a call; ID is chosen by the caller
	Reply   Kind = 'R' // the answer to the Request with the same ID
	Ping    Kind = 'P' // a keep-alive probe
	Pong    Kind = 'O' // the answer to the Ping with the same ID
	Data    Kind = 'D' // a chunk of stream ID
	Fin     Kind = 'F' // the end of stream ID
)

func (k Kind) String() string {
	switch k {
	case Request:
		return "request"
	case Reply:
		return "reply"
	case Ping:
		return "ping"
	case Pong:
		return "pong"
	case Data:
		return "data"
	case Fin:
		return "fin"
	}
	return fmt.Sprintf("kind(%#x)", byte(k))
}

// Frame is one message on the wire: a 7-byte header (kind, 32-bit ID and
// 16-bit body length, big-endian) followed by the body.
type Frame struct {
	Kind Kind
	ID   uint32
	Body []byte
}

const headerLen = 7

// MaxBody is the largest body a frame can carry.
const MaxBody = 1<<16 - 1

// ErrTooLarge is returned by WriteFrame for a body over MaxBody bytes.
var ErrTooLarge = errors.New("mempipe: frame body too large")

// WriteFrame writes f to w with a single Write call. Pipes that let one
// Write finish before the next one starts (io.Pipe and net.Pipe both do)
// can therefore be shared by several writing goroutines without their
// frames interleaving.
func WriteFrame(w io.Writer, f Frame) error {
	if len(f.Body) > MaxBody {
		return ErrTooLarge
	}
	buf := make([]byte, headerLen+len(f.Body))
	buf[0] = byte(f.Kind)
	binary.BigEndian.PutUint32(buf[1:5], f.ID)
	binary.BigEndian.PutUint16(buf[5:7], uint16(len(f.Body)))
	copy(buf[headerLen:], f.Body)
	_, err := w.Write(buf)
	return err
}

// ReadFrame reads one frame from r. It returns io.EOF if r ends cleanly
// before a frame starts and io.ErrUnexpectedEOF if it ends inside one.
//
// On a pipe, a Read takes at most what one Write offered, so reading the
// header and the body are two hand-offs with the writer. Callers that read
// through a bufio.Reader take a whole frame (up to the reader's buffer
// size) in one hand-off, and a read deadline or a close can then never
// split a frame.
func ReadFrame(r io.Reader) (Frame, error) {
	var hdr [headerLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Frame{}, err
	}
	f := Frame{Kind: Kind(hdr[0]), ID: binary.BigEndian.Uint32(hdr[1:5])}
	f.Body = make([]byte, binary.BigEndian.Uint16(hdr[5:7]))
	if _, err := io.ReadFull(r, f.Body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, err
	}
	return f, nil
}
