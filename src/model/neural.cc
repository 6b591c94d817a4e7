// model/neural.cc — the libtorch neural predictor: network, predictor and training loop (see neural.h
// for the model and its contract; the torch-free encoding and configuration are neural_encoder.h).
// Built as the plugin libschedcast_neural.so (with neural_encoder.cc and libtorch); schedcast loads it
// on first use through model/neural_plugin.cc and calls the two extern "C" entry points at the end
// (neural_plugin_abi.h). The entry points here have other names than neural.h's, which the
// executable defines: the plugin resolves the rest of schedcast against the executable.
#include "model/neural.h"

#include <torch/torch.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <span>

#include "common/base64.h"
#include "model/neural_encoder.h"
#include "model/neural_plugin_abi.h"

namespace schedcast::model {

namespace {

// ---- the network ----
struct NetImpl : torch::nn::Module {
  explicit NetImpl(const NeuralConfig& c)
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

  // ctx [B, N] (token ids, 0 = padding), cand_ex [C] (example of each candidate), cand_tok [C],
  // feats [C, K] (pad_feature = padding) → one logit per candidate [C].
  torch::Tensor forward(const torch::Tensor& ctx, const torch::Tensor& cand_ex, const torch::Tensor& cand_tok,
                        const torch::Tensor& feats) {
    const torch::Tensor h = std::get<1>(gru->forward(tok->forward(ctx))).squeeze(0);  // [B, H]
    const torch::Tensor hc = wh->forward(h).index_select(0, cand_ex);                 // [C, H]
    const torch::Tensor c = cand->forward(cand_tok) + feat->forward(feats).sum(1);    // [C, E]
    // featw's padding row is excluded by masking rather than padding_idx (it is a learnt scalar table).
    const torch::Tensor lin = (featw->forward(feats).squeeze(-1) * (feats != pad_feature)).sum(1);
    return out->forward(torch::tanh(hc + wc->forward(c))).squeeze(-1) + lin;
  }

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

  explicit Folded(NetImpl& n) {
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

  // ctx [B, T], cand_ex [C], cand_tok [C], feats [C, K] → one logit per candidate [C] (float).
  torch::Tensor Logits(const torch::Tensor& ctx, const torch::Tensor& cand_ex, const torch::Tensor& cand_tok,
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
};

torch::Tensor Long(std::vector<int64_t>& v, const torch::Device& dev) {
  return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kLong).to(dev, /*non_blocking=*/false,
                                                                                        /*copy=*/true);
}

struct Forward {
  torch::Tensor logits, logp;  // [C] each
};

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

// ---- the predictor ----
class NeuralPredictor final : public ScoredPredictor {
 public:
  explicit NeuralPredictor(const NeuralConfig& c) : c_(c), net_(c), enc_(c) {}
  std::string_view kind() const override { return "neural"; }

  void Logits(const data::Example& ex, std::vector<double>* logits) const override {
    logits->clear();
    if (ex.candidates.empty()) return;
    torch::NoGradGuard ng;
    NeuralBatch b;
    enc_.Add(ex, nullptr, &b);
    enc_.Finish(&b);
    const int64_t nc = static_cast<int64_t>(ex.candidates.size());
    const torch::Tensor out = net_->forward(
        torch::from_blob(b.ctx.data(), {1, c_.context}, torch::kLong),
        torch::from_blob(b.cand_ex.data(), {nc}, torch::kLong), torch::from_blob(b.cand_tok.data(), {nc}, torch::kLong),
        torch::from_blob(b.feats.data(), {nc, c_.features}, torch::kLong));
    const torch::Tensor o = out.to(torch::kDouble).contiguous();
    logits->assign(o.data_ptr<double>(), o.data_ptr<double>() + nc);
  }

