// model/objective.h — training objectives over a candidate distribution (fastText's Loss habit).
//
//   KlObjective  KL(target ‖ p) against the example's empirical target distribution; d/dlogits = p − target
//   CeObjective  −log p[label] against the single sampled label;                    d/dlogits = p − onehot
// Compute takes the model's probabilities p (softmax of the logits) and returns the loss; when grad is
// non-empty it receives the gradient w.r.t. the logits (same length as p). Losses are in nats.
// Thread-safe (stateless).
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "common/status.h"
#include "data/example.h"

namespace schedcast::model {

class Objective {
 public:
  virtual ~Objective() = default;
  virtual std::string_view name() const = 0;
  virtual double Compute(std::span<const double> p, const data::Example& ex, std::span<double> grad) const = 0;
  // The per-candidate weights this objective fits count-based models to (target, or one-hot label).
  virtual void Weights(const data::Example& ex, std::span<double> w) const = 0;
};

class KlObjective final : public Objective {
 public:
  std::string_view name() const override { return "kl"; }
  double Compute(std::span<const double> p, const data::Example& ex, std::span<double> grad) const override;
  void Weights(const data::Example& ex, std::span<double> w) const override;
};

class CeObjective final : public Objective {
 public:
  std::string_view name() const override { return "ce"; }
  double Compute(std::span<const double> p, const data::Example& ex, std::span<double> grad) const override;
  void Weights(const data::Example& ex, std::span<double> w) const override;
};

absl::StatusOr<std::unique_ptr<Objective>> MakeObjective(std::string_view name);  // "kl" | "ce"

}  // namespace schedcast::model
