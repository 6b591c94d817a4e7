package main

// In-memory pipes followed through the program (index version 10): which variables, parameters,
// struct fields and function results hold only the ends of a net.Pipe or an io.Pipe, so that a read
// or write through them is known to block on the pipe's channels and mutex (GoBlock(select), (recv),
// (send), (sync)) and never in a system call — where "io" ops through a reader or writer of unknown
// kind (calls.go indirectIO) could be either.
//
// Values flow into a target (a variable, a parameter, a field, a function's i-th result) by
// assignment and declaration, a struct literal's field, a static call's argument (a function or
// method of the packages checked here — the package and its tests, the external test package
// included, whose calls pass their pipe ends into the package under test), and a return statement.
// A pipe value is a net.Pipe() or io.Pipe() result, a bufio reader, writer or scanner made around
// one, a conversion or type assertion of one, a struct literal with a field given one (a test's
// conn made of two io.Pipe ends), or a target that holds pipes. A target holds pipes
// when at least one value flows into it and every value that does is a pipe (nil aside): a
// parameter that one test passes a pipe end and another a bytes.Buffer stays unknown. The least
// fixed point is taken, so a cycle of targets never justifies itself. os.Pipe is a file: its
// reads and writes are system calls, not this.
//
// Each pipe is named by its Pipe() call ("pipe@FILE:LINE:COL"), each end by that name and "/0" or
// "/1" (net.Pipe's two ends, io.Pipe's reader and writer); a target holds the ends of every value
// flowing into it. Bytes written at end E are read at the other end: an op reading end E receives
// from channel "E", one writing at end E sends into channel "other(E)", one closing end E closes
// both — so that the walk (src/data) knows a write readies a reader parked at the other end like a
// send readies a parked receiver.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"
)

// resultSlot: the i-th result of a function of the checked packages.
type resultSlot struct {
	fn *types.Func
	i  int
}

// pipeFlow: the i-th value of e (a call with several results) flows into a target — or, for a
// bare return, the named result variable v.
type pipeFlow struct {
	info *types.Info
	e    ast.Expr
	i    int
	v    *types.Var
}

// endSet: the pipe ends a value may be ("pipe@FILE:LINE:COL/0").
type endSet map[string]bool

// pipeSet: the targets (*types.Var or resultSlot) that hold only pipe ends, and which ends.
type pipeSet struct {
	fset *token.FileSet
	held map[any]endSet
}

