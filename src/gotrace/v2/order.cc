#include "gotrace/v2/order.h"

#include <utility>

namespace schedcast::gotrace::v2 {
namespace {

enum Need : uint8_t { kMustNot, kMay, kMust };

absl::Status CheckCtx(const Event& ev, int64_t m, int64_t p, int64_t g, Need nm, Need np, Need ng) {
  auto bad = [&](const char* what) {
    return DataErrorAt(ev.offset, Cat(TypeName(ev.type), " event ", what, " (M=", m, " P=", p, " G=", g, ")"));
  };
  if (nm == kMust && m == kNoThread) return bad("needs a thread but has none");
  if (nm == kMustNot && m != kNoThread) return bad("must not have a thread but has one");
  if (np == kMust && p == kNoProc) return bad("needs a proc but has none");
  if (np == kMustNot && p != kNoProc) return bad("must not have a proc but has one");
  if (ng == kMust && g == kNoGoroutine) return bad("needs a goroutine but has none");
  if (ng == kMustNot && g != kNoGoroutine) return bad("must not have a goroutine but has one");
  return absl::OkStatus();
}

absl::Status Err(const Event& ev, std::string_view reason) { return DataErrorAt(ev.offset, reason); }

}  // namespace

#define SC_CHECK_CTX(ev, cur, nm, np, ng) SC_RETURN_IF_ERROR(CheckCtx(ev, cur.m, cur.p, cur.g, nm, np, ng))
#define SC_CHECK_USER(ev, cur) SC_CHECK_CTX(ev, cur, kMust, kMust, kMust)

bool Ordering::Ranges::Has(const RangeKey& k) const {
  for (const RangeKey& r : active)
    if (r == k) return true;
  return false;
}

void Ordering::PushMade(const Event& cause, uint8_t type, const Ctx& ctx, uint64_t a0, uint64_t a1) {
  Event e;
  e.type = type;
  e.time = cause.time;
  e.offset = cause.offset;
  e.args[0] = a0;
  e.args[1] = a1;
  Push(e, ctx);
}

std::string Ordering::Describe() const {
  std::string out = Cat("gc seq ", gc_seq_, ", ", gs_.size(), " goroutines, ", ps_.size(), " procs, ", ms_.size(),
                        " threads known");
  return out;
}

absl::Status Ordering::Advance(Event& ev, Table& table, int64_t m, uint64_t gen, bool* advanced) {
  if (initial_gen_ == 0) initial_gen_ = gen;
  Ctx cur;
  cur.m = m;
  MState* ms = nullptr;
  if (m != kNoThread) {
    ms = &ms_[m];
    cur.p = ms->p;
    cur.g = ms->g;
  }
  Ctx next = cur;
  bool ok = true;
  absl::Status st;
  switch (ev.type) {
    case kEvProcsChange:
    case kEvGoLabel:
    case kEvUserLog:
      st = CheckCtx(ev, cur.m, cur.p, cur.g, kMust, kMust, kMust);
      if (st.ok()) Push(ev, cur);
      break;
    case kEvProcStart: st = ProcStart(ev, cur, next, gen, &ok); break;
    case kEvProcStop: st = ProcStop(ev, cur, next); break;
    case kEvProcSteal: st = ProcSteal(ev, cur, next, gen, &ok); break;
    case kEvProcStatus: st = ProcStatus(ev, cur, next, gen); break;
    case kEvGoCreate:
    case kEvGoCreateBlocked: st = GoCreate(ev, cur, gen); break;
    case kEvGoCreateSyscall: st = GoCreateSyscall(ev, cur, next, gen); break;
    case kEvGoStart: st = GoStart(ev, cur, next, gen, &ok); break;
    case kEvGoDestroy:
    case kEvGoStop:
    case kEvGoBlock: st = GoStopExec(ev, cur, next); break;
    case kEvGoDestroySyscall: st = GoDestroySyscall(ev, cur, next); break;
    case kEvGoUnblock: st = GoUnblock(ev, cur, gen, &ok); break;
    case kEvGoSyscallBegin: st = GoSyscallBegin(ev, cur, gen); break;
    case kEvGoSyscallEnd: st = GoSyscallEnd(ev, cur); break;
    case kEvGoSyscallEndBlocked: st = GoSyscallEndBlocked(ev, cur, next, &ok); break;
    case kEvGoStatus:
    case kEvGoStatusStack: st = GoStatus(ev, cur, next, gen); break;
    case kEvGoSwitch:
    case kEvGoSwitchDestroy: st = GoSwitch(ev, cur, next, gen, &ok); break;
    case kEvSTWBegin:
    case kEvGCMarkAssistBegin: st = GoRangeBegin(ev, cur); break;
    case kEvSTWEnd:
    case kEvGCMarkAssistEnd: st = GoRangeEnd(ev, cur); break;
    case kEvGCMarkAssistActive: st = GoRangeActive(ev, cur, gen); break;
    case kEvGCActive: st = GCActive(ev, cur, gen, &ok); break;
    case kEvGCBegin: st = GCBegin(ev, cur, &ok); break;
    case kEvGCEnd: st = GCEnd(ev, cur, &ok); break;
    case kEvGCSweepBegin: st = SweepBegin(ev, cur); break;
    case kEvGCSweepActive: st = SweepActive(ev, cur, gen); break;
    case kEvGCSweepEnd: st = SweepEnd(ev, cur); break;
    case kEvHeapAlloc:
    case kEvHeapGoal:
      st = CheckCtx(ev, cur.m, cur.p, cur.g, kMust, kMust, kMay);
      if (st.ok()) Push(ev, cur);
      break;
    case kEvUserTaskBegin: st = TaskBegin(ev, table, cur); break;
    case kEvUserTaskEnd: st = TaskEnd(ev, table, cur); break;
    case kEvUserRegionBegin:
    case kEvUserRegionEnd: st = RegionBeginEnd(ev, table, cur); break;
    default:
      if (KindOfType(ev.type) == EventKind::kExperimental) {
        st = CheckCtx(ev, cur.m, cur.p, cur.g, kMust, kMay, kMay);
        if (st.ok()) Push(ev, cur);
        break;
      }
      st = Err(ev, Cat("event type ", TypeName(ev.type), " cannot appear in an event batch"));
      break;
  }
  if (!st.ok()) {
    *advanced = false;
    return st;
  }
  *advanced = ok;
  if (ok && ms != nullptr) {
    ms->p = next.p;
    ms->g = next.g;
  }
  return absl::OkStatus();
}

absl::Status Ordering::ProcStatus(Event& ev, Ctx& cur, Ctx& next, uint64_t gen) {
  const int64_t pid = static_cast<int64_t>(ev.args[0]);
  const uint64_t status = ev.args[1];
  if (status >= kNumWireProcStatus) return Err(ev, Cat("invalid status ", status, " for proc ", pid));
  ProcState old = ProcStateOfWire(status);
  auto it = ps_.find(pid);
  if (it != ps_.end()) {
    PState& s = it->second;
    if (status == kProcSyscallAbandoned && s.status == kProcSyscall) {
      old = ProcState::kRunning;  // still in the syscall we knew about
      ev.args[1] = kProcSyscall;
    } else if (status == kProcSyscallAbandoned && s.status == kProcSyscallAbandoned) {
      old = ProcState::kIdle;
      ev.args[1] = kProcSyscallAbandoned;
    } else if (s.status != status) {
      return Err(ev, Cat("inconsistent status for proc ", pid, ": was ", WireProcStatusName(s.status), ", now ",
                         WireProcStatusName(status)));
    }
    s.seq = Seq{gen, 0};
  } else {
    ps_.emplace(pid, PState{static_cast<uint8_t>(status), Seq{gen, 0}, {}});
    old = gen == initial_gen_ ? ProcState::kUndetermined : ProcState::kNotExist;
  }
  ev.args[2] = static_cast<uint64_t>(old);
  if (status == kProcRunning || status == kProcSyscall) next.p = pid;
  if (status == kProcSyscallAbandoned && old == ProcState::kRunning) {
    // Report the event on the thread the proc is bound to: it is about to be stolen from it.
    bool found = false;
    for (const auto& [mid, st] : ms_) {
      if (st.p == pid) {
        cur.m = mid;
        cur.p = pid;
        cur.g = st.g;
        found = true;
      }
    }
    if (!found) return Err(ev, Cat("no thread holds proc ", pid, ", which is about to be stolen"));
  }
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::ProcStart(Event& ev, Ctx& cur, Ctx& next, uint64_t gen, bool* ok) {
  const int64_t pid = static_cast<int64_t>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto it = ps_.find(pid);
  if (it == ps_.end() || it->second.status != kProcIdle || !seq.Follows(it->second.seq) || cur.p != kNoProc) {
    *ok = false;
    return absl::OkStatus();
  }
  SC_CHECK_CTX(ev, cur, kMust, kMustNot, kMay);
  it->second.status = kProcRunning;
  it->second.seq = seq;
  next.p = pid;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::ProcStop(Event& ev, Ctx& cur, Ctx& next) {
  auto it = ps_.find(cur.p);
  if (it == ps_.end()) return Err(ev, Cat("ProcStop for proc ", cur.p, ", which does not exist"));
  if (it->second.status != kProcRunning && it->second.status != kProcSyscall)
    return Err(ev, Cat("ProcStop for proc ", cur.p, ", which is neither running nor in a syscall"));
  SC_CHECK_CTX(ev, cur, kMust, kMust, kMay);
  it->second.status = kProcIdle;
  next.p = kNoProc;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::ProcSteal(Event& ev, Ctx& cur, Ctx& next, uint64_t gen, bool* ok) {
  const int64_t pid = static_cast<int64_t>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto it = ps_.find(pid);
  if (it == ps_.end() || (it->second.status != kProcSyscall && it->second.status != kProcSyscallAbandoned) ||
      !seq.Follows(it->second.seq)) {
    *ok = false;
    return absl::OkStatus();
  }
  SC_CHECK_CTX(ev, cur, kMust, kMay, kMay);
  const uint8_t old = it->second.status;
  ev.args[3] = old;
  it->second.status = kProcIdle;
  it->second.seq = seq;
  if (old == kProcSyscallAbandoned) {  // the thread it was on is unknown now
    Push(ev, cur);
    return absl::OkStatus();
  }
  const int64_t mid = static_cast<int64_t>(ev.args[2]);
  if (mid == cur.m) {
    if (cur.p != pid) return Err(ev, Cat("thread ", mid, " steals proc ", pid, " from itself but holds proc ", cur.p));
    next.p = kNoProc;
    Push(ev, cur);
    return absl::OkStatus();
  }
  auto mt = ms_.find(mid);
  if (mt == ms_.end()) return Err(ev, Cat("proc ", pid, " stolen from thread ", mid, ", which does not exist"));
  if (mt->second.p != pid)
    return Err(ev, Cat("proc ", pid, " stolen from thread ", mid, ", which holds proc ", mt->second.p));
  mt->second.p = kNoProc;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoStatus(Event& ev, Ctx& cur, Ctx& next, uint64_t gen) {
  const int64_t gid = static_cast<int64_t>(ev.args[0]);
  const int64_t mid = static_cast<int64_t>(ev.args[1]);
  const uint64_t status = ev.args[2];
  const int extra = ev.type == kEvGoStatusStack ? 4 : 3;
  if (status >= kNumWireGoStatus) return Err(ev, Cat("invalid status ", status, " for goroutine ", gid));
  GoState old = GoStateOfWire(status);
  auto it = gs_.find(gid);
  if (it != gs_.end()) {
    if (it->second.status != status)
      return Err(ev, Cat("inconsistent status for goroutine ", gid, ": was ", WireGoStatusName(it->second.status),
                         ", now ", WireGoStatusName(status)));
    it->second.seq = Seq{gen, 0};
  } else if (gen == initial_gen_) {
    GState s;
    s.status = static_cast<uint8_t>(status);
    s.seq = Seq{gen, 0};
    gs_.emplace(gid, std::move(s));
    old = GoState::kUndetermined;
  } else {
    return Err(ev, Cat("status of goroutine ", gid, " (", WireGoStatusName(status),
                       ") first seen after the first generation"));
  }
  ev.args[extra] = static_cast<uint64_t>(old);
  if (status == kGoRunning) {
    next.g = gid;
  } else if (status == kGoSyscall) {
    if (mid == kNoThread) return Err(ev, Cat("goroutine ", gid, " in a syscall without a thread"));
    if (mid == cur.m) {
      if (gen != initial_gen_ && cur.g != gid)
        return Err(ev, Cat("goroutine ", gid, " in a syscall on thread ", mid, ", which runs goroutine ", cur.g));
      next.g = gid;
    } else {
      auto mt = ms_.find(mid);
      if (mt != ms_.end()) {
        if (mt->second.g != gid)
          return Err(ev, Cat("goroutine ", gid, " in a syscall on thread ", mid, ", which runs goroutine ",
                             mt->second.g));
        cur.g = mt->second.g;
      } else {
        ms_.emplace(mid, MState{gid, kNoProc});
      }
      cur.m = mid;
    }
  }
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoCreate(Event& ev, Ctx& cur, uint64_t gen) {
  SC_CHECK_CTX(ev, cur, kMust, kMust, kMay);
  auto it = gs_.find(cur.g);
  if (it != gs_.end() && it->second.status != kGoRunning)
    return Err(ev, Cat(TypeName(ev.type), " by goroutine ", cur.g, ", which is not running"));
  const int64_t newg = static_cast<int64_t>(ev.args[0]);
  if (gs_.count(newg)) return Err(ev, Cat("goroutine ", newg, " created twice"));
  GState s;
  s.status = ev.type == kEvGoCreateBlocked ? kGoWaiting : kGoRunnable;
  s.seq = Seq{gen, 0};
  gs_.emplace(newg, std::move(s));
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoStopExec(Event& ev, Ctx& cur, Ctx& next) {
  SC_CHECK_USER(ev, cur);
  auto it = gs_.find(cur.g);
  if (it == gs_.end()) return Err(ev, Cat(TypeName(ev.type), " for goroutine ", cur.g, ", which does not exist"));
  if (it->second.status != kGoRunning)
    return Err(ev, Cat(TypeName(ev.type), " for goroutine ", cur.g, ", which is not running"));
  if (ev.type == kEvGoDestroy) {
    gs_.erase(it);
  } else {
    it->second.status = ev.type == kEvGoStop ? kGoRunnable : kGoWaiting;
  }
  next.g = kNoGoroutine;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoStart(Event& ev, Ctx& cur, Ctx& next, uint64_t gen, bool* ok) {
  const int64_t gid = static_cast<int64_t>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto it = gs_.find(gid);
  if (it == gs_.end() || it->second.status != kGoRunnable || !seq.Follows(it->second.seq)) {
    *ok = false;
    return absl::OkStatus();
  }
  SC_CHECK_CTX(ev, cur, kMust, kMust, kMustNot);
  it->second.status = kGoRunning;
  it->second.seq = seq;
  next.g = gid;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoUnblock(Event& ev, Ctx& cur, uint64_t gen, bool* ok) {
  const int64_t gid = static_cast<int64_t>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto it = gs_.find(gid);
  if (it == gs_.end() || it->second.status != kGoWaiting || !seq.Follows(it->second.seq)) {
    *ok = false;
    return absl::OkStatus();
  }
  it->second.status = kGoRunnable;
  it->second.seq = seq;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoSwitch(Event& ev, Ctx& cur, Ctx& next, uint64_t gen, bool* ok) {
  SC_CHECK_USER(ev, cur);
  auto ct = gs_.find(cur.g);
  if (ct == gs_.end()) return Err(ev, Cat(TypeName(ev.type), " for goroutine ", cur.g, ", which does not exist"));
  if (ct->second.status != kGoRunning)
    return Err(ev, Cat(TypeName(ev.type), " for goroutine ", cur.g, ", which is not running"));
  const int64_t nextg = static_cast<int64_t>(ev.args[0]);
  const Seq seq{gen, ev.args[1]};
  auto nt = gs_.find(nextg);
  if (nt == gs_.end() || nt->second.status != kGoWaiting || !seq.Follows(nt->second.seq)) {
    *ok = false;
    return absl::OkStatus();
  }
  Push(ev, cur);
  if (ev.type == kEvGoSwitch) {
    ct->second.status = kGoWaiting;
    PushMade(ev, kEvGoBlock, cur);  // no reason, no stack
  } else {
    gs_.erase(ct);
    PushMade(ev, kEvGoDestroy, cur);
  }
  nt->second.status = kGoRunning;
  nt->second.seq = seq;
  next.g = nextg;
  Ctx start = cur;
  start.g = kNoGoroutine;
  PushMade(ev, kEvGoStart, start, static_cast<uint64_t>(nextg), ev.args[1]);
  return absl::OkStatus();
}

absl::Status Ordering::GoSyscallBegin(Event& ev, Ctx& cur, uint64_t gen) {
  SC_CHECK_USER(ev, cur);
  auto it = gs_.find(cur.g);
  if (it == gs_.end()) return Err(ev, Cat("GoSyscallBegin for goroutine ", cur.g, ", which does not exist"));
  if (it->second.status != kGoRunning)
    return Err(ev, Cat("GoSyscallBegin for goroutine ", cur.g, ", which is not running"));
  it->second.status = kGoSyscall;
  auto pt = ps_.find(cur.p);
  if (pt == ps_.end()) return Err(ev, Cat("GoSyscallBegin on proc ", cur.p, ", which has no known state"));
  pt->second.status = kProcSyscall;
  const Seq pseq{gen, ev.args[0]};
  if (!pseq.Follows(pt->second.seq))
    return Err(ev, Cat("GoSyscallBegin: proc ", cur.p, " sequence ", pseq.n, " does not follow ", pt->second.seq.n,
                       " (generation ", pt->second.seq.gen, ")"));
  pt->second.seq = pseq;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoSyscallEnd(Event& ev, Ctx& cur) {
  SC_CHECK_USER(ev, cur);
  auto it = gs_.find(cur.g);
  if (it == gs_.end()) return Err(ev, Cat("GoSyscallEnd for goroutine ", cur.g, ", which does not exist"));
  if (it->second.status != kGoSyscall)
    return Err(ev, Cat("GoSyscallEnd for goroutine ", cur.g, ", which is not in a syscall"));
  it->second.status = kGoRunning;
  auto pt = ps_.find(cur.p);
  if (pt == ps_.end()) return Err(ev, Cat("GoSyscallEnd on proc ", cur.p, ", which has no known state"));
  if (pt->second.status != kProcSyscall)
    return Err(ev, Cat("GoSyscallEnd on proc ", cur.p, ", which is ", WireProcStatusName(pt->second.status),
                       ", not in a syscall"));
  pt->second.status = kProcRunning;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoSyscallEndBlocked(Event& ev, Ctx& cur, Ctx& next, bool* ok) {
  if (cur.p != kNoProc) {
    auto pt = ps_.find(cur.p);
    if (pt == ps_.end()) return Err(ev, Cat("GoSyscallEndBlocked on proc ", cur.p, ", which has no known state"));
    if (pt->second.status == kProcSyscall) {  // must lose the proc first
      *ok = false;
      return absl::OkStatus();
    }
  }
  SC_CHECK_CTX(ev, cur, kMust, kMay, kMust);
  auto it = gs_.find(cur.g);
  if (it == gs_.end()) return Err(ev, Cat("GoSyscallEndBlocked for goroutine ", cur.g, ", which does not exist"));
  if (it->second.status != kGoSyscall)
    return Err(ev, Cat("GoSyscallEndBlocked for goroutine ", cur.g, ", which is not in a syscall"));
  next.g = kNoGoroutine;
  it->second.status = kGoRunnable;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoCreateSyscall(Event& ev, Ctx& cur, Ctx& next, uint64_t gen) {
  SC_CHECK_CTX(ev, cur, kMust, kMay, kMustNot);
  const int64_t newg = static_cast<int64_t>(ev.args[0]);
  if (gs_.count(newg)) return Err(ev, Cat("goroutine ", newg, " created (in a syscall) twice"));
  GState s;
  s.status = kGoSyscall;
  s.seq = Seq{gen, 0};
  gs_.emplace(newg, std::move(s));
  next.g = newg;
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoDestroySyscall(Event& ev, Ctx& cur, Ctx& next) {
  SC_CHECK_CTX(ev, cur, kMust, kMay, kMust);
  auto it = gs_.find(cur.g);
  if (it == gs_.end()) return Err(ev, Cat("GoDestroySyscall for goroutine ", cur.g, ", which does not exist"));
  if (it->second.status != kGoSyscall)
    return Err(ev, Cat("GoDestroySyscall for goroutine ", cur.g, ", which is not in a syscall"));
  gs_.erase(it);
  next.g = kNoGoroutine;
  if (cur.p == kNoProc) {
    Push(ev, cur);
    return absl::OkStatus();
  }
  auto pt = ps_.find(cur.p);
  if (pt == ps_.end()) return Err(ev, Cat("GoDestroySyscall on proc ", cur.p, ", which has no known state"));
  if (pt->second.status != kProcSyscall)
    return Err(ev, Cat("GoDestroySyscall on proc ", cur.p, ", which is ", WireProcStatusName(pt->second.status),
                       ", not in a syscall"));
  pt->second.status = kProcSyscallAbandoned;
  next.p = kNoProc;
  // The proc is given up: report it as stolen by this thread from itself.
  Event steal;
  steal.type = kEvProcSteal;
  steal.time = ev.time;
  steal.offset = ev.offset;
  steal.args[0] = static_cast<uint64_t>(cur.p);
  steal.args[3] = kProcSyscall;
  if (version_ >= 1023) {
    Push(steal, cur);
    Push(ev, cur);
  } else {
    Push(ev, cur);
    Push(steal, cur);
  }
  return absl::OkStatus();
}

absl::Status Ordering::TaskBegin(Event& ev, Table& table, Ctx& cur) {
  const uint64_t id = ev.args[0];
  if (tasks_.count(id)) return Err(ev, Cat("task ", id, " begins twice"));
  uint64_t parent = ev.args[1];
  if (parent == kBackgroundTask) {  // 0 means "no parent" here
    parent = kNoTask;
    ev.args[1] = kNoTask;
  }
  if (!table.has_string(ev.args[2])) return Err(ev, Cat("UserTaskBegin names string id ", ev.args[2], ", which does not exist"));
  tasks_[id] = TaskInfo{std::string(table.string(ev.args[2])), parent};
  SC_CHECK_USER(ev, cur);
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::TaskEnd(Event& ev, Table& table, Ctx& cur) {
  const uint64_t id = ev.args[0];
  auto it = tasks_.find(id);
  if (it != tasks_.end()) {
    ev.args[2] = it->second.parent;
    ev.args[3] = table.AddExtraString(it->second.name);
    tasks_.erase(it);
  } else {
    ev.args[2] = kNoTask;
    ev.args[3] = 0;
  }
  SC_CHECK_USER(ev, cur);
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::RegionBeginEnd(Event& ev, Table& table, Ctx& cur) {
  SC_CHECK_USER(ev, cur);
  const uint64_t task = ev.args[0];
  if (!table.has_string(ev.args[1]))
    return Err(ev, Cat(TypeName(ev.type), " names string id ", ev.args[1], ", which does not exist"));
  auto it = gs_.find(cur.g);
  if (it == gs_.end()) return Err(ev, Cat(TypeName(ev.type), " on goroutine ", cur.g, ", which has no known state"));
  RegionKey key{task, std::string(table.string(ev.args[1]))};
  auto& regions = it->second.regions;
  if (ev.type == kEvUserRegionBegin) {
    regions.push_back(std::move(key));
  } else if (!regions.empty()) {  // regions begun before the trace started are unknown
    if (!(regions.back() == key))
      return Err(ev, Cat("region end (task ", task, ", \"", key.name, "\") on goroutine ", cur.g,
                         " does not match the innermost active region (task ", regions.back().task, ", \"",
                         regions.back().name, "\")"));
    regions.pop_back();
  }
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GCActive(Event& ev, Ctx& cur, uint64_t gen, bool* ok) {
  const uint64_t seq = ev.args[0];
  if (gen == initial_gen_) {
    if (gc_ != GC::kUndetermined) return Err(ev, "GCActive in the first generation is not its first GC event");
    gc_seq_ = seq;
    gc_ = GC::kRunning;
    Push(ev, cur);
    return absl::OkStatus();
  }
  if (seq != gc_seq_ + 1) {
    *ok = false;
    return absl::OkStatus();
  }
  if (gc_ != GC::kRunning) return Err(ev, "GCActive while no GC is in progress");
  gc_seq_ = seq;
  SC_CHECK_USER(ev, cur);
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GCBegin(Event& ev, Ctx& cur, bool* ok) {
  const uint64_t seq = ev.args[0];
  if (gc_ == GC::kUndetermined) {
    gc_seq_ = seq;
    gc_ = GC::kRunning;
    Push(ev, cur);
    return absl::OkStatus();
  }
  if (seq != gc_seq_ + 1) {
    *ok = false;
    return absl::OkStatus();
  }
  if (gc_ == GC::kRunning) return Err(ev, "GCBegin while a GC is already in progress");
  gc_seq_ = seq;
  gc_ = GC::kRunning;
  SC_CHECK_USER(ev, cur);
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GCEnd(Event& ev, Ctx& cur, bool* ok) {
  const uint64_t seq = ev.args[0];
  if (seq != gc_seq_ + 1) {
    *ok = false;
    return absl::OkStatus();
  }
  if (gc_ == GC::kNotRunning) return Err(ev, "GCEnd while no GC is in progress");
  if (gc_ == GC::kUndetermined) return Err(ev, "GCEnd while the GC state is undetermined");
  gc_seq_ = seq;
  gc_ = GC::kNotRunning;
  SC_CHECK_USER(ev, cur);
  Push(ev, cur);
  return absl::OkStatus();
}

namespace {
uint8_t BeginType(uint8_t type) {
  const uint8_t s = SpecOf(type).start;
  return s != kEvNone ? s : type;
}
}  // namespace

absl::Status Ordering::SweepBegin(Event& ev, Ctx& cur) {
  SC_CHECK_CTX(ev, cur, kMust, kMust, kMay);
  auto it = ps_.find(cur.p);
  if (it == ps_.end()) return Err(ev, Cat("GCSweepBegin on proc ", cur.p, ", which has no known state"));
  const RangeKey key{kEvGCSweepBegin, 0};
  if (it->second.ranges.Has(key)) return Err(ev, "GCSweepBegin while a sweep is already in progress on this proc");
  it->second.ranges.active.push_back(key);
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::SweepActive(Event& ev, Ctx& cur, uint64_t gen) {
  const int64_t pid = static_cast<int64_t>(ev.args[0]);
  auto it = ps_.find(pid);
  if (it == ps_.end()) return Err(ev, Cat("GCSweepActive for unknown proc ", pid));
  const RangeKey key{kEvGCSweepBegin, 0};
  if (gen == initial_gen_) {
    if (it->second.ranges.Has(key)) return Err(ev, "GCSweepActive twice in the first generation");
    it->second.ranges.active.push_back(key);
  } else if (!it->second.ranges.Has(key)) {
    return Err(ev, Cat("GCSweepActive for proc ", pid, ", which is not sweeping"));
  }
  Push(ev, cur);
  return absl::OkStatus();
}

namespace {
// Removes the first active range begun by `begin` (swapping the last into its place); false if none.
template <typename Ranges>
bool EndRange(Ranges& r, uint8_t begin, uint64_t* desc) {
  for (size_t i = 0; i < r.active.size(); ++i) {
    if (r.active[i].type == begin) {
      *desc = r.active[i].desc;
      std::swap(r.active[i], r.active.back());
      r.active.pop_back();
      return true;
    }
  }
  return false;
}
}  // namespace

absl::Status Ordering::SweepEnd(Event& ev, Ctx& cur) {
  SC_CHECK_CTX(ev, cur, kMust, kMust, kMay);
  auto it = ps_.find(cur.p);
  if (it == ps_.end()) return Err(ev, Cat("GCSweepEnd on proc ", cur.p, ", which has no known state"));
  uint64_t desc;
  if (!EndRange(it->second.ranges, kEvGCSweepBegin, &desc)) return Err(ev, "GCSweepEnd without a sweep in progress");
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoRangeBegin(Event& ev, Ctx& cur) {
  SC_CHECK_USER(ev, cur);
  const uint64_t desc = ev.type == kEvSTWBegin ? ev.args[0] : 0;
  auto it = gs_.find(cur.g);
  if (it == gs_.end()) return Err(ev, Cat(TypeName(ev.type), " on goroutine ", cur.g, ", which has no known state"));
  const RangeKey key{BeginType(ev.type), desc};
  if (it->second.ranges.Has(key)) return Err(ev, Cat(TypeName(ev.type), " while the same range is already active"));
  it->second.ranges.active.push_back(key);
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoRangeActive(Event& ev, Ctx& cur, uint64_t gen) {
  const int64_t gid = static_cast<int64_t>(ev.args[0]);
  auto it = gs_.find(gid);
  if (it == gs_.end()) return Err(ev, Cat(TypeName(ev.type), " for unknown goroutine ", gid));
  const RangeKey key{BeginType(ev.type), 0};
  if (gen == initial_gen_) {
    if (it->second.ranges.Has(key)) return Err(ev, Cat(TypeName(ev.type), " twice in the first generation"));
    it->second.ranges.active.push_back(key);
  } else if (!it->second.ranges.Has(key)) {
    return Err(ev, Cat(TypeName(ev.type), " for goroutine ", gid, ", which is not in that range"));
  }
  Push(ev, cur);
  return absl::OkStatus();
}

absl::Status Ordering::GoRangeEnd(Event& ev, Ctx& cur) {
  SC_CHECK_USER(ev, cur);
  auto it = gs_.find(cur.g);
  if (it == gs_.end()) return Err(ev, Cat(TypeName(ev.type), " on goroutine ", cur.g, ", which has no known state"));
  uint64_t desc;
  if (!EndRange(it->second.ranges, BeginType(ev.type), &desc))
    return Err(ev, Cat(TypeName(ev.type), " without the range in progress"));
  if (ev.type == kEvSTWEnd) ev.args[0] = desc;  // the kind of stop-the-world, for the report
  Push(ev, cur);
  return absl::OkStatus();
}

}  // namespace schedcast::gotrace::v2
