package main

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
)

// walker computes, for one function body, the synchronising statements and their loop-aware
// successors. walk(s, next) returns the ops executed first when s runs and control then continues
// to the ops in next; it sets Next of every op inside s.
type walker struct {
	st      *pkgState
	fn      *Func
	loops   int
	inLoop  []*Loop // the loops being walked, innermost last
	exit    []int   // the function's exit: deferred ops, then its "return" op
	targets []*target
	labels  map[string]*target
	pending string // label of the statement being walked

	override map[*types.Var]string // canon: names to use for these variables (objAliases)
}

type opKey struct {
	pos  token.Pos
	kind string
}

type target struct {
	brk, cont []int
	loop      bool
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

func union(a, b []int) []int {
	m := map[int]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		m[x] = true
	}
	out := make([]int, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	sort.Ints(out)
	return out
}

func same(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// newOp makes the op of kind at p once: walking a loop body again (walkFor's fixed point) finds it.
func (w *walker) newOp(p token.Pos, kind string) *Op {
	key := opKey{p, kind}
	if op, ok := w.st.opAt[key]; ok {
		return op
	}
	file, line, col := w.st.pos(p)
	op := &Op{ID: len(w.st.idx.Ops), File: file, Line: line, Col: col, Kind: kind, Cap: -1, Loop: w.loops > 0,
		Func: w.fn.ID, Next: []int{}, Starts: -1}
	if n := len(w.inLoop); n > 0 && w.loops > 0 {
		op.LoopID = w.inLoop[n-1].ID
	}
	w.st.idx.Ops = append(w.st.idx.Ops, op)
	w.st.opAt[key] = op
	return op
}

// chain links ops in order, the last to next; returns the entry set.
func chain(ops []*Op, next []int) []int {
	if len(ops) == 0 {
		return next
	}
	for i, op := range ops {
		if i+1 < len(ops) {
			op.Next = []int{ops[i+1].ID}
		} else {
			op.Next = union(op.Next, next)
		}
	}
	return []int{ops[0].ID}
}

func (w *walker) walkFunc(body *ast.BlockStmt) []int {
	ret := w.newOp(body.Rbrace, "return")
	ret.Loop = false
	// Deferred calls run at every exit, last deferred first.
	var deferred []*Op
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			deferred = append(w.exprOps(n.Call, false), deferred...)
		}
		return true
	})
	w.exit = chain(deferred, []int{ret.ID})
	return w.walkList(body.List, w.exit)
}

func (w *walker) walkList(list []ast.Stmt, next []int) []int {
	for i := len(list) - 1; i >= 0; i-- {
		next = w.walk(list[i], next)
	}
	return next
}

func (w *walker) findTarget(label *ast.Ident, loop bool) *target {
	if label != nil {
		return w.labels[label.Name]
	}
	for i := len(w.targets) - 1; i >= 0; i-- {
		if !loop || w.targets[i].loop {
			return w.targets[i]
		}
	}
	return nil
}

func (w *walker) push(t *target) func() {
	w.targets = append(w.targets, t)
	if w.pending != "" {
		w.labels[w.pending] = t
		w.pending = ""
	}
	return func() { w.targets = w.targets[:len(w.targets)-1] }
}

