// `schedcast eval` — the eval/ stage's command: scores models and prediction files on a dataset
// split, prints a table (and the KL-vs-CE comparison), and writes the eval JSON with --json.
#include <cstdio>
#include <iostream>
#include <memory>

#include "common/json.h"
#include "cli/commands.h"
#include "report/report.h"
#include "eval/eval.h"

namespace schedcast::cli {

namespace {

std::string Num(const nlohmann::ordered_json& j, const char* fmt = "%.4f") {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, j.get<double>());
  return buf;
}

std::string WithInterval(const nlohmann::ordered_json& m) {
  return Cat(Num(m["value"]), " [", Num(m["lo"]), ",", Num(m["hi"]), "]");
}

}  // namespace

namespace {

void PrintMetricRows(const nlohmann::ordered_json& out, const char* set, const char* gap) {
  std::printf("%-22s %-24s %-7s %-7s %-7s %-7s %-24s %s\n", "model", "accuracy [95% CI]", "top3", "mode", "NLL",
              "Brier", "ECE [95% CI]", "gap to oracle");
  for (const auto& m : out["models"]) {
    const auto& o = m[set];
    std::string name = m["name"].get<std::string>();
    if (m.contains("coverage")) name += Cat(" (", static_cast<int>(100 * m["coverage"]["fraction"].get<double>() + 0.5), "%)");
    std::printf("%-22s %-24s %-7s %-7s %-7s %-7s %-24s %+.4f\n", name.c_str(), WithInterval(o["accuracy"]).c_str(),
                Num(o["top3"]["value"]).c_str(), Num(o["mode_agreement"]["value"]).c_str(),
                Num(o["nll"]["value"]).c_str(), Num(o["brier"]["value"]).c_str(), WithInterval(o["ece"]).c_str(),
                m["gap_to_oracle"][gap].get<double>());
  }
}

}  // namespace

