// job/run_job.h — the main job as one library call: collect → dataset → train → eval → report.
//
// `schedcast run` is flags plus RunJob(); tests and other front ends call it the same way. Layout of
// JobOptions::out: store.db (topped up: collect is idempotent), dataset/, models/<kind>-<objective>.json,
// eval.json, report/index.html, summary.json, and realworld/ (store.db, dataset/, eval.json, report/:
// the held-out real-world family, job/realworld.h; a line on `log` and summary.json's "realworld"
// say why when it is skipped). Later stages are redone on every call.
// Models: each kind in `models` is trained with the KL objective, and also with CE where its
// registry entry says so (model/registry.h: structured, neural). Skipped with a line on `log`, not an
// error: a kind whose trainer is unavailable in this build (neural without libtorch), and
// `calibrated` when the training programs come from fewer than 2 packages (its parameters are fitted
// on packages held out of training: model/calibrated.h). Progress lines go to `log`.
// Errors are the failing stage's status, with context ("train structured ce: ...").
// Not thread-safe (one job per output directory at a time).
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "collect/collector.h"
#include "common/status.h"
#include "data/stats.h"
#include "nlohmann/json.hpp"

namespace schedcast::job {

struct JobOptions {
  JobOptions();
  std::string out;  // output directory (required)
  // What to collect: paths (default corpus), runs (20), gomaxprocs (1,2,4), go_versions (1.23),
  // timeout (1 s), jobs, seed (also the training and evaluation seed). store_path is ignored: the
  // job's store is out/store.db.
  collect::CollectOptions collect;
  std::string key = "prefix", level = "goroutine";
  std::vector<std::string> models = {"freq", "ngram", "structured", "neural", "calibrated"};
  bool every_step = true;  // the eval also scores every step of every held-out run (eval::EvalOptions::every_step)
  std::string protocol = "paper";  // eval::EvalOptions::protocol: "" or "paper" (the source paper's protocol section)
  std::string family_by = "dir";   // eval::EvalOptions::family_by: "" or "dir" or a manifest field (families breakdown)
  std::string command;  // how the job was invoked, recorded in eval.json
  // The real-world family (job/realworld.h): the manifest ("" = off), runs per configuration and
  // the least per-run deadline of its collection. Held out of training; scored beside the test split.
  std::string realworld_manifest = "realworld/MANIFEST.json";
  int realworld_runs = 3;
  size_t realworld_max_steps = 1000;  // examples and every-step scores from each run's first N steps
  std::chrono::milliseconds realworld_timeout{5000};
};

struct JobResult {
  bool interrupted = false;  // collection was interrupted (SIGINT/SIGTERM): nothing after it ran
  size_t programs = 0, configs = 0, dataset_runs = 0, dataset_runs_skipped = 0;
  std::vector<std::pair<std::string, data::SplitStats>> splits;  // train, validation, test
  nlohmann::ordered_json eval;     // eval.json's contents
  nlohmann::ordered_json summary;  // summary.json's contents
  nlohmann::ordered_json realworld_eval;  // out/realworld/eval.json's contents; null when not scored
  std::string realworld_note;             // why the real-world family was not scored ("" when it was)
  std::string store, dataset, models_dir, eval_path, report_index;
};

absl::StatusOr<JobResult> RunJob(const JobOptions& opt, std::ostream& log);

}  // namespace schedcast::job
