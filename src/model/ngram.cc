#include "model/ngram.h"

#include <cmath>
#include <map>

#include "model/context.h"
#include "model/registry.h"

namespace schedcast::model {

namespace {

// History keys for k = 0..order: "" , "t[-1]", "t[-2] | t[-1]", …
std::vector<std::string> Histories(const data::Example& ex, int order, std::string_view* anchor_out,
                                   std::vector<ParsedToken>* parsed) {
  parsed->clear();
  const size_t from = ex.context.size() > static_cast<size_t>(order) + 8 ? ex.context.size() - order - 8 : 0;
  for (size_t i = from; i < ex.context.size(); ++i) parsed->push_back(ParseToken(ex.context[i]));
  const std::string_view anchor = AnchorOf(*parsed);
  *anchor_out = anchor;
  std::vector<std::string> h(order + 1);
  std::string acc;
  for (int k = 1; k <= order; ++k) {
    const int idx = static_cast<int>(parsed->size()) - k;
    std::string tok = idx >= 0 ? RelativeToken((*parsed)[idx], anchor) : std::string("<s>");
    acc = k == 1 ? tok : tok + " | " + acc;
    h[k] = acc;
  }
  return h;
}

}  // namespace

void NgramPredictor::Fit(const std::vector<data::Example>& train, const Objective& obj) {
  tables_.assign(opt_.order + 1, {});
  std::vector<double> w;
  std::vector<ParsedToken> parsed;
  for (const auto& ex : train) {
    w.assign(ex.candidates.size(), 0.0);
    obj.Weights(ex, w);
    std::string_view anchor;
    const auto h = Histories(ex, opt_.order, &anchor, &parsed);
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == 0) continue;
      const std::string rel = RelativeToken(ParseToken(ex.candidates[i]), anchor);
      for (int k = 0; k <= opt_.order; ++k) {
        Node& n = tables_[k][h[k]];
        n.total += w[i];
        n.next[rel] += w[i];
      }
    }
  }
}

void NgramPredictor::Logits(const data::Example& ex, std::vector<double>* logits) const {
  std::vector<ParsedToken> parsed;
  std::string_view anchor;
  const auto h = Histories(ex, opt_.order, &anchor, &parsed);
  const size_t n = ex.candidates.size();
  std::vector<std::string> rel(n);
  for (size_t i = 0; i < n; ++i) rel[i] = RelativeToken(ParseToken(ex.candidates[i]), anchor);
  std::vector<const Node*> nodes(opt_.order + 1, nullptr);
  for (int k = 0; k <= opt_.order && k < static_cast<int>(tables_.size()); ++k) {
    auto it = tables_[k].find(h[k]);
    if (it != tables_[k].end()) nodes[k] = &it->second;
  }
  const double vocab = nodes[0] ? static_cast<double>(nodes[0]->next.size()) : 0.0;
  logits->assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    auto count = [&](const Node* nd) {
      auto it = nd->next.find(rel[i]);
      return it == nd->next.end() ? 0.0 : it->second;
    };
    double p = nodes[0] ? (count(nodes[0]) + 1.0) / (nodes[0]->total + vocab + 1.0) : 1.0;
    for (int k = 1; k <= opt_.order; ++k)
      if (nodes[k]) p = (count(nodes[k]) + opt_.beta * p) / (nodes[k]->total + opt_.beta);
    int same = 0;
    for (size_t j = 0; j < n; ++j) same += rel[j] == rel[i];
    (*logits)[i] = std::log(p) - std::log(static_cast<double>(same));
  }
}

nlohmann::json NgramPredictor::Params() const {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : tables_) {
    // Sorted so that equal models give byte-identical files.
    std::map<std::string, std::map<std::string, double>> sorted;
    for (const auto& [h, node] : t) sorted[h] = std::map<std::string, double>(node.next.begin(), node.next.end());
    tables.push_back(sorted);
  }
  return {{"order", opt_.order}, {"beta", opt_.beta}, {"tables", tables}};
}

namespace {
constexpr double kMaxCount = 9007199254740992.0;  // 2^53: counts stay exact, sums finite
}  // namespace

absl::StatusOr<std::unique_ptr<NgramPredictor>> NgramPredictor::FromParams(const nlohmann::json& j) {
  if (!j.contains("order") || !j["order"].is_number_integer() || !j.contains("beta") || !j["beta"].is_number() ||
      !j.contains("tables") || !j["tables"].is_array())
    return BadInputError("ngram: want fields 'order' (int), 'beta' (number), 'tables' (array)");
  NgramOptions opt{j["order"].get<int>(), j["beta"].get<double>()};
  // The same ranges as training accepts; anything else gives NaN or infinite probabilities.
  if (opt.order < 0 || opt.order > 16) return BadInputError(Cat("ngram: order ", opt.order, " out of range 0..16"));
  if (!std::isfinite(opt.beta) || !(opt.beta > 0) || opt.beta > 1e6)
    return BadInputError(Cat("ngram: beta ", opt.beta, " out of range (0, 1e6]"));
  if (j["tables"].size() != static_cast<size_t>(opt.order) + 1)
    return BadInputError(Cat("ngram: 'tables' has ", j["tables"].size(), " entries, want order+1"));
  auto m = std::make_unique<NgramPredictor>(opt);
  m->tables_.resize(opt.order + 1);
  for (int k = 0; k <= opt.order; ++k) {
    if (!j["tables"][k].is_object()) return BadInputError(Cat("ngram: tables[", k, "] is not an object"));
    for (const auto& [h, next] : j["tables"][k].items()) {
      if (!next.is_object()) return BadInputError(Cat("ngram: tables[", k, "]['", h, "'] is not an object"));
      Node& node = m->tables_[k][h];
      for (const auto& [w, c] : next.items()) {
        if (!c.is_number()) return BadInputError(Cat("ngram: tables[", k, "]['", h, "'] has a non-number"));
        const double v = c.get<double>();
        if (!std::isfinite(v) || v < 0 || v > kMaxCount)
          return BadInputError(Cat("ngram: tables[", k, "]['", h, "']['", w, "'] = ", v, " is not a count in 0..2^53"));
        node.next[w] = v;
        node.total += v;
      }
      if (node.total > kMaxCount)
        return BadInputError(Cat("ngram: tables[", k, "]['", h, "'] counts sum to ", node.total, ", over 2^53"));
    }
  }
  return m;
}

ModelKind NgramKind() {
  ModelKind k;
  k.name = "ngram";
  k.summary = "back-off n-gram over goroutine-relative tokens";
  k.options = {{"order", "tokens of context K (ngram)", NgramOptions{}.order},
               {"beta", "back-off strength (ngram)", NgramOptions{}.beta}};
  k.train = [](const TrainInput& in, const nlohmann::json& o) -> absl::StatusOr<std::unique_ptr<ScoredPredictor>> {
    NgramOptions opt;
    opt.order = o.at("order").get<int>();
    opt.beta = o.at("beta").get<double>();
    if (opt.order < 0 || opt.order > 16) return absl::InvalidArgumentError(Cat("ngram order ", opt.order, " out of range 0..16"));
    auto n = std::make_unique<NgramPredictor>(opt);
    n->Fit(in.train, in.objective);
    return n;
  };
  k.load = [](const nlohmann::json& p) { return AsScored(NgramPredictor::FromParams(p)); };
  return k;
}

}  // namespace schedcast::model
