#include "model/neural_encoder.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "data/program_facts.h"
#include "model/context.h"

namespace schedcast::model {

nlohmann::json NeuralConfig::ToJson() const {
  // "all" is written out as the groups it means today, so that groups added later are not read by
  // a model trained without them.
  const std::string groups = facts == "all" ? data::FactGroupsJoined() : facts;
  return {{"embed", embed},           {"hidden", hidden},     {"context", context},
          {"vocab_bits", vocab_bits}, {"feature_bits", feature_bits}, {"features_per_candidate", features},
          {"tokens", "relative-v1"},  {"structured_features", "v1"}, {"facts", groups},
          {"fact_slots", fact_slots}};
}

absl::StatusOr<NeuralConfig> NeuralConfig::FromJson(const nlohmann::json& j, int version) {
  NeuralConfig c;
  if (!j.is_object()) return BadInputError("neural: 'config' is not an object");
  for (auto [name, field, lo, hi] : {std::tuple{"embed", &c.embed, 1, 1024}, {"hidden", &c.hidden, 1, 4096},
                                     {"context", &c.context, 1, 4096}, {"vocab_bits", &c.vocab_bits, 4, 24},
                                     {"feature_bits", &c.feature_bits, 4, 24},
                                     {"features_per_candidate", &c.features, 1, 1024}}) {
    if (!j.contains(name) || !j[name].is_number_integer())
      return BadInputError(Cat("neural: config field '", name, "' missing or not an integer"));
    *field = j[name].get<int>();
    if (*field < lo || *field > hi)
      return BadInputError(Cat("neural: config ", name, " = ", *field, " out of range ", lo, "..", hi));
  }
  if (j.value("tokens", "") != "relative-v1" || j.value("structured_features", "") != "v1")
    return BadInputError("neural: token scheme / structured feature set is not relative-v1 / v1");
  if (version == 1) {
    // Version 1 featurized with the structured model's default groups of its time, truncated.
    c.facts = "next,partner,loop,create";
    c.fact_slots = 0;
    return c;
  }
  if (!j.contains("facts") || !j["facts"].is_string() || !j.contains("fact_slots") ||
      !j["fact_slots"].is_number_integer())
    return BadInputError(Cat("neural: parameter version ", version, " wants config fields 'facts' (string) and 'fact_slots' (integer)"));
  c.facts = j["facts"].get<std::string>();
  // Files that wrote "all" were written before the wake group existed.
  if (c.facts == "all") c.facts = "next,partner,loop,create,buffer";
  SC_RETURN_IF_ERROR(StructuredPredictor::CheckFacts(c.facts));
  c.fact_slots = j["fact_slots"].get<int>();
  if (c.fact_slots < 0 || 2 * c.fact_slots >= c.features)
    return BadInputError(Cat("neural: config fact_slots = ", c.fact_slots, " does not fit features_per_candidate = ", c.features));
  return c;
}

int NeuralEncoder::BaseFeaturesPerCandidate(const data::Example& ex) {
  const StructuredPredictor base(4, "none", NeuralEncoder::kFeatureSet);
  std::vector<uint32_t> f, off;
  base.Featurize(ex, &f, &off);
  return off.size() >= 2 ? static_cast<int>(off[1] - off[0]) : 0;
}

int NeuralEncoder::MaxFacts(const std::vector<data::Example>& xs, const std::string& facts, int cap) {
  if (facts == "none") return 0;
  std::vector<std::string> groups = data::FactGroups();
  if (facts != "all") {
    groups.clear();
    for (size_t i = 0; i <= facts.size();) {
      const size_t j = std::min(facts.find(',', i), facts.size());
      groups.push_back(facts.substr(i, j - i));
      i = j + 1;
    }
  }
  int most = 0;
  for (const auto& ex : xs)
    for (const auto& per : ex.facts) {
      int n = 0;
      for (const auto& f : per)
        n += std::find(groups.begin(), groups.end(), data::FactGroup(f)) != groups.end();
      most = std::max(most, std::min(n, cap));
    }
  return most;
}

void NeuralEncoder::Add(const data::Example& ex, const Objective* obj, NeuralBatch* b) const {
  const size_t nc = ex.candidates.size();
  thread_local std::vector<ParsedToken> parsed;
  parsed.clear();
  for (const auto& t : ex.context) parsed.push_back(ParseToken(t));
  const std::string_view anchor = AnchorOf(parsed);
  const size_t n = static_cast<size_t>(c_.context);
  const size_t have = std::min(n, parsed.size());
  b->ctx.insert(b->ctx.end(), n - have, 0);  // left padding
  for (size_t i = parsed.size() - have; i < parsed.size(); ++i) b->ctx.push_back(TokenId(RelativeToken(parsed[i], anchor)));
  b->ex_off.push_back(static_cast<uint32_t>(b->cand_tok.size()));
  thread_local std::vector<uint32_t> f, off;
  f.clear();
  fz_.Featurize(ex, &f, &off);
  for (size_t i = 0; i < nc; ++i) {
    b->cand_ex.push_back(static_cast<int64_t>(b->n));
    b->cand_tok.push_back(TokenId(RelativeToken(ParseToken(ex.candidates[i]), anchor)));
    const uint32_t k0 = off[i], k1 = off[i + 1];
    for (int k = 0; k < c_.features; ++k)
      b->feats.push_back(k0 + k < k1 ? static_cast<int64_t>(f[k0 + k]) : int64_t{1} << c_.feature_bits);
  }
  if (obj) {
    thread_local std::vector<double> w;
    w.assign(nc, 0.0);
    obj->Weights(ex, w);
    double cst = 0;
    if (obj->name() == "kl")
      for (double t : w)
        if (t > 0) cst += t * std::log(t);
    b->loss_const.push_back(cst);
    for (double x : w) b->w.push_back(static_cast<float>(x));
  }
  ++b->n;
}

int64_t NeuralEncoder::TokenId(const std::string& rel) const {
  const uint64_t h = HashBytes(kHashSeed, rel);
  return 1 + static_cast<int64_t>(h % ((uint64_t{1} << c_.vocab_bits) - 1));
}

}  // namespace schedcast::model
