// store/summary.h — per-program counts of runs by configuration and outcome (`schedcast runs`).
//
// Contract: Summarise() reads the whole store in one read transaction; programs are ordered by
// package then name, configurations by Go version, GOMAXPROCS, race. ToText renders an aligned
// table, ToJson a JSON document:
//   {"store": FILE, "runs": N, "outcomes": {name: n}, "programs": [{"package", "name", "kind", "dir",
//     "source_hash", "total", "configs": [{"go", "gomaxprocs", "race", "total", "outcomes": {name: n}}]}]}
// Thread-safety: thread-compatible (uses the given Store).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace schedcast::store {

struct ConfigSummary {
  ConfigRecord config;
  int64_t total = 0;
  std::map<std::string, int64_t> outcomes;  // outcome name -> runs
};

struct ProgramSummary {
  ProgramRecord program;
  int64_t total = 0;
  std::vector<ConfigSummary> configs;
};

struct StoreSummary {
  std::string path;
  std::vector<ProgramSummary> programs;
  std::map<std::string, int64_t> outcomes;  // over all runs
  int64_t runs = 0;
};

absl::StatusOr<StoreSummary> Summarise(Store& store);
std::string ToText(const StoreSummary& s);
std::string ToJson(const StoreSummary& s);

}  // namespace schedcast::store
