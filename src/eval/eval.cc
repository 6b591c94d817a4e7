#include "eval/eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <span>

#include "eval/every_step.h"
#include "eval/held_out_runs.h"
#include "eval/inputs.h"
#include "eval/metric_json.h"
#include "eval/paper.h"
#include "eval/rollout.h"
#include "eval/rows.h"
#include "eval/scoring.h"
#include "eval/sections.h"

namespace schedcast::eval {

namespace {

using ojson = nlohmann::ordered_json;

std::string NowUtc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

ojson GroupJson(const Sums& s) {
  const Metrics m = Finalize(s);
  return ojson{{"accuracy", m.accuracy}, {"ece", m.ece}, {"nll", m.nll}, {"n", m.n}};
}

// JSON has no NaN or infinity (nlohmann writes them as null, which `report` rejects): any
// non-finite number in the eval JSON is an error naming the model and the metric.
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

void Log(const EvalOptions& opt, const std::string& line) {
  if (opt.log) *opt.log << "eval: " << line << "\n" << std::flush;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Rollouts are prepared once and run per model row.
absl::StatusOr<std::optional<Rollouts>> PrepareRollouts(const EvalOptions& opt, const EvalInputs& in, std::string* note) {
  if (opt.store.empty()) {
    *note = "not computed: no --store given";
    return std::optional<Rollouts>();
  }
  RolloutOptions ro;
  ro.store = opt.store;
  ro.starts = opt.rollout_starts;
  ro.samples = opt.rollout_samples;
  ro.steps = opt.rollout_steps;
  ro.seed = opt.seed;
  ro.bootstrap = opt.bootstrap;
  if (in.meta.contains("context_len") && in.meta["context_len"].is_number_unsigned())
    ro.context_len = in.meta["context_len"].get<size_t>();
  if (in.meta.contains("include_runtime") && in.meta["include_runtime"].is_boolean())
    ro.include_runtime = in.meta["include_runtime"].get<bool>();
  if (in.meta.contains("leak_proofs") && in.meta["leak_proofs"].is_boolean())
    ro.leak_proofs = in.meta["leak_proofs"].get<bool>();
  Log(opt, Cat("preparing rollouts from ", opt.store));
  SC_ASSIGN_OR_RETURN(Rollouts r, Rollouts::Prepare(in.examples, ro));
  for (const auto& n : r.notes()) Log(opt, Cat("rollouts: ", n));
  *note = Cat(r.starts(), " start positions, ", opt.rollout_samples, " samples each");
  return std::optional<Rollouts>(std::move(r));
}

// Program → family under opt.family_by (empty map when not requested).
absl::StatusOr<std::vector<std::string>> Families(const EvalOptions& opt, const EvalInputs& in) {
  if (opt.family_by.empty()) return std::vector<std::string>{};
  std::map<std::string, std::string> fields;
  if (opt.family_by != "dir") {
    if (!in.meta.contains("manifest") || !in.meta["manifest"].is_string() || in.meta["manifest"].get<std::string>().empty())
      return absl::InvalidArgumentError(Cat(opt.data_dir, "/meta.json names no manifest: --family-by ", opt.family_by,
                                            " needs one (or use --family-by dir)"));
    SC_ASSIGN_OR_RETURN(fields, ManifestField(in.meta["manifest"].get<std::string>(), opt.family_by));
  }
  if (opt.family_by == "dir") return DirFamilies(in.prog_names);
  std::vector<std::string> fam(in.programs());
  for (size_t p = 0; p < in.programs(); ++p) {
    auto it = fields.find(in.prog_names[p]);
    fam[p] = it == fields.end() || it->second.empty() ? "unknown" : it->second;
  }
  return fam;
}

// Per-program totals of one row over the split's examples: all of them and the uncertain slice.
struct RowScores {
  std::vector<Sums> all, uncertain;
  std::map<std::string, std::map<size_t, Sums>> by_label;  // label's event kind → program → sums
};


// `preds_out`, when set, gets one predictions line per example (eval/predictions.h's format, "probs"
// an array in candidate order), so `eval --predictions` of the file scores the row again.
absl::StatusOr<RowScores> ScoreRow(const Row& row, const EvalInputs& in,
                                   std::map<size_t, std::map<std::string, std::vector<double>>>* sample_preds,
                                   std::ostream* preds_out) {
  RowScores s;
  s.all.resize(in.programs());
  s.uncertain.resize(in.programs());
  std::vector<std::vector<double>> ps;
  for (size_t i0 = 0; i0 < in.examples.size(); i0 += kPredictBatch) {
    const size_t n = std::min(kPredictBatch, in.examples.size() - i0);
    SC_RETURN_IF_ERROR(row.PredictBatch(std::span(in.examples).subspan(i0, n), i0, &ps));
    for (size_t i = i0; i < i0 + n; ++i) {
      const data::Example& ex = in.examples[i];
      std::vector<double>& p = ps[i - i0];
      const ExampleScore sc = ScoreExample(p, ex.label_index(), ex.target());
      if (preds_out)
        *preds_out << nlohmann::json{{"program", ex.program}, {"config", ex.config}, {"run_id", ex.run_id},
                                     {"position", ex.position}, {"probs", p}}.dump() << "\n";
      s.all[in.ex_prog[i]].Add(sc);
      s.by_label[std::string(EventKind(ex.label))][in.ex_prog[i]].Add(sc);
      if (Uncertain(ex.target_counts)) s.uncertain[in.ex_prog[i]].Add(sc);
      if (auto it = sample_preds->find(i); it != sample_preds->end()) it->second[row.name] = std::move(p);
    }
  }
  return s;
}

// Per event kind of the label: pooled accuracy, ECE, NLL and n, and the macro accuracy over the
// programs that have examples of that kind (each weighing 1) — where a model's misses are.
ojson LabelBreakdownJson(const std::map<std::string, std::map<size_t, Sums>>& by_label) {
  ojson out = ojson::object();
  for (const auto& [kind, progs] : by_label) {
    Sums pooled;
    double macro = 0;
    for (const auto& [p, sums] : progs) {
      pooled.Add(sums);
      macro += Finalize(sums).accuracy;
    }
    ojson g = GroupJson(pooled);
    g["macro_accuracy"] = progs.empty() ? 0.0 : macro / static_cast<double>(progs.size());
    g["programs"] = progs.size();
    out[kind] = g;
  }
  return out;
}

ojson BreakdownJson(const EvalInputs& in, const std::vector<Sums>& per_prog, const std::vector<std::string>& family) {
  std::map<std::string, Sums> by_cat, by_bug, by_prim, by_fam;
  for (size_t p = 0; p < in.programs(); ++p) {
    by_cat[in.pmeta[p].category.empty() ? "unknown" : in.pmeta[p].category].Add(per_prog[p]);
    by_bug[IsBug(in.pmeta[p]) ? "bug" : "correct"].Add(per_prog[p]);
    for (const auto& prim : in.pmeta[p].primitives) by_prim[prim].Add(per_prog[p]);
    if (!family.empty()) by_fam[family[p]].Add(per_prog[p]);
  }
  ojson bd;
  for (auto [name, groups] : {std::pair{"category", &by_cat}, {"bug", &by_bug}, {"primitive", &by_prim}, {"family", &by_fam}}) {
    if (groups == &by_fam && family.empty()) continue;
    ojson g = ojson::object();
    for (const auto& [k, s] : *groups) g[k] = GroupJson(s);
    bd[name] = g;
  }
  return bd;
}

// Per family: macro and pooled metric sets over the family's programs.
ojson FamiliesJson(const std::vector<Sums>& per_prog, const std::vector<std::string>& family, const BootstrapOptions& bo) {
  std::map<std::string, std::vector<Sums>> by;
  for (size_t p = 0; p < family.size(); ++p) by[family[p]].push_back(per_prog[p]);
  ojson out = ojson::object();
  for (const auto& [f, groups] : by) out[f] = {{"macro", MacroJson(groups, bo)}, {"pooled", PooledJson(groups, bo)}};
  return out;
}

ojson RolloutsJson(const RolloutResult& r) {
  ojson pts = ojson::array();
  for (const RolloutPoint& rp : r.points)
    pts.push_back({{"k", rp.k}, {"legality", rp.legality}, {"tv", rp.tv}, {"tv_lo", rp.tv_lo}, {"tv_hi", rp.tv_hi},
                   {"n", rp.n}, {"sampled_steps", rp.sampled_steps}, {"floor", rp.floor}, {"tv_half", rp.tv_half},
                   {"above_floor", rp.above_floor}, {"above_lo", rp.above_lo}, {"above_hi", rp.above_hi},
                   {"floor_n", rp.floor_n}});
  return pts;
}

// Accuracy of a metric set's value.
double Acc(const ojson& set) { return set["accuracy"]["value"].get<double>(); }

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
  if (!opt.protocol.empty() && opt.protocol != "paper")
    return absl::InvalidArgumentError(Cat("unknown --protocol '", opt.protocol, "' (want: paper)"));
  if ((opt.every_step || !opt.protocol.empty()) && opt.store.empty())
    return absl::InvalidArgumentError("--every-step and --protocol paper read the held-out runs: give --store");
  SC_ASSIGN_OR_RETURN(EvalInputs in, LoadInputs(opt.data_dir, opt.split));
  const std::vector<data::Example>& examples = in.examples;
  const size_t P = in.programs();
  Log(opt, Cat(examples.size(), " ", opt.split, " examples from ", opt.data_dir));
  SC_ASSIGN_OR_RETURN(std::vector<Row> rows, MakeRows(opt.models, opt.predictions, examples));
  SC_ASSIGN_OR_RETURN(std::vector<std::string> family, Families(opt, in));

  const auto samples = ChooseSamples(in, opt.seed);
  std::map<size_t, std::map<std::string, std::vector<double>>> sample_preds;
  for (const auto& s : samples)
    for (size_t i : s) sample_preds[i];

  std::string rollout_note;
  SC_ASSIGN_OR_RETURN(std::optional<Rollouts> rollouts, PrepareRollouts(opt, in, &rollout_note));

  // Every-step totals [row][program], one program's runs in memory at a time.
  std::vector<std::vector<Sums>> every(rows.size(), std::vector<Sums>(P));
  size_t held_out_runs = 0;
  if (opt.every_step) {
    const auto ts = std::chrono::steady_clock::now();
    Log(opt, "every-step: scoring every step of the held-out runs from the store");
    HeldOutOptions ho;
    ho.store = opt.store;
    ho.meta = in.meta;
    ho.max_steps = opt.every_step_max_steps;
    std::vector<std::string> notes;
    size_t steps = 0;
    SC_RETURN_IF_ERROR(ForEachHeldOutProgram(in.prog_names, ho, &notes, [&](size_t p, const std::vector<HeldOutRun>& runs) {
      held_out_runs += runs.size();
      for (const auto& r : runs) steps += r.steps.size();
      for (size_t ri = 0; ri < rows.size(); ++ri) {
        if (!rows[ri].predicts_any_example()) continue;
        SC_ASSIGN_OR_RETURN(every[ri][p], ScoreEveryStep(rows[ri], runs));
      }
      return absl::OkStatus();
    }));
    for (const auto& n : notes) Log(opt, Cat("every-step: ", n));
    Log(opt, Cat("every-step: ", held_out_runs, " runs, ", steps, " steps (", Sig4(Seconds(ts)), " s)"));
  }

  // Score every row.
  BootstrapOptions bo;
  bo.resamples = opt.bootstrap;
  bo.seed = opt.seed;
  std::vector<std::vector<double>> prog_acc(rows.size(), std::vector<double>(P, 0));
  std::vector<ojson> row_json(rows.size());
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    const Row& row = rows[ri];
    const auto ts = std::chrono::steady_clock::now();
    std::ofstream preds_out;
    if (!opt.write_predictions.empty() && row.model) {
      const auto path = std::filesystem::path(opt.write_predictions) / (row.name + ".jsonl");
      std::error_code ec;
      std::filesystem::create_directories(opt.write_predictions, ec);
      preds_out.open(path);
      if (!preds_out) return absl::InvalidArgumentError(Cat("cannot write predictions to ", path.string()));
      Log(opt, Cat(row.name, ": predictions → ", path.string()));
    }
    SC_ASSIGN_OR_RETURN(RowScores sc, ScoreRow(row, in, &sample_preds, preds_out.is_open() ? &preds_out : nullptr));
    if (preds_out.is_open()) {
      preds_out.close();
      if (!preds_out) return absl::InternalError(Cat("writing predictions of ", row.name, " into ", opt.write_predictions, " failed"));
    }
    for (size_t p = 0; p < P; ++p) prog_acc[ri][p] = Finalize(sc.all[p]).accuracy;
    Sums all, unc;
    for (const Sums& s : sc.all) all.Add(s);
    for (const Sums& s : sc.uncertain) unc.Add(s);
    const Metrics m = Finalize(all);

    ojson j;
    j["name"] = row.name;
    j["kind"] = row.kind;
    j["objective"] = row.objective;
    j["file"] = row.file;
    j["source"] = row.source;
    j["macro"] = MacroJson(sc.all, bo);
    j["overall"] = PooledJson(sc.all, bo);
    ojson u;
    u["share"] = all.n > 0 ? unc.n / all.n : 0.0;
    u["macro"] = MacroJson(sc.uncertain, bo);
    u["pooled"] = PooledJson(sc.uncertain, bo);
    j["uncertain"] = u;
    if (row.preds) j["coverage"] = {{"covered", row.preds->covered}, {"examples", examples.size()},
                                    {"fraction", static_cast<double>(row.preds->covered) / examples.size()}};
    ojson rel = ojson::array();
    for (const auto& b : m.reliability)
      rel.push_back({{"lo", b.lo}, {"hi", b.hi}, {"count", b.count}, {"confidence", b.confidence}, {"accuracy", b.accuracy}});
    j["reliability"] = rel;
    j["breakdown"] = BreakdownJson(in, sc.all, family);
    j["breakdown"]["label"] = LabelBreakdownJson(sc.by_label);
    if (!family.empty()) j["families"] = FamiliesJson(sc.all, family, bo);
    if (opt.every_step && row.predicts_any_example()) j["every_step"] = EveryStepJson(every[ri], held_out_runs, bo);
    j["rollouts"] = ojson::array();
    if (rollouts && (row.model || row.source == "oracle")) {
      Log(opt, Cat(row.name, ": rollouts"));
      const RolloutResult rr = row.model ? rollouts->Run(*row.model) : rollouts->Floor();
      j["rollouts"] = RolloutsJson(rr);
      j["rollout_survival"] = rr.survival;
    }
    std::string line = Cat(row.name, ": macro accuracy ", Sig4(Acc(j["macro"])), "  ece ", Sig4(j["macro"]["ece"]["value"]),
                           " | pooled accuracy ", Sig4(m.accuracy), "  ece ", Sig4(m.ece), " | uncertain macro accuracy ",
                           Sig4(Acc(u["macro"])));
    if (j.contains("every_step"))
      CatAppend(line, " | every-step macro nll ", Sig4(j["every_step"]["macro"]["nll"]["value"]), "  accuracy ",
                Sig4(Acc(j["every_step"]["macro"])));
    row_json[ri] = std::move(j);
    Log(opt, Cat(line, "  (", static_cast<int>(Seconds(ts) * 1000), " ms)"));
  }

