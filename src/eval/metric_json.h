// eval/metric_json.h — metric objects of the eval JSON built from per-program totals, pooled
// (every example weighs 1) and macro (every program weighs 1, scoring.h MacroGroups), with 95 %
// percentile-bootstrap intervals over programs; and the uncertain-slice filter.
//
// A metric set is {"accuracy": {"value","lo","hi"}, "top3", "mode_agreement", "nll", "brier",
// "ece", "kl", "n": examples, "programs": programs with at least one example}. Thread-safe (pure).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "eval/scoring.h"
#include "nlohmann/json.hpp"

namespace schedcast::eval {

// An example is in the uncertain slice when its target puts mass on at least two candidates.
bool Uncertain(std::span<const uint64_t> target_counts);

nlohmann::ordered_json PooledJson(const std::vector<Sums>& per_prog, const BootstrapOptions& bo);
nlohmann::ordered_json MacroJson(const std::vector<Sums>& per_prog, const BootstrapOptions& bo);

// 4 significant digits, for progress lines ("0.7029").
std::string Sig4(double v);

}  // namespace schedcast::eval
