// data/program_facts.cc — per-candidate program facts from a run's timeline and the source index.
#include "data/program_facts.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/strings.h"

namespace schedcast::data {

using sched::Kind;
using sched::Reason;
using srcindex::Op;

const std::vector<std::string>& FactGroups() {
  static const std::vector<std::string> g = {"next", "partner", "loop", "create", "buffer", "wake", "walk"};
  return g;
}

std::string FactGroupsJoined(std::string_view sep) {
  std::string out;
  for (const auto& g : FactGroups()) CatAppend(out, out.empty() ? "" : sep, g);
  return out;
}

std::string_view FactGroup(std::string_view fact) {
  const std::string_view k = fact.substr(0, fact.find(':'));
  if (k == "next" || k == "at" || k == "cap" || k == "then") return "next";
  if (k == "timer" || k == "due" || k == "queue" || k == "reach") return "wake";
  if (k == "partner" || k == "partner_type" || k == "contend") return "partner";
  if (k == "loop") return "loop";
  if (k == "child") return "create";
  if (k == "buf" || k == "closed") return "buffer";
  if (k == "walk") return "walk";
  return k;
}

struct FactAct {
  std::string_view kind, obj, type;
  const std::vector<std::string>* aliases;  // obj's other names (a parameter passed several objects)
};

namespace {

using Act = FactAct;

bool Matches(Reason r, std::string_view kind) {
  switch (r) {
    case Reason::kSend: return kind == "send";
    case Reason::kRecv: return kind == "recv";
    case Reason::kSelect: return kind == "select";
    case Reason::kSync: return kind == "lock" || kind == "rlock" || kind == "wg_wait" || kind == "once";
    case Reason::kCond: return kind == "cond_wait";
    case Reason::kSleep: return kind == "sleep" || kind == "timer";
    default: return false;
  }
}

bool Complement(std::string_view a, std::string_view b) {
  static const std::set<std::pair<std::string_view, std::string_view>> pairs = {
      {"send", "recv"},      {"close", "recv"},      {"unlock", "lock"},    {"unlock", "rlock"},
      {"runlock", "lock"},   {"wg_done", "wg_wait"}, {"signal", "cond_wait"}, {"broadcast", "cond_wait"}};
  return pairs.count({a, b}) || pairs.count({b, a});
}

void Acts(const Op* o, std::vector<Act>* out) {
  if (o->kind == "select") {
    for (const auto& c : o->cases)
      if (c.kind != "default") out->push_back({c.kind, c.obj, c.type, &c.aliases});
  } else if (!o->obj.empty()) {
    out->push_back({o->kind, o->obj, o->type, &o->aliases});
  }
}

bool Holds(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether two acts may be on one object: the same name, or one's name among the other's aliases,
// or a name both alias (two parameters passed the same object).
bool SameObject(const Act& a, const Act& b) {
  if (a.obj == b.obj || Holds(*a.aliases, b.obj) || Holds(*b.aliases, a.obj)) return true;
  for (const std::string& x : *a.aliases)
    if (Holds(*b.aliases, x)) return true;
  return false;
}

// A receive from it waits for the clock: time.After/Tick (the index types the case "timer"), or a
// channel of time.Time (Timer.C, Ticker.C).
bool TimerChannel(const Act& a) { return a.type == "timer" || a.type.ends_with("chan time.Time"); }

// Ops the tracer always records when they run: a sleep and a Cond wait always park (GoBlock), a
// yield is a GoSched, a go statement a GoCreate. A goroutine cannot be past one unrecorded.
bool AlwaysRecorded(std::string_view kind) {
  return kind == "sleep" || kind == "cond_wait" || kind == "yield" || kind == "go";
}

// Ops that never park the goroutine (and leave no event of their own).
bool NeverParks(std::string_view kind) {
  return kind == "unlock" || kind == "runlock" || kind == "wg_add" || kind == "wg_done" || kind == "close" ||
         kind == "signal" || kind == "broadcast" || kind == "timer";
}

bool IsChan(const Op* o) { return o->kind == "send" || o->kind == "recv" || o->kind == "close"; }

void AddUnique(std::vector<std::string>* v, std::string s) {
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(std::move(s));
}

// The channel ops (kind send/recv, object, capacity) of one op: itself, or a select's cases.
// `several`: the name is a parameter passed several channels (it has aliases).
struct ChanAct {
  std::string_view kind, obj;
  int cap;
  bool several;
};

void ChanActs(const Op* o, std::vector<ChanAct>* out) {
  if (o->kind == "select") {
    for (const auto& c : o->cases)
      if (c.kind == "send" || c.kind == "recv") out->push_back({c.kind, c.obj, c.cap, !c.aliases.empty()});
  } else if (o->kind == "send" || o->kind == "recv") {
    out->push_back({o->kind, o->obj, o->cap, !o->aliases.empty()});
  }
}

}  // namespace

bool FactTracker::OneChannel(std::string_view obj, std::string_view file) const {
  // A static capacity is only known for identifiers (srcindex: `x := make(chan T, N)`), so the
  // name is a package-level variable ("pkg.v": one channel) or a local ("v@LINE").
  const size_t at = obj.find('@');
  if (at == std::string_view::npos) return obj.find_first_of("[(") == std::string_view::npos;
  int line = 0;
  for (char ch : obj.substr(at + 1)) {
    if (ch < '0' || ch > '9') return false;
    line = line * 10 + (ch - '0');
  }
  const srcindex::Func* f = idx_->FuncAt(file, line);
  return f != nullptr && f->name == test_name_;
}

void FactTracker::Occupancy() {
  occupancy_.clear();
  for (const auto& [raw, ops] : pending_) {
    auto g = gs_.find(raw);
    if (g == gs_.end() || !g->second.blocked) continue;
    std::vector<ChanAct> acts;
    for (const Op* o : ops)
      if (Matches(g->second.reason, o->kind)) ChanActs(o, &acts);
    for (const ChanAct& a : acts)
      // A blocked sender: full; receiver: empty. A parameter passed several channels says nothing
      // about any one of them.
      if (a.cap > 0 && !a.several) occupancy_[a.obj] |= a.kind == "send" ? 1 : 2;
  }
}

FactTracker::FactTracker(const srcindex::Index* index, const sched::Timeline& t, const sched::Canonicalization& canon,
                         std::string_view test_name)
    : idx_(index), t_(t), canon_(canon), test_name_(test_name) {
  for (const auto& [raw, id] : canon.ids)
    if (id.user) by_path_[id.path] = raw;
  if (idx_)
    for (const Op& o : idx_->ops()) {
      if (o.kind == "close") closes_.push_back(o.id);
      if (o.kind == "call" && o.starts >= 0) callers_[o.starts].push_back(o.id);
    }
  for (const auto& [raw, info] : t.goroutines) {
    if (!info.preexisting) continue;
    G& g = gs_[raw];
    g.started = true;
    g.blocked = info.initial == sched::GState::kBlocked;
    g.reason = info.initial_reason;
  }
}

void FactTracker::AdvanceTo(uint64_t event_index) {
  if (!idx_) return;
  for (; applied_ < event_index && applied_ < t_.events.size(); ++applied_) {
    const sched::Event& e = t_.events[applied_];
    dirty_ = true;
    now_ = e.ts;
    switch (e.kind) {
      case Kind::kGoCreate: {
        G& g = gs_[e.g];
        if (e.site) g.site = e.site, g.last = e.kind;
        G& c = gs_[e.peer];
        c = G{};
        if (e.reason != Reason::kNone) c.blocked = true, c.reason = e.reason;
        break;
      }
      case Kind::kGoStart: {
        G& g = gs_[e.g];
        g.started = true;
        g.blocked = false;
        g.running = true;
        break;
      }
      case Kind::kGoBlock: {
        G& g = gs_[e.g];
        g.started = true;
        g.blocked = true;
        g.reason = e.reason;
        g.site = e.site;
        g.last = e.kind;
        g.block_ts = e.ts;
        g.block_seq = applied_;
        g.running = false;
        break;
      }
      case Kind::kGoUnblock: gs_[e.peer].blocked = false; break;
      case Kind::kGoEnd: gs_[e.g].done = true, gs_[e.g].running = false; break;
      default: {
        G& g = gs_[e.g];
        g.started = true;
        if (e.kind == Kind::kGoSched || e.kind == Kind::kGoPreempt || e.kind == Kind::kSyscallBlock) g.running = false;
        if (e.kind == Kind::kSyscallExit) g.running = true;
        if (e.site) g.site = e.site, g.last = e.kind;
      }
    }
  }
}

void FactTracker::Deadlines() {
  deadline_.clear();
  first_deadline_ = 0;
  for (const auto& [raw, ops] : pending_) {
    auto g = gs_.find(raw);
    if (g == gs_.end() || !g->second.blocked || g->second.done) continue;
    int64_t dur = 0;  // the shortest constant duration the goroutine waits for
    auto take = [&](int64_t d) {
      if (d > 0 && (dur == 0 || d < dur)) dur = d;
    };
    for (const Op* o : ops) {
      take(o->dur);
      for (const auto& c : o->cases) take(c.dur);
    }
    if (dur == 0) continue;
    const int64_t at = g->second.block_ts + dur;
    deadline_[raw] = at;
    if (first_deadline_ == 0 || at < first_deadline_) first_deadline_ = at;
  }
}

const std::vector<int>& FactTracker::Closure(int op) {
  auto it = closure_.find(op);
  if (it != closure_.end()) return it->second;
  std::vector<int>& out = closure_[op];
  std::vector<char> seen(idx_->ops().size(), 0);
  std::vector<int> stack = {op};
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    if (seen[id]) continue;
    seen[id] = 1;
    out.push_back(id);
    const Op& o = idx_->op(id);
    for (int n : o.next) stack.push_back(n);
    if ((o.kind == "go" || o.kind == "call") && o.starts >= 0)
      for (int f : idx_->funcs()[o.starts].first) stack.push_back(f);
    // Back from a called function: wherever it is called from (not one call's context).
    if (o.kind == "return")
      if (auto c = callers_.find(o.func); c != callers_.end())
        for (int call : c->second) stack.insert(stack.end(), idx_->op(call).next.begin(), idx_->op(call).next.end());
  }
  return out;
}

void FactTracker::ThenFacts(const std::vector<const Op*>& mine, std::vector<std::string>* f) const {
  // Through ops that never park (an unlock, a Done, a close, …: no event either), up to 4 deep.
  std::vector<std::pair<int, int>> todo;  // (op id, depth)
  for (const Op* o : mine)
    if (!AlwaysRecorded(o->kind))
      for (int id : o->next) todo.push_back({id, 1});
  std::set<int> seen;
  while (!todo.empty()) {
    const auto [id, depth] = todo.back();
    todo.pop_back();
    if (!seen.insert(id).second) continue;
    const Op& n = idx_->op(id);
    if (n.kind == "call") {  // into the called function: its ops follow
      if (n.starts >= 0 && depth < 4)
        for (int m : idx_->funcs()[n.starts].first) todo.push_back({m, depth});
      continue;
    }
    AddUnique(f, Cat("then:", n.kind));
    if (depth < 4 && NeverParks(n.kind))
      for (int m : n.next) todo.push_back({m, depth + 1});
  }
}

int FactTracker::Reach(uint64_t self, const Act& a) {
  int reach = 0;
  std::vector<Act> theirs_acts;
  for (const auto& [raw, theirs] : pending_) {
    if (raw == self) continue;
    auto h = gs_.find(raw);
    if (h != gs_.end() && h->second.done) continue;
    for (const Op* o : theirs)
      for (int id : Closure(o->id)) {
        theirs_acts.clear();
        Acts(&idx_->op(id), &theirs_acts);
        for (const Act& b : theirs_acts)
          if (Complement(a.kind, b.kind)) {
            if (SameObject(a, b)) return 2;
            if (!a.type.empty() && a.type == b.type) reach = 1;
          }
      }
  }
  return reach;
}

// Ops that wait for another goroutine (the acts `reach:` and the walk ask about).
bool Waits(std::string_view kind) {
  return kind == "recv" || kind == "send" || kind == "lock" || kind == "rlock" || kind == "wg_wait" ||
         kind == "cond_wait";
}

std::string_view FactTracker::ReachFact(uint64_t self, const std::vector<const Op*>& mine) {
  std::vector<Act> acts;
  for (const Op* o : mine) Acts(o, &acts);
  int reach = -1;  // -1: no waiting op; 0: none; 1: same type only; 2: same object
  bool unknown = false;
  for (const Act& a : acts) {
    if (!Waits(a.kind)) continue;
    // The runtime sends on timer channels; a channel a call returns (ctx.Done()) is closed by code
    // the index does not see (a cancel func): no claim either way, also for a select with such a
    // case; nor for a receive from a channel already closed (it does not wait).
    if (TimerChannel(a) || a.obj.ends_with(")") || (a.kind == "recv" && closed_.count(a.obj))) {
      unknown = true;
      continue;
    }
    reach = std::max(reach, 0);
    if (reach < 2) reach = std::max(reach, Reach(self, a));
  }
  if (reach < 0 || (unknown && reach < 2)) return "";
  return reach == 2 ? "reach:1" : reach == 1 ? "reach:type" : "reach:0";
}

void FactTracker::Parked(uint64_t self, const Act& a, std::vector<uint64_t>* out) const {
  for (const auto& [raw, theirs] : pending_) {
    if (raw == self) continue;
    auto h = gs_.find(raw);
    if (h == gs_.end() || !h->second.blocked || h->second.done) continue;
    std::vector<Act> acts;
    for (const Op* o : theirs)
      if (Matches(h->second.reason, o->kind)) Acts(o, &acts);
    for (const Act& b : acts)
      // b parks, a is its complement: a send or close readies a parked receiver, an unlock a
      // parked locker, a Done a waiter, a Signal a Cond waiter, a receive a parked sender.
      if (Waits(b.kind) && Complement(a.kind, b.kind) && SameObject(a, b)) {
        if (std::find(out->begin(), out->end(), raw) == out->end()) out->push_back(raw);
        break;
      }
  }
}

int FactTracker::TopFunc(uint64_t raw) const {
  if (raw == canon_.root) {
    const srcindex::Func* f = idx_->FuncNamed(test_name_);
    return f ? f->id : -1;
  }
  auto gi = t_.goroutines.find(raw);
  if (gi == t_.goroutines.end() || gi->second.create_site == 0 || gi->second.create_site >= t_.sites.size()) return -1;
  const sched::Site& s = t_.sites[gi->second.create_site];
  for (const Op* o : idx_->At(s.file, static_cast<int>(s.line)))
    if (o->kind == "go" && o->starts >= 0) return o->starts;
  return -1;
}

namespace {

// How far a walk goes: ops passed on one path, calls and returns included. Deeper walks (16, calls
// not counted) claimed walk:0 for 386 GoBlock labels of the real-world suites, which block inside
// other packages' code the index does not see (8: 9 such labels).
constexpr int kWalkOps = 8;

// The block reason a parking op shows in its GoBlock token.
std::string_view BlockToken(std::string_view kind) {
  if (kind == "send") return "GoBlock(send)";
  if (kind == "recv") return "GoBlock(recv)";
  if (kind == "select") return "GoBlock(select)";
  if (kind == "cond_wait") return "GoBlock(cond)";
  if (kind == "sleep") return "GoBlock(sleep)";
  return "GoBlock(sync)";  // lock, rlock, wg_wait, once
}

}  // namespace

const FactTracker::Walk& FactTracker::WalkOf(uint64_t raw) {
  auto it = walks_.find(raw);
  if (it != walks_.end()) return it->second;
  Walk& w = walks_[raw];
  const int top = TopFunc(raw);
  auto event = [&](std::string_view e) { AddUnique(&w.events, std::string(e)); };
  struct Step {
    int id, depth;
    // A buffered channel this path has sent on (a send completed — no receiver known to have
    // taken the value since): a receive from it then finds a value (a semaphore's release).
    std::string_view sent;
    std::vector<int> calls;  // the call ops it is inside, innermost last
  };
  std::vector<Step> todo;
  bool completed = false;
  std::string_view sent0;
  for (const Op* a : Here(raw, &completed))
    if (completed && a->kind == "send" && a->cap > 0 && a->aliases.empty()) sent0 = a->obj;
  for (const Op* o : Pending(raw)) todo.push_back({o->id, 1, sent0, {}});
  std::set<std::tuple<int, std::string_view, int>> seen;  // (op, sent, the call it returns to)
  std::vector<Act> acts;
  std::vector<uint64_t> woken;
  while (!todo.empty()) {
    auto [id, depth, sent, calls] = todo.back();
    todo.pop_back();
    // A loop around without an event: another path has it.
    if (!seen.insert({id, sent, calls.empty() ? -1 : calls.back()}).second) continue;
    const Op& o = idx_->op(id);
    if (o.kind == "call") {  // into the called function, to come back after the call
      if (o.starts < 0 || depth >= kWalkOps) {
        w.unknown = true;
        continue;
      }
      calls.push_back(o.id);
      for (int f : idx_->funcs()[o.starts].first) todo.push_back({f, depth + 1, sent, calls});
      continue;
    }
    if (o.kind == "return" && (o.func != top || raw == canon_.root || !calls.empty())) {
      // The end of a called function: back after the call that entered it, or after the one place
      // that calls it. The test function's end: the testing package's code runs on — it reports
      // (a write: a system call) and ends, or it may end first.
      int back = -1;
      if (!calls.empty()) back = calls.back(), calls.pop_back();
      else if (auto c = callers_.find(o.func); c != callers_.end() && c->second.size() == 1 && o.func != top)
        back = c->second[0];
      if (back < 0 && o.func == top) {
        for (std::string_view e : {"Syscall", "SyscallBlock", "GoEnd"}) event(e);
        continue;
      }
      if (back < 0 || depth >= kWalkOps) {
        w.unknown = true;
        continue;
      }
      for (int n : idx_->op(back).next) todo.push_back({n, depth + 1, sent, calls});
      continue;
    }
    bool go_on = false;  // the op may complete without an event: follow its successors
    acts.clear();
    woken.clear();
    // A select with one case and no default is that case's plain op.
    std::string_view kind = o.kind;
    bool has_default = false;
    for (const auto& c : o.cases) has_default |= c.kind == "default";
    Acts(&o, &acts);
    if (kind == "select" && !has_default && acts.size() == 1) kind = acts[0].kind;
    for (const Act& a : acts) Parked(raw, a, &woken);
    if (AlwaysRecorded(kind)) {
      event(kind == "yield" ? "GoSched" : kind == "go" ? "GoCreate" : BlockToken(kind));
    } else if (kind == "return") {
      event("GoEnd");  // the end of the function it was started in (other returns: above)
    } else if (!woken.empty()) {
      // It readies a parked partner: a GoUnblock of it (a Done only if it was the last one).
      event("GoUnblock");
      for (uint64_t g : woken)
        if (std::find(w.woken.begin(), w.woken.end(), g) == w.woken.end()) w.woken.push_back(g);
      go_on = kind == "wg_done";
    } else if (kind == "send" || kind == "recv") {
      const Act& a = acts.empty() ? Act{kind, "", "", nullptr} : acts[0];
      int cap = o.cap;
      for (const auto& c : o.cases) cap = c.cap;
      if (kind == "recv" && (closed_.count(a.obj) || (!sent.empty() && a.obj == sent))) {
        go_on = true;  // a receive from a closed channel never parks, nor one from its own send
        if (a.obj == sent) sent = {};
      } else if (kind == "recv" && !acts.empty() && TimerChannel(a)) {
        event("GoBlock(recv)");
      } else if (cap == 0) {
        event(BlockToken(kind));
      } else {
        auto occ = occupancy_.find(a.obj);
        const int st = cap < 0 || occ == occupancy_.end() || !OneChannel(a.obj, o.file) ? 0 : occ->second;
        // Full (a sender parked): a send parks, a receive takes a value; empty: the other way round.
        const bool parks = kind == "send" ? st == 1 : st == 2;
        const bool passes = kind == "send" ? st == 2 : st == 1;
        if (!passes) event(BlockToken(kind));
        go_on = !parks;
        if (kind == "send" && a.aliases && a.aliases->empty()) sent = a.obj;
      }
    } else if (kind == "select") {
      bool buffered = false, closed = false;
      for (const auto& c : o.cases) {
        buffered |= (c.kind == "send" || c.kind == "recv") && c.cap != 0;
        closed |= c.kind == "recv" && closed_.count(c.obj);
      }
      if (!has_default && !closed) event("GoBlock(select)");
      go_on = has_default || buffered || closed;
    } else if (kind == "lock" || kind == "rlock") {
      // Parks behind a goroutine parked on it, may park behind one that can still unlock it.
      bool contended = false, held = false;
      for (const Act& a : acts) {
        std::vector<uint64_t> same;
        for (const auto& [g, theirs] : pending_) {
          if (g == raw) continue;
          auto h = gs_.find(g);
          if (h == gs_.end() || h->second.done) continue;
          for (const Op* t : theirs) {
            std::vector<Act> bs;
            Acts(t, &bs);
            for (const Act& b : bs) {
              if (!SameObject(a, b)) continue;
              if (h->second.blocked && b.kind == "lock") contended = true;
              if (!h->second.blocked && (b.kind == "unlock" || b.kind == "runlock")) held = true;
            }
          }
        }
      }
      if (contended || held) event("GoBlock(sync)");
      go_on = !contended;
    } else if (kind == "wg_wait") {
      bool someone = false;
      for (const Act& a : acts) someone |= Reach(raw, a) == 2;
      if (someone) event("GoBlock(sync)");
      go_on = !someone;
    } else {
      go_on = true;  // unlock, Done, close, Signal with nobody parked; wg_add, once, timer
    }
    if (!go_on) continue;
    if (depth >= kWalkOps || o.next.empty()) {
      w.unknown = true;
      continue;
    }
    for (int n : o.next) todo.push_back({n, depth + 1, sent, calls});
  }
  return w;
}

std::vector<const Op*> FactTracker::Here(uint64_t raw, bool* completed) const {
  *completed = false;
  auto it = gs_.find(raw);
  if (it == gs_.end() || it->second.site == 0 || it->second.site >= t_.sites.size()) return {};
  const G& g = it->second;
  const sched::Site& s = t_.sites[g.site];
  std::vector<const Op*> here = idx_->At(s.file, static_cast<int>(s.line));
  // The op the last event was about: the one matching the block reason, or the go statement.
  std::vector<const Op*> about;
  for (const Op* o : here)
    if ((g.last == Kind::kGoBlock && Matches(g.reason, o->kind)) || (g.last == Kind::kGoCreate && o->kind == "go") ||
        (g.last == Kind::kGoSched && o->kind == "yield"))
      about.push_back(o);
  if (about.empty()) return here;
  *completed = !g.blocked && (g.last == Kind::kGoBlock || g.last == Kind::kGoCreate || g.last == Kind::kGoSched);
  return about;
}

std::vector<const Op*> FactTracker::Pending(uint64_t raw) const {
  std::vector<const Op*> out;
  auto it = gs_.find(raw);
  const G none;
  const G& g = it == gs_.end() ? none : it->second;
  if (g.done) return out;
  auto first_of = [&](const srcindex::Func* f) {
    if (f)
      for (int id : f->first) out.push_back(&idx_->op(id));
  };
  if (g.site == 0) {
    if (raw == canon_.root) {
      first_of(idx_->FuncNamed(test_name_));
      return out;
    }
    const int top = TopFunc(raw);
    if (top >= 0) first_of(&idx_->funcs()[top]);
    return out;
  }
  if (g.site >= t_.sites.size()) return out;
  bool completed = false;
  std::vector<const Op*> about = Here(raw, &completed);
  if (completed) {
    std::set<int> ids;
    for (const Op* o : about) ids.insert(o->next.begin(), o->next.end());
    for (int id : ids) out.push_back(&idx_->op(id));
    return out;
  }
  if (!about.empty()) return about;
  const sched::Site& s = t_.sites[g.site];
  return idx_->After(s.file, static_cast<int>(s.line));
}

bool FactTracker::Dominates(int x, int y) {
  const Op& oy = idx_->op(y);
  if (idx_->op(x).func != oy.func || oy.func < 0) return false;
  if (x == y) return true;
  auto it = doms_.find(oy.func);
  if (it == doms_.end()) {
    Dom d;
    std::vector<int> ids;
    for (const Op& o : idx_->ops())
      if (o.func == oy.func) d.local[o.id] = static_cast<int>(ids.size()), ids.push_back(o.id);
    const int n = static_cast<int>(ids.size());
    std::vector<std::vector<int>> preds(n + 1);  // n: a virtual entry before the function's first ops
    for (int k = 0; k < n; ++k)
      for (int m : idx_->op(ids[k]).next)
        if (auto l = d.local.find(m); l != d.local.end()) preds[l->second].push_back(k);
    for (int f : idx_->funcs()[oy.func].first)
      if (auto l = d.local.find(f); l != d.local.end()) preds[l->second].push_back(n);
    // Iterative data flow: dom(b) = {b} ∪ ⋂ dom(preds of b); the entry dominates only itself.
    d.dom.assign(n + 1, std::vector<char>(n + 1, 1));
    std::fill(d.dom[n].begin(), d.dom[n].end(), 0);
    d.dom[n][n] = 1;
    for (bool changed = true; changed;) {
      changed = false;
      for (int b = 0; b < n; ++b) {
        std::vector<char> in(n + 1, preds[b].empty() ? 0 : 1);  // unreachable: dominated by none
        for (int p : preds[b])
          for (int a = 0; a <= n; ++a) in[a] &= d.dom[p][a];
        in[b] = 1;
        if (in != d.dom[b]) d.dom[b] = std::move(in), changed = true;
      }
    }
    it = doms_.emplace(oy.func, std::move(d)).first;
  }
  const Dom& d = it->second;
  auto lx = d.local.find(x), ly = d.local.find(y);
  return lx != d.local.end() && ly != d.local.end() && d.dom[ly->second][lx->second];
}

void FactTracker::Closed() {
  closed_.clear();
  if (closes_.empty()) return;
  for (const auto& [raw, g] : gs_) {
    std::vector<const Op*> at;
    bool completed = false;
    if (g.done) {
      // An ended goroutine went through its function's return.
      const int top = TopFunc(raw);
      if (top < 0 || raw == canon_.root) continue;
      for (const Op& o : idx_->ops())
        if (o.func == top && o.kind == "return") at.push_back(&o), completed = true;
    } else {
      at = Here(raw, &completed);
    }
    if (at.empty()) continue;
    for (int c : closes_) {
      const Op& close = idx_->op(c);
      if (closed_.count(close.obj) || !close.aliases.empty() || !OneChannel(close.obj, close.file)) continue;
      bool all = true;
      for (const Op* o : at) all &= Dominates(c, o->id) && (completed || c != o->id);
      if (all) closed_.insert(close.obj);
    }
  }
}

std::vector<const Op*> FactTracker::Expand(uint64_t raw, const std::vector<const Op*>& ops) const {
  const int top = TopFunc(raw);
  std::vector<const Op*> out;
  std::set<int> seen;
  std::vector<std::pair<const Op*, int>> todo;  // (op, depth)
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) todo.push_back({*it, 0});
  while (!todo.empty()) {
    const auto [o, depth] = todo.back();
    todo.pop_back();
    if (!seen.insert(o->id).second) continue;
    std::vector<int> instead;
    if (o->kind == "call" && o->starts >= 0) {
      instead = idx_->funcs()[o->starts].first;  // the called function's first ops
    } else if (o->kind == "return" && o->func != top) {
      // Back into the one place that calls it (several: the caller is not known; it stays).
      auto c = callers_.find(o->func);
      if (c != callers_.end() && c->second.size() == 1) instead = idx_->op(c->second[0]).next;
    }
    if ((o->kind != "call" && instead.empty()) || depth >= 4) {
      if (o->kind != "call") out.push_back(o);
      continue;
    }
    for (auto it = instead.rbegin(); it != instead.rend(); ++it) todo.push_back({&idx_->op(*it), depth + 1});
  }
  return out;
}

