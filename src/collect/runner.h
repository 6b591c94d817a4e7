// collect/runner.h — one run: one process of a built test binary or main program under the
// tracing shim, turned into a store::RunRecord.
//
// Contract: the test binary runs as `BIN -test.run ^TestX$ -test.count=1 -test.v -test.timeout=0`
// (the shim's watchdog replaces testing's own timeout), a main program as `BIN`; cwd is the
// package directory of the temporary copy (as `go test` does); env adds GOMAXPROCS and the shim's
// variables (see shim.h). The shim's deadline is `timeout`; the whole process group is hard-killed
// at timeout + HardKillGrace(timeout). The trace and end state are read back from the run's
// scratch directory, which is removed afterwards, with goleak's verdict and the leak profile when
// asked for and written (absent files leave the record's fields unset: not checked). The event count comes from the gotrace parser
// and is left unset (NULL) whenever the trace cannot be parsed. A cancelled run returns
// cancelled=true and must not be stored.
// Thread-safety: thread-safe (each call uses its own scratch directory and process).
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "collect/workspace.h"
#include "store/records.h"

namespace schedcast::collect {

struct RunSpec {
  std::string binary;     // absolute path
  std::string cwd;        // package directory in the copy
  std::string test_name;  // empty: a main program
  int gomaxprocs = 1;
  uint64_t run_seed = 0;
  std::chrono::milliseconds timeout{5000};
  bool traced = true;     // false: a bare run (benchmarks): no trace, no watchdog
  bool goleak = false;        // ask the shim for goleak's verdict (binary built with goleak)
  bool leak_profile = false;  // ask the shim for the goroutineleak profile
  uint64_t perturb_seed = 0;  // in (0, 2^63): a perturbed run with this seed (shim.h); 0: none
  // With a perturb_seed: kRuntime sets kEnvPerturb (the shim's perturber), kSource sets
  // kEnvPerturbSource (the injected delays of a binary built from an injected copy), kBoth both.
  store::PerturbMode perturb_mode = store::PerturbMode::kRuntime;
  const std::atomic<bool>* cancel = nullptr;
};

struct RunOutput {
  store::RunRecord record;  // program/config ids, seed and index are left for the caller
  bool cancelled = false;
};

std::chrono::milliseconds HardKillGrace(std::chrono::milliseconds timeout);

// Largest trace kept; a bigger one is dropped with a note (never truncated silently).
inline constexpr size_t kMaxTraceBytes = size_t{1} << 30;

absl::StatusOr<RunOutput> ExecuteRun(const RunSpec& spec, Workspace& ws);

}  // namespace schedcast::collect
