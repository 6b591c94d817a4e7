// model/metrics.h — the numbers training reports on a split: objective loss, label NLL, accuracy,
// KL to the target, top-1 calibration error (ECE, 10 equal-width bins), and the oracle ceiling (the
// accuracy of predicting the target's own argmax). The full evaluation stage lives in eval/; this is
// the small subset training needs for early stopping and progress lines. Thread-safe (pure).
#pragma once

#include <vector>

#include "data/example.h"
#include "model/objective.h"
#include "model/predictor.h"
#include "nlohmann/json.hpp"

namespace schedcast::model {

struct Metrics {
  size_t n = 0;
  double loss = 0;      // mean objective loss
  double nll = 0;       // mean −log p[label]
  double kl = 0;        // mean KL(target ‖ p)
  double accuracy = 0;  // argmax p == label
  double ece = 0;       // top-1 expected calibration error
  double ceiling = 0;   // argmax target == label
  nlohmann::json ToJson() const;
};

Metrics Evaluate(const Predictor& m, const std::vector<data::Example>& examples, const Objective& obj);

}  // namespace schedcast::model
