// leaks/source.h — the few facts about a program's Go source that the leak proofs need.
//
// A trace and a goroutine dump say *that* a goroutine waits on a select, not which cases it has.
// ProgramSources reads the package's .go files (one directory, as the collector runs them) and
//  - Statement(file, line): the blocking statement starting at that line — a whole `select { ... }`
//    (up to its closing brace) or the single line of a send/receive;
//  - MayInvolveTimer(stmt, names): true when the statement names a timer or context channel
//    (time.After, time.Tick, .C, Done(), Timer/Ticker/ctx/deadline/timeout words, or a variable the
//    package assigns a timer to): such a goroutine may be woken by the runtime's timers, so no
//    proof is attempted for it;
//  - Hazards(): program-wide sources of wake-ups that run code outside any goroutine we can see:
//    time.AfterFunc, context.WithTimeout/WithDeadline (timers that call cancel), finalizers and
//    cleanups, os/signal delivery, channels of time.Time passed around under other names, cgo.
// Files are matched by base name (the collector runs a temporary copy of the directory).
// Missing files or directories make Statement() return nullopt and Hazards() report
// "sources unavailable": the caller then proves nothing that depends on them.
// Not thread-safe (caches file contents); cheap to construct.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace schedcast::leaks {

class ProgramSources {
 public:
  // `test`: the test function this process runs ("" for a package main program). The collector
  // runs one test per process, so a hazard inside the body of *another* top-level TestXxx function
  // that nothing else in the package calls cannot execute, and is ignored (gofmt layout assumed:
  // a top-level function ends at the first "}" in column 0).
  explicit ProgramSources(std::string dir, std::string test = "") : dir_(std::move(dir)), test_(std::move(test)) {}
  std::optional<std::string> Statement(std::string_view file, uint64_t line);
  const std::vector<std::string>& Hazards();
  // Identifiers the package assigns a timer channel or timer to (`quiet := time.After(...)`,
  // `tm := time.NewTimer(...)`): a case receiving from one of them may be woken by a timer.
  const std::set<std::string>& TimerNames();

 private:
  const std::string* File(std::string_view base);
  std::string dir_, test_;
  std::map<std::string, std::optional<std::string>> files_;
  std::optional<std::vector<std::string>> hazards_;
  std::optional<std::set<std::string>> timer_names_;
  std::vector<std::string> Names();
};

// For a select, only its `case` clauses are looked at; otherwise the whole statement.
bool MayInvolveTimer(std::string_view stmt, const std::set<std::string>& timer_names);

// "/tmp/x/pkg/foo_test.go" → "foo_test.go".
std::string_view BaseName(std::string_view path);

}  // namespace schedcast::leaks