func (w *walker) walk(s ast.Stmt, next []int) []int {
	switch s := s.(type) {
	case nil:
		return next
	case *ast.BlockStmt:
		return w.walkList(s.List, next)
	case *ast.LabeledStmt:
		w.pending = s.Label.Name
		out := w.walk(s.Stmt, next)
		w.pending = ""
		return out
	case *ast.ReturnStmt:
		var ops []*Op
		for _, r := range s.Results {
			ops = append(ops, w.exprOps(r, true)...)
		}
		return chain(ops, w.exit)
	case *ast.BranchStmt:
		switch s.Tok {
		case token.BREAK:
			if t := w.findTarget(s.Label, false); t != nil {
				return t.brk
			}
		case token.CONTINUE:
			if t := w.findTarget(s.Label, true); t != nil {
				return t.cont
			}
		}
		return next
	case *ast.IfStmt:
		thenE := w.walk(s.Body, next)
		elseE := next
		if s.Else != nil {
			elseE = w.walk(s.Else, next)
		}
		e := chain(w.exprOps(s.Cond, true), union(thenE, elseE))
		return w.walk(s.Init, e)
	case *ast.ForStmt:
		return w.walkFor(s, next)
	case *ast.RangeStmt:
		return w.walkRange(s, next)
	case *ast.SwitchStmt:
		e := w.walkClauses(s.Body, next)
		return w.walk(s.Init, chain(w.exprOps(s.Tag, true), e))
	case *ast.TypeSwitchStmt:
		e := w.walkClauses(s.Body, next)
		return w.walk(s.Init, w.walk(s.Assign, e))
	case *ast.SelectStmt:
		return w.walkSelect(s, next)
	case *ast.GoStmt:
		ops := w.exprOps(s.Call.Fun, true)
		for _, a := range s.Call.Args {
			ops = append(ops, w.exprOps(a, true)...)
		}
		g := w.newOp(s.Go, "go")
		g.startsExpr = s.Call.Fun
		g.Target = types.ExprString(s.Call.Fun)
		if _, lit := unparen(s.Call.Fun).(*ast.FuncLit); lit {
			g.Target = "func literal"
		}
		return chain(append(ops, g), next)
	case *ast.DeferStmt:
		return next // its call runs at the function's exit (walkFunc)
	case *ast.SendStmt:
		ops := append(w.exprOps(s.Chan, true), w.exprOps(s.Value, true)...)
		op := w.newOp(s.Arrow, "send")
		w.setObj(op, s.Chan)
		return chain(append(ops, op), next)
	default:
		return chain(w.exprOps(s, true), next)
	}
}

// enterLoop makes (once) the loop of the statement at p and makes it the innermost.
func (w *walker) enterLoop(p token.Pos, trips func() int) (*Loop, func()) {
	l, ok := w.st.loopAt[p]
	if !ok {
		_, line, _ := w.st.pos(p)
		l = &Loop{ID: len(w.st.idx.Loops) + 1, Line: line, Trips: trips()}
		if n := len(w.inLoop); n > 0 {
			l.Parent = w.inLoop[n-1].ID
		}
		w.st.idx.Loops = append(w.st.idx.Loops, l)
		w.st.loopAt[p] = l
	}
	w.inLoop = append(w.inLoop, l)
	return l, func() { w.inLoop = w.inLoop[:len(w.inLoop)-1] }
}

func (w *walker) walkFor(s *ast.ForStmt, next []int) []int {
	w.loops++
	defer func() { w.loops-- }()
	loop, leave := w.enterLoop(s.For, func() int { return w.forTrips(s) })
	var head, body []int
	condOps := w.exprOps(s.Cond, true)
	for it := 0; it < 4; it++ {
		for _, op := range condOps {
			op.Next = []int{}
		}
		var post []int
		if s.Post != nil {
			post = w.walk(s.Post, head)
		} else {
			post = head
		}
		t := &target{brk: next, cont: post, loop: true}
		pop := w.push(t)
		body = w.walk(s.Body, post)
		pop()
		var h []int
		switch {
		case len(condOps) > 0:
			h = chain(condOps, union(body, next))
		case s.Cond != nil:
			h = union(body, next)
		default:
			h = body
		}
		if same(h, head) {
			break
		}
		head = h
	}
	leave()
	w.loops--
	defer func() { w.loops++ }()
	entry := head
	if loop.Trips > 0 && len(condOps) == 0 && s.Cond != nil {
		entry = body // the body runs at least once: entering does not skip the loop
	}
	return w.walk(s.Init, entry)
}

func (w *walker) isChan(e ast.Expr) bool {
	if w.st.info == nil {
		return false
	}
	t := w.st.info.TypeOf(e)
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Chan)
	return ok
}

