// eval/held_out_runs.h — every step of the stored runs of given programs, as examples a model can
// score: "stored run → tokens" for the every-step likelihood and the paper protocol.
//
// The runs come from the store the dataset was built from (runs that failed to build or have no
// trace are skipped, as the dataset builder does); each (program, configuration) group is loaded
// with pipeline::LoadInputs and goes through data::BuildProgram (itself pipeline::Tokenize per run)
// with min_visits 0 and max_steps 0 (or HeldOutOptions::max_steps), so every step of every run
// becomes one example (context, state, candidates, label = the token the run produced next) with
// the dataset's level, key, context length, runtime filter and leak-proof setting (meta.json), and
// program facts from the package's stored source index (data::LoadSourceIndex) as the dataset's. Targets
// are the leave-one-run-out counts and are not used by the callers. A run that cannot be loaded or
// parsed is skipped and reported in `notes`. BuildProgram rather than pipeline::Tokenize directly:
// the scored examples need the builder's keys, state strings and context windows, so the examples
// are exactly the dataset's. Thread-compatible (opens its own store connection).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/example.h"
#include "nlohmann/json.hpp"

namespace schedcast::eval {

struct HeldOutRun {
  std::string program, config;
  int64_t run_id = 0;
  std::vector<data::Example> steps;  // in run order; .position = index in the run, .label = next token
};

struct HeldOutOptions {
  std::string store;
  nlohmann::json meta = nlohmann::json::object();  // the dataset's meta.json (level, key, context_len, …)
  size_t max_runs_per_program = 0;                 // 0 = all; else the first N runs by run id
  size_t max_steps = 0;                            // 0 = every step; else the first N steps of a run
};

// Calls visit(program index in `programs`, that program's runs ordered by run id) once per program
// of `programs` ("package.TestName") with at least one usable run, one program at a time (memory:
// one program's runs). An error from visit stops the walk and is returned.
absl::Status ForEachHeldOutProgram(const std::vector<std::string>& programs, const HeldOutOptions& opt,
                                   std::vector<std::string>* notes,
                                   const std::function<absl::Status(size_t, const std::vector<HeldOutRun>&)>& visit);

}  // namespace schedcast::eval
