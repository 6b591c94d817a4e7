package main

import (
	"fmt"
	"go/ast"
	"go/token"
)

// lintPrimitives compares the primitives listed for a test with what its
// body visibly uses. It is a syntactic heuristic (no type checking), so its
// findings are warnings, never problems: "range" is not checked at all, and
// a channel made outside the function is invisible to it.
func lintPrimitives(fn *ast.FuncDecl, listed []string) []string {
	found := map[string]bool{}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectStmt:
			hasDefault := false
			for _, s := range n.Body.List {
				if cc, ok := s.(*ast.CommClause); ok && cc.Comm == nil {
					hasDefault = true
				}
			}
			if hasDefault {
				found["select-default"] = true
			} else {
				found["select"] = true
			}
		case *ast.CallExpr:
			id, ok := n.Fun.(*ast.Ident)
			if !ok {
				break
			}
			switch id.Name {
			case "close":
				found["close"] = true
			case "make":
				if len(n.Args) == 0 {
					break
				}
				if _, isChan := n.Args[0].(*ast.ChanType); !isChan {
					break
				}
				if len(n.Args) == 1 {
					found["chan"] = true
				} else if lit, ok := n.Args[1].(*ast.BasicLit); ok && lit.Kind == token.INT && lit.Value == "0" {
					found["chan"] = true
				} else {
					found["bufchan"] = true
				}
			}
		case *ast.SelectorExpr:
			pkg, ok := n.X.(*ast.Ident)
			if !ok {
				break
			}
			switch pkg.Name {
			case "time":
				switch n.Sel.Name {
				case "After":
					found["after"] = true
				case "NewTimer", "AfterFunc":
					found["timer"] = true
				case "NewTicker", "Tick":
					found["ticker"] = true
				}
			case "context":
				found["context"] = true
			case "atomic":
				found["atomic"] = true
			case "sync":
				switch n.Sel.Name {
				case "Mutex":
					found["mutex"] = true
				case "RWMutex":
					found["rwmutex"] = true
				case "WaitGroup":
					found["waitgroup"] = true
				case "Cond", "NewCond":
					found["cond"] = true
				case "Once":
					found["once"] = true
				}
			}
		}
		return true
	})
	have := map[string]bool{}
	for _, p := range listed {
		have[p] = true
	}
	var out []string
	for _, p := range primitives {
		if p == "range" {
			continue
		}
		switch {
		case have[p] && !found[p]:
			out = append(out, fmt.Sprintf("lists %s but its body shows no sign of it", p))
		case !have[p] && found[p]:
			out = append(out, fmt.Sprintf("uses %s but does not list it", p))
		}
	}
	return out
}
