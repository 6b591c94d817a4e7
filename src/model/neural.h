// model/neural.h — the `neural` predictor: a small sequence encoder over the context with candidate scoring.
//
// Model (neural_net.cc; neural_net/predictor/train.cc are the only files that include libtorch):
//   context   the last `context` tokens of Example::context, each written relative to the acting goroutine
//             (context.h, as ngram does) and hashed into 2^vocab_bits ids (0 = padding, left-padded)
//   encoder   token embedding (embed) → one-layer GRU (hidden); the last hidden state h summarises the context
//   candidate c = its relative token's embedding + the sum of embeddings of its structured features
//             (StructuredPredictor::Featurize, hashed into 2^feature_bits), the program facts of the
//             groups `facts` names among them (data/program_facts.h; neural_encoder.h) ;
//             logit(c) = v·tanh(W h + U c + b) + Σ linear weights of c's structured features
//   output    softmax over the legal candidates only (the logits exist only for them)
// Inference: Predict runs the network as trained; PredictBatch runs a folded copy of it (neural_net.h,
// Folded: per-token input-gate table, wc folded into the candidate/feature tables), equal within 1e-6.
// Training (TrainNeural, neural_train.cc): Adam on minibatches of `batch` examples, loss = the objective's (kl: KL(target ‖ p),
// ce: −log p[label]), each epoch a seeded random sample of at most `epoch_examples` training examples,
// early stopping on the validation loss with `patience` (the best epoch's weights are kept). Deterministic
// on CPU for a seed and a thread count (torch::manual_seed, set_num_threads(threads), deterministic
// algorithms); another thread count may change the last bits. Trains on CUDA when `device` is cuda, or
// auto and torch::cuda::is_available() (untested: no GPU was available); prediction always runs on the CPU.
// Parameters in the model file: {"version": kNeuralParamsVersion, "config": {...}, "tensors": {name:
// {"shape": [...], "f32": base64 of little-endian float32}}}.
// Without libtorch (CMake SCHEDCAST_TORCH=OFF, or AUTO and none found) neural_stub.cc is built instead:
// TrainNeural and NeuralFromParams return FailedPrecondition.
// Thread-safety: Predict of a built model is thread-safe (inference under NoGradGuard, no shared mutable
// state); TrainNeural sets libtorch's global thread count and seed, so call it from one thread.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/example.h"
#include "model/objective.h"
#include "model/predictor.h"
#include "model/registry.h"

namespace schedcast::model {

// 2: the config records `facts` and `fact_slots` (program facts among the candidate features);
// files of version 1 still load (neural_encoder.h says how they are read).
inline constexpr int kNeuralParamsVersion = 2;

// True when this schedcast was built with libtorch.
bool NeuralAvailable();

// The neural kind's options (registry.h; defaults here, flags of `schedcast train`).
struct NeuralOptions : LoopOptions {  // seed, epochs, patience, lr, l2 (Adam weight decay)
  std::string device = "auto";  // auto | cpu | cuda
  int embed = 32;               // token / candidate embedding size
  int hidden = 64;              // GRU state size
  int context = 24;             // context tokens read (the newest)
  int batch = 32;               // examples per Adam step
  int threads = 1;              // libtorch intra-op threads (1: OpenMP spin-waits make 2 much slower on a busy machine)
  int epoch_examples = 20000;   // at most this many (sampled) training examples per epoch
  int vocab_bits = 12;          // hashed relative-token vocabulary: 2^vocab_bits ids
  int feature_bits = 14;        // hashed structured features: 2^feature_bits rows
  std::string facts = "all";    // program-fact groups among the features: all, none or a comma list
  int fact_slots = 16;          // at most this many facts per candidate (fewer if the data never has more)
};

// Fits a neural model. Metadata and temperature are left to model::Train (neural_kind.cc registers
// the kind).
absl::StatusOr<std::unique_ptr<ScoredPredictor>> TrainNeural(const std::vector<data::Example>& train,
                                                             const std::vector<data::Example>& validation,
                                                             const Objective& obj, const NeuralOptions& opt,
                                                             std::ostream* progress);

// The inverse of the model's Params() (io.cc).
absl::StatusOr<std::unique_ptr<ScoredPredictor>> NeuralFromParams(const nlohmann::json& params);

}  // namespace schedcast::model
