#include "data/stats.h"

#include <cmath>

namespace schedcast::data {

SplitStats ComputeStats(const std::vector<Example>& ex) {
  SplitStats s;
  for (const auto& e : ex) {
    const auto p = e.target();
    size_t best = 0, support = 0;
    double h = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] > p[best]) best = i;
      if (p[i] > 0) h -= p[i] * std::log(p[i]), ++support;
    }
    s.oracle_accuracy += static_cast<int>(best) == e.label_index();
    s.uniform_accuracy += 1.0 / static_cast<double>(e.candidates.size());
    s.candidates += e.candidates.size();
    s.mean_entropy += h;
    s.uncertain += support > 1;
    ++s.configs[e.config];
  }
  s.examples = ex.size();
  if (!ex.empty()) {
    const double n = static_cast<double>(ex.size());
    s.oracle_accuracy /= n, s.uniform_accuracy /= n, s.mean_entropy /= n;
    s.mean_candidates = static_cast<double>(s.candidates) / n;
    s.uncertain_fraction = static_cast<double>(s.uncertain) / n;
  }
  return s;
}

}  // namespace schedcast::data
