// model/neural_stub.cc — the neural model in a build without libtorch: every entry point says so.
#include "model/neural.h"

namespace schedcast::model {

namespace {
absl::Status NoTorch() {
  return absl::FailedPreconditionError(
      "schedcast was built without libtorch; the neural model needs it (install libtorch-dev and rebuild with "
      "-DSCHEDCAST_TORCH=AUTO or ON)");
}
}  // namespace

bool NeuralAvailable() { return false; }

absl::StatusOr<std::unique_ptr<ScoredPredictor>> TrainNeural(const std::vector<data::Example>&,
                                                             const std::vector<data::Example>&, const Objective&,
                                                             const NeuralOptions&, std::ostream*) {
  return NoTorch();
}

absl::StatusOr<std::unique_ptr<ScoredPredictor>> NeuralFromParams(const nlohmann::json&) { return NoTorch(); }

}  // namespace schedcast::model
