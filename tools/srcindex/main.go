// Command srcindex lists the synchronising statements of one Go package directory as JSON.
//
// Usage: srcindex [-notypes] DIR
//
//	srcindex -inject DIR
//
// It parses every .go file of DIR (tests included), type-checks each package found there with the
// standard library's source importer (errors are tolerated: what cannot be typed falls back to
// syntax), and writes one JSON document to stdout: the functions (named ones and function
// literals, with their line ranges and first synchronising statements) and the synchronising
// statements (kind, object acted on, static channel capacity, loop, successors within the
// function). The schema is documented in docs/SRCINDEX.md; the C++ reader is src/srcindex/.
// Exit status: 0 with a document (possibly with "errors"), 2 on bad usage or an unreadable DIR.
//
// With -inject, DIR (the collector's temporary copy of a package, never the user's tree) is
// rewritten in place for source-level schedule perturbation (inject.go) and a JSON summary of the
// inserted delay sites is written instead.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	notypes := flag.Bool("notypes", false, "skip type checking (syntax only)")
	inject := flag.Bool("inject", false, "rewrite DIR in place: a seeded delay before every synchronising statement")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: srcindex [-notypes] DIR | srcindex -inject DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *inject {
		res, err := InjectDir(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, "srcindex -inject:", err)
			os.Exit(2)
		}
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, "srcindex:", err)
			os.Exit(2)
		}
		return
	}
	start := time.Now()
	idx, err := IndexDir(flag.Arg(0), !*notypes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "srcindex:", err)
		os.Exit(2)
	}
	idx.Millis = float64(time.Since(start).Microseconds()) / 1000
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(idx); err != nil {
		fmt.Fprintln(os.Stderr, "srcindex:", err)
		os.Exit(2)
	}
}
