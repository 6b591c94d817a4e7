#include "model/freq.h"

#include <cmath>

#include "model/context.h"
#include "model/registry.h"

namespace schedcast::model {

void FreqPredictor::Fit(const std::vector<data::Example>& train, const Objective& obj) {
  counts_.clear();
  std::vector<double> w;
  for (const auto& ex : train) {
    w.assign(ex.candidates.size(), 0.0);
    obj.Weights(ex, w);
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == 0) continue;
      std::string_view type = ParseToken(ex.candidates[i]).type;
      auto it = counts_.find(type);
      if (it == counts_.end()) it = counts_.emplace(std::string(type), 0.0).first;
      it->second += w[i];
    }
  }
}

void FreqPredictor::Logits(const data::Example& ex, std::vector<double>* logits) const {
  const size_t n = ex.candidates.size();
  std::vector<std::string_view> types(n);
  for (size_t i = 0; i < n; ++i) types[i] = ParseToken(ex.candidates[i]).type;
  logits->assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    int same = 0;
    for (size_t j = 0; j < n; ++j) same += types[j] == types[i];
    auto it = counts_.find(types[i]);
    const double c = (it == counts_.end() ? 0.0 : it->second) + 1.0;
    (*logits)[i] = std::log(c) - std::log(static_cast<double>(same));
  }
}

nlohmann::json FreqPredictor::Params() const { return {{"type_counts", counts_}}; }

absl::StatusOr<std::unique_ptr<FreqPredictor>> FreqPredictor::FromParams(const nlohmann::json& j) {
  constexpr double kMaxCount = 9007199254740992.0;  // 2^53: counts stay exact, sums finite
  auto m = std::make_unique<FreqPredictor>();
  double total = 0;
  if (!j.contains("type_counts") || !j["type_counts"].is_object())
    return BadInputError("freq: missing object field 'type_counts'");
  for (const auto& [k, v] : j["type_counts"].items()) {
    if (!v.is_number()) return BadInputError(Cat("freq: type_counts['", k, "'] is not a number"));
    const double c = v.get<double>();
    if (!std::isfinite(c) || c < 0 || c > kMaxCount)
      return BadInputError(Cat("freq: type_counts['", k, "'] = ", c, " is not a count in 0..2^53"));
    total += c;
    m->counts_[k] = c;
  }
  if (total > kMaxCount) return BadInputError(Cat("freq: type_counts sum to ", total, ", over 2^53"));
  return m;
}

ModelKind FreqKind() {
  ModelKind k;
  k.name = "freq";
  k.summary = "frequency of each token type in training (KL: target-weighted; CE: labels)";
  k.train = [](const TrainInput& in, const nlohmann::json&) -> absl::StatusOr<std::unique_ptr<ScoredPredictor>> {
    auto f = std::make_unique<FreqPredictor>();
    f->Fit(in.train, in.objective);
    return f;
  };
  k.load = [](const nlohmann::json& p) { return AsScored(FreqPredictor::FromParams(p)); };
  return k;
}

}  // namespace schedcast::model
