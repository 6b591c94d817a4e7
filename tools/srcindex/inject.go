package main

// Source-level schedule perturbation (srcindex -inject DIR): a call to a seeded delay is put
// immediately before every synchronising statement the index finds in DIR, by inserting text at
// the statement's offset on the same line (line numbers, hence stack sites, do not change). DIR is
// the collector's temporary copy of a package; the user's tree is never given to it. The delay
// function lives in generated files (one per package clause) and does nothing unless the run's
// environment names a seed (SCHEDCAST_PERTURB_SOURCE); see delaySource for what it does then.

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// InjectResult is what -inject prints (JSON).
type InjectResult struct {
	Dir    string         `json:"dir"`
	Sites  int            `json:"sites"`  // delay call sites inserted
	Files  map[string]int `json:"files"`  // sites per rewritten file
	Delays []string       `json:"delays"` // generated files holding the delay function
	Errors []string       `json:"errors"` // index errors (tolerated)
}

// delayedKinds: the op kinds a delay goes before (time and yield calls, and function exits, are
// not synchronising statements of the program's own).
var delayedKinds = map[string]bool{
	"send": true, "recv": true, "select": true, "close": true, "lock": true, "unlock": true,
	"rlock": true, "runlock": true, "wg_add": true, "wg_done": true, "wg_wait": true,
	"cond_wait": true, "signal": true, "broadcast": true, "once": true, "go": true,
}

const shimPrefix = "zz_schedcast_"

// insertion: text to insert at a byte offset of a file.
type insertion struct {
	off  int
	site int
}

// stmtSpan is one statement of a statement list (a block's, a case's or a comm clause's).
type stmtSpan struct {
	from, to token.Pos
	stmt     ast.Stmt
}

