package pipes_test

import (
	"bytes"
	"net"
	"testing"

	"pipes.test"
)

func TestLinkOverPipe(t *testing.T) {
	a, b := net.Pipe()
	la := pipes.NewLink(a, b)
	var logged bytes.Buffer
	lb := pipes.NewLink(b, &logged)
	go la.Send("hello")
	lb.Recv()
}
