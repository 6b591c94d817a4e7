package main

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"
)

// exprOps: the synchronising operations inside n, in evaluation order (operands before the
// operation), not descending into function literals; each call makes new ops.
// (The flag is unused; kept so call sites read as what they evaluate.)
func (w *walker) exprOps(n ast.Node, create bool) []*Op {
	_ = create
	if n == nil {
		return nil
	}
	var out []*Op
	var visit func(n ast.Node)
	visit = func(n ast.Node) {
		ast.Inspect(n, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.FuncLit:
				return false
			case *ast.UnaryExpr:
				if x.Op != token.ARROW {
					return true
				}
				visit(x.X)
				op := w.newOp(x.OpPos, "recv")
				w.setObj(op, x.X)
				if call, ok := unparen(x.X).(*ast.CallExpr); ok && w.pkgFunc(call) == "timer" {
					op.Dur = w.constDur(call)
				}
				out = append(out, op)
				return false
			case *ast.CallExpr:
				visit(x.Fun)
				for _, a := range x.Args {
					visit(a)
				}
				if kind, obj := w.callKind(x); kind != "" {
					op := w.newOp(x.Lparen, kind)
					if kind == "sleep" || kind == "timer" {
						op.Dur = w.constDur(x)
					}
					if obj != nil {
						w.setObj(op, obj)
					} else if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
						op.Obj = types.ExprString(sel)
					}
					out = append(out, op)
				} else if id := w.st.resolveFunc(x.Fun); id >= 0 {
					// A call of a function of the package (pruneCalls drops it again when the
					// callee has no synchronising op, directly or through its own calls).
					op := w.newOp(x.Lparen, "call")
					op.Starts = id
					op.Target = types.ExprString(x.Fun)
					out = append(out, op)
				} else if kind := w.opaqueKind(x); kind != "" {
					// A call into code the index does not see (calls.go).
					op := w.newOp(x.Lparen, kind)
					op.Target = types.ExprString(x.Fun)
					op.Pipe = kind == "io" && w.pipeIO(x, op)
					op.Indirect = kind == "io" && !op.Pipe && w.indirectIO(x)
					out = append(out, op)
				}
				return false
			}
			return true
		})
	}
	visit(n)
	return out
}

// constDur: the first argument of a time call as a constant number of nanoseconds (0 when it is not
// a constant, not positive, or there is no type information).
func (w *walker) constDur(call *ast.CallExpr) int64 {
	if w.st.info == nil || len(call.Args) == 0 {
		return 0
	}
	tv, ok := w.st.info.Types[call.Args[0]]
	if !ok || tv.Value == nil {
		return 0
	}
	if d, exact := constant.Int64Val(constant.ToInt(tv.Value)); exact && d > 0 {
		return d
	}
	return 0
}

// pkgFunc: "sleep", "timer" or "yield" for calls of time / runtime functions that synchronise.
func (w *walker) pkgFunc(call *ast.CallExpr) string {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	path := x.Name
	if w.st.info != nil {
		if pn, ok := w.st.info.Uses[x].(*types.PkgName); ok {
			path = pn.Imported().Path()
		} else if w.st.info.Uses[x] != nil {
			return ""
		}
	}
	switch path + "." + sel.Sel.Name {
	case "time.Sleep":
		return "sleep"
	case "time.After", "time.Tick", "time.NewTimer", "time.NewTicker", "time.AfterFunc":
		return "timer"
	case "runtime.Gosched":
		return "yield"
	}
	return ""
}

var syncMethods = map[string]string{
	"Mutex.Lock": "lock", "Mutex.Unlock": "unlock", "Mutex.TryLock": "lock",
	"RWMutex.Lock": "lock", "RWMutex.Unlock": "unlock", "RWMutex.RLock": "rlock", "RWMutex.RUnlock": "runlock",
	"WaitGroup.Add": "wg_add", "WaitGroup.Done": "wg_done", "WaitGroup.Wait": "wg_wait", "WaitGroup.Go": "go",
	"Cond.Wait": "cond_wait", "Cond.Signal": "signal", "Cond.Broadcast": "broadcast",
	"Once.Do": "once", "Locker.Lock": "lock", "Locker.Unlock": "unlock",
}

