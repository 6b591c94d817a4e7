package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// opAt finds the op of kind at file:line of the fixture package.
func opAt(t *testing.T, idx *Index, line int, kind string) *Op {
	t.Helper()
	for _, o := range idx.Ops {
		if o.File == "fixture.go" && o.Line == line && o.Kind == kind {
			return o
		}
	}
	t.Fatalf("no %s op at fixture.go:%d; ops: %s", kind, line, describe(idx))
	return nil
}

func describe(idx *Index) string {
	var b strings.Builder
	for _, o := range idx.Ops {
		fmt.Fprintf(&b, "\n  %d %s:%d %s %s next=%v", o.ID, o.File, o.Line, o.Kind, o.Obj, o.Next)
	}
	return b.String()
}

func kinds(idx *Index, ids []int) []string {
	var out []string
	for _, id := range ids {
		out = append(out, idx.Ops[id].Kind)
	}
	sort.Strings(out)
	return out
}

func TestFixtureStatements(t *testing.T) {
	idx, err := IndexDir("testdata/fixture", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Errors) != 0 {
		t.Errorf("errors: %v", idx.Errors)
	}
	lock := opAt(t, idx, 15, "lock")
	if lock.Obj != "counter.mu" || lock.Type != "sync.Mutex" {
		t.Errorf("lock acts on %q (%q), want counter.mu (sync.Mutex)", lock.Obj, lock.Type)
	}
	if got := kinds(idx, lock.Next); fmt.Sprint(got) != "[unlock]" {
		t.Errorf("after Lock: %v, want [unlock]", got)
	}
	add := opAt(t, idx, 25, "wg_add")
	if !add.Loop {
		t.Errorf("wg.Add inside the for loop not marked in a loop")
	}
	goWorker := opAt(t, idx, 26, "go")
	if goWorker.Starts < 0 || idx.Funcs[goWorker.Starts].Name != "worker" {
		t.Fatalf("go worker(...) starts %d, want the func worker", goWorker.Starts)
	}
	// Loop-aware: after the go statement, either the next iteration's Add or the next go statement.
	if got := kinds(idx, goWorker.Next); fmt.Sprint(got) != "[go wg_add]" {
		t.Errorf("after go worker: %v, want [go wg_add]", got)
	}
	send := opAt(t, idx, 33, "send")
	if send.Cap != 4 || !strings.HasPrefix(send.Obj, "jobs@") {
		t.Errorf("send: obj %q cap %d, want jobs@… cap 4", send.Obj, send.Cap)
	}
	if got := kinds(idx, send.Next); fmt.Sprint(got) != "[close send]" {
		t.Errorf("after send: %v, want [close send]", got)
	}
	rng := opAt(t, idx, 37, "recv")
	if rng.Cap != 0 || !rng.Loop {
		t.Errorf("range over results: cap %d loop %v, want 0 true", rng.Cap, rng.Loop)
	}
	if got := kinds(idx, rng.Next); fmt.Sprint(got) != "[recv timer]" {
		t.Errorf("after range recv: %v, want [recv timer] (the loop, or the select's time.After)", got)
	}
	sel := opAt(t, idx, 40, "select")
	if len(sel.Cases) != 3 || sel.Cases[0].Obj != "ctx@20.Done()" || sel.Cases[1].Type != "timer" || sel.Cases[2].Kind != "default" {
		t.Errorf("select cases: %+v", sel.Cases)
	}
	if got := kinds(idx, sel.Next); fmt.Sprint(got) != "[return sleep]" {
		t.Errorf("after select: %v, want [return sleep]", got)
	}
	// worker: the deferred Done runs at the exit, after the range loop ends.
	wrecv := opAt(t, idx, 52, "recv")
	if got := kinds(idx, wrecv.Next); fmt.Sprint(got) != "[send wg_done]" {
		t.Errorf("after worker's range recv: %v, want [send wg_done]", got)
	}
	var fworker *Func
	for _, f := range idx.Funcs {
		if f.Name == "worker" {
			fworker = f
		}
	}
	if fworker == nil || fmt.Sprint(kinds(idx, fworker.First)) != "[recv]" {
		t.Errorf("worker's first ops: %+v", fworker)
	}
	cw := opAt(t, idx, 60, "cond_wait")
	if got := kinds(idx, cw.Next); fmt.Sprint(got) != "[cond_wait unlock]" {
		t.Errorf("after c.Wait: %v, want [cond_wait unlock]", got)
	}
	opAt(t, idx, 63, "broadcast")
	opAt(t, idx, 68, "once")
	opAt(t, idx, 46, "sleep")
	opAt(t, idx, 35, "close")
}

func TestSyntaxOnlyStillFindsStatements(t *testing.T) {
	idx, err := IndexDir("testdata/fixture", false)
	if err != nil {
		t.Fatal(err)
	}
	opAt(t, idx, 15, "lock")
	opAt(t, idx, 33, "send")
	if s := opAt(t, idx, 33, "send"); s.Cap != -1 {
		t.Errorf("without types the capacity is unknown, got %d", s.Cap)
	}
}
