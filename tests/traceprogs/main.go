// Command traceprogs writes a Go execution trace of one small concurrent scenario.
// It exists to give schedcast's parser tests real traces from every installed Go toolchain.
//
//	traceprogs -scenario NAME -out FILE [-n N]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/trace"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

var scenarios = map[string]func(n int){
	"unbuffered": unbuffered,
	"buffered":   buffered,
	"select":     selectLoop,
	"mutex":      mutex,
	"rwmutex":    rwmutex,
	"waitgroup":  waitgroup,
	"cond":       cond,
	"timers":     timers,
	"syscalls":   syscalls,
	"many":       many,
	"pipeline":   pipeline,
	"context":    withContext,
	"annotated":  annotated,
	"heavy":      heavy,
}

func main() {
	name := flag.String("scenario", "", "scenario to run")
	out := flag.String("out", "", "trace output file")
	n := flag.Int("n", 0, "size parameter (0 = scenario default)")
	list := flag.Bool("list", false, "list scenarios")
	flag.Parse()
	if *list {
		var names []string
		for k := range scenarios {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Println(k)
		}
		return
	}
	fn, ok := scenarios[*name]
	if !ok || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: traceprogs -scenario NAME -out FILE [-n N]")
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
	fn(*n)
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func def(n, d int) int {
	if n <= 0 {
		return d
	}
	return n
}

func unbuffered(n int) {
	ch := make(chan int)
	done := make(chan struct{})
	go func() {
		s := 0
		for v := range ch {
			s += v
		}
		_ = s
		close(done)
	}()
	for i := 0; i < def(n, 50); i++ {
		ch <- i
	}
	close(ch)
	<-done
}

func buffered(n int) {
	ch := make(chan int, 4)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ch {
			}
		}()
	}
	for i := 0; i < def(n, 100); i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
}

func selectLoop(n int) {
	a, b, quit := make(chan int), make(chan int), make(chan struct{})
	go func() {
		for i := 0; i < def(n, 40); i++ {
			if i%2 == 0 {
				a <- i
			} else {
				b <- i
			}
		}
		close(quit)
	}()
	for {
		select {
		case <-a:
		case <-b:
		case <-quit:
			return
		}
	}
}

func mutex(n int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	count := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < def(n, 200); i++ {
				mu.Lock()
				count++
				if i%50 == 0 {
					time.Sleep(10 * time.Microsecond)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func rwmutex(n int) {
	var mu sync.RWMutex
	var wg sync.WaitGroup
	m := map[int]int{}
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < def(n, 100); i++ {
				if g == 0 && i%10 == 0 {
					mu.Lock()
					m[i] = g
					mu.Unlock()
				} else {
					mu.RLock()
					_ = m[i]
					mu.RUnlock()
				}
			}
		}(g)
	}
	wg.Wait()
}

func waitgroup(n int) {
	var wg sync.WaitGroup
	var total int64
	for i := 0; i < def(n, 20); i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			atomic.AddInt64(&total, int64(i))
		}(i)
	}
	wg.Wait()
}

func cond(n int) {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	ready := 0
	var wg sync.WaitGroup
	for g := 0; g < def(n, 5); g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			for ready == 0 {
				c.Wait()
			}
			mu.Unlock()
		}()
	}
	time.Sleep(time.Millisecond)
	mu.Lock()
	ready = 1
	c.Broadcast()
	mu.Unlock()
	wg.Wait()
}

func timers(n int) {
	t := time.NewTicker(200 * time.Microsecond)
	defer t.Stop()
	for i := 0; i < def(n, 5); i++ {
		<-t.C
	}
	<-time.After(300 * time.Microsecond)
	tm := time.NewTimer(time.Hour)
	tm.Stop()
	time.Sleep(100 * time.Microsecond)
}

func syscalls(n int) {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := r.Read(buf); err != nil {
				break
			}
		}
		close(done)
	}()
	for i := 0; i < def(n, 20); i++ {
		fmt.Fprintf(w, "line %d\n", i)
	}
	w.Close()
	<-done
	f, err := os.CreateTemp("", "traceprogs")
	if err == nil {
		f.WriteString("hello")
		f.Sync()
		f.Close()
		os.Remove(f.Name())
	}
}

func many(n int) {
	var wg sync.WaitGroup
	ch := make(chan int)
	k := def(n, 200)
	for i := 0; i < k; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ch <- i
		}(i)
	}
	go func() { wg.Wait(); close(ch) }()
	for range ch {
	}
}

func pipeline(n int) {
	src := make(chan int)
	sq := make(chan int)
	out := make(chan int, 2)
	go func() {
		for i := 0; i < def(n, 60); i++ {
			src <- i
		}
		close(src)
	}()
	go func() {
		for v := range src {
			sq <- v * v
		}
		close(sq)
	}()
	go func() {
		for v := range sq {
			out <- v + 1
		}
		close(out)
	}()
	for range out {
	}
}

func withContext(n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < def(n, 4); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}()
	}
	wg.Wait()
}

func annotated(n int) {
	ctx, task := trace.NewTask(context.Background(), "work")
	defer task.End()
	var wg sync.WaitGroup
	for i := 0; i < def(n, 3); i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			trace.WithRegion(ctx, "step", func() {
				trace.Logf(ctx, "cat", "item %d", i)
			})
		}(i)
	}
	wg.Wait()
}

// heavy produces many scheduling events quickly (for benchmarks): n round trips among worker pairs.
func heavy(n int) {
	rounds := def(n, 100000)
	var wg sync.WaitGroup
	for p := 0; p < 4; p++ {
		a, b := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				a <- i
				<-b
			}
			close(a)
		}()
		go func() {
			defer wg.Done()
			for v := range a {
				b <- v
			}
		}()
	}
	wg.Wait()
}
