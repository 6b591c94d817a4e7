#include "export/perfetto.h"

#include <map>
#include <set>

#include "common/strings.h"

namespace schedcast::exporter {
namespace {

using sched::Event;
using sched::Kind;
using nlohmann::json;

// The slice a goroutine is in right now.
struct Open {
  std::string name;
  int64_t start = 0;
  uint64_t event = 0;  // index of the event that opened it
};

class Builder {
 public:
  Builder(const sched::Timeline& t, const sched::Canonicalization& canon, const PerfettoOptions& opt)
      : t_(t), canon_(canon), opt_(opt) {
    t0_ = t.events.empty() ? 0 : t.events.front().ts;
  }

  json Build() {
    for (uint64_t i = 0; i < t_.events.size(); ++i) Apply(t_.events[i], i);
    const int64_t end = t_.events.empty() ? t0_ : t_.events.back().ts;
    while (!open_.empty()) Close(open_.begin()->first, end, /*at_end=*/true);
    json meta = json::array();
    meta.push_back({{"ph", "M"}, {"pid", 1}, {"tid", 0}, {"name", "process_name"}, {"args", {{"name", opt_.title}}}});
    int sort = 0;
    for (const auto& [g, ca] : canon_.ids) {
      if (!seen_.contains(g)) continue;
      const auto it = t_.goroutines.find(g);
      std::string name = ca.path;
      if (it != t_.goroutines.end() && !it->second.start_func.empty()) CatAppend(name, " ", it->second.start_func);
      meta.push_back({{"ph", "M"}, {"pid", 1}, {"tid", g}, {"name", "thread_name"}, {"args", {{"name", name}}}});
      // User goroutines first, in creation-tree order; runtime ones after.
      meta.push_back({{"ph", "M"}, {"pid", 1}, {"tid", g}, {"name", "thread_sort_index"},
                      {"args", {{"sort_index", (ca.user ? 0 : 100000) + sort++}}}});
    }
    for (auto& e : events_) meta.push_back(std::move(e));
    json other = {{"go_version", Cat("go1.", t_.go_version % 1000)},
                  {"events", t_.events.size()},
                  {"exporter", "schedcast export perfetto"}};
    return {{"traceEvents", std::move(meta)}, {"displayTimeUnit", "ns"}, {"otherData", std::move(other)}};
  }

 private:
  bool Wanted(uint64_t g) const {
    if (g == 0) return false;
    return opt_.include_runtime || canon_.Of(g).user;
  }
  double Us(int64_t ts) const { return static_cast<double>(ts - t0_) / 1000.0; }

  void Close(uint64_t g, int64_t ts, bool at_end = false) {
    auto it = open_.find(g);
    if (it == open_.end()) return;
    const Open& o = it->second;
    json args = {{"event", o.event}};
    if (at_end) args["open_at_end"] = true;
    events_.push_back({{"ph", "X"}, {"pid", 1}, {"tid", g}, {"name", o.name}, {"cat", "goroutine"},
                       {"ts", Us(o.start)}, {"dur", Us(ts) - Us(o.start)}, {"args", std::move(args)}});
    open_.erase(it);
  }
  void Enter(uint64_t g, std::string name, int64_t ts, uint64_t index) {
    if (!Wanted(g)) return;
    Close(g, ts);
    seen_.insert(g);
    open_[g] = Open{std::move(name), ts, index};
  }
  void Flow(const char* cat, uint64_t from, uint64_t to, int64_t ts) {
    if (!Wanted(from) || !Wanted(to)) return;
    // The start binds to the enclosing slice of `from` (it is running); the end to the slice that
    // begins at ts on `to` (bp "e": enclosing slice).
    const uint64_t id = ++flow_id_;
    const std::string name = Cat(cat, " ", canon_.Of(to).path);
    events_.push_back({{"ph", "s"}, {"pid", 1}, {"tid", from}, {"name", name}, {"cat", cat}, {"id", id}, {"ts", Us(ts)}});
    events_.push_back({{"ph", "f"}, {"bp", "e"}, {"pid", 1}, {"tid", to}, {"name", name}, {"cat", cat},
                       {"id", id}, {"ts", Us(ts)}});
  }

  void Apply(const Event& e, uint64_t i) {
    switch (e.kind) {
      case Kind::kGoCreate:
        if (!open_.contains(e.g) && Wanted(e.g)) Enter(e.g, "running", e.ts, i);  // a preexisting creator
        Enter(e.peer, e.reason == sched::Reason::kNone ? "runnable" : Cat("blocked (", sched::ReasonName(e.reason), ")"),
              e.ts, i);
        Flow("create", e.g, e.peer, e.ts);
        break;
      case Kind::kGoStart: Enter(e.g, "running", e.ts, i); break;
      case Kind::kGoSched:
      case Kind::kGoPreempt: Enter(e.g, "runnable", e.ts, i); break;
      case Kind::kGoBlock: Enter(e.g, Cat("blocked (", sched::ReasonName(e.reason), ")"), e.ts, i); break;
      case Kind::kGoUnblock:
        if (e.g != 0 && !open_.contains(e.g) && Wanted(e.g)) Enter(e.g, "running", e.ts, i);
        Enter(e.peer, "runnable", e.ts, i);
        if (e.g != 0 && e.g != e.peer) Flow("unblock", e.g, e.peer, e.ts);
        break;
      case Kind::kGoEnd:
        if (Wanted(e.g)) seen_.insert(e.g);
        Close(e.g, e.ts);
        break;
      case Kind::kSyscall:
        if (!Wanted(e.g)) break;
        if (!open_.contains(e.g)) Enter(e.g, "running", e.ts, i);
        events_.push_back({{"ph", "i"}, {"s", "t"}, {"pid", 1}, {"tid", e.g}, {"name", "syscall"},
                           {"cat", "syscall"}, {"ts", Us(e.ts)}});
        break;
      case Kind::kSyscallBlock: Enter(e.g, "syscall", e.ts, i); break;
      case Kind::kSyscallExit: Enter(e.g, e.kept_p ? "running" : "runnable", e.ts, i); break;
    }
  }

  const sched::Timeline& t_;
  const sched::Canonicalization& canon_;
  const PerfettoOptions& opt_;
  int64_t t0_ = 0;
  uint64_t flow_id_ = 0;
  std::map<uint64_t, Open> open_;
  std::set<uint64_t> seen_;
  json events_ = json::array();
};

}  // namespace

json ToChromeTrace(const sched::Timeline& t, const sched::Canonicalization& canon, const PerfettoOptions& opt) {
  return Builder(t, canon, opt).Build();
}

}  // namespace schedcast::exporter
