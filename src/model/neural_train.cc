// model/neural_train.cc — the training loop of the neural predictor (neural.h states it: Adam on
// minibatches, the objective's loss, early stopping on the validation loss, the best epoch kept), and the
// plugin's train entry point (neural_plugin_abi.h).
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "model/neural.h"
#include "model/neural_plugin_abi.h"
#include "model/neural_predictor.h"

namespace schedcast::model::neural {

namespace {

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

}  // namespace

absl::StatusOr<std::unique_ptr<ScoredPredictor>> Train(const std::vector<data::Example>& train,
                                                      const std::vector<data::Example>& val, const Objective& obj,
                                                      const NeuralOptions& opt, std::ostream* progress) {
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

}  // namespace schedcast::model::neural

extern "C" __attribute__((visibility("default"))) void schedcast_neural_train(
    const std::vector<schedcast::data::Example>* train, const std::vector<schedcast::data::Example>* validation,
    const schedcast::model::Objective* obj, const schedcast::model::NeuralOptions* opt, std::ostream* progress,
    absl::StatusOr<std::unique_ptr<schedcast::model::ScoredPredictor>>* out) {
  static_assert(std::is_same_v<decltype(&schedcast_neural_train), schedcast::model::NeuralTrainFn*>);
  *out = schedcast::model::neural::Train(*train, *validation, *obj, *opt, progress);
}

