#include "model/predictor.h"

#include <algorithm>
#include <cmath>

namespace schedcast::model {

void Softmax(std::span<double> v, double temperature) {
  if (v.empty()) return;
  double mx = -INFINITY;
  for (double x : v) mx = std::max(mx, x / temperature);
  double sum = 0;
  for (double& x : v) sum += (x = std::exp(x / temperature - mx));
  for (double& x : v) x /= sum;
}

std::vector<double> ScoredPredictor::Predict(const data::Example& ex) const {
  std::vector<double> p;
  Logits(ex, &p);
  Softmax(p, temperature_);
  return p;
}

}  // namespace schedcast::model
