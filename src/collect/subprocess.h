// collect/subprocess.h — run one child process in its own process group, with bounded output
// capture, a hard deadline and cancellation; never leaves a process of that group behind.
//
// Contract:
//  - argv[0] must be an absolute path; argv is passed as is (fork/execve, never a shell), so
//    arguments and paths with spaces or shell metacharacters are safe. `env` is the complete
//    environment. stdin is /dev/null. The child gets its own process group (setpgid) and
//    PR_SET_PDEATHSIG=SIGKILL, so it dies if the collector does.
//  - stdout and stderr are drained continuously (the child never blocks on a full pipe) into
//    CappedCaptures, so memory stays bounded whatever the child prints.
//  - At `hard_timeout` or when `*cancel` becomes true the whole process group gets SIGKILL.
//  - When the group leader exits (for any reason) the rest of its process group is killed too,
//    so a child process that outlives the test is not left running; members re-parented to the
//    collector (see BecomeSubreaper) are reaped.
// Thread-safety: thread-safe; each call owns its pipes and child. Pipes are close-on-exec, so
// concurrent calls from several threads do not leak descriptors into each other's children.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "collect/capture.h"
#include "common/status.h"

namespace schedcast::collect {

struct ProcessSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // complete environment, "KEY=VALUE"
  std::string cwd;
  std::chrono::milliseconds hard_timeout{0};  // 0: none
  bool merge_stderr = false;                  // stderr into the stdout capture (builds)
  size_t capture_head = 32 << 10;
  size_t capture_tail = 32 << 10;
  const std::atomic<bool>* cancel = nullptr;
};

struct ProcessResult {
  std::optional<int> exit_code;  // set when the leader exited normally
  std::optional<int> signal;     // set when the leader was killed by a signal
  bool timed_out = false;        // we killed it at hard_timeout
  bool cancelled = false;        // we killed it because *cancel became true
  double wall_ms = 0;
  CappedCapture out, err;
};

// Errors: the program could not be started (names argv[0] and the reason).
absl::StatusOr<ProcessResult> RunProcess(const ProcessSpec& spec);

// Makes this process a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so descendants of our
// children that lose their parent are re-parented to us and can be killed and reaped.
void BecomeSubreaper();

// Kills (SIGKILL) and reaps every remaining child of this process. Call only when no run or build
// is in flight: it removes descendants that escaped their process group (setsid) and were
// re-parented to us. Returns how many it killed.
int KillStrayChildren();

// The current environment with `overrides` ("KEY=VALUE") replacing or adding keys.
std::vector<std::string> EnvironWith(const std::vector<std::string>& overrides);

}  // namespace schedcast::collect
