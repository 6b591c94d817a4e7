// model/topmap.h — top-label recalibration: a monotone map of a model's top-1 confidence.
//
// A temperature rescales every confidence the same way; a model whose reliability diagram is not
// monotone (under-confident in its middle bins, over-confident at the top) needs a map of its own.
// TopMap is a piecewise-linear, non-decreasing function of the top-1 confidence c = max_i p_i:
//   Fit   weighted isotonic regression (pool-adjacent-violators) of "the argmax is the label" on c,
//         over examples pre-binned into at most 64 equal-weight bins; each example's weight is given
//         by the caller (1/n_program: every program weighs 1, as macro ECE does — docs/METRICS.md).
//         Knots: each pooled block's lowest and highest confidence → its accuracy (flat across
//         the block, as the isotonic fit is on the examples it pooled); linear between blocks,
//         flat beyond the ends. Fewer than 2 distinct blocks → the identity (empty map).
//   Apply the top candidate's probability becomes c' = Map(c), clamped so that it stays the
//         argmax (strictly, where it was strictly ahead) and never exceeds max(c, 1 − 1e-4) (a miss keeps a finite log-likelihood); the
//         other candidates are scaled by (1 − c')/(1 − c) (uniformly given 1 − c' when c = 1), so p
//         still sums to 1 and keeps its order. Ties for the top: the first is the top.
// An empty map is the identity. JSON: [[c, accuracy], ...] in increasing c, both in [0, 1].
// Thread-safety: immutable after Fit/FromJson; Apply is const.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "common/status.h"
#include "nlohmann/json.hpp"

namespace schedcast::model {

class TopMap {
 public:
  // conf[i] in [0, 1]; hit[i] 1 if example i's argmax was its label, else 0; weight[i] > 0.
  static TopMap Fit(std::span<const double> conf, std::span<const double> hit, std::span<const double> weight);

  // What Fit needs, gathered one prediction at a time: p over the candidates, the label's index.
  struct Points {
    std::vector<double> conf, hit, weight;
    void Add(std::span<const double> p, int label, double weight);
    TopMap Fit() const { return TopMap::Fit(conf, hit, weight); }
  };
  static absl::StatusOr<TopMap> FromJson(const nlohmann::json& j);

  bool empty() const { return knots_.empty(); }
  double Map(double c) const;
  void Apply(std::span<double> p) const;
  nlohmann::json ToJson() const;
  const std::vector<std::pair<double, double>>& knots() const { return knots_; }

 private:
  std::vector<std::pair<double, double>> knots_;  // (confidence, accuracy), increasing in both
};

}  // namespace schedcast::model
