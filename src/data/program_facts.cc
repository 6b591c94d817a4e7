// data/program_facts.cc — per-candidate program facts from a run's timeline and the source index.
#include "data/program_facts.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/strings.h"
#include "data/fact_acts.h"

namespace schedcast::data {

using sched::Kind;
using sched::Reason;
using srcindex::Op;
using namespace facts;  // NOLINT: the shared helpers of data/fact_acts.h

const std::vector<std::string>& FactGroups() {
  static const std::vector<std::string> g = {"next", "partner", "loop", "create", "buffer", "wake", "walk", "runq"};
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
      if (o.kind == "lock" || o.kind == "rlock" || o.kind == "unlock" || o.kind == "runlock") locks_.push_back(o.id);
      if (o.kind == "call" && o.starts >= 0) callers_[o.starts].push_back(o.id);
      if (o.loop_id > 0 && (o.kind == "go" || o.kind == "yield" || o.kind == "sleep")) loop_marks_[o.loop_id].push_back(o.id);
      for (const srcindex::Loop* l = idx_->loop(o.loop_id); l != nullptr; l = idx_->loop(l->parent))
        if (l->trips <= 0) {
          auto& loops = open_loops_[o.func];
          auto it = std::find_if(loops.begin(), loops.end(), [&](const auto& x) { return x.first == l->id; });
          if (it == loops.end()) loops.push_back({l->id, o.line});
          else it->second = std::max(it->second, o.line);
        }
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
    if (e.g == canon_.root && e.site != 0) gs_[e.g].returned = false;  // a user frame: back in user code
    if (e.site != 0 && e.site < t_.sites.size() &&
        (e.kind == Kind::kGoCreate || e.kind == Kind::kGoSched || (e.kind == Kind::kGoBlock && e.reason == Reason::kSleep))) {
      const std::string_view want = e.kind == Kind::kGoCreate ? "go" : e.kind == Kind::kGoSched ? "yield" : "sleep";
      const sched::Site& s = t_.sites[e.site];
      for (const Op* o : idx_->At(s.file, static_cast<int>(s.line)))
        if (o->kind == want) {
          ++gs_[e.g].op_events[o->id];
          break;
        }
    }
    switch (e.kind) {
      case Kind::kGoCreate: {
        G& g = gs_[e.g];
        if (e.site) g.site = e.site, g.callers = e.callers, g.last = e.kind;
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
        if (e.g == canon_.root) g.returned = e.site == 0;
        g.started = true;
        g.blocked = true;
        g.reason = e.reason;
        g.site = e.site;
        g.callers = e.callers;
        g.last = e.kind;
        g.block_ts = e.ts;
        g.block_seq = applied_;
        g.running = false;
        break;
      }
      case Kind::kGoUnblock: {
        gs_[e.peer].blocked = false;
        // The unblocker's stack is at the op that readied the peer (a send to a parked receiver,
        // an unlock, a Done, …), which has completed: it stands after it. A stack elsewhere (a
        // call into another package's code) leaves its place as it was.
        if (e.g == 0 || e.site == 0 || e.site >= t_.sites.size()) break;
        const sched::Site& s = t_.sites[e.site];
        bool readies = false;
        for (const Op* o : idx_->At(s.file, static_cast<int>(s.line))) readies |= Readies(o->kind);
        if (!readies) break;
        G& g = gs_[e.g];
        g.started = true;
        g.site = e.site, g.callers = e.callers, g.last = e.kind;
        break;
      }
      case Kind::kGoEnd: gs_[e.g].done = true, gs_[e.g].running = false; break;
      default: {
        G& g = gs_[e.g];
        g.started = true;
        if (e.kind == Kind::kGoSched || e.kind == Kind::kGoPreempt || e.kind == Kind::kSyscallBlock) g.running = false;
        if (e.kind == Kind::kSyscallExit) g.running = true;
        // The events that carry the system call's stack: Syscall in the old format (its
        // SyscallBlock has none), SyscallBlock in the new one (Go 1.22+).
        const bool sys_stack = e.kind == Kind::kSyscall || (e.kind == Kind::kSyscallBlock && t_.go_version >= 1022);
        if (e.g == canon_.root && sys_stack) {
          g.returned = e.site == 0;
          if (g.returned) g.site = 0, g.callers = 0;
        }
        if (e.site) g.site = e.site, g.callers = e.callers, g.last = e.kind;
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
  bool unseen = false;  // some goroutine can run code the index does not see
  std::vector<Act> theirs_acts;
  for (const auto& [raw, theirs] : pending_) {
    if (raw == self) continue;
    auto h = gs_.find(raw);
    if (h != gs_.end() && h->second.done) continue;
    if (h != gs_.end() && h->second.site != 0 && h->second.site < t_.sites.size()) {
      const sched::Site& at = t_.sites[h->second.site];
      unseen |= idx_->FuncAt(at.file, static_cast<int>(at.line)) == nullptr;  // it stands outside the package
    }
    for (const Op* o : theirs)
      for (int id : Closure(o->id)) {
        theirs_acts.clear();
        unseen |= idx_->op(id).kind == "ext";
        Acts(&idx_->op(id), &theirs_acts);
        for (const Act& b : theirs_acts)
          if (Complement(a.kind, b.kind)) {
            if (SameObject(a, b)) return 2;
            if (!a.type.empty() && a.type == b.type) reach = 1;
          }
      }
  }
  return reach == 0 && unseen ? -1 : reach;
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
    // Nor for a pipe's read or write: a deadline (SetReadDeadline) ends it from the runtime's timers.
    if (TimerChannel(a) || a.obj.ends_with(")") || a.type == kPipeType || (a.kind == "recv" && closed_.count(a.obj))) {
      unknown = true;
      continue;
    }
    reach = std::max(reach, 0);
    if (reach < 2) {
      const int r = Reach(self, a);
      if (r < 0) unknown = true;
      reach = std::max(reach, r);
    }
  }
  if (reach < 0 || (unknown && reach < 2)) return "";
  return reach == 2 ? "reach:1" : reach == 1 ? "reach:type" : "reach:0";
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
  const bool syscall = g.last == Kind::kSyscall || g.last == Kind::kSyscallBlock || g.last == Kind::kSyscallExit;
  for (const Op* o : here)
    if ((g.last == Kind::kGoBlock && ParkedIn(g.reason, o)) || (g.last == Kind::kGoCreate && o->kind == "go") ||
        (g.last == Kind::kGoSched && o->kind == "yield") || (g.last == Kind::kGoUnblock && Readies(o->kind)) ||
        (syscall && o->kind == "io"))
      about.push_back(o);
  if (about.empty()) return here;
  if (about[0]->kind == "io") {
    // In a call that reaches the operating system: done once the system call returned; a read the
    // poller woke makes its system call again.
    *completed = g.last == Kind::kSyscallExit;
    return about;
  }
  *completed = !g.blocked && (g.last == Kind::kGoBlock || g.last == Kind::kGoCreate || g.last == Kind::kGoSched ||
                              g.last == Kind::kGoUnblock);
  return about;
}

bool FactTracker::LoopAllows(uint64_t raw, const Op& from, int to) const {
  const srcindex::Loop* l = idx_->loop(from.loop_id);
  if (l == nullptr || l->trips <= 0) return true;
  auto marks = loop_marks_.find(l->id);
  auto g = gs_.find(raw);
  if (marks == loop_marks_.end() || g == gs_.end() || from.func != TopFunc(raw)) return true;  // a called function's counts mix calls
  int done = 0;  // trips made: events at the loop's op that always leaves one
  for (int m : marks->second)
    if (auto c = g->second.op_events.find(m); c != g->second.op_events.end()) done = std::max(done, c->second);
  // A nested loop runs its trips on each entry: the trips of this entry are the count modulo them
  // (a multiple above 0: this entry's last trip is made).
  if (l->parent != 0 && done > 0) done = done % l->trips == 0 ? l->trips : done % l->trips;
  const Op& t = idx_->op(to);
  if (!InLoop(t, l->id)) return done >= l->trips;   // leaving the loop
  if (t.line <= from.line) return done < l->trips;  // back to its head: another trip
  return true;
}

bool FactTracker::InLoop(const Op& o, int loop_id) const {
  for (const srcindex::Loop* x = idx_->loop(o.loop_id); x != nullptr; x = idx_->loop(x->parent))
    if (x->id == loop_id) return true;
  return false;
}

bool FactTracker::LeavesLoop(const Op& from, int to, int from_line) const {
  const Op& t = idx_->op(to);
  if (from_line == 0) {
    for (const srcindex::Loop* l = idx_->loop(from.loop_id); l != nullptr; l = idx_->loop(l->parent)) {
      if (InLoop(t, l->id)) break;  // the loops around this one hold both ops
      if (l->trips <= 0) return true;
    }
    from_line = from.line;
  }
  // Skipped: a loop of the same function between the two, holding neither.
  auto loops = open_loops_.find(from.func);
  if (t.func != from.func || loops == open_loops_.end()) return false;
  for (const auto& [id, last_line] : loops->second)
    if (from_line < idx_->loop(id)->line && last_line < t.line && !InLoop(t, id) &&
        (from_line != from.line || !InLoop(from, id)))
      return true;
  return false;
}

std::vector<const Op*> FactTracker::Pending(uint64_t raw) const {
  std::vector<const Op*> out;
  auto it = gs_.find(raw);
  const G none;
  const G& g = it == gs_.end() ? none : it->second;
  if (g.done) return out;
  if (g.returned) {  // the root past its test function: that function's return
    if (const srcindex::Func* f = idx_->FuncNamed(test_name_))
      for (const Op& o : idx_->ops())
        if (o.kind == "return" && o.func == f->id) out.push_back(&o);
    return out;
  }
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
    for (const Op* o : about)
      for (int n : o->next)
        if (LoopAllows(raw, *o, n)) ids.insert(n);
    for (int id : ids) out.push_back(&idx_->op(id));
    return out;
  }
  if (!about.empty()) return about;
  const sched::Site& s = t_.sites[g.site];
  return idx_->After(s.file, static_cast<int>(s.line));
}



std::vector<int> FactTracker::CallStack(uint64_t raw) const {
  std::vector<int> out;
  auto it = gs_.find(raw);
  if (it == gs_.end()) return out;
  const G& g = it->second;
  if (g.callers == 0 || g.callers >= t_.callers.size() || g.site == 0 || g.site >= t_.sites.size()) return out;
  const sched::Site& s0 = t_.sites[g.site];
  // The innermost frame's function: the one holding the line, or — where a function literal starts
  // on the line (`go func() {`) — the function of an op there (the go statement's).
  std::vector<int> inner;
  if (const srcindex::Func* f = idx_->FuncAt(s0.file, static_cast<int>(s0.line))) inner.push_back(f->id);
  for (const Op* o : idx_->At(s0.file, static_cast<int>(s0.line)))
    if (o->func >= 0 && std::find(inner.begin(), inner.end(), o->func) == inner.end()) inner.push_back(o->func);
  for (uint32_t c : t_.callers[g.callers]) {
    if (inner.empty() || c == 0 || c >= t_.sites.size()) break;
    const sched::Site& cs = t_.sites[c];
    const Op* call = nullptr;
    for (const Op* o : idx_->At(cs.file, static_cast<int>(cs.line)))
      if (o->kind == "call" && std::find(inner.begin(), inner.end(), o->starts) != inner.end()) call = o;
    if (call == nullptr) break;  // a call the index does not have (a function value, a pruned callee)
    out.push_back(call->id);
    inner.assign(1, call->func);
    if (call->func < 0) break;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<const Op*> FactTracker::Expand(uint64_t raw, const std::vector<const Op*>& ops) const {
  const int top = TopFunc(raw);
  const std::vector<int> stack = CallStack(raw);
  std::vector<const Op*> out;
  std::set<int> seen;
  struct Item {
    const Op* o;
    int depth;
    std::vector<int> calls;  // the call ops it is inside, innermost last
  };
  std::vector<Item> todo;
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) todo.push_back({*it, 0, stack});
  while (!todo.empty()) {
    Item item = std::move(todo.back());
    todo.pop_back();
    const Op* o = item.o;
    if (!seen.insert(o->id).second) continue;
    std::vector<int> instead;
    if (o->kind == "call" && o->starts >= 0) {
      instead = idx_->funcs()[o->starts].first;  // the called function's first ops
      item.calls.push_back(o->id);
    } else if (o->kind == "return" && (o->func != top || !item.calls.empty())) {
      // Back after the call that entered it (from the stack, or followed here), else into the one
      // place that calls it (several: the caller is not known; it stays).
      if (!item.calls.empty()) {
        instead = idx_->op(item.calls.back()).next;
        item.calls.pop_back();
      } else if (auto c = callers_.find(o->func); c != callers_.end() && c->second.size() == 1) {
        instead = idx_->op(c->second[0]).next;
      }
    }
    if ((o->kind != "call" && instead.empty()) || item.depth >= 4) {
      if (o->kind != "call") out.push_back(o);
      continue;
    }
    for (auto it = instead.rbegin(); it != instead.rend(); ++it) todo.push_back({&idx_->op(*it), item.depth + 1, item.calls});
  }
  return out;
}

std::vector<std::vector<std::string>> FactTracker::Facts(const std::vector<std::string>& candidates) {
  if (!idx_) return {};
  if (dirty_) {
    pending_.clear();
    unexpanded_.clear();
    for (const auto& [path, raw] : by_path_) pending_[raw] = Expand(raw, unexpanded_[raw] = Pending(raw));
    Occupancy();
    Deadlines();
    Closed();
    Held();
    walks_.clear();
    dirty_ = false;
  }
  std::vector<std::vector<std::string>> out(candidates.size());
  std::map<std::pair<uint64_t, bool>, size_t> made;  // (goroutine, is a GoCreate) → its first candidate
  for (size_t i = 0; i < candidates.size(); ++i) {
    const auto [type, who] = ParseCandidate(candidates[i]);
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


}  // namespace schedcast::data
