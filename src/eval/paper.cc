#include "eval/paper.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "eval/scoring.h"

namespace schedcast::eval {

std::string_view PaperType(std::string_view token) {
  return kPaperTypes[PaperTypeIndex(token)];
}

std::string_view EventKind(std::string_view token) { return token.substr(0, token.find_first_of("( ")); }

int PaperTypeIndex(std::string_view token) {
  const std::string_view kind = EventKind(token);
  if (kind == "GoPreempt") return 5;
  for (int t = 0; t < kPaperTypeCount - 1; ++t)
    if (kind == kPaperTypes[t]) return t;
  return kPaperTypeCount - 1;
}

McNemarResult McNemar(uint64_t b, uint64_t c) {
  McNemarResult r;
  r.b = b, r.c = c;
  const uint64_t n = b + c;
  if (n == 0) return r;
  const double d = std::abs(static_cast<double>(b) - static_cast<double>(c)) - 1;
  r.chi2 = d > 0 ? d * d / static_cast<double>(n) : 0;
  // P[X <= k] for X ~ Bin(n, 1/2), summed in log space.
  const uint64_t k = std::min(b, c);
  double tail = 0;
  for (uint64_t i = 0; i <= k; ++i)
    tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
  r.p = std::min(1.0, 2 * tail);
  return r;
}

namespace {

int Bin(double conf, int bins) { return std::clamp(static_cast<int>(std::floor(conf * bins)), 0, bins - 1); }

double BinnedEce(const std::vector<std::pair<double, double>>& points, int bins) {  // (conf, acc), weight 1 each
  if (points.empty()) return 0;
  std::vector<double> n(bins, 0), conf(bins, 0), acc(bins, 0);
  for (const auto& [c, a] : points) {
    const int b = Bin(c, bins);
    n[b] += 1, conf[b] += c, acc[b] += a;
  }
  double e = 0;
  for (int b = 0; b < bins; ++b) e += std::abs(acc[b] - conf[b]) / static_cast<double>(points.size());
  return e;
}

using ojson = nlohmann::ordered_json;

}  // namespace

double EceOf(const std::vector<ScoredPrediction>& preds, int bins) {
  std::vector<std::pair<double, double>> pts;
  for (const auto& p : preds) pts.emplace_back(p.conf, p.hit ? 1.0 : 0.0);
  return BinnedEce(pts, bins);
}

double GroupEce(const std::vector<ScoredPrediction>& preds, int bins) {
  std::map<size_t, std::array<double, 3>> g;  // group → (n, conf sum, hit sum)
  for (const auto& p : preds) {
    auto& s = g[p.group];
    s[0] += 1, s[1] += p.conf, s[2] += p.hit;
  }
  std::vector<std::pair<double, double>> pts;
  for (const auto& [id, s] : g) pts.emplace_back(s[1] / s[0], s[2] / s[0]);
  return BinnedEce(pts, bins);
}

absl::StatusOr<ojson> PaperProtocol(const std::vector<const Row*>& rows, const std::vector<HeldOutRun>& runs) {
  // The positions: (run, step index, cut, group).
  struct Pos {
    const data::Example* ex;
    int truth;
    size_t group;
  };
  std::vector<Pos> pos;
  std::map<std::pair<std::string, int>, size_t> groups;
  std::map<std::string, size_t> runs_per_program;
  for (const HeldOutRun& r : runs) {
    if (r.steps.empty()) continue;
    ++runs_per_program[r.program];
    // Cut at a fraction of the run's steps (positions index the run's own token stream).
    const uint64_t n = r.steps.back().position + 1;
    for (int c = 0; c < 3; ++c) {
      const uint64_t at = static_cast<uint64_t>(std::floor(kPaperCuts[c] * static_cast<double>(n)));
      auto it = std::lower_bound(r.steps.begin(), r.steps.end(), at,
                                 [](const data::Example& e, uint64_t v) { return e.position < v; });
      if (it == r.steps.end()) continue;
      const size_t g = groups.try_emplace({r.program, c}, groups.size()).first->second;
      pos.push_back({&*it, PaperTypeIndex(it->label), g});
    }
  }
  if (pos.empty()) return absl::FailedPreconditionError("paper protocol: no held-out run has a step to score");
  std::array<uint64_t, kPaperTypeCount> truth_count{};
  for (const Pos& p : pos) ++truth_count[p.truth];
  const int majority = static_cast<int>(std::max_element(truth_count.begin(), truth_count.end()) - truth_count.begin());

  struct RowResult {
    std::string name;
    std::vector<ScoredPrediction> preds;
  };
  std::vector<RowResult> results;
  {
    RowResult m{Cat("majority (", kPaperTypes[majority], ")"), {}};
    for (const Pos& p : pos) m.preds.push_back({1.0, p.truth == majority, p.group});
    results.push_back(std::move(m));
  }
  for (const Row* row : rows) {
    RowResult rr{row->name, {}};
    for (const Pos& p : pos) {
      SC_ASSIGN_OR_RETURN(std::vector<double> probs, row->Predict(*p.ex, 0));
      std::array<double, kPaperTypeCount> mass{};
      for (size_t c = 0; c < probs.size(); ++c) mass[PaperTypeIndex(p.ex->candidates[c])] += probs[c];
      const int top = static_cast<int>(std::max_element(mass.begin(), mass.end()) - mass.begin());
      rr.preds.push_back({mass[top], top == p.truth, p.group});
    }
    results.push_back(std::move(rr));
  }

  ojson out;
  out["positions"] = pos.size();
  out["programs"] = runs_per_program.size();
  size_t nruns = 0;
  for (const auto& [p, n] : runs_per_program) nruns += n;
  out["runs"] = nruns;
  out["groups"] = groups.size();
  out["cuts"] = {0.25, 0.5, 0.75};
  out["majority_type"] = kPaperTypes[majority];
  ojson rj = ojson::array();
  for (const RowResult& r : results) {
    double hits = 0;
    for (const auto& p : r.preds) hits += p.hit;
    ojson by_type = ojson::object();
    for (int t = 0; t < kPaperTypeCount; ++t) {
      if (truth_count[t] == 0) continue;
      double h = 0;
      for (size_t i = 0; i < pos.size(); ++i) h += pos[i].truth == t && r.preds[i].hit;
      by_type[kPaperTypes[t]] = h / static_cast<double>(truth_count[t]);
    }
    rj.push_back({{"name", r.name},
                  {"accuracy", hits / static_cast<double>(pos.size())},
                  {"ece", EceOf(r.preds, 10)},
                  {"group_ece", GroupEce(r.preds, 10)},
                  {"by_type", by_type}});
  }
  out["rows"] = rj;
  ojson types = ojson::object();
  for (int t = 0; t < kPaperTypeCount; ++t)
    if (truth_count[t] > 0) types[kPaperTypes[t]] = truth_count[t];
  out["type_counts"] = types;
  ojson mc = ojson::array();
  for (size_t a = 0; a < results.size(); ++a)
    for (size_t b = a + 1; b < results.size(); ++b) {
      uint64_t only_a = 0, only_b = 0;
      for (size_t i = 0; i < pos.size(); ++i) {
        only_a += results[a].preds[i].hit && !results[b].preds[i].hit;
        only_b += !results[a].preds[i].hit && results[b].preds[i].hit;
      }
      const McNemarResult m = McNemar(only_a, only_b);
      mc.push_back({{"a", results[a].name}, {"b", results[b].name}, {"only_a", m.b}, {"only_b", m.c},
                    {"chi2", m.chi2}, {"p", m.p}});
    }
  out["mcnemar"] = mc;
  return out;
}

}  // namespace schedcast::eval
