// report/input.cc — ParseEval: the eval JSON into typed structs, naming the first bad field.
#include "report/input.h"

#include <cmath>
#include <limits>

#include "common/status.h"
#include "common/strings.h"

namespace schedcast::report {
namespace {

using nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Reads fields and remembers the first problem; later reads after an error return defaults.
class Reader {
 public:
  absl::Status status() const { return status_; }

  // The member `key` of object `o` (at JSON path `path`), or nullptr (an error when required).
  const json* Field(const json& o, const std::string& path, const char* key, bool required) {
    if (!status_.ok()) return nullptr;
    if (!o.is_object()) return Fail(path, Cat("is ", o.type_name(), ", expected an object"));
    auto it = o.find(key);
    if (it == o.end()) return required ? Fail(Join(path, key), "missing") : nullptr;
    return &*it;
  }

  double Number(const json& o, const std::string& path, const char* key, bool required = true) {
    const json* v = Field(o, path, key, required);
    if (v == nullptr || v->is_null()) return kNaN;
    if (!v->is_number()) return Fail(Join(path, key), Cat("is ", v->type_name(), ", expected a number")), kNaN;
    return v->get<double>();
  }

  int64_t Integer(const json& o, const std::string& path, const char* key, bool required = true) {
    const json* v = Field(o, path, key, required);
    if (v == nullptr) return 0;
    if (!v->is_number()) return Fail(Join(path, key), Cat("is ", v->type_name(), ", expected a number")), 0;
    return static_cast<int64_t>(v->get<double>());
  }

  std::string String(const json& o, const std::string& path, const char* key, bool required = true) {
    const json* v = Field(o, path, key, required);
    if (v == nullptr || v->is_null()) return "";
    if (!v->is_string()) return Fail(Join(path, key), Cat("is ", v->type_name(), ", expected a string")), "";
    return v->get<std::string>();
  }

  // An array member; nullptr when absent and optional (or on error).
  const json* Array(const json& o, const std::string& path, const char* key, bool required = true) {
    const json* v = Field(o, path, key, required);
    if (v == nullptr || (!required && v->is_null())) return nullptr;
    if (!v->is_array()) return Fail(Join(path, key), Cat("is ", v->type_name(), ", expected an array"));
    return v;
  }

  const json* Object(const json& o, const std::string& path, const char* key, bool required = true) {
    const json* v = Field(o, path, key, required);
    if (v == nullptr || (!required && v->is_null())) return nullptr;
    if (!v->is_object()) return Fail(Join(path, key), Cat("is ", v->type_name(), ", expected an object"));
    return v;
  }

  std::vector<double> Numbers(const json& o, const std::string& path, const char* key) {
    std::vector<double> out;
    const json* a = Array(o, path, key);
    if (a == nullptr) return out;
    for (size_t i = 0; i < a->size(); ++i) {
      if (!(*a)[i].is_number()) {
        Fail(Cat(Join(path, key), "[", i, "]"), "expected a number");
        return {};
      }
      out.push_back((*a)[i].get<double>());
    }
    return out;
  }

  std::vector<std::string> Strings(const json& o, const std::string& path, const char* key) {
    std::vector<std::string> out;
    const json* a = Array(o, path, key);
    if (a == nullptr) return out;
    for (size_t i = 0; i < a->size(); ++i) {
      if (!(*a)[i].is_string()) {
        Fail(Cat(Join(path, key), "[", i, "]"), "expected a string");
        return {};
      }
      out.push_back((*a)[i].get<std::string>());
    }
    return out;
  }

  Interval Metric(const json& o, const std::string& path, const char* key, bool required = true) {
    Interval m{kNaN, kNaN, kNaN};
    const json* v = Object(o, path, key, required);
    if (v == nullptr) return m;
    const std::string p = Join(path, key);
    m.value = Number(*v, p, "value");
    m.lo = Number(*v, p, "lo", false);
    m.hi = Number(*v, p, "hi", false);
    return m;
  }

  const json* Fail(const std::string& path, const std::string& what) {
    if (status_.ok()) status_ = BadInputError(Cat("eval JSON: field `", path, "` ", what));
    return nullptr;
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : Cat(path, ".", key);
  }