// scanPipes computes the pipe targets of the packages checked together (files[k] are pkgs[k]'s).
func scanPipes(fset *token.FileSet, pkgs []*pkgState, files [][]*ast.File) *pipeSet {
	flows := map[any][]pipeFlow{}
	add := func(target any, info *types.Info, e ast.Expr, i int) {
		if target == nil || e == nil {
			return
		}
		if id, ok := unparen(e).(*ast.Ident); ok {
			if _, isNil := info.Uses[id].(*types.Nil); isNil {
				return // nil flows nowhere
			}
		}
		flows[target] = append(flows[target], pipeFlow{info: info, e: e, i: i})
	}
	for n, st := range pkgs {
		if st.info == nil {
			continue
		}
		info := st.info
		// into: lhs[k] ← the values of rhs (one call with several results, or one value each).
		into := func(lhs []any, rhs []ast.Expr) {
			for k, t := range lhs {
				switch {
				case len(rhs) == 1 && len(lhs) > 1:
					add(t, info, rhs[0], k)
				case k < len(rhs):
					add(t, info, rhs[k], 0)
				}
			}
		}
		for _, f := range files[n] {
			var fns []*types.Func // the enclosing declared functions (nil for a function literal)
			var visit func(n ast.Node) bool
			visit = func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.FuncDecl:
					fn, _ := info.Defs[x.Name].(*types.Func)
					fns = append(fns, fn)
					if x.Body != nil {
						ast.Inspect(x.Body, visit)
					}
					fns = fns[:len(fns)-1]
					return false
				case *ast.FuncLit:
					fns = append(fns, nil)
					ast.Inspect(x.Body, visit)
					fns = fns[:len(fns)-1]
					return false
				case *ast.AssignStmt:
					if x.Tok == token.ASSIGN || x.Tok == token.DEFINE {
						lhs := make([]any, len(x.Lhs))
						for k, l := range x.Lhs {
							lhs[k] = targetOf(info, l)
						}
						into(lhs, x.Rhs)
					}
				case *ast.ValueSpec:
					lhs := make([]any, len(x.Names))
					for k, id := range x.Names {
						lhs[k] = targetOf(info, id)
					}
					into(lhs, x.Values)
				case *ast.CompositeLit:
					st.litFlows(x, add)
				case *ast.CallExpr:
					if params := calleeParams(info, x); params != nil {
						lhs := make([]any, len(x.Args))
						for k := range x.Args {
							if k < params.Len() {
								lhs[k] = params.At(k)
							}
						}
						if sig, ok := info.Types[x.Fun].Type.(*types.Signature); ok && sig.Variadic() && params.Len() > 0 {
							for k := params.Len() - 1; k < len(lhs); k++ {
								lhs[k] = nil // a variadic parameter holds a slice
							}
						}
						if len(x.Args) == 1 && params.Len() > 1 {
							lhs = make([]any, params.Len()) // f(g()): g's results, one per parameter
							for k := range lhs {
								lhs[k] = params.At(k)
							}
						}
						into(lhs, x.Args)
					}
				case *ast.ReturnStmt:
					fn := fns[len(fns)-1]
					if fn == nil {
						break
					}
					res := fn.Type().(*types.Signature).Results()
					lhs := make([]any, res.Len())
					for k := range lhs {
						lhs[k] = resultSlot{fn, k}
					}
					if len(x.Results) == 0 { // a bare return: the named results' values
						for k := range lhs {
							flows[lhs[k]] = append(flows[lhs[k]], pipeFlow{v: res.At(k)})
						}
						break
					}
					into(lhs, x.Results)
				}
				return true
			}
			ast.Inspect(f, visit)
		}
	}
	set := &pipeSet{fset: fset, held: map[any]endSet{}}
	for changed := true; changed; {
		changed = false
		for t, fs := range flows {
			all := endSet{}
			for _, fl := range fs {
				var e endSet
				if fl.v != nil {
					e = set.held[fl.v]
				} else {
					e = set.ends(fl.info, fl.e, fl.i)
				}
				if e == nil {
					all = nil
					break
				}
				for k := range e {
					all[k] = true
				}
			}
			if all != nil && len(all) > len(set.held[t]) { // held sets only grow
				set.held[t], changed = all, true
			}
		}
	}
	return set
}

// isPipe: whether the i-th value of e is a pipe end (or a bufio wrapper around one).
func (s *pipeSet) isPipe(info *types.Info, e ast.Expr, i int) bool { return s.ends(info, e, i) != nil }

// ends: the pipe ends the i-th value of e may be; nil when it is not known to be one.
func (s *pipeSet) ends(info *types.Info, e ast.Expr, i int) endSet {
	if s == nil || info == nil || e == nil {
		return nil
	}
	switch x := unparen(e).(type) {
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			v, ok = info.Defs[x].(*types.Var)
		}
		if ok {
			return s.held[v]
		}
	case *ast.SelectorExpr:
		if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal {
			return s.held[sel.Obj()]
		}
	case *ast.TypeAssertExpr:
		if i == 0 {
			return s.ends(info, x.X, 0)
		}
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return s.ends(info, x.X, 0)
		}
	case *ast.CompositeLit:
		// A struct holding a pipe end (a test's conn made of an io.Pipe pair, one that reports its
		// writes): read or written as a reader or writer, its methods are the pipe's or wrap them.
		return s.heldBy(info, x)
	case *ast.CallExpr:
		if tv, ok := info.Types[x.Fun]; ok && tv.IsType() { // a conversion
			if len(x.Args) == 1 {
				return s.ends(info, x.Args[0], 0)
			}
			return nil
		}
		if fun, ok := unparen(x.Fun).(*ast.SelectorExpr); ok {
			if pn, ok := info.Uses[identOf(fun.X)].(*types.PkgName); ok {
				switch path, name := pn.Imported().Path(), fun.Sel.Name; {
				case (path == "net" || path == "io") && name == "Pipe":
					p := s.fset.Position(x.Pos())
					return endSet{fmt.Sprintf("pipe@%s:%d:%d/%d", filepath.Base(p.Filename), p.Line, p.Column, i&1): true}
				case (path == "bufio" || path == "io") && wrappers[name] && len(x.Args) > 0:
					return s.ends(info, x.Args[0], 0) // what it reads or writes
				case path == "bufio" && name == "NewReadWriter" && len(x.Args) == 2:
					a, b := s.ends(info, x.Args[0], 0), s.ends(info, x.Args[1], 0)
					if a == nil || b == nil {
						return nil
					}
					return unionEnds(a, b)
				}
			}
		}
		if fn := staticCallee(info, x); fn != nil {
			return s.held[resultSlot{fn, i}]
		}
	}
	return nil
}

