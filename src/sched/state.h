// sched/state.h — the scheduler state machine: every goroutine's state and the legal next events.
//
// Contract:
//  - Apply(e) advances the state by one observed event; it fails (naming the event index, the goroutine
//    and its state) when Go's scheduler semantics do not allow e in the current state.
//  - LegalNext() lists every event the semantics allow next, as Candidates at goroutine granularity.
//    Invariant checked by tests over all collected traces: each observed event matches a candidate of
//    the state before it (Matches()).
//  - The legal set is kept as tight as the semantics allow: runnable goroutines may only start;
//    blocked ones only be unblocked (never if proved permanently blocked, see MarkPermanent); only
//    running goroutines may create, block, yield, end or enter syscalls; goroutines in a blocking
//    syscall may only exit it. GoUnblock candidates name the target only: who performs a wake-up (a
//    goroutine, a timer, the netpoller) is not part of the prediction target.
// Not thread-safe; copyable (rollouts copy states).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "sched/event.h"

namespace schedcast::sched {

enum class GState : uint8_t { kRunnable, kRunning, kBlocked, kSyscall, kDone };
std::string_view GStateName(GState s);

struct GoroutineState {
  GState state = GState::kRunnable;
  Reason reason = Reason::kNone;  // while blocked
  uint32_t block_site = 0;       // site id of the block event, while blocked
  bool permanent = false;         // proved never to be unblocked (leak/): no GoUnblock candidate
};

// One legal next event. For kGoCreate, peer is 0 ("a new goroutine"); for kGoUnblock, g is 0 and
// peer is the target; for kGoBlock there is one candidate per blocking reason.
struct Candidate {
  Kind kind;
  Reason reason = Reason::kNone;
  uint64_t g = 0;
  uint64_t peer = 0;
  bool operator==(const Candidate&) const = default;
  auto operator<=>(const Candidate&) const = default;
};

// The candidate an observed event corresponds to.
Candidate CandidateOf(const Event& e);

class State {
 public:
  // Declares a goroutine that existed before the trace started, in the given state.
  void AddInitial(uint64_t g, GState st, Reason reason = Reason::kNone);

  absl::Status Apply(const Event& e, uint64_t index);
  std::vector<Candidate> LegalNext() const;
  bool Matches(const Event& e) const;  // CandidateOf(e) is in LegalNext(), computed without building it

  void MarkPermanent(uint64_t g);      // g is blocked and can never be woken (proved by leak/)
  const std::map<uint64_t, GoroutineState>& goroutines() const { return gs_; }
  const GoroutineState* Find(uint64_t g) const;
  int CountIn(GState s) const;
  std::string Describe() const;        // "g1:running g7:blocked(recv) ..." for error messages

 private:
  std::map<uint64_t, GoroutineState> gs_;
};

}  // namespace schedcast::sched
