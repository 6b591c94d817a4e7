// collect/plan.h — the reproducible run plan: configurations, shard membership, run seeds, order.
//
// Contract:
//  - ProgramKey is "import/path.TestName" (or ".main"); InShard(key, shard) is a stable hash of it
//    modulo N, so every machine computes the same partition and the shards together cover all
//    programs exactly once.
//  - RunSeed(seed, key, config, index) is a stable 64-bit hash; the same --seed gives the same
//    per-run seeds (passed to the program as SCHEDCAST_SEED) and the same execution order
//    (OrderKey), whatever the number of jobs or shards.
//  - ParseShard("I/N") requires 0 <= I < N; ParseIntList("1,2,4") requires positive integers.
// Thread-safety: thread-safe (pure functions).
#pragma once

#include <chrono>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace schedcast::collect {

struct Shard {
  int index = 0;
  int count = 1;
};

absl::StatusOr<Shard> ParseShard(const std::string& text);
absl::StatusOr<std::vector<int>> ParseIntList(const std::string& text, const std::string& flag);
absl::StatusOr<std::vector<std::string>> ParseGoVersions(const std::string& text);
// "5s", "1500ms", "2m", or a bare number of seconds; `flag` names the flag in errors.
absl::StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text, const std::string& flag);

// Program keys and configuration names: common/names.h (the seed hashes ConfigSeedName).
bool InShard(const std::string& program_key, const Shard& shard);

uint64_t RunSeed(uint64_t seed, const std::string& program_key, const store::ConfigRecord& c, int run_index);
// Execution order of runs: ascending OrderKey (interleaves programs and configurations, so one
// hanging program does not occupy every job at once).
uint64_t OrderKey(uint64_t run_seed);

}  // namespace schedcast::collect
