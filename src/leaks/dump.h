// leaks/dump.h — parser of the end-state goroutine dump the collector's shim stores per run.
//
// The dump is runtime.Stack(buf, true) text after a "schedcast-end-state: exit|deadline" header
// (collect/shim.h). ParseEndState returns every goroutine it lists: runtime id, wait reason
// ("chan send", "select (no cases)", "sync.Mutex.Lock", "running", ...), frames innermost first,
// and the creator. Malformed blocks are skipped, never guessed; a missing header is an error.
// WaitClassOf sorts a wait reason into the classes the proofs (leaks/prove.h) reason about.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace schedcast::leaks {

struct Frame {
  std::string func;
  std::string file;
  uint64_t line = 0;
};

struct DumpGoroutine {
  uint64_t id = 0;
  std::string wait;            // wait reason without the extras (", 2 minutes", ", locked to thread")
  std::vector<Frame> frames;   // innermost first
  Frame created_by;            // func/file/line of the go statement's frame ("" if none)
  uint64_t creator = 0;        // "in goroutine N" (Go >= 1.21), 0 if unknown
};

struct EndState {
  std::string when;  // "exit" or "deadline"
  std::vector<DumpGoroutine> goroutines;
  const DumpGoroutine* Find(uint64_t id) const;
};

absl::StatusOr<EndState> ParseEndState(std::string_view text);

enum class WaitClass {
  kForever,  // select (no cases), send/receive on a nil channel: nothing can ever wake it
  kChan,     // chan send, chan receive, select
  kSync,     // sync.Mutex/RWMutex/WaitGroup/Cond, semacquire
  kLive,     // running, runnable, sleep, IO wait, syscall, anything else: may act or be woken
};
WaitClass WaitClassOf(std::string_view wait);
std::string_view WaitClassName(WaitClass c);

}  // namespace schedcast::leaks
