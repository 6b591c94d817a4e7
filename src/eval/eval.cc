#include "eval/eval.h"

#include <cmath>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "data/dataset.h"
#include "data/stats.h"
#include "eval/predictions.h"
#include "eval/rollout.h"
#include "eval/scoring.h"
#include "model/io.h"
#include "model/uniform.h"

namespace schedcast::eval {

namespace {

using ojson = nlohmann::ordered_json;

struct Row {
  std::string name, kind, objective, file, source;
  std::unique_ptr<model::Predictor> model;  // model / baseline rows
  std::optional<Predictions> preds;         // predictions rows
};

std::string NowUtc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

ojson IntervalJson(const Interval& i) { return ojson{{"value", i.value}, {"lo", i.lo}, {"hi", i.hi}}; }

ojson GroupJson(const Sums& s) {
  const Metrics m = Finalize(s);
  return ojson{{"accuracy", m.accuracy}, {"ece", m.ece}, {"nll", m.nll}, {"n", m.n}};
}

std::string Stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

absl::Status CheckFinite(const nlohmann::ordered_json& j, const std::string& path) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    return absl::FailedPreconditionError(Cat("eval: `", path, "` is ", j.get<double>(),
                                             ": a model produced non-finite probabilities; nothing written"));
  }
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      std::string p = path.empty() ? k : Cat(path, ".", k);
      if (j.contains("name") && j["name"].is_string() && k != "name") p = Cat(path, "[", j["name"].get<std::string>(), "].", k);
      SC_RETURN_IF_ERROR(CheckFinite(v, p));
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) SC_RETURN_IF_ERROR(CheckFinite(j[i], Cat(path, "[", i, "]")));
  }
  return absl::OkStatus();
}

bool IsBug(const data::ProgramMeta& m) { return !m.bug.empty() && m.bug != "none"; }

std::vector<double> Uniform(size_t k) { return std::vector<double>(k, 1.0 / static_cast<double>(k)); }

void Log(const EvalOptions& opt, const std::string& line) {
  if (opt.log) *opt.log << "eval: " << line << "\n" << std::flush;
}

