package wire

import "io"

// Handler answers one request.
type Handler interface {
	Handle(req Message) Message
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(req Message) Message

// Handle calls f(req).
func (f HandlerFunc) Handle(req Message) Message { return f(req) }

// ServeConn answers the messages arriving on c until the peer says Bye or
// ends the stream: each Request goes to h and its answer is sent back; each
// Ping is answered by a Pong. It returns how many requests it served, and a
// nil error for a Bye or a clean end of stream. It does not close c.
func ServeConn(c *Conn, h Handler) (int, error) {
	served := 0
	for {
		m, err := c.Recv()
		if err != nil {
			if err == io.EOF {
				return served, nil
			}
			return served, err
		}
		switch m.Kind {
		case Bye:
			return served, nil
		case Ping:
			err = c.Send(m.Answer(m.Text()))
		case Request:
			served++
			err = c.Send(h.Handle(m))
		default:
			err = ErrBadMessage
		}
		if err != nil {
			return served, err
		}
	}
}
