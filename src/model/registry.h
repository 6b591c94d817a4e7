// model/registry.h — every model kind in one table: name → options, trainer, loader.
//
// A kind is one ModelKind value made by a function in the kind's own files (uniform.cc, freq.cc,
// ngram.cc, structured_train.cc, neural_kind.cc) and listed once in model/kinds.inc. model::Train,
// model::Load, `schedcast train` (its flags), `schedcast run` and the main job (job/run_job.h)
// read this table; none of them names a kind. Adding a predictor: its .h/.cc pair (a
// ScoredPredictor, a FromParams, and `ModelKind XxxKind()`), and one SCHEDCAST_MODEL_KIND(Xxx) line
// in kinds.inc (docs/ARCHITECTURE.md shows an example).
//
// Options: each kind declares its own (name, help, default; the default's JSON type is the option's
// type). TrainOptions::options gives values by name; ResolveOptions fills in the defaults, checks
// names and types, and is what the trainer receives and what the model file records as "hyper"
// (plus "temperature"). The common "seed" is an option of the kinds that use one. A kind with
// own_calibration (calibrated) fits its own calibration; Train does not fit a temperature over it.
// Thread-safety: the table is built once on first use (thread-safe) and read-only afterwards.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "data/example.h"
#include "model/objective.h"
#include "model/predictor.h"
#include "nlohmann/json.hpp"

namespace schedcast::model {

struct OptionSpec {
  std::string name;              // flag name without "--" ("hash_bits" is the flag --hash-bits)
  std::string help;
  nlohmann::json value;          // default: integer, unsigned, number, boolean or string
  std::vector<std::string> choices = {};  // allowed values of a string option (empty: any)
};

struct TrainInput {
  const std::vector<data::Example>& train;
  const std::vector<data::Example>& validation;
  const Objective& objective;
  std::ostream* progress;  // may be null
};

struct ModelKind {
  std::string name;      // "structured": Predictor::kind() of its models, the --model value
  std::string summary;   // one line for --help
  bool main_job_ce = false;      // the main job trains it with CE as well as KL
  bool fitted = true;            // false: nothing is fitted (uniform): no objective, no temperature
  bool own_calibration = false;  // true: the kind fits its own calibration (calibrated): Train's temperature is not applied
  std::vector<OptionSpec> options;
  // Fits a model with resolved options (every declared option present, of the declared type).
  std::function<absl::StatusOr<std::unique_ptr<ScoredPredictor>>(const TrainInput&, const nlohmann::json&)> train;
  // The inverse of the model's Params().
  std::function<absl::StatusOr<std::unique_ptr<ScoredPredictor>>(const nlohmann::json& params)> load;
};

// Every kind, in kinds.inc order.
const std::vector<ModelKind>& Kinds();
// The kind named `name`; InvalidArgument naming the known kinds otherwise.
absl::StatusOr<const ModelKind*> FindKind(std::string_view name);
// "uniform, freq, ngram, structured, neural or calibrated".
std::string KindList();

// The kind's options with `given` (an object: option name → value) applied over the defaults.
// InvalidArgument for a name the kind does not declare or a value of another type (an integer is
// accepted for a number option).
absl::StatusOr<nlohmann::json> ResolveOptions(const ModelKind& kind, const nlohmann::json& given);

// The options of a seeded Adam training loop with early stopping (structured, neural share them).
struct LoopOptions {
  uint64_t seed = 1;
  int epochs = 8;       // maximum epochs
  int patience = 2;     // epochs without validation improvement before stopping
  double lr = 0.002;    // Adam step size
  double l2 = 1e-5;     // L2 per touched weight and step (structured) / Adam weight decay (neural)
};
// Their specs with the defaults of `d`.
std::vector<OptionSpec> LoopOptionSpecs(const LoopOptions& d);
// Reads them from resolved options into `out`.
void ReadLoopOptions(const nlohmann::json& resolved, LoopOptions* out);

// The value of option `spec` written as text (a command-line flag): converted to the option's type.
absl::StatusOr<nlohmann::json> ParseOptionValue(const OptionSpec& spec, const std::string& text);

// A kind's loader from a FromParams returning a subclass.
template <typename P>
absl::StatusOr<std::unique_ptr<ScoredPredictor>> AsScored(absl::StatusOr<std::unique_ptr<P>> r) {
  if (!r.ok()) return r.status();
  return std::unique_ptr<ScoredPredictor>(std::move(*r));
}

}  // namespace schedcast::model
