// data/fact_acts.h — what the program-fact code (program_facts.cc, program_walk.cc) shares about
// source-index ops: the synchronising actions of an op (its kind, object, type and aliases; a
// select's cases), which kinds complement each other, which always leave an event or never park.
// Internal to src/data; pure functions on immutable index ops (thread-safe).
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sched/event.h"
#include "srcindex/index.h"

namespace schedcast::data {

struct FactAct {
  std::string_view kind, obj, type;
  const std::vector<std::string>* aliases;  // obj's other names (a parameter passed several objects)
};

namespace facts {

using Act = FactAct;
using sched::Reason;
using srcindex::Op;

inline bool Matches(Reason r, std::string_view kind) {
  switch (r) {
    case Reason::kSend: return kind == "send";
    case Reason::kRecv: return kind == "recv";
    case Reason::kSelect: return kind == "select";
    case Reason::kSync: return kind == "lock" || kind == "rlock" || kind == "wg_wait" || kind == "once";
    case Reason::kCond: return kind == "cond_wait";
    case Reason::kSleep: return kind == "sleep" || kind == "timer";
    case Reason::kNet: return kind == "io";  // a read waiting for the network poller (a socket, a pipe)
    default: return false;
  }
}

inline bool Complement(std::string_view a, std::string_view b) {
  static const std::set<std::pair<std::string_view, std::string_view>> pairs = {
      {"send", "recv"},      {"close", "recv"},      {"unlock", "lock"},    {"unlock", "rlock"},
      {"runlock", "lock"},   {"wg_done", "wg_wait"}, {"signal", "cond_wait"}, {"broadcast", "cond_wait"}};
  return pairs.count({a, b}) || pairs.count({b, a});
}

// A pipe op's actions (index version 10) are typed "pipe": sends, receives and closes of the
// pipe's end channels, so that a write readies a reader parked at the other end.
inline constexpr std::string_view kPipeType = "pipe";

inline void Acts(const Op* o, std::vector<Act>* out) {
  static const std::vector<std::string> kNoAliases;
  if (o->kind == "select") {
    for (const auto& c : o->cases)
      if (c.kind != "default") out->push_back({c.kind, c.obj, c.type, &c.aliases});
  } else if (o->pipe) {
    for (const auto& c : o->pipe_recv) out->push_back({"recv", c, kPipeType, &kNoAliases});
    for (const auto& c : o->pipe_send) out->push_back({"send", c, kPipeType, &kNoAliases});
    for (const auto& c : o->pipe_close) out->push_back({"close", c, kPipeType, &kNoAliases});
  } else if (!o->obj.empty()) {
    out->push_back({o->kind, o->obj, o->type, &o->aliases});
  }
}

// Whether a goroutine parked for reason r may be parked in op o: o's kind blocks that way, or o is
// a pipe's read or write (it parks in a select, a plain send or receive, or on the writers' mutex).
inline bool ParkedIn(Reason r, const Op* o) {
  if (Matches(r, o->kind)) return true;
  return o->pipe && (r == Reason::kSelect || r == Reason::kRecv || r == Reason::kSend || r == Reason::kSync);
}

inline bool Holds(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether two acts may be on one object: the same name, or one's name among the other's aliases,
// or a name both alias (two parameters passed the same object).
inline bool SameObject(const Act& a, const Act& b) {
  if (a.obj == b.obj || Holds(*a.aliases, b.obj) || Holds(*b.aliases, a.obj)) return true;
  for (const std::string& x : *a.aliases)
    if (Holds(*b.aliases, x)) return true;
  return false;
}

// A receive from it waits for the clock: time.After/Tick (the index types the case "timer"), or a
// channel of time.Time (Timer.C, Ticker.C).
inline bool TimerChannel(const Act& a) { return a.type == "timer" || a.type.ends_with("chan time.Time"); }

// Ops the tracer always records when they run: a sleep and a Cond wait always park (GoBlock), a
// yield is a GoSched, a go statement a GoCreate. A goroutine cannot be past one unrecorded.
inline bool AlwaysRecorded(std::string_view kind) {
  return kind == "sleep" || kind == "cond_wait" || kind == "yield" || kind == "go";
}

// Ops that never park the goroutine (and leave no event of their own).
inline bool NeverParks(std::string_view kind) {
  return kind == "unlock" || kind == "runlock" || kind == "wg_add" || kind == "wg_done" || kind == "close" ||
         kind == "signal" || kind == "broadcast" || kind == "timer";
}

// Ops whose completion can ready a parked goroutine: the op a GoUnblock's stack names (the
// unblocker's own op, completed by the time the event is written).
inline bool Readies(std::string_view kind) {
  return kind == "send" || kind == "recv" || kind == "select" || kind == "close" || kind == "unlock" ||
         kind == "runlock" || kind == "wg_done" || kind == "signal" || kind == "broadcast" || kind == "once";
}

// The events an "io" op (a call that may reach the operating system: index version 5) may leave:
// a system call, one that blocks, a wait for the network poller.
inline constexpr std::string_view kIoEvents[] = {"Syscall", "SyscallBlock", "GoBlock(net)"};

// The events a read or write of a net.Pipe's or io.Pipe's end (an "io" op with `pipe`: index
// version 10) may leave: it offers its bytes in a select, then hands the count over on a plain
// send (reader) or receive (writer); writers queue on a mutex. Never a system call.
inline constexpr std::string_view kPipeEvents[] = {"GoBlock(select)", "GoBlock(recv)", "GoBlock(send)",
                                                   "GoBlock(sync)"};

inline bool IsChan(const Op* o) { return o->kind == "send" || o->kind == "recv" || o->kind == "close"; }

inline void AddUnique(std::vector<std::string>* v, std::string s) {
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(std::move(s));
}

// The channel ops (kind send/recv, object, capacity) of one op: itself, or a select's cases.
// `several`: the name is a parameter passed several channels (it has aliases).
struct ChanAct {
  std::string_view kind, obj;
  int cap;
  bool several;
};

inline void ChanActs(const Op* o, std::vector<ChanAct>* out) {
  if (o->kind == "select") {
    for (const auto& c : o->cases)
      if (c.kind == "send" || c.kind == "recv") out->push_back({c.kind, c.obj, c.cap, !c.aliases.empty()});
  } else if (o->kind == "send" || o->kind == "recv") {
    out->push_back({o->kind, o->obj, o->cap, !o->aliases.empty()});
  }
}

// Ops that wait for another goroutine (the acts `reach:` and the walk ask about).
inline bool Waits(std::string_view kind) {
  return kind == "recv" || kind == "send" || kind == "lock" || kind == "rlock" || kind == "wg_wait" ||
         kind == "cond_wait";
}

// A candidate token's type ("GoBlock(recv)") and goroutine ("T.0"; a GoCreate's creator), its
// " @site" suffix dropped; `who` is the whole token when it names no goroutine.
struct Candidate {
  std::string_view type, who;
};
inline Candidate ParseCandidate(std::string_view c) {
  if (size_t at = c.find(" @"); at != std::string_view::npos) c = c.substr(0, at);
  const size_t sp = c.rfind(' ');
  std::string_view who = sp == std::string_view::npos ? c : c.substr(sp + 1);
  return {c.substr(0, c.find(' ')), who.substr(0, who.find('>'))};  // "GoCreate T>T.0": the creator
}

}  // namespace facts
}  // namespace schedcast::data
