package main

// Dependencies indexed with the package (version 7): the packages it imports whose source sits
// beside it — in its own module (the import path starts with the module path of the nearest
// go.mod above the directory), else in the same GOPATH tree (DIR below a directory named "src"
// that holds the imported path, as Debian's /usr/share/gocode/src) — and theirs, transitively, up
// to maxDeps packages.
// They are type-checked from source before the package (each with the importer of those checked
// before it), so a call of one of their functions or methods is a "call" op into their code and
// a goroutine standing in their code has ops to stand at. Their ops and functions name their file
// by its path below the module root or GOPATH src ("libs/kv/kv.go"; the module's root package by
// its directory's name, "corpus/x.go"), so that a stack frame's file is matched by suffix; their
// locals are "v@FILE:LINE". Standard packages, packages of other
// modules (the module cache is not read), vendored and cgo files are left out.

import (
	"bufio"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// maxDeps bounds the dependency packages indexed with one package, maxDepFiles their files.
const (
	maxDeps     = 16
	maxDepFiles = 200
)

type depPkg struct {
	path   string // import path
	dir    string
	prefix string // what its files' names start with in the index ("libs/kv/")
	files  []*ast.File
}

// depImporter returns the dependency packages already type-checked, else asks next.
type depImporter struct {
	pkgs map[string]*types.Package
	next types.Importer
}

func (d *depImporter) Import(path string) (*types.Package, error) {
	if p := d.pkgs[path]; p != nil {
		return p, nil
	}
	return d.next.Import(path)
}

// moduleOf: the module path and root directory of the nearest go.mod at or above dir ("" none).
func moduleOf(dir string) (string, string) {
	for d := dir; ; {
		if f, err := os.Open(filepath.Join(d, "go.mod")); err == nil {
			defer f.Close()
			s := bufio.NewScanner(f)
			for s.Scan() {
				line := strings.TrimSpace(s.Text())
				if rest := strings.TrimPrefix(line, "module"); rest != line && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
					p := strings.TrimSpace(rest)
					if u, err := strconv.Unquote(p); err == nil {
						p = u
					}
					return p, d
				}
			}
			return "", ""
		}
		up := filepath.Dir(d)
		if up == d {
			return "", ""
		}
		d = up
	}
}

// gopathSrc: the GOPATH "src" directory dir sits in ("" none): the innermost ancestor named src.
func gopathSrc(dir string) string {
	for d := dir; ; {
		up := filepath.Dir(d)
		if up == d {
			return ""
		}
		if filepath.Base(up) == "src" {
			return up
		}
		d = up
	}
}

// importPathOf: the import path of the package in dir — its module's path and the directory below
// the module root, else its path below the GOPATH "src" it sits in; "" when neither is known.
func importPathOf(dir string) string {
	if modPath, modRoot := moduleOf(dir); modPath != "" {
		rel, err := filepath.Rel(modRoot, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			return ""
		}
		if rel == "." {
			return modPath
		}
		return modPath + "/" + filepath.ToSlash(rel)
	}
	if src := gopathSrc(dir); src != "" {
		if rel, err := filepath.Rel(src, dir); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return ""
}

// findDeps: the dependency packages of the package clauses in groups, dependencies first.
func findDeps(dir string, fset *token.FileSet, groups map[string][]*ast.File, errs *[]string) []*depPkg {
	modPath, modRoot := moduleOf(dir)
	src := gopathSrc(dir)
	// Where an import path's source is, and its file prefix; "" when it is not beside the package.
	locate := func(path string) (string, string) {
		if isStd(path) {
			return "", ""
		}
		var d, rel string
		switch {
		case modPath != "" && (path == modPath || strings.HasPrefix(path, modPath+"/")):
			rel = strings.TrimPrefix(strings.TrimPrefix(path, modPath), "/")
			d = filepath.Join(modRoot, filepath.FromSlash(rel))
		case src != "":
			rel = path
			d = filepath.Join(src, filepath.FromSlash(path))
		default:
			return "", ""
		}
		if d == dir {
			return "", ""
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return "", ""
		}
		if rel == "" { // the module's root package: named by its directory's name
			return d, filepath.Base(d) + "/"
		}
		return d, rel + "/"
	}
	importsOf := func(files []*ast.File) []string {
		var out []string
		for _, f := range files {
			for _, im := range f.Imports {
				if p, err := strconv.Unquote(im.Path.Value); err == nil {
					out = append(out, p)
				}
			}
		}
		sort.Strings(out)
		return out
	}
	var order []*depPkg
	seen := map[string]bool{}
	nfiles := 0
	var visit func(path string)
	visit = func(path string) {
		if seen[path] || len(order) >= maxDeps {
			return
		}
		seen[path] = true
		d, prefix := locate(path)
		if d == "" {
			return
		}
		bp, err := build.Default.ImportDir(d, 0)
		if err != nil && len(bp.GoFiles) == 0 {
			return
		}
		if nfiles+len(bp.GoFiles) > maxDepFiles {
			*errs = append(*errs, "dependency "+path+" not indexed: over "+strconv.Itoa(maxDepFiles)+" files")
			return
		}
		dep := &depPkg{path: path, dir: d, prefix: prefix}
		for _, name := range bp.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(d, name), nil, parser.SkipObjectResolution)
			if err != nil {
				*errs = append(*errs, err.Error())
				if f == nil {
					continue
				}
			}
			dep.files = append(dep.files, f)
		}
		nfiles += len(dep.files)
		for _, p := range importsOf(dep.files) {
			visit(p)
		}
		if len(dep.files) > 0 && len(order) < maxDeps {
			order = append(order, dep)
		}
	}
	var names []string
	for name := range groups {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, p := range importsOf(groups[name]) {
			visit(p)
		}
	}
	return order
}
