// Hazards (docs/LEAKS.md): a time.AfterFunc callback may act on any channel, so the test that
// arms one gets no R2 proof; its neighbour, which never runs that code, still does.
package hazard

import (
	"testing"
	"time"
)

func TestOrphanWithAfterFunc(t *testing.T) {
	results := make(chan int)
	go func() {
		results <- 1 // line 13
	}()
	time.AfterFunc(time.Hour, func() { <-results })
}

func TestOrphanBesideAfterFunc(t *testing.T) {
	results := make(chan int)
	go func() {
		results <- 2 // line 21
	}()
}
