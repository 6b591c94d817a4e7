#include "gotrace/v2/event.h"

namespace schedcast::gotrace::v2 {

std::string_view EventKindName(EventKind k) {
  switch (k) {
    case EventKind::kBad: return "Bad";
    case EventKind::kSync: return "Sync";
    case EventKind::kMetric: return "Metric";
    case EventKind::kLabel: return "Label";
    case EventKind::kStackSample: return "StackSample";
    case EventKind::kRangeBegin: return "RangeBegin";
    case EventKind::kRangeActive: return "RangeActive";
    case EventKind::kRangeEnd: return "RangeEnd";
    case EventKind::kTaskBegin: return "TaskBegin";
    case EventKind::kTaskEnd: return "TaskEnd";
    case EventKind::kRegionBegin: return "RegionBegin";
    case EventKind::kRegionEnd: return "RegionEnd";
    case EventKind::kLog: return "Log";
    case EventKind::kStateTransition: return "StateTransition";
    case EventKind::kExperimental: return "Experimental";
  }
  return "Bad";
}

EventKind KindOfType(uint8_t type) {
  switch (type) {
    case kEvCPUSample: return EventKind::kStackSample;
    case kEvProcsChange:
    case kEvHeapAlloc:
    case kEvHeapGoal: return EventKind::kMetric;
    case kEvProcStart:
    case kEvProcStop:
    case kEvProcSteal:
    case kEvProcStatus:
    case kEvGoCreate:
    case kEvGoCreateSyscall:
    case kEvGoStart:
    case kEvGoDestroy:
    case kEvGoDestroySyscall:
    case kEvGoStop:
    case kEvGoBlock:
    case kEvGoUnblock:
    case kEvGoSyscallBegin:
    case kEvGoSyscallEnd:
    case kEvGoSyscallEndBlocked:
    case kEvGoStatus:
    case kEvGoSwitch:
    case kEvGoSwitchDestroy:
    case kEvGoCreateBlocked:
    case kEvGoStatusStack: return EventKind::kStateTransition;
    case kEvSTWBegin:
    case kEvGCBegin:
    case kEvGCSweepBegin:
    case kEvGCMarkAssistBegin: return EventKind::kRangeBegin;
    case kEvGCActive:
    case kEvGCSweepActive:
    case kEvGCMarkAssistActive: return EventKind::kRangeActive;
    case kEvSTWEnd:
    case kEvGCEnd:
    case kEvGCSweepEnd:
    case kEvGCMarkAssistEnd: return EventKind::kRangeEnd;
    case kEvGoLabel: return EventKind::kLabel;
    case kEvUserTaskBegin: return EventKind::kTaskBegin;
    case kEvUserTaskEnd: return EventKind::kTaskEnd;
    case kEvUserRegionBegin: return EventKind::kRegionBegin;
    case kEvUserRegionEnd: return EventKind::kRegionEnd;
    case kEvUserLog: return EventKind::kLog;
    case kEvSync: return EventKind::kSync;
    default:
      if (type >= kEvSpan && type <= kEvGoroutineStackFree) return EventKind::kExperimental;
      return EventKind::kBad;
  }
}

std::string_view GoStateName(GoState s) {
  switch (s) {
    case GoState::kUndetermined: return "Undetermined";
    case GoState::kNotExist: return "NotExist";
    case GoState::kRunnable: return "Runnable";
    case GoState::kRunning: return "Running";
    case GoState::kWaiting: return "Waiting";
    case GoState::kSyscall: return "Syscall";
  }
  return "Bad";
}

std::string_view ProcStateName(ProcState s) {
  switch (s) {
    case ProcState::kUndetermined: return "Undetermined";
    case ProcState::kNotExist: return "NotExist";
    case ProcState::kRunning: return "Running";
    case ProcState::kIdle: return "Idle";
  }
  return "Bad";
}

std::string_view ResourceKindName(ResourceKind k) {
  switch (k) {
    case ResourceKind::kNone: return "None";
    case ResourceKind::kGoroutine: return "Goroutine";
    case ResourceKind::kProc: return "Proc";
    case ResourceKind::kThread: return "Thread";
  }
  return "Bad";
}

GoState GoStateOfWire(uint64_t s) {
  switch (s) {
    case kGoRunnable: return GoState::kRunnable;
    case kGoRunning: return GoState::kRunning;
    case kGoSyscall: return GoState::kSyscall;
    case kGoWaiting: return GoState::kWaiting;
    default: return GoState::kUndetermined;
  }
}

ProcState ProcStateOfWire(uint64_t s) {
  switch (s) {
    case kProcRunning:
    case kProcSyscall: return ProcState::kRunning;
    case kProcIdle:
    case kProcSyscallAbandoned: return ProcState::kIdle;
    default: return ProcState::kUndetermined;
  }
}

std::string_view MetricNameString(MetricName m) {
  switch (m) {
    case MetricName::kGomaxprocs: return "/sched/gomaxprocs:threads";
    case MetricName::kHeapObjects: return "/memory/classes/heap/objects:bytes";
    case MetricName::kHeapGoal: return "/gc/heap/goal:bytes";
  }
  return "";
}

uint64_t Event::stack() const {
  if (type == kEvSync) return 0;
  if (type == kEvCPUSample) return args[0];
  const Spec& s = SpecOf(type);
  return s.stack >= 0 ? args[s.stack] : 0;
}

namespace {
StateTransition Go(int64_t id, GoState from, GoState to) {
  StateTransition t;
  t.resource = ResourceKind::kGoroutine;
  t.id = id;
  t.from = static_cast<uint8_t>(from);
  t.to = static_cast<uint8_t>(to);
  return t;
}
StateTransition Proc(int64_t id, ProcState from, ProcState to) {
  StateTransition t;
  t.resource = ResourceKind::kProc;
  t.id = id;
  t.from = static_cast<uint8_t>(from);
  t.to = static_cast<uint8_t>(to);
  return t;
}
// The event's own stack, reported as the transitioning goroutine's stack.
void OwnStack(const Event& e, StateTransition& t) {
  t.stack = e.stack();
  t.has_stack = t.stack != 0;
}
}  // namespace

StateTransition Event::transition() const {
  StateTransition t;
  switch (type) {
    case kEvProcStart: return Proc(static_cast<int64_t>(args[0]), ProcState::kIdle, ProcState::kRunning);
    case kEvProcStop: return Proc(p, ProcState::kRunning, ProcState::kIdle);
    case kEvProcSteal:
      return Proc(static_cast<int64_t>(args[0]),
                  args[3] == kProcSyscallAbandoned ? ProcState::kIdle : ProcState::kRunning, ProcState::kIdle);
    case kEvProcStatus:
      return Proc(static_cast<int64_t>(args[0]), static_cast<ProcState>(args[2]), ProcStateOfWire(args[1]));
    case kEvGoCreate:
    case kEvGoCreateBlocked:
      t = Go(static_cast<int64_t>(args[0]), GoState::kNotExist,
             type == kEvGoCreateBlocked ? GoState::kWaiting : GoState::kRunnable);
      t.stack = args[1];
      t.has_stack = true;
      return t;
    case kEvGoCreateSyscall: return Go(static_cast<int64_t>(args[0]), GoState::kNotExist, GoState::kSyscall);
    case kEvGoStart: return Go(static_cast<int64_t>(args[0]), GoState::kRunnable, GoState::kRunning);
    case kEvGoDestroy:
      t = Go(g, GoState::kRunning, GoState::kNotExist);
      OwnStack(*this, t);
      return t;
    case kEvGoDestroySyscall: return Go(g, GoState::kSyscall, GoState::kNotExist);
    case kEvGoStop:
    case kEvGoBlock:
      t = Go(g, GoState::kRunning, type == kEvGoStop ? GoState::kRunnable : GoState::kWaiting);
      t.reason = args[0];
      OwnStack(*this, t);
      return t;
    case kEvGoUnblock:
    case kEvGoSwitch:
    case kEvGoSwitchDestroy: return Go(static_cast<int64_t>(args[0]), GoState::kWaiting, GoState::kRunnable);
    case kEvGoSyscallBegin:
      t = Go(g, GoState::kRunning, GoState::kSyscall);
      OwnStack(*this, t);
      return t;
    case kEvGoSyscallEnd:
      t = Go(g, GoState::kSyscall, GoState::kRunning);
      OwnStack(*this, t);
      return t;
    case kEvGoSyscallEndBlocked:
      t = Go(g, GoState::kSyscall, GoState::kRunnable);
      OwnStack(*this, t);
      return t;
    case kEvGoStatus:
      return Go(static_cast<int64_t>(args[0]), static_cast<GoState>(args[3]), GoStateOfWire(args[2]));
    case kEvGoStatusStack:
      return Go(static_cast<int64_t>(args[0]), static_cast<GoState>(args[4]), GoStateOfWire(args[2]));
    default: return t;
  }
}

Range Event::range() const {
  Range r;
  switch (type) {
    case kEvSTWBegin:
    case kEvSTWEnd:
      r.name = RangeName::kStopTheWorld;
      r.stw_kind = args[0];
      r.scope = ResourceKind::kGoroutine;
      r.scope_id = g;
      break;
    case kEvGCBegin:
    case kEvGCActive:
    case kEvGCEnd:
      r.name = RangeName::kGCMark;
      r.scope = ResourceKind::kNone;
      break;
    case kEvGCSweepBegin:
    case kEvGCSweepActive:
    case kEvGCSweepEnd:
      // Go reports the current proc as the scope even for GCSweepActive (whose argument names one).
      r.name = RangeName::kGCSweep;
      r.scope = ResourceKind::kProc;
      r.scope_id = p;
      if (type == kEvGCSweepEnd) {
        r.has_sweep_attrs = true;
        r.swept = args[0];
        r.reclaimed = args[1];
      }
      break;
    case kEvGCMarkAssistBegin:
    case kEvGCMarkAssistActive:
    case kEvGCMarkAssistEnd:
      r.name = RangeName::kGCMarkAssist;
      r.scope = ResourceKind::kGoroutine;
      r.scope_id = type == kEvGCMarkAssistActive ? static_cast<int64_t>(args[0]) : g;
      break;
    default: break;
  }
  return r;
}

Metric Event::metric() const {
  Metric m;
  m.value = args[0];
  m.name = type == kEvHeapAlloc ? MetricName::kHeapObjects
           : type == kEvHeapGoal ? MetricName::kHeapGoal
                                 : MetricName::kGomaxprocs;
  return m;
}

Label Event::label() const { return Label{args[0], g}; }

Task Event::task() const {
  Task t;
  t.id = args[0];
  if (type == kEvUserTaskBegin) {
    t.parent = args[1];
    t.type = args[2];
  } else {
    t.parent = args[2];
    t.type = args[3];
    t.type_is_extra = true;
  }
  return t;
}

Region Event::region() const { return Region{args[0], args[1]}; }

Log Event::log() const { return Log{args[0], args[1], args[2]}; }

}  // namespace schedcast::gotrace::v2