func unionEnds(a, b endSet) endSet {
	out := endSet{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// heldBy: the pipe ends a struct literal gives its fields (nil for none).
func (s *pipeSet) heldBy(info *types.Info, lit *ast.CompositeLit) endSet {
	tv, ok := info.Types[lit]
	if !ok || tv.Type == nil {
		return nil
	}
	str, ok := tv.Type.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	var out endSet
	for k, el := range lit.Elts {
		var f *types.Var
		v := el
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			id, _ := kv.Key.(*ast.Ident)
			f, _ = info.Uses[id].(*types.Var)
			v = kv.Value
		} else if k < str.NumFields() {
			f = str.Field(k)
		}
		if e := s.ends(info, v, 0); f != nil && e != nil {
			out = unionEnds(out, e)
		}
	}
	return out
}

// targetOf: the variable or field an assignment's left side stores into (nil for an index
// expression, a dereference, or the blank identifier).
func targetOf(info *types.Info, e ast.Expr) any {
	switch x := unparen(e).(type) {
	case *ast.Ident:
		if v, ok := info.Defs[x].(*types.Var); ok {
			return v
		}
		if v, ok := info.Uses[x].(*types.Var); ok {
			return v
		}
	case *ast.SelectorExpr:
		if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal {
			return sel.Obj()
		}
	}
	return nil
}

// litFlows: a struct literal's values flow into its fields (keyed or in order).
func (st *pkgState) litFlows(lit *ast.CompositeLit, add func(any, *types.Info, ast.Expr, int)) {
	tv, ok := st.info.Types[lit]
	if !ok {
		return
	}
	t := tv.Type
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	str, ok := t.Underlying().(*types.Struct)
	if !ok {
		return
	}
	for k, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok {
				if f, ok := st.info.Uses[id].(*types.Var); ok {
					add(f, st.info, kv.Value, 0)
				}
			}
		} else if k < str.NumFields() {
			add(str.Field(k), st.info, el, 0)
		}
	}
}

// staticCallee: the function or concrete method a call names, if it has a body in the checked
// packages' source (a function of another package's export data has none, but a call of it is
// harmless: nothing flows back out of it).
func staticCallee(info *types.Info, call *ast.CallExpr) *types.Func {
	switch fun := unparen(call.Fun).(type) {
	case *ast.Ident:
		fn, _ := info.Uses[fun].(*types.Func)
		return origin(fn)
	case *ast.SelectorExpr:
		if sel := info.Selections[fun]; sel != nil {
			if sel.Kind() != types.MethodVal {
				return nil
			}
			if _, iface := sel.Recv().Underlying().(*types.Interface); iface {
				return nil // through an interface: the implementation is not known
			}
			fn, _ := sel.Obj().(*types.Func)
			return origin(fn)
		}
		fn, _ := info.Uses[fun.Sel].(*types.Func) // pkg.F
		return origin(fn)
	}
	return nil
}