// InjectDir rewrites the matching Go files of dir in place.
func InjectDir(dir string) (*InjectResult, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	idx, err := IndexDir(abs, true)
	if err != nil {
		return nil, err
	}
	res := &InjectResult{Dir: abs, Files: map[string]int{}, Delays: []string{}, Errors: idx.Errors}
	opsByFile := map[string][]*Op{}
	for _, o := range idx.Ops {
		// The package's own files only: a dependency's (deps.go) names a path outside DIR.
		if delayedKinds[o.Kind] && !strings.HasPrefix(o.File, shimPrefix) && !strings.Contains(o.File, "/") {
			opsByFile[o.File] = append(opsByFile[o.File], o)
		}
	}
	var names []string
	for f := range opsByFile {
		names = append(names, f)
	}
	sort.Strings(names)
	site := 0
	type pkgInfo struct {
		hasNonTest bool
		used       bool
	}
	pkgs := map[string]*pkgInfo{}
	rewritten := map[string][]byte{}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	// The package clauses of the files the build uses (a generated delay file must not add one).
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasPrefix(n, shimPrefix) {
			continue
		}
		if ok, err := build.Default.MatchFile(abs, n); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(abs, n), nil, parser.PackageClauseOnly)
		if err != nil {
			continue
		}
		p := pkgs[f.Name.Name]
		if p == nil {
			p = &pkgInfo{}
			pkgs[f.Name.Name] = p
		}
		p.hasNonTest = p.hasNonTest || !strings.HasSuffix(n, "_test.go")
	}
	for _, name := range names {
		path := filepath.Join(abs, name)
		if ok, err := build.Default.MatchFile(abs, name); err != nil || !ok {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil || pkgs[f.Name.Name] == nil {
			continue // the index reported it; leave the file as it is
		}
		ins := fileInsertions(fset, f, opsByFile[name], &site)
		if len(ins) == 0 {
			continue
		}
		pkgs[f.Name.Name].used = true
		sort.Slice(ins, func(i, j int) bool { return ins[i].off > ins[j].off })
		out := append([]byte(nil), src...)
		for _, in := range ins {
			call := []byte(fmt.Sprintf("schedcastPerturbDelay(%d); ", in.site))
			out = append(out[:in.off], append(call, out[in.off:]...)...)
		}
		rewritten[path] = out
		res.Files[name] = len(ins)
	}
	res.Sites = site
	if site == 0 {
		return res, nil
	}
	var pnames []string
	for n := range pkgs {
		pnames = append(pnames, n)
	}
	sort.Strings(pnames)
	for _, n := range pnames {
		p := pkgs[n]
		if !p.used {
			continue
		}
		file := shimPrefix + "delay_" + n + ".go"
		if strings.HasSuffix(n, "_test") || !p.hasNonTest {
			file = shimPrefix + "delay_" + n + "_test.go"
		}
		rewritten[filepath.Join(abs, file)] = []byte(delaySource(n, site))
		res.Delays = append(res.Delays, file)
	}
	for path, data := range rewritten {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// fileInsertions: one delay before each statement that holds a synchronising op outside its
// nested statement lists, plus one at the start of a loop body whose header receives from a
// channel (every iteration receives) and of a function literal started by a go statement.
func fileInsertions(fset *token.FileSet, f *ast.File, ops []*Op, site *int) []insertion {
	if len(ops) == 0 {
		return nil
	}
	var spans []stmtSpan
	addList := func(list []ast.Stmt) {
		for _, s := range list {
			spans = append(spans, stmtSpan{s.Pos(), s.End(), s})
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			addList(n.List) // switch and select bodies hold clauses, which are skipped below
		case *ast.CaseClause:
			addList(n.Body)
		case *ast.CommClause:
			addList(n.Body)
		}
		return true
	})
	tf := fset.File(f.Pos())
	chosen := map[ast.Stmt]bool{}
	var order []ast.Stmt
	for _, o := range ops {
		if o.Line < 1 || o.Line > tf.LineCount() {
			continue
		}
		pos := tf.LineStart(o.Line) + token.Pos(o.Col-1)
		var best *stmtSpan
		for i := range spans {
			s := &spans[i]
			if _, clause := s.stmt.(*ast.CaseClause); clause {
				continue
			}
			if _, clause := s.stmt.(*ast.CommClause); clause {
				continue
			}
			if s.from <= pos && pos < s.to && (best == nil || s.to-s.from < best.to-best.from) {
				best = s
			}
		}
		if best == nil || chosen[best.stmt] {
			continue
		}
		if _, isDefer := best.stmt.(*ast.DeferStmt); isDefer {
			continue // its call runs at the function's exit, not here
		}
		chosen[best.stmt] = true
		order = append(order, best.stmt)
	}
	sort.Slice(order, func(i, j int) bool { return order[i].Pos() < order[j].Pos() })
	var out []insertion
	add := func(p token.Pos) {
		out = append(out, insertion{tf.Offset(p), *site})
		*site++
	}
	for _, s := range order {
		add(s.Pos())
		switch s := s.(type) {
		case *ast.RangeStmt:
			add(s.Body.Lbrace + 1)
		case *ast.GoStmt:
			if lit, ok := unparen(s.Call.Fun).(*ast.FuncLit); ok {
				add(lit.Body.Lbrace + 1)
			}
		}
	}
	return out
}

// delaySource: the delay function for package `pkg` (Go 1.19 APIs only). A site's delay is a
// pure function of the run's seed, the site and how many times the site ran before (its k-th
// execution): half of the sites are left alone in a run, the others yield or sleep a duration
// chosen per site (20 us to 1 ms, +-50 % per execution); a site delays about 3 of 4 executions.
// SCHEDCAST_PERTURB_LOG=FILE appends "site k action micros" per executed site (for tests).
func delaySource(pkg string, sites int) string {
	return fmt.Sprintf(`// Code generated by schedcast (srcindex -inject); DO NOT EDIT.

package %s

import (
	schedcastPerturbOs "os"
	schedcastPerturbRuntime "runtime"
	schedcastPerturbStrconv "strconv"
	schedcastPerturbSync "sync"
	schedcastPerturbAtomic "sync/atomic"
	schedcastPerturbTime "time"
)

var (
	schedcastPerturbSeed, _ = schedcastPerturbStrconv.ParseUint(schedcastPerturbOs.Getenv("SCHEDCAST_PERTURB_SOURCE"), 10, 64)
	schedcastPerturbCount   [%d]uint32
	schedcastPerturbLogMu   schedcastPerturbSync.Mutex
	schedcastPerturbLog     = schedcastPerturbOpenLog()
)

func schedcastPerturbOpenLog() *schedcastPerturbOs.File {
	p := schedcastPerturbOs.Getenv("SCHEDCAST_PERTURB_LOG")
	if p == "" || schedcastPerturbSeed == 0 {
		return nil
	}
	f, err := schedcastPerturbOs.OpenFile(p, schedcastPerturbOs.O_WRONLY|schedcastPerturbOs.O_CREATE|schedcastPerturbOs.O_APPEND, 0o644)
	if err != nil {
		return nil
	}
	return f
}

func schedcastPerturbMix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// schedcastPerturbDelay runs before a synchronising statement of a perturbed run.
func schedcastPerturbDelay(site int) {
	seed := schedcastPerturbSeed
	if seed == 0 {
		return
	}
	k := uint64(schedcastPerturbAtomic.AddUint32(&schedcastPerturbCount[site], 1))
	s := schedcastPerturbMix(seed ^ schedcastPerturbMix(uint64(site)+1))
	e := schedcastPerturbMix(s ^ k)
	action, micros := "none", int64(0)
	switch {
	case s%%8 < 4 || e%%4 == 0:
	case s%%8 < 6:
		action = "yield"
	default:
		base := [4]int64{20, 100, 300, 1000}[(s>>8)%%4]
		micros = base/2 + int64((e>>8)%%uint64(base+1))
		action = "sleep"
	}
	if schedcastPerturbLog != nil {
		schedcastPerturbLogMu.Lock()
		schedcastPerturbLog.WriteString(schedcastPerturbStrconv.Itoa(site) + " " + schedcastPerturbStrconv.FormatUint(k, 10) + " " + action + " " + schedcastPerturbStrconv.FormatInt(micros, 10) + "\n")
		schedcastPerturbLogMu.Unlock()
	}
	switch action {
	case "yield":
		schedcastPerturbRuntime.Gosched()
	case "sleep":
		schedcastPerturbTime.Sleep(schedcastPerturbTime.Duration(micros) * schedcastPerturbTime.Microsecond)
	}
}
`, pkg, sites)
}
