// data/program_walk.cc — the FactTracker's walk ("walk:" facts) and what it leans on: channels
// known closed (per-function dominators over the index's successors), goroutines a walk readies,
// the function a goroutine was started in. The contract is in data/program_facts.h.
#include <algorithm>
#include <set>
#include <tuple>

#include "data/fact_acts.h"
#include "data/program_facts.h"

namespace schedcast::data {

using namespace facts;  // NOLINT: the shared helpers of data/fact_acts.h

void FactTracker::Parked(uint64_t self, const Act& a, std::vector<uint64_t>* out) const {
  for (const auto& [raw, theirs] : pending_) {
    if (raw == self) continue;
    auto h = gs_.find(raw);
    if (h == gs_.end() || !h->second.blocked || h->second.done) continue;
    std::vector<Act> acts;
    for (const Op* o : theirs)
      if (ParkedIn(h->second.reason, o)) Acts(o, &acts);
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
  bool left = false;  // the path being walked left a loop of unknown trip count
  auto event = [&](std::string_view e) {
    AddUnique(&w.events, std::string(e));
    if (!left) AddUnique(&w.staying, std::string(e));
  };
  auto end_event = [&](std::string_view e) { AddUnique(&w.end, std::string(e)); };
  struct Step {
    int id, depth;
    // A buffered channel this path has sent on (a send completed — no receiver known to have
    // taken the value since): a receive from it then finds a value (a semaphore's release).
    std::string_view sent;
    std::vector<int> calls;  // the call ops it is inside, innermost last
    bool left = false;       // it left a loop of unknown trip count (LeavesLoop)
  };
  std::vector<Step> todo;
  bool completed = false;
  std::string_view sent0;
  const std::vector<const Op*> about = Here(raw, &completed);
  for (const Op* a : about)
    if (completed && a->kind == "send" && a->cap > 0 && a->aliases.empty()) sent0 = a->obj;
  // Inside the calls of its last event's stack: it returns after them. A pending op that follows
  // the completed one only by leaving a loop starts a leaving path.
  const std::vector<int> stack = CallStack(raw);
  auto gi = gs_.find(raw);
  const bool fresh = gi == gs_.end() || gi->second.site == 0;  // not run yet: at its function's entry
  for (const Op* o : unexpanded_[raw]) {
    bool leaves = false, stays = false;
    if (fresh && o->func >= 0) (LeavesLoop(*o, o->id, idx_->funcs()[o->func].start) ? leaves : stays) = true;
    for (const Op* a : completed ? about : std::vector<const Op*>{})
      if (std::find(a->next.begin(), a->next.end(), o->id) != a->next.end()) (LeavesLoop(*a, o->id) ? leaves : stays) = true;
    todo.push_back({o->id, 1, sent0, stack, leaves && !stays});
  }
  // (op, sent, the call it returns to, left)
  std::set<std::tuple<int, std::string_view, int, bool>> seen;
  std::vector<Act> acts;
  std::vector<uint64_t> woken;
  while (!todo.empty()) {
    auto [id, depth, sent, calls, left_] = todo.back();
    todo.pop_back();
    left = left_;
    // A loop around without an event: another path has it.
    if (!seen.insert({id, sent, calls.empty() ? -1 : calls.back(), left}).second) continue;
    const Op& o = idx_->op(id);
    if (o.kind == "call") {  // into the called function, to come back after the call
      if (o.starts < 0 || depth >= kWalkOps) {
        w.unknown = true;
        continue;
      }
      calls.push_back(o.id);
      for (int f : idx_->funcs()[o.starts].first) todo.push_back({f, depth + 1, sent, calls, left});
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
        for (std::string_view e : {"Syscall", "SyscallBlock", "GoEnd"}) end_event(e);
        continue;
      }
      if (back < 0 || depth >= kWalkOps) {
        w.unknown = true;
        continue;
      }
      for (int n : idx_->op(back).next)
        if (LoopAllows(raw, idx_->op(back), n))
          todo.push_back({n, depth + 1, sent, calls, left || LeavesLoop(idx_->op(back), n)});
      continue;
    }
    bool go_on = false;  // the op may complete without an event: follow its successors
    bool drained = false;  // an unbuffered channel known closed: a range over it ends here
    acts.clear();
    woken.clear();
    // A select with one case and no default is that case's plain op.
    std::string_view kind = o.kind;
    bool has_default = false;
    for (const auto& c : o.cases) has_default |= c.kind == "default";
    Acts(&o, &acts);
    if (kind == "select" && !has_default && acts.size() == 1) kind = acts[0].kind;
    for (const Act& a : acts) Parked(raw, a, &woken);
    if (kind == "io" && o.pipe) {
      // A pipe end's read or write: a hand-off with the other end's goroutine — it readies one
      // parked at the other end (a write its reader, a read its writer, a close both) or parks
      // (the walk does not follow past it: what comes after is not known).
      for (std::string_view e : kPipeEvents) event(e);
      if (!woken.empty()) {
        event("GoUnblock");
        for (uint64_t g : woken)
          if (std::find(w.woken.begin(), w.woken.end(), g) == w.woken.end()) w.woken.push_back(g);
      }
      w.unknown = w.pipe = true;
      continue;
    }
    if (kind == "io") {
      // A call that may reach the operating system: the tracer records its system call.
      for (std::string_view e : kIoEvents) event(e);
      // Through a reader or writer of unknown kind: a pipe underneath blocks on channels, a
      // buffer not at all — the walk does not know its event.
      if (o.indirect) w.unknown = w.pipe = true;
      continue;
    }
    if (kind == "ext") w.unknown = w.ext = true;  // code the index does not see: it may block, or not
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
        drained = closed_.count(a.obj) && cap == 0;
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
      // Held by another goroutine where it stands (a reader's hold blocks only a writer).
      std::vector<Act> bs;
      for (const auto& [g, locks] : held_)
        if (g != raw)
          for (int l : locks) {
            bs.clear();
            Acts(&idx_->op(l), &bs);
            for (const Act& a : acts)
              for (const Act& b : bs) held |= SameObject(a, b) && (a.kind == "lock" || b.kind == "lock");
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
    for (int n : o.next)
      if (LoopAllows(raw, o, n)) todo.push_back({n, depth + 1, sent, calls, left || (!drained && LeavesLoop(o, n))});
  }
  return w;
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

void FactTracker::Held() {
  held_.clear();
  if (locks_.empty()) return;
  std::vector<Act> la, ua;
  for (const auto& [raw, g] : gs_) {
    if (g.done) continue;
    bool completed = false;
    std::vector<std::pair<const Op*, bool>> at;  // where it stands, and whether that op completed
    for (const Op* o : Here(raw, &completed)) at.push_back({o, completed});
    for (int c : CallStack(raw)) at.push_back({&idx_->op(c), false});  // a lock before the call is held in it
    for (const auto& [p, done] : at) {
      for (int l : locks_) {
        const Op& lock = idx_->op(l);
        if ((lock.kind != "lock" && lock.kind != "rlock") || lock.func != p->func) continue;
        if (!Dominates(l, p->id) || (l == p->id && !done)) continue;
        la.clear();
        Acts(&lock, &la);
        if (la.empty()) continue;
        // Released on the way: an unlock of it between the lock and here.
        bool released = false;
        for (int u : locks_) {
          const Op& un = idx_->op(u);
          if ((un.kind != "unlock" && un.kind != "runlock") || un.func != p->func) continue;
          ua.clear();
          Acts(&un, &ua);
          if (ua.empty() || !SameObject(la[0], ua[0])) continue;
          if (Dominates(l, u) && Dominates(u, p->id) && (u != p->id || done)) released = true;
        }
        if (!released) held_[raw].push_back(l);
      }
    }
  }
}

void FactTracker::WalkFacts(const std::vector<std::string>& candidates, std::vector<std::vector<std::string>>* out) {
  for (size_t i = 0; i < candidates.size(); ++i) {
    const auto [type, who] = ParseCandidate(candidates[i]);
    auto g = by_path_.find(std::string(who));
    if (g == by_path_.end() || pending_[g->second].empty()) continue;
    std::vector<std::string>& f = (*out)[i];
    if (type == "GoUnblock") {
      // Readied by the walk of a running goroutine ("walk:1"); parked in a read or write that is or
      // may be a pipe's while another running goroutine's walk reaches one ("walk:pipe").
      bool piped = false;
      if (auto b = gs_.find(g->second); b != gs_.end() && b->second.blocked)
        for (const Op* o : pending_[g->second]) piped |= o->kind == "io" && (o->indirect || o->pipe);
      bool woken = false, pipe = false;
      for (const auto& [raw, ops] : pending_) {
        auto h = gs_.find(raw);
        if (raw == g->second || ops.empty() || h == gs_.end() || !h->second.running || h->second.blocked) continue;
        const Walk& w = WalkOf(raw);
        woken |= std::find(w.woken.begin(), w.woken.end(), g->second) != w.woken.end();
        pipe |= piped && w.pipe;
      }
      if (woken) f.push_back("walk:1");
      if (pipe) f.push_back("walk:pipe");
      continue;
    }
    // System calls: the test goroutine's are the testing package's after the test function, and
    // any goroutine's those of an "io" op the walk reaches.
    const bool syscall = type == "Syscall" || type == "SyscallBlock";
    if (!type.starts_with("GoBlock") && type != "GoEnd" && type != "GoCreate" && type != "GoSched" && !syscall) continue;
    const Walk& w = WalkOf(g->second);
    const bool hit = std::find(w.events.begin(), w.events.end(), type) != w.events.end();
    if (hit) {
      f.push_back("walk:1");
      if (w.events.size() == 1 && w.end.empty() && !w.unknown) f.push_back("walk:only");
      // Only by leaving a loop whose trip count is not known: the loop's one exit.
      if (std::find(w.staying.begin(), w.staying.end(), type) == w.staying.end()) f.push_back("walk:exit");
    } else if (std::find(w.end.begin(), w.end.end(), type) != w.end.end()) {
      f.push_back("walk:end");  // only past the test function's end: the testing package's code
    } else if (!syscall) {
      // No claim for a system call the walk did not reach: calls into other packages (a write, a
      // network read) make them anywhere ("walk:ext" below says the walk passed one).
      f.push_back(w.unknown ? "walk:?" : "walk:0");
    }
    if (w.ext) f.push_back("walk:ext");
  }
}

}  // namespace schedcast::data
