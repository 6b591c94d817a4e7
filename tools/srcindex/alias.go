package main

// Objects through parameters: a channel (lock, wait group, ...) passed to a function of the package
// is named inside it by the argument's canonical name, so that `go worker(results)` and
// `func worker(ch chan int) { ch <- 1 }` act on one object "results@LINE".
//
// After type checking, every static call of a function of this package (a declared function or
// method, a function literal called or started directly, a variable bound once to a function
// literal; plain calls, `go` and `defer` alike) maps each parameter, and a method's receiver, to
// the names of its arguments; a fixed point carries names through chains of calls (main → a(x) →
// b(x)). A parameter whose every call site passes one name takes that name (and its channel's
// static capacity); with several names it keeps its own and lists the others as aliases. A
// parameter keeps its own name among its aliases when calls may be unseen: the function is used
// as a value, a method may be called through an interface of the package (same name), an
// exported function or method when an external test package in the directory may call it, or the
// parameter is assigned or has its address taken in the body. Only parameters whose values share
// the object follow their arguments (channel, pointer, map, slice, interface types); a struct
// passed by value is a copy.

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
)

// nameSet: canonical names a parameter may denote → static channel capacity (-1 unknown).
type nameSet map[string]int

func (s nameSet) add(name string, c int) bool {
	if old, ok := s[name]; ok {
		if old != c && old != -1 {
			s[name] = -1
			return true
		}
		return false
	}
	s[name] = c
	return true
}

type paramSite struct {
	param *types.Var
	arg   ast.Expr
}

// aliasParams fills st.rename, st.aliases and st.paramCap (see canon and object).
func (st *pkgState) aliasParams(files []*ast.File, external bool) {
	if st.info == nil {
		return
	}
	funcs := map[*types.Func]bool{} // declared functions and methods of this package
	ifaceMethods := map[string]bool{}
	assigns := map[*types.Var]int{}
	addr := map[*types.Var]bool{}
	lits := map[*types.Var]*ast.FuncLit{}
	lhs := map[*ast.Ident]bool{}
	varOf := func(id *ast.Ident) *types.Var {
		if o, ok := st.info.Defs[id].(*types.Var); ok {
			return o
		}
		o, _ := st.info.Uses[id].(*types.Var)
		return o
	}
	assigned := func(e ast.Expr, rhs ast.Expr) {
		id, ok := unparen(e).(*ast.Ident)
		if !ok {
			return
		}
		lhs[id] = true
		if v := varOf(id); v != nil {
			assigns[v]++
			if lit, ok := unparenOrNil(rhs).(*ast.FuncLit); ok {
				lits[v] = lit
			}
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if fn, ok := st.info.Defs[n.Name].(*types.Func); ok && n.Body != nil {
					funcs[fn] = true
				}
			case *ast.InterfaceType:
				for _, m := range n.Methods.List {
					for _, name := range m.Names {
						ifaceMethods[name.Name] = true
					}
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					var r ast.Expr
					if len(n.Lhs) == len(n.Rhs) {
						r = n.Rhs[i]
					}
					assigned(l, r)
				}
			case *ast.ValueSpec:
				if len(n.Values) > 0 {
					for i, id := range n.Names {
						var r ast.Expr
						if len(n.Names) == len(n.Values) {
							r = n.Values[i]
						}
						assigned(id, r)
					}
				}
			case *ast.RangeStmt:
				assigned(n.Key, nil)
				assigned(n.Value, nil)
			case *ast.IncDecStmt:
				assigned(n.X, nil)
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					if id, ok := unparen(n.X).(*ast.Ident); ok {
						if v := varOf(id); v != nil {
							addr[v] = true
						}
					}
				}
			}
			return true
		})
	}
	boundLit := func(v *types.Var) *ast.FuncLit {
		if assigns[v] == 1 && !addr[v] {
			return lits[v]
		}
		return nil
	}
	st.boundLit = map[*types.Var]*ast.FuncLit{}
	for v := range lits {
		if lit := boundLit(v); lit != nil {
			st.boundLit[v] = lit
		}
	}

	// The call sites: parameter → argument, and the idents in callee position.
	var sites []paramSite
	callee := map[*ast.Ident]bool{}
	owner := map[*types.Var]types.Object{} // parameter → its function (Func, or the literal's variable)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var sig *types.Signature
			var recvArg ast.Expr
			var fnObj types.Object
			switch fun := unparen(call.Fun).(type) {
			case *ast.FuncLit:
				sig, _ = st.info.TypeOf(fun).(*types.Signature)
			case *ast.Ident:
				switch o := st.info.Uses[fun].(type) {
				case *types.Func:
					if o = o.Origin(); funcs[o] {
						sig, fnObj = o.Type().(*types.Signature), o
						callee[fun] = true
					}
				case *types.Var:
					if lit := boundLit(o); lit != nil {
						sig, fnObj = st.info.TypeOf(lit).(*types.Signature), o
						callee[fun] = true
					}
				}
			case *ast.SelectorExpr:
				if s := st.info.Selections[fun]; s != nil && s.Kind() == types.MethodVal {
					if o, ok := s.Obj().(*types.Func); ok && funcs[o.Origin()] {
						o = o.Origin()
						sig, fnObj, recvArg = o.Type().(*types.Signature), o, fun.X
						callee[fun.Sel] = true
					}
				}
			}
			if sig == nil {
				return true
			}
			if r := sig.Recv(); r != nil && recvArg != nil {
				sites = append(sites, paramSite{r, recvArg})
				owner[r] = fnObj
			}
			np := sig.Params().Len()
			if sig.Variadic() {
				np-- // the variadic parameter is a slice made at the call
			}
			for i := 0; i < np; i++ {
				p := sig.Params().At(i)
				owner[p] = fnObj
				if len(call.Args) != sig.Params().Len() && !(sig.Variadic() && len(call.Args) >= np) {
					sites = append(sites, paramSite{p, nil}) // f(g()): arguments unseen
					continue
				}
				sites = append(sites, paramSite{p, call.Args[i]})
			}
			return true
		})
	}

	// Functions that may be called where no site was seen.
	escaped := map[types.Object]bool{}
	for id, o := range st.info.Uses {
		switch o := o.(type) {
		case *types.Func:
			if funcs[o.Origin()] && !callee[id] {
				escaped[o.Origin()] = true
			}
		case *types.Var:
			if boundLit(o) != nil && !callee[id] && !lhs[id] {
				escaped[o] = true
			}
		}
	}
	for fn := range funcs {
		sig := fn.Type().(*types.Signature)
		if (sig.Recv() != nil && ifaceMethods[fn.Name()]) || (external && fn.Exported()) {
			escaped[fn] = true
		}
	}

	own := st.localName
	follows := func(v *types.Var) bool {
		if v.Name() == "" || v.Name() == "_" {
			return false
		}
		switch v.Type().Underlying().(type) {
		case *types.Chan, *types.Pointer, *types.Map, *types.Slice, *types.Interface:
			return true
		}
		return false
	}
	w := &walker{st: st}
	// Outer rounds: argument names are computed with the renames of the previous round, so an
	// argument derived from a renamed parameter (`chs[i]`, `p.Done()`) is named as it is used.
	for round := 0; round < 3; round++ {
		names := map[*types.Var]nameSet{}
		for _, s := range sites {
			if !follows(s.param) {
				continue
			}
			if names[s.param] == nil {
				names[s.param] = nameSet{}
			}
			p := s.param
			if s.arg == nil || escaped[owner[p]] || assigns[p] > 0 || addr[p] {
				names[p].add(own(p), -1)
			}
		}
		for changed := true; changed; {
			changed = false
			for _, s := range sites {
				set := names[s.param]
				if set == nil || s.arg == nil {
					continue
				}
				a := unparen(s.arg)
				if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
					a = unparen(u.X)
				}
				if id, ok := a.(*ast.Ident); ok {
					if q, ok := st.info.Uses[id].(*types.Var); ok && names[q] != nil {
						for n, c := range names[q] {
							changed = set.add(n, c) || changed
						}
						continue
					}
				}
				c := -1
				name := w.canon(s.arg, &c)
				changed = set.add(name, c) || changed
			}
		}
		rename := map[*types.Var]string{}
		aliases := map[*types.Var][]string{}
		caps := map[*types.Var]int{}
		for p, set := range names {
			if len(set) == 0 {
				continue
			}
			common := -2
			var list []string
			for n, c := range set {
				list = append(list, n)
				if common == -2 {
					common = c
				} else if common != c {
					common = -1
				}
			}
			sort.Strings(list)
			caps[p] = common
			if len(list) == 1 {
				rename[p] = list[0]
				continue
			}
			mine := own(p)
			var others []string
			for _, n := range list {
				if n != mine {
					others = append(others, n)
				}
			}
			aliases[p] = others
		}
		stable := sameRenames(rename, st.rename)
		st.rename, st.aliases, st.paramCap = rename, aliases, caps
		if stable {
			break
		}
	}
}

