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

import (
	"go/ast"
	"go/token"
	"go/types"
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

// pipeSet: the targets (*types.Var or resultSlot) that hold only pipe ends.
type pipeSet map[any]bool

// scanPipes computes the pipe targets of the packages checked together (files[k] are pkgs[k]'s).
func scanPipes(pkgs []*pkgState, files [][]*ast.File) pipeSet {
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
	set := pipeSet{}
	for changed := true; changed; {
		changed = false
		for t, fs := range flows {
			if set[t] {
				continue
			}
			all := true
			for _, fl := range fs {
				if fl.v != nil && !set[fl.v] || fl.v == nil && !set.isPipe(fl.info, fl.e, fl.i) {
					all = false
					break
				}
			}
			if all {
				set[t], changed = true, true
			}
		}
	}
	return set
}

// isPipe: whether the i-th value of e is a pipe end (or a bufio wrapper around one).
func (s pipeSet) isPipe(info *types.Info, e ast.Expr, i int) bool {
	if info == nil || e == nil {
		return false
	}
	switch x := unparen(e).(type) {
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			v, ok = info.Defs[x].(*types.Var)
		}
		return ok && s[v]
	case *ast.SelectorExpr:
		if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal {
			return s[sel.Obj()]
		}
	case *ast.TypeAssertExpr:
		return i == 0 && s.isPipe(info, x.X, 0)
	case *ast.UnaryExpr:
		return x.Op == token.AND && s.isPipe(info, x.X, 0)
	case *ast.CompositeLit:
		// A struct holding a pipe end (a test's conn made of an io.Pipe pair, one that reports its
		// writes): read or written as a reader or writer, its methods are the pipe's or wrap them.
		return s.holdsPipe(info, x)
	case *ast.CallExpr:
		if tv, ok := info.Types[x.Fun]; ok && tv.IsType() { // a conversion
			return len(x.Args) == 1 && s.isPipe(info, x.Args[0], 0)
		}
		if fun, ok := unparen(x.Fun).(*ast.SelectorExpr); ok {
			if pn, ok := info.Uses[identOf(fun.X)].(*types.PkgName); ok {
				switch path, name := pn.Imported().Path(), fun.Sel.Name; {
				case (path == "net" || path == "io") && name == "Pipe":
					return true
				case (path == "bufio" || path == "io") && wrappers[name] && len(x.Args) > 0:
					return s.isPipe(info, x.Args[0], 0) // what it reads or writes
				case path == "bufio" && name == "NewReadWriter" && len(x.Args) == 2:
					return s.isPipe(info, x.Args[0], 0) && s.isPipe(info, x.Args[1], 0)
				}
			}
		}
		if fn := staticCallee(info, x); fn != nil {
			return s[resultSlot{fn, i}]
		}
	}
	return false
}

// holdsPipe: whether a struct literal gives one of its fields a pipe end.
func (s pipeSet) holdsPipe(info *types.Info, lit *ast.CompositeLit) bool {
	tv, ok := info.Types[lit]
	if !ok || tv.Type == nil {
		return false
	}
	str, ok := tv.Type.Underlying().(*types.Struct)
	if !ok {
		return false
	}
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
		if f != nil && s.isPipe(info, v, 0) {
			return true
		}
	}
	return false
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
