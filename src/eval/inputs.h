// eval/inputs.h — the first stage of RunEval: the split's examples, the programs' metadata and the
// dataset's meta.json, with every example's program index (programs in name order).
//
// Examples without candidates or whose label is not a candidate are dropped (nothing can score
// them). Programs without manifest annotations in programs.json get them from the manifest that
// meta.json names, when that file exists. Errors name the dataset directory. Thread-safe (pure).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "data/dataset.h"
#include "nlohmann/json.hpp"

namespace schedcast::eval {

struct EvalInputs {
  std::vector<data::Example> examples;
  std::map<std::string, data::ProgramMeta> programs_meta;  // every program of the dataset
  nlohmann::json meta = nlohmann::json::object();          // meta.json ({} when absent)
  std::vector<std::string> prog_names;                     // programs of the split, name order
  std::vector<size_t> ex_prog;                             // example → index in prog_names
  std::vector<data::ProgramMeta> pmeta;                    // aligned with prog_names
  size_t programs() const { return prog_names.size(); }
};

absl::StatusOr<EvalInputs> LoadInputs(const std::string& data_dir, const std::string& split);

// Families under `--family-by dir`, aligned with `programs` ("pkg/path.TestName"): each program's
// package folder one level below the folder that all of them share — schedcast.dev/corpus/chans.TestX
// and schedcast.dev/corpus/bugs/condbug.TestY give schedcast.dev/corpus/chans and
// schedcast.dev/corpus/bugs; programs of a single package give that package.
std::vector<std::string> DirFamilies(const std::vector<std::string>& programs);

// Reads field `field` of every test in the manifest (corpus/MANIFEST.json format) into
// "package.TestName" → value (strings; arrays are joined with ","). Errors name the file.
absl::StatusOr<std::map<std::string, std::string>> ManifestField(const std::string& manifest, const std::string& field);

}  // namespace schedcast::eval
