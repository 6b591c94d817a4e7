// model/freq.h — token-type frequencies from the training data.
//
// Fit counts token types (kind + reason, "GoBlock(recv)", "GoStart", …) over the training examples,
// weighted by the objective: the target distribution (kl) or the label alone (ce). Prediction gives
// each candidate type (count + 1) (add-one smoothing over the seen types plus one unseen slot),
// renormalises over the types present among the candidates, and splits a type's mass evenly between
// the candidates of that type (three GoStart candidates share the GoStart mass).
// Thread-safe for Predict after Fit/FromParams; Fit is not.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "model/objective.h"
#include "model/predictor.h"

namespace schedcast::model {

class FreqPredictor final : public ScoredPredictor {
 public:
  std::string_view kind() const override { return "freq"; }
  void Fit(const std::vector<data::Example>& train, const Objective& obj);
  void Logits(const data::Example& ex, std::vector<double>* logits) const override;
  nlohmann::json Params() const override;
  static absl::StatusOr<std::unique_ptr<FreqPredictor>> FromParams(const nlohmann::json& j);

 private:
  std::map<std::string, double, std::less<>> counts_;  // token type → weighted count
};

}  // namespace schedcast::model