// origin: a generic function's or method's declaration (its parameters are the ones its body
// uses) for an instance of it.
func origin(fn *types.Func) *types.Func {
	if fn == nil {
		return nil
	}
	return fn.Origin()
}

// calleeParams: the parameters a call's arguments flow into — a static callee's, or a function
// literal's called in place (`go func(c net.Conn) {…}(end)`).
func calleeParams(info *types.Info, call *ast.CallExpr) *types.Tuple {
	if lit, ok := unparen(call.Fun).(*ast.FuncLit); ok {
		if sig, ok := info.Types[lit].Type.(*types.Signature); ok {
			return sig.Params()
		}
		return nil
	}
	if fn := staticCallee(info, call); fn != nil {
		return fn.Type().(*types.Signature).Params()
	}
	return nil
}

// Method and function names by what they do to a pipe end: read it, write it, close it.
var (
	pipeReads  = map[string]bool{"Read": true, "ReadString": true, "ReadBytes": true, "ReadByte": true, "ReadRune": true, "ReadLine": true, "ReadSlice": true, "Peek": true, "Scan": true, "ReadFull": true, "ReadAtLeast": true, "ReadAll": true}
	pipeWrites = map[string]bool{"Write": true, "WriteString": true, "WriteByte": true, "WriteRune": true, "Flush": true}
	pipeCloses = map[string]bool{"Close": true, "CloseWithError": true, "CloseRead": true, "CloseWrite": true}
	pipeCopies = map[string]bool{"Copy": true, "CopyN": true, "CopyBuffer": true}
)

// pipeIO: whether an "io" call reads, writes or closes a pipe end — a method of one (a bufio
// wrapper's included), or an io, bufio or fmt function given one and no file or socket — and the
// pipe channels it acts on (op.PipeRecv, PipeSend, PipeClose: sorted; empty where the call's name
// does not say what it does, as for SetDeadline).
func (w *walker) pipeIO(call *ast.CallExpr, op *Op) bool {
	st := w.st
	fun, ok := unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || st.info == nil || st.pipes == nil {
		return false
	}
	name := fun.Sel.Name
	var read, written, closed endSet
	if _, ok := st.info.Uses[identOf(fun.X)].(*types.PkgName); !ok {
		e := st.pipes.ends(st.info, fun.X, 0)
		if e == nil {
			return false
		}
		switch {
		case pipeReads[name]:
			read = e
		case pipeWrites[name]:
			written = e
		case pipeCloses[name]:
			closed = e
		}
	} else {
		pipe := false
		for k, a := range call.Args {
			e := st.pipes.ends(st.info, a, 0)
			if e == nil {
				if o := st.originOf(a); o == "os" || o == "net" {
					return false // a file or socket too: a system call
				}
				continue
			}
			pipe = true
			switch {
			case k == 0 && (pipeCopies[name] || strings.HasPrefix(name, "Fprint") || name == "WriteString"):
				written = unionEnds(written, e) // io.Copy(dst, …), fmt.Fprintf(w, …)
			case k == 1 && pipeCopies[name], k == 0 && (strings.HasPrefix(name, "Fscan") || pipeReads[name]):
				read = unionEnds(read, e) // io.Copy(…, src), io.ReadFull(r, …)
			}
		}
		if !pipe {
			return false
		}
	}
	// Bytes written at end E are read at the other end.
	other := func(end string) string {
		if strings.HasSuffix(end, "/0") {
			return strings.TrimSuffix(end, "0") + "1"
		}
		return strings.TrimSuffix(end, "1") + "0"
	}
	add := func(set *[]string, name string) {
		for _, x := range *set {
			if x == name {
				return
			}
		}
		*set = append(*set, name)
	}
	for e := range read {
		add(&op.PipeRecv, e)
	}
	for e := range written {
		add(&op.PipeSend, other(e))
	}
	for e := range closed {
		add(&op.PipeClose, e)
		add(&op.PipeClose, other(e))
	}
	sort.Strings(op.PipeRecv)
	sort.Strings(op.PipeSend)
	sort.Strings(op.PipeClose)
	return true
}
