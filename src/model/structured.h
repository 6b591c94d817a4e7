// model/structured.h — log-linear scorer over hashed features of each candidate.
//
// Each candidate c gets a sparse binary feature vector; its logit is the sum of the weights of its
// features, and Predict is a softmax over the candidates (so the legal set is the support by
// construction). Every feature but v5's is a conjunction with c's type (kind + reason) — features that do
// not depend on c would cancel in the softmax. Templates (see Featurize in structured.cc):
//   bias; c's goroutine state (rdy/run/sys/blk(x)); its relation to the last actor (context.h);
//   the last one and two context tokens written relative to the anchor, and relative to c's
//   goroutine; recency of c's goroutine's last own event, its last one/two own event types and how
//   many events it had; steps since it was unblocked / created; numbers of runnable, running and
//   blocked goroutines; GOMAXPROCS (alone, × running, × c's state); Go version; position in the run
//   (log2 bucket); number of candidates and of candidates of c's type; root/depth of c's goroutine;
//   the anchor's state; and, when the example carries program facts (data/program_facts.h), each
//   fact of c whose group is enabled (alone, and × c's goroutine state; feature set v2 also: every
//   pair of c's enabled facts, and each fact × the last context token's type and its relation to
//   c's goroutine — "its next op is a send and a receiver is parked", "it just started and its
//   next op is a receive"). Feature set v3 also: what followed the context's last 1, 2 and 3
//   tokens where they occurred earlier in the context (whether the newest such successor was c,
//   or a token of c's type, and c's share of all successors: loops repeat), and each fact × how
//   many goroutines could act now (running or runnable: 0, 1, more) × whether GOMAXPROCS is 1.
//   Feature set v4 also: for GoStart candidates, the order in which they became runnable (an unblock,
//   a go statement, a yield or preemption in the context): newest, oldest, in between, or earlier than
//   the context (and then whether it is the first created of those: lowest path) — the runtime starts the goroutine its P readied last (runnext) first, then its run
//   queue in FIFO order — × whether GOMAXPROCS is 1 (and × how many may start, × the last token).
//   Feature set v5 also: each enabled fact alone and × c's goroutine state without c's type — the
//   one exception to the conjunction rule above (a fact differs between candidates, so it does not
//   cancel): what a fact says ("the walk reaches this event") transfers to types training rarely
//   saw it on.
//   The `facts` option names the groups ("all", "none", or a comma list of data::FactGroups():
//   next, partner, loop, create, buffer, wake, walk, runq); an example without facts simply adds
//   none (the model falls back on the rest).
// Features are hashed (FNV-1a, context.h) into 2^hash_bits weights. Training (Adam with L2, early
// stopping) is in structured_train.cc; this class only featurizes and scores.
// Thread-safe for Predict after construction; weights() mutation is not.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/predictor.h"

namespace schedcast::model {

class StructuredPredictor final : public ScoredPredictor {
 public:
  // `features`: the feature set, 5 (current) or 1 to 4 (model files written before featurize as then).
  explicit StructuredPredictor(int hash_bits = 18, std::string facts = "all", int features = kFeatures);
  static constexpr int kFeatures = 5;
  std::string_view kind() const override { return "structured"; }

  // Appends each candidate's feature indices to *feats; (*offsets)[i]..[i+1] delimit candidate i
  // (offsets is cleared and gets candidates.size()+1 entries).
  void Featurize(const data::Example& ex, std::vector<uint32_t>* feats, std::vector<uint32_t>* offsets) const;
  void Logits(const data::Example& ex, std::vector<double>* logits) const override;

  int hash_bits() const { return hash_bits_; }
  const std::string& facts() const { return facts_; }
  // "all", "none" or a comma list of data::FactGroups(); InvalidArgument otherwise.
  static absl::Status CheckFacts(const std::string& facts);
  std::vector<float>& weights() { return w_; }
  const std::vector<float>& weights() const { return w_; }

  nlohmann::json Params() const override;  // sparse: [[index, weight], …] for non-zero weights
  static absl::StatusOr<std::unique_ptr<StructuredPredictor>> FromParams(const nlohmann::json& j);

 private:
  bool UsesFact(std::string_view fact) const;
  int hash_bits_;
  std::string facts_;
  int features_;
  std::vector<std::string> groups_;  // enabled fact groups
  std::vector<float> w_;
};

}  // namespace schedcast::model
