// Old-format (Go <= 1.21) events → sched::Timeline. See timeline.h for the mapping.
#include <unordered_map>

#include "gotrace/v1/parser.h"
#include "sched/sites.h"
#include "sched/timeline_internal.h"

namespace schedcast::sched {

namespace v1 = gotrace::v1;

namespace {

Reason BlockReason(uint8_t type) {
  switch (type) {
    case v1::kEvGoBlockSend: return Reason::kSend;
    case v1::kEvGoBlockRecv: return Reason::kRecv;
    case v1::kEvGoBlockSelect: return Reason::kSelect;
    case v1::kEvGoBlockSync: return Reason::kSync;
    case v1::kEvGoBlockCond: return Reason::kCond;
    case v1::kEvGoSleep: return Reason::kSleep;
    case v1::kEvGoBlockNet: return Reason::kNet;
    default: return Reason::kOther;  // GoBlock, GoStop, GoBlockGC
  }
}

}  // namespace

absl::StatusOr<Timeline> TimelineFromV1(std::string_view data) {
  SC_ASSIGN_OR_RETURN(v1::Trace trace, v1::Parse(data));
  Timeline t;
  t.go_version = trace.version();
  auto frame_fields = [](const v1::Frame& f) {
    return std::make_tuple(f.func, f.file, static_cast<uint64_t>(f.line));
  };
  for (uint64_t id : trace.StackIds()) {
    for (const v1::Frame& f : trace.Stack(id)) {
      t.goroot = GorootOf(f.file);
      if (!t.goroot.empty()) break;
    }
    if (!t.goroot.empty()) break;
  }
  SiteTable sites(&t);
  std::unordered_map<uint64_t, UserSite> site_of_stack;
  auto site = [&](uint64_t stack) -> UserSite {
    if (stack == 0) return {};
    auto it = site_of_stack.find(stack);
    if (it != site_of_stack.end()) return it->second;
    const UserSite s = sites.SiteOf(trace.Stack(stack), t.goroot, frame_fields);
    site_of_stack.emplace(stack, s);
    return s;
  };

  const auto& evs = trace.events();
  for (uint64_t i = 0; i < evs.size(); ++i) {
    const v1::Event& e = evs[i];
    Event out;
    out.ts = e.ts;
    out.source_index = i;
    out.g = e.g;
    switch (e.type) {
      case v1::kEvGoCreate: {
        GoroutineInfo info;
        info.parent = e.g;
        auto start = trace.Stack(e.args[1]);
        if (!start.empty()) info.start_func = std::string(start[0].func);
        const UserSite at = site(e.stack_id);
        info.create_site = at.site;
        info.first_event = t.events.size();
        if (e.g == 0) {
          // Goroutines alive when tracing started are announced by creations outside any goroutine.
          info.preexisting = true;
          info.initial = GState::kRunnable;
          t.goroutines[e.args[0]] = info;
          continue;
        }
        t.goroutines[e.args[0]] = info;
        out.kind = Kind::kGoCreate;
        out.peer = e.args[0];
        SetSite(&out, at);
        break;
      }
      case v1::kEvGoWaiting:
      case v1::kEvGoInSyscall: {
        GoroutineInfo& info = t.goroutines[e.args[0]];
        info.preexisting = true;
        info.initial = e.type == v1::kEvGoWaiting ? GState::kBlocked : GState::kSyscall;
        info.initial_reason = e.type == v1::kEvGoWaiting ? Reason::kOther : Reason::kNone;
        continue;
      }
      case v1::kEvGoStart:
      case v1::kEvGoStartLabel:
        out.kind = Kind::kGoStart;
        SetSite(&out, site(e.stack_id));
        break;
      case v1::kEvGoEnd: out.kind = Kind::kGoEnd; break;
      case v1::kEvGoSched: out.kind = Kind::kGoSched; SetSite(&out, site(e.stack_id)); break;
      case v1::kEvGoPreempt: out.kind = Kind::kGoPreempt; SetSite(&out, site(e.stack_id)); break;
      case v1::kEvGoStop:
      case v1::kEvGoSleep:
      case v1::kEvGoBlock:
      case v1::kEvGoBlockSend:
      case v1::kEvGoBlockRecv:
      case v1::kEvGoBlockSelect:
      case v1::kEvGoBlockSync:
      case v1::kEvGoBlockCond:
      case v1::kEvGoBlockNet:
      case v1::kEvGoBlockGC:
        out.kind = Kind::kGoBlock;
        out.reason = BlockReason(e.type);
        SetSite(&out, site(e.stack_id));
        break;
      case v1::kEvGoUnblock:
        out.kind = Kind::kGoUnblock;
        out.peer = e.args[0];
        SetSite(&out, site(e.stack_id));
        break;
      case v1::kEvGoSysCall: out.kind = Kind::kSyscall; SetSite(&out, site(e.stack_id)); break;
      case v1::kEvGoSysBlock: out.kind = Kind::kSyscallBlock; break;
      case v1::kEvGoSysExit: out.kind = Kind::kSyscallExit; break;
      default: continue;  // not a scheduling event
    }
    t.events.push_back(out);
  }
  return t;
}

}  // namespace schedcast::sched
