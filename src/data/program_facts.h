// data/program_facts.h — what the program's source says about each candidate goroutine.
//
// A FactTracker follows one run's timeline and keeps, per goroutine, where it stands: the site of
// its last event that carried a user stack (block, create, yield, syscall, and an unblock of
// another goroutine at an op that readies one: its own send, unlock, Done, … has completed) and
// the call sites above it (Timeline::callers: where its functions return to), whether it is
// blocked there, or — before it first ran — the go statement that created it. Mapped to the package's
// source index (srcindex/index.h), that gives the goroutine's pending operations: the op it is
// blocked in, or the ops it executes next (the successors of the op it last completed, or the
// first ops of the function its go statement starts). Facts(candidates) turns them into
// "group:value" strings per candidate (docs/DATASET.md lists them):
//   Pending ops step through calls (index version 4, Expand): a call op stands for the called
//   function's first ops, the end of a function called from one place for what follows its call.
//   next   "next:<kind>" (pending ops of a goroutine that is not blocked), "at:<kind>" (the op a
//          blocked goroutine waits in), "cap:0" / "cap:buf" (static capacity of the channel),
//          "next:?" when the site is not in the index; "then:<kind>" (not blocked) the ops that follow a
//          pending op that may complete without an event — where the goroutine is if it did,
//          which the tracer does not record (never after a sleep, Cond wait, yield or go
//          statement: those always leave an event), and on through ops that never park
//          (unlock, runlock, wg_add, wg_done, close, signal, broadcast, timer) and into called
//          functions, 4 ops deep;
//   partner "partner:blocked" / "partner:ready" — another goroutine, blocked / not blocked, has a
//          pending op complementary to one of this goroutine's (send/recv, close/recv,
//          unlock/lock, done/wait, signal/cond wait) on the same object (the same name, or one
//          among the other's aliases: a parameter passed several objects); "partner_type:…" the
//          same on an object of the same type only; "contend:1" another goroutine is blocked in the
//          same kind of op on the same object;
//   loop   "loop:1" / "loop:0" — a pending op is inside a loop;
//   create "child:<kind>" (GoCreate candidates) — the first ops of the function the pending go
//          statement starts ("child:?" unknown);
//   buffer "buf:full" / "buf:empty" / "buf:?" per pending op on a channel of static capacity > 0:
//          its occupancy where the prefix determines it exactly. The tracer records no event for a
//          send or receive that does not block, so occupancy cannot be counted; it is known only
//          while some goroutine is blocked in a send on it (a sender parks on a buffered channel
//          only when it is full, and stays parked while receivers refill it from it: full) or in a
//          receive (parks only when empty, and senders hand it values directly: empty), selects
//          included. Only for a name that denotes one channel (a package-level variable, or a
//          local of the test function — also where a parameter took its name — and no aliases);
//          else, or with no goroutine parked on it, "buf:?". "closed:1": a pending receive (or
//          select case) is from a channel known closed (Closed(): a close op that dominates where
//          some goroutine stands), any capacity — it does not park.
//   wake   who is woken first. "queue:first" / "queue:later" (blocked, with contend:1): it
//          blocked before every other goroutine blocked in the same kind of op on the same object
//          / after one of them (channel wait queues and Cond tickets are FIFO); "timer:1" — a
//          pending receive is from a timer's channel (time.After/Tick, Timer.C, Ticker.C: element
//          type time.Time); for a goroutine blocked in a sleep or a wait on
//          time.After(d) whose duration is a constant in the source (srcindex `dur`): "due:past"
//          / "due:wait" — its deadline (the block event's time + d) is / is not reached at the
//          time of the prefix's last event — and "due:first" when no other such goroutine's
//          deadline is earlier (the runtime fires timers in deadline order); for a goroutine
//          with a pending op that waits for another goroutine (recv, send, lock, rlock, wg_wait,
//          cond_wait, select cases), "reach:1" when some other live goroutine can still reach a
//          complementary op on the same object (from its pending ops along the successors, into
//          the functions its go statements start and its calls call), "reach:type" on an
//          object of the same type only, "reach:0" when none can (no claim for timer channels,
//          which the runtime sends on, a channel a call returns, like ctx.Done(), or a receive
//          from a channel known closed).
//   walk   what the goroutine's own next event is, by walking its pending ops forward the way the
//          runtime would run them, through ops that leave no event: an uncontended lock, a send
//          into / receive from a buffered channel that is not known full / empty, an unlock or Done
//          nobody waits for, a select with a default case, …, into called functions and back after
//          the call, up to 8 ops deep; the walk stops at the first op that leaves an event — a
//          sleep, Cond wait, yield or go statement; a send/receive with no partner parked on an
//          unbuffered channel (or a buffered one known full / empty), a select none of whose cases
//          can proceed, a contended lock (another goroutine parked on it, or holding it: Held()),
//          a wg_wait someone can still reach a Done for: GoBlock of
//          that kind; an op that readies a goroutine parked in its complement (a receive from a
//          parked sender, an unlock with a parked locker, a close, a Done, a Signal): GoUnblock of
//          that goroutine; the return of the function the goroutine was started in: GoEnd. A
//          receive from a channel known closed (Closed(): a close that dominates where some
//          goroutine stands) does not park, nor one from a buffered channel the walk (or the send
//          it completed last) just sent on (a semaphore's release after its acquire). Where the
//          state does not decide (an unknown occupancy, a lock someone may hold) both ways are
//          followed. Per candidate of the goroutine's own kinds (GoBlock(…), GoEnd, GoCreate,
//          GoSched): "walk:1" — a walk ends in that event (and "walk:only" — every walk does;
//          "walk:exit" — every walk that does left or skipped a loop whose trip count the index
//          does not know on the way: the loop's one exit, LeavesLoop),
//          "walk:0" — none does and every walk ended in an event, "walk:?" — none does, but a walk
//          ran out (8 ops) or left a function called from several places that it had not entered
//          through a call and that the last event's stack does not name (CallStack). The test
//          function's end is the testing package's code: it reports (Syscall, SyscallBlock) or
//          ends (GoEnd), so where a walk ends the test function the test goroutine's Syscall,
//          SyscallBlock and GoEnd candidates get "walk:end" instead of "walk:1" (a weaker claim
//          than an op of the program: the reports run in other goroutines as often; never
//          "walk:0" for system calls: calls into other packages make them anywhere). An "io" op (index
//          version 5: a call that may reach the OS) ends a walk in Syscall, SyscallBlock and
//          GoBlock(net), so any goroutine's Syscall/SyscallBlock candidates get "walk:1" when its
//          walk reaches one (no claim otherwise); one through a reader or writer of unknown kind
//          (version 8 `indirect`: io.Copy, an io.Reader's Read — a pipe underneath blocks on
//          channels) also makes the walk unknown ("walk:?" on the other kinds); a `pipe` one
//          (version 10: an io.Pipe's or net.Pipe's end, followed through the program) ends it in
//          GoBlock(select/recv/send/sync) instead, unknown past it, and its reads, writes and
//          closes act on the pipe's end channels like a channel's (a write readies the reader
//          parked at the other end: GoUnblock, partner facts; no reach claim); an "ext" op (a
//          call into code the index does not see) is walked past, makes the walk unknown, and adds
//          "walk:ext" to every candidate of the goroutine. Per GoUnblock candidate: "walk:1" when
//          the walk of a running goroutine readies it; "walk:pipe" when it is parked in an
//          indirect or pipe io op (a read or write that is or may be a pipe's) and the walk of another, running
//          goroutine reaches one (a pipe's other end: which pipe is not known).
// Without an index (nullptr) Facts returns an empty list, and models fall back to what they had.
// Thread-compatible: one tracker per run, advanced monotonically. Implemented in program_facts.cc
// (timeline, pending ops, the groups but walk) and program_walk.cc (the walk, dominators, channels
// known closed); data/fact_acts.h holds what both share.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sched/canon.h"
#include "sched/timeline.h"
#include "srcindex/index.h"

