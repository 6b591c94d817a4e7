// model/train.h — fitting a model of a given kind to a dataset's train split.
//
// Train looks the kind up in the registry (registry.h), resolves its options and calls its trainer
// (the kinds and their training: uniform.h, freq.h, ngram.h, structured.h + structured_train.cc,
// neural.h). With `temperature`, a single temperature T is then fitted on the validation split
// (golden-section search over log T minimising the objective's loss) and stored in the model. With
// `top_map`, a top-label map (topmap.h) is then fitted on the validation split, every validation
// program weighing 1, and stored too. Neither is fitted for kinds that calibrate themselves.
// The model's meta records the kind, objective, resolved options + temperature ("hyper"), the
// data's level and key, and validation metrics.
// Deterministic for a seed: same data + options + seed → identical model file. Progress lines
// ("epoch 3: train loss … val loss … val acc …") go to `progress` when non-null.
// Not thread-safe (single-threaded; call from one thread).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "model/metrics.h"
#include "model/objective.h"
#include "model/predictor.h"

namespace schedcast::model {

struct TrainOptions {
  std::string model = "structured";  // a kind of the registry (registry.h)
  std::string objective = "kl";      // kl | ce
  uint64_t seed = 1;                 // the kind's "seed" option, where it has one and `options` gives none
  bool temperature = false;          // fit a temperature on validation
  bool top_map = false;              // then fit a top-label map on validation (topmap.h)
  // The kind's own options by name ({"epochs": 2, "lr": 0.005}); the kind's defaults fill the rest.
  // A name the kind does not declare is an InvalidArgument error.
  nlohmann::json options = nlohmann::json::object();
};

absl::StatusOr<std::unique_ptr<Predictor>> Train(const std::vector<data::Example>& train,
                                                 const std::vector<data::Example>& validation,
                                                 const TrainOptions& opt, std::ostream* progress);

// Train, record the dataset directory and its hash (io.h HashTrainingData) in the model's meta,
// and save the model file to `path`: what `schedcast train` and the main job (job/run_job.h) do.
absl::StatusOr<std::unique_ptr<Predictor>> TrainAndSave(const std::string& data_dir,
                                                        const std::vector<data::Example>& train,
                                                        const std::vector<data::Example>& validation,
                                                        const TrainOptions& opt, const std::string& path,
                                                        std::ostream* progress);

// Fits a top-label map of `m` (at its current temperature) on `examples`, each program weighing 1,
// sets it, and returns it (empty: the identity, when the examples do not support two knots).
const TopMap& FitTopMap(ScoredPredictor& m, const std::vector<data::Example>& examples);

// Fits the temperature of `m` on `examples` (golden-section over log T in [-3, 3]); returns T.
double FitTemperature(ScoredPredictor& m, const std::vector<data::Example>& examples, const Objective& obj);

}  // namespace schedcast::model
