// sched/timeline.h — one run's scheduling history in format-independent form.
//
// BuildTimeline parses a trace (either format, via gotrace/) and maps its events to sched::Event in
// the parser's order, with a site table (innermost *user* frame of each stack), the chain of user
// call sites above it, and per-goroutine creation info. Non-scheduling events (GC, heap, procs, user annotations) are dropped here.
// Mapping (old format → Event): GoCreate, GoStart/GoStartLocal/GoStartLabel, GoSched, GoPreempt,
// GoBlock* and GoSleep/GoStop (→ GoBlock with reason), GoUnblock/GoUnblockLocal, GoEnd, GoSysCall
// (→ Syscall), GoSysBlock (→ SyscallBlock), GoSysExit/GoSysExitLocal (→ SyscallExit);
// GoWaiting/GoInSyscall at trace start set initial states. New format: goroutine state transitions
// NotExist→Runnable (create), Runnable→Running (start), Running→Runnable (sched/preempt by reason),
// Running→Waiting (block, reason), Waiting→Runnable (unblock), Running→NotExist (end),
// Running→Syscall (SyscallBlock), Syscall→Running/Runnable (SyscallExit kept_p / not); transitions
// out of Undetermined (first sight of a goroutine in a generation) set initial states.
// Thread-safe (pure function); the result is plain data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sched/event.h"
#include "sched/state.h"

namespace schedcast::sched {

struct Site {
  std::string func;
  std::string file;
  uint64_t line = 0;
  std::string Short() const;  // "dir/file.go:42"
};

struct GoroutineInfo {
  uint64_t parent = 0;           // raw id of the creator; 0 = created outside a goroutine / before the trace
  std::string start_func;        // function the goroutine starts in (e.g. "testing.tRunner", "pkg.TestX.func1")
  uint32_t create_site = 0;      // site of the go statement (innermost user frame of the creation stack)
  bool preexisting = false;      // existed when tracing started
  GState initial = GState::kRunnable;  // state at trace start, if preexisting
  Reason initial_reason = Reason::kNone;
  uint64_t first_event = 0;      // index in Timeline::events of its creation (or first appearance)
};

struct Timeline {
  int go_version = 0;                             // 1019, 1021, 1022, 1023
  std::vector<Event> events;                      // scheduling events in the parser's order
  std::map<uint64_t, GoroutineInfo> goroutines;   // by raw id
  std::vector<Site> sites;                        // site id → site; sites[0] is "unknown"
  // chain id → the call sites above an event's site, innermost first: the user frames that follow
  // the innermost one in the stack, as far as they are unbroken by the Go distribution's frames
  // (a callback run by sync.Once or testing ends the chain), at most kMaxCallers; callers[0] is empty.
  std::vector<std::vector<uint32_t>> callers;
  static constexpr size_t kMaxCallers = 8;
  std::string goroot;                             // inferred from runtime frames, e.g. "/usr/lib/go-1.23"
};

absl::StatusOr<Timeline> BuildTimeline(std::string_view trace_bytes);

// True for frames of the Go distribution itself (runtime, sync, testing, ...): the file lies under
// `goroot`/src; or, when goroot is unknown (-trimpath builds), the function's package path is in the
// registered standard-library set (sched/stdlib.h); or, when none is registered, that package path
// has no dot in its first element and is not main (a guess that fails for dotless module paths).
bool IsStdFrame(std::string_view func, std::string_view file, std::string_view goroot);

}  // namespace schedcast::sched