func sameRenames(a, b map[*types.Var]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func unparenOrNil(e ast.Expr) ast.Expr {
	if e == nil {
		return nil
	}
	return unparen(e)
}

// rootVar: the variable whose name canon would put at the root of e's name (nil for fields,
// package-qualified names and anything else).
func (w *walker) rootVar(e ast.Expr) *types.Var {
	if w.st.info == nil {
		return nil
	}
	switch e := unparen(e).(type) {
	case *ast.Ident:
		v, _ := w.st.info.Uses[e].(*types.Var)
		return v
	case *ast.StarExpr:
		return w.rootVar(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return w.rootVar(e.X)
		}
	case *ast.SelectorExpr:
		if s := w.st.info.Selections[e]; s != nil && s.Kind() == types.FieldVal {
			if _, ok := derefNamed(s.Recv()); ok {
				return nil
			}
		}
		if _, ok := w.st.info.Uses[identOf(e.X)].(*types.PkgName); ok {
			return nil
		}
		return w.rootVar(e.X)
	case *ast.IndexExpr:
		return w.rootVar(e.X)
	case *ast.CallExpr:
		return w.rootVar(e.Fun)
	}
	return nil
}

func derefNamed(t types.Type) (*types.Named, bool) {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return n, ok
}

// objAliases: the other names of e's object when its root is a parameter with several names.
func (w *walker) objAliases(e ast.Expr) []string {
	v := w.rootVar(e)
	if v == nil || len(w.st.aliases[v]) == 0 {
		return nil
	}
	var out []string
	for _, a := range w.st.aliases[v] {
		w.override = map[*types.Var]string{v: a}
		out = append(out, w.canon(e, new(int)))
	}
	w.override = nil
	return out
}
