// job/realworld.h — the main job's real-world family: a selection of third-party test suites
// (realworld/MANIFEST.json, Debian golang-*-dev packages) collected into their own store, held out
// of training entirely, and scored by the job's models beside the corpus test split.
//
// Contract: LoadRealworldManifest() reads the manifest (version 1, a "packages" array; each entry
// needs "debian", "family", "dir"; "run", "skip", "gopath", "job_run" are optional strings) and
// fails with a status naming the file and entry otherwise. CollectRealworld() collects, for every
// entry with a non-empty "job_run" whose directory exists, the tests matching job_run (minus
// "skip") under the job's plan (Go versions, GOMAXPROCS, seed) but with opt.realworld_runs runs and
// a deadline of at least opt.realworld_timeout, into out/realworld/store.db. It does not fail when
// the family cannot run: a missing manifest, no selected package installed, or every build failing
// give `skipped_reason` (one line saying why) and the job goes on. EvalRealworld() builds a dataset
// from that store whose every program is in the test split (none is ever trained on; examples from
// the first opt.realworld_max_steps steps of each run) and runs the
// eval (per-program macro metrics first) with the job's model files; it writes
// out/realworld/eval.json and out/realworld/report/.
// Not thread-safe (one job per output directory at a time).
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "job/run_job.h"
#include "nlohmann/json.hpp"

namespace schedcast::job {

struct RealworldPackage {
  std::string debian, family, dir, run, skip, gopath, job_run;
};

absl::StatusOr<std::vector<RealworldPackage>> LoadRealworldManifest(const std::string& path);

struct RealworldState {
  std::string skipped_reason;  // non-empty: the family was not collected or cannot be scored, and why
  bool interrupted = false;
  std::string dir, store;      // out/realworld, out/realworld/store.db
  std::vector<std::string> packages, families, missing;  // collected dirs, their families, missing Debian packages
  int64_t programs = 0, builds_failed = 0, runs_stored = 0;
  std::map<std::string, int64_t> outcomes;
};

absl::StatusOr<RealworldState> CollectRealworld(const JobOptions& opt, std::ostream& log);

// Fills `eval` (eval.json's contents) or, when nothing can be scored, state->skipped_reason.
absl::StatusOr<nlohmann::ordered_json> EvalRealworld(const JobOptions& opt, const std::vector<std::string>& model_files,
                                                     RealworldState* state, std::ostream& log);

// summary.json's "realworld" object for a state (and its eval file when scored).
nlohmann::ordered_json RealworldSummary(const RealworldState& state, const std::string& eval_path);

}  // namespace schedcast::job
