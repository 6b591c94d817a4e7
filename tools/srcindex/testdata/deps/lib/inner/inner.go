// Package inner is a dependency of a dependency: indexed too (transitively).
package inner

import "sync"

// Gate lets one holder in at a time.
type Gate struct{ mu sync.Mutex }

// Pass takes and releases the gate.
func (g *Gate) Pass() {
	g.mu.Lock()
	g.mu.Unlock()
}
