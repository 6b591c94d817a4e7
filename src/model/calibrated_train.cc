// model/calibrated_train.cc — fitting the calibration wrapper (calibrated.h) on families held out
// from training, and its registry entry ("calibrated": options base, backoff, folds, family,
// base_options, seed).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "model/calibrated.h"
#include "model/context.h"
#include "model/registry.h"
#include "model/train.h"

namespace schedcast::model {

namespace {

struct CalibratedOptions {
  // "auto": folders where there are at least as many as folds — held-out folds of whole folders are
  // less like the training data than folds of sibling packages, as a user's program is
  // (docs/BENCHMARKS.md, round 7) — else packages (two folders fit θ on two coarse folds only).
  std::string base = "structured", backoff = "ngram", family = "auto";
  int folds = 4;
  nlohmann::json base_options = nlohmann::json::object();
  uint64_t seed = 1;
};

// Trains one sub-model of kind `name` with `given` options (+ the seed where the kind has one).
absl::StatusOr<std::unique_ptr<ScoredPredictor>> TrainSub(const std::string& name, nlohmann::json given, uint64_t seed,
                                                          const std::vector<data::Example>& train,
                                                          const std::vector<data::Example>& val, const Objective& obj,
                                                          const std::string& objective_name) {
  SC_ASSIGN_OR_RETURN(const ModelKind* kind, FindKind(name));
  if (name == "calibrated") return absl::InvalidArgumentError("calibrated: a calibrated model cannot wrap another");
  for (const OptionSpec& o : kind->options)
    if (o.name == "seed" && !given.contains("seed")) given["seed"] = seed;
  SC_ASSIGN_OR_RETURN(nlohmann::json hyper, ResolveOptions(*kind, given));
  SC_ASSIGN_OR_RETURN(std::unique_ptr<ScoredPredictor> m, kind->train(TrainInput{train, val, obj, nullptr}, hyper));
  m->meta().kind = name;
  m->meta().objective = kind->fitted ? objective_name : "";
  m->meta().hyper = std::move(hyper);
  m->meta().train_examples = train.size();
  m->meta().validation_examples = val.size();
  if (!train.empty()) m->meta().level = train[0].level, m->meta().key = train[0].key;
  return m;
}

struct Scored {
  HeldOutRecord r;
  const data::Example* ex;
  // 1 / (examples of its program × programs of its family in its fold): every family weighs 1, and
  // every program the same within it — a family of many programs must not set θ for the others.
  double weight;
};

double Loss(const std::vector<Scored>& xs, const CalibrationParams& th, const Objective& obj) {
  double s = 0, w = 0;
  std::vector<double> p;
  for (const Scored& x : xs) {
    MixProbabilities(x.r, th, &p);
    s += x.weight * obj.Compute(p, *x.ex, {});
    w += x.weight;
  }
  return w > 0 ? s / w : 0;
}

// θ kept within range (the loss is flat beyond): |t| <= 4, the temperature slopes |d|, |f| <= 2, the
// weight logits and slopes (a, b, c, m, e) within ±30.
std::array<double, CalibrationParams::kCount> Clamp(std::array<double, CalibrationParams::kCount> v) {
  v[0] = std::clamp(v[0], -4.0, 4.0);
  v[1] = std::clamp(v[1], -2.0, 2.0);
  for (size_t i = 2; i <= 6; ++i) v[i] = std::clamp(v[i], -30.0, 30.0);
  v[7] = std::clamp(v[7], -2.0, 2.0);
  return v;
}

// Nelder–Mead over θ from `start`, `iters` iterations at most.
CalibrationParams Minimise(const std::vector<Scored>& xs, const Objective& obj, const CalibrationParams& start,
                           int iters, double* best_loss) {
  constexpr int n = CalibrationParams::kCount;
  using V = std::array<double, n>;
  auto f = [&](const V& v) {
    // Keep the temperature within e^±4 and the logits of the weights within ±30 (flat beyond).
    return Loss(xs, CalibrationParams::FromArray(Clamp(v)), obj);
  };
  std::vector<V> s(n + 1, start.ToArray());
  // Initial steps: the support slopes multiply ln(1+s), up to ~12 on a corpus.
  constexpr V step = {1.0, 0.1, 1.0, 0.3, 0.3, 1.0, 0.3, 0.1};
  for (int i = 0; i < n; ++i) s[i + 1][i] += step[i];
  std::vector<double> fs(n + 1);
  for (int i = 0; i <= n; ++i) fs[i] = f(s[i]);
  for (int it = 0; it < iters; ++it) {
    std::vector<int> idx(n + 1);
    for (int i = 0; i <= n; ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](int x, int y) { return fs[x] < fs[y]; });
    std::vector<V> s2(n + 1);
    std::vector<double> f2(n + 1);
    for (int i = 0; i <= n; ++i) s2[i] = s[idx[i]], f2[i] = fs[idx[i]];
    s = s2, fs = f2;
    if (fs[n] - fs[0] < 1e-9) break;
    V cen{};
    for (int i = 0; i < n; ++i)
      for (int d = 0; d < n; ++d) cen[d] += s[i][d] / n;
    auto along = [&](double t) {
      V v;
      for (int d = 0; d < n; ++d) v[d] = cen[d] + t * (s[n][d] - cen[d]);
      return v;
    };
    const V xr = along(-1);
    const double fr = f(xr);
    if (fr < fs[0]) {
      const V xe = along(-2);
      const double fe = f(xe);
      if (fe < fr) s[n] = xe, fs[n] = fe;
      else s[n] = xr, fs[n] = fr;
    } else if (fr < fs[n - 1]) {
      s[n] = xr, fs[n] = fr;
    } else {
      const V xc = fr < fs[n] ? along(-0.5) : along(0.5);
      const double fc = f(xc);
      if (fc < std::min(fr, fs[n])) {
        s[n] = xc, fs[n] = fc;
      } else {
        for (int i = 1; i <= n; ++i) {
          for (int d = 0; d < n; ++d) s[i][d] = s[0][d] + 0.5 * (s[i][d] - s[0][d]);
          fs[i] = f(s[i]);
        }
      }
    }
  }
  const int best = static_cast<int>(std::min_element(fs.begin(), fs.end()) - fs.begin());
  *best_loss = fs[best];
  return CalibrationParams::FromArray(Clamp(s[best]));
}

std::vector<std::string> ProgramsOf(const std::vector<data::Example>& a, const std::vector<data::Example>& b) {
  std::set<std::string> s;
  for (const auto* v : {&a, &b})
    for (const auto& e : *v) s.insert(e.program);
  return {s.begin(), s.end()};
}

absl::StatusOr<std::unique_ptr<CalibratedPredictor>> TrainCalibrated(const TrainInput& in, const CalibratedOptions& o,
                                                                     const std::string& objective_name) {
  std::ostream* log = in.progress;
  if (o.folds < 2) return absl::InvalidArgumentError(Cat("calibrated: folds ", o.folds, " (want >= 2)"));
  const std::vector<std::string> programs = ProgramsOf(in.train, in.validation);
  std::string by = o.family;
  if (by == "auto") {
    SC_ASSIGN_OR_RETURN(auto folders, FamilyMap(programs, "folder"));
    std::set<std::string> distinct;
    for (const auto& [p, f] : folders) distinct.insert(f);
    by = static_cast<int>(distinct.size()) >= o.folds ? "folder" : "package";
    if (log)
      *log << "calibrated: families by " << by << " (" << distinct.size() << " folder famil"
           << (distinct.size() == 1 ? "y" : "ies") << ", " << o.folds << " folds)\n";
  }
  SC_ASSIGN_OR_RETURN(auto fam, FamilyMap(programs, by));
  std::set<std::string> fam_set;
  for (const auto& [p, f] : fam) fam_set.insert(f);
  if (fam_set.size() < 2)
    return absl::FailedPreconditionError(
        Cat("calibrated: the training data has ", fam_set.size(), " ", by, " famil", fam_set.size() == 1 ? "y" : "ies",
            "; family-held-out calibration needs at least 2",
            by == "folder" ? " (try --family package)" : " (train on programs of two packages or more)"));
  // Families to folds: a seeded hash order, dealt round-robin.
  std::vector<std::string> fams(fam_set.begin(), fam_set.end());
  const uint64_t salt = HashInt(kHashSeed, o.seed);
  std::sort(fams.begin(), fams.end(), [&](const std::string& x, const std::string& y) {
    const uint64_t hx = HashBytes(salt, x), hy = HashBytes(salt, y);
    return hx != hy ? hx < hy : x < y;
  });
  const int k_folds = std::min<int>(o.folds, static_cast<int>(fams.size()));
  std::map<std::string, int> fold_of;
  for (size_t i = 0; i < fams.size(); ++i) fold_of[fams[i]] = static_cast<int>(i % k_folds);
  auto fold = [&](const data::Example& e) { return fold_of.at(fam.at(e.program)); };

  std::vector<Scored> scored;
  nlohmann::json folds = nlohmann::json::array();
  for (int k = 0; k < k_folds; ++k) {
    std::vector<data::Example> tr, va;
    std::vector<const data::Example*> ho;
    for (const auto& e : in.train) (fold(e) == k ? ho.push_back(&e) : tr.push_back(e));
    for (const auto& e : in.validation) (fold(e) == k ? ho.push_back(&e) : va.push_back(e));
    std::set<std::string> held, trained;
    for (const auto* e : ho) held.insert(fam.at(e->program));
    for (const auto* v : {&tr, &va})
      for (const auto& e : *v) trained.insert(fam.at(e.program));
    if (tr.empty() || ho.empty()) {
      if (log) *log << "calibrated: fold " << k + 1 << "/" << k_folds << " skipped (no training or no held-out examples)\n";
      continue;
    }
    if (log)
      *log << "calibrated: fold " << k + 1 << "/" << k_folds << ": " << o.base << " + " << o.backoff << " on " << tr.size()
           << " examples of " << trained.size() << " families, scoring " << ho.size() << " examples of " << held.size()
           << " held-out families\n";
    SC_ASSIGN_OR_RETURN(auto base, TrainSub(o.base, o.base_options, o.seed, tr, va, in.objective, objective_name));
    SC_ASSIGN_OR_RETURN(auto back, TrainSub(o.backoff, nlohmann::json::object(), o.seed, tr, va, in.objective, objective_name));
    SupportTable sup;
    for (const auto& e : tr) sup.Add(e);
    const CalibratedPredictor fold_model(std::move(base), std::move(back), std::move(sup), {}, {});
    std::map<std::string, size_t> per_prog, per_fam;
    for (const auto* e : ho)
      if (per_prog[e->program]++ == 0) ++per_fam[fam.at(e->program)];
    for (const auto* e : ho)
      scored.push_back({fold_model.Record(*e), e, 1.0 / (per_prog[e->program] * per_fam[fam.at(e->program)])});
    folds.push_back({{"held_out", std::vector<std::string>(held.begin(), held.end())},
                     {"trained_on", std::vector<std::string>(trained.begin(), trained.end())},
                     {"train_examples", tr.size()},
                     {"held_out_examples", ho.size()}});
  }
  if (scored.empty()) return absl::FailedPreconditionError("calibrated: no fold had held-out examples to fit on");

  // θ: Nelder–Mead from a few starts (no backoff; some backoff by support; backoff unless the facts are familiar).
  const CalibrationParams none;
  const double loss_none = Loss(scored, none, in.objective);
  CalibrationParams best = none;
  double best_loss = loss_none;
  for (const CalibrationParams& start : {CalibrationParams{0, 0, -2, 0, 0, -2, 0, 0}, CalibrationParams{0.5, 0, 1, -0.5, 0, 0, 0, 0},
                                         CalibrationParams{0, 0, -30, 0, 0, -30, 0, 0}, CalibrationParams{0, 0, 2, 0, 0, -2, -0.5, 0}}) {
    double l = 0;
    const CalibrationParams th = Minimise(scored, in.objective, start, 600, &l);
    if (l < best_loss) best_loss = l, best = th;
  }
  if (log) {
    char line[320];
    std::snprintf(line, sizeof line,
                  "calibrated: held-out loss %.4f uncalibrated, %.4f fitted (t %.3f, d %.3f, a %.3f, b %.3f, c %.3f, m %.3f, "
                  "e %.3f, f %.3f) on %zu examples\n",
                  loss_none, best_loss, best.log_t, best.d, best.a, best.b, best.c, best.m, best.e, best.f, scored.size());
    *log << line;
  }
  // The top-label map, on the same held-out scores under θ (the same weights: each family 1).
  TopMap::Points points;
  std::vector<double> p;
  for (const Scored& x : scored) {
    MixProbabilities(x.r, best, &p);
    points.Add(p, x.ex->label_index(), x.weight);
  }
  TopMap top_map = points.Fit();
  if (log) *log << "calibrated: top-label map of " << top_map.knots().size() << " knots\n";
  nlohmann::json prov = {{"family_by", by},
                         {"folds", folds},
                         {"held_out_examples", scored.size()},
                         {"held_out_loss_uncalibrated", loss_none},
                         {"held_out_loss", best_loss}};

  // The final models on all the training data.
  if (log) *log << "calibrated: final " << o.base << " + " << o.backoff << " on " << in.train.size() << " examples\n";
  SC_ASSIGN_OR_RETURN(auto base, TrainSub(o.base, o.base_options, o.seed, in.train, in.validation, in.objective, objective_name));
  SC_ASSIGN_OR_RETURN(auto back, TrainSub(o.backoff, nlohmann::json::object(), o.seed, in.train, in.validation, in.objective,
                                          objective_name));
  SupportTable sup;
  for (const auto& e : in.train) sup.Add(e);
  // Programs of the training data's packages get the base's own calibration, fitted on validation.
  std::set<std::string> familiar;
  if (!in.validation.empty()) {  // without a validation split nothing is fitted: every program gets the mixture
    for (const auto& p : ProgramsOf(in.train, in.validation)) familiar.insert(PackageOf(p));
    const double t = FitTemperature(*base, in.validation, in.objective);
    const TopMap& tm = FitTopMap(*base, in.validation);
    if (log)
      *log << "calibrated: familiar packages (" << familiar.size() << "): base temperature " << t << ", top-label map of "
           << tm.knots().size() << " knots on " << in.validation.size() << " validation examples\n";
  }
  auto m = std::make_unique<CalibratedPredictor>(std::move(base), std::move(back), std::move(sup), best, std::move(prov));
  m->set_top_map(std::move(top_map));
  m->set_familiar(std::move(familiar));
  return m;
}

}  // namespace

