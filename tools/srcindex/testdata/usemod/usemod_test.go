package usemod

import (
	"sync"
	"testing"

	"example.com/RemoteKit/pool"
	"example.com/localkit/gate"
)

func TestPoolThroughGate(t *testing.T) {
	p := pool.New(2)
	var g gate.Gate
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		p.Submit(func() {
			g.Pass()
			wg.Done()
		})
	}
	wg.Wait()
	p.Stop()
}
