#include "eval/rollout.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "data/dataset.h"
#include "eval/scoring.h"
#include "pipeline/run.h"
#include "sched/token.h"
#include "store/store.h"

namespace schedcast::eval {

struct RolloutStart {
  std::string program, config, level, key;
  sched::Level base_level = sched::Level::kGoroutine;
  uint64_t position = 0;
  sched::State state;                              // before the start step
  sched::Canonicalization canon;                   // of the start run
  std::unordered_map<uint64_t, int> children;      // raw parent → children created so far
  std::vector<std::string> context;                // the last context_len tokens before the step
  std::vector<std::map<std::string, double>> emp;  // [k-1]: k-token sequence → probability
  size_t matching_runs = 0;
  // The sampling floor (empty when fewer than 2 matching runs): halves A and B of the matching
  // runs' continuations, as k-step distributions, and A's continuations (for the oracle survival).
  size_t half_a = 0;
  std::vector<std::map<std::string, double>> emp_a, emp_b;
  std::vector<std::vector<std::string>> conts_a;
};

namespace {

constexpr uint64_t kFreshIdBase = 1ull << 48;  // raw ids for goroutines created during a rollout

struct TokenizedRun {
  int64_t run_id = 0;
  std::vector<std::string> tokens, base;  // dataset level; goroutine (or type) level
  std::vector<uint64_t> event_index;
};

struct Group {
  std::vector<TokenizedRun> runs;
  std::map<int64_t, pipeline::TokenizedRun> full;  // kept for replaying start states
};

std::string JoinFirst(const std::vector<std::string>& toks, size_t from, size_t k) {
  std::string s;
  for (size_t j = from; j < toks.size() && j < from + k; ++j) CatAppend(s, j > from ? "\n" : "", toks[j]);
  return s;
}

}  // namespace

double Tv(const std::map<std::string, double>& a, const std::map<std::string, double>& b) {
  double d = 0;
  for (const auto& [q, pa] : a) {
    auto it = b.find(q);
    d += std::abs(pa - (it == b.end() ? 0.0 : it->second));
  }
  for (const auto& [q, pb] : b)
    if (!a.count(q)) d += pb;
  return d / 2;
}

std::vector<std::map<std::string, double>> KStepDistributions(const std::vector<std::vector<std::string>>& conts, int K) {
  std::vector<std::map<std::string, double>> d(K);
  for (const auto& c : conts)
    for (int k = 1; k <= K; ++k) d[k - 1][JoinFirst(c, 0, k)] += 1.0 / static_cast<double>(conts.size());
  return d;
}

int Survival(const std::vector<std::string>& seq, const std::vector<std::map<std::string, double>>& seen) {
  int j = 0;
  while (j < static_cast<int>(seen.size()) && seen[j].count(JoinFirst(seq, 0, j + 1))) ++j;
  return j;
}

namespace {

struct MeanInterval {
  double mean = 0, lo = 0, hi = 0;
};

MeanInterval BootstrapMean(const std::vector<double>& xs, int resamples, uint64_t seed) {
  MeanInterval out;
  if (xs.empty()) return out;
  double sum = 0;
  for (double x : xs) sum += x;
  out.mean = out.lo = out.hi = sum / xs.size();
  if (resamples <= 0) return out;
  Rng rng(seed);
  std::vector<double> means;
  means.reserve(resamples);
  for (int r = 0; r < resamples; ++r) {
    double m = 0;
    for (size_t i = 0; i < xs.size(); ++i) m += xs[rng.Below(xs.size())];
    means.push_back(m / xs.size());
  }
  std::sort(means.begin(), means.end());
  out.lo = Quantile(means, 0.025);
  out.hi = Quantile(means, 0.975);
  return out;
}

sched::Event EventOf(const sched::Candidate& c, uint64_t fresh) {
  sched::Event e;
  e.kind = c.kind;
  switch (c.kind) {
    case sched::Kind::kGoCreate: e.g = c.g, e.peer = fresh; break;
    case sched::Kind::kGoUnblock: e.g = 0, e.peer = c.peer; break;
    case sched::Kind::kGoBlock: e.g = c.g, e.reason = c.reason; break;
    default: e.g = c.g; break;
  }
  return e;
}

}  // namespace

Rollouts::Rollouts() = default;
Rollouts::~Rollouts() = default;
Rollouts::Rollouts(Rollouts&&) noexcept = default;
Rollouts& Rollouts::operator=(Rollouts&&) noexcept = default;
size_t Rollouts::starts() const { return starts_.size(); }

absl::StatusOr<Rollouts> Rollouts::Prepare(const std::vector<data::Example>& examples, const RolloutOptions& opt) {
  Rollouts out;
  out.opt_ = opt;
  if (examples.empty() || opt.starts <= 0) return out;
  SC_ASSIGN_OR_RETURN(sched::Level level, sched::ParseLevel(examples[0].level));
  const sched::Level base_level = level == sched::Level::kSite ? sched::Level::kGoroutine : level;
  SC_ASSIGN_OR_RETURN(auto st, store::Store::OpenExisting(opt.store));
  SC_ASSIGN_OR_RETURN(std::vector<store::StoredRun> runs, st->ListRuns());

  // Candidate starts: round-robin over programs, seeded order within each.
  std::map<std::string, std::vector<size_t>> by_prog;
  for (size_t i = 0; i < examples.size(); ++i) by_prog[examples[i].program].push_back(i);
  Rng rng(opt.seed * 0x9e3779b97f4a7c15ULL + 17);
  for (auto& [p, v] : by_prog)
    for (size_t j = 0; j + 1 < v.size(); ++j) std::swap(v[j], v[j + rng.Below(v.size() - j)]);
  std::vector<size_t> order;
  for (size_t round = 0;; ++round) {
    bool any = false;
    for (auto& [p, v] : by_prog)
      if (round < v.size()) order.push_back(v[round]), any = true;
    if (!any) break;
  }

  std::map<std::pair<std::string, std::string>, Group> groups;
  pipeline::TokenizeOptions topt;
  topt.level = level;
  topt.include_runtime = opt.include_runtime;
  topt.leak_proofs = opt.leak_proofs;
  pipeline::SourceCache sources;
  auto load = [&](const std::string& program, const std::string& config) -> Group& {
    auto [it, fresh] = groups.try_emplace({program, config});
    if (!fresh) return it->second;
    std::vector<const store::StoredRun*> members;
    for (const auto& r : runs)
      // A dataset's configuration names perturbed runs "<config>/perturbed[-source|-both]" (data/dataset.h).
      if (store::ProgramKey(r.program) == program &&
          store::ConfigName(r.config) + store::PerturbSuffix(r.perturb) == config)
        members.push_back(&r);
    pipeline::LoadedRuns loaded = pipeline::LoadInputs(*st, members);
    for (pipeline::RunInput& in : loaded.inputs) {
      auto full = pipeline::Tokenize(in, topt, &sources);
      if (!full.ok()) continue;  // the dataset builder skipped (and reported) it too
      TokenizedRun tr;
      tr.run_id = in.run_id;
      for (const auto& s : full->steps) {
        tr.tokens.push_back(s.token);
        tr.base.push_back(base_level == level ? s.token : s.base_token);
        tr.event_index.push_back(s.event_index);
      }
      it->second.runs.push_back(std::move(tr));
      it->second.full.emplace(in.run_id, std::move(*full));
    }
    for (const auto& f : loaded.failures) out.notes_.push_back(Cat(program, " ", config, " ", f.Describe()));
    return it->second;
  };

  size_t no_match = 0, missing = 0;
  for (size_t idx : order) {
    if (out.starts_.size() >= static_cast<size_t>(opt.starts)) break;
    const data::Example& ex = examples[idx];
    Group& g = load(ex.program, ex.config);
    const TokenizedRun* self = nullptr;
    for (const auto& r : g.runs)
      if (r.run_id == ex.run_id) self = &r;
    const size_t i = ex.position;
    if (self == nullptr || i >= self->tokens.size()) {
      ++missing;
      continue;
    }
    auto s = std::make_unique<RolloutStart>();
    std::vector<std::vector<std::string>> conts;  // the matching runs' next opt.steps base tokens
    for (const auto& r : g.runs) {
      if (r.run_id == ex.run_id || r.tokens.size() <= i) continue;
      if (!std::equal(r.tokens.begin(), r.tokens.begin() + i, self->tokens.begin())) continue;
      conts.emplace_back(r.base.begin() + i, r.base.begin() + std::min(r.base.size(), i + opt.steps));
    }
    s->matching_runs = conts.size();
    if (s->matching_runs == 0) {
      ++no_match;
      continue;
    }
    auto dist_of = [&](size_t from, size_t to) {
      return KStepDistributions({conts.begin() + from, conts.begin() + to}, opt.steps);
    };
    s->emp = dist_of(0, conts.size());
    if (conts.size() >= 2) {
      Rng hrng(opt.seed * 0x51ed27u + out.starts_.size() * 7919 + i);
      for (size_t j = 0; j + 1 < conts.size(); ++j) std::swap(conts[j], conts[j + hrng.Below(conts.size() - j)]);
      s->half_a = conts.size() / 2;
      s->emp_a = dist_of(0, s->half_a);
      s->emp_b = dist_of(s->half_a, conts.size());
      s->conts_a.assign(conts.begin(), conts.begin() + s->half_a);
    }
    // The state before step i, replayed as sched::Tokenize does (leak proofs included).
    const pipeline::TokenizedRun& full = g.full.at(ex.run_id);
    auto state = pipeline::StateBefore(full, self->event_index[i], &s->children);
    if (!state.ok()) continue;  // cannot happen for a run that tokenized
    s->state = std::move(*state);
    s->program = ex.program;
    s->config = ex.config;
    s->level = ex.level;
    s->key = ex.key;
    s->base_level = base_level;
    s->position = i;
    s->canon = full.parsed.canon;
    const size_t from = i > opt.context_len ? i - opt.context_len : 0;
    s->context.assign(self->tokens.begin() + from, self->tokens.begin() + i);
    out.starts_.push_back(std::move(s));
  }
  if (no_match > 0)
    out.notes_.push_back(Cat(no_match, " candidate start positions skipped: no other run shares their token prefix"));
  if (missing > 0) out.notes_.push_back(Cat(missing, " candidate start positions skipped: run not found in the store"));
  return out;
}

RolloutResult Rollouts::Run(const model::Predictor& m) const {
  const int K = opt_.steps;
  RolloutResult res;
  std::vector<RolloutPoint>& pts = res.points;
  pts.resize(K);
  std::vector<uint64_t> legal(K, 0), sampled(K, 0);
  std::vector<std::vector<double>> tv(K), floor(K), half(K), above(K);  // per start
  // Every start's samples are drawn in the same order with the start's own PRNG as one start after
  // another would draw them; sample n of all starts advances in lockstep so that each step's
  // predictions go to the model as one batch (Predictor::PredictBatch).
  struct PerStart {
    Rng rng;
    std::vector<std::map<std::string, double>> model_dist, model_half;
    int half_n = 0;
    std::vector<double> survival;  // per sample
  };
  struct Live {  // one rollout in progress
    sched::State st;
    sched::Canonicalization canon;
    std::unordered_map<uint64_t, int> children;
    std::vector<std::string> context, seq;
    uint64_t fresh = kFreshIdBase;
    bool going = true;
    std::map<std::string, std::vector<sched::Candidate>> by_token;
    data::Example ex;
  };
  std::vector<PerStart> per;
  per.reserve(starts_.size());
  for (size_t si = 0; si < starts_.size(); ++si) {
    per.push_back(PerStart{Rng(opt_.seed * 0x2545f4914f6cdd1dULL + si), std::vector<std::map<std::string, double>>(K),
                           std::vector<std::map<std::string, double>>(K),
                           std::min<int>(opt_.samples, static_cast<int>(starts_[si]->half_a)), {}});
  }
  std::vector<Live> live(starts_.size());
  std::vector<const data::Example*> batch;
  std::vector<size_t> who;
  std::vector<std::vector<double>> probs;
  for (int n = 0; n < opt_.samples; ++n) {
    for (size_t si = 0; si < starts_.size(); ++si) {
      const RolloutStart& s = *starts_[si];
      Live& l = live[si];
      l.st = s.state;
      l.canon = s.canon;
      l.children = s.children;
      l.context = s.context;
      l.seq.clear();
      l.fresh = kFreshIdBase;
      l.going = true;
    }
    for (int j = 0; j < K; ++j) {
      batch.clear();
      who.clear();
      for (size_t si = 0; si < starts_.size(); ++si) {
        Live& l = live[si];
        if (!l.going) continue;
        const RolloutStart& s = *starts_[si];
        auto child_path = [&](uint64_t parent) { return Cat(l.canon.Of(parent).path, ".", l.children[parent]); };
        l.by_token.clear();
        for (const sched::Candidate& c : l.st.LegalNext()) {
          const uint64_t subject = c.kind == sched::Kind::kGoUnblock ? c.peer : c.g;
          if (!opt_.include_runtime && !l.canon.Of(subject).user) continue;
          l.by_token[sched::RenderToken(c, s.base_level, l.canon, child_path(c.g), "")].push_back(c);
        }
        if (l.by_token.empty()) {  // nothing can happen next: the rollout ends here
          l.going = false;
          continue;
        }
        data::Example& ex = l.ex;
        ex = data::Example();
        ex.program = s.program;
        ex.config = s.config;
        ex.level = s.level;
        ex.key = s.key;
        ex.position = s.position + j;
        ex.context_total = ex.position;
        const size_t from = l.context.size() > opt_.context_len ? l.context.size() - opt_.context_len : 0;
        ex.context.assign(l.context.begin() + from, l.context.end());
        ex.state = sched::StateKey(l.st, l.canon);
        for (const auto& [tok, cs] : l.by_token) ex.candidates.push_back(tok);
        ex.target_counts.assign(ex.candidates.size(), 0);
        batch.push_back(&ex);
        who.push_back(si);
      }
      if (batch.empty()) break;
      m.PredictBatch(batch, &probs);
      for (size_t b = 0; b < who.size(); ++b) {
        Live& l = live[who[b]];
        const RolloutStart& s = *starts_[who[b]];
        Rng& rng = per[who[b]].rng;
        const data::Example& ex = l.ex;
        const std::vector<double>& p = probs[b];
        double u = rng.Uniform(), acc = 0;
        size_t pick = p.size() - 1;
        for (size_t c = 0; c < p.size(); ++c) {
          acc += p[c];
          if (u < acc) {
            pick = c;
            break;
          }
        }
        const std::string& tok = ex.candidates[pick];
        const auto& cs = l.by_token[tok];
        const sched::Candidate& c = cs[cs.size() == 1 ? 0 : rng.Below(cs.size())];
        const sched::Event e = EventOf(c, l.fresh);
        ++sampled[j];
        const bool ok = l.st.Matches(e);
        l.seq.push_back(tok);
        if (!ok) {  // an illegal step: counted, and the rollout cannot continue
          l.going = false;
          continue;
        }
        ++legal[j];
        if (e.kind == sched::Kind::kGoCreate) {
          l.canon.ids[l.fresh] =
              sched::CanonicalId{Cat(l.canon.Of(e.g).path, ".", l.children[e.g]), "", l.canon.Of(e.g).user};
          ++l.children[e.g];
          ++l.fresh;
        }
        (void)l.st.Apply(e, s.position + j);
        l.context.push_back(tok);
      }
    }
    for (size_t si = 0; si < starts_.size(); ++si) {
      PerStart& ps = per[si];
      const std::vector<std::string>& seq = live[si].seq;
      for (int k = 1; k <= K; ++k) ps.model_dist[k - 1][JoinFirst(seq, 0, k)] += 1.0 / opt_.samples;
      if (n < ps.half_n)
        for (int k = 1; k <= K; ++k) ps.model_half[k - 1][JoinFirst(seq, 0, k)] += 1.0 / ps.half_n;
      ps.survival.push_back(Survival(seq, starts_[si]->emp));
    }
  }
  double survived = 0;
  uint64_t survival_n = 0;
  for (size_t si = 0; si < starts_.size(); ++si) {
    const RolloutStart& s = *starts_[si];
    const PerStart& ps = per[si];
    for (double v : ps.survival) survived += v, ++survival_n;  // summed in the order of one start at a time
    for (int k = 0; k < K; ++k) {
      tv[k].push_back(Tv(ps.model_dist[k], s.emp[k]));
      if (ps.half_n == static_cast<int>(s.half_a) && ps.half_n > 0) {  // enough samples for the same sample size
        floor[k].push_back(Tv(s.emp_a[k], s.emp_b[k]));
        half[k].push_back(Tv(ps.model_half[k], s.emp_b[k]));
        above[k].push_back(half[k].back() - floor[k].back());
      }
    }
  }
  res.survival = survival_n ? survived / survival_n : 0;
  for (int k = 0; k < K; ++k) {
    RolloutPoint& pt = pts[k];
    pt.k = k + 1;
    pt.n = tv[k].size();
    uint64_t l = 0, n = 0;
    for (int j = 0; j <= k; ++j) l += legal[j], n += sampled[j];
    pt.sampled_steps = n;
    pt.legality = n ? static_cast<double>(l) / n : 1.0;
    if (tv[k].empty()) continue;
    const MeanInterval t = BootstrapMean(tv[k], opt_.bootstrap, opt_.seed + 1000003 * (k + 1));
    pt.tv = t.mean, pt.tv_lo = t.lo, pt.tv_hi = t.hi;
    pt.floor_n = floor[k].size();
    if (floor[k].empty()) continue;
    pt.floor = BootstrapMean(floor[k], 0, 0).mean;
    pt.tv_half = BootstrapMean(half[k], 0, 0).mean;
    const MeanInterval a = BootstrapMean(above[k], opt_.bootstrap, opt_.seed + 2000003 * (k + 1));
    pt.above_floor = a.mean, pt.above_lo = a.lo, pt.above_hi = a.hi;
  }
  return res;
}

RolloutResult Rollouts::Floor() const {
  const int K = opt_.steps;
  RolloutResult res;
  std::vector<std::vector<double>> floor(K);
  double survived = 0;
  uint64_t survival_n = 0;
  for (const auto& sp : starts_) {
    const RolloutStart& s = *sp;
    if (s.half_a == 0 || s.half_a > static_cast<size_t>(opt_.samples)) continue;  // as in Run
    for (int k = 0; k < K; ++k) floor[k].push_back(Tv(s.emp_a[k], s.emp_b[k]));
    for (const auto& c : s.conts_a) survived += Survival(c, s.emp_b), ++survival_n;
  }
  res.survival = survival_n ? survived / survival_n : 0;
  for (int k = 0; k < K; ++k) {
    RolloutPoint pt;
    pt.k = k + 1;
    pt.legality = 1;
    pt.n = pt.floor_n = floor[k].size();
    const MeanInterval f = BootstrapMean(floor[k], opt_.bootstrap, opt_.seed + 1000003 * (k + 1));
    pt.tv = pt.floor = pt.tv_half = f.mean, pt.tv_lo = f.lo, pt.tv_hi = f.hi;
    res.points.push_back(pt);
  }
  return res;
}

}  // namespace schedcast::eval
