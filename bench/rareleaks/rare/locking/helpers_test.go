package locking

import (
	"crypto/sha256"
	"testing"
	"time"
)

// digest hashes n bytes derived from salt: the short real work of the
// kernels (encoding a record, checksumming a block, pricing a quote).
func digest(n int, salt byte) [32]byte {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte(i) ^ salt
	}
	return sha256.Sum256(buf)
}

// settle waits for done, giving up after 250 ms as a caller with a deadline
// would; the test passes either way (a manifest bug is seen in the trace and
// in the goroutines it leaves blocked, not through t.Fatal).
func settle(t *testing.T, done <-chan struct{}, what string) {
	select {
	case <-done:
	case <-time.After(250 * time.Millisecond):
		t.Logf("%s did not finish", what)
	}
}
