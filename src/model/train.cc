#include "model/train.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <span>
#include <string_view>

#include "model/io.h"
#include "model/registry.h"

namespace schedcast::model {

namespace {

// Calls visit(batch, i0) for consecutive batches of up to 256 of `xs` (batch[k] = &xs[i0 + k]): the
// fitters go through the model's batched path.
template <typename Visit>
void ForEachBatch(const std::vector<data::Example>& xs, Visit visit) {
  std::vector<const data::Example*> batch;
  for (size_t i0 = 0; i0 < xs.size(); i0 += 256) {
    batch.clear();
    for (size_t i = i0; i < std::min(xs.size(), i0 + 256); ++i) batch.push_back(&xs[i]);
    visit(std::span<const data::Example* const>(batch), i0);
  }
}

}  // namespace

double FitTemperature(ScoredPredictor& m, const std::vector<data::Example>& xs, const Objective& obj) {
  std::vector<std::vector<double>> logits(xs.size()), part;
  ForEachBatch(xs, [&](std::span<const data::Example* const> batch, size_t i0) {
    m.LogitsBatch(batch, &part);
    for (size_t k = 0; k < batch.size(); ++k) logits[i0 + k] = std::move(part[k]);
  });
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

const TopMap& FitTopMap(ScoredPredictor& m, const std::vector<data::Example>& xs) {
  m.set_top_map(TopMap());
  std::map<std::string_view, size_t> per_program;
  for (const auto& e : xs) ++per_program[e.program];
  TopMap::Points points;
  std::vector<std::vector<double>> part;
  ForEachBatch(xs, [&](std::span<const data::Example* const> batch, size_t) {
    m.PredictBatch(batch, &part);
    for (size_t k = 0; k < batch.size(); ++k)
      points.Add(part[k], batch[k]->label_index(), 1.0 / static_cast<double>(per_program[batch[k]->program]));
  });
  m.set_top_map(points.Fit());
  return m.top_map();
}

absl::StatusOr<std::unique_ptr<Predictor>> Train(const std::vector<data::Example>& train,
                                                 const std::vector<data::Example>& val, const TrainOptions& opt,
                                                 std::ostream* progress) {
  SC_ASSIGN_OR_RETURN(auto obj, MakeObjective(opt.objective));
  SC_ASSIGN_OR_RETURN(const ModelKind* kind, FindKind(opt.model));
  nlohmann::json given = opt.options.is_null() ? nlohmann::json::object() : opt.options;
  for (const OptionSpec& o : kind->options)
    if (o.name == "seed" && given.is_object() && !given.contains("seed")) given["seed"] = opt.seed;
  SC_ASSIGN_OR_RETURN(nlohmann::json hyper, ResolveOptions(*kind, given));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<ScoredPredictor> m, kind->train(TrainInput{train, val, *obj, progress}, hyper));
  // Uniform logits are all equal; a self-calibrating kind keeps the parameters it fitted on held-out families.
  if (opt.temperature && !val.empty() && kind->fitted && !kind->own_calibration) {
    const double t = FitTemperature(*m, val, *obj);
    if (progress) *progress << "temperature: " << t << " (fitted on " << val.size() << " validation examples)\n";
  }
  if (opt.top_map && !val.empty() && kind->fitted && !kind->own_calibration) {
    const TopMap& tm = FitTopMap(*m, val);
    if (progress) *progress << "top-label map: " << tm.knots().size() << " knots (fitted on " << val.size() << " validation examples)\n";
  }
  ModelMeta& meta = m->meta();
  meta.kind = std::string(m->kind());
  meta.objective = kind->fitted ? opt.objective : "";
  meta.hyper = std::move(hyper);
  meta.hyper["temperature"] = opt.temperature;
  if (opt.top_map) meta.hyper["top_map"] = true;
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

absl::StatusOr<std::unique_ptr<Predictor>> TrainAndSave(const std::string& data_dir,
                                                        const std::vector<data::Example>& train,
                                                        const std::vector<data::Example>& val, const TrainOptions& opt,
                                                        const std::string& path, std::ostream* progress) {
  SC_ASSIGN_OR_RETURN(std::string hash, HashTrainingData(data_dir));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Predictor> m, Train(train, val, opt, progress));
  m->meta().data_dir = data_dir;
  m->meta().data_hash = std::move(hash);
  SC_RETURN_IF_ERROR(Save(*m, path));
  return m;
}

}  // namespace schedcast::model
