package opaque

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"testing"

	"example.com/remote/lib"
)

type Handler interface{ Serve(line string) }

type upper struct{ out chan string }

func (u upper) Serve(line string) { u.out <- strings.ToUpper(line) }

type peer struct {
	conn   net.Conn
	onLine func(string)
	r      *bufio.Reader
}

func (p *peer) pump(h Handler) {
	line, err := p.r.ReadString('\n')
	if err != nil {
		return
	}
	p.onLine(line)
	h.Serve(line)
	p.conn.SetDeadline(lib.Deadline())
	p.conn.Write([]byte(line))
	p.conn.Close()
}

func apply(f func(int) int, x int) int { return f(x) }

// Two implementations of Sink: which one a call runs is not known.
type Sink interface{ Put(s string) }

type chanSink chan string

func (c chanSink) Put(s string) { c <- s }

type dropSink struct{}

func (dropSink) Put(string) {}

func deliver(k Sink, s string) { k.Put(s) }

// Through readers and writers of unknown kind: indirect io.
func relay(dst io.Writer, src io.Reader) {
	io.Copy(dst, src)
	fmt.Fprintf(dst, "done\n")
	fmt.Fprintln(os.Stderr, "relayed") // a file: direct
	dst.Write(nil)
	a, b := net.Pipe() // in-memory conns: their methods are a pipe's
	a.Write(nil)
	b.Close()
}

func TestOpaque(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err.Error())
	}
	logger := log.New(w, "", 0)
	go func() {
		logger.Printf("%d", apply(func(x int) int { return x + 1 }, 1))
		w.Close()
	}()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		t.Logf("got %s", sc.Text())
	}
	s := fmt.Sprintf("%d", 2)
	fmt.Println(s, string([]byte(s)))
	lib.Flush()
	os.Stdout.Write([]byte(s))
	p := &peer{r: bufio.NewReader(strings.NewReader("x\n"))}
	_ = p
}

func listen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestAcceptFromHelper(t *testing.T) {
	ln := listen(t)
	c, _ := ln.Accept()
	c.Close()
}