func (w *walker) walkRange(s *ast.RangeStmt, next []int) []int {
	xops := w.exprOps(s.X, true)
	w.loops++
	loop, leave := w.enterLoop(s.For, func() int { return w.rangeTrips(s) })
	var recv *Op
	if w.isChan(s.X) {
		recv = w.newOp(s.For, "recv")
		w.setObj(recv, s.X)
	}
	var head, body []int
	for it := 0; it < 4; it++ {
		t := &target{brk: next, cont: head, loop: true}
		pop := w.push(t)
		body = w.walk(s.Body, head)
		pop()
		var h []int
		if recv != nil {
			recv.Next = union(body, next)
			h = []int{recv.ID}
		} else {
			h = union(body, next)
		}
		if same(h, head) {
			break
		}
		head = h
	}
	leave()
	w.loops--
	if loop.Trips > 0 && recv == nil {
		return chain(xops, body) // the body runs at least once
	}
	return chain(xops, head)
}

// walkClauses: the entry of a switch body (no default: the next statement is reachable too).
func (w *walker) walkClauses(body *ast.BlockStmt, next []int) []int {
	t := &target{brk: next, cont: nil}
	if outer := w.findTarget(nil, true); outer != nil {
		t.cont = outer.cont
	}
	pop := w.push(t)
	defer pop()
	var entry []int
	hasDefault := false
	for _, c := range body.List {
		cc := c.(*ast.CaseClause)
		if cc.List == nil {
			hasDefault = true
		}
		entry = union(entry, w.walkList(cc.Body, next))
	}
	if !hasDefault {
		entry = union(entry, next)
	}
	return entry
}

func (w *walker) walkSelect(s *ast.SelectStmt, next []int) []int {
	var pre []*Op
	sel := w.newOp(s.Select, "select")
	sel.Cases = nil // walked again in a loop's fixed point
	t := &target{brk: next}
	if outer := w.findTarget(nil, true); outer != nil {
		t.cont = outer.cont
	}
	pop := w.push(t)
	var succ []int
	for _, c := range s.Body.List {
		cc := c.(*ast.CommClause)
		var cs Case
		cs.Cap = -1
		switch comm := cc.Comm.(type) {
		case nil:
			cs.Kind = "default"
		case *ast.SendStmt:
			cs.Kind = "send"
			pre = append(pre, w.exprOps(comm.Chan, true)...)
			pre = append(pre, w.exprOps(comm.Value, true)...)
			cs.Obj, cs.Type, cs.Cap = w.object(comm.Chan)
			cs.Aliases = w.objAliases(comm.Chan)
		case *ast.ExprStmt:
			cs = w.recvCase(comm.X, &pre)
		case *ast.AssignStmt:
			if len(comm.Rhs) == 1 {
				cs = w.recvCase(comm.Rhs[0], &pre)
			}
		}
		sel.Cases = append(sel.Cases, cs)
		succ = union(succ, w.walkList(cc.Body, next))
	}
	pop()
	sel.Next = succ
	return chain(append(pre, sel), sel.Next)
}

func (w *walker) recvCase(e ast.Expr, pre *[]*Op) Case {
	cs := Case{Kind: "recv", Cap: -1}
	if u, ok := unparen(e).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		*pre = append(*pre, w.exprOps(u.X, true)...)
		cs.Obj, cs.Type, cs.Cap = w.object(u.X)
		cs.Aliases = w.objAliases(u.X)
		if call, ok := unparen(u.X).(*ast.CallExpr); ok {
			if k := w.pkgFunc(call); k == "timer" {
				cs.Type = "timer"
				cs.Dur = w.constDur(call)
			}
		}
	}
	return cs
}

func (w *walker) setObj(op *Op, e ast.Expr) {
	op.Obj, op.Type, op.Cap = w.object(e)
	op.Aliases = w.objAliases(e)
}
