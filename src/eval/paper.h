// eval/paper.h — the source paper's protocol (arXiv 2606.17508), so our numbers can stand beside
// its own: event-type level, prefixes cut at 25/50/75 % of each held-out run, at most 5 runs per
// program, a majority-class baseline, per-event-type accuracy, McNemar tests between rows, and ECE
// with 10 bins both per prediction and over groups aggregated by (program, cut).
//
// Positions: for a run of n steps, the steps at floor(f·n) for f in {0.25, 0.5, 0.75} (n ≥ 1).
// A row's type distribution sums its candidate probabilities by PaperType; the predicted type is
// the largest (ties → first in kPaperTypes order, then "Other"), confidence its mass. The majority
// row always answers the type most frequent among the scored positions (confidence 1) — the number
// the paper reports as its majority baseline. Thread-safe (pure functions) except PaperProtocol,
// which calls the rows' models.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "eval/held_out_runs.h"
#include "eval/rows.h"
#include "nlohmann/json.hpp"

namespace schedcast::eval {

inline constexpr int kPaperTypeCount = 7;
inline constexpr const char* kPaperTypes[kPaperTypeCount] = {"GoStart", "GoBlock", "GoUnblock", "GoCreate",
                                                             "GoEnd",   "GoSched", "Other"};
inline constexpr double kPaperCuts[3] = {0.25, 0.5, 0.75};

// A token's event kind: its name without reason or goroutine ("GoBlock(recv) T.1" → "GoBlock").
std::string_view EventKind(std::string_view token);
// The paper's event type of a token: its event kind; GoPreempt
// counts as GoSched (both give up the P); syscall events and anything else are "Other".
std::string_view PaperType(std::string_view token);
int PaperTypeIndex(std::string_view token);

// McNemar's test on paired predictions: b = positions only row A gets right, c = only row B.
// chi2 = (|b − c| − 1)² / (b + c) (continuity-corrected; 0 when b + c = 0); p = exact two-sided
// binomial p-value min(1, 2·P[X ≤ min(b, c)]), X ~ Bin(b + c, ½) (1 when b + c = 0).
struct McNemarResult {
  uint64_t b = 0, c = 0;
  double chi2 = 0, p = 1;
};
McNemarResult McNemar(uint64_t b, uint64_t c);

struct ScoredPrediction {
  double conf = 0;
  bool hit = false;
  size_t group = 0;  // (program, cut) index for GroupEce
};
// Σ_b (n_b/N)|acc_b − conf_b| over `bins` equal-width bins of conf (1.0 in the last bin).
double EceOf(const std::vector<ScoredPrediction>& preds, int bins);
// Each group becomes one point (mean confidence, mean accuracy of its predictions), then the same
// binned ECE over those points, every group weighing 1.
double GroupEce(const std::vector<ScoredPrediction>& preds, int bins);

// The "paper" section of the eval JSON (docs/METRICS.md): positions, per-type table, per-row
// accuracy/ECEs, McNemar pairs. `runs` should hold at most 5 runs per program (HeldOutOptions).
absl::StatusOr<nlohmann::ordered_json> PaperProtocol(const std::vector<const Row*>& rows,
                                                     const std::vector<HeldOutRun>& runs);

}  // namespace schedcast::eval
