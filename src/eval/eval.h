// eval/eval.h — the evaluation stage: scores models and prediction files on a dataset split and
// returns the eval JSON (format "schedcast-eval", version 1; the contract the report/ stage reads,
// documented in docs/METRICS.md).
//
// Stages (each in its own file): inputs.h (examples, programs, meta) → rows.h (rows to score) →
// sections.h (sample examples) → rollout.h (prepared from the store) → scoring of every row
// (metric_json.h: macro and pooled, the uncertain slice; every_step.h on held_out_runs.h) →
// sections.h (comparison, programs, dataset) → paper.h (with protocol "paper").
//
// Rows: every --model file (name "<kind>-<objective>", or the file stem when two files would share a
// name), every predictions file (--name or the file stem; examples without a line are scored as
// uniform and counted in "coverage"), the "oracle" (the example's own leave-one-run-out target — its
// accuracy is the ceiling with the prefix key) and the "uniform" baseline. Per row: the metrics of
// eval/scoring.h, macro ("macro": every program weighs 1) and pooled ("overall"), with 95 %
// percentile-bootstrap intervals over programs; the uncertain slice ("uncertain": examples whose
// target has mass on >= 2 candidates); with every_step and a store, the every-step likelihood
// ("every_step", model rows); the 15-bin reliability
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
  bool every_step = false;                    // score every step of every held-out run (needs store)
  size_t every_step_max_steps = 0;            // 0 = every step; else the first N steps of each run
  std::string protocol;                       // "" or "paper" (needs store): the "paper" section
  size_t paper_runs = 5;                      // runs per program under the paper protocol
  std::string family_by;                      // "" | "dir" | a manifest field: "families" breakdown
  std::string write_predictions;              // "" or a directory: every model row's (and the uniform
                                              // baseline's) probabilities as DIR/<row name>.jsonl
                                              // (eval/predictions.h's format)
  std::string command;                        // recorded in the JSON
  std::ostream* log = nullptr;                // progress lines (stderr in the CLI); may be null
};

absl::StatusOr<nlohmann::ordered_json> RunEval(const EvalOptions& opt);

// "schedcast.dev/corpus/chans.TestX" → "chans.TestX" given the common package prefix
// "schedcast.dev/corpus/"; '/' becomes '.', characters outside [A-Za-z0-9._-] become '_'.
std::string Slug(const std::string& program, const std::string& common_prefix);

}  // namespace schedcast::eval
