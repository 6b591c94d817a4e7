package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCorpus creates a throw-away corpus with the given files (path → source).
func writeCorpus(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files["go.mod"] = "module example.test/corpus\n\ngo 1.19\n"
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const goodCorrect = `package alpha

import "testing"

// A correct program.
// schedcast: category=correct primitives=mutex,chan bug=none split=train
func TestFine(t *testing.T) {
	ch := make(chan int)
	go func() { ch <- 1 }()
	<-ch
}
`

const goodLeak = `package beta

import "testing"

// schedcast: category=leak primitives=chan bug=leak split=test
func TestLeaky(t *testing.T) {
	ch := make(chan int)
	go func() {
		ch <- 1 // schedcast:block
	}()
}

func helper() {}
`

func TestBuildGoodCorpus(t *testing.T) {
	root := writeCorpus(t, map[string]string{
		"alpha/a_test.go":     goodCorrect,
		"beta/deep/b_test.go": goodLeak,
	})
	m, problems, _ := build(root)
	if len(problems) > 0 {
		t.Fatalf("unexpected problems: %v", problems)
	}
	if len(m.Tests) != 2 {
		t.Fatalf("got %d tests", len(m.Tests))
	}
	a, b := m.Tests[0], m.Tests[1]
	if a.Package != "example.test/corpus/alpha" || a.Name != "TestFine" || a.File != "alpha/a_test.go" || a.Line != 7 {
		t.Errorf("first test: %+v", a)
	}
	if strings.Join(a.Primitives, ",") != "chan,mutex" {
		t.Errorf("primitives not in canonical order: %v", a.Primitives)
	}
	if b.Dir != "beta/deep" || b.Bug != "leak" || b.Split != "test" {
		t.Errorf("second test: %+v", b)
	}
	if len(b.BlockSites) != 1 || b.BlockSites[0] != "beta/deep/b_test.go:9" {
		t.Errorf("block sites: %v", b.BlockSites)
	}
	data, err := encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"block_sites": []`) {
		t.Errorf("correct test should have an empty block_sites list:\n%s", data)
	}
}

func TestBuildReportsProblems(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"missing annotation", `package p
import "testing"
func TestBare(t *testing.T) {}
`, "p/x_test.go:3: TestBare has no annotation"},
		{"annotation not adjacent", `package p
import "testing"
// schedcast: category=correct primitives=chan bug=none split=train

func TestGap(t *testing.T) {}
`, "p/x_test.go:3: schedcast annotation not attached"},
		{"unknown values", `package p
import "testing"
// schedcast: category=weird primitives=chan,spinlock bug=none split=dev color=red
func TestOdd(t *testing.T) {}
`, `unknown category "weird"`},
		{"missing key", `package p
import "testing"
// schedcast: category=correct primitives=chan bug=none
func TestHalf(t *testing.T) {}
`, "annotation lacks split="},
		{"category and bug disagree", `package p
import "testing"
// schedcast: category=leak primitives=chan bug=global-deadlock split=train
func TestMixed(t *testing.T) {
	<-make(chan int) // schedcast:block
}
`, "category=leak needs bug=leak"},
		{"buggy without block site", `package p
import "testing"
// schedcast: category=leak primitives=chan bug=leak split=train
func TestNoSite(t *testing.T) {}
`, "has no // schedcast:block marker"},
		{"correct with block site", `package p
import "testing"
// schedcast: category=correct primitives=chan bug=none split=train
func TestSited(t *testing.T) {
	close(make(chan int)) // schedcast:block
}
`, "labelled correct but has block markers at p/x_test.go:5"},
		{"marker outside a test", `package p
func helper() {
	select {} // schedcast:block
}
`, "p/x_test.go:3: block marker outside any test function"},
		{"marker on its own line", `package p
import "testing"
// schedcast: category=leak primitives=chan bug=leak split=train
func TestAlone(t *testing.T) {
	// schedcast:block
	<-make(chan int)
}
`, "must trail the blocking statement"},
		{"malformed marker", `package p
import "testing"
// schedcast: category=leak primitives=chan bug=leak split=train
func TestTypo(t *testing.T) {
	<-make(chan int) // schedcast:blocked
}
`, "malformed block marker"},
		{"TestMain", `package p
import "testing"
func TestMain(m *testing.M) {}
`, "TestMain is not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := writeCorpus(t, map[string]string{"p/x_test.go": c.src})
			_, problems, _ := build(root)
			joined := strings.Join(problems, "\n")
			if !strings.Contains(joined, c.want) {
				t.Errorf("want a problem containing %q, got:\n%s", c.want, joined)
			}
		})
	}
}

func TestLintFindsMismatch(t *testing.T) {
	root := writeCorpus(t, map[string]string{"alpha/a_test.go": goodCorrect})
	_, _, warnings := build(root)
	joined := strings.Join(warnings, "\n")
	if !strings.Contains(joined, "lists mutex but its body shows no sign of it") {
		t.Errorf("lint missed the unused mutex:\n%s", joined)
	}
	if strings.Contains(joined, "lists chan") {
		t.Errorf("lint missed the unbuffered channel:\n%s", joined)
	}
}

func TestSplitRuleIsStableAndStratified(t *testing.T) {
	var tests []Test
	for _, n := range []string{"TestA", "TestB", "TestC", "TestD", "TestE", "TestF", "TestG"} {
		tests = append(tests, Test{Dir: "d", Name: n})
	}
	first := suggestSplits(tests)
	again := suggestSplits(append([]Test(nil), tests...))
	count := map[string]int{}
	for k, v := range first {
		if again[k] != v {
			t.Errorf("%s: %s then %s", k, v, again[k])
		}
		count[v]++
	}
	if count["test"] != 2 || count["validation"] != 1 || count["train"] != 4 {
		t.Errorf("split counts for 7 programs: %v", count)
	}
}

// The committed manifest must match the committed sources.
func TestCommittedManifestIsFresh(t *testing.T) {
	root, err := findCorpus()
	if err != nil {
		t.Skip("no corpus above this directory")
	}
	m, problems, _ := build(root)
	if len(problems) > 0 {
		t.Fatalf("corpus has annotation problems:\n%s", strings.Join(problems, "\n"))
	}
	data, err := encode(m)
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(filepath.Join(root, "MANIFEST.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(old) != string(data) {
		t.Errorf("corpus/MANIFEST.json is stale; run go run . in tools/mkmanifest")
	}
}
