// Benchmark workload for bench/collect_overhead.sh: concurrent tests that keep the scheduler busy
// (the case where tracing costs most), run once traced and once bare from the same test binary.
package overhead

import (
	"sync"
	"testing"
)

// TestWorkerPool: a producer, 8 workers and a collector exchange 100k jobs over channels, with a
// mutex-protected shared counter (~100 ms on one core).
func TestWorkerPool(t *testing.T) {
	jobs := make(chan int, 64)
	results := make(chan int, 64)
	var mu sync.Mutex
	seen := 0
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				x := j
				for k := 0; k < 200; k++ {
					x = x*1664525 + 1013904223
				}
				mu.Lock()
				seen++
				mu.Unlock()
				results <- x & 1
			}
		}()
	}
	go func() {
		for i := 0; i < 100000; i++ {
			jobs <- i
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	n := 0
	for range results {
		n++
	}
	if n != 100000 || seen != 100000 {
		t.Fatalf("n=%d seen=%d", n, seen)
	}
}

// TestTiny: a typical small concurrency test (a few goroutines, microseconds of work): what most
// corpus programs look like; dominated by process start-up and tracer start/stop.
func TestTiny(t *testing.T) {
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ch <- i
		}(i)
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	if sum != 6 {
		t.Fatal(sum)
	}
}