void PrintEvalTables(const nlohmann::ordered_json& out) {
  const auto& d = out["data"];
  std::printf("%s split of %s: %zu examples, %zu programs (level %s, key %s)\n",
              d["split"].get<std::string>().c_str(), d["dir"].get<std::string>().c_str(), d["examples"].get<size_t>(),
              d["programs"].get<size_t>(), d["level"].get<std::string>().c_str(), d["key"].get<std::string>().c_str());
  std::printf("95%% intervals: percentile bootstrap over programs (%d resamples); definitions: docs/METRICS.md\n\n",
              out["bootstrap"]["resamples"].get<int>());
  const bool macro = !out["models"].empty() && out["models"][0].contains("macro");
  if (macro) {
    std::printf("per program (macro: every held-out program weighs 1)\n");
    PrintMetricRows(out, "macro", "macro_accuracy");
    std::printf("\npooled (every example weighs 1)\n");
  }
  PrintMetricRows(out, "overall", "accuracy");
  if (macro && out["models"][0].contains("uncertain")) {
    const auto& u0 = out["models"][0]["uncertain"];
    std::printf("\nuncertain slice (target with mass on >= 2 candidates): %.1f%% of examples, %zu programs; oracle "
                "accuracy macro %s, pooled %s\n%-22s %-24s %-8s %-8s %-24s %-8s\n",
                100 * u0["share"].get<double>(), u0["macro"]["programs"].get<size_t>(),
                Num(u0["oracle"]["macro_accuracy"]).c_str(), Num(u0["oracle"]["pooled_accuracy"]).c_str(), "model",
                "macro accuracy [95% CI]", "NLL", "ECE", "pooled accuracy", "ECE");
    for (const auto& m : out["models"]) {
      const auto& u = m["uncertain"];
      std::printf("%-22s %-24s %-8s %-8s %-24s %-8s\n", m["name"].get<std::string>().c_str(),
                  WithInterval(u["macro"]["accuracy"]).c_str(), Num(u["macro"]["nll"]["value"]).c_str(),
                  Num(u["macro"]["ece"]["value"]).c_str(), WithInterval(u["pooled"]["accuracy"]).c_str(),
                  Num(u["pooled"]["ece"]["value"]).c_str());
    }
  }
  if (out.contains("every_step") && out["every_step"]["computed"].get<bool>()) {
    std::printf("\nevery step of every held-out run (%zu runs), against the event the run produced next\n"
                "%-22s %-24s %-8s %-8s %-8s | %-8s %-8s %-8s\n",
                out["every_step"]["runs"].get<size_t>(), "model", "macro NLL [95% CI]", "acc", "top3", "ECE",
                "pooled NLL", "acc", "ECE");
    for (const auto& m : out["models"]) {
      if (!m.contains("every_step")) continue;
      const auto& e = m["every_step"];
      std::printf("%-22s %-24s %-8s %-8s %-8s | %-8s %-8s %-8s\n", m["name"].get<std::string>().c_str(),
                  WithInterval(e["macro"]["nll"]).c_str(), Num(e["macro"]["accuracy"]["value"]).c_str(),
                  Num(e["macro"]["top3"]["value"]).c_str(), Num(e["macro"]["ece"]["value"]).c_str(),
                  Num(e["pooled"]["nll"]["value"]).c_str(), Num(e["pooled"]["accuracy"]["value"]).c_str(),
                  Num(e["pooled"]["ece"]["value"]).c_str());
    }
  }
  if (!out["comparison"].empty()) {
    std::printf("\nKL vs CE (same model kind, same data; macro, then pooled):\n%-12s %-10s %-10s %-10s %-10s | %-10s %-10s\n",
                "kind", "acc KL", "acc CE", "ECE KL", "ECE CE", "pooled KL", "pooled CE");
    for (const auto& c : out["comparison"]) {
      const bool cm = c["kl"].contains("macro");
      const auto& kl = cm ? c["kl"]["macro"] : c["kl"];
      const auto& ce = cm ? c["ce"]["macro"] : c["ce"];
      std::printf("%-12s %-10s %-10s %-10s %-10s | %-10s %-10s\n", c["kind"].get<std::string>().c_str(),
                  Num(kl["accuracy"]).c_str(), Num(ce["accuracy"]).c_str(), Num(kl["ece"]).c_str(), Num(ce["ece"]).c_str(),
                  Num(c["kl"]["accuracy"]).c_str(), Num(c["ce"]["accuracy"]).c_str());
    }
  }
  std::printf("\nrollouts: %s (TV vs the held-out continuations; floor = TV between two halves of them; "
              "above = model TV − floor at the same sample size)\n", out["rollouts"]["note"].get<std::string>().c_str());
  for (const auto& m : out["models"]) {
    if (m["rollouts"].empty()) continue;
    std::string line;
    for (const auto& r : m["rollouts"])
      if (r["k"] == 1 || r["k"] == 2 || r["k"] == 5 || r["k"] == 10) {
        CatAppend(line, "  k=", r["k"].get<int>(), " TV ", Num(r["tv"], "%.3f"));
        if (r.contains("above_floor") && m["source"] != "oracle") CatAppend(line, " above ", Num(r["above_floor"], "%+.3f"));
        CatAppend(line, " legal ", Num(r["legality"], "%.3f"));
      }
    if (m.contains("rollout_survival")) CatAppend(line, "  survival ", Num(m["rollout_survival"], "%.2f"), " steps");
    std::printf("  %-20s%s\n", m["name"].get<std::string>().c_str(), line.c_str());
  }
  if (out.contains("family_by") && !out["models"].empty() && out["models"][0].contains("families")) {
    std::printf("\nper family (--family-by %s; macro accuracy, programs):\n", out["family_by"].get<std::string>().c_str());
    for (const auto& [fam, f0] : out["models"][0]["families"].items()) {
      std::string line;
      for (const auto& m : out["models"])
        CatAppend(line, "  ", m["name"].get<std::string>(), " ", Num(m["families"][fam]["macro"]["accuracy"]["value"]));
      std::printf("  %-30s (%zu)%s\n", fam.c_str(), f0["macro"]["programs"].get<size_t>(), line.c_str());
    }
  }
  if (out.contains("paper")) PrintPaperTable(out["paper"]);
}

void PrintPaperTable(const nlohmann::ordered_json& p) {
  std::printf("\nthe source paper's protocol: event-type level, cuts at 25/50/75%% of each run, <= 5 runs per program: "
              "%zu predictions, %zu runs, %zu programs, %zu (program, cut) groups\n",
              p["positions"].get<size_t>(), p["runs"].get<size_t>(), p["programs"].get<size_t>(), p["groups"].get<size_t>());
  std::printf("%-24s %-9s %-9s %-10s", "row", "accuracy", "ECE", "group ECE");
  for (const auto& [t, n] : p["type_counts"].items()) std::printf(" %-11s", Cat(t, "(", n.get<size_t>(), ")").c_str());
  std::printf("\n");
  for (const auto& r : p["rows"]) {
    std::printf("%-24s %-9s %-9s %-10s", r["name"].get<std::string>().c_str(), Num(r["accuracy"]).c_str(),
                Num(r["ece"]).c_str(), Num(r["group_ece"]).c_str());
    for (const auto& [t, n] : p["type_counts"].items()) std::printf(" %-11s", Num(r["by_type"][t]).c_str());
    std::printf("\n");
  }
  std::printf("McNemar (exact two-sided p; only_a / only_b = positions only that row gets right):\n");
  for (const auto& m : p["mcnemar"])
    std::printf("  %-24s vs %-24s %5zu / %-5zu p = %.4g\n", m["a"].get<std::string>().c_str(),
                m["b"].get<std::string>().c_str(), m["only_a"].get<size_t>(), m["only_b"].get<size_t>(), m["p"].get<double>());
}

