// collect/collector.h — `schedcast collect`: discover, build once per configuration, run every
// program N times per configuration in parallel, store every run.
//
// Contract:
//  - Programs are discovered under `paths` (discover.h) and filtered to `shard` (plan.h).
//  - Configurations are go_versions x (race ? {plain, race} : {plain}) x gomaxprocs.
//  - Top-up: for each (program, configuration) only the run indices in [0, runs) not yet in the
//    store are run, so re-running with the same arguments never duplicates and completes what
//    an interrupted collection left undone. A (program, configuration) whose build failed has one
//    build_failed run and is not retried for the same sources.
//  - Each package is built once per (Go version, race) in a temporary copy (workspace.h); each
//    run is one process (runner.h); each finished run is stored in its own transaction as soon as
//    it completes, so kill -9 loses at most the runs in flight.
//  - SIGINT/SIGTERM: in-flight runs and builds are killed and discarded; finished ones are kept;
//    the summary says interrupted=true.
//  - Progress goes to `log` (progress.h).
// Errors: bad arguments, missing toolchains, an unusable store; a run that cannot even be started
// is counted in run_errors (with the first message) and the collection goes on.
// Thread-safety: not thread-safe (one collection per process: it installs signal handlers and
// makes the process a child subreaper).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "collect/plan.h"
#include "common/status.h"
#include "store/records.h"

namespace schedcast::collect {

struct CollectOptions {
  std::vector<std::string> paths;
  std::string store_path;
  int runs = 1;
  int jobs = 0;                          // 0: number of cores
  std::vector<int> gomaxprocs = {1, 2, 4};
  bool race = false;                     // also collect -race builds
  std::vector<std::string> go_versions;  // empty: newest installed
  std::chrono::milliseconds timeout{5000};
  uint64_t seed = 1;
  Shard shard;
  int tty = -1;  // progress style: -1 auto (isatty(2)), 0 plain lines, 1 progress bar
  std::chrono::milliseconds progress_interval{10000};
  // Test selection (main programs are not affected): a test is collected when its name matches
  // `run` (empty: every test) and does not match `skip` (empty: none). ECMAScript regular
  // expressions, searched (unanchored) in the top-level test name, like `go test -run`.
  std::string run_regex, skip_regex;
  // Leak checks on the same runs (docs/LEAKS.md): goleak's verdict after each test (go.uber.org/
  // goleak from the module proxy, required by the temporary copy only; Go >= 1.20), and the
  // runtime's goroutineleak profile at the end state (Go >= 1.26; GOEXPERIMENT on 1.26).
  bool goleak = false, leak_profile = false;
  // Non-zero: perturbed runs (shim.h), a run set of their own (the store's key includes it): each
  // run's perturbation seed derives from this, the program, the configuration and the run index.
  uint64_t perturb = 0;
  // How perturbed runs are perturbed (store::PerturbMode; part of the run set's key): the shim's
  // runtime-level perturber, seeded delays before every synchronising statement of the package
  // (tools/srcindex -inject on the temporary copy: the srcindex helper is then required), or both.
  // Source by default: it exposed the most rare leaks in every measurement (docs/LEAKS.md).
  store::PerturbMode perturb_mode = store::PerturbMode::kSource;
  // GOPATH roots: packages under <root>/src are built in GOPATH mode (see Discover).
  std::vector<std::string> gopaths;
  // Index each collected package's source once (tools/srcindex → the store's source_index table).
  bool source_index = true;
};

struct CollectSummary {
  int64_t packages = 0, programs = 0, configs = 0;
  int64_t builds = 0, builds_failed = 0;
  int64_t runs_planned = 0, runs_stored = 0, runs_already_stored = 0, runs_skipped_build_failed = 0;
  int64_t runs_discarded = 0;  // finished, but another collection had stored that run index meanwhile
  int64_t run_errors = 0;
  std::string first_run_error;
  std::map<std::string, int64_t> outcomes;  // of the runs stored by this collection
  bool interrupted = false;
  int signal = 0;
  int strays_killed = 0;
  double seconds = 0;
  int64_t indexes_made = 0, indexes_failed = 0;  // source indexes written by this collection
  double index_seconds = 0;                      // wall time of the indexing stage
};

absl::StatusOr<CollectSummary> Collect(const CollectOptions& options, std::ostream& log);

// The plan flags `schedcast collect` and `schedcast run` share, applied to `o`: --gomaxprocs (a
// list), --go (a list; "" keeps o->go_versions), --timeout (a duration). Errors name the flag.
absl::Status ApplyPlanFlags(const std::string& gomaxprocs, const std::string& go, const std::string& timeout,
                            CollectOptions* o);

}  // namespace schedcast::collect
