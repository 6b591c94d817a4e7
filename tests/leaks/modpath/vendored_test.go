package app

import (
	"testing"

	"dep.test/lib"
)

// A goroutine created inside a vendored dependency that blocks in user code (the callback).
func TestVendoredSpawn(t *testing.T) {
	ch := make(chan int)
	lib.Go(func() {
		ch <- 1 // line 13
	})
}
