// data/builder.h — turns the stored runs of one program and configuration into examples.
//
// Each run goes through pipeline::Tokenize (timeline, canonical ids, leak proofs, tokens); every step gets
// a key (dist/key.h); the runs' counts form a table; then one example per (run, step) whose
// leave-one-run-out target has at least `min_visits` observations. Candidates are the legal set at
// the type/goroutine level; at the site level, the goroutine-level candidates are refined by the
// site variants seen at that key (a candidate with no observed site variant stays as it is).
// With leak_proofs, proved-permanent goroutines are never offered a GoUnblock candidate.
// Target counts outside the candidate set (possible with coarse keys such as window:K) are dropped.
// Only the first `max_steps` steps of a run become examples, so that a few runaway runs (a spin loop
// until the deadline) cannot outweigh the thousands of ordinary ones; the counts use every step.
// A run whose trace cannot be parsed or replayed is skipped and reported in `errors` (never silently).
// Thread-safe (pure function).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/example.h"
#include "empirical/key.h"
#include "empirical/table.h"
#include "pipeline/run.h"
#include "sched/token.h"
#include "srcindex/index.h"

namespace schedcast::data {

// One run's inputs (trace, end-state dump, sources): pipeline/run.h.
using RunTrace = pipeline::RunInput;

struct BuildOptions {
  sched::Level level = sched::Level::kGoroutine;
  empirical::KeySpec key;
  uint64_t min_visits = 2;
  size_t context_len = 32;
  size_t max_steps = 1000;  // examples only for the first max_steps steps of a run (0: all); counts use all steps
  bool include_runtime = false;
  // Goroutines a leak proof (leaks/prove.h) shows permanently blocked get no GoUnblock candidate
  // from the point the proof holds; the policy (missing or unreadable dumps, failed analyses) is
  // pipeline/run.h's, shared by every consumer.
  bool leak_proofs = true;
  // Attach facts (Example::facts): the program's when the store holds the package's source index,
  // and the run queue's (data/runq.h) always.
  bool program_facts = true;
};

struct ProgramBuild {
  std::vector<Example> examples;
  empirical::Table table;
  size_t runs_used = 0;
  size_t steps = 0;
  std::vector<std::string> errors;  // "run 17: offset 123: ..." per skipped run
  std::vector<int64_t> skipped_runs;  // the run ids of `errors`, in the same order
};

// With opt.program_facts, every example gets facts per candidate (Example::facts): the run queue's
// on GoStart candidates (data/runq.h), and with `index` (the package's source index,
// srcindex/index.h) the program's (data/program_facts.h).
ProgramBuild BuildProgram(const std::string& program, const std::string& config, const std::string& split,
                          const std::vector<RunTrace>& runs, const BuildOptions& opt,
                          const srcindex::Index* index = nullptr);

// The goroutine-level token a site-level token refines ("GoBlock(recv) T.1 @x.go:3" → "GoBlock(recv) T.1").
std::string_view BaseOf(std::string_view token);

}  // namespace schedcast::data
