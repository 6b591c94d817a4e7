//go:build ignore

// A generator excluded from the build: its package clause must not get a delay file.
package main

func main() {
	ch := make(chan int, 1)
	ch <- 1
}
