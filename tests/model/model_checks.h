// tests/model/model_checks.h — property checks shared by the model tests (model_test, neural_test).
//
// Header-only so that only the model test binaries depend on model/. Not thread-safe (gtest assertions).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
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

}  // namespace schedcast::model
