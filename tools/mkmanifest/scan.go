package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	annotationPrefix = "schedcast:"
	blockMarker      = "schedcast:block"
)

// build parses every Go file under root and returns the manifest, the list
// of hard problems (each "file:line: message") and lint warnings.
func build(root string) (*Manifest, []string, []string) {
	var problems, warnings []string
	module, err := readModule(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, []string{err.Error()}, nil
	}
	m := &Manifest{Version: 1, Module: module}

	var files []string
	walkErr := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") {
			files = append(files, path)
		}
		return nil
	})
	if walkErr != nil {
		return nil, []string{walkErr.Error()}, nil
	}
	sort.Strings(files)

	fset := token.NewFileSet()
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		src, err := os.ReadFile(path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", rel, err))
			continue
		}
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: parse error: %v", rel, err))
			continue
		}
		tests, p, w := scanFile(fset, f, rel, src)
		problems = append(problems, p...)
		warnings = append(warnings, w...)
		dir := filepath.ToSlash(filepath.Dir(rel))
		pkg := module
		if dir != "." {
			pkg = module + "/" + dir
		} else {
			dir = "."
		}
		for i := range tests {
			tests[i].Package = pkg
			tests[i].Dir = dir
			m.Tests = append(m.Tests, tests[i])
		}
	}
	sortTests(m.Tests)
	for i := 1; i < len(m.Tests); i++ {
		a, b := m.Tests[i-1], m.Tests[i]
		if a.Package == b.Package && a.Name == b.Name {
			problems = append(problems, fmt.Sprintf("%s:%d: test %s also defined at %s:%d", b.File, b.Line, b.Name, a.File, a.Line))
		}
	}
	return m, problems, warnings
}

// readModule returns the module path declared in a go.mod file.
func readModule(gomod string) (string, error) {
	fh, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}

// schedComment is one comment whose text starts with "schedcast:".
type schedComment struct {
	c    *ast.Comment
	line int
	text string // the comment text without the leading "//" and spaces
	used bool
}

func scanFile(fset *token.FileSet, f *ast.File, rel string, src []byte) ([]Test, []string, []string) {
	var problems, warnings []string
	errf := func(line int, format string, args ...interface{}) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", rel, line, fmt.Sprintf(format, args...)))
	}
	lines := strings.Split(string(src), "\n")

	var annots, markers []*schedComment
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if !strings.HasPrefix(c.Text, "//") {
				continue
			}
			text := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
			if !strings.HasPrefix(text, annotationPrefix) {
				continue
			}
			sc := &schedComment{c: c, line: fset.Position(c.Pos()).Line, text: text}
			switch {
			case text == blockMarker:
				markers = append(markers, sc)
			case strings.HasPrefix(text, blockMarker):
				errf(sc.line, "malformed block marker %q: write exactly // %s", text, blockMarker)
				sc.used = true
			default:
				annots = append(annots, sc)
			}
		}
	}

	var tests []Test
	var testFuncs []*ast.FuncDecl
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv != nil {
			continue
		}
		line := fset.Position(fn.Pos()).Line
		if fn.Name.Name == "TestMain" {
			errf(line, "TestMain is not allowed in the corpus (the collector adds its own)")
			continue
		}
		if !isTestFunc(fn) {
			continue
		}
		testFuncs = append(testFuncs, fn)
		t := Test{Name: fn.Name.Name, File: rel, Line: line}
		var mine *schedComment
		if fn.Doc != nil {
			for _, a := range annots {
				if a.c.Pos() >= fn.Doc.Pos() && a.c.End() <= fn.Doc.End() {
					if mine != nil {
						errf(a.line, "%s has more than one schedcast annotation", t.Name)
					}
					mine = a
					a.used = true
				}
			}
		}
		if mine == nil {
			errf(line, "%s has no annotation: put `// schedcast: category=... primitives=... bug=... split=...` right above it", t.Name)
			continue
		}
		if mine.line != line-1 {
			errf(mine.line, "the annotation of %s must be the line right above `func %s`", t.Name, t.Name)
		}
		before := len(problems)
		parseAnnotation(&t, mine, errf)
		if len(problems) > before {
			continue
		}
		tests = append(tests, t)
	}
	for _, a := range annots {
		if !a.used {
			errf(a.line, "schedcast annotation not attached to a test function")
		}
	}

	// Attach every block marker to the test function that lexically
	// contains it; it must sit at the end of a line of code.
	sites := map[string][]int{}
	for _, mk := range markers {
		var owner *ast.FuncDecl
		for _, fn := range testFuncs {
			if mk.c.Pos() >= fn.Pos() && mk.c.End() <= fn.End() {
				owner = fn
				break
			}
		}
		if owner == nil {
			errf(mk.line, "block marker outside any test function")
			continue
		}
		col := fset.Position(mk.c.Pos()).Column
		if mk.line-1 < len(lines) {
			code := lines[mk.line-1]
			if col-1 <= len(code) {
				code = code[:col-1]
			}
			if strings.TrimSpace(code) == "" {
				errf(mk.line, "block marker must trail the blocking statement on the same line")
				continue
			}
		}
		sites[owner.Name.Name] = append(sites[owner.Name.Name], mk.line)
	}
	for i := range tests {
		t := &tests[i]
		ls := sites[t.Name]
		sort.Ints(ls)
		for _, l := range ls {
			t.BlockSites = append(t.BlockSites, fmt.Sprintf("%s:%d", rel, l))
		}
		switch {
		case t.Bug != "none" && len(t.BlockSites) == 0:
			errf(t.Line, "%s is labelled bug=%s but has no // %s marker", t.Name, t.Bug, blockMarker)
		case t.Bug == "none" && len(t.BlockSites) > 0:
			errf(t.Line, "%s is labelled correct but has block markers at %s", t.Name, strings.Join(t.BlockSites, ", "))
		}
	}
	for _, fn := range testFuncs {
		for i := range tests {
			if tests[i].Name == fn.Name.Name {
				for _, w := range lintPrimitives(fn, tests[i].Primitives) {
					warnings = append(warnings, fmt.Sprintf("%s:%d: %s: %s", rel, tests[i].Line, tests[i].Name, w))
				}
			}
		}
	}
	return tests, problems, warnings
}

