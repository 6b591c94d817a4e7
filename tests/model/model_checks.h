// tests/model/model_checks.h — property checks shared by the model tests (model_test, neural_test,
// calibrated_test).
//
// Header-only so that only the model test binaries depend on model/. Not thread-safe (gtest assertions).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/example.h"
#include "model/predictor.h"

namespace schedcast::model {

// Every `stride`-th example: overwriting the target counts (with `fill`) and the label leaves each
// model's prediction unchanged, i.e. predictions read neither.
inline void ExpectPredictionsIgnoreTargetAndLabel(const std::map<std::string, std::unique_ptr<Predictor>>& models,
                                                  const std::vector<data::Example>& examples, size_t stride,
                                                  uint64_t fill) {
  for (const auto& [name, m] : models)
    for (size_t i = 0; i < examples.size(); i += stride) {
      data::Example ex = examples[i];
      const auto before = m->Predict(ex);
      std::fill(ex.target_counts.begin(), ex.target_counts.end(), fill);
      ex.label = "nonsense";
      EXPECT_EQ(before, m->Predict(ex)) << name;
    }
}

// Top-1 ECE over 15 equal-width bins, each program weighing 1 (eval's macro ECE, docs/METRICS.md).
inline double MacroEce(const Predictor& m, const std::vector<data::Example>& xs) {
  std::map<std::string, double> per_prog;
  for (const auto& e : xs) ++per_prog[e.program];
  std::array<double, 15> hit{}, conf{};
  double total = 0;
  for (const auto& e : xs) {
    const std::vector<double> p = m.Predict(e);
    const size_t top = std::max_element(p.begin(), p.end()) - p.begin();
    const double w = 1.0 / per_prog[e.program];
    const int b = std::min(14, static_cast<int>(p[top] * 15));
    hit[b] += w * (static_cast<int>(top) == e.label_index());
    conf[b] += w * p[top];
    total += w;
  }
  double ece = 0;
  for (int b = 0; b < 15; ++b) ece += std::abs(hit[b] - conf[b]) / total;
  return ece;
}

}  // namespace schedcast::model
