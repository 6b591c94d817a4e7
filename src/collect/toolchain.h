// collect/toolchain.h — locating the installed Go toolchains and the Go build cache.
//
// Contract: a toolchain version is "1.NN". FindToolchain looks for $SCHEDCAST_GO_1_NN (a `go`
// binary), then /usr/lib/go-1.NN/bin/go (Debian's layout); it runs `go env GOVERSION` once to
// learn the full version. Errors name the version and the paths tried. GoEnv() is the environment
// every go command and every test run gets: GOTOOLCHAIN=local (never download a toolchain),
// GOWORK=off, GOCACHE=GoCacheDir(), GO111MODULE=on.
// Thread-safety: thread-safe (no shared mutable state).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace schedcast::collect {

struct Toolchain {
  std::string version;       // "1.23"
  std::string go_binary;     // absolute path of `go`
  std::string full_version;  // "go1.23.5"
};

absl::StatusOr<Toolchain> FindToolchain(const std::string& version);
// Versions found among 1.19 .. 1.30, ascending.
std::vector<std::string> InstalledVersions();
// $SCHEDCAST_GOCACHE, else $GOCACHE, else Go's default ($XDG_CACHE_HOME or ~/.cache)/go-build,
// else /tmp/schedcast-go-build (so a go command never fails for lack of a cache).
std::string GoCacheDir();
std::vector<std::string> GoEnv();
// `go list std` of the toolchain: its standard-library import paths, one a line (what the store
// keeps, see store/toolchain_std.h). Errors name the binary.
absl::StatusOr<std::string> ListStdPackages(const Toolchain& t);

}  // namespace schedcast::collect