// untyped: method names that identify a sync operation without type information.
var untyped = map[string]string{"Lock": "lock", "Unlock": "unlock", "RLock": "rlock", "RUnlock": "runlock",
	"Broadcast": "broadcast", "Signal": "signal"}

// callKind: the kind of synchronising call and the expression of the object it acts on.
func (w *walker) callKind(call *ast.CallExpr) (string, ast.Expr) {
	if id, ok := unparen(call.Fun).(*ast.Ident); ok && id.Name == "close" && len(call.Args) == 1 {
		if w.st.info == nil {
			return "close", call.Args[0]
		}
		if _, ok := w.st.info.Uses[id].(*types.Builtin); ok {
			return "close", call.Args[0]
		}
		return "", nil
	}
	if k := w.pkgFunc(call); k != "" {
		return k, nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", nil
	}
	if w.st.info != nil {
		if s := w.st.info.Selections[sel]; s != nil {
			fn, ok := s.Obj().(*types.Func)
			if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
				return "", nil
			}
			recv := fn.Type().(*types.Signature).Recv()
			if recv == nil {
				return "", nil
			}
			t := recv.Type()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			if n, ok := t.(*types.Named); ok {
				if k := syncMethods[n.Obj().Name()+"."+fn.Name()]; k != "" {
					return k, sel.X
				}
			}
			return "", nil
		}
		if w.st.info.TypeOf(sel.X) != nil {
			return "", nil // typed, and not a sync method
		}
	}
	if k := untyped[sel.Sel.Name]; k != "" {
		return k, sel.X
	}
	return "", nil
}

func (st *pkgState) qualifier(p *types.Package) string { return p.Name() }

// object: the canonical name, type and static capacity of the object an operation acts on.
// Names: a package-level variable "pkg.v"; a local "v@LINE" (its declaration line, so a variable
// captured by a closure has one name); a field "T.f" (T the named type holding it); an element
// "x[]"; a call "f()"; otherwise the expression's text.
func (w *walker) object(e ast.Expr) (string, string, int) {
	e = unparen(e)
	typ := ""
	c := -1
	if w.st.info != nil {
		if t := w.st.info.TypeOf(e); t != nil {
			typ = types.TypeString(t, w.st.qualifier)
		}
	}
	return w.canon(e, &c), typ, c
}

func (w *walker) canon(e ast.Expr, c *int) string {
	switch e := unparen(e).(type) {
	case *ast.Ident:
		if w.st.info == nil {
			return e.Name
		}
		obj := w.st.info.Uses[e]
		if obj == nil {
			obj = w.st.info.Defs[e]
		}
		v, ok := obj.(*types.Var)
		if !ok {
			return e.Name
		}
		if name, ok := w.override[v]; ok {
			return name
		}
		if c0, ok := w.st.paramCap[v]; ok {
			// A parameter followed to its arguments (alias.go): the capacity they share.
			*c = c0
			if name, ok := w.st.rename[v]; ok {
				return name // every call passes this one object
			}
		} else if n, ok := w.st.capOf[v]; ok {
			*c = n
		}
		if v.Parent() != nil && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
			return v.Pkg().Name() + "." + v.Name()
		}
		return w.st.localName(v)
	case *ast.StarExpr:
		return w.canon(e.X, c)
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return w.canon(e.X, c)
		}
	case *ast.SelectorExpr:
		if w.st.info != nil {
			if s := w.st.info.Selections[e]; s != nil && s.Kind() == types.FieldVal {
				t := s.Recv()
				if p, ok := t.(*types.Pointer); ok {
					t = p.Elem()
				}
				if n, ok := t.(*types.Named); ok {
					return n.Obj().Name() + "." + e.Sel.Name
				}
			}
			if pn, ok := w.st.info.Uses[identOf(e.X)].(*types.PkgName); ok {
				return pn.Imported().Name() + "." + e.Sel.Name
			}
		}
		return w.canon(e.X, new(int)) + "." + e.Sel.Name
	case *ast.IndexExpr:
		return w.canon(e.X, new(int)) + "[]"
	case *ast.CallExpr:
		return strings.TrimSuffix(w.canon(e.Fun, new(int)), "()") + "()"
	}
	return types.ExprString(e)
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := e.(*ast.Ident)
	return id
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}
