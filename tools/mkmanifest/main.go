// Command mkmanifest reads the schedcast Go corpus (corpus/), finds every
// test function together with its "// schedcast:" annotation and the
// "// schedcast:block" markers inside it, and writes corpus/MANIFEST.json.
//
// The annotations in the Go sources are the single source of truth; the
// manifest is derived from them and committed so that non-Go code can read
// the labels without parsing Go. Every problem found is reported as
// file:line and makes the command exit with status 1, so a broken label
// never reaches the manifest silently.
//
// Usage: the tool is its own module (schedcast.dev/mkmanifest), so run it
// from its directory, or from the repository root with `go -C` (Go 1.20+),
// or as `go run ./tools/mkmanifest` where a go.work at the root uses it.
// It finds corpus/ by walking up from the working directory (or -corpus).
//
//	cd tools/mkmanifest
//	go run .            # rewrite corpus/MANIFEST.json
//	go run . -check     # exit 1 if MANIFEST.json is stale
//	go run . -lint      # also warn where primitives= and the code disagree
//	go run . -splits    # list tests whose split= differs from the hash rule
//
//	go -C tools/mkmanifest run . -check   # the same check from the root
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	corpusFlag := flag.String("corpus", "", "corpus directory (default: the nearest corpus/ with a go.mod, searching upwards from the working directory)")
	outFlag := flag.String("o", "", "output file (default: <corpus>/MANIFEST.json)")
	check := flag.Bool("check", false, "do not write; exit 1 if the manifest on disk differs from the sources")
	lint := flag.Bool("lint", false, "print warnings where the primitives= list and the code of a test disagree")
	splitsFlag := flag.Bool("splits", false, "do not write; list tests whose split= differs from the hash rule (see splits.go)")
	flag.Parse()

	root := *corpusFlag
	if root == "" {
		var err error
		root, err = findCorpus()
		if err != nil {
			fail(err.Error())
		}
	}
	out := *outFlag
	if out == "" {
		out = filepath.Join(root, "MANIFEST.json")
	}

	m, problems, warnings := build(root)
	if *lint {
		for _, w := range warnings {
			fmt.Fprintln(os.Stderr, "warning:", w)
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, p)
		}
		fail(fmt.Sprintf("%d problem(s) in the corpus annotations; manifest not written", len(problems)))
	}
	if *splitsFlag {
		n := reportSplits(os.Stdout, m)
		fmt.Printf("%d of %d tests differ from the split rule\n", n, len(m.Tests))
		return
	}
	data, err := encode(m)
	if err != nil {
		fail(err.Error())
	}
	if *check {
		old, err := os.ReadFile(out)
		if err != nil {
			fail(fmt.Sprintf("%s: %v (run mkmanifest without -check to create it)", out, err))
		}
		if !bytes.Equal(old, data) {
			fail(fmt.Sprintf("%s is stale: regenerate it with `cd tools/mkmanifest && go run .`", out))
		}
		fmt.Printf("%s is up to date (%d tests)\n", out, len(m.Tests))
		return
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		fail(err.Error())
	}
	fmt.Printf("wrote %s: %s\n", out, summary(m))
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "mkmanifest:", msg)
	os.Exit(1)
}

// findCorpus walks up from the working directory looking for corpus/go.mod.
func findCorpus() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		cand := filepath.Join(dir, "corpus")
		if st, err := os.Stat(filepath.Join(cand, "go.mod")); err == nil && !st.IsDir() {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no corpus/go.mod found above the working directory; pass -corpus")
		}
		dir = parent
	}
}

// summary renders counts per category and split for the success message.
func summary(m *Manifest) string {
	cat := map[string]int{}
	split := map[string]int{}
	for _, t := range m.Tests {
		cat[t.Category]++
		split[t.Split]++
	}
	var parts []string
	for _, c := range categories {
		parts = append(parts, fmt.Sprintf("%s=%d", c, cat[c]))
	}
	for _, s := range splits {
		parts = append(parts, fmt.Sprintf("%s=%d", s, split[s]))
	}
	return fmt.Sprintf("%d tests (%s)", len(m.Tests), strings.Join(parts, " "))
}

// sortTests orders tests by package path, then by name.
func sortTests(ts []Test) {
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].Package != ts[j].Package {
			return ts[i].Package < ts[j].Package
		}
		return ts[i].Name < ts[j].Name
	})
}
