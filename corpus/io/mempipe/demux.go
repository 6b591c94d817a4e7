package mempipe

import (
	"bufio"
	"io"
	"sync"
)

// Demux sorts the Data frames of several streams, all read from one
// reader, into per-stream mailboxes: buffered channels of chunk bodies, one
// per stream ID. A Fin frame closes its stream's mailbox. Delivery waits
// while a mailbox is full, so a consumer that falls behind holds up every
// stream behind it and, through the pipe, every writer: a consumer must
// drain its mailbox until it is closed.
type Demux struct {
	size int

	mu      sync.Mutex // guards the fields below
	boxes   map[uint32]chan []byte
	dropped int // frames of streams nobody opened
}

// NewDemux returns a Demux whose mailboxes hold up to size chunks each.
func NewDemux(size int) *Demux {
	return &Demux{size: size, boxes: map[uint32]chan []byte{}}
}

// Open returns the mailbox of stream id. Streams must be opened before
// their first frame is read; frames of streams not open are dropped.
func (d *Demux) Open(id uint32) <-chan []byte {
	ch := make(chan []byte, d.size)
	d.mu.Lock()
	d.boxes[id] = ch
	d.mu.Unlock()
	return ch
}

// SendStream writes chunks to w as the Data frames of stream id, then a
// Fin frame. Each frame is one Write, so several streams may share a pipe.
func SendStream(w io.Writer, id uint32, chunks [][]byte) error {
	for _, c := range chunks {
		if err := WriteFrame(w, Frame{Kind: Data, ID: id, Body: c}); err != nil {
			return err
		}
	}
	return WriteFrame(w, Frame{Kind: Fin, ID: id})
}

// Run reads frames from r through a bufio.Reader and delivers them until r
// ends, then closes the mailboxes still open. It returns nil when r ended
// cleanly and the read error otherwise.
func (d *Demux) Run(r io.Reader) error {
	br := bufio.NewReader(r)
	for {
		f, err := ReadFrame(br)
		if err != nil {
			d.mu.Lock()
			for id, ch := range d.boxes {
				close(ch)
				delete(d.boxes, id)
			}
			d.mu.Unlock()
			if err == io.EOF {
				return nil
			}
			return err
		}
		d.mu.Lock()
		ch := d.boxes[f.ID]
		if ch == nil {
			d.dropped++
		} else if f.Kind == Fin {
			delete(d.boxes, f.ID)
		}
		d.mu.Unlock()
		switch {
		case ch == nil:
		case f.Kind == Fin:
			close(ch)
		case f.Kind == Data:
			ch <- f.Body // waits while the mailbox is full
		}
	}
}