namespace schedcast::data {

// The fact groups, for ablations ("next", "partner", "loop", "create", "buffer", "wake", "walk";
// and "runq", the run queue's facts of data/runq.h, which need no index).
const std::vector<std::string>& FactGroups();
// The same, joined by `sep` ("next,partner,…": what a model file writes for "all").
std::string FactGroupsJoined(std::string_view sep = ",");
// The group of a fact string ("next:recv" → "next"; "at:"/"cap:"/"then:" → "next"; "partner_type:",
// "contend:" → "partner"; "child:" → "create"; "buf:"/"closed:" → "buffer"; "timer:"/"due:"/
// "queue:"/"reach:" → "wake"; "walk:" → "walk"; "runq:" → "runq").
std::string_view FactGroup(std::string_view fact);

struct FactAct;  // one synchronising action of an op: kind, object, type (data/fact_acts.h)

class FactTracker {
 public:
  // `test_name` is the program's function ("TestX" or "main"), whose first ops are the root's.
  FactTracker(const srcindex::Index* index, const sched::Timeline& t, const sched::Canonicalization& canon,
              std::string_view test_name);

  // Applies the timeline's events before `event_index` (never goes back).
  void AdvanceTo(uint64_t event_index);
  // Facts per candidate token (goroutine or site level); empty without an index.
  std::vector<std::vector<std::string>> Facts(const std::vector<std::string>& candidates);

