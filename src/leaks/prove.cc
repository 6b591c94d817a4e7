#include "leaks/prove.h"

#include <algorithm>

#include "sched/state.h"
#include "sched/stdlib.h"

namespace schedcast::leaks {

namespace {

using sched::GState;
using sched::Kind;
using sched::Reason;

WaitClass ClassOfTraceReason(Reason r) {
  switch (r) {
    case Reason::kSend:
    case Reason::kRecv:
    case Reason::kSelect: return WaitClass::kChan;
    case Reason::kSync:
    case Reason::kCond: return WaitClass::kSync;
    default: return WaitClass::kLive;
  }
}

bool IsShim(const std::string& func) { return func.find(".schedcast") != std::string::npos; }

}  // namespace

std::vector<const AliveGoroutine*> RunAnalysis::Blocked() const {
  std::vector<const AliveGoroutine*> out;
  for (const auto& a : alive)
    if (a.state == "blocked") out.push_back(&a);
  return out;
}

absl::StatusOr<RunAnalysis> AnalyzeRun(const sched::Timeline& t, const sched::Canonicalization& canon,
                                       const EndState* es, ProgramSources* sources) {
  RunAnalysis out;
  if (es != nullptr) out.end = es->when;
  bool st_done = false;  // set once the replay reached the end (the dump describes only the end)
  auto is_user = [&](uint64_t g) {
    if (g == 0) return false;
    auto it = t.goroutines.find(g);
    // The runtime's own goroutines (GC mark workers, sweepers, ...) are created by whichever
    // goroutine needed them, often inside the root's subtree: they are never user goroutines.
    // A complete end-state dump (runtime.Stack(all)) omits exactly those system goroutines.
    if (it != t.goroutines.end() && sched::PackageOfFunc(it->second.start_func) == "runtime" &&
        it->second.start_func != "runtime.main")
      return false;
    if (es != nullptr && st_done && es->Find(g) == nullptr) return false;
    if (canon.Of(g).user) return true;
    if (it == t.goroutines.end() || it->second.start_func.empty()) return false;
    const std::string& f = it->second.start_func;
    return !IsShim(f) && !sched::IsStdFrame(f, "", "");
  };
  const bool root_returned = out.end == "exit";

  sched::State st;
  for (const auto& [g, info] : t.goroutines)
    if (info.preexisting) st.AddInitial(g, info.initial, info.initial_reason);
  std::map<uint64_t, uint64_t> last_block;
  uint64_t last_user_event = 0;
  for (uint64_t i = 0; i < t.events.size(); ++i) {
    const sched::Event& e = t.events[i];
    SC_RETURN_IF_ERROR(st.Apply(e, i));
    if (e.kind == Kind::kGoBlock) last_block[e.g] = i;
    // The root counts here even after it returned: until its last event it is running and could,
    // as far as the prefix shows, still operate on a channel, so R2's premise holds only after it.
    for (uint64_t g : {e.g, e.peer})
      if (is_user(g)) last_user_event = i;
  }

  st_done = true;
  // Every user goroutine alive at the end, classified.
  for (const auto& [g, s] : st.goroutines()) {
    if (s.state == GState::kDone || !is_user(g)) continue;
    if (root_returned && g == canon.root) continue;
    AliveGoroutine a;
    a.g = g;
    a.canonical = canon.Of(g).path;
    a.state = std::string(sched::GStateName(s.state));
    const DumpGoroutine* d = es != nullptr ? es->Find(g) : nullptr;
    if (s.state == GState::kBlocked) {
      a.wait = d != nullptr ? d->wait : std::string(sched::ReasonName(s.reason));
      a.cls = d != nullptr ? WaitClassOf(d->wait) : ClassOfTraceReason(s.reason);
      a.state = "blocked";
    } else {
      a.wait = d != nullptr ? d->wait : "";
      a.cls = WaitClass::kLive;
    }
    // Where it waits: the dump's innermost user frame, else the trace's block site.
    if (d != nullptr) {
      for (const Frame& f : d->frames) {
        if (sched::IsStdFrame(f.func, f.file, t.goroot) || IsShim(f.func)) {
          if (!a.site.empty()) break;  // above the user code: the testing package, the runtime
          continue;
        }
        if (!a.site.empty()) {  // the user frames that called it
          if (a.callers.size() < 8) a.callers.push_back(Cat(BaseName(f.file), ":", f.line));
          continue;
        }
        a.site = Cat(BaseName(f.file), ":", f.line);
        a.func = f.func;
        if (a.cls == WaitClass::kChan) {
          // Timer cases cannot be seen in the dump: look at the statement.
          std::optional<std::string> stmt = sources != nullptr ? sources->Statement(f.file, f.line) : std::nullopt;
          if (!stmt) {
            a.cls = WaitClass::kLive;
            a.why = "blocking statement not readable: cannot exclude timer cases";
          } else if (MayInvolveTimer(*stmt, sources->TimerNames())) {
            a.cls = WaitClass::kLive;
            a.why = "the blocking statement involves a timer or context channel";
          }
        }
      }
      if (a.func.empty() && a.cls == WaitClass::kChan) {
        a.cls = WaitClass::kLive;
        a.why = "no user frame in its stack: cannot read the blocking statement";
      }
    }
    if (a.site.empty() && s.block_site != 0 && s.block_site < t.sites.size()) {
      const sched::Site& site = t.sites[s.block_site];
      a.site = Cat(BaseName(site.file), ":", site.line);
      a.func = site.func;
    }
    if (d == nullptr && a.cls == WaitClass::kChan) {
      // Without the dump the statement is found from the trace's block site.
      std::optional<std::string> stmt;
      if (sources != nullptr && s.block_site != 0 && s.block_site < t.sites.size())
        stmt = sources->Statement(t.sites[s.block_site].file, t.sites[s.block_site].line);
      if (!stmt || MayInvolveTimer(*stmt, sources->TimerNames())) {
        a.cls = WaitClass::kLive;
        a.why = !stmt ? "blocking statement not readable: cannot exclude timer cases"
                      : "the blocking statement involves a timer or context channel";
      }
    }
    if (a.cls == WaitClass::kForever) {
      a.proved = true;
      a.rule = "R1";
      a.why = Cat("[", a.wait, "]: no channel or case exists through which anything could wake it");
      auto lb = last_block.find(g);
      a.proved_from = lb != last_block.end() ? lb->second : 0;
    }
    out.alive.push_back(std::move(a));
  }

  // R2: nothing outside the blocked set can ever run.
  std::string live;
  // A goroutine the dump lists with user frames but the trace never showed cannot be classified:
  // it counts as live (it blocks R2 proofs; it is not itself reported).
  if (es != nullptr)
    for (const DumpGoroutine& d : es->goroutines) {
      if (st.Find(d.id) != nullptr) continue;
      for (const Frame& f : d.frames)
        if (!sched::IsStdFrame(f.func, f.file, t.goroot) && !IsShim(f.func)) {
          CatAppend(live, live.empty() ? "" : ", ", "g", d.id, " (only in the dump: ", d.wait, ")");
          break;
        }
    }
  for (const auto& a : out.alive)
    if (a.cls == WaitClass::kLive) CatAppend(live, live.empty() ? "" : ", ", a.canonical, " (", a.wait.empty() ? a.state : a.wait, ")");
  if (sources != nullptr) out.hazards = sources->Hazards();
  else out.hazards.push_back("program sources not given");
  std::string hazards;
  for (const auto& h : out.hazards) CatAppend(hazards, hazards.empty() ? "" : "; ", h);
  int chan_or_sync = 0;
  for (const auto& a : out.alive) chan_or_sync += a.cls == WaitClass::kChan || a.cls == WaitClass::kSync;
  for (auto& a : out.alive) {
    if (a.proved || a.state != "blocked") continue;
    if (a.cls == WaitClass::kLive) {
      if (a.why.empty()) a.why = Cat("waits on '", a.wait, "', which a timer, the netpoller or a syscall may end");
      continue;
    }
    if (!live.empty()) {
      a.why = Cat("user goroutines still live: ", live);
    } else if (!hazards.empty()) {
      a.why = Cat("program-wide wake-up sources: ", hazards);
    } else {
      a.proved = true;
      a.proved_from = std::max(last_user_event, last_block.count(a.g) ? last_block[a.g] : 0);
      if (a.cls == WaitClass::kChan && chan_or_sync == 1) {
        a.rule = "R2a";
        a.why = "blocked on a channel without timer cases; every other user goroutine has ended or is blocked forever (R1)";
      } else {
        a.rule = "R2b";
        a.why = Cat("closed set of ", chan_or_sync, " user goroutines blocked on channels/sync primitives; nothing else alive");
      }
    }
  }
  return out;
}

std::map<uint64_t, uint64_t> PermanentOf(const RunAnalysis& a) {
  std::map<uint64_t, uint64_t> out;
  for (const auto& g : a.alive)
    if (g.proved) out[g.g] = g.proved_from;
  return out;
}

}  // namespace schedcast::leaks
