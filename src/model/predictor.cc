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
  top_map_.Apply(p);
  return p;
}

void Predictor::PredictBatch(std::span<const data::Example* const> xs, std::vector<std::vector<double>>* out) const {
  out->resize(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) (*out)[i] = Predict(*xs[i]);
}

void ScoredPredictor::LogitsBatch(std::span<const data::Example* const> xs,
                                  std::vector<std::vector<double>>* logits) const {
  logits->resize(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) Logits(*xs[i], &(*logits)[i]);
}

void ScoredPredictor::PredictBatch(std::span<const data::Example* const> xs,
                                   std::vector<std::vector<double>>* out) const {
  LogitsBatch(xs, out);
  for (std::vector<double>& p : *out) {
    Softmax(p, temperature_);
    top_map_.Apply(p);
  }
}

}  // namespace schedcast::model