  // One pass of the folded network (Folded) over every example with candidates; the others get no
  // logits, as Logits gives them. Logits above runs the network as trained (NetImpl::forward) and is
  // the reference this is tested against.
  void LogitsBatch(std::span<const data::Example* const> xs, std::vector<std::vector<double>>* logits) const override {
    logits->resize(xs.size());
    torch::NoGradGuard ng;
    NeuralBatch b;
    for (size_t i = 0; i < xs.size(); ++i) {
      (*logits)[i].clear();
      if (!xs[i]->candidates.empty()) enc_.Add(*xs[i], nullptr, &b);
    }
    enc_.Finish(&b);
    if (b.n == 0) return;
    const int64_t nb = static_cast<int64_t>(b.n), nc = static_cast<int64_t>(b.cand_tok.size());
    const torch::Tensor out = folded_->Logits(
        torch::from_blob(b.ctx.data(), {nb, c_.context}, torch::kLong),
        torch::from_blob(b.cand_ex.data(), {nc}, torch::kLong), torch::from_blob(b.cand_tok.data(), {nc}, torch::kLong),
        torch::from_blob(b.feats.data(), {nc, c_.features}, torch::kLong));
    const torch::Tensor o = out.to(torch::kDouble).contiguous();
    const double* l = o.data_ptr<double>();
    size_t k = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      if (xs[i]->candidates.empty()) continue;
      (*logits)[i].assign(l + b.ex_off[k], l + b.ex_off[k + 1]);
      ++k;
    }
  }

  nlohmann::json Params() const override {
    nlohmann::json tensors = nlohmann::json::object();
    for (const auto& item : net_->named_parameters()) {
      const torch::Tensor t = item.value().detach().to(torch::kCPU, torch::kFloat).contiguous();
      static_assert(std::endian::native == std::endian::little, "weights are stored little-endian");
      tensors[item.key()] = {{"shape", t.sizes().vec()},
                             {"f32", Base64Encode(std::string_view(static_cast<const char*>(t.data_ptr()), t.numel() * 4))}};
    }
    return {{"version", kNeuralParamsVersion}, {"config", c_.ToJson()}, {"tensors", std::move(tensors)}};
  }

