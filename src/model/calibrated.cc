#include "model/calibrated.h"

#include <algorithm>
#include <cmath>

#include "model/context.h"
#include "model/io.h"

namespace schedcast::model {

namespace {

double Sigmoid(double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }

// The fine and coarse signatures of an example (calibrated.h).
std::pair<uint64_t, uint64_t> Signatures(const data::Example& ex) {
  std::vector<ParsedToken> ctx;
  const size_t from = ex.context.size() > 10 ? ex.context.size() - 10 : 0;
  for (size_t i = from; i < ex.context.size(); ++i) ctx.push_back(ParseToken(ex.context[i]));
  const std::string_view anchor = AnchorOf(ctx);
  std::vector<std::string> cands;
  cands.reserve(ex.candidates.size());
  for (const auto& c : ex.candidates) cands.push_back(RelativeToken(ParseToken(c), anchor));
  std::sort(cands.begin(), cands.end());
  uint64_t coarse = HashInt(kHashSeed, 0xC0A2);
  for (const auto& c : cands) coarse = HashBytes(coarse, c);
  uint64_t fine = HashInt(coarse, 0xF1E);
  for (int k = 1; k <= 2; ++k) {
    const int idx = static_cast<int>(ctx.size()) - k;
    fine = HashBytes(fine, idx >= 0 ? RelativeToken(ctx[idx], anchor) : std::string("<s>"));
  }
  return {fine, coarse};
}

// The (candidate type, fact) pair keys of candidate i ("-" when it has no facts).
template <typename F>
void ForEachFactKey(const data::Example& ex, size_t i, F&& f) {
  const uint64_t h = HashBytes(HashInt(kHashSeed, 0xFAC7), ParseToken(ex.candidates[i]).type);
  if (i >= ex.facts.size() || ex.facts[i].empty()) {
    f(HashBytes(h, "-"));
    return;
  }
  for (const auto& fact : ex.facts[i]) f(HashBytes(h, fact));
}

nlohmann::json CountsJson(const std::unordered_map<uint64_t, uint64_t>& m) {
  std::vector<std::pair<uint64_t, uint64_t>> v(m.begin(), m.end());
  std::sort(v.begin(), v.end());  // a stable file for the same data
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [k, n] : v) a.push_back({k, n});
  return a;
}

absl::Status CountsFromJson(const nlohmann::json& a, const char* what, std::unordered_map<uint64_t, uint64_t>* m) {
  if (!a.is_array()) return BadInputError(Cat("calibrated: support.", what, " is not an array"));
  for (const auto& e : a) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_number_unsigned() || !e[1].is_number_unsigned())
      return BadInputError(Cat("calibrated: a support.", what, " entry is not [hash, count]"));
    (*m)[e[0].get<uint64_t>()] = e[1].get<uint64_t>();
  }
  return absl::OkStatus();
}

}  // namespace

void SupportTable::Add(const data::Example& ex) {
  const auto [f, c] = Signatures(ex);
  ++fine_[f];
  ++coarse_[c];
  for (size_t i = 0; i < ex.candidates.size(); ++i) ForEachFactKey(ex, i, [&](uint64_t k) { ++facts_[k]; });
}

std::vector<double> SupportTable::FactSupport(const data::Example& ex) const {
  std::vector<double> out(ex.candidates.size());
  for (size_t i = 0; i < out.size(); ++i) {
    uint64_t least = UINT64_MAX;
    ForEachFactKey(ex, i, [&](uint64_t k) {
      const auto it = facts_.find(k);
      least = std::min<uint64_t>(least, it == facts_.end() ? 0 : it->second);
    });
    out[i] = std::log1p(static_cast<double>(least));
  }
  return out;
}

std::pair<uint64_t, uint64_t> SupportTable::Support(const data::Example& ex) const {
  const auto [f, c] = Signatures(ex);
  const auto fi = fine_.find(f);
  const auto ci = coarse_.find(c);
  return {fi == fine_.end() ? 0 : fi->second, ci == coarse_.end() ? 0 : ci->second};
}

nlohmann::json SupportTable::ToJson() const {
  return {{"fine", CountsJson(fine_)}, {"coarse", CountsJson(coarse_)}, {"facts", CountsJson(facts_)}};
}

