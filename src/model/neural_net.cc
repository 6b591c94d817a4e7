// model/neural_net.cc — the network of the neural predictor and its folded inference copy (neural_net.h).
#include "model/neural_net.h"

#include <algorithm>
#include <cmath>

namespace schedcast::model::neural {

NetImpl::NetImpl(const NeuralConfig& c)
    : tok(register_module("tok", torch::nn::Embedding(torch::nn::EmbeddingOptions(int64_t{1} << c.vocab_bits,
                                                                                   c.embed).padding_idx(0)))),
      cand(register_module("cand", torch::nn::Embedding(int64_t{1} << c.vocab_bits, c.embed))),
      feat(register_module("feat", torch::nn::Embedding(torch::nn::EmbeddingOptions((int64_t{1} << c.feature_bits) + 1,
                                                                                     c.embed)
                                                             .padding_idx(int64_t{1} << c.feature_bits)))),
      featw(register_module("featw", torch::nn::Embedding((int64_t{1} << c.feature_bits) + 1, 1))),
      gru(register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(c.embed, c.hidden).batch_first(true)))),
      wh(register_module("wh", torch::nn::Linear(c.hidden, c.hidden))),
      wc(register_module("wc", torch::nn::Linear(torch::nn::LinearOptions(c.embed, c.hidden).bias(false)))),
      out(register_module("out", torch::nn::Linear(c.hidden, 1))),
      pad_feature(int64_t{1} << c.feature_bits) {
  torch::NoGradGuard ng;
  cand->weight.normal_(0, 0.1);
  feat->weight.normal_(0, 0.05);
  featw->weight.zero_();  // starts as the zero log-linear model: uniform over the candidates
  feat->weight[pad_feature].zero_();
}

torch::Tensor NetImpl::forward(const torch::Tensor& ctx, const torch::Tensor& cand_ex, const torch::Tensor& cand_tok,
                               const torch::Tensor& feats) {
  const torch::Tensor h = std::get<1>(gru->forward(tok->forward(ctx))).squeeze(0);  // [B, H]
  const torch::Tensor hc = wh->forward(h).index_select(0, cand_ex);                 // [C, H]
  const torch::Tensor c = cand->forward(cand_tok) + feat->forward(feats).sum(1);    // [C, E]
  // featw's padding row is excluded by masking rather than padding_idx (it is a learnt scalar table).
  const torch::Tensor lin = (featw->forward(feats).squeeze(-1) * (feats != pad_feature)).sum(1);
  return out->forward(torch::tanh(hc + wc->forward(c))).squeeze(-1) + lin;
}

Folded::Folded(NetImpl& n) {
  torch::NoGradGuard ng;
  const auto& g = n.gru->named_parameters();
  hidden = n.wh->weight.size(0);
  xg = torch::addmm(g["bias_ih_l0"], n.tok->weight, g["weight_ih_l0"].t()).contiguous();
  whhT = g["weight_hh_l0"].t().contiguous();
  bhh = g["bias_hh_l0"].detach().clone();
  whT = n.wh->weight.t().contiguous();
  bh = n.wh->bias.detach().clone();
  candp = torch::mm(n.cand->weight, n.wc->weight.t()).contiguous();
  torch::Tensor fw = n.featw->weight.detach().clone();
  fw[n.pad_feature].zero_();
  featp = torch::cat({torch::mm(n.feat->weight, n.wc->weight.t()), fw}, 1).contiguous();  // [F+1, H+1]
  v = n.out->weight.detach().reshape({-1, 1}).contiguous();                               // [H, 1]
  bout = n.out->bias.item<double>();
}

torch::Tensor Folded::Logits(const torch::Tensor& ctx, const torch::Tensor& cand_ex, const torch::Tensor& cand_tok,
                             const torch::Tensor& feats) const {
  const int64_t nb = ctx.size(0), nt = ctx.size(1), H = hidden;
  const torch::Tensor steps = ctx.t().contiguous();  // [T, B]: step t's token of every example
  torch::Tensor h = torch::zeros({nb, H}, xg.options());
  torch::Tensor gh = torch::empty({nb, 3 * H}, xg.options()), x = torch::empty({nb, 3 * H}, xg.options());
  for (int64_t t = 0; t < nt; ++t) {
    torch::index_select_out(x, xg, 0, steps[t]);  // input gates of step t
    torch::addmm_out(gh, bhh, h, whhT);           // hidden gates
    const torch::Tensor rz = gh.narrow(1, 0, 2 * H).add_(x.narrow(1, 0, 2 * H)).sigmoid_();
    const torch::Tensor nn = gh.narrow(1, 2 * H, H).mul_(rz.narrow(1, 0, H)).add_(x.narrow(1, 2 * H, H)).tanh_();
    h.sub_(nn).mul_(rz.narrow(1, H, H)).add_(nn);  // (1 − z)·n + z·h, in libtorch's GRU cell order
  }
  const torch::Tensor hc = torch::addmm(bh, h, whT).index_select(0, cand_ex);  // [C, H]
  const int64_t nc = feats.size(0), nk = feats.size(1);
  const torch::Tensor f = std::get<0>(torch::embedding_bag(featp, feats.reshape({-1}),
                                                           torch::arange(0, nc * nk, nk, torch::kLong),
                                                           /*scale_grad_by_freq=*/false, /*mode=sum*/ 0));  // [C, H+1]
  const torch::Tensor pre = hc.add_(candp.index_select(0, cand_tok)).add_(f.narrow(1, 0, H)).tanh_();
  return torch::mm(pre, v).squeeze(1).add_(bout).add_(f.select(1, H));
}

torch::Tensor Long(std::vector<int64_t>& v, const torch::Device& dev) {
  return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kLong).to(dev, /*non_blocking=*/false,
                                                                                        /*copy=*/true);
}

Forward Run(Net& net, NeuralBatch& b, int context, int features, const torch::Device& dev) {
  const int64_t nb = static_cast<int64_t>(b.n);
  const torch::Tensor ctx = Long(b.ctx, dev).view({nb, context});
  const torch::Tensor cand_ex = Long(b.cand_ex, dev);
  const torch::Tensor logits =
      net->forward(ctx, cand_ex, Long(b.cand_tok, dev), Long(b.feats, dev).view({-1, features}));
  // Softmax per example over its own candidates: scatter into a [B, maxC] matrix padded with −inf.
  int64_t maxc = 1;
  std::vector<int64_t> pos(b.cand_ex.size());
  for (size_t e = 0; e < b.n; ++e) {
    maxc = std::max<int64_t>(maxc, b.ex_off[e + 1] - b.ex_off[e]);
    for (uint32_t c = b.ex_off[e]; c < b.ex_off[e + 1]; ++c) pos[c] = static_cast<int64_t>(c - b.ex_off[e]);
  }
  for (size_t c = 0; c < pos.size(); ++c) pos[c] += b.cand_ex[c] * maxc;
  const torch::Tensor p = Long(pos, dev);
  const torch::Tensor padded = torch::full({nb * maxc}, -INFINITY, logits.options()).index_put({p}, logits);
  const torch::Tensor logp = torch::log_softmax(padded.view({nb, maxc}), 1).view({-1}).index_select(0, p);
  return {logits, logp};
}

}  // namespace schedcast::model::neural
