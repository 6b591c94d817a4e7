// Package wire is the small protocol layer that the programs in
// corpus/io/sockets speak over loopback TCP: length-prefixed frames, a
// request/reply message carrying an id, a connection wrapper whose writes are
// serialised by a mutex (so several goroutines may send on one connection
// while one goroutine reads from it), and a handler interface with a loop
// that serves one connection with it.
//
// The package starts no goroutines and owns no connections: every goroutine
// and every Close belongs to the program that calls it.
package wire

import (
	"encoding/binary"
	"errors"
	"io"
)

// MaxFrame bounds the payload of one frame. A larger length prefix means the
// stream is corrupt (or not speaking this protocol), not that the peer wants
// a large allocation.
const MaxFrame = 64 << 10

// ErrFrameTooLarge is returned for a frame whose payload exceeds MaxFrame.
var ErrFrameTooLarge = errors.New("wire: frame exceeds MaxFrame")

// WriteFrame writes p preceded by its length as a 4-byte big-endian integer.
// With a buffered writer underneath, the caller flushes.
func WriteFrame(w io.Writer, p []byte) error {
	if len(p) > MaxFrame {
		return ErrFrameTooLarge
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(p)))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err := w.Write(p)
	return err
}

// ReadFrame reads one frame written by WriteFrame. It returns io.EOF only
// when the stream ends cleanly between two frames; a stream cut inside a
// frame gives io.ErrUnexpectedEOF.
func ReadFrame(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxFrame {
		return nil, ErrFrameTooLarge
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return p, nil
}
