// eval/rollout.h — multi-step rollouts: sample k = 1..K steps from a model through the scheduler
// state machine and compare the k-step continuations with the empirical ones.
//
// Start positions: up to `starts` test examples, chosen round-robin over programs (seeded shuffle
// within each program). For a start (run r at step i of program P, configuration C) the runs of
// (P, C) are re-read from the store and tokenized exactly as the dataset builder does, through
// pipeline::Tokenize (same level, runtime filter, leak proofs). The empirical k-step distribution is over the next-k token sequences of the
// *other* runs of (P, C) whose tokens before i equal r's (a run that ends early contributes its
// shorter sequence); starts with no such run are dropped. The state before step i is rebuilt by
// replaying r's events. A model rollout repeats `samples` times: build the Example the builder would
// (context = the last context_len tokens, state key, candidates = the rendered legal set), predict,
// sample a candidate, turn it back into an event (GoCreate gets a fresh raw id and the canonical
// child path; a type-level token picks one of the matching events uniformly), re-check it with
// State::Matches (legality) and apply it; a rollout stops early when no candidate is left.
// At the site level rollouts work on goroutine-level tokens (both sides).
// legality(k) = legal sampled steps / sampled steps, over steps 1..k of every sample.
// TV(k) = ½ Σ_s |p_model(s) − p_emp(s)| over k-token sequences s, averaged over starts, with a
// percentile-bootstrap interval over starts. With finitely many samples TV(k) > 0 even for a
// perfect model. Not thread-safe (Run is const but uses a per-call PRNG; share nothing across threads).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/example.h"
#include "model/predictor.h"

namespace schedcast::eval {

struct RolloutOptions {
  std::string store;
  int starts = 100;
  int samples = 64;
  int steps = 10;
  uint64_t seed = 1;
  int bootstrap = 1000;
  size_t context_len = 32;
  bool include_runtime = false;
  bool leak_proofs = true;  // as the dataset was built (meta.json "leak_proofs"; pipeline/run.h's policy)
};

struct RolloutPoint {
  int k = 0;
  double legality = 0;
  uint64_t sampled_steps = 0;  // steps sampled up to k (legality's denominator)
  double tv = 0, tv_lo = 0, tv_hi = 0;
  uint64_t n = 0;              // start positions
};

struct RolloutStart;  // prepared start (rollout.cc)

class Rollouts {
 public:
  Rollouts();
  ~Rollouts();
  Rollouts(Rollouts&&) noexcept;
  Rollouts& operator=(Rollouts&&) noexcept;

  // Chooses starts among `examples` (all of one level) and prepares them from the store.
  // Runs that cannot be parsed are skipped and reported in notes().
  static absl::StatusOr<Rollouts> Prepare(const std::vector<data::Example>& examples, const RolloutOptions& opt);

  std::vector<RolloutPoint> Run(const model::Predictor& m) const;  // k = 1..opt.steps
  size_t starts() const;
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  RolloutOptions opt_;
  std::vector<std::unique_ptr<RolloutStart>> starts_;
  std::vector<std::string> notes_;
};

}  // namespace schedcast::eval
