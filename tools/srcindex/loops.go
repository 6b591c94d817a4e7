package main

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// Static trip counts of loops (Loop.Trips, index version 6): how many times a loop's body runs,
// where the statement alone fixes it. Needs type information (constants); 0 unknown.

// constInt is e's value when it is an integer constant.
func (w *walker) constInt(e ast.Expr) (int64, bool) {
	if w.st.info == nil || e == nil {
		return 0, false
	}
	tv, ok := w.st.info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int {
		return 0, false
	}
	return constant.Int64Val(tv.Value)
}

// varOf is the variable an identifier denotes (defined or used).
func (w *walker) varOf(e ast.Expr) *types.Var {
	id, ok := unparen(e).(*ast.Ident)
	if !ok || w.st.info == nil {
		return nil
	}
	if v, ok := w.st.info.Defs[id].(*types.Var); ok {
		return v
	}
	v, _ := w.st.info.Uses[id].(*types.Var)
	return v
}

// assigned reports whether body assigns v, increments it or takes its address.
func (w *walker) assigned(body ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				found = found || w.varOf(l) == v
			}
		case *ast.IncDecStmt:
			found = found || w.varOf(n.X) == v
		case *ast.UnaryExpr:
			found = found || (n.Op == token.AND && w.varOf(n.X) == v)
		}
		return !found
	})
	return found
}

// forTrips: `for i := A; i < B; i++` (also `i <= B`, `i += 1`), A and B constants (or fixed:
// staticInt), i not assigned in the body.
func (w *walker) forTrips(s *ast.ForStmt) int {
	init, ok := s.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return 0
	}
	v := w.varOf(init.Lhs[0])
	a, okA := w.staticInt(init.Rhs[0])
	cond, okC := s.Cond.(*ast.BinaryExpr)
	if v == nil || !okA || !okC || w.varOf(cond.X) != v {
		return 0
	}
	b, okB := w.staticInt(cond.Y)
	if !okB {
		return 0
	}
	switch post := s.Post.(type) {
	case *ast.IncDecStmt:
		if post.Tok != token.INC || w.varOf(post.X) != v {
			return 0
		}
	case *ast.AssignStmt:
		if one, ok := w.constInt(post.Rhs[0]); post.Tok != token.ADD_ASSIGN || !ok || one != 1 || w.varOf(post.Lhs[0]) != v {
			return 0
		}
	default:
		return 0
	}
	if w.assigned(s.Body, v) {
		return 0
	}
	n := b - a
	switch cond.Op {
	case token.LSS:
	case token.LEQ:
		n++
	default:
		return 0
	}
	if n <= 0 || n > 1<<20 {
		return 0
	}
	return int(n)
}

