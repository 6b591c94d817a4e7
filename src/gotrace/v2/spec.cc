#include "gotrace/v2/spec.h"

#include <array>

#include "common/strings.h"

namespace schedcast::gotrace::v2 {
namespace {

constexpr Spec Timed(const char* name, uint8_t nargs, int8_t stack = -1, int8_t str0 = -1, int8_t str1 = -1,
                     uint8_t start = kEvNone, int8_t new_stack = -1) {
  Spec s;
  s.name = name;
  s.nargs = nargs;
  s.timed = true;
  s.stack = stack;
  s.new_stack = new_stack;
  s.str[0] = str0;
  s.str[1] = str1;
  s.start = start;
  return s;
}

constexpr Spec Structural(const char* name, uint8_t nargs) {
  Spec s;
  s.name = name;
  s.nargs = nargs;
  return s;
}

constexpr Spec Experimental(const char* name, const char* a0, const char* a1 = nullptr, const char* a2 = nullptr) {
  Spec s;
  s.name = name;
  s.nargs = a2 ? 3 : a1 ? 2 : 1;
  s.timed = true;
  s.experiment = 1;  // the alloc/free experiment
  s.arg_names[0] = a0;
  s.arg_names[1] = a1;
  s.arg_names[2] = a2;
  return s;
}

constexpr std::array<Spec, 256> BuildSpecs() {
  std::array<Spec, 256> t{};
  t[kEvEventBatch] = Structural("EventBatch", 4);
  t[kEvStacks] = Structural("Stacks", 0);
  t[kEvStack] = Structural("Stack", 2);
  t[kEvStrings] = Structural("Strings", 0);
  t[kEvString] = Structural("String", 1);
  t[kEvCPUSamples] = Structural("CPUSamples", 0);
  t[kEvCPUSample] = Structural("CPUSample", 5);
  t[kEvFrequency] = Structural("Frequency", 1);
  t[kEvExperimentalBatch] = Structural("ExperimentalBatch", 4);

  t[kEvProcsChange] = Timed("ProcsChange", 2, 1);
  t[kEvProcStart] = Timed("ProcStart", 2);
  t[kEvProcStop] = Timed("ProcStop", 0);
  t[kEvProcSteal] = Timed("ProcSteal", 3);
  t[kEvProcStatus] = Timed("ProcStatus", 2);
  t[kEvGoCreate] = Timed("GoCreate", 3, 2, -1, -1, kEvNone, 1);
  t[kEvGoCreateSyscall] = Timed("GoCreateSyscall", 1);
  t[kEvGoStart] = Timed("GoStart", 2);
  t[kEvGoDestroy] = Timed("GoDestroy", 0);
  t[kEvGoDestroySyscall] = Timed("GoDestroySyscall", 0);
  t[kEvGoStop] = Timed("GoStop", 2, 1, 0);
  t[kEvGoBlock] = Timed("GoBlock", 2, 1, 0);
  t[kEvGoUnblock] = Timed("GoUnblock", 3, 2);
  t[kEvGoSyscallBegin] = Timed("GoSyscallBegin", 2, 1);
  t[kEvGoSyscallEnd] = Timed("GoSyscallEnd", 0, -1, -1, -1, kEvGoSyscallBegin);
  t[kEvGoSyscallEndBlocked] = Timed("GoSyscallEndBlocked", 0, -1, -1, -1, kEvGoSyscallBegin);
  t[kEvGoStatus] = Timed("GoStatus", 3);
  t[kEvSTWBegin] = Timed("STWBegin", 2, 1, 0);
  t[kEvSTWEnd] = Timed("STWEnd", 0, -1, -1, -1, kEvSTWBegin);
  t[kEvGCActive] = Timed("GCActive", 1, -1, -1, -1, kEvGCBegin);
  t[kEvGCBegin] = Timed("GCBegin", 2, 1);
  t[kEvGCEnd] = Timed("GCEnd", 1, -1, -1, -1, kEvGCBegin);
  t[kEvGCSweepActive] = Timed("GCSweepActive", 1, -1, -1, -1, kEvGCSweepBegin);
  t[kEvGCSweepBegin] = Timed("GCSweepBegin", 1, 0);
  t[kEvGCSweepEnd] = Timed("GCSweepEnd", 2, -1, -1, -1, kEvGCSweepBegin);
  t[kEvGCMarkAssistActive] = Timed("GCMarkAssistActive", 1, -1, -1, -1, kEvGCMarkAssistBegin);
  t[kEvGCMarkAssistBegin] = Timed("GCMarkAssistBegin", 1, 0);
  t[kEvGCMarkAssistEnd] = Timed("GCMarkAssistEnd", 0, -1, -1, -1, kEvGCMarkAssistBegin);
  t[kEvHeapAlloc] = Timed("HeapAlloc", 1);
  t[kEvHeapGoal] = Timed("HeapGoal", 1);
  t[kEvGoLabel] = Timed("GoLabel", 1, -1, 0);
  t[kEvUserTaskBegin] = Timed("UserTaskBegin", 4, 3, 2);
  t[kEvUserTaskEnd] = Timed("UserTaskEnd", 2, 1);
  t[kEvUserRegionBegin] = Timed("UserRegionBegin", 3, 2, 1);
  t[kEvUserRegionEnd] = Timed("UserRegionEnd", 3, 2, 1, -1, kEvUserRegionBegin);
  t[kEvUserLog] = Timed("UserLog", 4, 3, 1, 2);
  t[kEvGoSwitch] = Timed("GoSwitch", 2);
  t[kEvGoSwitchDestroy] = Timed("GoSwitchDestroy", 2);
  t[kEvGoCreateBlocked] = Timed("GoCreateBlocked", 3, 2, -1, -1, kEvNone, 1);
  t[kEvGoStatusStack] = Timed("GoStatusStack", 4, 3);

  t[kEvSyncBatch] = Structural("Sync", 0);
  t[kEvClockSnapshot] = Structural("ClockSnapshot", 4);
  t[kEvEndOfGeneration] = Structural("EndOfGeneration", 0);
  t[kEvSpan] = Experimental("Span", "id", "npages_value", "kindclass");
  t[kEvSpanAlloc] = Experimental("SpanAlloc", "id", "npages_value", "kindclass");
  t[kEvSpanFree] = Experimental("SpanFree", "id");
  t[kEvHeapObject] = Experimental("HeapObject", "id", "type");
  t[kEvHeapObjectAlloc] = Experimental("HeapObjectAlloc", "id", "type");
  t[kEvHeapObjectFree] = Experimental("HeapObjectFree", "id");
  t[kEvGoroutineStack] = Experimental("GoroutineStack", "id", "order");
  t[kEvGoroutineStackAlloc] = Experimental("GoroutineStackAlloc", "id", "order");
  t[kEvGoroutineStackFree] = Experimental("GoroutineStackFree", "id");
  return t;
}

constexpr std::array<Spec, 256> kSpecs = BuildSpecs();
constexpr Spec kNoSpec{};

}  // namespace

const Spec& SpecOf(uint8_t type, int version) {
  if (type >= NumTypes(version)) return kNoSpec;
  if ((type == kEvSyncBatch || type == kEvClockSnapshot) && version < 1025) return kNoSpec;
  if (type == kEvEndOfGeneration && version < 1026) return kNoSpec;
  return kSpecs[type];
}

const Spec& SpecOf(uint8_t type) { return kSpecs[type]; }

std::string TypeName(uint8_t type) {
  if (kSpecs[type].name != nullptr) return kSpecs[type].name;
  return Cat("Invalid(", static_cast<int>(type), ")");
}

std::string_view WireGoStatusName(uint64_t s) {
  switch (s) {
    case kGoRunnable: return "Runnable";
    case kGoRunning: return "Running";
    case kGoSyscall: return "Syscall";
    case kGoWaiting: return "Waiting";
    default: return "Bad";
  }
}

std::string_view WireProcStatusName(uint64_t s) {
  switch (s) {
    case kProcRunning: return "Running";
    case kProcIdle: return "Idle";
    case kProcSyscall: return "Syscall";
    default: return "Bad";
  }
}

}  // namespace schedcast::gotrace::v2
