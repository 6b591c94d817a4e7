package pipes

import (
	"io"
	"net"
	"os"
	"testing"
)

// pair returns two connected in-memory ends.
func pair() (net.Conn, net.Conn) { return net.Pipe() }

// named returns an io.Pipe's ends through named results and a bare return.
func named() (r *io.PipeReader, w *io.PipeWriter) {
	r, w = io.Pipe()
	return
}

func TestCountBoth(t *testing.T) {
	r, w := named()
	go func() { w.Write([]byte("abc")); w.Close() }()
	Count(r)
	f, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	Count(f)
	a, b := pair()
	go func(c net.Conn) { c.Write([]byte("x")) }(a)
	buf := make([]byte, 1)
	b.Read(buf)
	pr, pw, _ := os.Pipe() // a file: system calls
	pw.Write([]byte("y"))
	pr.Read(buf)
}

// tapped reports its writes; its reads are the embedded pipe end's.
type tapped struct {
	net.Conn
	wrote chan int
}

func (c tapped) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.wrote <- n
	return n, err
}

// Serve is given a pipe end, once bare and once inside a tapped.
func Serve(c io.ReadWriter) { c.Write([]byte("ok")) }

func TestServeTapped(t *testing.T) {
	a, b := net.Pipe()
	go Serve(a)
	go Serve(tapped{b, make(chan int, 1)})
}
