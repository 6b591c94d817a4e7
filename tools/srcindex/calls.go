package main

import (
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
)

// Calls into code the index does not see (index version 5). Only the package's own functions are
// indexed ("call" ops); what a call elsewhere does is unknown, and for two kinds of call it matters
// to what a goroutine does next:
//
//	"io"   a call that may make a system call or wait on the network poller: functions of the
//	       standard library's I/O packages (ioPackages; fmt's Print/Fprint/Scan/Fscan) and methods of
//	       their values (a net.Conn, *os.File, *bufio.Reader, …) other than pure accessors. The
//	       tracer records each system call (Syscall, SyscallBlock) and each wait for the poller
//	       (GoBlock(net)).
//	"ext"  a call whose callee the index cannot know: a function or method of a package outside the
//	       standard library, a method called through an interface of the package's own that more
//	       than one type of the code indexed implements (one: a call of its method, soleImpl), or
//	       a call of a function value (a parameter, a field) not bound to a literal of the package. It may block
//	       or make system calls, or do nothing of the kind.
//
// Without type checking (srcindex -notypes) neither kind is emitted. Standard-library packages other
// than sync, context and time are not type-checked (syncImporter): a value of their types is typed
// "invalid", so where it comes from is read from the syntax (origins below).

// wrappers: functions of bufio and io whose result reads or writes their first argument.
var wrappers = map[string]bool{
	"NewReader": true, "NewReaderSize": true, "NewWriter": true, "NewWriterSize": true, "NewScanner": true,
	"TeeReader": true, "LimitReader": true, "NopCloser": true,
}

// ioPackages: the standard-library packages whose calls may reach the operating system.
var ioPackages = map[string]bool{
	"os": true, "net": true, "io": true, "bufio": true, "log": true, "syscall": true, "os/exec": true,
	"io/ioutil": true, "net/http": true, "net/rpc": true, "os/signal": true, "net/textproto": true,
}

// pureFuncs: functions of ioPackages that never make a system call (constructors and accessors).
var pureFuncs = map[string]bool{
	"io.MultiWriter": true, "io.MultiReader": true, "io.TeeReader": true, "io.LimitReader": true, "io.NopCloser": true,
	"io.Pipe": true, "io.NewSectionReader": true, "io.NewOffsetWriter": true, "ioutil.NopCloser": true,
	"os.Getenv": true, "os.LookupEnv": true, "os.Getpid": true, "os.Getppid": true, "os.Getuid": true,
	"os.IsNotExist": true, "os.IsExist": true, "os.IsTimeout": true, "os.IsPermission": true, "os.Exit": true,
	"os.TempDir": true, "os.Expand": true, "os.ExpandEnv": true,
	"net.JoinHostPort": true, "net.Pipe": true, "net.SplitHostPort": true, "net.ParseIP": true, "net.IPv4": true,
	"net.ParseCIDR": true, "net.ResolveTCPAddr": true, "net.ResolveUDPAddr": true,
	"log.Flags": true, "log.Prefix": true, "log.SetFlags": true, "log.SetPrefix": true, "log.SetOutput": true,
	"log.Writer": true, "exec.Command": true, "exec.CommandContext": true, "signal.Notify": true,
	"signal.Stop": true, "signal.Ignore": true, "signal.Reset": true,
}

// pureMethods: methods of ioPackages' values that never make a system call.
var pureMethods = map[string]bool{
	"Name": true, "Addr": true, "LocalAddr": true, "RemoteAddr": true, "String": true, "Error": true,
	"Buffered": true, "Len": true, "Size": true, "Fd": true, "SetDeadline": true, "SetReadDeadline": true,
	"SetWriteDeadline": true, "Text": true, "Bytes": true, "Err": true, "Buffer": true, "Split": true,
	"Timeout": true, "Temporary": true, "Unwrap": true, "Available": true, "AvailableBuffer": true,
	"Mode": true, "ModTime": true, "IsDir": true, "Sys": true, "Network": true, "Flags": true,
	"Prefix": true, "SetFlags": true, "SetPrefix": true, "SetOutput": true, "Writer": true,
	"Reset": true, "Header": true, "Done": true, "Value": true, "Deadline": true,
}

