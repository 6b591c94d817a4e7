package mixed

import "sync/atomic"

// sink keeps churn's arithmetic from being optimised away.
var sink int64

// churn burns roughly n small steps of CPU so that goroutines started at
// the same time overlap for a while instead of finishing instantly.
func churn(n int) {
	x := int64(1)
	for i := 0; i < n; i++ {
		x = x*31 + int64(i)
	}
	atomic.AddInt64(&sink, x)
}
