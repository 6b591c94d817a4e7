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

void PrintEvalTables(const nlohmann::ordered_json& out) {
  const auto& d = out["data"];
  std::printf("%s split of %s: %zu examples, %zu programs (level %s, key %s)\n",
              d["split"].get<std::string>().c_str(), d["dir"].get<std::string>().c_str(), d["examples"].get<size_t>(),
              d["programs"].get<size_t>(), d["level"].get<std::string>().c_str(), d["key"].get<std::string>().c_str());
  std::printf("95%% intervals: percentile bootstrap over programs (%d resamples); definitions: docs/METRICS.md\n\n",
              out["bootstrap"]["resamples"].get<int>());
  std::printf("%-22s %-24s %-7s %-7s %-7s %-7s %-24s %s\n", "model", "accuracy [95% CI]", "top3", "mode", "NLL",
              "Brier", "ECE [95% CI]", "gap to oracle");
  for (const auto& m : out["models"]) {
    const auto& o = m["overall"];
    std::string name = m["name"].get<std::string>();
    if (m.contains("coverage")) name += Cat(" (", static_cast<int>(100 * m["coverage"]["fraction"].get<double>() + 0.5), "%)");
    std::printf("%-22s %-24s %-7s %-7s %-7s %-7s %-24s %+.4f\n", name.c_str(), WithInterval(o["accuracy"]).c_str(),
                Num(o["top3"]["value"]).c_str(), Num(o["mode_agreement"]["value"]).c_str(),
                Num(o["nll"]["value"]).c_str(), Num(o["brier"]["value"]).c_str(), WithInterval(o["ece"]).c_str(),
                m["gap_to_oracle"]["accuracy"].get<double>());
  }
  if (!out["comparison"].empty()) {
    std::printf("\nKL vs CE (same model kind, same data):\n%-12s %-10s %-10s %-10s %-10s\n", "kind", "acc KL",
                "acc CE", "ECE KL", "ECE CE");
    for (const auto& c : out["comparison"])
      std::printf("%-12s %-10s %-10s %-10s %-10s\n", c["kind"].get<std::string>().c_str(),
                  Num(c["kl"]["accuracy"]).c_str(), Num(c["ce"]["accuracy"]).c_str(), Num(c["kl"]["ece"]).c_str(),
                  Num(c["ce"]["ece"]).c_str());
  }
  std::printf("\nrollouts: %s\n", out["rollouts"]["note"].get<std::string>().c_str());
  for (const auto& m : out["models"]) {
    if (m["rollouts"].empty()) continue;
    std::string line;
    for (const auto& r : m["rollouts"])
      if (r["k"] == 1 || r["k"] == 2 || r["k"] == 5 || r["k"] == 10)
        CatAppend(line, "  k=", r["k"].get<int>(), " TV ", Num(r["tv"], "%.3f"), " legal ", Num(r["legality"], "%.3f"));
    std::printf("  %-20s%s\n", m["name"].get<std::string>().c_str(), line.c_str());
  }
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
