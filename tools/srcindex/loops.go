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

// forTrips: `for i := A; i < B; i++` (also `i <= B`, `i += 1`), A and B constants, i not
// assigned in the body.
func (w *walker) forTrips(s *ast.ForStmt) int {
	init, ok := s.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return 0
	}
	v := w.varOf(init.Lhs[0])
	a, okA := w.constInt(init.Rhs[0])
	cond, okC := s.Cond.(*ast.BinaryExpr)
	if v == nil || !okA || !okC || w.varOf(cond.X) != v {
		return 0
	}
	b, okB := w.constInt(cond.Y)
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

// rangeTrips: `for … range N` with N a constant, a range over an array (or a pointer to one),
// or over a slice or array literal without keys.
func (w *walker) rangeTrips(s *ast.RangeStmt) int {
	if n, ok := w.constInt(s.X); ok {
		if n > 0 && n <= 1<<20 {
			return int(n)
		}
		return 0
	}
	if lit, ok := unparen(s.X).(*ast.CompositeLit); ok {
		for _, e := range lit.Elts {
			if _, kv := e.(*ast.KeyValueExpr); kv {
				return 0
			}
		}
		if w.st.info != nil {
			if t := w.st.info.TypeOf(lit); t != nil {
				switch t.Underlying().(type) {
				case *types.Slice, *types.Array:
					return len(lit.Elts)
				}
			}
		}
		return 0
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
