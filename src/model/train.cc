#include "model/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "model/freq.h"
#include "model/neural.h"
#include "model/ngram.h"
#include "model/structured.h"
#include "model/uniform.h"

namespace schedcast::model {

nlohmann::json TrainOptions::Hyper() const {
  nlohmann::json j = nlohmann::json::object();
  if (model == "structured")
    j = {{"seed", seed}, {"epochs", epochs}, {"patience", patience}, {"lr", lr}, {"l2", l2}, {"hash_bits", hash_bits}};
  else if (model == "ngram")
    j = {{"order", order}, {"beta", beta}};
  else if (model == "neural")
    j = {{"seed", seed},   {"epochs", epochs},         {"patience", patience},     {"lr", lr},
         {"l2", l2},       {"device", device},         {"embed", embed},           {"hidden", hidden},
         {"context", context}, {"batch", batch},       {"threads", threads},       {"epoch_examples", epoch_examples},
         {"vocab_bits", vocab_bits}, {"feature_bits", feature_bits}};
  j["temperature"] = temperature;
  return j;
}

namespace {

// Features of a set of examples, flat.
struct FeatureSet {
  std::vector<uint32_t> feats;
  std::vector<uint32_t> cand_off;  // per candidate, start in feats; one extra at the end
  std::vector<uint32_t> ex_off;    // per example, start in cand_off; one extra at the end
};

FeatureSet Featurize(const StructuredPredictor& m, const std::vector<data::Example>& xs) {
  FeatureSet fs;
  std::vector<uint32_t> off;
  for (const auto& ex : xs) {
    fs.ex_off.push_back(static_cast<uint32_t>(fs.cand_off.size()));
    m.Featurize(ex, &fs.feats, &off);
    fs.cand_off.insert(fs.cand_off.end(), off.begin(), off.end() - 1);
  }
  fs.ex_off.push_back(static_cast<uint32_t>(fs.cand_off.size()));
  fs.cand_off.push_back(static_cast<uint32_t>(fs.feats.size()));
  return fs;
}

void Probs(const std::vector<float>& w, const FeatureSet& fs, size_t e, std::vector<double>* p) {
  const uint32_t c0 = fs.ex_off[e], c1 = fs.ex_off[e + 1];
  p->assign(c1 - c0, 0.0);
  for (uint32_t c = c0; c < c1; ++c) {
    double s = 0;
    for (uint32_t k = fs.cand_off[c]; k < fs.cand_off[c + 1]; ++k) s += w[fs.feats[k]];
    (*p)[c - c0] = s;
  }
  Softmax(*p);
}

struct SplitScore {
  double loss = 0, acc = 0;
};

SplitScore Score(const std::vector<float>& w, const FeatureSet& fs, const std::vector<data::Example>& xs,
                 const Objective& obj) {
  SplitScore s;
  std::vector<double> p;
  for (size_t e = 0; e < xs.size(); ++e) {
    Probs(w, fs, e, &p);
    s.loss += obj.Compute(p, xs[e], {});
    s.acc += static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin()) == xs[e].label_index();
  }
  if (!xs.empty()) s.loss /= xs.size(), s.acc /= xs.size();
  return s;
}

void FitStructured(StructuredPredictor& m, const std::vector<data::Example>& train,
                   const std::vector<data::Example>& val, const Objective& obj, const TrainOptions& opt,
                   std::ostream* progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const FeatureSet tr = Featurize(m, train), va = Featurize(m, val);
  if (progress)
    *progress << "structured: " << train.size() << " train / " << val.size() << " validation examples, "
              << tr.feats.size() << " feature occurrences, featurized in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
  std::vector<float>& w = m.weights();
  std::fill(w.begin(), w.end(), 0.0f);
  std::vector<float> mom(w.size(), 0.0f), vel(w.size(), 0.0f), best = w;
  std::vector<double> acc(w.size(), 0.0);
  std::vector<uint32_t> touched;
  std::vector<double> p, grad;
  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(opt.seed);
  constexpr double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  uint64_t step = 0;
  double best_loss = INFINITY;
  int since_best = 0;
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    double train_loss = 0;
    for (size_t e : order) {
      Probs(w, tr, e, &p);
      grad.assign(p.size(), 0.0);
      train_loss += obj.Compute(p, train[e], grad);
      const uint32_t c0 = tr.ex_off[e];
      for (uint32_t c = c0; c < tr.ex_off[e + 1]; ++c) {
        const double g = grad[c - c0];
        if (g == 0) continue;
        for (uint32_t k = tr.cand_off[c]; k < tr.cand_off[c + 1]; ++k) {
          const uint32_t f = tr.feats[k];
          if (acc[f] == 0) touched.push_back(f);
          acc[f] += g;
        }
      }
      ++step;
      const double c1 = 1 - std::pow(b1, static_cast<double>(step)), c2 = 1 - std::pow(b2, static_cast<double>(step));
      for (uint32_t f : touched) {
        const double g = acc[f] + opt.l2 * w[f];
        acc[f] = 0;
        mom[f] = static_cast<float>(b1 * mom[f] + (1 - b1) * g);
        vel[f] = static_cast<float>(b2 * vel[f] + (1 - b2) * g * g);
        w[f] -= static_cast<float>(opt.lr * (mom[f] / c1) / (std::sqrt(vel[f] / c2) + eps));
      }
      touched.clear();
    }
    train_loss /= std::max<size_t>(1, train.size());
    const SplitScore vs = Score(w, va, val, obj);
    if (progress) {
      char line[160];
      std::snprintf(line, sizeof line, "epoch %d: train loss %.4f  val loss %.4f  val acc %.4f  (%.1f s)\n", epoch,
                    train_loss, vs.loss, vs.acc,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      *progress << line;
    }
    if (val.empty() || vs.loss < best_loss - 1e-5) {
      best_loss = vs.loss;
      best = w;
      since_best = 0;
    } else if (++since_best >= opt.patience) {
      if (progress) *progress << "early stop: no validation improvement for " << opt.patience << " epochs\n";
      break;
    }
  }
  w = best;
}

}  // namespace

