// Package lib sits in the same GOPATH tree as example.org/app (no go.mod of its own).
package lib

import "sync"

var mu sync.Mutex

// Bump locks a package-level mutex.
func Bump() {
	mu.Lock()
	mu.Unlock()
}
