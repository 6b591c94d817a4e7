// collect/toolchain.h — locating the installed Go toolchains and the Go build cache.
//
// Contract: a toolchain version is "1.NN". FindToolchain looks for $SCHEDCAST_GO_1_NN (a `go`
// binary), then /usr/lib/go-1.NN/bin/go (Debian's layout), then the first `go` on PATH and
// /usr/local/go/bin/go if their version is 1.NN, then the newest patch release the go command
// fetched into the module cache ($GOMODCACHE or $GOPATH/pkg/mod or ~/go/pkg/mod, as
// golang.org/toolchain@v0.0.1-go1.NN.P.OS-ARCH, e.g. by GOTOOLCHAIN=go1.27.3 go version); it runs
// `go env GOVERSION` to learn the full version. Errors name the version and the paths tried. GoEnv() is the environment
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
// The newest of InstalledVersions() (the default of `--go`); NotFound if there is none.
absl::StatusOr<std::string> NewestInstalledVersion();
// $SCHEDCAST_GOCACHE, else $GOCACHE, else Go's default ($XDG_CACHE_HOME or ~/.cache)/go-build,
// else /tmp/schedcast-go-build (so a go command never fails for lack of a cache).
std::string GoCacheDir();
std::vector<std::string> GoEnv();
// `go list std` of the toolchain: its standard-library import paths, one a line (what the store
// keeps, see store/toolchain_std.h). Errors name the binary.
absl::StatusOr<std::string> ListStdPackages(const Toolchain& t);

}  // namespace schedcast::collect
