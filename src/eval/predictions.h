// eval/predictions.h — predictions made elsewhere (an LLM, another tool) read from a JSONL file.
//
// One object per line: {"program", "config", "run_id", "position", "probs"}; the first four fields
// identify a dataset example, "probs" is either an object mapping candidate letters (data/prompt.h:
// candidates in dataset order lettered A, B, …, Z, AA, …) to probabilities or an array in candidate
// order. Missing letters get kMissingFloor; the vector is then renormalised over the example's
// candidates. Errors name the file and line: invalid JSON, a missing/ill-typed field, a letter that
// is not one of the example's candidates, an array of the wrong length, a negative or non-finite
// probability, all-zero probabilities, a line for an example that is not in the split, a duplicate.
// Examples without a line are left unset (eval scores them as uniform and reports coverage).
// Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/example.h"

namespace schedcast::eval {

inline constexpr double kMissingFloor = 1e-6;

struct Predictions {
  std::vector<std::optional<std::vector<double>>> probs;  // aligned with the examples given
  size_t covered = 0;                                     // examples with a line
};

// Parses `text` (the file's contents; `path` names it in errors) against `examples`.
absl::StatusOr<Predictions> ParsePredictions(const std::string& text, const std::string& path,
                                             const std::vector<data::Example>& examples);
absl::StatusOr<Predictions> ReadPredictions(const std::string& path, const std::vector<data::Example>& examples);

}  // namespace schedcast::eval
