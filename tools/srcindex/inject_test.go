package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// copyFixture copies testdata/inject into a temporary directory (the injector rewrites in place).
func copyFixture(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir("testdata/inject")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join("testdata/inject", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func goCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

var delayCall = regexp.MustCompile(`schedcastPerturbDelay\(\d+\); `)

func TestInjectKeepsLinesAndBuilds(t *testing.T) {
	dir := copyFixture(t)
	res, err := InjectDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sites < 20 {
		t.Fatalf("only %d delay sites: %+v", res.Sites, res)
	}
	if _, ok := res.Files["gen.go"]; ok {
		t.Fatalf("a file outside the build was rewritten: %+v", res.Files)
	}
	sort.Strings(res.Delays)
	want := []string{"zz_schedcast_delay_pipe.go", "zz_schedcast_delay_pipe_test_test.go"}
	if strings.Join(res.Delays, ",") != strings.Join(want, ",") {
		t.Fatalf("delay files %v, want %v", res.Delays, want)
	}
	// Every rewritten line is the original line with delay calls inserted: lines do not move.
	for name := range res.Files {
		orig, _ := os.ReadFile(filepath.Join("testdata/inject", name))
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if string(orig) == string(got) {
			t.Fatalf("%s: not rewritten", name)
		}
		if stripped := delayCall.ReplaceAllString(string(got), ""); stripped != string(orig) {
			t.Fatalf("%s: rewrite changed more than inserted delay calls:\n%s", name, got)
		}
	}
	src, _ := os.ReadFile(filepath.Join(dir, "pipe_test.go"))
	for _, want := range []string{
		"schedcastPerturbDelay(", // somewhere
	} {
		if !strings.Contains(string(src), want) {
			t.Fatalf("pipe_test.go lacks %q", want)
		}
	}
	// Positions that need care: before a select (not inside its cases), before a switch whose tag
	// receives, at the start of a range-over-channel body, in a go statement's literal.
	lib, _ := os.ReadFile(filepath.Join(dir, "pipe.go"))
	for _, re := range []string{
		`schedcastPerturbDelay\(\d+\); select \{`,
		`schedcastPerturbDelay\(\d+\); go func\(\) \{schedcastPerturbDelay\(\d+\); `,
		`for v := range ch \{schedcastPerturbDelay\(\d+\); `,
		`schedcastPerturbDelay\(\d+\); c\.mu\.Lock\(\)`,
		`\tdefer c\.mu\.Unlock\(\)`, // a defer is left alone
	} {
		if !regexp.MustCompile(re).Match(lib) {
			t.Fatalf("pipe.go: no match for %s:\n%s", re, lib)
		}
	}
	test := string(src)
	for _, re := range []string{`schedcastPerturbDelay\(\d+\); switch v := <-ch; v \{`,
		`schedcastPerturbDelay\(\d+\); if v := <-ch; v != 1`, `schedcastPerturbDelay\(\d+\); fallthrough`} {
		matched := regexp.MustCompile(re).MatchString(test)
		if want := !strings.Contains(re, "fallthrough"); matched != want {
			t.Fatalf("pipe_test.go: %s matched=%v:\n%s", re, matched, test)
		}
	}
	// The copy builds, and the tests pass unperturbed and perturbed under several seeds.
	goCmd(t, dir, nil, "vet", ".")
	goCmd(t, dir, nil, "test", "-count=1", ".")
	for _, seed := range []string{"1", "42", "987654321"} {
		goCmd(t, dir, []string{"SCHEDCAST_PERTURB_SOURCE=" + seed}, "test", "-count=1", "-cpu", "1,4", ".")
	}
}

// The same seed gives the same delay at every execution of every site; another seed, other delays.
func TestInjectSeedReproducesDelays(t *testing.T) {
	dir := copyFixture(t)
	if _, err := InjectDir(dir); err != nil {
		t.Fatal(err)
	}
	goCmd(t, dir, nil, "test", "-c", "-o", "fixture.test", ".")
	plan := func(seed string) string {
		log := filepath.Join(t.TempDir(), "log")
		cmd := exec.Command("./fixture.test", "-test.run", "^TestSequential$", "-test.count=1")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "SCHEDCAST_PERTURB_SOURCE="+seed, "SCHEDCAST_PERTURB_LOG="+log)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("seed %s: %v\n%s", seed, err, out)
		}
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	a, b, c := plan("11"), plan("11"), plan("12")
	if n := strings.Count(a, "\n"); n < 200 {
		t.Fatalf("only %d delay decisions logged:\n%s", n, a)
	}
	if a != b {
		t.Fatalf("seed 11 twice gave different delays:\n%s\n---\n%s", a, b)
	}
	if a == c {
		t.Fatalf("seeds 11 and 12 gave the same delays")
	}
	for _, action := range []string{" none ", " sleep "} {
		if !strings.Contains(a+c, action) {
			t.Fatalf("no %q decision in:\n%s", action, a+c)
		}
	}
	// Without a seed the delay function does nothing (no log is even opened).
	cmd := exec.Command("./fixture.test", "-test.run", "^TestSequential$")
	cmd.Dir = dir
	log := filepath.Join(t.TempDir(), "log")
	cmd.Env = append(os.Environ(), "SCHEDCAST_PERTURB_LOG="+log)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if _, err := os.Stat(log); err == nil {
		t.Fatalf("an unperturbed run logged delays")
	}
}
