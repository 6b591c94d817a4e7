#include "eval/scoring.h"

#include <algorithm>
#include <cmath>

namespace schedcast::eval {

int ArgMax(std::span<const double> v) {
  if (v.empty()) return -1;
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());  // first maximum
}

int BinOf(double conf) {
  if (!(conf > 0)) return 0;
  const int b = static_cast<int>(std::floor(conf * kBins));
  return std::min(kBins - 1, b);
}

ExampleScore ScoreExample(std::span<const double> p, int label, std::span<const double> target) {
  ExampleScore s;
  const int top = ArgMax(p);
  s.hit = top == label;
  s.mode = top >= 0 && top == ArgMax(target);
  // Rank of the label: how many candidates beat it (strictly larger, or equal at an earlier index).
  int better = 0;
  for (int i = 0; i < static_cast<int>(p.size()); ++i)
    if (p[i] > p[label] || (p[i] == p[label] && i < label)) ++better;
  s.top3 = better < 3;
  s.nll = -std::log(std::max(p[label], kProbFloor));
  for (size_t i = 0; i < p.size(); ++i) {
    const double d = p[i] - (static_cast<int>(i) == label ? 1.0 : 0.0);
    s.brier += d * d;
    if (i < target.size() && target[i] > 0) s.kl += target[i] * std::log(target[i] / std::max(p[i], kProbFloor));
  }
  s.conf = top >= 0 ? p[top] : 0;
  return s;
}

void Sums::Add(const ExampleScore& s) {
  n += 1, hit += s.hit, top3 += s.top3, mode += s.mode, nll += s.nll, brier += s.brier, kl += s.kl;
  const int b = BinOf(s.conf);
  bin_n[b] += 1, bin_conf[b] += s.conf, bin_hit[b] += s.hit;
}

void Sums::Add(const Sums& o) {
  n += o.n, hit += o.hit, top3 += o.top3, mode += o.mode, nll += o.nll, brier += o.brier, kl += o.kl;
  for (int b = 0; b < kBins; ++b) bin_n[b] += o.bin_n[b], bin_conf[b] += o.bin_conf[b], bin_hit[b] += o.bin_hit[b];
}

Metrics Finalize(const Sums& s) {
  Metrics m;
  for (int b = 0; b < kBins; ++b) {
    ReliabilityBin& r = m.reliability[b];
    r.lo = static_cast<double>(b) / kBins;
    r.hi = static_cast<double>(b + 1) / kBins;
    r.count = static_cast<uint64_t>(s.bin_n[b]);
    if (s.bin_n[b] > 0) r.confidence = s.bin_conf[b] / s.bin_n[b], r.accuracy = s.bin_hit[b] / s.bin_n[b];
  }
  if (s.n <= 0) return m;
  m.n = static_cast<uint64_t>(s.n);
  m.accuracy = s.hit / s.n, m.top3 = s.top3 / s.n, m.mode_agreement = s.mode / s.n;
  m.nll = s.nll / s.n, m.brier = s.brier / s.n, m.kl = s.kl / s.n;
  // Σ_b (n_b/N)|acc_b − conf_b| = Σ_b |hits_b − conf_sum_b| / N
  for (int b = 0; b < kBins; ++b) m.ece += std::abs(s.bin_hit[b] - s.bin_conf[b]) / s.n;
  return m;
}

double MetricValue(const Metrics& m, int which) {
  switch (which) {
    case 0: return m.accuracy;
    case 1: return m.top3;
    case 2: return m.mode_agreement;
    case 3: return m.nll;
    case 4: return m.brier;
    case 5: return m.ece;
    case 6: return m.kl;
  }
  return 0;
}

Sums Normalized(const Sums& s) {
  Sums o;
  if (s.n <= 0) return o;
  const double w = 1.0 / s.n;
  o.n = 1, o.hit = s.hit * w, o.top3 = s.top3 * w, o.mode = s.mode * w, o.nll = s.nll * w;
  o.brier = s.brier * w, o.kl = s.kl * w;
  for (int b = 0; b < kBins; ++b) o.bin_n[b] = s.bin_n[b] * w, o.bin_conf[b] = s.bin_conf[b] * w, o.bin_hit[b] = s.bin_hit[b] * w;
  return o;
}

std::vector<Sums> MacroGroups(const std::vector<Sums>& groups) {
  std::vector<Sums> out;
  for (const Sums& g : groups)
    if (g.n > 0) out.push_back(Normalized(g));
  return out;
}

uint64_t Rng::Next() {
  uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

size_t Rng::Below(size_t n) {
  // Multiply-shift: maps 64 random bits onto [0, n) (bias < n / 2^64).
  return static_cast<size_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double h = q * static_cast<double>(sorted.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(h));
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (h - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

std::array<Interval, kNumMetrics> Bootstrap(const std::vector<Sums>& groups, const BootstrapOptions& opt) {
  Sums all;
  for (const Sums& g : groups) all.Add(g);
  const Metrics point = Finalize(all);
  std::array<Interval, kNumMetrics> out;
  for (int k = 0; k < kNumMetrics; ++k) out[k] = {MetricValue(point, k), MetricValue(point, k), MetricValue(point, k)};
  if (groups.empty() || opt.resamples <= 0) return out;
  std::array<std::vector<double>, kNumMetrics> draws;
  for (auto& d : draws) d.reserve(opt.resamples);
  Rng rng(opt.seed);
  for (int r = 0; r < opt.resamples; ++r) {
    Sums s;
    for (size_t i = 0; i < groups.size(); ++i) s.Add(groups[rng.Below(groups.size())]);
    if (s.n <= 0) continue;  // every drawn program had no examples: no metric to record
    const Metrics m = Finalize(s);
    for (int k = 0; k < kNumMetrics; ++k) draws[k].push_back(MetricValue(m, k));
  }
  const double a = (1 - opt.level) / 2;
  for (int k = 0; k < kNumMetrics; ++k) {
    if (draws[k].empty()) continue;
    std::sort(draws[k].begin(), draws[k].end());
    out[k].lo = Quantile(draws[k], a);
    out[k].hi = Quantile(draws[k], 1 - a);
  }
  return out;
}

}  // namespace schedcast::eval
