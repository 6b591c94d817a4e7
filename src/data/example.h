// data/example.h — one prediction example and its JSON form (the dataset's JSONL schema).
//
// An example is one (run, position): the context before the position, the legal candidates, the
// target distribution over those candidates (counts from the *other* runs of the same program and
// configuration at the same key — leave-one-run-out, so the example's own label never leaks into
// its target) and the label (what this run did next). docs/DATASET.md documents the schema.
// Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "nlohmann/json.hpp"

namespace schedcast::data {

struct Example {
  std::string program;                  // "pkg/path.TestName"
  std::string config;                   // "go1.23/p2" or "go1.23/p2/race"
  int64_t run_id = 0;
  uint64_t position = 0;                // index of the step in the run's token stream
  std::string level;                    // token granularity: type | goroutine | site
  std::string key;                      // key kind: prefix | state | window:K
  std::vector<std::string> context;     // the last tokens before the position (oldest first)
  uint64_t context_total = 0;           // how many tokens precede the position in the run
  std::string state;                    // abstract scheduler state before the position
  std::vector<std::string> candidates;  // legal next tokens
  std::vector<uint64_t> target_counts;  // per candidate, counts in the other runs at this key
  std::string label;                    // the token this run produced (one of candidates)
  std::string split;                    // train | validation | test
  // Program facts per candidate (parallel to candidates), from the package's source index
  // (data/program_facts.h): "group:value" strings such as "next:recv", "partner:blocked",
  // "loop:1", "child:send". Empty when the program has no index (old stores, other sources).
  std::vector<std::vector<std::string>> facts;

  uint64_t target_total() const;
  std::vector<double> target() const;   // target_counts normalised
  int label_index() const;              // index of label in candidates, -1 if absent
};

nlohmann::json ToJson(const Example& e);
absl::StatusOr<Example> FromJson(const nlohmann::json& j);  // errors name the missing/bad field

}  // namespace schedcast::data
