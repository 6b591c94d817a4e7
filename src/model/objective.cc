#include "model/objective.h"

#include <algorithm>
#include <cmath>

namespace schedcast::model {

namespace {
constexpr double kFloor = 1e-12;  // probabilities are floored in logs so losses stay finite
}

void KlObjective::Weights(const data::Example& ex, std::span<double> w) const {
  const double total = static_cast<double>(ex.target_total());
  for (size_t i = 0; i < w.size(); ++i) w[i] = total > 0 ? ex.target_counts[i] / total : 0.0;
}

double KlObjective::Compute(std::span<const double> p, const data::Example& ex, std::span<double> grad) const {
  const double total = static_cast<double>(ex.target_total());
  double loss = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double t = total > 0 ? ex.target_counts[i] / total : 0.0;
    if (t > 0) loss += t * (std::log(t) - std::log(std::max(p[i], kFloor)));
    if (!grad.empty()) grad[i] = p[i] - t;
  }
  return loss;
}

void CeObjective::Weights(const data::Example& ex, std::span<double> w) const {
  const int y = ex.label_index();
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int>(i) == y ? 1.0 : 0.0;
}

double CeObjective::Compute(std::span<const double> p, const data::Example& ex, std::span<double> grad) const {
  const int y = ex.label_index();
  if (!grad.empty())
    for (size_t i = 0; i < p.size(); ++i) grad[i] = p[i] - (static_cast<int>(i) == y ? 1.0 : 0.0);
  return y < 0 ? 0.0 : -std::log(std::max(p[y], kFloor));
}

absl::StatusOr<std::unique_ptr<Objective>> MakeObjective(std::string_view name) {
  if (name == "kl") return std::make_unique<KlObjective>();
  if (name == "ce") return std::make_unique<CeObjective>();
  return absl::InvalidArgumentError(Cat("unknown objective '", name, "' (want kl or ce)"));
}

}  // namespace schedcast::model
