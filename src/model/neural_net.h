// model/neural_net.h — the libtorch network of the `neural` predictor (model and contract: neural.h).
// Plugin-internal: included only by the files of libschedcast_neural.so (neural_net.cc,
// neural_predictor.cc, neural_train.cc), the only ones that see libtorch.
//   NetImpl/Net  the network as trained (embedding → GRU → candidate scoring), forward() on a batch
//   Folded       the same function folded for fast batched inference (equal within float rounding)
//   Run          forward() plus the per-example softmax over each example's own candidates
// Thread-safety: a built Net or Folded is read-only in inference (call under torch::NoGradGuard).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "model/neural_encoder.h"

namespace schedcast::model::neural {

// The network as trained: token embedding → GRU over the context; per candidate, its token and feature
// embeddings with the context state → one logit, plus a linear term over its features (neural.h).
struct NetImpl : torch::nn::Module {
  explicit NetImpl(const NeuralConfig& c);

  // ctx [B, N] (token ids, 0 = padding), cand_ex [C] (example of each candidate), cand_tok [C],
  // feats [C, K] (pad_feature = padding) → one logit per candidate [C].
  torch::Tensor forward(const torch::Tensor& ctx, const torch::Tensor& cand_ex, const torch::Tensor& cand_tok,
                        const torch::Tensor& feats);

  torch::nn::Embedding tok, cand, feat, featw;
  torch::nn::GRU gru;
  torch::nn::Linear wh, wc, out;
  int64_t pad_feature;
};
TORCH_MODULE(Net);

// The trained network folded for inference (the same function as NetImpl::forward up to float
// rounding; BatchedPredictionsEqualOneAtATime in tests/model/neural_test.cc holds them within 1e-6):
//   - the GRU's input projection of every token id, xg = tok·W_ihᵀ + b_ih, is a [V, 3H] table, so the
//     context needs a row lookup per step instead of an embedding and a matrix product;
//   - wc is linear and has no bias, so wc(cand(t) + Σ feat(f)) = candp[t] + Σ featp[f] with
//     candp = cand·wcᵀ [V, H] and featp = feat·wcᵀ [F+1, H]; featw rides in featp's last column
//     (its padding row zeroed, which replaces the mask), so one embedding_bag sums both over a
//     candidate's features without materialising the [C, K, E] embeddings;
//   - the GRU steps run as one addmm (h·W_hhᵀ + b_hh) and in-place gate arithmetic on the batch.
// Built once after loading or training; read-only afterwards.
struct Folded {
  torch::Tensor xg, whhT, bhh, whT, bh, candp, featp, v;
  double bout = 0;
  int64_t hidden = 0;

  explicit Folded(NetImpl& n);

  // ctx [B, T], cand_ex [C], cand_tok [C], feats [C, K] → one logit per candidate [C] (float).
  torch::Tensor Logits(const torch::Tensor& ctx, const torch::Tensor& cand_ex, const torch::Tensor& cand_tok,
                       const torch::Tensor& feats) const;
};

// A copy of `v` as a 1-D int64 tensor on `dev`.
torch::Tensor Long(std::vector<int64_t>& v, const torch::Device& dev);

struct Forward {
  torch::Tensor logits, logp;  // [C] each
};

// The network as trained over an encoded batch: every candidate's logit and its log-probability under
// the softmax over its own example's candidates.
Forward Run(Net& net, NeuralBatch& b, int context, int features, const torch::Device& dev);

}  // namespace schedcast::model::neural