 private:
  struct G {
    bool started = false, blocked = false, done = false;
    bool running = false;     // on a P now (started and not since blocked, yielded, preempted, ended)
    uint32_t site = 0;
    uint32_t callers = 0;     // the call sites above `site` (Timeline::callers) at that event
    sched::Kind last = sched::Kind::kGoStart;
    sched::Reason reason = sched::Reason::kNone;
    int64_t block_ts = 0;     // time of its last GoBlock
    uint64_t block_seq = 0;   // and its index in the timeline
    // The root's test function has returned: it made a system call or blocked with no user frame
    // on its stack (the testing package reporting, waiting for subtests): it stands at the
    // function's return (walk: "walk:end"), not at the stale site of its last user frame.
    bool returned = false;
    // Events at ops that always leave one (go, yield, sleep), per op id: the trips it made
    // through a loop holding such an op (LoopAllows).
    std::unordered_map<int, int> op_events;
  };
  // Whether a walk of goroutine raw may step from op `from` to its successor `to`, given the
  // trips of from's loop (index version 6: a loop of the goroutine's own function with a static
  // trip count, holding an op that always leaves an event): leaving the loop only once the
  // goroutine has made all its trips, going back to its head only before. A nested loop's trips
  // are counted per entry: its events modulo its trip count.
  bool LoopAllows(uint64_t raw, const srcindex::Op& from, int to) const;
  // Whether the step from op `from` (or, from_line set, from the entry of function from.func at
  // that line) to op `to` leaves or skips a loop whose trip count the index does not know (trips
  // 0): the loop's condition failing (at once: skipped), a break, a range over a channel that closed.
  bool LeavesLoop(const srcindex::Op& from, int to, int from_line = 0) const;
  // Whether loop `loop_id` holds op o (is o's innermost loop or one around it).
  bool InLoop(const srcindex::Op& o, int loop_id) const;
  std::vector<const srcindex::Op*> Pending(uint64_t g) const;
  // The call ops goroutine g is inside, outermost first, from the call sites of its last event's
  // stack (innermost first there): each caller frame's call op of the function the frame inside it
  // runs, as far as the index has them; empty without a stack. The innermost frame's function is
  // the one holding its line or that of an op on the line (`go func() {` starts a literal on the
  // go statement's line: the frame runs the go statement's function).
  std::vector<int> CallStack(uint64_t g) const;
  // Channel name → 1 (a goroutine is parked sending: full), 2 (parked receiving: empty), 3 (both:
  // the name covers several channels), from pending_.
  void Occupancy();
  // Blocked goroutine → the deadline of the shortest constant-duration wait among its pending ops
  // (block time + dur), and the earliest of them, from pending_.
  void Deadlines();
  // The ops reachable from op id `op` (itself, its successors, the first ops of the functions
  // reachable go statements start), memoized.
  const std::vector<int>& Closure(int op);
  // "then:" facts of a goroutine that is not blocked, whose pending ops are `mine`.
  void ThenFacts(const std::vector<const srcindex::Op*>& mine, std::vector<std::string>* f) const;
  // The "reach:" fact of goroutine `self` with pending ops `mine`; "" when it makes no claim.
  std::string_view ReachFact(uint64_t self, const std::vector<const srcindex::Op*>& mine);
  // How far another live goroutine than `self` can reach an op complementary to act `a` (kind,
  // object, type): 2 on the same object, 1 on an object of the same type only, 0 not at all, -1
  // not known — none in the index, but one can reach (or stands in) code the index does not see
  // (an "ext" op; a place outside the package), which may do it.
  int Reach(uint64_t self, const FactAct& a);
  // The walk of goroutine `raw` (the "walk" group): the events its walks end in ("GoBlock(recv)",
  // "GoEnd", "GoUnblock", …), the goroutines a GoUnblock readies, and whether a walk ran out.
  struct Walk {
    std::vector<std::string> events;
    // The events some path reaches without leaving a loop of unknown trip count (LeavesLoop): an
    // event only the other paths reach is a loop's exit, which a goroutine takes once per loop.
    std::vector<std::string> staying;
    std::vector<std::string> end;  // events past the test function's end (the testing package's)
    std::vector<uint64_t> woken;
    bool unknown = false;
    bool ext = false;  // some path passed a call into code the index does not see ("ext" op)
    bool pipe = false;  // some path reached an indirect or pipe io op (a read or write that is or may be a pipe's)
  };
  const Walk& WalkOf(uint64_t raw);
  // Appends the "walk:" facts to each candidate's (after the other groups').
  void WalkFacts(const std::vector<std::string>& candidates, std::vector<std::vector<std::string>>* out);
  // The goroutines blocked in an op complementary to act `a` on the same object (not `self`).
  void Parked(uint64_t self, const FactAct& a, std::vector<uint64_t>* out) const;
  // `ops` with each call op replaced by the called function's first ops, and the return of a
  // function other than the one goroutine `raw` was started in by what follows its one call (a
  // function called from several places keeps its return), 4 levels deep.
  std::vector<const srcindex::Op*> Expand(uint64_t raw, const std::vector<const srcindex::Op*>& ops) const;
  // The function goroutine `raw` was started in (its go statement's, or the test function); -1.
  int TopFunc(uint64_t raw) const;
  // Whether op x runs before op y on every path from their function's entry to y (x dominates y;
  // every op dominates itself); false for ops of different functions. Memoized per function.
  bool Dominates(int x, int y);
  // The channels (names that denote one channel) a close has surely run on: a close op that
  // dominates where some goroutine stands (the op it completed, the op it waits in — not that one
  // itself —, or its function's return once it ended), from gs_ and the sites.
  void Closed();
  // The ops goroutine `raw` last stood at (the op its last event was about), and whether it has
  // completed them; empty when it has no site yet.
  std::vector<const srcindex::Op*> Here(uint64_t raw, bool* completed) const;
  // Whether the channel name `obj` (used in `file`) denotes one channel for the whole run.
  bool OneChannel(std::string_view obj, std::string_view file) const;

