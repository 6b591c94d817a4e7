// collect/goleak.h — the go.uber.org/goleak module the shim's optional goleak check imports, and the
// build settings of the optional checks (goleak, the runtime's goroutineleak profile).
//
// Contract: ResolveGoleak runs `go mod download -json go.uber.org/goleak@kGoleakVersion` with the
// given toolchain (through the module proxy and checksum database of the user's Go environment, or
// the module cache) and returns the version with its go.sum hashes. AddGoleakRequirement adds the
// requirement and the two go.sum lines to a module copy (never to the user's tree) unless the
// copy's go.mod already names the module (then its own version is used). NeedsLeakExperiment
// says whether a toolchain needs GOEXPERIMENT=goroutineleakprofile for the profile (Go 1.26; from
// 1.27 on it is standard; before 1.26 it does not exist). Errors name the command or the file.
// Thread-safety: thread-safe (no shared state; AddGoleakRequirement writes only the given copy).
#pragma once

#include <string>

#include "collect/toolchain.h"
#include "common/status.h"

namespace schedcast::collect {

// Pinned: the newest goleak release; it needs Go >= 1.20 (older toolchains build the no-op check).
inline constexpr const char* kGoleakModule = "go.uber.org/goleak";
inline constexpr const char* kGoleakVersion = "v1.3.0";

struct GoleakModule {
  std::string version, sum, gomod_sum;  // "v1.3.0", "h1:...", "h1:..."
};

absl::StatusOr<GoleakModule> ResolveGoleak(const Toolchain& t, const std::vector<std::string>& extra_env);
absl::Status AddGoleakRequirement(const std::string& module_copy_root, const GoleakModule& m);
bool NeedsLeakExperiment(const std::string& version);   // "1.26"
bool HasLeakProfile(const std::string& version);        // >= 1.26
bool CanRunGoleak(const std::string& version);          // >= 1.20

}  // namespace schedcast::collect
