// The external test package of lib: its calls of lib's functions and methods are calls into the
// package indexed beside it.
package lib_test

import (
	"testing"

	"example.com/deps/lib"
)

func TestQueueFromOutside(t *testing.T) {
	q := lib.New()
	q.Put("a")
	q.Close()
	lib.Ping()
}
