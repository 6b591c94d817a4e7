package main

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Index is the JSON document srcindex writes (docs/SRCINDEX.md).
type Index struct {
	Version  int      `json:"version"`
	Dir      string   `json:"dir"`
	Packages []string `json:"packages"`
	Typed    bool     `json:"typed"` // type checking ran (it may still have reported errors)
	Funcs    []*Func  `json:"funcs"`
	Ops      []*Op    `json:"ops"`
	// Loops (version 6): the for and range statements holding ops, by id; ops name their
	// innermost one (Op.LoopID). loops[i].ID == i + 1.
	Loops []*Loop `json:"loops"`
	// Deps (version 7): the import paths of the dependency packages indexed with it (deps.go).
	Deps   []string `json:"deps"`
	Errors []string `json:"errors"`
	Millis float64  `json:"ms"`
}

// Func is a named function, method or function literal.
type Func struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	File  string `json:"file"` // base name
	Start int    `json:"start"`
	End   int    `json:"end"`
	First []int  `json:"first"` // the synchronising statements executed first
}

// Loop is a for or range statement that holds ops (version 6).
type Loop struct {
	ID     int `json:"id"`     // 1-based
	Parent int `json:"parent"` // the enclosing loop's id in the same function, 0 none
	Line   int `json:"line"`
	// Trips: how many times the body runs, where the statement fixes it: `for i := A; i < B; i++`
	// (or <=, `i += 1`) with constants A, B and i not assigned in the body; `for … range N` with a
	// constant N; a range over an array type or a slice or array literal without keys. 0 unknown.
	Trips int `json:"trips"`
}

// Case is one case of a select statement.
type Case struct {
	Kind string `json:"kind"` // send | recv | default
	Obj  string `json:"obj,omitempty"`
	Type string `json:"type,omitempty"`
	Cap  int    `json:"cap"`
	// Aliases: the object's other names when it is a parameter that call sites pass several
	// objects to (alias.go).
	Aliases []string `json:"aliases,omitempty"`
	// Dur: a receive from time.After(d) with d a constant: d in nanoseconds (0 unknown).
	Dur int64 `json:"dur,omitempty"`
}

