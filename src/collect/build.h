// collect/build.h — building one package (its test binary or its main program) with one Go
// toolchain, race or not, in the package's temporary copy.
//
// Contract: runs `go test -c -trimpath -o BIN [-race] [-tags schedcastgoleak] .` or
// `go build -trimpath -o BIN [-race] [-tags ...] .` (the tag and GOFLAGS=-mod=mod with goleak;
// GOEXPERIMENT=goroutineleakprofile with leak_profile on Go 1.26, noted in `output`)
// with argv (no shell)
// in `pkg_dir`, with GoEnv() (GOTOOLCHAIN=local, GOCACHE, ...). ok is true iff go exited 0 and
// BIN exists. `output` is go's combined stdout+stderr (capped head+tail), prefixed with the
// command line, so a failure reads like a terminal session. A cancelled build is reported as
// cancelled, never as a failure. Errors: go could not be started.
// Thread-safety: thread-safe (independent processes; Go's build cache is safe for concurrent use).
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "collect/toolchain.h"
#include "common/status.h"

namespace schedcast::collect {

enum class BuildKind { kTest, kMain };

struct BuildSpec {
  Toolchain toolchain;
  bool race = false;
  BuildKind kind = BuildKind::kTest;
  std::string pkg_dir;  // package directory inside the temporary copy
  std::string output;   // binary to write
  const std::atomic<bool>* cancel = nullptr;
  std::vector<std::string> env;  // extra environment (Workspace::ProcessEnv)
  bool goleak = false;        // -tags schedcastgoleak, GOFLAGS=-mod=mod (Go >= 1.20 only)
  bool leak_profile = false;  // GOEXPERIMENT=goroutineleakprofile where the toolchain needs it
};

struct BuildResult {
  bool ok = false;
  bool cancelled = false;
  std::string output;  // the command line, then go's output
  double wall_ms = 0;
};

absl::StatusOr<BuildResult> BuildPackage(const BuildSpec& spec);

}  // namespace schedcast::collect