double FitTemperature(ScoredPredictor& m, const std::vector<data::Example>& xs, const Objective& obj) {
  std::vector<std::vector<double>> logits(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) m.Logits(xs[i], &logits[i]);
  auto loss = [&](double log_t) {
    double s = 0;
    std::vector<double> p;
    for (size_t i = 0; i < xs.size(); ++i) {
      p = logits[i];
      Softmax(p, std::exp(log_t));
      s += obj.Compute(p, xs[i], {});
    }
    return s;
  };
  double a = -3, b = 3;
  const double r = (std::sqrt(5.0) - 1) / 2;
  double x1 = b - r * (b - a), x2 = a + r * (b - a), f1 = loss(x1), f2 = loss(x2);
  for (int it = 0; it < 40; ++it) {
    if (f1 < f2) b = x2, x2 = x1, f2 = f1, x1 = b - r * (b - a), f1 = loss(x1);
    else a = x1, x1 = x2, f1 = f2, x2 = a + r * (b - a), f2 = loss(x2);
  }
  const double t = std::exp((a + b) / 2);
  m.set_temperature(t);
  return t;
}

absl::StatusOr<std::unique_ptr<Predictor>> Train(const std::vector<data::Example>& train,
                                                 const std::vector<data::Example>& val, const TrainOptions& opt,
                                                 std::ostream* progress) {
  SC_ASSIGN_OR_RETURN(auto obj, MakeObjective(opt.objective));
  std::unique_ptr<ScoredPredictor> m;
  if (opt.model == "uniform") {
    m = std::make_unique<UniformPredictor>();
  } else if (opt.model == "freq") {
    auto f = std::make_unique<FreqPredictor>();
    f->Fit(train, *obj);
    m = std::move(f);
  } else if (opt.model == "ngram") {
    if (opt.order < 0 || opt.order > 16) return absl::InvalidArgumentError(Cat("ngram order ", opt.order, " out of range 0..16"));
    auto n = std::make_unique<NgramPredictor>(NgramOptions{opt.order, opt.beta});
    n->Fit(train, *obj);
    m = std::move(n);
  } else if (opt.model == "structured") {
    if (opt.hash_bits < 4 || opt.hash_bits > 26)
      return absl::InvalidArgumentError(Cat("hash bits ", opt.hash_bits, " out of range 4..26"));
    auto s = std::make_unique<StructuredPredictor>(opt.hash_bits);
    FitStructured(*s, train, val, *obj, opt, progress);
    m = std::move(s);
  } else if (opt.model == "neural") {
    auto n = TrainNeural(train, val, *obj, opt, progress);
    if (!n.ok()) return n.status();
    m = std::move(*n);
  } else {
    return absl::InvalidArgumentError(
        Cat("unknown model '", opt.model, "' (want uniform, freq, ngram, structured or neural)"));
  }
  if (opt.temperature && !val.empty() && opt.model != "uniform") {  // uniform logits are all equal
    const double t = FitTemperature(*m, val, *obj);
    if (progress) *progress << "temperature: " << t << " (fitted on " << val.size() << " validation examples)\n";
  }
  ModelMeta& meta = m->meta();
  meta.kind = std::string(m->kind());
  meta.objective = opt.model == "uniform" ? "" : opt.objective;
  meta.hyper = opt.Hyper();
  meta.train_examples = train.size();
  meta.validation_examples = val.size();
  if (!train.empty()) meta.level = train[0].level, meta.key = train[0].key;
  const Metrics vm = Evaluate(*m, val, *obj);
  meta.metrics = vm.ToJson();
  if (progress) {
    char line[200];
    std::snprintf(line, sizeof line, "%s (%s): val loss %.4f  nll %.4f  kl %.4f  acc %.4f  ece %.4f  ceiling %.4f\n",
                  opt.model.c_str(), opt.objective.c_str(), vm.loss, vm.nll, vm.kl, vm.accuracy, vm.ece, vm.ceiling);
    *progress << line;
  }
  return std::unique_ptr<Predictor>(std::move(m));
}

}  // namespace schedcast::model
