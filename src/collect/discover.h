// collect/discover.h — finding Go packages and their programs under user-given paths.
//
// Contract: Discover() walks each PATH (a directory, walked recursively) the way `go ... ./...` does: it skips directories named testdata or vendor and those
// starting with '.' or '_'. Every directory with .go files is a package. A cheap source scan (no
// go/parser) finds the package clause, every `func TestXxx(t *testing.T)` in _test.go files (Go's
// naming rule: "Test" then end or a non-lowercase letter), a TestMain, and `func main()` in a
// `package main`. Files with `//go:build ignore` are skipped; other build constraints are not
// evaluated (a known approximation). The module of a package is the nearest go.mod above it; a
// package with none gets identity "_/abs/dir" and is later built in a temporary module.
// A PATH that is a .go file selects only the programs that file declares (its Test functions, or
// its func main) in its package. Usage errors (InvalidArgument): an empty PATH, a file that is not
// .go or declares nothing to run; NotFound: a missing PATH, a directory with no .go files below it.
// GOPATH packages: a package whose directory lies under <G>/src/ for a G in `gopaths` is built in
// GOPATH mode (GO111MODULE=off): its import path is its directory relative to <G>/src, and the
// tree copied with it (`module_root`) is the nearest go.mod directory above it that is still under
// <G>/src (the upstream project, so its internal/ and vendor/ packages come along), else the
// package directory itself; `module_path` is that tree's import path. go.mod requirements are
// ignored then: imports resolve in the copy first, then in <G>/src (Debian's /usr/share/gocode).
// The result is sorted by import path and has no duplicates. Errors name the path.
// Thread-safety: thread-safe (reads the file system only).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace schedcast::collect {

struct Package {
  std::string dir;                // absolute, canonical source directory
  std::string module_root;        // directory holding go.mod; empty: none (temporary module)
  std::string module_path;        // go.mod's module path; empty when module_root is empty
  std::string rel;                // dir relative to module_root ("." for the root itself)
  std::string import_path;        // module_path[/rel], or "_" + dir without a module
  std::string package_name;       // package clause of the non-test files (empty if none)
  std::string test_package_name;  // package clause of the first _test.go file (empty if none)
  std::vector<std::string> tests; // TestXxx functions, sorted
  bool has_test_main = false;     // a _test.go file defines TestMain
  std::string test_main_file;     // that file (base name)
  std::string test_main_package;  // its package clause (the shim must join that package)
  bool has_main = false;          // package main with func main()
  std::string main_file;          // the file (base name) defining func main()
  std::string source_hash;        // hex fnv1a64 over the package's .go files, go.mod and go.sum
  std::string gopath;             // non-empty: the GOPATH root (<gopath>/src holds dir); GOPATH mode
};

absl::StatusOr<std::vector<Package>> Discover(const std::vector<std::string>& paths,
                                              const std::vector<std::string>& gopaths = {});

// Parses "module X" from go.mod contents; empty if absent.
std::string ParseModulePath(const std::string& go_mod);

}  // namespace schedcast::collect
