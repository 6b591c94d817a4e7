// eval/eval.h — the evaluation stage: scores models and prediction files on a dataset split and
// returns the eval JSON (format "schedcast-eval", version 1; the contract the report/ stage reads,
// documented in docs/METRICS.md).
//
// Rows: every --model file (name "<kind>-<objective>", or the file stem when two files would share a
// name), every predictions file (--name or the file stem; examples without a line are scored as
// uniform and counted in "coverage"), the "oracle" (the example's own leave-one-run-out target — its
// accuracy is the ceiling with the prefix key) and the "uniform" baseline. Per row: the metrics of
// eval/scoring.h with 95 % percentile-bootstrap intervals over programs, the 15-bin reliability
// diagram, the gap to the oracle, breakdowns by category, bug/correct and primitive, and — with a
// store — multi-step rollouts (eval/rollout.h). "comparison" pairs the KL and CE rows of each kind;
// "programs" has per-program accuracies and up to 3 seeded sample examples each.
// Not thread-safe across calls that share `log`; otherwise pure.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "nlohmann/json.hpp"

namespace schedcast::eval {

struct PredictionsFile {
  std::string path;
  std::string name;  // "" = the file stem
};

struct EvalOptions {
  std::string data_dir;
  std::string split = "test";
  std::vector<std::string> models;            // model files (model/io.h)
  std::vector<PredictionsFile> predictions;   // JSONL (eval/predictions.h)
  std::string store;                          // for rollouts; "" = skip them
  uint64_t seed = 1;
  int bootstrap = 1000;
  int rollout_starts = 100;                   // start positions (spread over programs)
  int rollout_samples = 64;                   // sampled continuations per start and model
  int rollout_steps = 10;                     // k = 1..rollout_steps
  std::string command;                        // recorded in the JSON
  std::ostream* log = nullptr;                // progress lines (stderr in the CLI); may be null
};

absl::StatusOr<nlohmann::ordered_json> RunEval(const EvalOptions& opt);

// "schedcast.dev/corpus/chans.TestX" → "chans.TestX" given the common package prefix
// "schedcast.dev/corpus/"; '/' becomes '.', characters outside [A-Za-z0-9._-] become '_'.
std::string Slug(const std::string& program, const std::string& common_prefix);

}  // namespace schedcast::eval
