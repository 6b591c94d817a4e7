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
// Sample n of every start advances in lockstep, so each step's predictions go to the model as one
// batch (Predictor::PredictBatch); each start draws from its own PRNG in its own order, as if the
// starts were rolled out one after another.
// At the site level rollouts work on goroutine-level tokens (both sides).
// legality(k) = legal sampled steps / sampled steps, over steps 1..k of every sample.
// TV(k) = ½ Σ_s |p_model(s) − p_emp(s)| over k-token sequences s, averaged over starts, with a
// percentile-bootstrap interval over starts. With finitely many samples TV(k) > 0 even for a
// perfect model, hence the floor: the matching runs of a start (at least 2) are split by a seeded
// shuffle into two disjoint halves A (⌊m/2⌋ runs) and B (the rest); floor(k) = TV between the k-step
// distributions of A and B, averaged over those starts (the `oracle` rollout row); a model's
// tv_half(k) compares its first |A| samples with B — the same sample sizes — and above_floor(k) =
// mean over the same starts (those with |A| ≤ samples) of tv_half − floor, with a bootstrap interval over starts. Survival:
// for every sample, the number of leading steps j ≤ K such that its first j tokens are the first j
// tokens of some matching run's continuation (a run that ends early counts as seen once it ends);
// survival = the mean over samples and starts (K = a rollout that never left the observed runs).
// Not thread-safe (Run is const but uses a per-call PRNG; share nothing across threads).
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
  // Against the sampling floor (starts with >= 2 matching runs; floor_n of them).
  double floor = 0, tv_half = 0, above_floor = 0, above_lo = 0, above_hi = 0;
  uint64_t floor_n = 0;
};

struct RolloutResult {
  std::vector<RolloutPoint> points;  // k = 1..steps
  double survival = 0;               // mean steps before leaving every observed continuation
};

// Pure pieces, exposed for tests. Sequences are k-token prefixes joined with '\n'.
// ½ Σ_s |a(s) − b(s)| over the union of keys.
double Tv(const std::map<std::string, double>& a, const std::map<std::string, double>& b);
// [k-1]: the distribution of the first k tokens of `conts` (a shorter continuation counts whole).
std::vector<std::map<std::string, double>> KStepDistributions(const std::vector<std::vector<std::string>>& conts, int K);
// Leading steps j ≤ seen.size() of `seq` whose first j tokens are a key of seen[j-1].
int Survival(const std::vector<std::string>& seq, const std::vector<std::map<std::string, double>>& seen);

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

  RolloutResult Run(const model::Predictor& m) const;
  // The `oracle` row: floor(k) per k (tv = floor, legality 1), survival = steps of half A's runs.
  RolloutResult Floor() const;
  size_t starts() const;
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  RolloutOptions opt_;
  std::vector<std::unique_ptr<RolloutStart>> starts_;
  std::vector<std::string> notes_;
};

}  // namespace schedcast::eval
