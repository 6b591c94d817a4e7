// eval/rows.h — the rows RunEval scores: every --model file, every predictions file, the "oracle"
// (the example's own leave-one-run-out target) and the "uniform" baseline, uniquely named.
//
// Names: "<kind>-<objective>" (or the kind alone) for models, the file stem when two model files
// would share a name; --name or the file stem for predictions files. A model trained on another
// token level than the dataset's is an error naming the file. Not thread-safe (a Row owns a model).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/example.h"
#include "eval/predictions.h"
#include "model/predictor.h"

namespace schedcast::eval {

struct PredictionsFile;

// How many examples eval hands a model at once (Row::PredictBatch).
inline constexpr size_t kPredictBatch = 256;

struct Row {
  std::string name, kind, objective, file, source;  // source: model | predictions | oracle | baseline
  std::unique_ptr<model::Predictor> model;          // model / baseline rows
  std::optional<Predictions> preds;                 // predictions rows

  // The row's probabilities for examples[i] (one per candidate; uniform for an uncovered
  // predictions line). An error names the row and the example when the length is wrong.
  absl::StatusOr<std::vector<double>> Predict(const data::Example& ex, size_t i) const;
  // Predict for xs[k] at index first + k, every k; model rows predict them as one batch
  // (Predictor::PredictBatch). *out gets xs.size() entries.
  absl::Status PredictBatch(std::span<const data::Example> xs, size_t first, std::vector<std::vector<double>>* out) const;
  // True when the row can score examples that are not in the dataset (every-step, protocols).
  bool predicts_any_example() const { return model != nullptr; }
};

absl::StatusOr<std::vector<Row>> MakeRows(const std::vector<std::string>& models,
                                          const std::vector<PredictionsFile>& predictions,
                                          const std::vector<data::Example>& examples);

}  // namespace schedcast::eval
