// sched/event.h — the unified scheduling event both trace formats map to.
//
// A run of a Go program becomes an ordered vector of these events (see sched/timeline.h). Goroutine
// ids here are the raw runtime ids of one run; sched/canon.h turns them into canonical ids stable
// across runs. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace schedcast::sched {

enum class Kind : uint8_t {
  kGoCreate,      // g creates peer
  kGoStart,       // g starts running on a P
  kGoSched,       // g yields (runtime.Gosched)
  kGoPreempt,     // g is preempted
  kGoBlock,       // g blocks (reason says on what)
  kGoUnblock,     // peer is made runnable; g is the goroutine running at the time (0 if none)
  kGoEnd,         // g exits
  kSyscall,       // g enters a syscall (keeps running; may block, see kSyscallBlock)
  kSyscallBlock,  // g is blocked in a syscall and gave up its P
  kSyscallExit,   // g returns from a syscall that blocked; becomes runnable (or running if it kept its P)
};
inline constexpr int kNumKinds = 10;

enum class Reason : uint8_t { kNone, kSend, kRecv, kSelect, kSync, kCond, kSleep, kNet, kOther };
inline constexpr int kNumReasons = 9;

std::string_view KindName(Kind k);
std::string_view ReasonName(Reason r);

struct Event {
  Kind kind = Kind::kGoStart;
  Reason reason = Reason::kNone;  // for kGoBlock; for kGoCreate of a goroutine created blocked; kNone otherwise
  bool kept_p = false;            // kSyscallExit: the goroutine kept its P and continues running
  uint64_t g = 0;                 // acting goroutine (raw id); 0 = no goroutine (runtime/scheduler)
  uint64_t peer = 0;              // created / unblocked goroutine (raw id)
  uint32_t site = 0;              // site id (Timeline::sites) of the innermost user frame of this event's stack; 0 = none
  uint32_t callers = 0;           // chain id (Timeline::callers) of the user frames that called `site`'s function
  int64_t ts = 0;                 // nanoseconds, as the source parser reports
  uint64_t source_index = 0;      // index of the source event in the parser's ordered stream
};
static_assert(sizeof(Event) == 48, "callers fills the padding after site: keep Event at 48 bytes");

}  // namespace schedcast::sched
