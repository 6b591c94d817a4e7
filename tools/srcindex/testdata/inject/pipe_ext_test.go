package pipe_test

import (
	"testing"

	pipe "schedcast.dev/injectfixture"
)

func TestExternal(t *testing.T) {
	res := make(chan int, 1)
	go func() { res <- pipe.Sum(4) }()
	if got := <-res; got != 10 {
		t.Fatalf("Sum(4) = %d", got)
	}
}
