package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Kind says what a message is for.
type Kind uint8

// The message kinds. A Request is answered by a Reply with the same ID; a
// Ping by a Pong with the same ID; Bye announces that the sender will send
// nothing more and expects no answer.
const (
	Request Kind = iota + 1
	Reply
	Ping
	Pong
	Bye
)

var kindNames = [...]string{Request: "request", Reply: "reply", Ping: "ping", Pong: "pong", Bye: "bye"}

func (k Kind) String() string {
	if k >= Request && k <= Bye {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// headerLen is the encoded size of a message without its body: kind, id.
const headerLen = 1 + 4

// ErrBadMessage is returned when a frame does not hold a well-formed message.
var ErrBadMessage = errors.New("wire: malformed message")

// Message is the unit the protocol exchanges: one message per frame.
type Message struct {
	Kind Kind
	ID   uint32
	Body []byte
}

// NewRequest returns a request with the given id and body.
func NewRequest(id uint32, body string) Message {
	return Message{Kind: Request, ID: id, Body: []byte(body)}
}

// Answer returns the reply to m (or the pong to a ping) with the given body.
func (m Message) Answer(body string) Message {
	k := Reply
	if m.Kind == Ping {
		k = Pong
	}
	return Message{Kind: k, ID: m.ID, Body: []byte(body)}
}

// Text returns the body as a string.
func (m Message) Text() string { return string(m.Body) }

func (m Message) String() string {
	return fmt.Sprintf("%s#%d %q", m.Kind, m.ID, m.Body)
}

// MarshalBinary encodes m as kind (1 byte), id (4 bytes, big-endian), body.
func (m Message) MarshalBinary() ([]byte, error) {
	if m.Kind < Request || m.Kind > Bye {
		return nil, fmt.Errorf("wire: cannot encode %s", m.Kind)
	}
	b := make([]byte, headerLen+len(m.Body))
	b[0] = byte(m.Kind)
	binary.BigEndian.PutUint32(b[1:headerLen], m.ID)
	copy(b[headerLen:], m.Body)
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary produced. The body is copied.
func (m *Message) UnmarshalBinary(b []byte) error {
	if len(b) < headerLen {
		return ErrBadMessage
	}
	k := Kind(b[0])
	if k < Request || k > Bye {
		return fmt.Errorf("%w: unknown kind %d", ErrBadMessage, b[0])
	}
	m.Kind = k
	m.ID = binary.BigEndian.Uint32(b[1:headerLen])
	m.Body = append([]byte(nil), b[headerLen:]...)
	return nil
}
