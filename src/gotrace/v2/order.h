// gotrace/v2/order.h — the scheduler model that puts a generation's events in Go's order.
//
// Events of different threads are merged by timestamp, but timestamps alone are not trusted: an
// event may only be taken ("advanced") when the model of goroutines, procs and threads allows it
// (a goroutine must be runnable with the preceding sequence number to start, a proc idle to be
// started, the GC cycle must be the next one, ...). Ordering::Advance decides that for one
// candidate event, updates the model, and queues the event(s) to emit with their M/P/G context
// and the argument fix-ups Go's reader applies (previous states of status events, task
// names carried to TaskEnd, the kind of a stop-the-world at its end). Some wire events become
// several (Go 1.23 GoSwitch: unblock + block/destroy + start; GoDestroySyscall with a proc: an
// extra ProcSteal, emitted before it in 1.23 and after it in 1.22).
// Advance returns an error for events that can never be valid (the trace is broken), false for
// events that may become possible after events of other threads. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "gotrace/v2/event.h"
#include "gotrace/v2/table.h"

namespace schedcast::gotrace::v2 {

class Ordering {
 public:
  explicit Ordering(int version) : version_(version) {}

  // Tries to advance `ev` (a wire event read on thread `m` of generation `gen`); on success the
  // resulting events are queued. `ev` may be modified (argument fix-ups) either way.
  absl::Status Advance(Event& ev, Table& table, int64_t m, uint64_t gen, bool* advanced);

  bool has_queued() const { return head_ < queue_.size(); }
  // Pops the next queued event.
  bool Pop(Event* out) {
    if (head_ < queue_.size()) {
      *out = queue_[head_++];
      if (head_ == queue_.size()) {
        queue_.clear();
        head_ = 0;
      }
      return true;
    }
    return false;
  }

  // A short description of the model (for "cannot advance" errors).
  std::string Describe() const;

 private:
  struct Seq {
    uint64_t gen = 0, n = 0;
    bool Follows(const Seq& prev) const { return gen == prev.gen && n == prev.n + 1; }
  };
  struct RangeKey {
    uint8_t type;  // the range's begin event type
    uint64_t desc;
    bool operator==(const RangeKey&) const = default;
  };
  struct Ranges {
    std::vector<RangeKey> active;
    bool Has(const RangeKey& k) const;
  };
  struct RegionKey {
    uint64_t task;
    std::string name;
    bool operator==(const RegionKey&) const = default;
  };
  struct GState {
    uint8_t status = 0;  // WireGoStatus
    Seq seq;
    std::vector<RegionKey> regions;
    Ranges ranges;
  };
  struct PState {
    uint8_t status = 0;  // WireProcStatus
    Seq seq;
    Ranges ranges;
  };
  struct MState {
    int64_t g = kNoGoroutine;
    int64_t p = kNoProc;
  };
  struct Ctx {
    int64_t g = kNoGoroutine, p = kNoProc, m = kNoThread;
  };
  struct TaskInfo {
    std::string name;
    uint64_t parent = kNoTask;
  };
  enum class GC : uint8_t { kUndetermined, kNotRunning, kRunning };

  void Push(const Event& ev, const Ctx& ctx) {
    Event& e = queue_.emplace_back(ev);
    e.m = ctx.m;
    e.p = ctx.p;
    e.g = ctx.g;
    e.kind = KindOfType(ev.type);
  }
  void PushMade(const Event& cause, uint8_t type, const Ctx& ctx, uint64_t a0 = 0, uint64_t a1 = 0);

  // Handlers: return OK with *ok set, or an error. `cur` may be changed to the context the event is
  // reported in; `next` is the thread's context after the event.
  absl::Status ProcStatus(Event& ev, Ctx& cur, Ctx& next, uint64_t gen);
  absl::Status ProcStart(Event& ev, Ctx& cur, Ctx& next, uint64_t gen, bool* ok);
  absl::Status ProcStop(Event& ev, Ctx& cur, Ctx& next);
  absl::Status ProcSteal(Event& ev, Ctx& cur, Ctx& next, uint64_t gen, bool* ok);
  absl::Status GoStatus(Event& ev, Ctx& cur, Ctx& next, uint64_t gen);
  absl::Status GoCreate(Event& ev, Ctx& cur, uint64_t gen);
  absl::Status GoStopExec(Event& ev, Ctx& cur, Ctx& next);
  absl::Status GoStart(Event& ev, Ctx& cur, Ctx& next, uint64_t gen, bool* ok);
  absl::Status GoUnblock(Event& ev, Ctx& cur, uint64_t gen, bool* ok);
  absl::Status GoSwitch(Event& ev, Ctx& cur, Ctx& next, uint64_t gen, bool* ok);
  absl::Status GoSyscallBegin(Event& ev, Ctx& cur, uint64_t gen);
  absl::Status GoSyscallEnd(Event& ev, Ctx& cur);
  absl::Status GoSyscallEndBlocked(Event& ev, Ctx& cur, Ctx& next, bool* ok);
  absl::Status GoCreateSyscall(Event& ev, Ctx& cur, Ctx& next, uint64_t gen);
  absl::Status GoDestroySyscall(Event& ev, Ctx& cur, Ctx& next);
  absl::Status TaskBegin(Event& ev, Table& table, Ctx& cur);
  absl::Status TaskEnd(Event& ev, Table& table, Ctx& cur);
  absl::Status RegionBeginEnd(Event& ev, Table& table, Ctx& cur);
  absl::Status GCActive(Event& ev, Ctx& cur, uint64_t gen, bool* ok);
  absl::Status GCBegin(Event& ev, Ctx& cur, bool* ok);
  absl::Status GCEnd(Event& ev, Ctx& cur, bool* ok);
  absl::Status SweepBegin(Event& ev, Ctx& cur);
  absl::Status SweepActive(Event& ev, Ctx& cur, uint64_t gen);
  absl::Status SweepEnd(Event& ev, Ctx& cur);
  absl::Status GoRangeBegin(Event& ev, Ctx& cur);
  absl::Status GoRangeActive(Event& ev, Ctx& cur, uint64_t gen);
  absl::Status GoRangeEnd(Event& ev, Ctx& cur);

  int version_;
  uint64_t initial_gen_ = 0;
  std::unordered_map<int64_t, GState> gs_;
  std::unordered_map<int64_t, PState> ps_;
  std::unordered_map<int64_t, MState> ms_;
  std::unordered_map<uint64_t, TaskInfo> tasks_;
  uint64_t gc_seq_ = 0;
  GC gc_ = GC::kUndetermined;
  std::vector<Event> queue_;
  size_t head_ = 0;
};

}  // namespace schedcast::gotrace::v2
