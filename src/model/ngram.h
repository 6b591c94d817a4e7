// model/ngram.h — back-off n-gram over relative tokens.
//
// Every context token and every candidate is rewritten relative to the anchor goroutine (the one
// that acted last; scheme in context.h), e.g. "GoBlock(recv) @self", "GoStart @parent",
// "GoUnblock @self.0". Fit counts (last-k relative tokens → next relative token) for k = 0..order,
// weighted by the objective (kl: the target distribution over the candidates, ce: the label).
// The estimate is recursive Dirichlet smoothing (interpolated back-off):
//   P0(w)    = (c(w) + 1) / (N + V + 1)                         (add-one over the seen vocabulary)
//   Pk(w|h)  = (c(h,w) + beta · Pk−1(w|h')) / (c(h) + beta)     (h' = h without its oldest token)
// and a context never seen at order k falls back to order k−1. A candidate's score is P(rel(c)|h)
// divided by the number of candidates sharing rel(c); Predict renormalises over the candidates.
// Contexts shorter than k are padded with "<s>". Thread-safe for Predict after Fit/FromParams.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "model/objective.h"
#include "model/predictor.h"

namespace schedcast::model {

struct NgramOptions {
  int order = 3;      // K: tokens of context
  double beta = 32.0;  // back-off strength (tuned on the corpus validation split)
};

class NgramPredictor final : public ScoredPredictor {
 public:
  explicit NgramPredictor(NgramOptions opt = {}) : opt_(opt) {}
  std::string_view kind() const override { return "ngram"; }
  void Fit(const std::vector<data::Example>& train, const Objective& obj);
  void Logits(const data::Example& ex, std::vector<double>* logits) const override;
  nlohmann::json Params() const override;
  static absl::StatusOr<std::unique_ptr<NgramPredictor>> FromParams(const nlohmann::json& j);
  const NgramOptions& options() const { return opt_; }

 private:
  struct Node {  // one history h
    double total = 0;
    std::unordered_map<std::string, double> next;
  };
  NgramOptions opt_;
  std::vector<std::unordered_map<std::string, Node>> tables_;  // [k] history key → counts
};

}  // namespace schedcast::model
