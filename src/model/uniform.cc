#include "model/uniform.h"

#include "model/registry.h"

namespace schedcast::model {

void UniformPredictor::Logits(const data::Example& ex, std::vector<double>* logits) const {
  logits->assign(ex.candidates.size(), 0.0);
}

ModelKind UniformKind() {
  ModelKind k;
  k.name = "uniform";
  k.summary = "every legal candidate equally likely (the anchor)";
  k.fitted = false;
  k.train = [](const TrainInput&, const nlohmann::json&) -> absl::StatusOr<std::unique_ptr<ScoredPredictor>> {
    return std::make_unique<UniformPredictor>();
  };
  k.load = [](const nlohmann::json& p) { return AsScored(UniformPredictor::FromParams(p)); };
  return k;
}

}  // namespace schedcast::model
