// Programs for the hardening tests (tests/cli/harden_*_test.cc), collected by
// tests/cli/harden_make_store.sh.
package basic

import (
	"os"
	"testing"
)

// TestX: one goroutine (TestX.func1) hands a value to the test's goroutine. Its trace holds the
// function name "TestX.func1", which the UTF-8 tests corrupt.
func TestX(t *testing.T) {
	ch := make(chan int)
	go func() { ch <- 1 }()
	<-ch
}

// TestExitZero leaves the process with status 0 in the middle of the test: no PASS line, and the
// tracer never gets to flush.
func TestExitZero(t *testing.T) {
	done := make(chan bool)
	go func() { done <- true }()
	<-done
	os.Exit(0)
}

// TestSelectForever leaks a goroutine blocked in `select {}` (no cases) at basic_test.go:30.
func TestSelectForever(t *testing.T) {
	go func() {
		select {}
	}()
	ch := make(chan int)
	go func() { ch <- 1 }()
	<-ch
}
