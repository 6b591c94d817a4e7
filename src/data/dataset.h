// data/dataset.h — building a dataset directory from a store, and reading it back.
//
// A dataset directory holds train.jsonl, validation.jsonl, test.jsonl (one Example per line, schema
// in docs/DATASET.md), programs.json (program → source dir, split, runs used, examples) and
// meta.json (options, counts, per-run errors). Programs are processed one at a time (memory bounded
// by one program's runs); a run whose trace cannot be parsed or replayed is skipped and listed in
// meta.json's "errors" — never silently. Thread-compatible (no shared state).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/builder.h"
#include "data/split.h"
#include "store/store.h"

namespace schedcast::data {

struct DatasetOptions {
  BuildOptions build;
  std::string manifest;        // corpus/MANIFEST.json for splits ("" = hash splits only)
  bool include_failed = true;  // include runs that ended in deadline/deadlock/panic (their traces are real)
  bool strict = false;         // fail (DataLoss naming the run) at the first run that cannot be used
  // Perturbed runs (collect --perturb) sample a different distribution: left out unless asked for;
  // with it, they form configurations of their own ("<config>/perturbed", "<config>/perturbed-source",
  // "<config>/perturbed-both": store::PerturbSuffix), never pooled with plain runs or across modes.
  bool include_perturbed = false;
  std::string only_split;      // non-empty ("test"): every program goes to this split (a held-out family)
};

struct DatasetSummary {
  size_t programs = 0, configs = 0, runs = 0, runs_skipped = 0;
  size_t perturbed_runs_left_out = 0;
  std::map<std::string, size_t> examples_by_split;
  std::vector<std::string> errors;  // "program config run N: reason"
  std::vector<int64_t> skipped_runs;  // ids of the runs whose trace could not be read, parsed or replayed
};

// Whether a stored run goes into a dataset: it built, has a trace, and ended ok unless failed runs
// are included. Every consumer that rebuilds examples from a store (eval's held-out runs) uses this.
bool UsableRun(const store::StoredRun& r, bool include_failed);

// "17, 18, 20 (and 4 more)": the first `max` ids of a list, for messages.
std::string RunIdList(const std::vector<int64_t>& ids, size_t max);

// "go1.23/p2", with "/race" appended for race builds: how examples name a configuration (common/names.h).
using store::ConfigName;

// `progress(done, total, program)` is called after each program/config group.
absl::StatusOr<DatasetSummary> BuildDataset(store::Store& st, const DatasetOptions& opt, const std::string& out_dir,
                                            const std::function<void(size_t, size_t, const std::string&)>& progress);

struct ProgramMeta {
  std::string dir;    // source directory of the package
  std::string name;   // test name ("TestX") or "main"
  std::string split;
  uint64_t examples = 0;  // examples built for the program (all configurations)
  // From the corpus manifest when the dataset was built with one ("" / empty otherwise).
  std::string category;                 // e.g. "chan", "leak"
  std::string bug;                      // "" for a correct program, else the bug class ("leak", "deadlock", …)
  std::vector<std::string> primitives;  // e.g. {"chan", "select", "mutex"}
};

// Copies category, bug and primitives of every test in a corpus manifest (corpus/MANIFEST.json) onto
// the matching entries of `programs` (keyed "package.TestName"); others are left as they are.
// Errors name the file.
absl::Status AnnotateFromManifest(const std::string& manifest, std::map<std::string, ProgramMeta>* programs);
void AnnotateFromManifest(const Manifest& manifest, std::map<std::string, ProgramMeta>* programs);

// The source index the store holds for a program's package and source hash (srcindex/index.h):
// nullopt when there is none or the helper failed on it; a stored index that cannot be read is
// nullopt too, with the reason appended to `errors`. Every consumer that builds examples from a
// store (BuildDataset, ExampleAt, eval's held-out runs) attaches program facts from it.
std::optional<srcindex::Index> LoadSourceIndex(store::Store& st, const store::ProgramRecord& p,
                                               std::vector<std::string>* errors);

// The example at step `at` of stored run `run_id`, built from the runs of its program and
// configuration exactly as BuildDataset builds it (`schedcast predict`). OutOfRange past the run's
// last prediction step; DataLoss when the run itself could not be read or tokenized.
absl::StatusOr<Example> ExampleAt(store::Store& st, int64_t run_id, uint64_t at, const BuildOptions& opt);

// Reads DIR/<split>.jsonl ("all" reads every split). Errors name the file and line.
absl::StatusOr<std::vector<Example>> LoadExamples(const std::string& dir, const std::string& split);
absl::StatusOr<std::map<std::string, ProgramMeta>> LoadPrograms(const std::string& dir);

}  // namespace schedcast::data