absl::StatusOr<SupportTable> SupportTable::FromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("fine") || !j.contains("coarse"))
    return BadInputError("calibrated: support wants fields 'fine' and 'coarse'");
  SupportTable t;
  SC_RETURN_IF_ERROR(CountsFromJson(j["fine"], "fine", &t.fine_));
  SC_RETURN_IF_ERROR(CountsFromJson(j["coarse"], "coarse", &t.coarse_));
  if (j.contains("facts")) SC_RETURN_IF_ERROR(CountsFromJson(j["facts"], "facts", &t.facts_));  // version 1: none
  return t;
}

void MixProbabilities(const HeldOutRecord& r, const CalibrationParams& th, std::vector<double>* p) {
  const size_t n = r.logits.size();
  *p = r.logits;
  Softmax(*p, std::exp(std::clamp(th.log_t + th.d * std::log1p(r.s_fine) + th.f * r.l_facts, -6.0, 6.0)));
  if (n == 0) return;
  const double lambda =
      Sigmoid(th.a + th.b * std::log1p(r.s_fine) + th.c * std::log1p(r.s_coarse) + th.e * r.l_facts);
  const double mu = Sigmoid(th.m);
  const double u = 1.0 / static_cast<double>(n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const double q = (1 - mu) * r.backoff[i] + mu * u;
    sum += ((*p)[i] = (1 - lambda) * (*p)[i] + lambda * q);
  }
  for (double& x : *p) x /= sum;  // exact sums drift by rounding only; keep them at 1
}

CalibratedPredictor::CalibratedPredictor(std::unique_ptr<ScoredPredictor> base, std::unique_ptr<ScoredPredictor> backoff,
                                         SupportTable support, CalibrationParams params, nlohmann::json provenance)
    : base_(std::move(base)),
      backoff_(std::move(backoff)),
      support_(std::move(support)),
      params_(params),
      provenance_(std::move(provenance)) {}

HeldOutRecord CalibratedPredictor::Record(const data::Example& ex) const {
  HeldOutRecord r;
  base_->Logits(ex, &r.logits);
  r.backoff = backoff_->Predict(ex);
  const auto [f, c] = support_.Support(ex);
  r.s_fine = static_cast<double>(f);
  r.s_coarse = static_cast<double>(c);
  std::vector<double> pz = r.logits;
  Softmax(pz);
  const std::vector<double> fs = support_.FactSupport(ex);
  for (size_t i = 0; i < pz.size() && i < fs.size(); ++i) r.l_facts += pz[i] * fs[i];
  return r;
}

std::string PackageOf(const std::string& program) { return program.substr(0, program.rfind('.')); }

bool CalibratedPredictor::Familiar(const data::Example& ex) const {
  return familiar_.count(PackageOf(ex.program)) > 0;
}

std::vector<double> CalibratedPredictor::Predict(const data::Example& ex) const {
  if (Familiar(ex)) return base_->Predict(ex);  // the base's own temperature and top-label map
  std::vector<double> p;
  MixProbabilities(Record(ex), params_, &p);
  top_map().Apply(p);
  return p;
}

void CalibratedPredictor::PredictBatch(std::span<const data::Example* const> xs,
                                       std::vector<std::vector<double>>* out) const {
  out->resize(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) (*out)[i] = Predict(*xs[i]);
}

void CalibratedPredictor::Logits(const data::Example& ex, std::vector<double>* logits) const {
  if (Familiar(ex)) *logits = base_->Predict(ex);
  else MixProbabilities(Record(ex), params_, logits);
  for (double& x : *logits) x = std::log(std::max(x, 1e-300));
}

nlohmann::json CalibratedPredictor::Params() const {
  return {{"version", kCalibratedParamsVersion},
          {"theta",
           {{"log_t", params_.log_t},
            {"d", params_.d},
            {"a", params_.a},
            {"b", params_.b},
            {"c", params_.c},
            {"m", params_.m},
            {"e", params_.e},
            {"f", params_.f}}},
          {"calibration", provenance_},
          {"familiar", std::vector<std::string>(familiar_.begin(), familiar_.end())},
          {"base", ToFileJson(*base_)},
          {"backoff", ToFileJson(*backoff_)},
          {"support", support_.ToJson()}};
}

