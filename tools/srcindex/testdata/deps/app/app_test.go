package app

import (
	"testing"

	"example.com/deps"
	"example.com/deps/lib"
)

func TestQueue(t *testing.T) {
	q := lib.New()
	q.Put(lib.Upper("a"))
	lib.Ping()
	q.Close()
	deps.Signal()
}
