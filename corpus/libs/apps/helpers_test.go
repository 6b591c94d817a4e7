// Package apps holds programs whose goroutines do their work by calling into
// the libraries next to it (kv, jobs and bus), the way applications call
// third-party packages: the locks, channels and wait groups they block on
// live inside those packages, not in the test functions.
package apps

import "sync/atomic"

// sink keeps churn's arithmetic from being optimised away.
var sink int64

// churn burns roughly n small steps of CPU so that goroutines started at the
// same time overlap for a while instead of finishing instantly.
func churn(n int) {
	x := int64(1)
	for i := 0; i < n; i++ {
		x = x*31 + int64(i)
	}
	atomic.AddInt64(&sink, x)
}
