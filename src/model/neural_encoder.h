// model/neural_encoder.h — the torch-free half of the neural model (neural.h): the configuration the
// model file records, and the encoding of examples into flat index vectors (context token ids,
// candidate token ids, structured-feature ids, objective weights) that neural_net.cc turns into tensors.
// Token ids: relative tokens (context.h) hashed into 1..2^vocab_bits-1 (0 = padding); features:
// StructuredPredictor::Featurize hashed into 2^feature_bits rows, padded to `features` per candidate
// with the id 2^feature_bits. Program facts (data/program_facts.h; parameter version 2): the facts of
// the groups `facts` names are hashed as the structured model hashes them (each alone and × the
// candidate's goroutine state) into the same table, after the base features, in `fact_slots` slots
// per candidate (2 ids per fact; facts beyond the slots are dropped, empty slots padded). Version 1
// files read facts "next,partner,loop,create" truncated to `features` (what version 1 did).
// Thread-safety: NeuralEncoder is const after construction; Add uses
// thread-local scratch buffers, so concurrent Adds into different batches are safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/example.h"
#include "model/objective.h"
#include "model/structured.h"
#include "nlohmann/json.hpp"

namespace schedcast::model {

// What the model file records to rebuild the network.
struct NeuralConfig {
  int embed = 32, hidden = 64, context = 24, vocab_bits = 12, feature_bits = 14, features = 0;  // features per candidate
  std::string facts = "none";  // fact groups read (StructuredPredictor::CheckFacts)
  int fact_slots = 0;          // facts per candidate kept (2 feature ids each, inside `features`)

  nlohmann::json ToJson() const;
  // `version`: the parameter version of the file (1: no facts fields; 2: with them).
  static absl::StatusOr<NeuralConfig> FromJson(const nlohmann::json& j, int version);
};

// Examples encoded as flat index vectors (the network turns them into tensors).
struct NeuralBatch {
  std::vector<int64_t> ctx, cand_ex, cand_tok, feats;
  std::vector<float> w;                 // objective weights per candidate (kl: target, ce: one-hot label)
  std::vector<double> loss_const;       // per example: Σ t log t (kl) or 0 (ce), so loss = const − Σ w logp
  std::vector<uint32_t> ex_off;         // per example, first candidate; one extra at the end
  size_t n = 0;
};

class NeuralEncoder {
 public:
  explicit NeuralEncoder(const NeuralConfig& c) : c_(c), fz_(c.feature_bits, c.facts, kFeatureSet) {}
  // The structured feature set the encoder reads: v1, whose layout per candidate (a fixed number
  // of base features, then two per fact) `features` and `fact_slots` assume. Later sets add
  // features of variable count per fact, and model files record only the counts.
  static constexpr int kFeatureSet = 1;

  // The number of base features StructuredPredictor::Featurize gives one candidate without facts
  // (constant for feature set v1, kFeatureSet).
  static int BaseFeaturesPerCandidate(const data::Example& ex);
  // The most facts of the groups `facts` any candidate of `xs` carries, at most `cap`.
  static int MaxFacts(const std::vector<data::Example>& xs, const std::string& facts, int cap);

  // Appends `ex` (with objective weights when obj is non-null) to *b.
  void Add(const data::Example& ex, const Objective* obj, NeuralBatch* b) const;
  void Finish(NeuralBatch* b) const { b->ex_off.push_back(static_cast<uint32_t>(b->cand_tok.size())); }

 private:
  int64_t TokenId(const std::string& rel) const;

  NeuralConfig c_;
  StructuredPredictor fz_;  // only its featurizer is used (its weights stay zero)
};

}  // namespace schedcast::model