// opaqueKind: "io", "ext" or "" for a call that is neither a synchronising op nor a call of the
// package's own function (the caller checked both).
func (w *walker) opaqueKind(call *ast.CallExpr) string {
	info := w.st.info
	if info == nil {
		return ""
	}
	if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
		return "" // a conversion
	}
	switch fun := unparen(call.Fun).(type) {
	case *ast.Ident:
		switch obj := info.Uses[fun].(type) {
		case *types.Var:
			if _, ok := obj.Type().Underlying().(*types.Signature); ok && w.st.boundLit[obj] == nil {
				return "ext" // a function value: a parameter, a variable
			}
		}
		return ""
	case *ast.SelectorExpr:
		if pn, ok := info.Uses[identOf(fun.X)].(*types.PkgName); ok {
			return w.st.pkgCallKind(pn.Imported().Path(), pn.Imported().Name()+"."+fun.Sel.Name)
		}
		if s := info.Selections[fun]; s != nil {
			switch s.Kind() {
			case types.FieldVal: // a func-typed field
				if _, ok := s.Type().Underlying().(*types.Signature); ok {
					return "ext"
				}
				return ""
			case types.MethodVal:
				fn, _ := s.Obj().(*types.Func)
				if fn == nil || fn.Pkg() == nil {
					return ""
				}
				if p := fn.Pkg().Path(); p != w.st.pkgPath && p != "" && !isStd(p) {
					return "ext"
				}
				if types.IsInterface(s.Recv()) && fn.Pkg() == w.st.pkg {
					return "ext" // a method of one of the package's interfaces: any implementation
				}
				return ""
			}
			return ""
		}
		// The receiver's type is not known (its package was not type-checked): where it comes from.
		if origin := w.st.originOf(fun.X); origin != "" {
			if ioPackages[origin] {
				if pureMethods[fun.Sel.Name] {
					return ""
				}
				return "io"
			}
			if !isStd(origin) && origin != w.st.pkgPath {
				return "ext"
			}
		}
	}
	return ""
}

// indirectIO: an "io" call whose reader or writer is a value of unknown kind — a function of
// package io or bufio (io.Copy, io.ReadFull: they take interfaces), fmt's Fprint/Fscan, or a
// method of a value that comes from io or bufio (an io.ReadWriteCloser field, a *bufio.Reader) —
// unless what it reads or writes is known to be a file or socket: a function whose arguments
// include a value of os or net and none of io or bufio (fmt.Fprintf(os.Stderr, …),
// io.Copy(f, conn)), a bufio wrapper made around one (origins: wrapped). It makes a system call
// only when a file or socket is underneath; an io.Pipe or net.Pipe blocks on channels
// (GoBlock(select)), a bytes.Buffer not at all. Calls of os, net, log, … functions and methods of
// their values are direct.
func (w *walker) indirectIO(call *ast.CallExpr) bool {
	indirect := func(path string) bool { return path == "io" || path == "bufio" }
	fun, ok := unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || w.st.info == nil {
		return false
	}
	if pn, ok := w.st.info.Uses[identOf(fun.X)].(*types.PkgName); ok {
		p := pn.Imported().Path()
		if !indirect(p) && !(p == "fmt" && (strings.HasPrefix(fun.Sel.Name, "Fprint") || strings.HasPrefix(fun.Sel.Name, "Fscan"))) {
			return false
		}
		osNet := false
		for _, a := range call.Args {
			switch w.st.originOf(a) {
			case "os", "net":
				osNet = true
			case "io", "bufio":
				return true
			}
		}
		return !osNet
	}
	return indirect(w.st.originOf(fun.X))
}

// pkgCallKind: the kind of a call of package path's function (qualified "name.Func").
func (st *pkgState) pkgCallKind(path, qualified string) string {
	if path == "fmt" {
		f := strings.TrimPrefix(qualified, "fmt.")
		for _, p := range []string{"Print", "Fprint", "Scan", "Fscan"} {
			if strings.HasPrefix(f, p) {
				return "io"
			}
		}
		return ""
	}
	if ioPackages[path] {
		f := qualified[strings.IndexByte(qualified, '.')+1:]
		if pureFuncs[qualified] || strings.HasPrefix(f, "New") {
			return ""
		}
		return "io"
	}
	if path != st.pkgPath && !isStd(path) {
		return "ext"
	}
	return ""
}

// isStd: path names a package of the Go distribution (a directory under GOROOT/src), whatever the
// module path of the code being indexed looks like.
func isStd(path string) bool {
	if path == "" || path == "C" || path == "unsafe" {
		return true
	}
	if v, ok := stdCache[path]; ok {
		return v
	}
	v := false
	if root := goroot(); root != "" && !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
		fi, err := os.Stat(filepath.Join(root, "src", filepath.FromSlash(path)))
		v = err == nil && fi.IsDir()
	}
	stdCache[path] = v
	return v
}

var stdCache = map[string]bool{}

