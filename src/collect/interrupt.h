// collect/interrupt.h — Ctrl-C (SIGINT) and SIGTERM as a flag the collector polls.
//
// Contract: while an InterruptScope lives, SIGINT and SIGTERM set Requested() instead of killing
// the process; the collector then kills its in-flight runs, stores nothing half-done, and returns.
// The previous handlers are restored when the scope ends. Signal() is the signal received (0 if
// none). Thread-safety: the flag is a lock-free atomic, safe from any thread and from the handler;
// create at most one scope at a time, from the main thread, before starting workers.
#pragma once

#include <atomic>

namespace schedcast::collect {

class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  static const std::atomic<bool>& Requested();
  static int Signal();
};

}  // namespace schedcast::collect