  const srcindex::Index* idx_;
  const sched::Timeline& t_;
  const sched::Canonicalization& canon_;
  std::string test_name_;
  uint64_t applied_ = 0;
  std::unordered_map<uint64_t, G> gs_;
  std::unordered_map<int, std::vector<int>> loop_marks_;  // loop id → its ops that always leave an event
  // Per function, its loops of unknown trip count (trips 0): {loop id, last line holding an op of
  // theirs}; a step from above the loop's line to below that, outside it, skips the loop (LeavesLoop).
  std::unordered_map<int, std::vector<std::pair<int, int>>> open_loops_;
  std::unordered_map<std::string, uint64_t> by_path_;  // canonical path → raw id
  bool dirty_ = true;
  std::unordered_map<uint64_t, std::vector<const srcindex::Op*>> pending_;  // per step cache (Expand'ed)
  std::unordered_map<uint64_t, std::vector<const srcindex::Op*>> unexpanded_;  // the same before Expand
  std::unordered_map<std::string_view, int> occupancy_;                      // per step cache
  std::unordered_map<uint64_t, int64_t> deadline_;                           // per step cache
  std::unordered_map<uint64_t, Walk> walks_;                                 // per step cache
  std::set<std::string_view> closed_;                                        // per step cache
  std::vector<int> closes_;                                                   // close op ids
  std::vector<int> locks_;  // lock, rlock, unlock, runlock op ids
  std::unordered_map<uint64_t, std::vector<int>> held_;  // per step cache (Held): lock op ids
  std::unordered_map<int, std::vector<int>> callers_;  // function id → the call ops calling it
  // Goroutine → the locks it holds (lock or rlock ops): one that dominates where it stands (or
  // a call it is inside) with no unlock of the same object between them.
  void Held();
  // Per function id: its ops' local numbers, and dom[a][b] = op a dominates op b (local numbers).
  struct Dom {
    std::unordered_map<int, int> local;
    std::vector<std::vector<char>> dom;
  };
  std::unordered_map<int, Dom> doms_;
  int64_t first_deadline_ = 0, now_ = 0;
  std::unordered_map<int, std::vector<int>> closure_;  // op id → reachable op ids (whole run)
};

}  // namespace schedcast::data
