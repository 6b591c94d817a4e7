// model/neural_predictor.h — the `neural` predictor over the network of neural_net.h: prediction one
// example at a time (the network as trained) or in batches (its folded copy), and the parameters of the
// model file (neural.h gives their format). Plugin-internal, like neural_net.h.
// Thread-safety: Logits/LogitsBatch of a folded predictor are thread-safe (read-only under NoGradGuard);
// SetTensors and Fold are not.
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "model/neural.h"
#include "model/neural_encoder.h"
#include "model/neural_net.h"

namespace schedcast::model::neural {

class NeuralPredictor final : public ScoredPredictor {
 public:
  explicit NeuralPredictor(const NeuralConfig& c) : c_(c), net_(c), enc_(c) {}
  std::string_view kind() const override { return "neural"; }

  // The network as trained (NetImpl::forward), one example.
  void Logits(const data::Example& ex, std::vector<double>* logits) const override;

  // One pass of the folded network (Folded) over every example with candidates; the others get no
  // logits, as Logits gives them. Logits above runs the network as trained (NetImpl::forward) and is
  // the reference this is tested against.
  void LogitsBatch(std::span<const data::Example* const> xs, std::vector<std::vector<double>>* logits) const override;

  nlohmann::json Params() const override;

  // Sets the weights from a model file's "tensors" (each present, of its shape, finite).
  absl::Status SetTensors(const nlohmann::json& tensors);

  // Builds the folded network from the current weights; call after loading or training, before predicting.
  void Fold() { folded_ = std::make_unique<Folded>(*net_); }

  Net& net() { return net_; }
  const NeuralConfig& config() const { return c_; }
  const NeuralEncoder& encoder() const { return enc_; }

 private:
  NeuralConfig c_;
  mutable Net net_;  // forward() is not const in libtorch; inference does not modify it
  NeuralEncoder enc_;
  std::unique_ptr<const Folded> folded_;
};

// The inverse of NeuralPredictor::Params (validates the version, config and every tensor's shape and values).
absl::StatusOr<std::unique_ptr<ScoredPredictor>> FromParams(const nlohmann::json& p);

}  // namespace schedcast::model::neural