void RegisterEval(CLI::App& app) {
  struct E {
    eval::EvalOptions opt;
    std::vector<std::string> predictions, names;
    std::string json, report;
  };
  auto e = std::make_shared<E>();
  auto* cmd = app.add_subcommand("eval", "Accuracy, calibration, oracle gap, breakdowns and rollouts of models on held-out programs");
  cmd->add_option("--data", e->opt.data_dir, "dataset directory (from dataset build)")->required();
  cmd->add_option("--model", e->opt.models, "model file(s) from train (repeatable)");
  cmd->add_option("--predictions", e->predictions, "JSONL predictions made elsewhere (repeatable; format in docs/METRICS.md)");
  cmd->add_option("--name", e->names, "row name for the --predictions file at the same position (default: file stem)");
  cmd->add_option("--split", e->opt.split, "train, validation, test or all")->capture_default_str();
  cmd->add_option("--store", e->opt.store, "the store the dataset was built from (enables rollouts)");
  cmd->add_option("--json", e->json, "write the eval JSON here");
  cmd->add_option("--report", e->report, "write the static HTML report (index.html + programs/) into this directory");
  cmd->add_option("--seed", e->opt.seed, "seed for bootstrap, samples and rollouts")->capture_default_str();
  cmd->add_option("--bootstrap", e->opt.bootstrap, "bootstrap resamples (0 = no intervals)")->capture_default_str();
  cmd->add_option("--rollout-starts", e->opt.rollout_starts, "rollout start positions")->capture_default_str();
  cmd->add_option("--rollout-samples", e->opt.rollout_samples, "sampled continuations per start")->capture_default_str();
  cmd->add_option("--rollout-steps", e->opt.rollout_steps, "longest rollout k")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_flag("--every-step", e->opt.every_step, "also score every step of every held-out run (needs --store)");
  cmd->add_option("--every-step-max-steps", e->opt.every_step_max_steps,
                  "with --every-step: only the first N steps of each run (0 = all)")->capture_default_str();
  cmd->add_option("--protocol", e->opt.protocol, "also run the source paper's protocol: paper (needs --store)")
      ->check(CLI::IsMember({"paper"}));
  cmd->add_option("--paper-runs", e->opt.paper_runs, "runs per program under --protocol paper")->capture_default_str();
  cmd->add_option("--family-by", e->opt.family_by, "metrics per family: dir (package folder) or a manifest field");
  cmd->callback([e] {
    if (e->names.size() > e->predictions.size())
      return Fail(absl::InvalidArgumentError(Cat("--name given ", e->names.size(), " times but --predictions ",
                                                 e->predictions.size(), " times")));
    if (e->opt.models.empty() && e->predictions.empty())
      return Fail(absl::InvalidArgumentError("nothing to evaluate: give --model and/or --predictions"));
    e->opt.predictions.clear();
    for (size_t i = 0; i < e->predictions.size(); ++i)
      e->opt.predictions.push_back({e->predictions[i], i < e->names.size() ? e->names[i] : ""});
    std::string cmdline = Cat("schedcast eval --data ", e->opt.data_dir, " --split ", e->opt.split);
    for (const auto& m : e->opt.models) CatAppend(cmdline, " --model ", m);
    for (const auto& p : e->opt.predictions) CatAppend(cmdline, " --predictions ", p.path, p.name.empty() ? "" : " --name ", p.name);
    if (!e->opt.store.empty()) CatAppend(cmdline, " --store ", e->opt.store);
    CatAppend(cmdline, " --seed ", e->opt.seed, " --bootstrap ", e->opt.bootstrap);
    if (e->opt.every_step) CatAppend(cmdline, " --every-step");
    if (e->opt.every_step_max_steps > 0) CatAppend(cmdline, " --every-step-max-steps ", e->opt.every_step_max_steps);
    if (!e->opt.protocol.empty()) CatAppend(cmdline, " --protocol ", e->opt.protocol);
    if (!e->opt.family_by.empty()) CatAppend(cmdline, " --family-by ", e->opt.family_by);
    if (!e->json.empty()) CatAppend(cmdline, " --json ", e->json);
    e->opt.command = cmdline;
    e->opt.log = &std::cerr;
    auto out = eval::RunEval(e->opt);
    if (!out.ok()) return Fail(out.status());
    PrintEvalTables(*out);
    if (!e->json.empty()) {
      if (auto s = WriteStringToFile(e->json, JsonText(*out, 1) + "\n"); !s.ok()) return Fail(s);
      std::printf("\nwrote %s\n", e->json.c_str());
    }
    if (!e->report.empty()) {
      if (auto s = report::WriteReport(nlohmann::json::parse(JsonText(*out)), e->report); !s.ok()) return Fail(s);
      std::printf("report: %s/index.html\n", e->report.c_str());
    }
  });
}

}  // namespace schedcast::cli
