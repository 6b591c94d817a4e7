package main

import (
	"fmt"
	"path/filepath"
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
	if sel.Cases[1].Dur != 1_000_000 || sel.Cases[0].Dur != 0 {
		t.Errorf("select case durations %d, %d: want 0 (ctx.Done) and 1000000 (time.After(time.Millisecond))", sel.Cases[0].Dur, sel.Cases[1].Dur)
	}
	if after := opAt(t, idx, 43, "timer"); after.Dur != 1_000_000 {
		t.Errorf("time.After(time.Millisecond): dur %d, want 1000000", after.Dur)
	}
	if sleep := opAt(t, idx, 46, "sleep"); sleep.Dur != 1_000 {
		t.Errorf("time.Sleep(time.Microsecond): dur %d, want 1000", sleep.Dur)
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

// opIn finds the op of kind in the named function of idx.
func opIn(t *testing.T, idx *Index, fn, kind string) *Op {
	t.Helper()
	for _, o := range idx.Ops {
		if idx.Funcs[o.Func].Name == fn && o.Kind == kind {
			return o
		}
	}
	t.Fatalf("no %s op in %s; ops: %s", kind, fn, describe(idx))
	return nil
}

// Objects passed through parameters (alias.go) on testdata/params: each case of the fixture.
func TestParametersTakeTheirArgumentsNames(t *testing.T) {
	idx, err := IndexDir("testdata/params", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Errors) != 0 || idx.Version != 10 {
		t.Fatalf("errors %v, version %d", idx.Errors, idx.Version)
	}
	// The caller's receive and the callee's send: one object, and its capacity.
	recv := opIn(t, idx, "TestHandOff", "recv")
	send := opIn(t, idx, "produce", "send")
	if !strings.HasPrefix(recv.Obj, "results@") || send.Obj != recv.Obj || send.Cap != 0 || len(send.Aliases) != 0 {
		t.Errorf("produce's send on %q cap %d aliases %v, TestHandOff receives on %q", send.Obj, send.Cap, send.Aliases, recv.Obj)
	}
	// A chain TestChain → relay(ch) → forward(in): forward's parameter is TestChain's ch, cap 2.
	if fwd, r := opIn(t, idx, "forward", "send"), opIn(t, idx, "TestChain", "recv"); fwd.Obj != r.Obj || fwd.Cap != 2 {
		t.Errorf("forward sends on %q cap %d, TestChain receives on %q", fwd.Obj, fwd.Cap, r.Obj)
	}
	// Two calls with different channels: the parameter's own name, both arguments as aliases,
	// which are the names the select's cases use.
	fs := opIn(t, idx, "feed", "send")
	sel := opIn(t, idx, "TestTwoFeeds", "select")
	if !strings.HasPrefix(fs.Obj, "out@") || len(sel.Cases) != 2 ||
		fmt.Sprint(fs.Aliases) != fmt.Sprint([]string{sel.Cases[0].Obj, sel.Cases[1].Obj}) || fs.Cap != 0 {
		t.Errorf("feed's send on %q aliases %v cap %d; the select's cases %+v", fs.Obj, fs.Aliases, fs.Cap, sel.Cases)
	}
	// A function literal started with an argument.
	if cl, r := opIn(t, idx, "TestLiteralWithArgument.func1", "close"), opIn(t, idx, "TestLiteralWithArgument", "recv"); cl.Obj != r.Obj {
		t.Errorf("the literal closes %q, the test receives on %q", cl.Obj, r.Obj)
	}
	// A local variable bound once to a literal, called twice with the same channel; its go
	// statements start the literal.
	if s, r := opIn(t, idx, "TestLocalFunc.func1", "send"), opIn(t, idx, "TestLocalFunc", "recv"); s.Obj != r.Obj {
		t.Errorf("say sends on %q, the test receives on %q", s.Obj, r.Obj)
	}
	if g := opIn(t, idx, "TestLocalFunc", "go"); g.Starts < 0 || idx.Funcs[g.Starts].Name != "TestLocalFunc.func1" {
		t.Errorf("go say(...) starts %d, want TestLocalFunc.func1", g.Starts)
	}
	// A channel field passed as an argument, a wait group by pointer, a method's parameter, and
	// a receiver whose embedded mutex is locked.
	if d, s := opIn(t, idx, "drain", "recv"), opIn(t, idx, "TestPool", "send"); d.Obj != "pool.jobs" || s.Obj != "pool.jobs" {
		t.Errorf("drain receives on %q, TestPool sends on %q; want pool.jobs", d.Obj, s.Obj)
	}
	if d, w := opIn(t, idx, "drain", "wg_done"), opIn(t, idx, "TestPool", "wg_wait"); d.Obj != w.Obj || !strings.HasPrefix(w.Obj, "wg@") {
		t.Errorf("drain's Done on %q, TestPool waits on %q", d.Obj, w.Obj)
	}
	if s, r := opIn(t, idx, "*pool.serve", "send"), opIn(t, idx, "TestPool", "recv"); s.Obj != r.Obj {
		t.Errorf("serve sends on %q, TestPool receives on %q", s.Obj, r.Obj)
	}
	if l := opIn(t, idx, "*tally.add", "lock"); !strings.HasPrefix(l.Obj, "tl@") {
		t.Errorf("tally.add locks %q, want the caller's tl@…", l.Obj)
	}
	// A function also used as a value, and a parameter assigned in its body: own name kept, the
	// argument seen as an alias, capacity unknown.
	r := opIn(t, idx, "TestCallback", "recv")
	for _, fn := range []string{"callback", "reassigned"} {
		s := opIn(t, idx, fn, "send")
		if s.Obj == r.Obj || fmt.Sprint(s.Aliases) != fmt.Sprint([]string{r.Obj}) || s.Cap != -1 {
			t.Errorf("%s sends on %q aliases %v cap %d; want its own name, alias %s, cap -1", fn, s.Obj, s.Aliases, s.Cap, r.Obj)
		}
	}
	// A function without call sites in the package keeps its parameters' names.
	fix, err := IndexDir("testdata/fixture", true)
	if err != nil {
		t.Fatal(err)
	}
	if sel := opAt(t, fix, 40, "select"); sel.Cases[0].Obj != "ctx@20.Done()" {
		t.Errorf("pipeline is never called: its ctx keeps its name, got %q", sel.Cases[0].Obj)
	}
	// The fixture's worker(jobs, results, &wg): its ops act on the pipeline's objects.
	if got := opAt(t, fix, 52, "recv"); got.Obj != "jobs@21" || got.Cap != 4 {
		t.Errorf("worker receives on %q cap %d, want jobs@21 cap 4", got.Obj, got.Cap)
	}
}

// Without types nothing is followed: names stay as written.
func TestParametersUntypedKeepTheirNames(t *testing.T) {
	idx, err := IndexDir("testdata/params", false)
	if err != nil {
		t.Fatal(err)
	}
	if s := opIn(t, idx, "produce", "send"); s.Obj != "out" || len(s.Aliases) != 0 {
		t.Errorf("untyped: produce sends on %q aliases %v", s.Obj, s.Aliases)
	}
}

// Calls of the package's functions (index version 4): a "call" op names its callee in `starts` and
// leads into nothing else (its successors are the caller's next ops); calls of functions that never
// synchronise, directly or through their calls, are pruned, and what preceded them leads on.
func TestCallsOfSynchronisingFunctionsAreOps(t *testing.T) {
	idx, err := IndexDir("testdata/calls", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Errors) != 0 {
		t.Fatalf("errors %v", idx.Errors)
	}
	name := func(id int) string { return idx.Funcs[id].Name }
	calls := map[string][]string{}
	for i, o := range idx.Ops {
		if o.ID != i {
			t.Fatalf("op %d has id %d after pruning", i, o.ID)
		}
		for _, n := range o.Next {
			if n < 0 || n >= len(idx.Ops) {
				t.Fatalf("op %d leads to %d of %d ops", i, n, len(idx.Ops))
			}
		}
		if o.Kind == "call" {
			calls[name(o.Func)] = append(calls[name(o.Func)], name(o.Starts))
		}
	}
	if got := fmt.Sprint(calls); got != "map[TestCalls:[TestCalls.func1] TestCalls.func1:[*box.add] report:[*box.add]]" {
		t.Errorf("calls kept: %s\n%s", got, describe(idx))
	}
	// TestCalls: the loop of pruned square calls is gone; the first op is the call of bump, then
	// the go statement, then the receive.
	var test *Func
	for _, f := range idx.Funcs {
		if f.Name == "TestCalls" {
			test = f
		}
	}
	if test == nil || fmt.Sprint(kinds(idx, test.First)) != "[call]" {
		t.Fatalf("TestCalls first ops: %+v\n%s", test, describe(idx))
	}
	bump := idx.Ops[test.First[0]]
	if got := fmt.Sprint(kinds(idx, bump.Next)); got != "[go]" {
		t.Errorf("after bump(): %s", got)
	}
	// report: the call of add, then the send.
	add := opIn(t, idx, "report", "call")
	if got := fmt.Sprint(kinds(idx, add.Next)); got != "[send]" {
		t.Errorf("after b.add: %s", got)
	}
}

// Calls into code the index does not see (index version 5, calls.go): "io" for the standard
// library's I/O functions and the methods of their values (but not constructors, pure accessors,
// fmt.Sprintf or testing's methods), "ext" for function values, methods of the package's own
// interfaces and functions of packages outside the standard library.
func TestCallsIntoUnseenCodeAreIoOrExtOps(t *testing.T) {
	idx, err := IndexDir("testdata/opaque", true)
	if err != nil {
		t.Fatal(err)
	}
	if idx.Version != 10 {
		t.Fatalf("version %d", idx.Version)
	}
	got := map[string][]string{}
	for _, o := range idx.Ops {
		if o.Kind == "io" || o.Kind == "ext" {
			f := idx.Funcs[o.Func].Name
			s := o.Kind + " " + o.Target
			if o.Indirect { // through a reader or writer of unknown kind ("*")
				s += "*"
			}
			if o.Pipe { // a pipe end's (version 10, TestPipeEndsAreFollowed)
				s += "|"
			}
			got[f] = append(got[f], s)
		}
	}
	// sorted; "*" indirect — sc is a bufio.Scanner around an os.Pipe end: direct.
	want := map[string]string{
		"*peer.pump":       "[ext lib.Deadline ext p.onLine io p.conn.Close io p.conn.Write io p.r.ReadString*]",
		"apply":            "[ext f]",
		"deliver":          "[ext k.Put]",
		"relay":            "[io a.Write| io b.Close| io dst.Write* io fmt.Fprintf* io fmt.Fprintln io io.Copy*]",
		"TestOpaque":       "[ext lib.Flush io fmt.Println io os.Pipe io os.Stdout.Write io sc.Scan]",
		"TestOpaque.func1": "[io logger.Printf io w.Close]",
		"listen":           "[io net.Listen]",
		// ln comes from a function of the package declared to return a net.Listener.
		"TestAcceptFromHelper": "[io c.Close io ln.Accept]",
	}
	for f, w := range want {
		sort.Strings(got[f])
		if g := fmt.Sprint(got[f]); g != w {
			t.Errorf("%s: %s, want %s", f, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("io/ext ops in %d functions, want %d: %v", len(got), len(want), got)
	}
	// Handler has one implementation in the package (upper): h.Serve calls its Serve.
	if serve := opIn(t, idx, "*peer.pump", "call"); serve.Target != "h.Serve" || idx.Funcs[serve.Starts].Name != "upper.Serve" {
		t.Errorf("pump's call op %s → %s", serve.Target, idx.Funcs[serve.Starts].Name)
	}
	// Without types nothing is claimed.
	untyped, err := IndexDir("testdata/opaque", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range untyped.Ops {
		if o.Kind == "io" || o.Kind == "ext" {
			t.Errorf("untyped index has %s %s", o.Kind, o.Target)
		}
	}
}

// Loops (version 6): each for/range statement holding ops, its static trip count where the
// statement fixes it, the innermost loop of each op; a loop that runs at least once is entered,
// never skipped (the ops before it lead into its body only).
func TestLoopsAndTheirTripCounts(t *testing.T) {
	idx, err := IndexDir("testdata/loops", true)
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int]*Loop{}
	for i, l := range idx.Loops {
		if l.ID != i+1 || l.Parent != 0 { // no loop holds another
			t.Errorf("loop %d: %+v", i, l)
		}
		byLine[l.Line] = l
	}
	want := map[int]int{15: 4, 19: 3, 22: 2, 25: 5, 29: 2, 33: 0, 36: 0, 40: 0,
		50: 3, 55: 2, 58: 3, 63: 0, 68: 0, 72: 0}
	for line, trips := range want {
		l := byLine[line]
		if l == nil {
			t.Errorf("no loop at line %d; loops %+v", line, idx.Loops)
			continue
		}
		if l.Trips != trips {
			t.Errorf("loop at line %d: %d trips, want %d", line, l.Trips, trips)
		}
	}
	opOn := func(line int, kind string) *Op {
		for _, o := range idx.Ops {
			if o.Line == line && o.Kind == kind {
				return o
			}
		}
		t.Fatalf("no %s op on line %d:%s", kind, line, describe(idx))
		return nil
	}
	goOp, add := opOn(17, "go"), opOn(16, "wg_add")
	if goOp.LoopID != byLine[15].ID || add.LoopID != byLine[15].ID || opOn(20, "yield").LoopID != byLine[19].ID {
		t.Errorf("loop ids: go %d, wg_add %d, yield %d", goOp.LoopID, add.LoopID, opOn(20, "yield").LoopID)
	}
	// The test function starts in the first loop's body (4 trips: it is not skipped) …
	first := idx.Funcs[idx.Ops[add.ID].Func].First
	if fmt.Sprint(first) != fmt.Sprint([]int{add.ID}) {
		t.Errorf("the test function's first ops %v, want the wg_add %d:%s", first, add.ID, describe(idx))
	}
	// … and after a go statement goes back to Add or on into the next loop's body, not past it.
	if got := kinds(idx, goOp.Next); fmt.Sprint(got) != "[wg_add yield]" {
		t.Errorf("after the go statement: %v, want [wg_add yield]", got)
	}
	// Loops whose count is unknown (or zero) may be skipped: from the yield of the loop with a
	// variable bound, back to itself, into the next two loops' bodies, or past both to Wait.
	if got := kinds(idx, opOn(34, "yield").Next); fmt.Sprint(got) != "[wg_wait yield yield yield]" {
		t.Errorf("after the yield of the unknown loop: %v, want [wg_wait yield yield yield]", got)
	}
}

// Dependencies beside the package (index version 7, deps.go): in testdata/deps the test calls a
// package of its own module, which starts a worker and uses a package of its own. Both are indexed
// with the test's package, their files named by their path below the module root; the calls of
// their functions and methods are "call" ops into their code (a function that synchronises with
// nothing is no op), and their locals carry their file.
// The external test package (lib_test beside lib) imports the package under test: its calls of
// the package's functions and methods are call ops into them (version 8; were "ext").
func TestExternalTestPackageCallsThePackage(t *testing.T) {
	idx, err := IndexDir("testdata/deps/lib", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(idx.Packages); got != "[lib lib_test]" {
		t.Fatalf("packages %s", got)
	}
	for _, o := range idx.Ops {
		if idx.Funcs[o.Func].Name == "TestQueueFromOutside" && o.Kind != "call" && o.Kind != "return" {
			t.Errorf("%s op %s at line %d", o.Kind, o.Target, o.Line)
		}
	}
	want := "[lib.New→New@lib.go lib.Ping→Ping@lib.go q.Close→*Queue.Close@lib.go q.Put→*Queue.Put@lib.go]"
	if got := callsIn(idx, "TestQueueFromOutside"); got != want {
		t.Errorf("calls %s, want %s (%s)", got, want, describe(idx))
	}
}

// callsIn: the call ops of the functions whose name starts with prefix, as sorted
// "target→callee@file".
func callsIn(idx *Index, prefix string) string {
	var calls []string
	for _, o := range idx.Ops {
		if o.Kind == "call" && strings.HasPrefix(idx.Funcs[o.Func].Name, prefix) {
			callee := idx.Funcs[o.Starts]
			calls = append(calls, o.Target+"→"+callee.Name+"@"+callee.File)
		}
	}
	sort.Strings(calls)
	return fmt.Sprint(calls)
}

// Modules the go.mod requires (version 8): one from the module cache (GOMODCACHE; its path has
// upper-case letters, escaped there) and one a replace directive names by its directory. Their
// files are named by what a stack frame's file is in a binary built with -trimpath (the
// collector's): the module path at its version ("example.com/RemoteKit@v1.2.0/pool/pool.go"); the
// replaced one by its import path.
func TestRequiredModulesAreIndexedWithThePackage(t *testing.T) {
	cache, err := filepath.Abs("testdata/modcache")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMODCACHE", cache)
	idx, err := IndexDir("testdata/usemod", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(idx.Deps); got != "[example.com/RemoteKit/pool example.com/localkit/gate]" {
		t.Fatalf("deps %s (errors %v)", got, idx.Errors)
	}
	for _, o := range idx.Ops {
		if o.Kind == "ext" && o.Target != "f" { // the worker's f() is a function value: ext
			t.Errorf("ext op %s at %s:%d: the required modules' code is indexed", o.Target, o.File, o.Line)
		}
	}
	want := "[g.Pass→*Gate.Pass@example.com/localkit/gate/gate.go p.Stop→*Pool.Stop@example.com/RemoteKit@v1.2.0/pool/pool.go " +
		"p.Submit→*Pool.Submit@example.com/RemoteKit@v1.2.0/pool/pool.go pool.New→New@example.com/RemoteKit@v1.2.0/pool/pool.go]"
	if got := callsIn(idx, "TestPoolThroughGate"); got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
	// Without the cache the remote module is not found: its calls are ext, the replaced one's are not.
	t.Setenv("GOMODCACHE", filepath.Join(cache, "missing"))
	idx, err = IndexDir("testdata/usemod", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(idx.Deps); got != "[example.com/localkit/gate]" {
		t.Errorf("deps without the cache %s", got)
	}
}

func TestDependenciesAreIndexedWithThePackage(t *testing.T) {
	idx, err := IndexDir("testdata/deps/app", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(idx.Deps); got != "[example.com/deps example.com/deps/lib/inner example.com/deps/lib]" {
		t.Fatalf("deps %s (errors %v)", got, idx.Errors)
	}
	files := map[string]bool{}
	for _, o := range idx.Ops {
		files[o.File] = true
		if o.Kind == "ext" {
			t.Errorf("ext op %s at %s:%d: the dependency's code is indexed", o.Target, o.File, o.Line)
		}
	}
	// The module's root package: named by its directory's name.
	for _, f := range []string{"app_test.go", "lib/lib.go", "lib/inner/inner.go", "deps/root.go"} {
		if !files[f] {
			t.Errorf("no op in file %s; files %v", f, files)
		}
	}
	byName := map[string]*Func{}
	for _, f := range idx.Funcs {
		byName[f.Name] = f
	}
	test := byName["TestQueue"]
	if test == nil {
		t.Fatalf("no TestQueue; %s", describe(idx))
	}
	want := "[deps.Signal→Signal@deps/root.go lib.New→New@lib/lib.go lib.Ping→Ping@lib/lib.go q.Close→*Queue.Close@lib/lib.go q.Put→*Queue.Put@lib/lib.go]"
	if got := callsIn(idx, "TestQueue"); got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
	// Into the dependency's dependency: the worker's loop passes the gate.
	pass := opIn(t, idx, "*Queue.work", "call")
	if callee := idx.Funcs[pass.Starts]; callee.Name != "*Gate.Pass" || callee.File != "lib/inner/inner.go" {
		t.Errorf("q.gate.Pass() calls %s in %s", callee.Name, callee.File)
	}
	if lock := opIn(t, idx, "*Gate.Pass", "lock"); lock.Obj != "Gate.mu" {
		t.Errorf("the gate's lock acts on %q", lock.Obj)
	}
	if send := opIn(t, idx, "Ping", "send"); send.Obj != "ch@lib/lib.go:46" || send.Cap != 1 {
		t.Errorf("Ping's send: %q cap %d", send.Obj, send.Cap)
	}
	if g := opIn(t, idx, "New", "go"); g.Starts < 0 || idx.Funcs[g.Starts].Name != "*Queue.work" {
		t.Errorf("New's go statement starts %d", g.Starts)
	}
	// Without types no dependency is read (nothing would resolve into it).
	untyped, err := IndexDir("testdata/deps/app", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(untyped.Deps) != 0 {
		t.Errorf("untyped deps %v", untyped.Deps)
	}
	// Without a go.mod for it, a package of the same GOPATH tree.
	gp, err := IndexDir("testdata/gopath/src/example.org/app", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(gp.Deps); got != "[example.org/lib]" {
		t.Fatalf("GOPATH deps %s", got)
	}
	if c := opIn(t, gp, "TestBump", "call"); gp.Funcs[c.Starts].File != "example.org/lib/lib.go" {
		t.Errorf("lib.Bump() calls into %s", gp.Funcs[c.Starts].File)
	}
}

// Pipe ends followed through the program (index version 10, pipes.go) on testdata/pipes: through a
// helper's results (a bare return too), a parameter every caller passes a pipe end (the external
// test package's calls included), a struct field (an embedded one too), a bufio reader, a struct
// literal holding one (read and written through its own methods), and a function literal's parameter. A parameter given a pipe end by one caller and a file or buffer by another stays
// indirect; an os.Pipe end is a file (direct).
func TestPipeEndsAreFollowed(t *testing.T) {
	idx, err := IndexDir("testdata/pipes", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Errors) != 0 {
		t.Fatalf("errors: %v", idx.Errors)
	}
	got := map[string][]string{}
	for _, o := range idx.Ops {
		if o.Kind != "io" {
			continue
		}
		s := o.Target
		switch {
		case o.Pipe && o.Indirect:
			t.Errorf("%s: both pipe and indirect", s)
		case o.Pipe:
			s += " pipe"
		case o.Indirect:
			s += " indirect"
		}
		f := idx.Funcs[o.Func].Name
		got[f] = append(got[f], s)
	}
	want := map[string]string{
		"*Link.Send":          "[fmt.Fprintln indirect l.rwc.Write pipe]",
		"readLine":            "[r.ReadString pipe]",
		"Count":               "[io.Copy indirect]",
		"TestCountBoth":       "[b.Read pipe os.Open os.Pipe pr.Read pw.Write]",
		"TestCountBoth.func1": "[w.Close pipe w.Write pipe]",
		"TestCountBoth.func2": "[c.Write pipe]",
		// Serve is given a pipe end and a struct holding one; that one's Conn field is a pipe end.
		"Serve":        "[c.Write pipe]",
		"tapped.Write": "[c.Conn.Write pipe]",
	}
	for f, w := range want {
		sort.Strings(got[f])
		if g := fmt.Sprint(got[f]); g != w {
			t.Errorf("%s: %s, want %s", f, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("io ops in %d functions, want %d: %v", len(got), len(want), got)
	}
	// The channels they act on: a write at one end sends into what a read at the other end
	// receives from; a close closes both ends' channels.
	acts := map[string]string{}
	for _, o := range idx.Ops {
		if o.Pipe {
			acts[idx.Funcs[o.Func].Name+" "+o.Target] = fmt.Sprint(o.PipeRecv, o.PipeSend, o.PipeClose)
		}
	}
	const p1, p2, p3 = "pipe@link_test.go:11:43/", "pipe@link_test.go:15:9/", "pipe@link_ext_test.go:12:10/" // pair, named, the external test
	for op, w := range map[string]string{
		"TestCountBoth.func2 c.Write": "[] [" + p1 + "1] []", // a's write: b reads it
		"TestCountBoth b.Read":        "[" + p1 + "1] [] []",
		"TestCountBoth.func1 w.Write": "[] [" + p2 + "0] []", // the writer's write: the reader reads it
		"TestCountBoth.func1 w.Close": "[] [] [" + p2 + "0 " + p2 + "1]",
		// Both links of the external test hold both ends (a is one's, b the other's).
		"*Link.Send l.rwc.Write": "[] [" + p3 + "0 " + p3 + "1] []",
		"readLine r.ReadString":  "[" + p3 + "0 " + p3 + "1] [] []",
	} {
		if acts[op] != w {
			t.Errorf("%s acts on %s, want %s", op, acts[op], w)
		}
	}
}
