// model/predictor.h — the one interface every next-event model implements.
//
// Contract: Predict(ex) returns one probability per ex.candidates entry (same order): finite, >= 0,
// summing to 1. Mass outside the legal set is impossible by construction (there is no slot for it).
// Predict reads only what is known before the step — context, context_total, state, candidates,
// config, program, level, facts (program facts from the source) — never target_counts or label.
// Most models are ScoredPredictors: they produce one logit per candidate and Predict applies the
// (optionally fitted) temperature and a softmax, then the (optionally fitted) top-label map (topmap.h);
// the libtorch model (neural.h) derives from ScoredPredictor.
// ModelMeta is what a model file records beside the parameters (io.h).
// PredictBatch predicts many examples at once (what eval uses); its result for each example equals
// Predict's within float rounding (the neural model batches them through libtorch: |Δp| <= 1e-6).
// Thread-safety: Predict is const and thread-safe on a fully built predictor; fitting/setters are not.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/example.h"
#include "model/topmap.h"
#include "nlohmann/json.hpp"

namespace schedcast::model {

struct ModelMeta {
  std::string kind;              // uniform | freq | ngram | structured | neural
  std::string objective;         // kl | ce | "" (uniform is not trained)
  nlohmann::json hyper = nlohmann::json::object();  // hyper-parameters, as given
  std::string data_dir;          // where the training data came from
  std::string data_hash;         // fnv1a64 of train.jsonl + validation.jsonl
  std::string level, key;        // of the training examples (token granularity, key kind)
  uint64_t train_examples = 0, validation_examples = 0;
  nlohmann::json metrics = nlohmann::json::object();  // validation metrics at the end of training
};

class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual std::string_view kind() const = 0;
  virtual std::vector<double> Predict(const data::Example& ex) const = 0;
  // (*out)[i] = Predict(*xs[i]) (out is resized to xs.size()); the default calls Predict per example.
  virtual void PredictBatch(std::span<const data::Example* const> xs, std::vector<std::vector<double>>* out) const;
  // The model-specific parameters for the model file (io.h), and the inverse (per class FromParams).
  virtual nlohmann::json Params() const = 0;

  ModelMeta& meta() { return meta_; }
  const ModelMeta& meta() const { return meta_; }

 private:
  ModelMeta meta_;
};

// A predictor defined by one logit per candidate; p = top_map(softmax(logits / temperature)).
class ScoredPredictor : public Predictor {
 public:
  // logits->size() == ex.candidates.size() on return; entries finite.
  virtual void Logits(const data::Example& ex, std::vector<double>* logits) const = 0;
  // (*logits)[i] as Logits(*xs[i]) gives it; the default calls Logits per example.
  virtual void LogitsBatch(std::span<const data::Example* const> xs, std::vector<std::vector<double>>* logits) const;
  std::vector<double> Predict(const data::Example& ex) const override;
  void PredictBatch(std::span<const data::Example* const> xs, std::vector<std::vector<double>>* out) const override;
  double temperature() const { return temperature_; }
  void set_temperature(double t) { temperature_ = t; }
  const TopMap& top_map() const { return top_map_; }
  void set_top_map(TopMap m) { top_map_ = std::move(m); }

 private:
  double temperature_ = 1.0;
  TopMap top_map_;  // empty: the identity
};

// In-place numerically stable softmax of logits / temperature (uniform if empty-safe).
void Softmax(std::span<double> v, double temperature = 1.0);

}  // namespace schedcast::model
