#include "sched/event.h"

namespace schedcast::sched {

std::string_view KindName(Kind k) {
  switch (k) {
    case Kind::kGoCreate: return "GoCreate";
    case Kind::kGoStart: return "GoStart";
    case Kind::kGoSched: return "GoSched";
    case Kind::kGoPreempt: return "GoPreempt";
    case Kind::kGoBlock: return "GoBlock";
    case Kind::kGoUnblock: return "GoUnblock";
    case Kind::kGoEnd: return "GoEnd";
    case Kind::kSyscall: return "Syscall";
    case Kind::kSyscallBlock: return "SyscallBlock";
    case Kind::kSyscallExit: return "SyscallExit";
  }
  return "?";
}

std::string_view ReasonName(Reason r) {
  switch (r) {
    case Reason::kNone: return "";
    case Reason::kSend: return "send";
    case Reason::kRecv: return "recv";
    case Reason::kSelect: return "select";
    case Reason::kSync: return "sync";
    case Reason::kCond: return "cond";
    case Reason::kSleep: return "sleep";
    case Reason::kNet: return "net";
    case Reason::kOther: return "other";
  }
  return "?";
}

}  // namespace schedcast::sched
