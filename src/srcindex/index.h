// srcindex/index.h — the source index of one Go package, read from tools/srcindex's JSON.
//
// The index lists a package's synchronising statements ("ops": send, recv, select, close, lock,
// unlock, rlock, runlock, wg_add, wg_done, wg_wait, cond_wait, signal, broadcast, once, sleep,
// timer, yield, go, return; version 4 also `call`: a call of a function of the package that
// synchronises, directly or through its own calls) with their file (base name) and line, the object acted on (a canonical
// name such as "ch@12", "Server.mu" or "pkg.v"; version 2 follows parameters to their arguments,
// with the other names of a parameter passed several objects as `aliases`), its type, the static channel capacity (-1
// unknown), whether the op is inside a loop, and the loop-aware successor ops within its function;
// and the functions (named and literals) with their line ranges and first ops. docs/SRCINDEX.md
// documents the JSON.
// Contract: Parse validates the document (every op/func id in range) and fails with an error that
// names `what` (e.g. the package) and the field; lookups never fail (empty results when a site
// lies outside the package). Sites are matched by file base name and line, which is what the
// innermost user frame of a trace stack gives (with or without -trimpath); version 7 also holds the
// package's dependencies beside it (tools/srcindex/deps.go), whose files are named by their path
// below the module root ("libs/kv/kv.go") and match a site whose path ends with that.
// Thread-safety: immutable after Parse; safe to share across threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace schedcast::srcindex {

struct Case {
  std::string kind;  // send | recv | default
  std::string obj, type;
  int cap = -1;
  std::vector<std::string> aliases;  // the object's other names (see Op::aliases)
  int64_t dur = 0;                   // recv from time.After(d), d constant: d in ns (0 unknown)
};

struct Op {
  int id = 0;
  std::string file;  // base name; a dependency's: its path below the module root (version 7)
  int line = 0, col = 0;
  std::string kind;
  std::string obj, type;
  int cap = -1;
  // The object's other names: obj is a parameter that call sites pass several objects to (index
  // version 2; empty in version 1, where parameters kept their own names).
  std::vector<std::string> aliases;
  bool loop = false;
  int func = -1;
  std::vector<int> next;   // successor op ids within the function (loop-aware)
  std::vector<Case> cases;  // select only
  int starts = -1;          // go / call: the started / called function's id, -1 unknown
  // sleep/timer calls (time.Sleep(d), time.After(d), …) and receives from time.After(d): the
  // constant d in nanoseconds; 0 when not a constant or the index predates version 3.
  int64_t dur = 0;
  int loop_id = 0;  // the innermost loop holding the op (Index::loop), 0 none or before version 6
  // An "io" op through a reader or writer of unknown kind (io.Copy, a method of an io.Reader
  // field, fmt.Fprintf, …): a pipe underneath blocks on channels instead (version 8).
  bool indirect = false;
  // An "io" op that reads or writes the end of a net.Pipe or io.Pipe, followed through variables,
  // parameters, fields and results (version 10): it blocks on the pipe's channels and mutex, never
  // in a system call. Never set with `indirect`.
  bool pipe = false;
  // A pipe op's actions on the pipe's channels (version 10): reading end E receives from "E"
  // (pipe@FILE:LINE:COL/0 or /1), writing at E sends into the other end's, closing E closes both.
  std::vector<std::string> pipe_recv, pipe_send, pipe_close;
};

// A for or range statement holding ops (version 6).
struct Loop {
  int id = 0;      // 1-based
  int parent = 0;  // the enclosing loop in the same function, 0 none
  int line = 0;
  int trips = 0;   // how many times the body runs where the statement fixes it; 0 unknown
};

struct Func {
  int id = 0;
  std::string name, file;
  int start = 0, end = 0;
  std::vector<int> first;
};

// The `version` field of an index document; 0 when the text is not a JSON object with one.
int VersionOf(std::string_view json);

class Index {
 public:
  static absl::StatusOr<Index> Parse(std::string_view json, std::string_view what);
  // The version tools/srcindex writes; Parse reads 1 to kVersion (docs/SRCINDEX.md). An index of an
  // older version lacks fields (2: aliases, 3: durations, 4: call ops, 5: io and ext ops, 6:
  // loops and their trip counts, 7: dependency packages, 8: `indirect` io ops, and the external
  // test package's calls of the package under test as call ops, 9: trip counts of loops bounded by
  // a variable as static as a constant, 10: `pipe` io ops), so the collector makes it again.
  static constexpr int kVersion = 10;
  int version() const { return version_; }
  // The import paths of the dependency packages indexed with the package (version 7).
  const std::vector<std::string>& deps() const { return deps_; }

  const std::vector<Op>& ops() const { return ops_; }
  const std::vector<Func>& funcs() const { return funcs_; }
  const Op& op(int id) const { return ops_[id]; }
  // The loop of id 1..loops; nullptr for 0 or an id out of range.
  const Loop* loop(int id) const { return id >= 1 && id <= static_cast<int>(loops_.size()) ? &loops_[id - 1] : nullptr; }

  // The ops at file:line (file: a path or base name), in column order.
  std::vector<const Op*> At(std::string_view file, int line) const;
  // The innermost function whose lines hold file:line; nullptr if none.
  const Func* FuncAt(std::string_view file, int line) const;
  // The function with this name ("TestX", "T.Method", "TestX.func1"); nullptr if none.
  const Func* FuncNamed(std::string_view name) const;
  // Where a goroutine stopped at file:line that is not itself an op will synchronise next: the
  // first op of the innermost function at that line at or after it (in line, column order), else
  // the function's return op.
  std::vector<const Op*> After(std::string_view file, int line) const;

 private:
  int version_ = 0;
  std::vector<Op> ops_;
  std::vector<Func> funcs_;
  std::vector<Loop> loops_;
  std::map<std::pair<std::string, int>, std::vector<int>> at_;  // (base name, line) → op ids
  std::vector<std::string> deps_;
  std::vector<std::string> dep_files_;  // the dependencies' file names (paths below the module root)
  // Whether `path` (a stack frame's file) is one of the dependencies' files: then only their ops and
  // functions name it, else only the package's own (by base name).
  bool InDependency(std::string_view path) const;
  static bool Names(std::string_view name, std::string_view path, bool dep);
};

// "dir/x_test.go" → "x_test.go".
std::string_view BaseName(std::string_view path);

}  // namespace schedcast::srcindex
