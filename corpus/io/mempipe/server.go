package mempipe

import (
	"bufio"
	"io"
	"sync"
)

// Handler computes the reply body for a request body. A Server may call it
// from several goroutines at once.
type Handler func(req []byte) []byte

// Server answers Request frames with Reply frames and Ping frames with Pong
// frames; it ignores frames of other kinds.
type Server struct {
	Handler Handler
	// Workers bounds how many requests are handled at once (at least one).
	Workers int
}

// Serve answers the frames arriving on rwc until the peer hangs up or a
// read fails. Each request is handled in a goroutine of its own as soon as
// one of the Workers slots is free, so replies may leave out of order;
// pings are answered by the reading goroutine itself. All replies go
// through one writer goroutine fed by an unbuffered channel, so no two
// goroutines ever write to rwc. Once reading stops, Serve waits for the
// handlers still running, lets the writer finish (replies that can no
// longer be written are dropped), closes rwc and returns nil if the peer
// hung up (io.EOF) or the read error otherwise.
func (s *Server) Serve(rwc io.ReadWriteCloser) error {
	workers := s.Workers
	if workers < 1 {
		workers = 1
	}
	out := make(chan Frame)
	written := make(chan struct{})
	go func() { // writer
		defer close(written)
		var werr error
		for f := range out {
			if werr == nil {
				werr = WriteFrame(rwc, f)
			}
		}
	}()

	slots := make(chan struct{}, workers)
	var handlers sync.WaitGroup
	br := bufio.NewReader(rwc)
	var err error
	for {
		var f Frame
		if f, err = ReadFrame(br); err != nil {
			break
		}
		switch f.Kind {
		case Ping:
			out <- Frame{Kind: Pong, ID: f.ID}
		case Request:
			handlers.Add(1)
			go func(req Frame) {
				defer handlers.Done()
				slots <- struct{}{}
				body := s.Handler(req.Body)
				<-slots
				out <- Frame{Kind: Reply, ID: req.ID, Body: body}
			}(f)
		}
	}
	handlers.Wait()
	close(out)
	<-written
	rwc.Close()
	if err == io.EOF {
		return nil
	}
	return err
}
