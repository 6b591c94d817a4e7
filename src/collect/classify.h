// collect/classify.h — deciding a run's outcome from its exit status, output and end state.
//
// Contract (first rule that applies wins):
//  1. the shim's deadline exit (kDeadlineExitCode with an end state "deadline"), or our hard kill:
//     deadlock if every goroutine in the end state waits on a synchronisation primitive (chan,
//     select, Mutex, RWMutex, Cond, WaitGroup, semacquire) — the condition under which Go's runtime
//     reports "all goroutines are asleep", which it cannot do while the tracer and watchdog timers
//     are pending — otherwise deadline;
//  2. "fatal error: all goroutines are asleep - deadlock!" in stderr: deadlock;
//  3. "WARNING: DATA RACE" in the output: race;
//  4. a line starting "panic: " in stderr: panic;
//  5. a line starting "fatal error: ", or death by a signal, or a shim error: crash;
//  6. exit 0: ok (skip for a test whose only verdict line is "--- SKIP: TestX"; fail, with a note,
//     for a test without its "--- PASS: TestX" line: it exited early, e.g. os.Exit(0) in the test);
//  7. anything else: fail.
// Known approximation: a goroutine in a select that includes a far-future timer looks blocked.
// Thread-safety: thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>

#include "collect/subprocess.h"
#include "store/outcome.h"

namespace schedcast::collect {

struct Classification {
  store::Outcome outcome = store::Outcome::kOk;
  std::string note;
};

// `test_name` is empty for a main program.
Classification Classify(const ProcessResult& r, const std::optional<std::string>& end_state,
                        const std::string& test_name);

// True if the goroutine dump has at least one goroutine and all of them wait on channels, select
// or sync primitives (none running, runnable, sleeping, in a syscall or in I/O wait).
bool AllGoroutinesBlocked(const std::string& goroutine_dump);

// "deadline" or "exit" from an end-state file's header; empty if absent.
std::string EndStateReason(const std::string& end_state);

}  // namespace schedcast::collect