  absl::Status SetTensors(const nlohmann::json& tensors) {
    if (!tensors.is_object()) return BadInputError("neural: 'tensors' is not an object");
    torch::NoGradGuard ng;
    std::string bytes;
    for (auto& item : net_->named_parameters()) {
      const std::string& name = item.key();
      if (!tensors.contains(name)) return BadInputError(Cat("neural: tensor '", name, "' missing"));
      const nlohmann::json& t = tensors[name];
      if (!t.is_object() || !t.contains("shape") || t["shape"] != nlohmann::json(item.value().sizes().vec()))
        return BadInputError(Cat("neural: tensor '", name, "' has the wrong shape for the config"));
      if (!t.contains("f32") || !t["f32"].is_string() || !Base64Decode(t["f32"].get<std::string>(), &bytes) ||
          bytes.size() != static_cast<size_t>(item.value().numel()) * 4)
        return BadInputError(Cat("neural: tensor '", name, "' data is not base64 float32 of its shape"));
      std::memcpy(item.value().data_ptr(), bytes.data(), bytes.size());
      if (!torch::isfinite(item.value()).all().item<bool>())
        return BadInputError(Cat("neural: tensor '", name, "' holds NaN or infinite values"));
    }
    if (tensors.size() != net_->named_parameters().size())
      return BadInputError("neural: the file has tensors this network does not");
    return absl::OkStatus();
  }

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

struct Score {
  double loss = 0, acc = 0;
};

Score ScoreSplit(NeuralPredictor& m, const std::vector<data::Example>& xs, const Objective& obj,
               const torch::Device& dev, int batch) {
  torch::NoGradGuard ng;
  Score s;
  size_t n = 0;
  for (size_t i = 0; i < xs.size(); i += batch) {
    NeuralBatch b;
    for (size_t j = i; j < std::min(xs.size(), i + batch); ++j)
      if (!xs[j].candidates.empty()) m.encoder().Add(xs[j], &obj, &b);
    m.encoder().Finish(&b);
    if (b.n == 0) continue;
    Forward f = Run(m.net(), b, m.config().context, m.config().features, dev);
    const torch::Tensor logp = f.logp.to(torch::kCPU, torch::kDouble).contiguous();
    const torch::Tensor lg = f.logits.to(torch::kCPU, torch::kDouble).contiguous();
    const double* lp = logp.data_ptr<double>();
    const double* l = lg.data_ptr<double>();
    size_t k = 0;
    for (size_t j = i; j < std::min(xs.size(), i + batch); ++j) {
      if (xs[j].candidates.empty()) continue;
      const uint32_t c0 = b.ex_off[k], c1 = b.ex_off[k + 1];
      double loss = b.loss_const[k];
      for (uint32_t c = c0; c < c1; ++c) loss -= b.w[c] * std::max(lp[c], std::log(1e-12));
      s.loss += loss;
      s.acc += static_cast<int>(std::max_element(l + c0, l + c1) - (l + c0)) == xs[j].label_index();
      ++k, ++n;
    }
  }
  if (n) s.loss /= n, s.acc /= n;
  return s;
}

absl::StatusOr<std::unique_ptr<ScoredPredictor>> TrainNeuralImpl(const std::vector<data::Example>& train,
                                                             const std::vector<data::Example>& val,
                                                             const Objective& obj, const NeuralOptions& opt,
                                                             std::ostream* progress) {
  for (auto [name, v, lo, hi] : {std::tuple{"embed", opt.embed, 1, 1024}, {"hidden", opt.hidden, 1, 4096},
                                 {"context", opt.context, 1, 4096}, {"batch", opt.batch, 1, 1 << 16},
                                 {"threads", opt.threads, 1, 256}, {"epoch-examples", opt.epoch_examples, 1, 1 << 30},
                                 {"vocab-bits", opt.vocab_bits, 4, 24}, {"feature-bits", opt.feature_bits, 4, 24},
                                 {"fact-slots", opt.fact_slots, 0, 64},
                                 {"epochs", opt.epochs, 1, 100000}, {"patience", opt.patience, 1, 100000}})
    if (v < lo || v > hi) return absl::InvalidArgumentError(Cat("neural: --", name, " ", v, " out of range ", lo, "..", hi));
  torch::Device dev(torch::kCPU);
  if (opt.device == "cuda" || opt.device == "auto") {
    if (torch::cuda::is_available()) dev = torch::Device(torch::kCUDA);
    else if (opt.device == "cuda")
      return absl::FailedPreconditionError("neural: --device cuda, but this libtorch has no CUDA or no GPU is visible");
  } else if (opt.device != "cpu") {
    return absl::InvalidArgumentError(Cat("neural: unknown device '", opt.device, "' (want auto, cpu or cuda)"));
  }
  std::vector<size_t> usable;
  for (size_t i = 0; i < train.size(); ++i)
    if (!train[i].candidates.empty()) usable.push_back(i);
  if (usable.empty()) return BadInputError("neural: no training example has candidates");

  torch::set_num_threads(opt.threads);
  torch::manual_seed(opt.seed);
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);

  NeuralConfig c;
  c.embed = opt.embed, c.hidden = opt.hidden, c.context = opt.context;
  c.vocab_bits = opt.vocab_bits, c.feature_bits = opt.feature_bits;
  c.facts = opt.facts;
  c.fact_slots = NeuralEncoder::MaxFacts(train, opt.facts, opt.fact_slots);
  c.features = NeuralEncoder::BaseFeaturesPerCandidate(train[usable[0]]) + 2 * c.fact_slots;
  auto m = std::make_unique<NeuralPredictor>(c);
  Net& net = m->net();
  net->to(dev);
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(opt.lr).weight_decay(opt.l2));

