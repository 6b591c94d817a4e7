// gotrace/v2/event.h — one ordered event of a new-format (Go >= 1.22) trace, as Go's reader yields it.
//
// An Event is a flat 88-byte value: the wire type, the kind Go's internal/trace assigns to it, the
// timestamp (ns, strictly increasing over the whole trace), the M/P/G context the event happened
// in (the state *before* the event; -1 = none), up to five raw arguments (after the ordering's
// fix-ups, e.g. the previous state of a GoStatus), and the byte offset it came from. Strings and
// stacks are referred to by id; resolve them with the Table of the event's generation
// (gotrace/v2/table.h, from Reader::table()).
//
// The typed views below (transition(), range(), metric(), ...) decode the arguments the way Go's
// Event methods do; each is only meaningful for events of the matching kind. Plain data;
// thread-compatible.
#pragma once

#include <cstdint>
#include <string_view>

#include "gotrace/v2/spec.h"

namespace schedcast::gotrace::v2 {

enum class EventKind : uint8_t {
  kBad,
  kSync,
  kMetric,
  kLabel,
  kStackSample,
  kRangeBegin,
  kRangeActive,
  kRangeEnd,
  kTaskBegin,
  kTaskEnd,
  kRegionBegin,
  kRegionEnd,
  kLog,
  kStateTransition,
  kExperimental,
};
inline constexpr int kNumEventKinds = 15;
std::string_view EventKindName(EventKind k);  // Go's names: "StateTransition", "RangeBegin", ...
EventKind KindOfType(uint8_t type);            // kBad for structural / unknown types

enum class GoState : uint8_t { kUndetermined, kNotExist, kRunnable, kRunning, kWaiting, kSyscall };
enum class ProcState : uint8_t { kUndetermined, kNotExist, kRunning, kIdle };
enum class ResourceKind : uint8_t { kNone, kGoroutine, kProc, kThread };
std::string_view GoStateName(GoState s);  // "Undetermined", "NotExist", "Runnable", ...; "Bad" otherwise
std::string_view ProcStateName(ProcState s);
std::string_view ResourceKindName(ResourceKind k);

// Maps of the wire status codes to the states Go's API reports (code 0 maps to Undetermined).
GoState GoStateOfWire(uint64_t wire_status);
ProcState ProcStateOfWire(uint64_t wire_status);

inline constexpr int64_t kNoThread = -1;
inline constexpr int64_t kNoProc = -1;
inline constexpr int64_t kNoGoroutine = -1;
inline constexpr uint64_t kNoTask = ~uint64_t{0};
inline constexpr uint64_t kBackgroundTask = 0;

// A state change of a goroutine or proc. `from`/`to` are GoState or ProcState values per resource.
struct StateTransition {
  ResourceKind resource = ResourceKind::kNone;
  int64_t id = 0;              // goroutine or proc id
  uint8_t from = 0, to = 0;
  uint64_t reason = 0;         // string id of the reason ("chan receive", "preempted", ...); 0 = ""
  uint64_t stack = 0;          // stack of the transitioning resource (the new goroutine's for creation)
  bool has_stack = false;      // Go reports a (possibly empty) transition stack
  GoState go_from() const { return static_cast<GoState>(from); }
  GoState go_to() const { return static_cast<GoState>(to); }
  ProcState proc_from() const { return static_cast<ProcState>(from); }
  ProcState proc_to() const { return static_cast<ProcState>(to); }
};

enum class RangeName : uint8_t { kStopTheWorld, kGCMark, kGCSweep, kGCMarkAssist };
struct Range {
  RangeName name = RangeName::kGCMark;
  uint64_t stw_kind = 0;       // kStopTheWorld: string id of the reason ("start trace", "GC sweep termination", ...)
  ResourceKind scope = ResourceKind::kNone;
  int64_t scope_id = 0;
  bool has_sweep_attrs = false;  // GCSweepEnd carries bytes swept / reclaimed
  uint64_t swept = 0, reclaimed = 0;
};

enum class MetricName : uint8_t { kGomaxprocs, kHeapObjects, kHeapGoal };
std::string_view MetricNameString(MetricName m);  // "/sched/gomaxprocs:threads", ...
struct Metric {
  MetricName name = MetricName::kGomaxprocs;
  uint64_t value = 0;
};

struct Label {
  uint64_t label = 0;  // string id
  int64_t goroutine = kNoGoroutine;
};

struct Task {
  uint64_t id = 0;
  uint64_t parent = kNoTask;
  uint64_t type = 0;            // string id (TaskBegin) or extra-string id (TaskEnd), see type_is_extra
  bool type_is_extra = false;   // resolve with Table::extra_string instead of Table::string
};

struct Region {
  uint64_t task = 0;
  uint64_t type = 0;  // string id
};

struct Log {
  uint64_t task = 0;
  uint64_t category = 0;  // string id
  uint64_t message = 0;   // string id
};

struct Event {
  int64_t time = 0;            // nanoseconds
  int64_t m = kNoThread;       // context before the event
  int64_t p = kNoProc;
  int64_t g = kNoGoroutine;
  uint64_t args[kMaxArgs] = {};
  uint64_t offset = 0;         // byte offset of the wire event in the file (of its cause, if synthesized)
  uint8_t type = kEvNone;      // EvType; kEvSync for the end-of-generation sync event
  EventKind kind = EventKind::kBad;

  // The event's own stack id (0 = none). For stack samples this is the sampled stack.
  uint64_t stack() const;
  StateTransition transition() const;  // kind == kStateTransition
  Range range() const;                 // kRangeBegin / kRangeActive / kRangeEnd
  Metric metric() const;               // kMetric
  Label label() const;                 // kLabel
  Task task() const;                   // kTaskBegin / kTaskEnd
  Region region() const;               // kRegionBegin / kRegionEnd
  Log log() const;                     // kLog
  // kExperimental: the spec (name, argument names) and args[0 .. spec.nargs).
  const Spec& experimental() const { return SpecOf(type); }
};
static_assert(sizeof(Event) <= 88, "Event is meant to stay small and flat");

}  // namespace schedcast::gotrace::v2
