// Implementation of gotrace/v1/events.h (see the contract there).
#include "gotrace/v1/events.h"

namespace schedcast::gotrace::v1 {
namespace {

using A = std::array<std::string_view, 3>;
using S = std::array<std::string_view, 2>;

// Indexed by event type. Argument names are the ones the runtime's trace viewer prints.
constexpr EventDesc kDescs[kEvCount] = {
    /* 0 */ {"None", 1005, false, 0, A{}, 0, S{}},
    /* 1 */ {"Batch", 1005, false, 2, A{"p", "ticks"}, 0, S{}},
    /* 2 */ {"Frequency", 1005, false, 1, A{"freq"}, 0, S{}},
    /* 3 */ {"Stack", 1005, false, 2, A{"id", "siz"}, 0, S{}},
    /* 4 */ {"Gomaxprocs", 1005, true, 1, A{"procs"}, 0, S{}},
    /* 5 */ {"ProcStart", 1005, false, 1, A{"thread"}, 0, S{}},
    /* 6 */ {"ProcStop", 1005, false, 0, A{}, 0, S{}},
    /* 7 */ {"GCStart", 1005, true, 1, A{"seq"}, 0, S{}},
    /* 8 */ {"GCDone", 1005, false, 0, A{}, 0, S{}},
    /* 9 */ {"STWStart", 1005, false, 1, A{"kindid"}, 1, S{"kind"}},
    /* 10 */ {"STWDone", 1005, false, 0, A{}, 0, S{}},
    /* 11 */ {"GCSweepStart", 1005, true, 0, A{}, 0, S{}},
    /* 12 */ {"GCSweepDone", 1005, false, 2, A{"swept", "reclaimed"}, 0, S{}},
    /* 13 */ {"GoCreate", 1005, true, 2, A{"g", "stack"}, 0, S{}},
    /* 14 */ {"GoStart", 1005, false, 2, A{"g", "seq"}, 0, S{}},
    /* 15 */ {"GoEnd", 1005, false, 0, A{}, 0, S{}},
    /* 16 */ {"GoStop", 1005, true, 0, A{}, 0, S{}},
    /* 17 */ {"GoSched", 1005, true, 0, A{}, 0, S{}},
    /* 18 */ {"GoPreempt", 1005, true, 0, A{}, 0, S{}},
    /* 19 */ {"GoSleep", 1005, true, 0, A{}, 0, S{}},
    /* 20 */ {"GoBlock", 1005, true, 0, A{}, 0, S{}},
    /* 21 */ {"GoUnblock", 1005, true, 2, A{"g", "seq"}, 0, S{}},
    /* 22 */ {"GoBlockSend", 1005, true, 0, A{}, 0, S{}},
    /* 23 */ {"GoBlockRecv", 1005, true, 0, A{}, 0, S{}},
    /* 24 */ {"GoBlockSelect", 1005, true, 0, A{}, 0, S{}},
    /* 25 */ {"GoBlockSync", 1005, true, 0, A{}, 0, S{}},
    /* 26 */ {"GoBlockCond", 1005, true, 0, A{}, 0, S{}},
    /* 27 */ {"GoBlockNet", 1005, true, 0, A{}, 0, S{}},
    /* 28 */ {"GoSysCall", 1005, true, 0, A{}, 0, S{}},
    /* 29 */ {"GoSysExit", 1005, false, 3, A{"g", "seq", "ts"}, 0, S{}},
    /* 30 */ {"GoSysBlock", 1005, false, 0, A{}, 0, S{}},
    /* 31 */ {"GoWaiting", 1005, false, 1, A{"g"}, 0, S{}},
    /* 32 */ {"GoInSyscall", 1005, false, 1, A{"g"}, 0, S{}},
    /* 33 */ {"HeapAlloc", 1005, false, 1, A{"mem"}, 0, S{}},
    /* 34 */ {"HeapGoal", 1005, false, 1, A{"mem"}, 0, S{}},
    /* 35 */ {"TimerGoroutine", 1005, false, 1, A{"g"}, 0, S{}},
    /* 36 */ {"FutileWakeup", 1005, false, 0, A{}, 0, S{}},
    /* 37 */ {"String", 1007, false, 0, A{}, 0, S{}},
    /* 38 */ {"GoStartLocal", 1007, false, 1, A{"g"}, 0, S{}},
    /* 39 */ {"GoUnblockLocal", 1007, true, 1, A{"g"}, 0, S{}},
    /* 40 */ {"GoSysExitLocal", 1007, false, 2, A{"g", "ts"}, 0, S{}},
    /* 41 */ {"GoStartLabel", 1008, false, 3, A{"g", "seq", "labelid"}, 1, S{"label"}},
    /* 42 */ {"GoBlockGC", 1008, true, 0, A{}, 0, S{}},
    /* 43 */ {"GCMarkAssistStart", 1009, true, 0, A{}, 0, S{}},
    /* 44 */ {"GCMarkAssistDone", 1009, false, 0, A{}, 0, S{}},
    /* 45 */ {"UserTaskCreate", 1011, true, 3, A{"taskid", "pid", "typeid"}, 1, S{"name"}},
    /* 46 */ {"UserTaskEnd", 1011, true, 1, A{"taskid"}, 0, S{}},
    /* 47 */ {"UserRegion", 1011, true, 3, A{"taskid", "mode", "typeid"}, 1, S{"name"}},
    /* 48 */ {"UserLog", 1011, true, 2, A{"id", "keyid"}, 2, S{"category", "message"}},
    /* 49 */ {"CPUSample", 1019, true, 3, A{"ts", "p", "g"}, 0, S{}},
};

// runtime.stwReason names as of Go 1.21, indexed by the kind number the 1.21 runtime writes.
constexpr std::string_view kStwReasons121[] = {
    "unknown",
    "GC mark termination",
    "GC sweep termination",
    "write heap dump",
    "goroutine profile",
    "goroutine profile cleanup",
    "all goroutines stack trace",
    "read mem stats",
    "AllThreadsSyscall",
    "GOMAXPROCS",
    "start trace",
    "stop trace",
    "CountPagesInUse (test)",
    "ReadMetricsSlow (test)",
    "ReadMemStatsSlow (test)",
    "PageCachePagesLeaked (test)",
    "ResetDebugLog (test)",
};

}  // namespace

const EventDesc& Describe(uint8_t type) { return kDescs[type]; }

std::string_view EventTypeName(uint8_t type, int version) {
  if (type >= kEvCount) return {};
  if (version < 1021) {
    if (type == kEvSTWStart) return "GCSTWStart";
    if (type == kEvSTWDone) return "GCSTWDone";
  }
  return kDescs[type].name;
}

bool StwKindName(int version, uint64_t kind, std::string_view* name) {
  if (version < 1021) {
    if (kind > 1) return false;
    *name = kind == 0 ? "mark termination" : "sweep termination";
    return true;
  }
  if (version == 1021 && kind < std::size(kStwReasons121)) {
    *name = kStwReasons121[kind];
  } else {
    *name = "unknown";
  }
  return true;
}

}  // namespace schedcast::gotrace::v1
