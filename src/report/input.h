// report/input.h — the eval JSON (format "schedcast-eval", version 1) as typed structs.
//
// ParseEval checks every field the report renders and returns an InvalidArgument error naming the
// first missing or mistyped field by its JSON path (e.g. `models[2].overall.ece.lo`). Metric values
// may be JSON null (the eval writes NaN/inf as null); they become NaN and render as "—". Optional
// parts (comparison, rollouts, breakdowns, gap_to_oracle, dataset details) may be absent.
// The contract is written down in docs/REPORT.md. Thread-safe (pure function).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace schedcast::report {

// A metric with its 95 % bootstrap interval; lo/hi are NaN when the eval did not give them.
struct Interval {
  double value = 0, lo = 0, hi = 0;
};

struct ReliabilityBin {
  double lo = 0, hi = 0;      // confidence range of the bin
  int64_t count = 0;          // examples whose max probability falls in it
  double confidence = 0;      // their mean max probability
  double accuracy = 0;        // the fraction of them whose argmax is the observed label
};

struct RolloutPoint {
  int k = 0;
  double legality = 0, tv = 0, tv_lo = 0, tv_hi = 0;
  int64_t n = 0;
  double floor = 0, above_floor = 0, above_lo = 0, above_hi = 0;  // NaN when absent
};

// A set of metrics (macro or pooled) as the eval writes it; present = false when absent.
struct MetricSet {
  bool present = false;
  Interval accuracy, top3, nll, brier, ece;
  int64_t n = 0, programs = 0;
};

struct BreakdownCell {
  double accuracy = 0, ece = 0;
  int64_t n = 0;
};

struct ModelResult {
  std::string name, kind, objective, file, source;
  Interval accuracy, top3, mode_agreement, nll, brier, ece, kl;
  int64_t n = 0;
  double gap_accuracy = 0;  // NaN when absent
  std::vector<ReliabilityBin> reliability;
  // dimension ("category", "bug", "primitive") -> key -> cell
  std::map<std::string, std::map<std::string, BreakdownCell>> breakdown;
  std::vector<RolloutPoint> rollouts;
  double rollout_survival = 0;  // NaN when absent
  // Optional parts of newer eval JSON: macro (every program weighs 1), the uncertain slice, the
  // every-step likelihood.
  MetricSet macro;
  double gap_macro_accuracy = 0;  // NaN when absent
  double uncertain_share = 0, uncertain_oracle_macro = 0, uncertain_oracle_pooled = 0;
  MetricSet uncertain_macro, uncertain_pooled;
  MetricSet every_step_macro, every_step_pooled;
};

// The source paper's protocol (eval --protocol paper).
struct PaperRow {
  std::string name;
  double accuracy = 0, ece = 0, group_ece = 0;
  std::map<std::string, double> by_type;
};
struct PaperResult {
  bool present = false;
  int64_t positions = 0, runs = 0, programs = 0, groups = 0;
  std::vector<std::pair<std::string, int64_t>> type_counts;
  std::vector<PaperRow> rows;
  struct Pair {
    std::string a, b;
    int64_t only_a = 0, only_b = 0;
    double p = 1;
  };
  std::vector<Pair> mcnemar;
};

struct Comparison {
  std::string kind;
  double kl_accuracy = 0, kl_ece = 0, ce_accuracy = 0, ce_ece = 0;
};

struct Sample {
  std::string config;
  int64_t run_id = 0, position = 0;
  std::vector<std::string> context, candidates;
  std::vector<double> target;
  std::string label;
  std::vector<std::pair<std::string, std::vector<double>>> predictions;  // in the JSON's key order
};

struct Program {
  std::string program, slug, category, bug;
  int64_t examples = 0;
  std::map<std::string, double> accuracy;  // model name -> accuracy on this program
  std::vector<Sample> samples;
};

struct SplitStats {
  int64_t examples = 0, programs = 0;
};

struct Eval {
  std::string created, command, metrics_doc;
  std::string data_dir, split, level, key;
  int64_t examples = 0, programs = 0;
  std::vector<std::pair<std::string, SplitStats>> splits;   // train, validation, test first
  std::vector<std::pair<std::string, int64_t>> configs;
  double uncertain_fraction = 0, candidates_mean = 0;       // NaN when absent
  std::vector<ModelResult> models;
  std::vector<Comparison> comparison;
  std::vector<Program> programs_list;
  PaperResult paper;
};

absl::StatusOr<Eval> ParseEval(const nlohmann::json& j);

}  // namespace schedcast::report