// isTestFunc reports whether fn is what `go test` runs as a test:
// func TestXxx(t *testing.T) where Xxx does not start with a lower-case letter.
func isTestFunc(fn *ast.FuncDecl) bool {
	name := fn.Name.Name
	if !strings.HasPrefix(name, "Test") {
		return false
	}
	if rest := name[len("Test"):]; rest != "" {
		r, _ := utf8.DecodeRuneInString(rest)
		if unicode.IsLower(r) {
			return false
		}
	}
	params := fn.Type.Params.List
	if len(params) != 1 || len(params[0].Names) > 1 {
		return false
	}
	star, ok := params[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "testing" && sel.Sel.Name == "T"
}

// parseAnnotation fills t from "schedcast: key=value ..." and reports every
// missing, repeated, unknown or inconsistent value.
func parseAnnotation(t *Test, a *schedComment, errf func(int, string, ...interface{})) {
	body := strings.TrimSpace(strings.TrimPrefix(a.text, annotationPrefix))
	seen := map[string]bool{}
	for _, field := range strings.Fields(body) {
		eq := strings.IndexByte(field, '=')
		if eq <= 0 {
			errf(a.line, "%s: annotation field %q is not key=value", t.Name, field)
			continue
		}
		key, val := field[:eq], field[eq+1:]
		if seen[key] {
			errf(a.line, "%s: key %q given twice", t.Name, key)
			continue
		}
		seen[key] = true
		switch key {
		case "category":
			if indexOf(categories, val) < 0 {
				errf(a.line, "%s: unknown category %q (want one of %s)", t.Name, val, strings.Join(categories, ", "))
			}
			t.Category = val
		case "bug":
			if indexOf(bugs, val) < 0 {
				errf(a.line, "%s: unknown bug %q (want one of %s)", t.Name, val, strings.Join(bugs, ", "))
			}
			t.Bug = val
		case "split":
			if indexOf(splits, val) < 0 {
				errf(a.line, "%s: unknown split %q (want one of %s)", t.Name, val, strings.Join(splits, ", "))
			}
			t.Split = val
		case "primitives":
			have := map[string]bool{}
			for _, p := range strings.Split(val, ",") {
				switch {
				case p == "":
					errf(a.line, "%s: empty entry in primitives", t.Name)
				case indexOf(primitives, p) < 0:
					errf(a.line, "%s: unknown primitive %q (want some of %s)", t.Name, p, strings.Join(primitives, ","))
				case have[p]:
					errf(a.line, "%s: primitive %q listed twice", t.Name, p)
				default:
					have[p] = true
				}
			}
			for _, p := range primitives {
				if have[p] {
					t.Primitives = append(t.Primitives, p)
				}
			}
		default:
			errf(a.line, "%s: unknown annotation key %q", t.Name, key)
		}
	}
	for _, key := range []string{"category", "primitives", "bug", "split"} {
		if !seen[key] {
			errf(a.line, "%s: annotation lacks %s=", t.Name, key)
		}
	}
	if t.Category != "" && t.Bug != "" {
		if want, ok := bugForCategory[t.Category]; ok && indexOf(bugs, t.Bug) >= 0 && t.Bug != want {
			errf(a.line, "%s: category=%s needs bug=%s, not bug=%s", t.Name, t.Category, want, t.Bug)
		}
	}
}
