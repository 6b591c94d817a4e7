// `schedcast eval` — the eval/ stage's command: scores models and prediction files on a dataset
// split, prints a table (and the KL-vs-CE comparison), and writes the eval JSON with --json.
#include <cstdio>
#include <iostream>
#include <memory>

#include "common/json.h"
#include "cli/commands.h"
#include "report/report.h"
#include "report/text.h"
#include "eval/eval.h"

namespace schedcast::cli {

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
  cmd->add_option("--write-predictions", e->opt.write_predictions,
                  "write every model row's (and the uniform baseline's) probabilities into DIR/<row name>.jsonl (the --predictions format)");
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
    report::WriteEvalTables(*out);
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
