// data/runq.cc — the run-queue replay; the contract is in data/runq.h.
#include "data/runq.h"

#include <algorithm>

#include "data/fact_acts.h"

namespace schedcast::data {

using sched::Kind;
using sched::Reason;

RunQueue::RunQueue(const sched::Timeline& t, const sched::Canonicalization& canon) : t_(t) {
  for (const auto& [raw, id] : canon.ids)
    if (id.user) by_path_[id.path] = raw;
  // Runnable when tracing started: queued in id order (the order they were made is not known).
  for (const auto& [raw, info] : t.goroutines) {
    if (info.preexisting && info.initial == sched::GState::kRunnable) local_.push_back(raw);
    if (info.preexisting && info.initial == sched::GState::kBlocked) parked_[raw] = info.initial_reason;
    if (info.preexisting && info.initial == sched::GState::kRunning) running_.insert(raw);
  }
}

void RunQueue::Remove(uint64_t g) {
  if (runnext_ == g) runnext_ = 0;
  std::erase(local_, g);
  std::erase(global_, g);
}

void RunQueue::PutNext(uint64_t g) {
  Remove(g);
  if (runnext_ != 0) local_.push_back(runnext_);  // the one it displaces goes to the local tail
  runnext_ = g;
}

void RunQueue::AdvanceTo(uint64_t event_index) {
  for (; applied_ < event_index && applied_ < t_.events.size(); ++applied_) {
    const sched::Event& e = t_.events[applied_];
    if (e.kind == Kind::kGoStart || (e.kind == Kind::kSyscallExit && e.kept_p)) running_.insert(e.g);
    else if (e.kind != Kind::kGoCreate && e.kind != Kind::kGoUnblock && e.kind != Kind::kSyscall) running_.erase(e.g);
    switch (e.kind) {
      case Kind::kGoCreate:
        if (e.reason == Reason::kNone) PutNext(e.peer);  // a goroutine created blocked is not runnable
        else parked_[e.peer] = e.reason;
        break;
      case Kind::kGoUnblock: {
        auto p = parked_.find(e.peer);
        if (e.g == 0 && p != parked_.end() && p->second == Reason::kNet) {  // the network poller's: a local-queue put
          Remove(e.peer);
          local_.push_back(e.peer);
        } else {
          PutNext(e.peer);
        }
        if (p != parked_.end()) parked_.erase(p);
        break;
      }
      case Kind::kGoBlock:
        Remove(e.g);
        parked_[e.g] = e.reason;
        break;
      case Kind::kGoSched:
      case Kind::kGoPreempt:
        Remove(e.g);
        global_.push_back(e.g);
        break;
      case Kind::kSyscallExit:
        if (!e.kept_p) {  // its P was taken: runnable, on the global queue
          Remove(e.g);
          global_.push_back(e.g);
        }
        break;
      default:  // GoStart: it runs; GoEnd, Syscall, SyscallBlock: not runnable
        Remove(e.g);
    }
  }
}

uint64_t RunQueue::Next() const {
  if (runnext_ != 0) return runnext_;
  if (!local_.empty()) return local_.front();
  if (!global_.empty()) return global_.front();
  return 0;
}

void RunQueue::Facts(const std::vector<std::string>& candidates, std::vector<std::vector<std::string>>* out) const {
  const uint64_t next = Next();
  for (size_t i = 0; i < candidates.size() && i < out->size(); ++i) {
    const auto [type, who] = facts::ParseCandidate(candidates[i]);
    if (type != "GoStart" && type != "GoUnblock") continue;
    auto g = by_path_.find(std::string(who));
    if (g == by_path_.end()) continue;
    const uint64_t raw = g->second;
    if (type == "GoUnblock") {
      auto p = parked_.find(raw);
      if (p != parked_.end() && (p->second == Reason::kSleep || p->second == Reason::kNet))
        (*out)[i].push_back(running_.empty() ? "runq:wake_idle" : "runq:wake_busy");
      continue;
    }
    const char* f = raw == next                                                   ? "runq:next"
                    : raw == runnext_ || std::count(local_.begin(), local_.end(), raw) ? "runq:local"
                    : std::count(global_.begin(), global_.end(), raw)                  ? "runq:global"
                                                                                       : "runq:?";
    (*out)[i].push_back(f);
  }
}

}  // namespace schedcast::data
