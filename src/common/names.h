// common/names.h — the names every stage gives the same things.
//
//  ProgramKey    "import/path.TestName" (or "import/path.main"): a program everywhere — datasets,
//                models, reports, shards, `--program` flags.
//  ConfigName    "go1.23/p2" or "go1.23/p2/race": a configuration everywhere it is shown or stored
//                in a dataset (Example::config, eval and report tables, `dist show --config`).
//  ConfigSeedName "go1.23/P2[/race]": the spelling hashed into every run seed since the first store
//                (collect/plan.h RunSeed). Frozen: changing it would change every seed and break
//                top-ups of existing stores. Never show it; use ConfigName.
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "common/strings.h"

namespace schedcast {

inline std::string ProgramKey(std::string_view package, std::string_view name) { return Cat(package, ".", name); }

inline std::string ConfigName(std::string_view go_version, int gomaxprocs, bool race) {
  return Cat("go", go_version, "/p", gomaxprocs, race ? "/race" : "");
}

inline std::string ConfigSeedName(std::string_view go_version, int gomaxprocs, bool race) {
  return Cat("go", go_version, "/P", gomaxprocs, race ? "/race" : "");
}

}  // namespace schedcast
