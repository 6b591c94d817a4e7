#include "sched/state.h"

namespace schedcast::sched {

namespace {
constexpr Reason kBlockReasons[] = {Reason::kSend, Reason::kRecv, Reason::kSelect, Reason::kSync,
                                    Reason::kCond, Reason::kSleep, Reason::kNet,    Reason::kOther};
}

std::string_view GStateName(GState s) {
  switch (s) {
    case GState::kRunnable: return "runnable";
    case GState::kRunning: return "running";
    case GState::kBlocked: return "blocked";
    case GState::kSyscall: return "syscall";
    case GState::kDone: return "done";
  }
  return "?";
}

Candidate CandidateOf(const Event& e) {
  switch (e.kind) {
    case Kind::kGoCreate: return {Kind::kGoCreate, Reason::kNone, e.g, 0};
    case Kind::kGoUnblock: return {Kind::kGoUnblock, Reason::kNone, 0, e.peer};
    case Kind::kGoBlock: return {Kind::kGoBlock, e.reason, e.g, 0};
    default: return {e.kind, Reason::kNone, e.g, 0};
  }
}

void State::AddInitial(uint64_t g, GState st, Reason reason) {
  GoroutineState& s = gs_[g];
  s.state = st;
  s.reason = st == GState::kBlocked ? reason : Reason::kNone;
}

const GoroutineState* State::Find(uint64_t g) const {
  auto it = gs_.find(g);
  return it == gs_.end() ? nullptr : &it->second;
}

int State::CountIn(GState s) const {
  int n = 0;
  for (const auto& [g, st] : gs_) n += st.state == s;
  return n;
}

void State::MarkPermanent(uint64_t g) {
  auto it = gs_.find(g);
  if (it != gs_.end() && it->second.state == GState::kBlocked) it->second.permanent = true;
}

std::string State::Describe() const {
  std::string out;
  for (const auto& [g, s] : gs_) {
    if (s.state == GState::kDone) continue;
    CatAppend(out, out.empty() ? "" : " ", "g", g, ":", GStateName(s.state));
    if (s.state == GState::kBlocked) CatAppend(out, "(", ReasonName(s.reason), s.permanent ? ",permanent" : "", ")");
  }
  return out.empty() ? "<no live goroutines>" : out;
}

bool State::Matches(const Event& e) const {
  auto need = [&](uint64_t g, GState st) {
    const GoroutineState* s = Find(g);
    return s != nullptr && s->state == st;
  };
  switch (e.kind) {
    case Kind::kGoCreate:
      // Goroutines created outside any goroutine (g == 0) come from the runtime itself.
      return (e.g == 0 || need(e.g, GState::kRunning)) && (Find(e.peer) == nullptr || need(e.peer, GState::kDone));
    case Kind::kGoStart: return need(e.g, GState::kRunnable);
    case Kind::kGoUnblock: {
      const GoroutineState* s = Find(e.peer);
      return s != nullptr && s->state == GState::kBlocked && !s->permanent;
    }
    case Kind::kGoSched:
    case Kind::kGoPreempt:
    case Kind::kGoBlock:
    case Kind::kGoEnd:
    case Kind::kSyscall:
    case Kind::kSyscallBlock: return need(e.g, GState::kRunning);
    case Kind::kSyscallExit: return need(e.g, GState::kSyscall);
  }
  return false;
}

std::vector<Candidate> State::LegalNext() const {
  std::vector<Candidate> out;
  out.push_back({Kind::kGoCreate, Reason::kNone, 0, 0});
  for (const auto& [g, s] : gs_) {
    switch (s.state) {
      case GState::kRunnable: out.push_back({Kind::kGoStart, Reason::kNone, g, 0}); break;
      case GState::kRunning:
        out.push_back({Kind::kGoCreate, Reason::kNone, g, 0});
        out.push_back({Kind::kGoSched, Reason::kNone, g, 0});
        out.push_back({Kind::kGoPreempt, Reason::kNone, g, 0});
        for (Reason r : kBlockReasons) out.push_back({Kind::kGoBlock, r, g, 0});
        out.push_back({Kind::kGoEnd, Reason::kNone, g, 0});
        out.push_back({Kind::kSyscall, Reason::kNone, g, 0});
        out.push_back({Kind::kSyscallBlock, Reason::kNone, g, 0});
        break;
      case GState::kBlocked:
        if (!s.permanent) out.push_back({Kind::kGoUnblock, Reason::kNone, 0, g});
        break;
      case GState::kSyscall: out.push_back({Kind::kSyscallExit, Reason::kNone, g, 0}); break;
      case GState::kDone: break;
    }
  }
  return out;
}

absl::Status State::Apply(const Event& e, uint64_t index) {
  if (!Matches(e)) {
    const GoroutineState* s = Find(e.kind == Kind::kGoUnblock || e.kind == Kind::kGoCreate ? e.peer : e.g);
    return absl::FailedPreconditionError(
        Cat("event ", index, " (", KindName(e.kind), " g=", e.g, " peer=", e.peer,
            ") is not legal: goroutine is ", s ? GStateName(s->state) : "unknown", "; state: ", Describe()));
  }
  switch (e.kind) {
    case Kind::kGoCreate:
      // A creation with a reason made the goroutine blocked from birth (Go 1.23 GoCreateBlocked).
      gs_[e.peer] = e.reason == Reason::kNone ? GoroutineState{GState::kRunnable}
                                              : GoroutineState{GState::kBlocked, e.reason};
      break;
    case Kind::kGoStart: gs_[e.g].state = GState::kRunning; break;
    case Kind::kGoSched:
    case Kind::kGoPreempt: gs_[e.g].state = GState::kRunnable; break;
    case Kind::kGoBlock: {
      GoroutineState& s = gs_[e.g];
      s.state = GState::kBlocked;
      s.reason = e.reason;
      s.block_site = e.site;
      break;
    }
    case Kind::kGoUnblock: {
      GoroutineState& s = gs_[e.peer];
      s.state = GState::kRunnable;
      s.reason = Reason::kNone;
      s.block_site = 0;
      break;
    }
    case Kind::kGoEnd: gs_[e.g].state = GState::kDone; break;
    case Kind::kSyscall: break;  // still running on its P
    case Kind::kSyscallBlock: gs_[e.g].state = GState::kSyscall; break;
    case Kind::kSyscallExit: gs_[e.g].state = e.kept_p ? GState::kRunning : GState::kRunnable; break;
  }
  return absl::OkStatus();
}

}  // namespace schedcast::sched
