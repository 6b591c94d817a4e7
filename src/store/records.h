// store/records.h — the plain rows the store reads and writes.
//
// Natural keys: ProgramRecord (package, name, source_hash); ConfigRecord (go_version, gomaxprocs,
// race); BuildRecord (package, source_hash, go_version, race); RunRecord (program, config,
// run_index, seed). Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/names.h"
#include "store/outcome.h"

namespace schedcast::store {

struct ProgramRecord {
  std::string package;      // Go import path, "_/abs/dir" for a directory outside any module
  std::string dir;          // absolute source directory
  std::string name;         // "TestXxx" or "main"
  std::string kind;         // "test" or "main"
  std::string source_hash;  // hex fnv1a64 of the package sources
};

struct ConfigRecord {
  std::string go_version;  // "1.23"
  int gomaxprocs = 1;
  bool race = false;
};

struct BuildRecord {
  std::string package;
  std::string source_hash;
  std::string go_version;       // "1.23"
  std::string go_full_version;  // "go1.23.5"
  bool race = false;
  bool ok = false;
  std::string output;  // compiler output, capped
};

struct RunRecord {
  int64_t program_id = 0;
  int64_t config_id = 0;
  uint64_t seed = 0;
  int run_index = 0;
  uint64_t run_seed = 0;
  Outcome outcome = Outcome::kOk;
  std::optional<int> exit_code;
  std::optional<int> signal;
  double wall_ms = 0;
  std::optional<int64_t> event_count;
  std::string stdout_text;
  std::string stderr_text;
  std::optional<std::string> end_state;
  std::string note;
  std::string started_at;  // UTC ISO 8601
  // The raw trace (empty: none was written). Stored zstd-compressed; trace_bytes = trace.size().
  std::string trace;
  bool has_trace = false;  // false: no trace file at all (as opposed to an empty one)
  // Optional: Compress(trace) done ahead (e.g. on a worker thread); InsertRun compresses otherwise.
  std::string trace_zstd;
  uint64_t perturb = 0;                     // PerturbKey(--perturb, mode) (0: unperturbed run)
  std::optional<uint64_t> perturb_seed;     // this run's perturbation seed
  std::optional<std::string> goleak;        // goleak.Find() result: "" clean, else its message
  std::optional<std::string> leak_profile;  // goroutineleak profile, debug=2 stacks
};

// How a perturbed run was perturbed (collect --perturb-mode): the runtime-level perturber of the
// shim, seeded delays injected before the package's synchronising statements, or both. The mode is
// part of the run-set key runs.perturb: the --perturb seed (below 2^56) plus the mode times 2^56
// (runtime: 0, so stores made before the modes read as runtime-perturbed), so runs of different
// modes are run sets of their own, like runs of different seeds.
enum class PerturbMode { kRuntime = 0, kSource = 1, kBoth = 2 };
inline constexpr uint64_t kPerturbSeedLimit = uint64_t{1} << 56;
inline uint64_t PerturbKey(uint64_t seed, PerturbMode m) { return seed + static_cast<uint64_t>(m) * kPerturbSeedLimit; }
inline PerturbMode PerturbModeOf(uint64_t key) {
  const uint64_t m = key / kPerturbSeedLimit;
  return m == 1 ? PerturbMode::kSource : m == 2 ? PerturbMode::kBoth : PerturbMode::kRuntime;
}
inline uint64_t PerturbSeedOf(uint64_t key) { return key % kPerturbSeedLimit; }
inline const char* PerturbModeName(PerturbMode m) {
  return m == PerturbMode::kSource ? "source" : m == PerturbMode::kBoth ? "both" : "runtime";
}
// "" for an unperturbed run; "/perturbed" (runtime), "/perturbed-source", "/perturbed-both": the
// suffix of a perturbed run's configuration in datasets, which never pool run sets of two modes.
inline std::string PerturbSuffix(uint64_t key) {
  if (key == 0) return "";
  const PerturbMode m = PerturbModeOf(key);
  return m == PerturbMode::kRuntime ? "/perturbed" : std::string("/perturbed-") + PerturbModeName(m);
}

// A run as read back, with its program and configuration spelled out.
struct StoredRun {
  int64_t id = 0;
  ProgramRecord program;
  ConfigRecord config;
  uint64_t seed = 0;
  int run_index = 0;
  uint64_t run_seed = 0;
  Outcome outcome = Outcome::kOk;
  std::optional<int64_t> exit_code;
  std::optional<int64_t> signal;
  double wall_ms = 0;
  int64_t trace_bytes = 0;
  std::optional<int64_t> event_count;
  std::string stdout_text;
  std::string stderr_text;
  std::optional<std::string> end_state;
  std::string note;
  std::string started_at;
  uint64_t perturb = 0;                 // PerturbKey; 0: unperturbed (datasets use only these by default)
  std::optional<uint64_t> perturb_seed;
  std::optional<std::string> goleak;        // nullopt: not checked
  std::optional<std::string> leak_profile;  // nullopt: not taken
  bool perturbed() const { return perturb != 0; }
  PerturbMode perturb_mode() const { return PerturbModeOf(perturb); }
};

// The common names (common/names.h) of a stored program and configuration.
using schedcast::ConfigName;
using schedcast::ProgramKey;
inline std::string ProgramKey(const ProgramRecord& p) { return ProgramKey(p.package, p.name); }
inline std::string ConfigName(const ConfigRecord& c) { return ConfigName(c.go_version, c.gomaxprocs, c.race); }

}  // namespace schedcast::store