absl::StatusOr<std::unique_ptr<CalibratedPredictor>> CalibratedPredictor::FromParams(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number_integer())
    return BadInputError("calibrated: missing integer field 'version'");
  const int version = j["version"].get<int>();
  if (version < 1 || version > kCalibratedParamsVersion)
    return absl::FailedPreconditionError(Cat("calibrated: params version ", version, ", this schedcast reads versions 1 to ",
                                             kCalibratedParamsVersion, " (retrain the model)"));
  for (const char* f : {"theta", "base", "backoff", "support"})
    if (!j.contains(f)) return BadInputError(Cat("calibrated: missing field '", f, "'"));
  CalibrationParams th;
  const nlohmann::json& t = j["theta"];
  double* dst[] = {&th.log_t, &th.d, &th.a, &th.b, &th.c, &th.m, &th.e, &th.f};
  const char* names[] = {"log_t", "d", "a", "b", "c", "m", "e", "f"};
  for (int i = 0; i < (version == 1 ? 6 : CalibrationParams::kCount); ++i) {  // version 1: e = f = 0
    if (!t.is_object() || !t.contains(names[i]) || !t[names[i]].is_number() || !std::isfinite(t[names[i]].get<double>()))
      return BadInputError(Cat("calibrated: theta.", names[i], " is not a finite number"));
    *dst[i] = t[names[i]].get<double>();
  }
  absl::StatusOr<std::unique_ptr<Predictor>> base = FromFileJson(j["base"]);
  if (!base.ok()) return WithContext(base.status(), "calibrated: base");
  absl::StatusOr<std::unique_ptr<Predictor>> back = FromFileJson(j["backoff"]);
  if (!back.ok()) return WithContext(back.status(), "calibrated: backoff");
  auto* bs = dynamic_cast<ScoredPredictor*>(base->get());
  auto* bk = dynamic_cast<ScoredPredictor*>(back->get());
  if (bs == nullptr || bk == nullptr || (*base)->kind() == "calibrated" || (*back)->kind() == "calibrated")
    return BadInputError("calibrated: base and backoff must be plain scored models");
  SC_ASSIGN_OR_RETURN(SupportTable support, SupportTable::FromJson(j["support"]));
  std::set<std::string> familiar;  // version 1: none (every program gets the mixture)
  if (j.contains("familiar")) {
    if (!j["familiar"].is_array()) return BadInputError("calibrated: 'familiar' is not an array of package paths");
    for (const auto& f : j["familiar"]) {
      if (!f.is_string()) return BadInputError("calibrated: a 'familiar' entry is not a package path");
      familiar.insert(f.get<std::string>());
    }
  }
  (void)base->release();  // now owned through bs / bk
  (void)back->release();
  auto m = std::make_unique<CalibratedPredictor>(std::unique_ptr<ScoredPredictor>(bs), std::unique_ptr<ScoredPredictor>(bk),
                                                 std::move(support), th, j.value("calibration", nlohmann::json::object()));
  m->set_familiar(std::move(familiar));
  return m;
}

absl::StatusOr<std::map<std::string, std::string>> FamilyMap(const std::vector<std::string>& programs,
                                                             const std::string& by) {
  if (by != "package" && by != "folder")
    return absl::InvalidArgumentError(Cat("family '", by, "': want package or folder"));
  const auto& package = PackageOf;
  std::map<std::string, std::string> out;
  if (programs.empty()) return out;
  // Common prefix of the import paths, at '/' boundaries.
  std::string prefix = package(programs[0]) + "/";
  for (const auto& p : programs) {
    const std::string pk = package(p) + "/";
    size_t n = 0;
    while (n < prefix.size() && n < pk.size() && prefix[n] == pk[n]) ++n;
    prefix.resize(n);
  }
  prefix.resize(prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/') + 1);
  for (const auto& p : programs) {
    const std::string pk = package(p);
    if (by == "package" || pk.size() + 1 <= prefix.size()) {
      out[p] = pk;
      continue;
    }
    const std::string rest = pk.substr(prefix.size());
    out[p] = rest.substr(0, rest.find('/'));
  }
  return out;
}

}  // namespace schedcast::model
