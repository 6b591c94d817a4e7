// pipeline/run.h — the one path from a stored run to what every consumer reads:
//   trace bytes (+ end-state dump, program sources) → timeline → canonical ids → leak proofs →
//   tokens/steps.
// The dataset builder (data/builder.h), rollouts (eval/rollout.h), `schedcast trace tokens`,
// `schedcast export perfetto`, `schedcast leaks`, `schedcast dist show` and `schedcast predict` all
// call these functions, so a run is parsed, canonicalised, analysed and tokenized the same way
// everywhere.
//
// Leak-proof policy (one for every consumer; docs/LEAKS.md has the rules):
//  - The end-state dump is optional. An empty dump, or one that cannot be parsed, leaves the
//    trace-only rules (R2 with the trace's block reasons), exactly as a run without a dump; an
//    unparsable dump is reported in RunAnalysisResult::notes, never silently dropped.
//  - The program's sources are read from `source_dir` ("" = unknown: no select can be checked for
//    timer cases). Hazards inside other top-level TestXxx functions are ignored when `name` is the
//    function this process ran ("TestXxx", or "main" for a package main program, which runs none).
//  - With TokenizeOptions::leak_proofs, goroutines proved permanently blocked get no GoUnblock
//    candidate from the event the proof holds (sched::TokenizeOptions::permanent). A run whose
//    analysis fails (it cannot be replayed) is tokenized without proofs (the tokenizer then reports
//    the replay error itself).
// Thread-safety: the free functions are pure; SourceCache is not thread-safe (one per thread).
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "leaks/prove.h"
#include "leaks/source.h"
#include "sched/canon.h"
#include "sched/state.h"
#include "sched/timeline.h"
#include "sched/token.h"
#include "store/records.h"
#include "store/store.h"

namespace schedcast::pipeline {

// One run's raw inputs.
struct RunInput {
  int64_t run_id = 0;
  std::string trace;       // raw trace bytes
  std::string end_state;   // the shim's end-state dump ("" if none)
  std::string source_dir;  // the program's source directory ("" if unknown)
  std::string name;        // the program's function: "TestXxx" or "main" ("" if unknown)
};

// A stored run's inputs, given its trace bytes (store::Store::LoadTrace).
RunInput InputOf(const store::StoredRun& r, std::string trace);

// A run whose trace could not be loaded, and why (the store's status, unchanged).
struct LoadFailure {
  int64_t run_id = 0;
  absl::Status status;
  std::string Describe() const;  // "run 17: <message>"
};

struct LoadedRuns {
  std::vector<RunInput> inputs;        // in the order of `runs`
  std::vector<LoadFailure> failures;   // runs whose trace cannot be read, in the order of `runs`
};

// The inputs of `runs` with their traces loaded from `st`. Runs stored without a trace (trace_bytes 0:
// the program died before the tracer flushed) are left out. Not thread-safe (uses the store).
LoadedRuns LoadInputs(store::Store& st, const std::vector<const store::StoredRun*>& runs);

// Timeline and canonical ids of one run.
struct ParsedRun {
  sched::Timeline timeline;
  sched::Canonicalization canon;
};

// Parses the trace and canonicalises it; errors name the offset (gotrace/) or event (sched/).
absl::StatusOr<ParsedRun> Parse(std::string_view trace);

// Caller-owned cache of program sources, keyed by (directory, function name).
class SourceCache {
 public:
  // nullptr when dir is empty.
  leaks::ProgramSources* Get(const std::string& dir, const std::string& name);

 private:
  std::map<std::pair<std::string, std::string>, std::unique_ptr<leaks::ProgramSources>> sources_;
};

struct AnalysisResult {
  leaks::RunAnalysis analysis;
  std::vector<std::string> notes;  // e.g. "end state: missing header (trace-only rules used)"
};

// The leak analysis of a parsed run under the policy above. `sources` may be nullptr (then one is
// built for this call from in.source_dir).
absl::StatusOr<AnalysisResult> AnalyzeLeaks(const ParsedRun& run, const RunInput& in, SourceCache* sources = nullptr);

struct TokenizeOptions {
  sched::Level level = sched::Level::kGoroutine;
  bool include_runtime = false;
  bool leak_proofs = true;
};

struct TokenizedRun {
  ParsedRun parsed;
  std::map<uint64_t, uint64_t> permanent;  // applied leak proofs: raw id → proved_from event index
  std::vector<sched::Step> steps;
};

// Parse, analyse (with opt.leak_proofs) and tokenize one run.
absl::StatusOr<TokenizedRun> Tokenize(const RunInput& in, const TokenizeOptions& opt, SourceCache* sources = nullptr);

// The scheduler state just before event `event_index` of a tokenized run, replayed exactly as
// sched::Tokenize replays it (initial states, applied events, permanent marks); `children` gets the
// number of goroutines each raw id created so far. Fails if an event cannot be replayed.
absl::StatusOr<sched::State> StateBefore(const TokenizedRun& run, uint64_t event_index,
                                         std::unordered_map<uint64_t, int>* children);

}  // namespace schedcast::pipeline