 private:
  absl::Status status_;
};

MetricSet ParseSet(Reader& r, const json& o, const std::string& p, const char* key) {
  MetricSet out;
  const json* v = r.Object(o, p, key, false);
  if (v == nullptr) return out;
  const std::string q = Cat(p, ".", key);
  out.present = true;
  out.accuracy = r.Metric(*v, q, "accuracy");
  out.top3 = r.Metric(*v, q, "top3");
  out.nll = r.Metric(*v, q, "nll");
  out.brier = r.Metric(*v, q, "brier");
  out.ece = r.Metric(*v, q, "ece");
  out.n = r.Integer(*v, q, "n", false);
  out.programs = r.Integer(*v, q, "programs", false);
  return out;
}

ModelResult ParseModel(Reader& r, const json& m, const std::string& p) {
  ModelResult out;
  out.name = r.String(m, p, "name");
  out.source = r.String(m, p, "source");
  out.kind = r.String(m, p, "kind", false);
  out.objective = r.String(m, p, "objective", false);
  out.file = r.String(m, p, "file", false);
  if (const json* o = r.Object(m, p, "overall")) {
    const std::string q = Cat(p, ".overall");
    out.accuracy = r.Metric(*o, q, "accuracy");
    out.top3 = r.Metric(*o, q, "top3");
    out.mode_agreement = r.Metric(*o, q, "mode_agreement");
    out.nll = r.Metric(*o, q, "nll");
    out.brier = r.Metric(*o, q, "brier");
    out.ece = r.Metric(*o, q, "ece");
    out.kl = r.Metric(*o, q, "kl", false);
    out.n = r.Integer(*o, q, "n");
  }
  out.gap_accuracy = out.gap_macro_accuracy = kNaN;
  if (const json* g = r.Object(m, p, "gap_to_oracle", false)) {
    out.gap_accuracy = r.Number(*g, p + ".gap_to_oracle", "accuracy", false);
    out.gap_macro_accuracy = r.Number(*g, p + ".gap_to_oracle", "macro_accuracy", false);
  }
  out.macro = ParseSet(r, m, p, "macro");
  out.uncertain_share = out.uncertain_oracle_macro = out.uncertain_oracle_pooled = kNaN;
  if (const json* u = r.Object(m, p, "uncertain", false)) {
    const std::string q = p + ".uncertain";
    out.uncertain_share = r.Number(*u, q, "share");
    out.uncertain_macro = ParseSet(r, *u, q, "macro");
    out.uncertain_pooled = ParseSet(r, *u, q, "pooled");
    if (const json* o = r.Object(*u, q, "oracle", false)) {
      out.uncertain_oracle_macro = r.Number(*o, q + ".oracle", "macro_accuracy", false);
      out.uncertain_oracle_pooled = r.Number(*o, q + ".oracle", "pooled_accuracy", false);
    }
  }
  if (const json* es = r.Object(m, p, "every_step", false)) {
    out.every_step_macro = ParseSet(r, *es, p + ".every_step", "macro");
    out.every_step_pooled = ParseSet(r, *es, p + ".every_step", "pooled");
  }
  out.rollout_survival = r.Number(m, p, "rollout_survival", false);
  if (const json* rel = r.Array(m, p, "reliability")) {
    for (size_t i = 0; i < rel->size(); ++i) {
      const std::string q = Cat(p, ".reliability[", i, "]");
      const json& b = (*rel)[i];
      ReliabilityBin bin;
      bin.lo = r.Number(b, q, "lo");
      bin.hi = r.Number(b, q, "hi");
      bin.count = r.Integer(b, q, "count");
      bin.confidence = r.Number(b, q, "confidence");
      bin.accuracy = r.Number(b, q, "accuracy");
      out.reliability.push_back(bin);
    }
  }
  if (const json* bd = r.Object(m, p, "breakdown", false)) {
    for (const auto& [dim, keys] : bd->items()) {
      const std::string q = Cat(p, ".breakdown.", dim);
      if (!keys.is_object()) {
        r.Fail(q, "expected an object");
        break;
      }
      for (const auto& [key, cell] : keys.items()) {
        const std::string c = Cat(q, ".", key);
        BreakdownCell bc;
        bc.accuracy = r.Number(cell, c, "accuracy");
        bc.ece = r.Number(cell, c, "ece", false);
        bc.n = r.Integer(cell, c, "n", false);
        out.breakdown[dim][key] = bc;
      }
    }
  }
  if (const json* ro = r.Array(m, p, "rollouts", false)) {
    for (size_t i = 0; i < ro->size(); ++i) {
      const std::string q = Cat(p, ".rollouts[", i, "]");
      const json& x = (*ro)[i];
      RolloutPoint pt;
      pt.k = static_cast<int>(r.Integer(x, q, "k"));
      pt.legality = r.Number(x, q, "legality");
      pt.tv = r.Number(x, q, "tv");
      pt.tv_lo = r.Number(x, q, "tv_lo", false);
      pt.tv_hi = r.Number(x, q, "tv_hi", false);
      pt.n = r.Integer(x, q, "n", false);
      pt.floor = r.Number(x, q, "floor", false);
      pt.above_floor = r.Number(x, q, "above_floor", false);
      pt.above_lo = r.Number(x, q, "above_lo", false);
      pt.above_hi = r.Number(x, q, "above_hi", false);
      out.rollouts.push_back(pt);
    }
  }
  return out;
}

Sample ParseSample(Reader& r, const json& s, const std::string& p) {
  Sample out;
  out.config = r.String(s, p, "config", false);
  out.run_id = r.Integer(s, p, "run_id", false);
  out.position = r.Integer(s, p, "position", false);
  out.context = r.Strings(s, p, "context");
  out.candidates = r.Strings(s, p, "candidates");
  out.target = r.Numbers(s, p, "target");
  out.label = r.String(s, p, "label");
  if (r.status().ok() && out.target.size() != out.candidates.size())
    r.Fail(p + ".target", Cat("has ", out.target.size(), " values for ", out.candidates.size(), " candidates"));
  if (const json* pr = r.Object(s, p, "predictions")) {
    for (const auto& [name, v] : pr->items()) {
      std::vector<double> probs = r.Numbers(*pr, p + ".predictions", name.c_str());
      if (r.status().ok() && probs.size() != out.candidates.size())
        r.Fail(Cat(p, ".predictions.", name), Cat("has ", probs.size(), " values for ", out.candidates.size(), " candidates"));
      out.predictions.emplace_back(name, std::move(probs));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Eval> ParseEval(const json& j) {
  Reader r;
  Eval e;
  const std::string format = r.String(j, "", "format");
  if (r.status().ok() && format != "schedcast-eval")
    return BadInputError(Cat("eval JSON: field `format` is \"", format, "\", expected \"schedcast-eval\""));
  const int64_t version = r.Integer(j, "", "version");
  if (r.status().ok() && version != 1)
    return BadInputError(Cat("eval JSON: version ", version, " is not supported (this report reads version 1)"));
  e.created = r.String(j, "", "created", false);
  e.command = r.String(j, "", "command", false);
  e.metrics_doc = r.String(j, "", "metrics_doc", false);
  if (const json* d = r.Object(j, "", "data")) {
    e.data_dir = r.String(*d, "data", "dir", false);
    e.split = r.String(*d, "data", "split");
    e.level = r.String(*d, "data", "level", false);
    e.key = r.String(*d, "data", "key", false);
    e.examples = r.Integer(*d, "data", "examples");
    e.programs = r.Integer(*d, "data", "programs");
  }
  e.uncertain_fraction = e.candidates_mean = kNaN;
  if (const json* ds = r.Object(j, "", "dataset")) {
    if (const json* sp = r.Object(*ds, "dataset", "splits")) {
      std::vector<std::string> order = {"train", "validation", "test"};
      for (const auto& [name, v] : sp->items())
        if (name != "train" && name != "validation" && name != "test") order.push_back(name);
      for (const auto& name : order) {
        if (!sp->contains(name)) continue;
        const std::string q = Cat("dataset.splits.", name);
        SplitStats s;
        s.examples = r.Integer((*sp)[name], q, "examples");
        s.programs = r.Integer((*sp)[name], q, "programs");
        e.splits.emplace_back(name, s);
      }
    }
    if (const json* cf = r.Object(*ds, "dataset", "configs", false))
      for (const auto& [name, v] : cf->items()) e.configs.emplace_back(name, r.Integer(*cf, "dataset.configs", name.c_str()));
    e.uncertain_fraction = r.Number(*ds, "dataset", "uncertain_fraction", false);
    e.candidates_mean = r.Number(*ds, "dataset", "candidates_mean", false);
  }
  if (const json* ms = r.Array(j, "", "models")) {
    if (ms->empty()) r.Fail("models", "is empty");
    for (size_t i = 0; i < ms->size(); ++i) e.models.push_back(ParseModel(r, (*ms)[i], Cat("models[", i, "]")));
  }
  if (const json* cs = r.Array(j, "", "comparison", false)) {
    for (size_t i = 0; i < cs->size(); ++i) {
      const std::string p = Cat("comparison[", i, "]");
      const json& c = (*cs)[i];
      Comparison out;
      out.kind = r.String(c, p, "kind");
      if (const json* kl = r.Object(c, p, "kl")) {
        out.kl_accuracy = r.Number(*kl, p + ".kl", "accuracy");
        out.kl_ece = r.Number(*kl, p + ".kl", "ece");
      }
      if (const json* ce = r.Object(c, p, "ce")) {
        out.ce_accuracy = r.Number(*ce, p + ".ce", "accuracy");
        out.ce_ece = r.Number(*ce, p + ".ce", "ece");
      }
      e.comparison.push_back(out);
    }
  }
  if (const json* ps = r.Array(j, "", "programs")) {
    for (size_t i = 0; i < ps->size(); ++i) {
      const std::string p = Cat("programs[", i, "]");
      const json& x = (*ps)[i];
      Program prog;
      prog.program = r.String(x, p, "program");
      prog.slug = r.String(x, p, "slug");
      prog.category = r.String(x, p, "category", false);
      prog.bug = r.String(x, p, "bug", false);
      prog.examples = r.Integer(x, p, "examples", false);
      if (const json* acc = r.Object(x, p, "accuracy", false))
        for (const auto& [name, v] : acc->items()) prog.accuracy[name] = r.Number(*acc, p + ".accuracy", name.c_str());
      if (const json* ss = r.Array(x, p, "samples", false))
        for (size_t k = 0; k < ss->size(); ++k) prog.samples.push_back(ParseSample(r, (*ss)[k], Cat(p, ".samples[", k, "]")));
      e.programs_list.push_back(std::move(prog));
    }
  }
  if (const json* pp = r.Object(j, "", "paper", false)) {
    PaperResult& pr = e.paper;
    pr.present = true;
    pr.positions = r.Integer(*pp, "paper", "positions");
    pr.runs = r.Integer(*pp, "paper", "runs", false);
    pr.programs = r.Integer(*pp, "paper", "programs", false);
    pr.groups = r.Integer(*pp, "paper", "groups", false);
    if (const json* tc = r.Object(*pp, "paper", "type_counts"))
      for (const auto& [t, v] : tc->items()) pr.type_counts.emplace_back(t, r.Integer(*tc, "paper.type_counts", t.c_str()));
    if (const json* rows = r.Array(*pp, "paper", "rows")) {
      for (size_t i = 0; i < rows->size(); ++i) {
        const std::string q = Cat("paper.rows[", i, "]");
        const json& x = (*rows)[i];
        PaperRow row;
        row.name = r.String(x, q, "name");
        row.accuracy = r.Number(x, q, "accuracy");
        row.ece = r.Number(x, q, "ece");
        row.group_ece = r.Number(x, q, "group_ece");
        if (const json* bt = r.Object(x, q, "by_type"))
          for (const auto& [t, v] : bt->items()) row.by_type[t] = r.Number(*bt, q + ".by_type", t.c_str());
        pr.rows.push_back(std::move(row));
      }
    }
    if (const json* mc = r.Array(*pp, "paper", "mcnemar", false)) {
      for (size_t i = 0; i < mc->size(); ++i) {
        const std::string q = Cat("paper.mcnemar[", i, "]");
        const json& x = (*mc)[i];
        PaperResult::Pair pair;
        pair.a = r.String(x, q, "a");
        pair.b = r.String(x, q, "b");
        pair.only_a = r.Integer(x, q, "only_a");
        pair.only_b = r.Integer(x, q, "only_b");
        pair.p = r.Number(x, q, "p");
        pr.mcnemar.push_back(pair);
      }
    }
  }
  if (!r.status().ok()) return r.status();
  return e;
}

}  // namespace schedcast::report