ModelKind CalibratedKind() {
  const CalibratedOptions d;
  ModelKind k;
  k.name = "calibrated";
  k.summary = "any model with backoff and temperature fitted on program families held out from training";
  k.own_calibration = true;
  k.options = {{"seed", "seed of the fold assignment and the wrapped models", d.seed},
               {"base", "the model kind to calibrate", d.base, {"freq", "ngram", "structured", "neural"}},
               {"backoff", "the simpler model to back off to", d.backoff, {"uniform", "freq", "ngram"}},
               {"folds", "family folds for held-out fitting", d.folds},
               {"family", "what groups programs into families (auto: folders if at least as many as folds, else packages)",
                d.family, {"auto", "package", "folder"}},
               {"base_options", "the base kind's options as a JSON object", std::string("{}")}};
  k.train = [](const TrainInput& in, const nlohmann::json& opt) -> absl::StatusOr<std::unique_ptr<ScoredPredictor>> {
    CalibratedOptions o;
    o.seed = opt.at("seed").get<uint64_t>();
    o.base = opt.at("base").get<std::string>();
    o.backoff = opt.at("backoff").get<std::string>();
    o.folds = opt.at("folds").get<int>();
    o.family = opt.at("family").get<std::string>();
    o.base_options = nlohmann::json::parse(opt.at("base_options").get<std::string>(), nullptr, false);
    if (!o.base_options.is_object())
      return absl::InvalidArgumentError(Cat("calibrated: base_options '", opt.at("base_options").get<std::string>(),
                                            "' is not a JSON object"));
    auto m = TrainCalibrated(in, o, std::string(in.objective.name()));
    if (!m.ok()) return m.status();
    return std::unique_ptr<ScoredPredictor>(std::move(*m));
  };
  k.load = [](const nlohmann::json& p) { return AsScored(CalibratedPredictor::FromParams(p)); };
  return k;
}

}  // namespace schedcast::model
