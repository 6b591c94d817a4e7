// collect/workspace.h — the collector's temporary directory: copies of the user's modules with
// the tracing shim added, built binaries, and per-run scratch directories.
//
// Contract: the user's tree is only ever read. Create() makes $TMPDIR/schedcast-<pid>-XXXXXX and
// first removes leftovers of dead collectors (schedcast-<pid>-* whose pid no longer runs, e.g.
// after kill -9). PreparePackage() copies the package's module once per workspace (the lone
// package directory plus a generated go.mod when it has no module: one copy per Go version, whose
// go directive is that version), then adds the shim files to the package's copy. A copied
// module larger than kMaxCopyFiles files is refused (a go.mod far up the tree is a likely
// mistake). A GOPATH package (Package::gopath) is copied instead to root()/gopath/<n>/src/<its
// tree's import path>, with no go.mod written, and build_env says GO111MODULE=off and
// GOPATH=<that copy's root>:<Package::gopath>, so the copy shadows the original and everything
// else it imports comes from the original GOPATH (never written). The destructor removes the whole directory unless SCHEDCAST_KEEP_WORK is set.
// Every process the collector starts (builds, runs) carries ProcessEnv(): kEnvWorkspace=root()
// — inherited by all its descendants, also those that leave the run's process group or session
// (setsid) — and GOTMPDIR under root() (Go's go-build* work directories). Create() first kills
// (SIGKILL) every process whose environment names the workspace of a collector that no longer
// runs (e.g. after kill -9 of the collector), then removes those workspaces with Go's temporary
// directories inside them; orphans_killed() says how many it killed.
// Thread-safety: not thread-safe; prepare packages from one thread, before builds start.
// NewDir() is thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collect/discover.h"
#include "collect/goleak.h"
#include "common/status.h"

namespace schedcast::collect {

inline constexpr int kMaxCopyFiles = 50000;
inline constexpr const char* kEnvWorkspace = "SCHEDCAST_WORKSPACE";

struct PreparedPackage {
  std::string dir;         // the package's directory inside the copy
  std::string test_error;  // non-empty: tests cannot be shimmed (e.g. a TestMain we cannot wrap)
  std::string main_error;  // non-empty: the main program cannot be shimmed
  std::vector<std::string> build_env;  // extra environment for its builds (GOPATH mode), or empty
};

class Workspace {
 public:
  static absl::StatusOr<std::unique_ptr<Workspace>> Create();
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const std::string& root() const { return root_; }
  // Environment entries for every process started for this workspace (see above).
  std::vector<std::string> ProcessEnv() const;
  int orphans_killed() const { return orphans_killed_; }
  // Before the first PreparePackage: copies also require goleak (collect --goleak) and get the
  // build-constrained goleak check beside the shim (shim.h).
  void SetGoleak(const GoleakModule& m) { goleak_ = m; }
  // `go_version` matters only for packages without a go.mod (the temporary module's go line).
  absl::StatusOr<PreparedPackage> PreparePackage(const Package& pkg, const std::string& go_version);
  // A new empty directory under root()/<kind>/; thread-safe.
  absl::StatusOr<std::string> NewDir(const std::string& kind);

 private:
  explicit Workspace(std::string root) : root_(std::move(root)) {}
  std::string root_;
  std::map<std::string, std::string> copies_;            // copy key -> copy root
  std::map<std::string, PreparedPackage> prepared_;      // copy key + package dir -> result
  std::atomic<int64_t> next_dir_{0};
  int orphans_killed_ = 0;
  std::optional<GoleakModule> goleak_;
};

}  // namespace schedcast::collect
