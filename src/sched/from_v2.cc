// New-format (Go >= 1.22) goroutine state transitions → sched::Timeline. See timeline.h.
#include <map>
#include <utility>

#include "gotrace/v2/reader.h"
#include "sched/sites.h"
#include "sched/timeline_internal.h"

namespace schedcast::sched {

namespace v2 = gotrace::v2;

namespace {

Reason ReasonOf(std::string_view s) {
  if (s == "chan send") return Reason::kSend;
  if (s == "chan receive") return Reason::kRecv;
  if (s == "select") return Reason::kSelect;
  if (s == "sync") return Reason::kSync;
  if (s == "synctest") return Reason::kSync;  // Go 1.25+: testing/synctest (bubble waits)
  if (s == "sync.(*Cond).Wait") return Reason::kCond;
  if (s == "sleep") return Reason::kSleep;
  if (s == "network") return Reason::kNet;
  return Reason::kOther;
}

GState GStateOf(v2::GoState s) {
  switch (s) {
    case v2::GoState::kRunning: return GState::kRunning;
    case v2::GoState::kWaiting: return GState::kBlocked;
    case v2::GoState::kSyscall: return GState::kSyscall;
    default: return GState::kRunnable;
  }
}

}  // namespace

absl::StatusOr<Timeline> TimelineFromV2(std::string_view data) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<v2::Reader> reader, v2::Reader::FromBytes(data));
  Timeline t;
  t.go_version = reader->version();
  SiteTable sites(&t);
  std::map<std::pair<uint64_t, uint64_t>, UserSite> site_cache;  // (generation, stack) → site
  auto frames_of = [&](uint64_t stack) {
    std::vector<v2::ResolvedFrame> out;
    for (uint32_t idx : reader->table().stack(stack)) out.push_back(reader->table().resolve(idx));
    return out;
  };
  auto site = [&](uint64_t stack) -> UserSite {
    if (stack == 0) return {};
    const auto key = std::make_pair(reader->generation(), stack);
    auto it = site_cache.find(key);
    if (it != site_cache.end()) return it->second;
    const auto frames = frames_of(stack);
    if (t.goroot.empty())
      for (const auto& f : frames)
        if (t.goroot = GorootOf(f.file); !t.goroot.empty()) break;
    const UserSite s = sites.SiteOf(frames, t.goroot, [](const v2::ResolvedFrame& f) {
      return std::make_tuple(f.func, f.file, f.line);
    });
    site_cache.emplace(key, s);
    return s;
  };

  v2::Event ev;
  for (uint64_t index = 0;; ++index) {
    SC_ASSIGN_OR_RETURN(bool more, reader->Next(&ev));
    if (!more) break;
    if (ev.kind != v2::EventKind::kStateTransition) continue;
    const v2::StateTransition tr = ev.transition();
    if (tr.resource != v2::ResourceKind::kGoroutine) continue;
    const uint64_t g = static_cast<uint64_t>(tr.id);
    const uint64_t ctx = ev.g < 0 ? 0 : static_cast<uint64_t>(ev.g);
    const v2::GoState from = tr.go_from(), to = tr.go_to();
    Event out;
    out.ts = ev.time;
    out.source_index = index;
    out.g = g;

    if (from == to) continue;  // a status restatement (e.g. at a generation boundary): no change
    if (from == v2::GoState::kUndetermined) {
      // First sight of a goroutine in a generation. Unknown ones existed before tracing began.
      if (!t.goroutines.count(g)) {
        GoroutineInfo& info = t.goroutines[g];
        info.preexisting = true;
        info.initial = GStateOf(to);
        info.initial_reason = to == v2::GoState::kWaiting ? ReasonOf(reader->table().string(tr.reason)) : Reason::kNone;
        info.first_event = t.events.size();
        if (tr.has_stack && tr.stack != 0) {
          const auto frames = frames_of(tr.stack);
          if (!frames.empty()) info.start_func = std::string(frames.back().func);
        }
      }
      continue;
    }
    if (from == v2::GoState::kNotExist) {
      if (to == v2::GoState::kSyscall) continue;  // a C thread entering Go (cgo callback): not modelled
      GoroutineInfo info;
      info.parent = ctx;
      if (tr.has_stack && tr.stack != 0) {
        const auto frames = frames_of(tr.stack);
        if (!frames.empty()) info.start_func = std::string(frames[0].func);
      }
      const UserSite at = site(ev.stack());
      info.create_site = at.site;
      info.first_event = t.events.size();
      t.goroutines[g] = info;
      out.kind = Kind::kGoCreate;
      out.g = ctx;
      out.peer = g;
      SetSite(&out, at);
      if (to == v2::GoState::kWaiting) out.reason = Reason::kOther;  // created blocked (Go 1.23 coroutines)
    } else if (from == v2::GoState::kRunnable && to == v2::GoState::kRunning) {
      out.kind = Kind::kGoStart;
    } else if (from == v2::GoState::kRunning && to == v2::GoState::kRunnable) {
      out.kind = reader->table().string(tr.reason) == "preempted" ? Kind::kGoPreempt : Kind::kGoSched;
      SetSite(&out, site(ev.stack()));
    } else if (from == v2::GoState::kRunning && to == v2::GoState::kWaiting) {
      out.kind = Kind::kGoBlock;
      out.reason = ReasonOf(reader->table().string(tr.reason));
      SetSite(&out, site(ev.stack()));
    } else if (from == v2::GoState::kWaiting && to == v2::GoState::kRunnable) {
      out.kind = Kind::kGoUnblock;
      out.g = ctx;
      out.peer = g;
      SetSite(&out, site(ev.stack()));
    } else if (from == v2::GoState::kRunning && to == v2::GoState::kNotExist) {
      out.kind = Kind::kGoEnd;
    } else if (from == v2::GoState::kRunning && to == v2::GoState::kSyscall) {
      out.kind = Kind::kSyscallBlock;
      SetSite(&out, site(ev.stack()));
    } else if (from == v2::GoState::kSyscall && (to == v2::GoState::kRunning || to == v2::GoState::kRunnable)) {
      out.kind = Kind::kSyscallExit;
      out.kept_p = to == v2::GoState::kRunning;
    } else if (from == v2::GoState::kSyscall && to == v2::GoState::kNotExist) {
      continue;  // a C thread leaving Go: not modelled
    } else {
      return absl::DataLossError(Cat("offset ", ev.offset, ": goroutine ", g, " transition ",
                                     v2::GoStateName(from), "->", v2::GoStateName(to), " has no scheduling meaning"));
    }
    t.events.push_back(out);
  }
  return t;
}

}  // namespace schedcast::sched
