// common/std_packages.h — the Go standard library's import paths, and the process-wide set of them.
//
// StdPackages is the set `go list std` prints for a toolchain (std's own vendored packages appear
// under vendor/). The process-wide registry holds the union over every toolchain registered so far:
// stores register the lists they keep when they are opened (store/toolchain_std.h), and
// sched::IsStdFrame (sched/timeline.h) consults the registry, so every consumer of a store
// classifies frames the same way without passing the set around. It lives in common/ because store/
// (which registers) and sched/ (which reads) share no other layer.
// Thread-safety: StdPackages' const members are thread-safe; the registry is guarded by a mutex
// and hands out immutable snapshots.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace schedcast {

class StdPackages {
 public:
  StdPackages() = default;
  // One import path per line, as `go list std` prints them; blank lines ignored.
  static StdPackages Parse(std::string_view go_list_output);
  void Add(std::string_view path) { paths_.emplace(path); }
  void Merge(const StdPackages& other) { paths_.insert(other.paths_.begin(), other.paths_.end()); }
  bool Contains(std::string_view path) const { return paths_.find(path) != paths_.end(); }
  size_t size() const { return paths_.size(); }
  bool empty() const { return paths_.empty(); }
  // Newline-separated, sorted (the form the store keeps).
  std::string Serialize() const;

 private:
  std::set<std::string, std::less<>> paths_;
};

// Adds `std` to the process-wide set (a union over toolchains: a path that is standard library in
// any registered toolchain counts as standard library).
void RegisterStdPackages(const StdPackages& std);
// The registered set; null when nothing was registered yet.
std::shared_ptr<const StdPackages> RegisteredStdPackages();
// Forgets every registration (tests).
void ClearStdPackages();

}  // namespace schedcast