// rangeTrips: `for … range N` with N a constant or fixed integer variable, a range over an array
// (or a pointer to one), over a slice or array literal without keys, or over a fixed slice
// variable (scanFixed).
func (w *walker) rangeTrips(s *ast.RangeStmt) int {
	if v := w.varOf(s.X); v != nil && w.st.info != nil {
		if n, ok := w.st.fixed.length[v]; ok && n > 0 {
			return n
		}
	}
	if n, ok := w.staticInt(s.X); ok {
		if n > 0 && n <= 1<<20 {
			return int(n)
		}
		return 0
	}
	if _, ok := unparen(s.X).(*ast.CompositeLit); ok {
		n, _ := w.st.literalLen(s.X)
		return n
	}
	if w.st.info == nil {
		return 0
	}
	t := w.st.info.TypeOf(s.X)
	if t == nil {
		return 0
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if a, ok := t.Underlying().(*types.Array); ok {
		return int(a.Len())
	}
	return 0
}

// Variables whose value fixes a loop's trip count though they are not constants (version 9): a
// slice or array variable declared with a literal without keys (`services := []string{"a", "b"}`;
// table-driven tests' `tests := []struct{…}{…}`), or an integer variable declared with a constant
// (`n := 4`), that the package never assigns again (no `=`, `op=`, `++`/`--`, `&v`, range
// assignment, redeclaration by `:=`). Their length / value is then as static as a constant's.
type fixedVars struct {
	length map[*types.Var]int   // slice or array variables: the literal's length
	value  map[*types.Var]int64 // integer variables: the constant
}

// scanFixed fills st.fixed from the package's files.
func (st *pkgState) scanFixed(files []*ast.File) {
	st.fixed = fixedVars{length: map[*types.Var]int{}, value: map[*types.Var]int64{}}
	if st.info == nil {
		return
	}
	defVar := func(id *ast.Ident) *types.Var {
		v, _ := st.info.Defs[id].(*types.Var)
		return v
	}
	declare := func(id *ast.Ident, e ast.Expr) {
		v := defVar(id)
		if v == nil || e == nil {
			return
		}
		if _, ok := unparen(e).(*ast.CompositeLit); ok {
			if n, ok := st.literalLen(e); ok {
				st.fixed.length[v] = n
			}
			return
		}
		if tv, ok := st.info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.Int {
			if b, ok := v.Type().Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 {
				if n, exact := constant.Int64Val(tv.Value); exact {
					st.fixed.value[v] = n
				}
			}
		}
	}
	changed := map[*types.Var]bool{}
	change := func(e ast.Expr) {
		if id, ok := unparen(e).(*ast.Ident); ok {
			if v, ok := st.info.Uses[id].(*types.Var); ok {
				changed[v] = true
			}
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && x.Tok == token.DEFINE && defVar(id) != nil {
						if len(x.Lhs) == len(x.Rhs) {
							declare(id, x.Rhs[i])
						}
						continue
					}
					change(l) // an assignment, or a redeclaration by := (recorded as a use)
				}
			case *ast.ValueSpec:
				if len(x.Names) == len(x.Values) {
					for i, id := range x.Names {
						declare(id, x.Values[i])
					}
				}
			case *ast.IncDecStmt:
				change(x.X)
			case *ast.UnaryExpr:
				if x.Op == token.AND {
					change(x.X)
				}
			case *ast.RangeStmt:
				if x.Tok == token.ASSIGN {
					change(x.Key)
					change(x.Value)
				}
			}
			return true
		})
	}
	for v := range changed {
		delete(st.fixed.length, v)
		delete(st.fixed.value, v)
	}
}

// staticInt: e's value when it is an integer constant, a fixed integer variable, or len(v) of a
// fixed slice or array variable.
func (w *walker) staticInt(e ast.Expr) (int64, bool) {
	if n, ok := w.constInt(e); ok {
		return n, true
	}
	if w.st.info == nil || e == nil {
		return 0, false
	}
	if v := w.varOf(e); v != nil {
		n, ok := w.st.fixed.value[v]
		return n, ok
	}
	if call, ok := unparen(e).(*ast.CallExpr); ok && len(call.Args) == 1 {
		if id, ok := unparen(call.Fun).(*ast.Ident); ok {
			if b, ok := w.st.info.Uses[id].(*types.Builtin); ok && b.Name() == "len" {
				if v := w.varOf(call.Args[0]); v != nil {
					if n, ok := w.st.fixed.length[v]; ok {
						return int64(n), true
					}
				}
			}
		}
	}
	return 0, false
}

// literalLen: the length of e when it is a slice or array literal without keys (needs types).
func (st *pkgState) literalLen(e ast.Expr) (int, bool) {
	lit, ok := unparen(e).(*ast.CompositeLit)
	if !ok || st.info == nil {
		return 0, false
	}
	for _, el := range lit.Elts {
		if _, kv := el.(*ast.KeyValueExpr); kv {
			return 0, false
		}
	}
	if t := st.info.TypeOf(lit); t != nil {
		switch t.Underlying().(type) {
		case *types.Slice, *types.Array:
			return len(lit.Elts), true
		}
	}
	return 0, false
}