  // Gaps to the oracle (pooled, macro, uncertain slice), right after "overall".
  ojson oracle;
  for (const auto& j : row_json)
    if (j["source"] == "oracle") oracle = j;
  ojson models = ojson::array();
  for (auto& j : row_json) {
    ojson gap = {{"accuracy", Acc(j["overall"]) - Acc(oracle["overall"])},
                 {"macro_accuracy", Acc(j["macro"]) - Acc(oracle["macro"])}};
    j["uncertain"]["oracle"] = {{"macro_accuracy", Acc(oracle["uncertain"]["macro"])},
                                {"pooled_accuracy", Acc(oracle["uncertain"]["pooled"])}};
    ojson ordered;
    for (auto it = j.begin(); it != j.end(); ++it) {
      ordered[it.key()] = it.value();
      if (it.key() == "overall") ordered["gap_to_oracle"] = gap;
    }
    models.push_back(std::move(ordered));
  }

  ojson out;
  out["format"] = "schedcast-eval";
  out["version"] = 1;
  out["created"] = NowUtc();
  out["command"] = opt.command;
  out["data"] = {{"dir", opt.data_dir}, {"split", opt.split}, {"level", examples[0].level}, {"key", examples[0].key},
                 {"examples", examples.size()}, {"programs", P}};
  out["dataset"] = DatasetJson(in);
  out["metrics_doc"] = "docs/METRICS.md";
  out["bootstrap"] = {{"resamples", opt.bootstrap}, {"seed", opt.seed}, {"level", 0.95}, {"over", "programs"}};
  out["rollouts"] = {{"computed", rollouts.has_value()}, {"note", rollout_note}, {"max_k", opt.rollout_steps}};
  out["every_step"] = {{"computed", opt.every_step}, {"runs", held_out_runs}, {"max_steps", opt.every_step_max_steps}};
  if (!opt.family_by.empty()) out["family_by"] = opt.family_by;
  out["models"] = models;
  out["comparison"] = ComparisonJson(models);
  std::vector<std::string> row_names;
  for (const Row& r : rows) row_names.push_back(r.name);
  out["programs"] = ProgramsJson(in, row_names, prog_acc, samples, sample_preds);

  if (opt.protocol == "paper") {
    Log(opt, Cat("paper protocol: reading at most ", opt.paper_runs, " runs per program from the store"));
    HeldOutOptions ho;
    ho.store = opt.store;
    ho.meta = in.meta;
    ho.max_runs_per_program = opt.paper_runs;
    std::vector<std::string> notes;
    std::vector<HeldOutRun> runs;
    SC_RETURN_IF_ERROR(ForEachHeldOutProgram(in.prog_names, ho, &notes, [&](size_t, const std::vector<HeldOutRun>& rs) {
      runs.insert(runs.end(), rs.begin(), rs.end());
      return absl::OkStatus();
    }));
    for (const auto& n : notes) Log(opt, Cat("paper protocol: ", n));
    std::vector<const Row*> scorable;
    for (const Row& r : rows)
      if (r.predicts_any_example()) scorable.push_back(&r);
    SC_ASSIGN_OR_RETURN(out["paper"], PaperProtocol(scorable, runs));
  }
  out["wall_seconds"] = Seconds(t0);
  SC_RETURN_IF_ERROR(CheckFinite(out, ""));
  return out;
}

}  // namespace schedcast::eval