// Unique row names: "<kind>-<objective>" (or the kind alone); the file stem when that collides.
absl::Status NameRows(std::vector<Row>& rows) {
  std::map<std::string, int> uses;
  for (const Row& r : rows) ++uses[r.name];
  std::set<std::string> taken;
  for (Row& r : rows) {
    if (uses[r.name] > 1 && r.source == "model") r.name = Stem(r.file);
    if (!taken.insert(r.name).second)
      return absl::InvalidArgumentError(Cat("two evaluated rows are both named '", r.name,
                                            "' (rename a file or give --name)"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string Slug(const std::string& program, const std::string& common_prefix) {
  std::string s = program.rfind(common_prefix, 0) == 0 ? program.substr(common_prefix.size()) : program;
  for (char& c : s) {
    if (c == '/') c = '.';
    else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  }
  return s;
}

absl::StatusOr<ojson> RunEval(const EvalOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  SC_ASSIGN_OR_RETURN(std::vector<data::Example> examples, data::LoadExamples(opt.data_dir, opt.split));
  SC_ASSIGN_OR_RETURN(auto programs_meta, data::LoadPrograms(opt.data_dir));
  nlohmann::json meta = nlohmann::json::object();
  if (auto text = ReadFileToString(opt.data_dir + "/meta.json"); text.ok()) {
    meta = nlohmann::json::parse(*text, nullptr, false);
    if (meta.is_discarded() || !meta.is_object()) return absl::DataLossError(Cat(opt.data_dir, "/meta.json: not a JSON object"));
  }
  // Datasets built before programs.json carried categories: take them from the manifest it names.
  bool annotated = false;
  for (const auto& [p, m] : programs_meta) annotated |= !m.category.empty();
  if (!annotated && meta.contains("manifest") && meta["manifest"].is_string() &&
      std::filesystem::exists(meta["manifest"].get<std::string>()))
    SC_RETURN_IF_ERROR(data::AnnotateFromManifest(meta["manifest"].get<std::string>(), &programs_meta));
  // Drop examples without candidates (none are built today; nothing can score them).
  std::erase_if(examples, [](const data::Example& e) { return e.candidates.empty() || e.label_index() < 0; });
  if (examples.empty()) return absl::FailedPreconditionError(Cat(opt.data_dir, ": split '", opt.split, "' has no examples"));
  Log(opt, Cat(examples.size(), " ", opt.split, " examples from ", opt.data_dir));

  // Programs of the split, in name order; each example's program index.
  std::map<std::string, size_t> prog_index;
  for (const auto& e : examples) prog_index.emplace(e.program, 0);
  std::vector<std::string> prog_names;
  for (auto& [name, idx] : prog_index) idx = prog_names.size(), prog_names.push_back(name);
  const size_t P = prog_names.size();
  std::vector<size_t> ex_prog(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) ex_prog[i] = prog_index[examples[i].program];
  std::vector<data::ProgramMeta> pmeta(P);
  for (size_t p = 0; p < P; ++p)
    if (auto it = programs_meta.find(prog_names[p]); it != programs_meta.end()) pmeta[p] = it->second;

  // Rows.
  std::vector<Row> rows;
  for (const auto& path : opt.models) {
    SC_ASSIGN_OR_RETURN(auto m, model::Load(path));
    Row r;
    r.kind = std::string(m->kind());
    r.objective = m->meta().objective;
    r.name = r.objective.empty() ? r.kind : Cat(r.kind, "-", r.objective);
    r.file = path;
    r.source = "model";
    if (!m->meta().level.empty() && m->meta().level != examples[0].level)
      return BadInputError(Cat(path, ": model was trained on level '", m->meta().level,
                                            "' but the dataset has level '", examples[0].level, "'"));
    r.model = std::move(m);
    rows.push_back(std::move(r));
  }
  for (const auto& pf : opt.predictions) {
    SC_ASSIGN_OR_RETURN(Predictions preds, ReadPredictions(pf.path, examples));
    Row r;
    r.name = pf.name.empty() ? Stem(pf.path) : pf.name;
    r.kind = "predictions";
    r.file = pf.path;
    r.source = "predictions";
    r.preds = std::move(preds);
    rows.push_back(std::move(r));
  }
  {
    Row o;
    o.name = o.kind = "oracle";
    o.source = "oracle";
    rows.push_back(std::move(o));
    Row u;
    u.name = u.kind = "uniform";
    u.source = "baseline";
    u.model = std::make_unique<model::UniformPredictor>();
    rows.push_back(std::move(u));
  }
  SC_RETURN_IF_ERROR(NameRows(rows));

  // Sample examples per program: up to 3, seeded, preferring targets with more than one outcome.
  std::vector<std::vector<size_t>> samples(P);
  {
    std::vector<std::vector<size_t>> multi(P), single(P);
    for (size_t i = 0; i < examples.size(); ++i) {
      int outcomes = 0;
      for (uint64_t c : examples[i].target_counts) outcomes += c > 0;
      (outcomes > 1 ? multi : single)[ex_prog[i]].push_back(i);
    }
    Rng rng(opt.seed ^ 0x5a17u);
    for (size_t p = 0; p < P; ++p) {
      for (auto* pool : {&multi[p], &single[p]}) {
        for (size_t j = 0; j < pool->size() && samples[p].size() < 3; ++j) {
          std::swap((*pool)[j], (*pool)[j + rng.Below(pool->size() - j)]);  // partial Fisher–Yates
          samples[p].push_back((*pool)[j]);
        }
      }
      std::sort(samples[p].begin(), samples[p].end());
    }
  }
  std::map<size_t, std::map<std::string, std::vector<double>>> sample_preds;
  for (const auto& s : samples)
    for (size_t i : s) sample_preds[i];

  // Rollouts are prepared once and run per model row.
  std::optional<Rollouts> rollouts;
  std::string rollout_note;
  if (opt.store.empty()) {
    rollout_note = "not computed: no --store given";
  } else {
    RolloutOptions ro;
    ro.store = opt.store;
    ro.starts = opt.rollout_starts;
    ro.samples = opt.rollout_samples;
    ro.steps = opt.rollout_steps;
    ro.seed = opt.seed;
    ro.bootstrap = opt.bootstrap;
    if (meta.contains("context_len") && meta["context_len"].is_number_unsigned())
      ro.context_len = meta["context_len"].get<size_t>();
    if (meta.contains("include_runtime") && meta["include_runtime"].is_boolean())
      ro.include_runtime = meta["include_runtime"].get<bool>();
    if (meta.contains("leak_proofs") && meta["leak_proofs"].is_boolean()) ro.leak_proofs = meta["leak_proofs"].get<bool>();
    Log(opt, Cat("preparing rollouts from ", opt.store));
    SC_ASSIGN_OR_RETURN(Rollouts r, Rollouts::Prepare(examples, ro));
    for (const auto& n : r.notes()) Log(opt, Cat("rollouts: ", n));
    rollout_note = Cat(r.starts(), " start positions, ", opt.rollout_samples, " samples each");
    rollouts = std::move(r);
  }

  // Score every row.
  BootstrapOptions bo;
  bo.resamples = opt.bootstrap;
  bo.seed = opt.seed;
  ojson models = ojson::array();
  std::vector<std::vector<double>> prog_acc(rows.size(), std::vector<double>(P, 0));
  double oracle_acc = 0;
  std::vector<ojson> row_json(rows.size());
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    Row& row = rows[ri];
    const auto ts = std::chrono::steady_clock::now();
    std::vector<Sums> per_prog(P);
    for (size_t i = 0; i < examples.size(); ++i) {
      const data::Example& ex = examples[i];
      std::vector<double> p;
      if (row.source == "oracle") p = ex.target();
      else if (row.preds) p = row.preds->probs[i] ? *row.preds->probs[i] : Uniform(ex.candidates.size());
      else p = row.model->Predict(ex);
      if (p.size() != ex.candidates.size())
        return absl::InternalError(Cat(row.name, ": ", p.size(), " probabilities for ", ex.candidates.size(),
                                       " candidates (", ex.program, " run ", ex.run_id, " position ", ex.position, ")"));
      const std::vector<double> t = ex.target();
      per_prog[ex_prog[i]].Add(ScoreExample(p, ex.label_index(), t));
      if (auto it = sample_preds.find(i); it != sample_preds.end()) it->second[row.name] = std::move(p);
    }
    const auto iv = Bootstrap(per_prog, bo);
    Sums all;
    for (const Sums& s : per_prog) all.Add(s);
    const Metrics m = Finalize(all);
    for (size_t p = 0; p < P; ++p) prog_acc[ri][p] = Finalize(per_prog[p]).accuracy;
    if (row.source == "oracle") oracle_acc = m.accuracy;

    ojson j;
    j["name"] = row.name;
    j["kind"] = row.kind;
    j["objective"] = row.objective;
    j["file"] = row.file;
    j["source"] = row.source;
    ojson overall;
    for (int k = 0; k < kNumMetrics; ++k) overall[kMetricNames[k]] = IntervalJson(iv[k]);
    overall["n"] = m.n;
    j["overall"] = overall;
    if (row.preds) j["coverage"] = {{"covered", row.preds->covered}, {"examples", examples.size()},
                                    {"fraction", static_cast<double>(row.preds->covered) / examples.size()}};
    ojson rel = ojson::array();
    for (const auto& b : m.reliability)
      rel.push_back({{"lo", b.lo}, {"hi", b.hi}, {"count", b.count}, {"confidence", b.confidence}, {"accuracy", b.accuracy}});
    j["reliability"] = rel;
    std::map<std::string, Sums> by_cat, by_bug, by_prim;
    for (size_t p = 0; p < P; ++p) {
      by_cat[pmeta[p].category.empty() ? "unknown" : pmeta[p].category].Add(per_prog[p]);
      by_bug[IsBug(pmeta[p]) ? "bug" : "correct"].Add(per_prog[p]);
      for (const auto& prim : pmeta[p].primitives) by_prim[prim].Add(per_prog[p]);
    }
    ojson bd;
    for (auto [name, groups] : {std::pair{"category", &by_cat}, {"bug", &by_bug}, {"primitive", &by_prim}}) {
      ojson g = ojson::object();
      for (const auto& [k, s] : *groups) g[k] = GroupJson(s);
      bd[name] = g;
    }
    j["breakdown"] = bd;
    j["rollouts"] = ojson::array();
    if (rollouts && row.model) {
      Log(opt, Cat(row.name, ": rollouts"));
      for (const RolloutPoint& rp : rollouts->Run(*row.model))
        j["rollouts"].push_back({{"k", rp.k}, {"legality", rp.legality}, {"tv", rp.tv}, {"tv_lo", rp.tv_lo},
                                 {"tv_hi", rp.tv_hi}, {"n", rp.n}, {"sampled_steps", rp.sampled_steps}});
    }
    row_json[ri] = std::move(j);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
    Log(opt, Cat(row.name, ": accuracy ", m.accuracy, "  ece ", m.ece, "  (", static_cast<int>(secs * 1000), " ms)"));
  }
  for (auto& j : row_json) {
    j["gap_to_oracle"] = {{"accuracy", j["overall"]["accuracy"]["value"].get<double>() - oracle_acc}};
    // Keep the contract's field order: gap_to_oracle right after overall.
    ojson ordered;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "gap_to_oracle") continue;
      ordered[it.key()] = it.value();
      if (it.key() == "overall") ordered["gap_to_oracle"] = j["gap_to_oracle"];
    }
    models.push_back(std::move(ordered));
  }

  // KL vs CE, per kind.
  ojson comparison = ojson::array();
  {
    std::map<std::string, std::map<std::string, const ojson*>> by_kind;
    for (const auto& j : models)
      if (j["source"] == "model") by_kind[j["kind"].get<std::string>()][j["objective"].get<std::string>()] = &j;
    for (const auto& [kind, objs] : by_kind) {
      if (!objs.count("kl") || !objs.count("ce")) continue;
      ojson c;
      c["kind"] = kind;
      for (const char* o : {"kl", "ce"}) {
        const ojson& r = *objs.at(o);
        c[o] = {{"name", r["name"]}, {"accuracy", r["overall"]["accuracy"]["value"]}, {"ece", r["overall"]["ece"]["value"]},
                {"nll", r["overall"]["nll"]["value"]}};
      }
      comparison.push_back(c);
    }
  }

  // Per program.
  std::string common = prog_names.empty() ? "" : prog_names[0].substr(0, prog_names[0].rfind('/') + 1);
  for (const auto& name : prog_names)
    while (!common.empty() && name.rfind(common, 0) != 0) {
      common.pop_back();
      common = common.substr(0, common.rfind('/') + 1);
    }
  ojson programs = ojson::array();
  std::vector<size_t> prog_examples(P, 0);
  for (size_t i = 0; i < examples.size(); ++i) ++prog_examples[ex_prog[i]];
  std::set<std::string> slugs;
  for (size_t p = 0; p < P; ++p) {
    ojson j;
    j["program"] = prog_names[p];
    std::string slug = Slug(prog_names[p], common);
    for (int n = 2; !slugs.insert(slug).second; ++n) slug = Cat(Slug(prog_names[p], common), "-", n);
    j["slug"] = slug;
    j["category"] = pmeta[p].category;
    j["bug"] = IsBug(pmeta[p]) ? pmeta[p].bug : "";
    j["primitives"] = pmeta[p].primitives;
    j["examples"] = prog_examples[p];
    ojson acc;
    for (size_t ri = 0; ri < rows.size(); ++ri) acc[rows[ri].name] = prog_acc[ri][p];
    j["accuracy"] = acc;
    ojson ss = ojson::array();
    for (size_t i : samples[p]) {
      const data::Example& ex = examples[i];
      ojson s;
      s["config"] = ex.config;
      s["run_id"] = ex.run_id;
      s["position"] = ex.position;
      s["context"] = ex.context;
      s["state"] = ex.state;
      s["candidates"] = ex.candidates;
      s["target"] = ex.target();
      s["target_counts"] = ex.target_counts;
      s["label"] = ex.label;
      ojson pr;
      for (const Row& r : rows) pr[r.name] = sample_preds[i][r.name];
      s["predictions"] = pr;
      ss.push_back(std::move(s));
    }
    j["samples"] = ss;
    programs.push_back(std::move(j));
  }

  // Dataset statistics.
  ojson dataset;
  {
    ojson splits;
    std::map<std::string, size_t> progs_in;
    for (const auto& [name, m] : programs_meta) progs_in[m.split] += m.examples > 0;  // programs with examples
    for (const char* s : {"train", "validation", "test"}) {
      size_t n = 0;
      if (meta.contains("examples") && meta["examples"].contains(s) && meta["examples"][s].is_number())
        n = meta["examples"][s].get<size_t>();
      splits[s] = {{"examples", n}, {"programs", progs_in[s]}};
    }
    dataset["splits"] = splits;
    const data::SplitStats stats = data::ComputeStats(examples);
    dataset["configs"] = stats.configs;
    dataset["uncertain_fraction"] = stats.uncertain_fraction;
    dataset["candidates_mean"] = stats.mean_candidates;
  }

  ojson out;
  out["format"] = "schedcast-eval";
  out["version"] = 1;
  out["created"] = NowUtc();
  out["command"] = opt.command;
  out["data"] = {{"dir", opt.data_dir}, {"split", opt.split}, {"level", examples[0].level}, {"key", examples[0].key},
                 {"examples", examples.size()}, {"programs", P}};
  out["dataset"] = dataset;
  out["metrics_doc"] = "docs/METRICS.md";
  out["bootstrap"] = {{"resamples", opt.bootstrap}, {"seed", opt.seed}, {"level", 0.95}, {"over", "programs"}};
  out["rollouts"] = {{"computed", rollouts.has_value()}, {"note", rollout_note}, {"max_k", opt.rollout_steps}};
  out["models"] = models;
  out["comparison"] = comparison;
  out["programs"] = programs;
  out["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // JSON has no NaN or infinity (nlohmann writes them as null, which `report` rejects): a model
  // that produced non-finite probabilities is an error here, naming the model and the metric.
  SC_RETURN_IF_ERROR(CheckFinite(out, ""));
  return out;
}

}  // namespace schedcast::eval
