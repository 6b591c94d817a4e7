// eval/every_step.h — every-step likelihood: each step of each held-out run scored against the event
// that run produced next. No key, no min-visits, no target: the regime of a user's new program.
//
// Per row that can predict arbitrary examples (model and baseline rows): the scoring.h metrics with
// the observed event as label and as a one-hot target (so "kl" equals "nll" and "mode_agreement"
// equals "accuracy"), pooled and macro (every program weighs 1), with bootstrap intervals over
// programs; ECE is against the observed events. Thread-compatible (calls the row's model).
#pragma once

#include <vector>

#include "common/status.h"
#include "eval/held_out_runs.h"
#include "eval/rows.h"
#include "eval/scoring.h"
#include "nlohmann/json.hpp"

namespace schedcast::eval {

// Totals of `row` over every step of `runs` (the runs of one program).
absl::StatusOr<Sums> ScoreEveryStep(const Row& row, const std::vector<HeldOutRun>& runs);

// {"pooled": metric set, "macro": metric set, "runs": N, "steps": N} (metric_json.h).
nlohmann::ordered_json EveryStepJson(const std::vector<Sums>& per_prog, size_t runs, const BootstrapOptions& bo);

}  // namespace schedcast::eval