std::vector<std::vector<std::string>> FactTracker::Facts(const std::vector<std::string>& candidates) {
  if (!idx_) return {};
  if (dirty_) {
    pending_.clear();
    for (const auto& [path, raw] : by_path_) pending_[raw] = Expand(raw, Pending(raw));
    Occupancy();
    Deadlines();
    Closed();
    walks_.clear();
    dirty_ = false;
  }
  std::vector<std::vector<std::string>> out(candidates.size());
  std::map<std::pair<uint64_t, bool>, size_t> made;  // (goroutine, is a GoCreate) → its first candidate
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::string_view c = candidates[i];
    if (size_t at = c.find(" @"); at != std::string_view::npos) c = c.substr(0, at);
    const size_t sp = c.rfind(' ');
    const std::string_view type = c.substr(0, c.find(' '));
    std::string_view who = sp == std::string_view::npos ? c : c.substr(sp + 1);
    who = who.substr(0, who.find('>'));  // "GoCreate T>T.0": the creator
    auto g = by_path_.find(std::string(who));
    std::vector<std::string>& f = out[i];
    if (g == by_path_.end()) {
      f.push_back("next:?");
      continue;
    }
    // A goroutine's candidates share its facts, except that a GoCreate adds the child's.
    const std::pair<uint64_t, bool> key{g->second, type == "GoCreate"};
    if (auto done = made.find(key); done != made.end()) {
      f = out[done->second];
      continue;
    }
    made.emplace(key, i);
    const std::vector<const Op*>& mine = pending_[g->second];
    auto self = gs_.find(g->second);
    const bool blocked = self != gs_.end() && self->second.blocked;
    if (mine.empty()) {
      f.push_back("next:?");
      continue;
    }
    bool loop = false;
    std::vector<Act> acts;
    for (const Op* o : mine) {
      AddUnique(&f, Cat(blocked ? "at:" : "next:", o->kind));
      if ((IsChan(o) || o->kind == "select") && o->cap >= 0) AddUnique(&f, o->cap == 0 ? "cap:0" : "cap:buf");
      loop |= o->loop;
      Acts(o, &acts);
      if (type == "GoCreate" && o->kind == "go") {
        if (o->starts < 0) AddUnique(&f, "child:?");
        else
          for (int id : idx_->funcs()[o->starts].first) AddUnique(&f, Cat("child:", idx_->op(id).kind));
      }
    }
    // One step further: the ops after a pending op that completes without blocking (the tracer
    // records nothing for it, so the goroutine may already be past it).
    if (!blocked) ThenFacts(mine, &f);

    // A receive from a timer's channel (time.After/Tick, Timer.C, Ticker.C: element time.Time)
    // waits for the clock, which no goroutine of the program can hurry.
    for (const Act& a : acts)
      if (a.kind == "recv" && TimerChannel(a)) AddUnique(&f, "timer:1");
    if (auto d = deadline_.find(g->second); d != deadline_.end()) {
      f.push_back(d->second <= now_ ? "due:past" : "due:wait");
      if (d->second == first_deadline_) f.push_back("due:first");
    }
    f.push_back(loop ? "loop:1" : "loop:0");
    {
      std::vector<ChanAct> chans;
      for (const Op* o : mine) {
        const size_t before = chans.size();
        ChanActs(o, &chans);
        for (size_t k = before; k < chans.size(); ++k) {
          const ChanAct& a = chans[k];
          if (a.kind == "recv" && !a.several && closed_.count(a.obj)) AddUnique(&f, "closed:1");
          if (a.cap <= 0) continue;
          auto occ = occupancy_.find(a.obj);
          const int st = occ == occupancy_.end() || a.several || !OneChannel(a.obj, o->file) ? 0 : occ->second;
          AddUnique(&f, st == 1 ? "buf:full" : st == 2 ? "buf:empty" : "buf:?");
        }
      }
    }
    bool ahead = false, behind = false;  // blocked: contenders that blocked after / before it
    for (const auto& [raw, theirs] : pending_) {
      if (raw == g->second || theirs.empty()) continue;
      auto h = gs_.find(raw);
      const bool hb = h != gs_.end() && h->second.blocked;
      std::vector<Act> other;
      for (const Op* o : theirs) Acts(o, &other);
      for (const Act& a : acts)
        for (const Act& b : other) {
          if (Complement(a.kind, b.kind)) {
            if (SameObject(a, b)) AddUnique(&f, hb ? "partner:blocked" : "partner:ready");
            else if (!a.type.empty() && a.type == b.type) AddUnique(&f, hb ? "partner_type:blocked" : "partner_type:ready");
          } else if (hb && a.kind == b.kind && SameObject(a, b)) {
            AddUnique(&f, "contend:1");
            if (blocked) (h->second.block_seq < self->second.block_seq ? behind : ahead) = true;
          }
        }
    }
    // Wait queues are FIFO (channel queues, Cond tickets; a Mutex hands off in order once starving).
    if (behind) f.push_back("queue:later");
    else if (ahead) f.push_back("queue:first");
    if (const std::string_view r = ReachFact(g->second, mine); !r.empty()) f.emplace_back(r);
  }
  WalkFacts(candidates, &out);
  return out;
}

