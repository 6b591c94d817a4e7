// eval/scoring.h — per-example scores, pooled metrics, 15-bin reliability and the percentile
// bootstrap over programs.
//
// Definitions (docs/METRICS.md is the reference): for a probability vector p over an example's
// candidates, the observed label index y and the empirical target t (normalised counts):
//   hit   = argmax p == y            (ties → the first maximum)
//   top3  = y among the 3 largest p  (ties → earlier index first)
//   mode  = argmax p == argmax t     (both with ties → first maximum)
//   nll   = -ln max(p[y], 1e-12)
//   brier = Σ_i (p_i - 1[i == y])²
//   kl    = Σ_i t_i ln(t_i / max(p_i, 1e-12))   (terms with t_i = 0 are 0)
//   conf  = max p; bin = min(14, floor(conf * 15))
// ECE = Σ_b (n_b / N) |acc_b - conf_b| over the 15 bins. Sums holds everything a metric needs as
// additive totals, so programs can be pre-aggregated and a bootstrap resample costs O(programs).
// Thread-safe (pure functions; Sums is plain data).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace schedcast::eval {

inline constexpr int kBins = 15;
inline constexpr double kProbFloor = 1e-12;

struct ExampleScore {
  bool hit = false, top3 = false, mode = false;
  double nll = 0, brier = 0, kl = 0, conf = 0;
};

// p and target have one entry per candidate; label in [0, p.size()). p must sum to 1.
ExampleScore ScoreExample(std::span<const double> p, int label, std::span<const double> target);

// argmax with ties → first maximum; -1 for an empty vector.
int ArgMax(std::span<const double> v);

// The reliability bin of a confidence: [b/15, (b+1)/15), 1.0 (and anything above) in the last bin.
int BinOf(double conf);

// Additive totals over a set of examples.
struct Sums {
  double n = 0, hit = 0, top3 = 0, mode = 0, nll = 0, brier = 0, kl = 0;
  std::array<double, kBins> bin_n{}, bin_conf{}, bin_hit{};
  void Add(const ExampleScore& s);
  void Add(const Sums& o);
};

struct ReliabilityBin {
  double lo = 0, hi = 0;
  uint64_t count = 0;
  double confidence = 0;  // mean max-probability in the bin (0 when empty)
  double accuracy = 0;    // fraction of hits in the bin (0 when empty)
};

struct Metrics {
  uint64_t n = 0;
  double accuracy = 0, top3 = 0, mode_agreement = 0, nll = 0, brier = 0, kl = 0, ece = 0;
  std::array<ReliabilityBin, kBins> reliability{};
};

Metrics Finalize(const Sums& s);  // all zero when s.n == 0

// The metrics that get intervals, in a fixed order (names as in the eval JSON).
inline constexpr int kNumMetrics = 7;
inline constexpr const char* kMetricNames[kNumMetrics] = {"accuracy", "top3", "mode_agreement", "nll",
                                                          "brier",    "ece",  "kl"};
double MetricValue(const Metrics& m, int which);  // which indexes kMetricNames

struct Interval {
  double value = 0, lo = 0, hi = 0;
};

struct BootstrapOptions {
  int resamples = 1000;
  uint64_t seed = 1;
  double level = 0.95;
};

// Percentile bootstrap over groups (programs): each resample draws groups.size() groups with
// replacement, pools their Sums and recomputes every metric; lo/hi are the (1-level)/2 and
// (1+level)/2 quantiles (linear interpolation between order statistics). value is the metric over
// all groups pooled. Deterministic for a seed. With 0 resamples or no groups, lo = hi = value.
std::array<Interval, kNumMetrics> Bootstrap(const std::vector<Sums>& groups, const BootstrapOptions& opt);

// A tiny portable PRNG (splitmix64) so resamples are identical on every platform for a seed.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next();
  size_t Below(size_t n);  // uniform in [0, n); n > 0
  double Uniform();        // [0, 1)

 private:
  uint64_t s_;
};

// Per-program (macro) aggregation: every group (program) weighs 1. Normalized(s) scales a group's
// totals by 1/s.n (all zero when s.n == 0), so that Finalize of a sum of normalized groups gives the
// mean over groups of accuracy, top-3, NLL, Brier, KL, and the 15-bin ECE in which each group's
// examples weigh 1/n_group (bin counts become fractional weights; Metrics::n is then the number of
// groups). MacroGroups drops empty groups; Bootstrap(MacroGroups(g)) is the macro interval.
Sums Normalized(const Sums& s);
std::vector<Sums> MacroGroups(const std::vector<Sums>& groups);

// Quantile q in [0,1] of sorted values with linear interpolation (R's type 7).
double Quantile(const std::vector<double>& sorted, double q);

}  // namespace schedcast::eval