  const auto t0 = std::chrono::steady_clock::now();
  auto secs = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  if (progress)
    *progress << "neural: " << train.size() << " train / " << val.size() << " validation examples, device "
              << (dev.is_cuda() ? "cuda" : "cpu") << ", " << opt.threads << " threads, " << c.features
              << " structured features per candidate (" << c.fact_slots << " fact slots, facts " << c.facts
              << "), up to " << opt.epoch_examples << " examples per epoch\n";
  std::mt19937_64 rng(opt.seed);
  std::vector<torch::Tensor> best;
  auto snapshot = [&] {
    best.clear();
    for (const auto& p : net->parameters()) best.push_back(p.detach().clone());
  };
  double best_loss = INFINITY;
  int since_best = 0;
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    std::shuffle(usable.begin(), usable.end(), rng);
    const size_t n = std::min(usable.size(), static_cast<size_t>(opt.epoch_examples));
    net->train();
    double train_loss = 0;
    for (size_t i = 0; i < n; i += opt.batch) {
      NeuralBatch b;
      for (size_t j = i; j < std::min(n, i + opt.batch); ++j) m->encoder().Add(train[usable[j]], &obj, &b);
      m->encoder().Finish(&b);
      Forward f = Run(net, b, c.context, c.features, dev);
      const torch::Tensor w = torch::from_blob(b.w.data(), {static_cast<int64_t>(b.w.size())}, torch::kFloat).to(dev);
      const torch::Tensor loss = -(w * f.logp.clamp_min(std::log(1e-12f))).sum() / static_cast<double>(b.n);
      adam.zero_grad();
      loss.backward();
      adam.step();
      train_loss += loss.item<double>() * b.n + std::accumulate(b.loss_const.begin(), b.loss_const.end(), 0.0);
    }
    train_loss /= static_cast<double>(n);
    net->eval();
    const Score vs = ScoreSplit(*m, val, obj, dev, 256);
    if (progress) {
      char line[160];
      std::snprintf(line, sizeof line, "epoch %d: train loss %.4f  val loss %.4f  val acc %.4f  (%.1f s)\n", epoch,
                    train_loss, vs.loss, vs.acc, secs());
      *progress << line;
    }
    if (val.empty() || vs.loss < best_loss - 1e-5) {
      best_loss = vs.loss;
      snapshot();
      since_best = 0;
    } else if (++since_best >= opt.patience) {
      if (progress) *progress << "early stop: no validation improvement for " << opt.patience << " epochs\n";
      break;
    }
  }
  {
    torch::NoGradGuard ng;
    auto params = net->parameters();
    for (size_t i = 0; i < params.size() && i < best.size(); ++i) params[i].copy_(best[i]);
  }
  net->to(torch::kCPU);  // prediction runs on the CPU
  net->eval();
  m->Fold();
  return std::unique_ptr<ScoredPredictor>(std::move(m));
}

absl::StatusOr<std::unique_ptr<ScoredPredictor>> NeuralFromParamsImpl(const nlohmann::json& p) {
  if (!p.is_object() || !p.contains("version") || !p["version"].is_number_integer())
    return BadInputError("neural: params have no integer 'version'");
  const int v = p["version"].get<int>();
  if (v < 1 || v > kNeuralParamsVersion)
    return absl::FailedPreconditionError(Cat("neural: parameter version ", v, ", this schedcast reads versions 1 to ",
                                             kNeuralParamsVersion, " (retrain the model)"));
  SC_ASSIGN_OR_RETURN(NeuralConfig c, NeuralConfig::FromJson(p.value("config", nlohmann::json()), v));
  auto m = std::make_unique<NeuralPredictor>(c);
  SC_RETURN_IF_ERROR(m->SetTensors(p.value("tensors", nlohmann::json())));
  m->net()->eval();
  m->Fold();
  return std::unique_ptr<ScoredPredictor>(std::move(m));
}

}  // namespace

}  // namespace schedcast::model

extern "C" __attribute__((visibility("default"))) void schedcast_neural_train(
    const std::vector<schedcast::data::Example>* train, const std::vector<schedcast::data::Example>* validation,
    const schedcast::model::Objective* obj, const schedcast::model::NeuralOptions* opt, std::ostream* progress,
    absl::StatusOr<std::unique_ptr<schedcast::model::ScoredPredictor>>* out) {
  static_assert(std::is_same_v<decltype(&schedcast_neural_train), schedcast::model::NeuralTrainFn*>);
  *out = schedcast::model::TrainNeuralImpl(*train, *validation, *obj, *opt, progress);
}

extern "C" __attribute__((visibility("default"))) void schedcast_neural_load(
    const nlohmann::json* params, absl::StatusOr<std::unique_ptr<schedcast::model::ScoredPredictor>>* out) {
  static_assert(std::is_same_v<decltype(&schedcast_neural_load), schedcast::model::NeuralLoadFn*>);
  *out = schedcast::model::NeuralFromParamsImpl(*params);
}
