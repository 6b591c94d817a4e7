// data/runq.h — the scheduler's run queue replayed from a run's events: which runnable goroutine
// the runtime starts next ("runq:" facts, group "runq" of data/program_facts.h's FactGroups).
//
// The Go scheduler keeps, per P, a one-slot `runnext` and a FIFO local run queue, and one global
// FIFO queue. A goroutine made runnable by the running one — created by a go statement, or readied
// (a send to a parked receiver, an unlock, a timer firing) — goes to runnext, and the goroutine that
// held runnext moves to the local queue's tail; a goroutine that yields (runtime.Gosched) or is
// preempted goes to the global queue's tail, as does one leaving a system call whose P was taken.
// When the running goroutine stops, the P starts runnext, else the local queue's head, else the
// global queue's head. RunQueue replays that with one P over the timeline's events (every
// goroutine's, the runtime's included), which is exact in order for GOMAXPROCS=1 except for the
// global queue's periodic fairness check (every 61st schedule) and wake-ups from the network poller
// (treated as local-queue puts); with several Ps it is a guess — the model conditions facts on the
// P count (model/structured.cc).
// Facts, per GoStart candidate: "runq:next" — the goroutine the replay starts next;
// "runq:local" / "runq:global" — queued behind it in the local / global queue; "runq:?" — runnable
// but not in the replayed queues (it became runnable in a way the replay does not see).
// Per GoUnblock candidate parked in a wait the runtime itself ends — a sleep or the network poller
// (GoBlock(sleep), GoBlock(net)) —: "runq:wake_busy" while some goroutine runs (the scheduler
// fires timers and polls the network when a P looks for work, so such a wake-up then is rare:
// 0.1 % of the io folder's net waits, none of the sleeps, in the corpus's training split),
// "runq:wake_idle" while none does. One fact for both waits, so that what training learns on
// sleeps carries to a program that waits on the network. No facts for other candidates.
// Thread-compatible: one per run, advanced monotonically.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sched/canon.h"
#include "sched/timeline.h"

namespace schedcast::data {

class RunQueue {
 public:
  RunQueue(const sched::Timeline& t, const sched::Canonicalization& canon);
  // Applies the timeline's events before `event_index` (never goes back).
  void AdvanceTo(uint64_t event_index);
  // Appends the "runq:" fact to each GoStart candidate's facts (out has one list per candidate).
  void Facts(const std::vector<std::string>& candidates, std::vector<std::vector<std::string>>* out) const;
  // The goroutine (raw id) the replay starts next; 0 when every queue is empty.
  uint64_t Next() const;

 private:
  void Remove(uint64_t g);
  void PutNext(uint64_t g);

  const sched::Timeline& t_;
  std::map<std::string, uint64_t> by_path_;  // canonical path → raw id (user goroutines)
  uint64_t runnext_ = 0;
  std::deque<uint64_t> local_, global_;
  std::map<uint64_t, sched::Reason> parked_;  // blocked goroutines → the reason of their GoBlock
  std::set<uint64_t> running_;                // started and not since stopped
  size_t applied_ = 0;
};

}  // namespace schedcast::data
