#include "model/metrics.h"

#include <algorithm>
#include <cmath>

namespace schedcast::model {

nlohmann::json Metrics::ToJson() const {
  return {{"n", n}, {"loss", loss}, {"nll", nll}, {"kl", kl}, {"accuracy", accuracy}, {"ece", ece}, {"ceiling", ceiling}};
}

Metrics Evaluate(const Predictor& m, const std::vector<data::Example>& examples, const Objective& obj) {
  Metrics r;
  KlObjective kl;
  CeObjective ce;
  constexpr int kBins = 10;
  double bin_conf[kBins] = {}, bin_acc[kBins] = {}, bin_n[kBins] = {};
  constexpr size_t kBatch = 256;  // examples predicted at once (Predictor::PredictBatch)
  std::vector<const data::Example*> batch;
  std::vector<std::vector<double>> ps;
  for (size_t i0 = 0; i0 < examples.size(); i0 += kBatch) {
    batch.clear();
    for (size_t i = i0; i < std::min(examples.size(), i0 + kBatch); ++i)
      if (!examples[i].candidates.empty()) batch.push_back(&examples[i]);
    m.PredictBatch(batch, &ps);
    for (size_t k = 0; k < batch.size(); ++k) {
      const data::Example& ex = *batch[k];
      const std::vector<double>& p = ps[k];
      r.loss += obj.Compute(p, ex, {});
      r.kl += kl.Compute(p, ex, {});
      r.nll += ce.Compute(p, ex, {});
      const int top = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
      const bool hit = top == ex.label_index();
      r.accuracy += hit;
      const int best = static_cast<int>(std::max_element(ex.target_counts.begin(), ex.target_counts.end()) -
                                        ex.target_counts.begin());
      r.ceiling += best == ex.label_index();
      const int b = std::min(kBins - 1, static_cast<int>(p[top] * kBins));
      bin_conf[b] += p[top];
      bin_acc[b] += hit;
      bin_n[b] += 1;
      ++r.n;
    }
  }
  if (r.n == 0) return r;
  const double n = static_cast<double>(r.n);
  r.loss /= n, r.kl /= n, r.nll /= n, r.accuracy /= n, r.ceiling /= n;
  for (int b = 0; b < kBins; ++b) r.ece += std::abs(bin_conf[b] - bin_acc[b]) / n;
  return r;
}

}  // namespace schedcast::model
