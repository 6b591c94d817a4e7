// model/calibrated.h — a model-agnostic calibration wrapper whose parameters are fitted on program
// families that training did not see, and that backs off to a simpler model on unfamiliar ground.
//
// The wrapper holds three things, each saved in the model file (params "version": 2; version 1 files,
// which have no fact counts and no e, f, load with e = f = 0):
//   base      any fitted model of the registry (structured, neural, ngram, freq), with its logits z
//   backoff   a simpler model (ngram, freq or uniform) giving probabilities q over the same candidates
//   support   counts, over the base's training examples, of two situation signatures (hashed):
//               fine   = the last two context tokens and the sorted candidate set, both relative to
//                        the anchor goroutine (context.h) — "has training seen this situation?"
//               coarse = the sorted relative candidate set alone
//             and counts of (candidate type, program fact) pairs over the training examples'
//             candidates (a candidate without facts has the one fact "-"): "has training seen a
//             candidate of this kind with this fact?" — the familiarity of what the program says.
//             A candidate's fact support n_i is the smallest count among its facts; the example's
//             l_facts = Σ_i softmax(z)_i · ln(1 + n_i), the familiarity of what the base believes.
// Prediction over an example's candidates (u = uniform over the legal candidates):
//   pb = softmax(z / T),                           ln T = t + d · ln(1 + s_fine) + f · l_facts
//   qb = (1 − μ) q + μ u,                          μ = sigmoid(m)
//   λ  = sigmoid(a + b · ln(1 + s_fine) + c · ln(1 + s_coarse) + e · l_facts)
//   p  = (1 − λ) pb + λ qb
// so p sums to 1 over the candidates and is > 0 wherever u is; last, a top-label map (topmap.h) of
// p's top-1 confidence, fitted on the same held-out scores as θ (after θ), is applied to p.
// That is for a program of a package the final models never trained on. A program of a familiar
// package (one of the training or validation programs' packages, listed in the params as
// "familiar") gets the base model's own calibration instead: the final base's temperature and
// top-label map, fitted on the validation split (train.h), as `--temperature --top-map` would —
// parameters fitted on unseen families would make in-family predictions under-confident. The parameters θ = (t, d, a, b, c, m, e, f)
// come from family-held-out fitting (calibrated_train.cc): the training programs are grouped into
// families (FamilyMap below; option family "auto": corpus folders when there are at least K of
// them, else packages), the families split into K folds; for each fold a base model, a backoff
// model and a support table are trained on the other folds' examples only, and the held-out fold's
// examples are scored with them; θ minimises the objective's loss over those held-out scores (each
// family weighing 1, and each of its programs the same — a family of many programs, or of many
// examples, must not set θ for the others). The final base, backoff and support are then fitted
// on all the training data. The folds (families held out, families trained on, examples) are recorded
// in the params ("calibration.folds") so the provenance of θ can be checked.
// Thread-safety: Predict is const and thread-safe once built (as the wrapped models' Predict is).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/predictor.h"

namespace schedcast::model {

inline constexpr int kCalibratedParamsVersion = 2;

// The eight calibration parameters (see above); the defaults leave the base model unchanged.
struct CalibrationParams {
  double log_t = 0, d = 0;       // temperature ln T = log_t + d ln(1+s_fine) + f l_facts
  double a = -30, b = 0, c = 0;  // backoff weight λ = sigmoid(a + b ln(1+s_fine) + c ln(1+s_coarse) + e l_facts)
  double m = -30;                // uniform share of the backoff μ = sigmoid(m)
  double e = 0, f = 0;           // the fact-support slopes of λ and of ln T
  static constexpr int kCount = 8;
  std::array<double, kCount> ToArray() const { return {log_t, d, a, b, c, m, e, f}; }
  static CalibrationParams FromArray(const std::array<double, kCount>& v) {
    return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
  }
};

// Counts of the two situation signatures over a set of examples (each example counted once), and of
// the (candidate type, fact) pairs of their candidates.
class SupportTable {
 public:
  void Add(const data::Example& ex);
  // Occurrences of the example's fine and coarse signature among the added examples.
  std::pair<uint64_t, uint64_t> Support(const data::Example& ex) const;
  // Per candidate, ln(1 + the smallest count among its (type, fact) pairs).
  std::vector<double> FactSupport(const data::Example& ex) const;
  nlohmann::json ToJson() const;
  static absl::StatusOr<SupportTable> FromJson(const nlohmann::json& j);
  size_t size() const { return fine_.size() + coarse_.size(); }

 private:
  std::unordered_map<uint64_t, uint64_t> fine_, coarse_, facts_;
};

// What a held-out example contributes to the fit: everything the mixture needs, from fold models.
struct HeldOutRecord {
  std::vector<double> logits;   // base logits (temperature 1)
  std::vector<double> backoff;  // backoff probabilities
  double s_fine = 0, s_coarse = 0;
  double l_facts = 0;           // Σ_i softmax(logits)_i ln(1 + fact support of candidate i)
};

// p over the candidates for one record under θ (the formula above).
void MixProbabilities(const HeldOutRecord& r, const CalibrationParams& th, std::vector<double>* p);

class CalibratedPredictor final : public ScoredPredictor {
 public:
  CalibratedPredictor(std::unique_ptr<ScoredPredictor> base, std::unique_ptr<ScoredPredictor> backoff,
                      SupportTable support, CalibrationParams params, nlohmann::json provenance);
  std::string_view kind() const override { return "calibrated"; }
  // An unfamiliar program's example: log p before the top-label map (ScoredPredictor's softmax at
  // temperature 1 and its top-label map give back Predict's p up to rounding); a familiar one's:
  // log of Predict's p. Probabilities come from Predict / PredictBatch.
  void Logits(const data::Example& ex, std::vector<double>* logits) const override;
  std::vector<double> Predict(const data::Example& ex) const override;
  void PredictBatch(std::span<const data::Example* const> xs, std::vector<std::vector<double>>* out) const override;
  // Whether the example's program is of a package the final models trained on.
  bool Familiar(const data::Example& ex) const;
  void set_familiar(std::set<std::string> packages) { familiar_ = std::move(packages); }
  // The mixture's inputs for one example (what the fit scores).
  HeldOutRecord Record(const data::Example& ex) const;

  const CalibrationParams& params() const { return params_; }
  const nlohmann::json& provenance() const { return provenance_; }
  const ScoredPredictor& base() const { return *base_; }
  const ScoredPredictor& backoff() const { return *backoff_; }
  const SupportTable& support() const { return support_; }

  nlohmann::json Params() const override;
  static absl::StatusOr<std::unique_ptr<CalibratedPredictor>> FromParams(const nlohmann::json& j);

 private:
  std::unique_ptr<ScoredPredictor> base_, backoff_;
  SupportTable support_;
  CalibrationParams params_;
  std::set<std::string> familiar_;  // import paths of the packages of the final models' training data
  nlohmann::json provenance_;  // {"family_by", "folds": [{"held_out", "trained_on", "examples"}], "loss"…}
};

// The package (import path) of a program name "import/path.TestName".
std::string PackageOf(const std::string& program);

// The family of every program in `programs` (names "import/path.TestName"):
//   "package": the import path ("schedcast.dev/corpus/bugs/condbug");
//   "folder":  the first path element below the programs' common import-path prefix ("bugs"), or the
//              package when all programs share one package.
// InvalidArgument for another `by`.
absl::StatusOr<std::map<std::string, std::string>> FamilyMap(const std::vector<std::string>& programs,
                                                             const std::string& by);

}  // namespace schedcast::model
