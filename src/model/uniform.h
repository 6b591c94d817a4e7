// model/uniform.h — the anchor model: every legal candidate equally likely.
// No parameters, nothing to fit. Thread-safe (stateless).
#pragma once

#include <memory>

#include "model/predictor.h"

namespace schedcast::model {

class UniformPredictor final : public ScoredPredictor {
 public:
  std::string_view kind() const override { return "uniform"; }
  void Logits(const data::Example& ex, std::vector<double>* logits) const override;
  nlohmann::json Params() const override { return nlohmann::json::object(); }
  static absl::StatusOr<std::unique_ptr<UniformPredictor>> FromParams(const nlohmann::json&) {
    return std::make_unique<UniformPredictor>();
  }
};

}  // namespace schedcast::model
