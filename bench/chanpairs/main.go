// chanpairs writes an execution trace of a fixed shape for the parser benchmark
// (bench/trace_dump.sh): `pairs` pairs of goroutines, each pair doing `rounds`
// round trips over two unbuffered channels, traced from start to end with
// runtime/trace. Run it with GOMAXPROCS=2; each round trip gives about six
// scheduling events (block, unblock, start on each side).
//
//	chanpairs -rounds 80000 -pairs 4 -out chan.trace
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
)

func main() {
	rounds := flag.Int("rounds", 80000, "round trips per pair")
	pairs := flag.Int("pairs", 4, "goroutine pairs")
	out := flag.String("out", "", "trace file to write")
	flag.Parse()
	if *out == "" || *rounds < 0 || *pairs < 1 {
		fmt.Fprintln(os.Stderr, "usage: chanpairs -out FILE [-rounds N] [-pairs K]")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	for p := 0; p < *pairs; p++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func(n int) { // the initiator: sends, waits for the echo
			defer wg.Done()
			for i := 0; i < n; i++ {
				ping <- i
				<-pong
			}
			close(ping)
		}(*rounds)
		go func() { // the echo: answers every value until ping is closed
			defer wg.Done()
			for v := range ping {
				pong <- v
			}
		}()
	}
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
