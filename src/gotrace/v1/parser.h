// gotrace/v1/parser.h — parse an old-format (Go 1.5–1.21) execution trace into ordered events.
//
// Parse() reads the whole trace and returns its events in exactly the order, and with exactly the
// timestamps, P/G attribution, arguments and links, that Go's own parser (internal/trace of Go
// 1.19/1.21) produces: per-P batches are merged into one causally consistent stream (goroutine
// sequence numbers decide what may come next; among the events that may, the earliest timestamp
// wins), syscall exits get their real timestamps, ticks become nanoseconds since the first event,
// futile wakeups are removed, and matching events are linked (GoCreate -> first GoStart, block ->
// unblock, GoUnblock -> GoStart, GoStart -> the event that ends the run, GC/STW/sweep/assist
// start -> end, task create -> end, region start -> end).
//
// Contract:
//  - Errors are absl::Status values whose message starts with "offset N: " (N = byte offset in the
//    file of the offending event or field). Every trace Go's parser rejects (or panics on) is
//    rejected here; a few that it accepts but the runtime cannot write are rejected too (below,
//    and log messages over 1e6 bytes or cut short, which Go's reader silently lets through).
//    Malformed input never crashes or hangs; memory is linear in the input size (at most one
//    48-byte Event per two input bytes, allocated once).
//  - Event is a flat 48-byte struct; string arguments, stacks and links are referenced by id or
//    index, never owned per event. The first two numeric arguments are inline; the third (only
//    GoSysExit, GoStartLabel, UserTaskCreate, UserRegion and CPUSample have one) sits in a side
//    table keyed by file offset — read every argument through Trace::Arg. A Trace owns copies of
//    everything it refers to (it does not point into the input), is movable and not copyable.
//  - Narrower than the wire format where the runtime never writes wider values: files must be
//    < 4 GiB (offsets are 32-bit), P ids must fit 24 bits signed (traces with other P ids are
//    rejected), and stack ids >= 2^32 (which the runtime cannot produce) are stored as
//    kUnrepresentableStack with no frames. Numeric arguments and goroutine ids keep all 64 bits.
//  - Type names follow the Go release that writes the version: Go 1.21 renamed GCSTWStart/GCSTWDone
//    to STWStart/STWDone, so traces before 1.21 use the old names (as `go tool trace` of 1.19 does).
//  - Among simultaneously mergeable events with equal timestamps, Go's pick can depend on its
//    (randomised) map iteration order over batches. This parser emulates Go's selection exactly
//    with the batches in file order, and takes the earliest-admitted event once more than 12
//    compete (where Go's sort stops being an insertion sort). On every trace tested, Go's own
//    output was the same across runs and equal to this parser's.
//  - Traces older than 1.7 carry no symbol table: their frames have a pc only, and their GoStart
//    events do not get the creation pc Go attaches when given the binary.
// Thread-safety: Parse is reentrant; a Trace is immutable after Parse and may be read concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gotrace/v1/events.h"
#include "gotrace/v1/flat_map.h"

namespace schedcast::gotrace::v1 {

inline constexpr uint32_t kNoEvent = UINT32_MAX;

// Pseudo-P ids Go's parser assigns to events that do not happen on a real P.
inline constexpr int64_t kTimerP = 1000001;    // unblocks by the timer goroutine
inline constexpr int64_t kNetpollP = 1000002;  // unblocks of goroutines blocked on the network
inline constexpr int64_t kSyscallP = 1000003;  // returns from syscalls
inline constexpr int64_t kGCP = 1000004;       // GC start
inline constexpr int64_t kProfileP = 1000005;  // (batch key of CPU samples)
inline constexpr uint32_t kUnrepresentableStack = UINT32_MAX;

struct Event {
  int64_t ts = 0;              // ns since the first event (Go's normalisation of ticks)
  uint64_t g = 0;              // goroutine the event is attributed to (0: none)
  uint64_t args[2] = {};       // first two numeric arguments (Describe(type).arg_names); the
                               // third, which only 5 rare types have, is Trace::Arg(e, 2)
  uint32_t stack_id = 0;       // 0: none. GoStart carries its creation stack (GoCreate args[1]).
  uint32_t off = 0;            // byte offset of the event in the file
  uint32_t link = kNoEvent;    // index of the linked event in Trace::events(), or kNoEvent
  int32_t p : 24 = 0;          // P, or one of the pseudo-Ps above
  uint32_t type : 8 = kEvNone; // EventType; "Local" variants are already folded into the plain ones
};
static_assert(sizeof(Event) == 48, "keep Event compact");

struct Frame {
  uint64_t pc = 0;
  std::string_view func;  // "" when the trace's string table lacks the id (as in Go)
  std::string_view file;
  int64_t line = 0;
};

class Trace {
 public:
  Trace() = default;
  Trace(Trace&&) = default;
  Trace& operator=(Trace&&) = default;
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  int version() const { return version_; }          // 1000 + minor, e.g. 1021
  int64_t ticks_per_sec() const { return ticks_per_sec_; }
  const std::vector<Event>& events() const { return events_; }

  // Go's name of the event's type for this trace version (e.g. "GoStart", "GCSTWStart" in 1.19).
  std::string_view TypeName(const Event& e) const { return EventTypeName(e.type, version_); }

  // String table entry `id`; "" if the table has no such id (Go's behaviour).
  std::string_view String(uint64_t id) const;
  size_t num_strings() const { return strings_.size(); }

  // Frames of stack `id`, innermost first; empty if the table has no such id (or id is 0).
  std::span<const Frame> Stack(uint64_t id) const;
  size_t num_stacks() const { return stacks_.size(); }
  std::vector<uint64_t> StackIds() const;  // ascending

  // Numeric argument i (0..2) of e, as Go's Event.Args[i]; 0 where the type has none.
  uint64_t Arg(const Event& e, int i) const {
    if (i < 2) return e.args[i];
    if (i > 2) return 0;
    const uint64_t* v = arg2_.Find(e.off);
    return v ? *v : 0;
  }

  // String arguments as `go tool trace -d` prints them (Describe(type).sarg_names).
  int NumSArgs(const Event& e) const { return e.type < kEvCount ? Describe(e.type).num_sargs : 0; }
  std::string_view SArg(const Event& e, int i) const;

 private:
  friend class TraceBuilder;
  struct Span {
    uint64_t pos = 0;
    uint64_t len = 0;
  };
  std::string_view ArenaView(Span s) const { return {arena_.data() + s.pos, s.len}; }

  int version_ = 0;
  int64_t ticks_per_sec_ = 0;
  std::vector<Event> events_;
  std::vector<char> arena_;            // bytes of all strings; never reallocated after Parse
  FlatMap<Span> strings_;              // string id -> bytes in arena_
  FlatMap<Span> messages_;             // UserLog value, by the event's file offset
  FlatMap<uint64_t> arg2_;             // third numeric argument where non-zero, by file offset
  FlatMap<Span> stacks_;               // stack id -> [pos, pos+len) in frames_
  std::vector<Frame> frames_;
};

// Parses a whole trace file (header included).
absl::StatusOr<Trace> Parse(std::string_view data);

}  // namespace schedcast::gotrace::v1
