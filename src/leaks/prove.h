// leaks/prove.h — which goroutines of one run are still alive at its end, and which of them are
// proved never to run again (P(GoUnblock) = 0). The rules and their proofs are in docs/LEAKS.md.
//
// Inputs: the run's timeline (sched/; replayed through the state machine for every goroutine's
// final state), its canonicalization, the shim's end-state dump (leaks/dump.h; optional) and the
// program's sources (leaks/source.h; optional). A goroutine is a *user* goroutine when it lies in
// the root's creation subtree or starts in a non-std function (the shim's own are excluded).
// Every user goroutine not ended at the end of the trace is listed in `alive` (the goleak view);
// the blocked ones are findings, each "proved" with a rule or "suspected":
//   R1   blocked in select{} or on a nil channel (dump wait reason): nothing can ever wake it.
//   R2a  blocked on a channel operation (send, receive, select without timer cases), every other
//        user goroutine ended or proved by R1, no program-wide hazard (leaks/source.h).
//   R2b  the set of all blocked user goroutines, blocked on channels and sync primitives (mutex,
//        rwmutex, waitgroup, cond), with no user goroutine outside it alive (running, runnable,
//        in a syscall, sleeping, in the netpoller, or in a select with a timer case) and no hazard.
// At a normal end ("exit") the root goroutine has returned from the test / main.main and only runs
// the shim's exit path; it counts as ended. Without a dump only R2 is tried (with trace reasons);
// without sources no select can be checked for timer cases, so only R1 and sync-only R2b remain.
// `proved_from` is the event index from which the proof's premises hold in the trace (R1: the
// goroutine's last block; R2: the last event of any user goroutine, the root included): feed it to
// sched::TokenizeOptions::permanent. Thread-safe (pure function; `sources` is caller-owned state).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "leaks/dump.h"
#include "leaks/source.h"
#include "sched/canon.h"
#include "sched/timeline.h"

namespace schedcast::leaks {

struct AliveGoroutine {
  uint64_t g = 0;             // raw id
  std::string canonical;      // "T.1"
  std::string state;          // trace state: "blocked", "running", ...
  std::string wait;           // dump wait reason, else the trace's block reason ("" if not blocked)
  WaitClass cls = WaitClass::kLive;
  std::string site;           // "file.go:12": innermost user frame of where it waits ("" if unknown)
  std::string func;           // function of that frame
  std::vector<std::string> callers;  // "file.go:12" of the user frames that called it (dump), innermost first, ≤ 8
  bool proved = false;
  std::string rule;           // "R1", "R2a", "R2b" when proved
  std::string why;            // proof premise or reason it is only suspected
  uint64_t proved_from = 0;
};

struct RunAnalysis {
  std::string end;                    // "exit", "deadline", or "" without a dump
  std::vector<AliveGoroutine> alive;  // every user goroutine alive at the end
  std::vector<std::string> hazards;   // program-wide reasons R2 was not tried
  // Blocked ones only (the findings).
  std::vector<const AliveGoroutine*> Blocked() const;
};

absl::StatusOr<RunAnalysis> AnalyzeRun(const sched::Timeline& t, const sched::Canonicalization& canon,
                                       const EndState* end_state, ProgramSources* sources);

// raw id → proved_from, for sched::TokenizeOptions::permanent.
std::map<uint64_t, uint64_t> PermanentOf(const RunAnalysis& a);
// Callers holding a stored run's raw inputs (dump text, source directory) go through
// pipeline::AnalyzeLeaks (pipeline/run.h), which fixes one policy for missing or unreadable dumps.

}  // namespace schedcast::leaks
