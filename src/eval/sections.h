// eval/sections.h — the parts of the eval JSON that do not score a row: per-program sample
// examples, the KL-vs-CE comparison, the "programs" list and the dataset statistics.
//
// Samples: up to 3 examples per program, seeded, preferring targets with more than one outcome.
// Comparison: for every model kind with both a "kl" and a "ce" row, their accuracy, ECE and NLL,
// macro (every program weighs 1) and pooled. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/inputs.h"
#include "nlohmann/json.hpp"

namespace schedcast::eval {

std::vector<std::vector<size_t>> ChooseSamples(const EvalInputs& in, uint64_t seed);

nlohmann::ordered_json ComparisonJson(const nlohmann::ordered_json& models);

// prog_acc[row][program]; sample_preds[example][row name].
nlohmann::ordered_json ProgramsJson(const EvalInputs& in, const std::vector<std::string>& row_names,
                                    const std::vector<std::vector<double>>& prog_acc,
                                    const std::vector<std::vector<size_t>>& samples,
                                    const std::map<size_t, std::map<std::string, std::vector<double>>>& sample_preds);

nlohmann::ordered_json DatasetJson(const EvalInputs& in);

bool IsBug(const data::ProgramMeta& m);

}  // namespace schedcast::eval