// Op is one synchronising statement (or expression).
type Op struct {
	ID     int    `json:"id"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
	Kind   string `json:"kind"`
	Obj    string `json:"obj,omitempty"`  // canonical name of the object acted on
	Type   string `json:"type,omitempty"` // its type, package-qualified by name
	Cap    int    `json:"cap"`            // static channel capacity, -1 unknown
	Loop   bool   `json:"loop"`
	Func   int    `json:"func"`
	Next   []int  `json:"next"`
	Cases  []Case `json:"cases,omitempty"`
	Starts int    `json:"starts"` // for "go" and "call": the started / called function's id, -1 unknown
	Target string `json:"target,omitempty"`
	// Aliases: the object's other names when it is a parameter that call sites pass several
	// objects to (alias.go); Obj is then the parameter's own name.
	Aliases []string `json:"aliases,omitempty"`
	// Dur: the constant duration in nanoseconds of a sleep or timer call (time.Sleep(d),
	// time.After(d), …), or of a receive from time.After(d); 0 when not a constant.
	Dur int64 `json:"dur,omitempty"`
	// LoopID: the innermost loop (Index.Loops) the op is inside, 0 none (version 6).
	LoopID int `json:"loop_id,omitempty"`
	// Indirect: an "io" op through a reader or writer of unknown kind (calls.go indirectIO): a
	// pipe underneath blocks on channels instead of making a system call (version 8).
	Indirect bool `json:"indirect,omitempty"`
	// Pipe: an "io" op that reads or writes the end of a net.Pipe or io.Pipe (pipes.go): it
	// blocks on the pipe's channels and mutex, never in a system call (version 10; not Indirect).
	Pipe bool `json:"pipe,omitempty"`
	// PipeRecv, PipeSend, PipeClose: the pipe channels a pipe op acts on (pipes.go): it receives
	// from "E" reading end E, sends into the other end's channel writing at E, closes both closing
	// E (version 10).
	PipeRecv  []string `json:"pipe_recv,omitempty"`
	PipeSend  []string `json:"pipe_send,omitempty"`
	PipeClose []string `json:"pipe_close,omitempty"`

	startsExpr ast.Expr
}

type pkgState struct {
	fset   *token.FileSet
	info   *types.Info // nil without type checking
	idx    *Index
	capOf  map[types.Object]int
	litID  map[*ast.FuncLit]int
	declID map[types.Object]int
	// named: the non-interface named types of every package checked so far (shared): an
	// interface's method resolves to the one implementation among them (soleImpl).
	named   *[]*types.Named
	declNam map[string]int
	opAt    map[opKey]*Op
	loopAt  map[token.Pos]*Loop // loops by their statement's position (walked once per fixed-point pass)

	// Parameters followed to their arguments (alias.go): the one name every call passes, or the
	// other names; the channel capacity they share (-1 unknown).
	rename   map[*types.Var]string
	aliases  map[*types.Var][]string
	paramCap map[*types.Var]int
	boundLit map[*types.Var]*ast.FuncLit // variables bound once to a function literal

	// Calls into code the index does not see (calls.go): the package as type-checked (its path is
	// its name), and where values of unchecked types come from.
	pkg     *types.Package
	pkgPath string
	// filePrefix: a dependency's path below its module root or GOPATH src ("libs/kv/"; deps.go),
	// put before its files' base names; "" for the package itself.
	filePrefix string
	origin     map[*types.Var]string
	results    map[types.Object]string // the package's functions: where their first result's type is from
	fixed      fixedVars               // variables as static as constants (loops.go scanFixed)
	pipes      *pipeSet                // targets holding only in-memory pipe ends (pipes.go)
}

// IndexDir indexes the Go files of dir.
func IndexDir(dir string, typed bool) (*Index, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	groups := map[string][]*ast.File{}
	var names []string
	idx := &Index{Version: 10, Dir: abs, Packages: []string{}, Funcs: []*Func{}, Ops: []*Op{}, Loops: []*Loop{}, Deps: []string{},
		Errors: []string{}}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(abs, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			idx.Errors = append(idx.Errors, err.Error())
			if f == nil {
				continue
			}
		}
		if _, ok := groups[f.Name.Name]; !ok {
			names = append(names, f.Name.Name)
		}
		groups[f.Name.Name] = append(groups[f.Name.Name], f)
	}
	sort.Strings(names)
	idx.Packages = names
	if build.Default.GOROOT == "" {
		// A helper built with -trimpath does not know its GOROOT: ask the go command on PATH.
		if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
			build.Default.GOROOT = strings.TrimSpace(string(out))
		}
	}
	imp := &depImporter{pkgs: map[string]*types.Package{}, next: &syncImporter{src: importer.ForCompiler(fset, "source", nil)}}
	declID := map[types.Object]int{} // shared: a call into a dependency resolves to its function
	named := &[]*types.Named{}
	newState := func(pkgPath string) *pkgState {
		return &pkgState{fset: fset, idx: idx, capOf: map[types.Object]int{}, litID: map[*ast.FuncLit]int{},
			declID: declID, named: named, declNam: map[string]int{}, opAt: map[opKey]*Op{}, loopAt: map[token.Pos]*Loop{},
			pkgPath: pkgPath, origin: map[*types.Var]string{}, results: map[types.Object]string{}}
	}
	// Dependencies first (deps.go): only with types, which is what makes their calls resolve.
	var deps []*depPkg
	if typed {
		deps = findDeps(abs, fset, groups, &idx.Errors)
	}
	for _, d := range deps {
		st := newState(d.path)
		st.filePrefix = d.prefix
		st.info = &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
			Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
		conf := types.Config{Importer: imp, Error: func(error) {}} // its own errors are not the package's
		st.pkg, _ = conf.Check(d.path, fset, d.files, st.info)
		imp.pkgs[d.path] = st.pkg
		st.noteNamed()
		st.indexFiles(d.files, true) // its exported functions are called from code it does not see
		idx.Deps = append(idx.Deps, d.path)
	}
	self := ""
	if typed {
		self = importPathOf(abs)
	}
	var states []*pkgState
	var files [][]*ast.File
	for _, name := range names {
		st := newState(name)
		if typed {
			idx.Typed = true
			st.info = &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
				Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
			nerr := 0
			conf := types.Config{Importer: imp, Error: func(err error) {
				if strings.Contains(err.Error(), "not loaded by srcindex") {
					return
				}
				if nerr++; nerr <= 3 {
					idx.Errors = append(idx.Errors, err.Error())
				}
			}}
			st.pkg, _ = conf.Check(name, fset, groups[name], st.info) // errors are collected above
			st.noteNamed()
			// The external test package ("x_test" beside "x", checked after it: names are sorted)
			// imports the package under test: it gets the one checked here, so that its calls of
			// the package's functions and methods are "call" ops into them (not "ext").
			if self != "" && st.pkg != nil && !strings.HasSuffix(name, "_test") {
				imp.pkgs[self] = st.pkg
			}
		}
		states = append(states, st)
		files = append(files, groups[name])
	}
	// Pipe ends are followed across the package and its tests together (pipes.go): the external
	// test package passes them into the package's functions.
	pipes := scanPipes(fset, states, files)
	for k, st := range states {
		st.pipes = pipes
		st.indexFiles(files[k], len(names) > 1)
	}
	pruneCalls(idx)
	return idx, nil
}

// pruneCalls removes the "call" ops whose callee never synchronises (no op but its return, and
// only calls of such functions): their predecessors and functions' first sets lead to what follows
// them instead. Op ids are renumbered (they stay the positions in Ops).
func pruneCalls(idx *Index) {
	syncs := make([]bool, len(idx.Funcs))
	for changed := true; changed; {
		changed = false
		for _, op := range idx.Ops {
			if op.Func < 0 || syncs[op.Func] {
				continue
			}
			s := op.Kind != "return" && op.Kind != "call"
			if op.Kind == "call" && op.Starts >= 0 && syncs[op.Starts] {
				s = true
			}
			if s {
				syncs[op.Func], changed = true, true
			}
		}
	}
	drop := make([]bool, len(idx.Ops))
	for _, op := range idx.Ops {
		drop[op.ID] = op.Kind == "call" && (op.Starts < 0 || !syncs[op.Starts])
	}
	// What a dropped op leads to, through chains of dropped ops (a loop of them leads nowhere).
	memo := map[int][]int{}
	var through func(id int, seen map[int]bool) []int
	through = func(id int, seen map[int]bool) []int {
		if !drop[id] {
			return []int{id}
		}
		if r, ok := memo[id]; ok {
			return r
		}
		if seen[id] {
			return nil
		}
		seen[id] = true
		var out []int
		for _, n := range idx.Ops[id].Next {
			out = union(out, through(n, seen))
		}
		if out == nil {
			out = []int{}
		}
		memo[id] = out
		return out
	}
	resolve := func(ids []int) []int {
		out := []int{}
		for _, id := range ids {
			out = union(out, through(id, map[int]bool{}))
		}
		return out
	}
	newID := make([]int, len(idx.Ops))
	var kept []*Op
	for _, op := range idx.Ops {
		if drop[op.ID] {
			newID[op.ID] = -1
			continue
		}
		newID[op.ID] = len(kept)
		kept = append(kept, op)
	}
	renumber := func(ids []int) []int {
		out := make([]int, 0, len(ids))
		for _, id := range ids {
			out = append(out, newID[id])
		}
		sort.Ints(out)
		return out
	}
	for _, op := range kept {
		op.Next = renumber(resolve(op.Next))
	}
	for _, f := range idx.Funcs {
		f.First = renumber(resolve(f.First))
	}
	for _, op := range kept {
		op.ID = newID[op.ID]
	}
	if kept == nil {
		kept = []*Op{}
	}
	idx.Ops = kept
}

func (st *pkgState) pos(p token.Pos) (string, int, int) {
	q := st.fset.Position(p)
	return st.filePrefix + filepath.Base(q.Filename), q.Line, q.Column
}

// localName: the canonical name of a local variable: "v@LINE" in the package, "v@FILE:LINE" in a
// dependency (deps.go; its lines are of another file).
func (st *pkgState) localName(v *types.Var) string {
	file, line, _ := st.pos(v.Pos())
	if st.filePrefix != "" {
		return v.Name() + "@" + file + ":" + itoa(line)
	}
	return v.Name() + "@" + itoa(line)
}

type fnBody struct {
	fn   *Func
	body *ast.BlockStmt
}

// indexFiles indexes one package clause; external: the directory holds another (an external test
// package), whose calls of this package's exported functions are not seen.
func (st *pkgState) indexFiles(files []*ast.File, external bool) {
	var bodies []fnBody
	for _, f := range files {
		st.scanCaps(f)
	}
	st.aliasParams(files, external)
	st.scanOrigins(files)
	st.scanFixed(files)
	for _, f := range files {
		counter := map[string]int{}
		var visit func(n ast.Node, parent string)
		visit = func(n ast.Node, parent string) {
			ast.Inspect(n, func(x ast.Node) bool {
				switch x := x.(type) {
				case *ast.FuncDecl:
					if x.Body == nil {
						return false
					}
					name := x.Name.Name
					if x.Recv != nil && len(x.Recv.List) > 0 {
						name = types.ExprString(x.Recv.List[0].Type) + "." + name
					}
					fn := st.newFunc(name, x.Pos(), x.End())
					if st.info != nil {
						if obj := st.info.Defs[x.Name]; obj != nil {
							st.declID[obj] = fn.ID
						}
					}
					if x.Recv == nil {
						st.declNam[x.Name.Name] = fn.ID
					}
					bodies = append(bodies, fnBody{fn, x.Body})
					visit(x.Body, name)
					return false
				case *ast.FuncLit:
					counter[parent]++
					name := fmt.Sprintf("%s.func%d", parent, counter[parent])
					fn := st.newFunc(name, x.Pos(), x.End())
					st.litID[x] = fn.ID
					bodies = append(bodies, fnBody{fn, x.Body})
					visit(x.Body, name)
					return false
				}
				return true
			})
		}
		visit(f, "")
	}
	for _, b := range bodies {
		w := &walker{st: st, fn: b.fn, labels: map[string]*target{}}
		b.fn.First = w.walkFunc(b.body)
	}
	for _, op := range st.idx.Ops {
		if op.Kind == "go" && op.startsExpr != nil {
			op.Starts = st.resolveFunc(op.startsExpr)
			op.startsExpr = nil
		}
	}
}

func (st *pkgState) newFunc(name string, from, to token.Pos) *Func {
	file, start, _ := st.pos(from)
	_, end, _ := st.pos(to)
	fn := &Func{ID: len(st.idx.Funcs), Name: name, File: file, Start: start, End: end, First: []int{}}
	st.idx.Funcs = append(st.idx.Funcs, fn)
	return fn
}

func (st *pkgState) resolveFunc(e ast.Expr) int {
	switch e := unparen(e).(type) {
	case *ast.FuncLit:
		if id, ok := st.litID[e]; ok {
			return id
		}
	case *ast.Ident:
		if st.info != nil {
			if obj := st.info.Uses[e]; obj != nil {
				if id, ok := st.declID[obj]; ok {
					return id
				}
				if v, ok := obj.(*types.Var); ok && st.boundLit[v] != nil {
					return st.resolveFunc(st.boundLit[v]) // f := func(...){...}; go f(...)
				}
			}
		}
		if id, ok := st.declNam[e.Name]; ok {
			return id
		}
	case *ast.SelectorExpr:
		if st.info != nil {
			if obj := st.info.Uses[e.Sel]; obj != nil {
				if id, ok := st.declID[obj]; ok {
					return id
				}
				if impl := st.soleImpl(obj); impl != nil {
					if id, ok := st.declID[impl]; ok {
						return id // an interface's method with one implementation in the code indexed
					}
				}
			}
		}
	}
	return -1
}

// noteNamed adds the package's named non-interface types to the shared list soleImpl reads.
func (st *pkgState) noteNamed() {
	if st.pkg == nil {
		return
	}
	scope := st.pkg.Scope()
	for _, name := range scope.Names() {
		if tn, ok := scope.Lookup(name).(*types.TypeName); ok && !tn.IsAlias() {
			if n, ok := tn.Type().(*types.Named); ok && !types.IsInterface(n) && n.TypeParams() == nil {
				*st.named = append(*st.named, n)
			}
		}
	}
}

// soleImpl: for a method of an interface type, the method of the one named type (or pointer to
// it) among the packages checked so far — the package, its dependencies — that implements the
// interface; nil when none or several do (another may come from code the index does not see:
// then the call stays "ext").
func (st *pkgState) soleImpl(obj types.Object) types.Object {
	fn, ok := obj.(*types.Func)
	if !ok {
		return nil
	}
	if fn.Pkg() == nil || isStd(fn.Pkg().Path()) {
		return nil // context.Context, sync.Locker, …: their implementations are the library's
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil || sig.Recv() == nil {
		return nil
	}
	iface, ok := sig.Recv().Type().Underlying().(*types.Interface)
	if !ok || iface.Empty() {
		return nil
	}
	var found types.Object
	for _, n := range *st.named {
		var t types.Type
		switch {
		case types.Implements(n, iface):
			t = n
		case types.Implements(types.NewPointer(n), iface):
			t = types.NewPointer(n)
		default:
			continue
		}
		if found != nil {
			return nil
		}
		m, _, _ := types.LookupFieldOrMethod(t, true, fn.Pkg(), fn.Name())
		if m == nil {
			return nil
		}
		found = m
	}
	return found
}

// scanCaps records the static capacity of channels made by `x := make(chan T, N)` / `var x = make(...)`.
func (st *pkgState) scanCaps(f *ast.File) {
	if st.info == nil {
		return
	}
	record := func(lhs *ast.Ident, rhs ast.Expr) {
		c := st.makeCap(rhs)
		if c < 0 {
			return
		}
		obj := st.info.Defs[lhs]
		if obj == nil {
			obj = st.info.Uses[lhs]
		}
		if obj != nil {
			if _, seen := st.capOf[obj]; seen && st.capOf[obj] != c {
				st.capOf[obj] = -1 // made twice with different capacities
				return
			}
			st.capOf[obj] = c
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						record(id, n.Rhs[i])
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				for i, id := range n.Names {
					record(id, n.Values[i])
				}
			}
		}
		return true
	})
}

// makeCap: the capacity of make(chan T[, N]) with a constant N; -1 otherwise.
func (st *pkgState) makeCap(e ast.Expr) int {
	call, ok := unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return -1
	}
	if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "make" {
		return -1
	}
	if _, ok := call.Args[0].(*ast.ChanType); !ok {
		return -1
	}
	if len(call.Args) == 1 {
		return 0
	}
	if tv, ok := st.info.Types[call.Args[1]]; ok && tv.Value != nil {
		var n int
		if _, err := fmt.Sscan(tv.Value.ExactString(), &n); err == nil {
			return n
		}
	}
	return -1
}

// syncImporter type-checks from source only the packages whose types decide what synchronises
// (sync, context, time); every other import fails fast, so indexing costs little. The type checker
// then treats values of those packages as invalid, which srcindex reads as "not a sync op".
type syncImporter struct{ src types.Importer }

func (i *syncImporter) Import(path string) (*types.Package, error) {
	switch path {
	case "sync", "sync/atomic", "context", "time":
		return i.src.Import(path)
	}
	return nil, fmt.Errorf("%s: not loaded by srcindex", path)
}

func goroot() string { return build.Default.GOROOT }
