// dist/table.h — empirical next-token distributions of one program and configuration over its runs.
//
// AddRun() counts, for every step of a run, its token under the step's key. OwnCounts() gives one
// run's own contribution per key, so that a target for that run can exclude it (leave-one-run-out):
// LeaveOneOut(key, own) = all runs' counts at key minus this run's. Keys visited fewer than
// `min_visits` times are "thin" and callers drop them. Thread-compatible (no internal locking).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "empirical/distribution.h"
#include "empirical/key.h"

namespace schedcast::empirical {

// Per key, the tokens one run produced there.
using RunCounts = std::unordered_map<std::string, Distribution>;

RunCounts CountRun(const std::vector<sched::Step>& steps, const std::vector<std::string>& keys);

class Table {
 public:
  void AddRun(const RunCounts& run);
  const Distribution* Find(const std::string& key) const;
  // Counts at `key` over all runs minus `own` (this run's counts at the key, or nullptr).
  Distribution LeaveOneOut(const std::string& key, const Distribution* own) const;
  size_t runs() const { return runs_; }
  size_t keys() const { return table_.size(); }
  // A human-readable description of a key (e.g. the last tokens before it), kept from the first call.
  void Describe(const std::string& key, std::string text) { about_.try_emplace(key, std::move(text)); }
  bool Described(const std::string& key) const { return about_.count(key) != 0; }
  std::string About(const std::string& key) const;  // "" if never described
  // Keys with at least `min_visits` observations, most visited first (ties by key).
  std::vector<std::pair<std::string, const Distribution*>> MostVisited(size_t limit, uint64_t min_visits) const;

 private:
  std::unordered_map<std::string, Distribution> table_;
  std::unordered_map<std::string, std::string> about_;
  size_t runs_ = 0;
};

}  // namespace schedcast::empirical