// originOf: the import path of the package a value of unknown type comes from, read from how it
// was declared: a parameter, field or variable declared with a type of that package, a variable
// assigned the result of one of its functions, a package-level variable of it (os.Stdout), or the
// result of one of its functions called in place. "" when unknown.
func (st *pkgState) originOf(e ast.Expr) string {
	switch e := unparen(e).(type) {
	case *ast.Ident:
		if v, ok := st.info.Uses[e].(*types.Var); ok {
			return st.origin[v]
		}
	case *ast.SelectorExpr:
		if pn, ok := st.info.Uses[identOf(e.X)].(*types.PkgName); ok {
			return pn.Imported().Path()
		}
		if s := st.info.Selections[e]; s != nil && s.Kind() == types.FieldVal {
			if v, ok := s.Obj().(*types.Var); ok {
				return st.origin[v]
			}
		}
	case *ast.CallExpr:
		switch fun := unparen(e.Fun).(type) {
		case *ast.SelectorExpr:
			if pn, ok := st.info.Uses[identOf(fun.X)].(*types.PkgName); ok {
				path := pn.Imported().Path()
				if path == "net" && fun.Sel.Name == "Pipe" {
					return "io" // in-memory conns: like io.Pipe's ends, they block on channels
				}
				// A bufio or io wrapper made around a file or socket reads or writes it.
				if (path == "bufio" || path == "io") && len(e.Args) > 0 && wrappers[fun.Sel.Name] {
					if o := st.originOf(e.Args[0]); o == "os" || o == "net" {
						return o
					}
				}
				return path
			}
			if s := st.info.Selections[fun]; s != nil {
				return st.results[s.Obj()] // a method of the package's
			}
			return st.originOf(fun.X) // a method of a value of unknown type: ln.Accept() gives a net value
		case *ast.Ident:
			return st.results[st.info.Uses[fun]] // a function of the package's
		}
	case *ast.StarExpr:
		return st.originOf(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return st.originOf(e.X)
		}
	case *ast.CompositeLit:
		return st.typeOrigin(e.Type)
	}
	return ""
}

// embeddedName: the identifier naming an embedded field's type (T, *T, pkg.T, T[P]).
func embeddedName(t ast.Expr) *ast.Ident {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.SelectorExpr:
			return x.Sel
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x
		default:
			return nil
		}
	}
}

// typeOrigin: the import path of the package a type expression names a type of ("" for none or
// for a type of this package): *bufio.Reader → bufio, []net.Conn → net, chan *os.File → os.
func (st *pkgState) typeOrigin(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ArrayType:
			t = x.Elt
		case *ast.ChanType:
			t = x.Value
		case *ast.MapType:
			t = x.Value
		case *ast.ParenExpr:
			t = x.X
		case *ast.SelectorExpr:
			if pn, ok := st.info.Uses[identOf(x.X)].(*types.PkgName); ok {
				return pn.Imported().Path()
			}
			return ""
		default:
			return ""
		}
	}
}

// scanOrigins fills st.origin for the package's variables (parameters, results, fields, locals)
// whose type or initial value says which package they come from.
func (st *pkgState) scanOrigins(files []*ast.File) {
	if st.info == nil {
		return
	}
	set := func(id *ast.Ident, path string) {
		if path == "" || id == nil {
			return
		}
		if v, ok := st.info.Defs[id].(*types.Var); ok && st.origin[v] == "" {
			st.origin[v] = path
		}
	}
	// Names declared from values: one value (a call with several results) gives all of them its
	// origin, otherwise each takes its own value's.
	assigned := func(ids []*ast.Ident, values []ast.Expr) {
		for i, id := range ids {
			switch {
			case len(values) == 1:
				set(id, st.originOf(values[0]))
			case i < len(values):
				set(id, st.originOf(values[i]))
			}
		}
	}
	// Functions of the package first: a call of one returns a value of its first result's type.
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Type.Results != nil && len(fd.Type.Results.List) > 0 {
				if obj := st.info.Defs[fd.Name]; obj != nil {
					if p := st.typeOrigin(fd.Type.Results.List[0].Type); p != "" {
						st.results[obj] = p
					}
				}
			}
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.Field:
				p := st.typeOrigin(x.Type)
				for _, id := range x.Names {
					set(id, p)
				}
				if len(x.Names) == 0 { // an embedded field: its type's name defines it
					set(embeddedName(x.Type), p)
				}
			case *ast.ValueSpec:
				if x.Type != nil {
					p := st.typeOrigin(x.Type)
					for _, id := range x.Names {
						set(id, p)
					}
				} else {
					assigned(x.Names, x.Values)
				}
			case *ast.AssignStmt:
				if x.Tok == token.DEFINE {
					ids := make([]*ast.Ident, len(x.Lhs))
					for i, l := range x.Lhs {
						ids[i] = identOf(l)
					}
					assigned(ids, x.Rhs)
				}
			}
			return true
		})
	}
}
