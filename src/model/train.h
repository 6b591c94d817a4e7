// model/train.h — fitting a model of a given kind to a dataset's train split.
//
//   uniform      nothing to fit
//   freq, ngram  count-based: weighted counts from the objective's weights (kl: target distribution,
//                ce: the label only)
//   neural       neural.h (libtorch; FailedPrecondition in a build without it)
//   structured   Adam with L2 on the objective's loss, one example per step in a seeded shuffled
//                order, early stopping on the validation loss (the best epoch's weights are kept)
// With `temperature`, a single temperature T is then fitted on the validation split (golden-section
// search over log T minimising the objective's loss) and stored in the model.
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
  std::string model = "structured";  // uniform | freq | ngram | structured | neural
  std::string objective = "kl";      // kl | ce
  uint64_t seed = 1;
  int epochs = 8;                    // structured: maximum epochs
  int patience = 2;                  // structured: epochs without validation improvement before stopping
  double lr = 0.002;                 // structured: Adam step size
  double l2 = 1e-5;                  // structured: L2 per touched weight and step
  int hash_bits = 18;                // structured
  int order = 3;                     // ngram: K
  double beta = 32.0;                // ngram: back-off strength
  bool temperature = false;          // fit a temperature on validation
  // neural (neural.h); epochs, patience, lr, seed above apply too, l2 is Adam's weight decay
  std::string device = "auto";       // auto | cpu | cuda
  int embed = 32;                    // token / candidate embedding size
  int hidden = 64;                   // GRU state size
  int context = 24;                  // context tokens read (the newest)
  int batch = 32;                    // examples per Adam step
  int threads = 1;                   // libtorch intra-op threads (1: OpenMP spin-waits make 2 much slower on a busy machine)
  int epoch_examples = 20000;        // at most this many (sampled) training examples per epoch
  int vocab_bits = 12;               // hashed relative-token vocabulary: 2^vocab_bits ids
  int feature_bits = 14;             // hashed structured features: 2^feature_bits rows
  nlohmann::json Hyper() const;      // the options that matter for `model`, for the model file
};

absl::StatusOr<std::unique_ptr<Predictor>> Train(const std::vector<data::Example>& train,
                                                 const std::vector<data::Example>& validation,
                                                 const TrainOptions& opt, std::ostream* progress);

// Fits the temperature of `m` on `examples` (golden-section over log T in [-3, 3]); returns T.
double FitTemperature(ScoredPredictor& m, const std::vector<data::Example>& examples, const Objective& obj);

}  // namespace schedcast::model