void FactTracker::WalkFacts(const std::vector<std::string>& candidates, std::vector<std::vector<std::string>>* out) {
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::string_view c = candidates[i];
    if (size_t at = c.find(" @"); at != std::string_view::npos) c = c.substr(0, at);
    const size_t sp = c.rfind(' ');
    if (sp == std::string_view::npos) continue;
    const std::string_view type = c.substr(0, c.find(' '));
    std::string_view who = c.substr(sp + 1);
    who = who.substr(0, who.find('>'));
    auto g = by_path_.find(std::string(who));
    if (g == by_path_.end() || pending_[g->second].empty()) continue;
    std::vector<std::string>& f = (*out)[i];
    if (type == "GoUnblock") {
      // Readied by the walk of a running goroutine.
      for (const auto& [raw, ops] : pending_) {
        auto h = gs_.find(raw);
        if (raw == g->second || ops.empty() || h == gs_.end() || !h->second.running || h->second.blocked) continue;
        const Walk& w = WalkOf(raw);
        if (std::find(w.woken.begin(), w.woken.end(), g->second) != w.woken.end()) {
          f.push_back("walk:1");
          break;
        }
      }
      continue;
    }
    // The test goroutine's system calls are the testing package's, after the test function.
    const bool test_end = g->second == canon_.root && (type == "Syscall" || type == "SyscallBlock");
    if (!type.starts_with("GoBlock") && type != "GoEnd" && type != "GoCreate" && type != "GoSched" && !test_end) continue;
    const Walk& w = WalkOf(g->second);
    const bool hit = std::find(w.events.begin(), w.events.end(), type) != w.events.end();
    if (hit) {
      f.push_back("walk:1");
      if (w.events.size() == 1 && !w.unknown) f.push_back("walk:only");
    } else if (test_end) {
      continue;  // calls into other packages (a write, a network read) make system calls anywhere
    } else {
      f.push_back(w.unknown ? "walk:?" : "walk:0");
    }
  }
}

}  // namespace schedcast::data
