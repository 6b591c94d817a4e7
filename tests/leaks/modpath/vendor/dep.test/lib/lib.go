// Package lib stands for a vendored third-party dependency of the modpath fixture.
package lib

// Go runs f on a new goroutine.
func Go(f func()) {
	go run(f) // line 6
}

func run(f func()) { f() }
