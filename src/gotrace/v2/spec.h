// gotrace/v2/spec.h — the wire vocabulary of the generation-based trace format (Go 1.22 - 1.27).
//
// Every byte-level event type of the format, with what the parser needs to know about it: its
// name, how many varint arguments follow the type byte (after the timestamp delta for timed
// events), which arguments are stack or string ids, and, for the end or "active" half of a range,
// the type that begins the range. Go 1.23 added coroutine switches, GoStatusStack, experimental
// batches and the alloc/free experiment; a "go 1.22 trace" may contain none of them. Go 1.25
// ("go 1.25 trace") replaced the lone Frequency batch by a Sync batch (Frequency + ClockSnapshot);
// Go 1.26 ("go 1.26 trace", also written by Go 1.27) ends every generation with an EndOfGeneration
// byte. Go 1.24 still writes "go 1.23 trace".
// Also the goroutine and proc status codes carried by GoStatus / ProcStatus.
// Thread-safe (immutable tables, pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace schedcast::gotrace::v2 {

// Wire event types. The numbering is the file format's.
enum EvType : uint8_t {
  kEvNone = 0,
  // Structural (untimed) events.
  kEvEventBatch = 1,
  kEvStacks = 2,
  kEvStack = 3,
  kEvStrings = 4,
  kEvString = 5,
  kEvCPUSamples = 6,
  kEvCPUSample = 7,
  kEvFrequency = 8,
  // Procs.
  kEvProcsChange = 9,
  kEvProcStart = 10,
  kEvProcStop = 11,
  kEvProcSteal = 12,
  kEvProcStatus = 13,
  // Goroutines.
  kEvGoCreate = 14,
  kEvGoCreateSyscall = 15,
  kEvGoStart = 16,
  kEvGoDestroy = 17,
  kEvGoDestroySyscall = 18,
  kEvGoStop = 19,
  kEvGoBlock = 20,
  kEvGoUnblock = 21,
  kEvGoSyscallBegin = 22,
  kEvGoSyscallEnd = 23,
  kEvGoSyscallEndBlocked = 24,
  kEvGoStatus = 25,
  // Stop-the-world.
  kEvSTWBegin = 26,
  kEvSTWEnd = 27,
  // GC.
  kEvGCActive = 28,
  kEvGCBegin = 29,
  kEvGCEnd = 30,
  kEvGCSweepActive = 31,
  kEvGCSweepBegin = 32,
  kEvGCSweepEnd = 33,
  kEvGCMarkAssistActive = 34,
  kEvGCMarkAssistBegin = 35,
  kEvGCMarkAssistEnd = 36,
  kEvHeapAlloc = 37,
  kEvHeapGoal = 38,
  // User annotations.
  kEvGoLabel = 39,
  kEvUserTaskBegin = 40,
  kEvUserTaskEnd = 41,
  kEvUserRegionBegin = 42,
  kEvUserRegionEnd = 43,
  kEvUserLog = 44,
  // Go 1.23 additions.
  kEvGoSwitch = 45,
  kEvGoSwitchDestroy = 46,
  kEvGoCreateBlocked = 47,
  kEvGoStatusStack = 48,
  kEvExperimentalBatch = 49,
  // Go 1.25 additions (structural: only in a sync batch).
  kEvSyncBatch = 50,      // first byte of a sync batch [...Frequency|ClockSnapshot]
  kEvClockSnapshot = 51,  // [timestamp delta, mono, sec, nsec]
  // Go 1.26 addition: a one-byte batch that ends a generation.
  kEvEndOfGeneration = 52,
  // Go 1.23 alloc/free experiment (only inside batches; surfaced as Experimental events).
  kEvSpan = 128,
  kEvSpanAlloc = 129,
  kEvSpanFree = 130,
  kEvHeapObject = 131,
  kEvHeapObjectAlloc = 132,
  kEvHeapObjectFree = 133,
  kEvGoroutineStack = 134,
  kEvGoroutineStackAlloc = 135,
  kEvGoroutineStackFree = 136,
  // Not on the wire: the reader's synthetic end-of-generation event.
  kEvSync = 255,
};

// Number of event types the parser of each version knows (types at or above are invalid).
inline constexpr int kNumTypesGo122 = 45;
inline constexpr int kNumTypesGo123 = 137;
inline int NumTypes(int version) { return version >= 1023 ? kNumTypesGo123 : kNumTypesGo122; }

// Maximum number of argument slots an event carries (Go 1.23's GoStatusStack has 4 arguments plus
// one slot the ordering fills in).
inline constexpr int kMaxArgs = 5;

struct Spec {
  const char* name = nullptr;  // nullptr: no such type
  uint8_t nargs = 0;           // timed: arguments after the timestamp delta; structural: all
  bool timed = false;          // appears in event batches with a timestamp delta
  int8_t stack = -1;           // argument index of the event's own stack id
  int8_t new_stack = -1;       // argument index of a second stack id (the created goroutine's)
  int8_t str[2] = {-1, -1};    // argument indices of string ids
  uint8_t start = kEvNone;     // for range ends / actives: the type that begins the range
  uint8_t experiment = 0;      // nonzero for experimental events
  const char* arg_names[4] = {nullptr, nullptr, nullptr, nullptr};  // experimental events only
};

// Trace format versions this parser reads (the number in the header "go 1.NN trace", + 1000).
inline bool IsV2Version(int version) {
  return version == 1022 || version == 1023 || version == 1025 || version == 1026;
}

// Spec of `type` for a trace of `version` (1022, 1023, 1025, 1026); a Spec with name == nullptr if the
// version does not define it.
const Spec& SpecOf(uint8_t type, int version);
// Spec regardless of version (for names in messages).
const Spec& SpecOf(uint8_t type);

// The event type's name, or "Invalid(N)".
std::string TypeName(uint8_t type);

// Goroutine status codes on the wire (GoStatus / GoStatusStack).
enum WireGoStatus : uint8_t { kGoBad = 0, kGoRunnable = 1, kGoRunning = 2, kGoSyscall = 3, kGoWaiting = 4 };
inline constexpr int kNumWireGoStatus = 5;
std::string_view WireGoStatusName(uint64_t s);

// Proc status codes on the wire (ProcStatus).
enum WireProcStatus : uint8_t {
  kProcBad = 0,
  kProcRunning = 1,
  kProcIdle = 2,
  kProcSyscall = 3,
  kProcSyscallAbandoned = 4,
};
inline constexpr int kNumWireProcStatus = 5;
std::string_view WireProcStatusName(uint64_t s);

// Format limits.
inline constexpr uint64_t kMaxBatchSize = 64 << 10;
inline constexpr uint64_t kMaxFramesPerStack = 128;
inline constexpr uint64_t kMaxStringSize = 1 << 10;

}  // namespace schedcast::gotrace::v2
