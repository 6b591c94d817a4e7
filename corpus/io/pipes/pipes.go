// Package pipes holds programs in which goroutines other than the test
// goroutine do real I/O through the operating system, the way services do:
// loggers and tailers on both ends of an os.Pipe, relays and pipeline
// stages between pipes, readers parked in the netpoller until a writer
// writes, a deadline or a close wakes them, and workers that append to,
// flush, sync and checkpoint files under t.TempDir(). There is no network.
//
// The correct programs close every file they open. The leak kernels leave a
// goroutine blocked in a pipe read, in a write to a full pipe, or on a
// channel fed from a pipe, and keep the other end of the pipe reachable so
// that no finalizer can close it behind their back.
package pipes

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
