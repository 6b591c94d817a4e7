// gotrace/v1/events.h — the event types of the old (Go 1.5–1.21) execution-trace format.
//
// One table describes every event type: Go's name for it, the first trace version that may contain
// it, whether its last argument is a stack id, and the names of the arguments and string arguments
// that `go tool trace -d` prints. Type numbers are the runtime's wire numbers (EvGoStart = 14, ...).
// Contract: Describe() accepts any type < kEvCount; names depend on the version only for the two
// stop-the-world events, which Go 1.21 renamed (GCSTWStart/GCSTWDone -> STWStart/STWDone).
// Thread-safe (immutable tables).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace schedcast::gotrace::v1 {

enum EventType : uint8_t {
  kEvNone = 0,
  kEvBatch = 1,             // start of a per-P batch [p, ticks]
  kEvFrequency = 2,         // ticks per second [freq]
  kEvStack = 3,             // stack table entry [id, n, n x {pc, func, file, line}]
  kEvGomaxprocs = 4,        // [ts, procs, stack]
  kEvProcStart = 5,         // [ts, thread]
  kEvProcStop = 6,          // [ts]
  kEvGCStart = 7,           // [ts, seq, stack]
  kEvGCDone = 8,            // [ts]
  kEvSTWStart = 9,          // [ts, kind]
  kEvSTWDone = 10,          // [ts]
  kEvGCSweepStart = 11,     // [ts, stack]
  kEvGCSweepDone = 12,      // [ts, swept, reclaimed]
  kEvGoCreate = 13,         // [ts, new g, new stack, stack]
  kEvGoStart = 14,          // [ts, g, seq]
  kEvGoEnd = 15,            // [ts]
  kEvGoStop = 16,           // [ts, stack]
  kEvGoSched = 17,          // [ts, stack]
  kEvGoPreempt = 18,        // [ts, stack]
  kEvGoSleep = 19,          // [ts, stack]
  kEvGoBlock = 20,          // [ts, stack]
  kEvGoUnblock = 21,        // [ts, g, seq, stack]
  kEvGoBlockSend = 22,      // [ts, stack]
  kEvGoBlockRecv = 23,      // [ts, stack]
  kEvGoBlockSelect = 24,    // [ts, stack]
  kEvGoBlockSync = 25,      // [ts, stack]
  kEvGoBlockCond = 26,      // [ts, stack]
  kEvGoBlockNet = 27,       // [ts, stack]
  kEvGoSysCall = 28,        // [ts, stack]
  kEvGoSysExit = 29,        // [ts, g, seq, real ts]
  kEvGoSysBlock = 30,       // [ts]
  kEvGoWaiting = 31,        // [ts, g]
  kEvGoInSyscall = 32,      // [ts, g]
  kEvHeapAlloc = 33,        // [ts, bytes]
  kEvHeapGoal = 34,         // [ts, bytes]
  kEvTimerGoroutine = 35,   // [g]
  kEvFutileWakeup = 36,     // [ts]
  kEvString = 37,           // string table entry [id, len, bytes]
  kEvGoStartLocal = 38,     // [ts, g]
  kEvGoUnblockLocal = 39,   // [ts, g, stack]
  kEvGoSysExitLocal = 40,   // [ts, g, real ts]
  kEvGoStartLabel = 41,     // [ts, g, seq, label string id]
  kEvGoBlockGC = 42,        // [ts, stack]
  kEvGCMarkAssistStart = 43,  // [ts, stack]
  kEvGCMarkAssistDone = 44,   // [ts]
  kEvUserTaskCreate = 45,   // [ts, task, parent, name string id, stack]
  kEvUserTaskEnd = 46,      // [ts, task, stack]
  kEvUserRegion = 47,       // [ts, task, mode, name string id, stack]
  kEvUserLog = 48,          // [ts, id, key string id, stack] + inline value string
  kEvCPUSample = 49,        // [ts, real ts, p, g, stack]
  kEvCount = 50,
};

struct EventDesc {
  std::string_view name;      // Go 1.21's name
  int min_version;            // first trace version (1000 + minor) that may contain it
  bool has_stack;             // the last argument on the wire is a stack id
  uint8_t num_args;           // printed numeric arguments (Event::args[0..num_args))
  std::array<std::string_view, 3> arg_names;
  uint8_t num_sargs;          // printed string arguments
  std::array<std::string_view, 2> sarg_names;
};

// Description of `type`; `type` must be < kEvCount.
const EventDesc& Describe(uint8_t type);

// The name `go tool trace -d` of the Go release that writes `version` traces prints for `type`:
// Go 1.21 renamed GCSTWStart/GCSTWDone to STWStart/STWDone. Returns "" for type >= kEvCount.
std::string_view EventTypeName(uint8_t type, int version);

// The string argument of an STW start event ("kind"), as Go's parser derives it from the kind
// number. Returns false where Go's parser rejects the kind (traces before 1.21: only 0 and 1 exist).
bool StwKindName(int version, uint64_t kind, std::string_view* name);

}  // namespace schedcast::gotrace::v1
