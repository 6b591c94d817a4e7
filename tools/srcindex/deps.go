package main

// Dependencies indexed with the package (version 7): the packages it imports whose source can be
// found — in its own module (the import path starts with the module path of the nearest go.mod
// above the directory), in the same GOPATH tree (DIR below a directory named "src" that holds the
// imported path, as Debian's /usr/share/gocode/src), in the module's vendor directory, or in a
// module its go.mod requires (version 8: a directory a replace directive names, else the module
// cache) — and theirs, transitively, up to maxDeps packages.
// They are type-checked from source before the package (each with the importer of those checked
// before it), so a call of one of their functions or methods is a "call" op into their code and
// a goroutine standing in their code has ops to stand at. Their ops and functions name their file
// by its path below the module root or GOPATH src ("libs/kv/kv.go"; the module's root package by
// its directory's name, "corpus/x.go"; a vendored or locally replaced package by its import path;
// a module cache package by its module path at its version, "example.com/Kit@v1.2.0/pool/pool.go"), so
// that a stack frame's file is matched by suffix; their locals are "v@FILE:LINE". Standard
// packages and cgo files are left out.

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
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
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			for _, f := range goModDirectives(string(data)) {
				if f[0] == "module" {
					if len(f) < 2 {
						return "", d
					}
					return f[1], d
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

// goModDirectives: the directives of a go.mod file's text, one per line — a line of a block
// ("require (" … ")") under the block's verb — each as its verb and fields, quoted fields
// unquoted, comments dropped.
func goModDirectives(text string) [][]string {
	var out [][]string
	block := ""
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if block != "" && f[0] == ")" {
			block = ""
			continue
		}
		if block == "" && len(f) == 2 && f[1] == "(" {
			block = f[0]
			continue
		}
		if block != "" {
			f = append([]string{block}, f...)
		}
		for i := 1; i < len(f); i++ {
			if u, err := strconv.Unquote(f[i]); err == nil {
				f[i] = u
			}
		}
		out = append(out, f)
	}
	return out
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
	var required *requirements
	reqs := func() *requirements { // read when first needed
		if required == nil {
			required = readRequirements(modRoot)
		}
		return required
	}
	// Where an import path's source is, and its file prefix; "" when it is not beside the package.
	locate := func(path string) (string, string) {
		if isStd(path) {
			return "", ""
		}
		isDir := func(d string) bool {
			fi, err := os.Stat(d)
			return err == nil && fi.IsDir() && d != dir
		}
		if modPath != "" && (path == modPath || strings.HasPrefix(path, modPath+"/")) {
			rel := strings.TrimPrefix(strings.TrimPrefix(path, modPath), "/")
			d := filepath.Join(modRoot, filepath.FromSlash(rel))
			if !isDir(d) {
				return "", ""
			}
			if rel == "" { // the module's root package: named by its directory's name
				return d, filepath.Base(d) + "/"
			}
			return d, rel + "/"
		}
		if src != "" {
			if d := filepath.Join(src, filepath.FromSlash(path)); isDir(d) {
				return d, path + "/"
			}
		}
		if modRoot != "" {
			if d := filepath.Join(modRoot, "vendor", filepath.FromSlash(path)); isDir(d) {
				return d, path + "/"
			}
			if d, prefix := reqs().locate(path); d != "" && isDir(d) {
				return d, prefix
			}
		}
		return "", ""
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

// requirements: the modules a go.mod requires, where their source is — a directory a replace
// directive names, else the module cache (GOMODCACHE, else `go env GOMODCACHE`).
type requirements struct {
	cache string
	mods  []modReq
}

type modReq struct {
	path         string // the module path imports use
	mod, version string // the module fetched: path, or what a replace directive names
	dir          string // a local replacement's directory ("" none)
}

// readRequirements parses modRoot/go.mod's require and replace directives (lines and blocks).
func readRequirements(modRoot string) *requirements {
	r := &requirements{}
	data, err := os.ReadFile(filepath.Join(modRoot, "go.mod"))
	if err != nil {
		return r
	}
	var replaces [][]string
	for _, d := range goModDirectives(string(data)) {
		verb, f := d[0], d[1:]
		switch {
		case verb == "require" && len(f) >= 2:
			r.mods = append(r.mods, modReq{path: f[0], mod: f[0], version: f[1]})
		case verb == "replace":
			replaces = append(replaces, f)
		}
	}
	// old [v] => new [v]: a directory (./, ../, /) or another module at a version.
	for _, f := range replaces {
		arrow := -1
		for i, x := range f {
			if x == "=>" {
				arrow = i
			}
		}
		if arrow < 1 || arrow+1 >= len(f) {
			continue
		}
		to := f[arrow+1]
		for i := range r.mods {
			if r.mods[i].path != f[0] {
				continue
			}
			switch {
			case strings.HasPrefix(to, "./") || strings.HasPrefix(to, "../") || filepath.IsAbs(to):
				if !filepath.IsAbs(to) {
					to = filepath.Join(modRoot, to)
				}
				r.mods[i].dir = to
			case arrow+2 < len(f):
				r.mods[i].mod, r.mods[i].version = to, f[arrow+2]
			}
		}
	}
	for _, m := range r.mods {
		if m.dir == "" {
			r.cache = os.Getenv("GOMODCACHE")
			if r.cache == "" {
				if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
					r.cache = strings.TrimSpace(string(out))
				}
			}
			break
		}
	}
	return r
}

// locate: the directory of import path's package in the required module with the longest path
// that holds it, and its files' prefix — what a stack frame's file begins with in a binary built
// with -trimpath: for the module cache, the module path at its version ("github.com/X/y@v1.2.0/sub/";
// below the cache's root the path is escaped, "github.com/!x/y@v1.2.0"); for a local replacement,
// the import path.
func (r *requirements) locate(path string) (string, string) {
	var best *modReq
	for i := range r.mods {
		m := &r.mods[i]
		if (path == m.path || strings.HasPrefix(path, m.path+"/")) && (best == nil || len(m.path) > len(best.path)) {
			best = m
		}
	}
	if best == nil {
		return "", ""
	}
	rel := strings.TrimPrefix(path, best.path) // "" or "/sub"
	if best.dir != "" {
		return filepath.Join(best.dir, filepath.FromSlash(rel)), path + "/"
	}
	if r.cache == "" {
		return "", ""
	}
	// On disk the module path is escaped; the collector builds with -trimpath, which names the
	// files by the module path as it is, at its version.
	d := filepath.Join(r.cache, filepath.FromSlash(escapeModPath(best.mod)+"@"+best.version+rel))
	return d, best.mod + "@" + best.version + rel + "/"
}

// escapeModPath: the module cache's spelling of a module path (an upper-case letter is "!" and
// the letter in lower case).
func escapeModPath(p string) string {
	var b strings.Builder
	for _, c := range p {
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('!')
			b.WriteRune(c + ('a' - 'A'))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
