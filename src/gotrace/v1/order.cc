#include "gotrace/v1/order.h"

#include <algorithm>

namespace schedcast::gotrace::v1::internal {
namespace {

// Goroutine statuses as the ordering tracks them.
enum Status : uint8_t { kDead = 0, kRunnable = 1, kRunning = 2, kWaiting = 3 };

// Sentinels of the sequence-number protocol. They share values with real ids on purpose: Go's
// parser compares raw numbers, so an id equal to a sentinel behaves as the sentinel there too.
constexpr uint64_t kUnordered = ~uint64_t{0};  // "goroutine" of events with no ordering constraint
constexpr uint64_t kGarbage = ~uint64_t{0} - 1;  // pseudo-goroutine that orders GC cycles
constexpr uint64_t kNoSeq = ~uint64_t{0};      // init: any sequence number; next: keep it
constexpr uint64_t kSeqInc = ~uint64_t{0} - 1;  // next: current sequence number + 1

// Above this many candidates Go's sort is no longer an insertion sort (and its batch order is a
// random map order), so exact emulation stops there.
constexpr size_t kMaxEmulatedCandidates = 12;

struct GState {
  uint64_t seq = 0;
  uint8_t status = kDead;
};

struct Transition {
  uint64_t g = kUnordered;
  GState init, next;
};

Transition TransitionOf(const Event& e) {
  Transition t;
  switch (e.type) {
    case kEvGoCreate:
      t.g = e.args[0];
      t.init = {0, kDead};
      t.next = {1, kRunnable};
      break;
    case kEvGoWaiting: case kEvGoInSyscall:
      t.g = e.g;
      t.init = {1, kRunnable};
      t.next = {2, kWaiting};
      break;
    case kEvGoStart: case kEvGoStartLabel:
      t.g = e.g;
      t.init = {e.args[1], kRunnable};
      t.next = {e.args[1] + 1, kRunning};
      break;
    case kEvGoStartLocal:  // same P as its creation/unblock, which is therefore already merged
      t.g = e.g;
      t.init = {kNoSeq, kRunnable};
      t.next = {kSeqInc, kRunning};
      break;
    case kEvGoBlock: case kEvGoBlockSend: case kEvGoBlockRecv: case kEvGoBlockSelect: case kEvGoBlockSync:
    case kEvGoBlockCond: case kEvGoBlockNet: case kEvGoSleep: case kEvGoSysBlock: case kEvGoBlockGC:
      t.g = e.g;
      t.init = {kNoSeq, kRunning};
      t.next = {kNoSeq, kWaiting};
      break;
    case kEvGoSched: case kEvGoPreempt:
      t.g = e.g;
      t.init = {kNoSeq, kRunning};
      t.next = {kNoSeq, kRunnable};
      break;
    case kEvGoUnblock: case kEvGoSysExit:
      t.g = e.args[0];
      t.init = {e.args[1], kWaiting};
      t.next = {e.args[1] + 1, kRunnable};
      break;
    case kEvGoUnblockLocal: case kEvGoSysExitLocal:
      t.g = e.args[0];
      t.init = {kNoSeq, kWaiting};
      t.next = {kSeqInc, kRunnable};
      break;
    case kEvGCStart:
      t.g = kGarbage;
      t.init = {e.args[0], kDead};
      t.next = {e.args[0] + 1, kDead};
      break;
    default:
      break;
  }
  return t;
}

bool Ready(uint64_t g, GState cur, GState init) {
  return g == kUnordered || ((init.seq == kNoSeq || init.seq == cur.seq) && init.status == cur.status);
}

uint64_t WaitKey(uint64_t g, uint8_t status, uint64_t seq) {
  uint64_t h = g * 0x9e3779b97f4a7c15ULL;
  h ^= (seq + 0x632be59bd9b4e019ULL) * 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 29;
  return h + status;
}

void FoldLocal(Event& e) {
  switch (e.type) {
    case kEvGoStartLocal: e.type = kEvGoStart; break;
    case kEvGoUnblockLocal: e.type = kEvGoUnblock; break;
    case kEvGoSysExitLocal: e.type = kEvGoSysExit; break;
    default: break;
  }
}

struct Candidate {
  int64_t ts;
  uint64_t admitted;  // admission counter: tie-break once the exact emulation is abandoned
  uint32_t batch;
  uint32_t ev;
  Transition tr;
};

class Merger {
 public:
  explicit Merger(RawTrace* raw) : raw_(raw), ev_(raw->events), batches_(raw->batches.size()) {}

  absl::StatusOr<std::vector<uint32_t>> Run() {
    size_t total = 0;
    for (const Batch& b : raw_->batches) total += b.events.size();
    std::vector<uint32_t> out;
    out.reserve(total);
    for (uint32_t b = 0; b < batches_.size(); ++b) Consider(b);
    std::vector<Candidate> cands;
    bool heap = false;
    auto later = [](const Candidate& a, const Candidate& b) {
      return a.ts != b.ts ? a.ts > b.ts : a.admitted > b.admitted;
    };
    uint64_t admitted = 0;
    while (out.size() < total) {
      // Admit the newly ready batch heads in batch order.
      if (ready_.size() > 1) std::sort(ready_.begin(), ready_.end());
      for (uint32_t b : ready_) {
        BatchState& bs = batches_[b];
        const uint32_t idx = raw_->batches[b].events[bs.head++];
        bs.selected = true;
        Candidate c{ev_[idx].ts, admitted++, b, idx, TransitionOf(ev_[idx])};
        FoldLocal(ev_[idx]);
        cands.push_back(c);
        if (heap) std::push_heap(cands.begin(), cands.end(), later);
      }
      ready_.clear();
      if (cands.empty()) return DataErrorAt(FirstPendingOffset(), "no consistent ordering of events possible");
      if (!heap && cands.size() > kMaxEmulatedCandidates) {
        heap = true;
        std::make_heap(cands.begin(), cands.end(), later);
      }
      Candidate c;
      if (heap) {
        std::pop_heap(cands.begin(), cands.end(), later);
        c = cands.back();
        cands.pop_back();
      } else {
        // Stable insertion sort by timestamp, then take the first and refill its slot from the end.
        for (size_t i = 1; i < cands.size(); ++i)
          for (size_t j = i; j > 0 && cands[j].ts < cands[j - 1].ts; --j) std::swap(cands[j], cands[j - 1]);
        c = cands.front();
        cands.front() = cands.back();
        cands.pop_back();
      }
      out.push_back(c.ev);
      if (c.tr.g != kUnordered) {
        GState cur = gs_.GetOr(c.tr.g);
        if (!Ready(c.tr.g, cur, c.tr.init)) {
          return DataErrorAt(ev_[c.ev].off, Cat("inconsistent sequence numbers of goroutine ", c.tr.g));
        }
        GState next = c.tr.next;
        if (next.seq == kNoSeq) next.seq = cur.seq;
        else if (next.seq == kSeqInc) next.seq = cur.seq + 1;
        gs_[c.tr.g] = next;
        Wake(c.tr.g, next);
      }
      batches_[c.batch].selected = false;
      Consider(c.batch);
    }
    return out;
  }

 private:
  struct BatchState {
    size_t head = 0;
    bool selected = false;
    uint32_t next_waiter = 0;  // singly linked list of batches waiting under one key (index + 1)
  };

  // Queues batch b if its head may be merged now, else parks it until its goroutine changes state.
  void Consider(uint32_t b) {
    const std::vector<uint32_t>& evs = raw_->batches[b].events;
    BatchState& bs = batches_[b];
    if (bs.selected || bs.head >= evs.size()) return;
    const Transition t = TransitionOf(ev_[evs[bs.head]]);
    if (t.g == kUnordered || Ready(t.g, gs_.GetOr(t.g), t.init)) {
      ready_.push_back(b);
      return;
    }
    uint32_t& list = waiters_[WaitKey(t.g, t.init.status, t.init.seq)];
    bs.next_waiter = list;
    list = b + 1;
  }

  // Moves batches parked on goroutine g's new state to the ready list.
  void Wake(uint64_t g, GState now) {
    WakeKey(g, WaitKey(g, now.status, now.seq));
    if (now.seq != kNoSeq) WakeKey(g, WaitKey(g, now.status, kNoSeq));
  }
  void WakeKey(uint64_t g, uint64_t key) {
    uint32_t* list = waiters_.Find(key);
    if (!list) return;
    uint32_t keep = 0;  // hash collisions stay parked
    for (uint32_t cur = *list; cur != 0;) {
      const uint32_t b = cur - 1;
      BatchState& bs = batches_[b];
      cur = bs.next_waiter;
      const Transition t = TransitionOf(ev_[raw_->batches[b].events[bs.head]]);
      if (Ready(t.g, gs_.GetOr(t.g), t.init)) {
        bs.next_waiter = 0;
        ready_.push_back(b);
      } else {
        bs.next_waiter = keep;
        keep = b + 1;
      }
    }
    if (keep == 0) {
      waiters_.Erase(key);
    } else {
      *waiters_.Find(key) = keep;
    }
  }

  uint64_t FirstPendingOffset() const {
    uint64_t best = UINT64_MAX;
    for (size_t b = 0; b < batches_.size(); ++b) {
      const auto& evs = raw_->batches[b].events;
      if (batches_[b].head < evs.size()) best = std::min(best, ev_[evs[batches_[b].head]].off);
    }
    return best == UINT64_MAX ? 0 : best;
  }

  RawTrace* raw_;
  std::vector<Event>& ev_;
  std::vector<BatchState> batches_;
  std::vector<uint32_t> ready_;
  FlatMap<GState> gs_;
  FlatMap<uint32_t> waiters_;
};

// Go 1.5 traces carry a global sequence number per event instead.
absl::StatusOr<std::vector<uint32_t>> MergeBySeq(RawTrace* raw) {
  std::vector<uint32_t> out;
  for (const Batch& b : raw->batches) out.insert(out.end(), b.events.begin(), b.events.end());
  for (uint32_t i : out) {
    Event& e = raw->events[i];
    if (e.type == kEvGoSysExit) {  // emitted late: take its real sequence number and time
      raw->seqs[i] = e.args[1];
      if (e.args[2] != 0) e.ts = static_cast<int64_t>(e.args[2]);
    }
  }
  std::stable_sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) { return raw->seqs[a] < raw->seqs[b]; });
  return out;
}

int64_t TicksToNs(int64_t ticks, int64_t min_ticks, double ns_per_tick) {
  const int64_t delta = static_cast<int64_t>(static_cast<uint64_t>(ticks) - static_cast<uint64_t>(min_ticks));
  const double ns = static_cast<double>(delta) * ns_per_tick;
  // Go converts with CVTTSD2SQ on amd64: out-of-range values become INT64_MIN.
  if (ns >= -9223372036854775808.0 && ns < 9223372036854775808.0) return static_cast<int64_t>(ns);
  return INT64_MIN;
}

}  // namespace

absl::StatusOr<std::vector<uint32_t>> OrderEvents(RawTrace* raw) {
  std::vector<Event>& ev = raw->events;
  auto by_ts = [&](uint32_t a, uint32_t b) { return ev[a].ts < ev[b].ts; };
  std::vector<uint32_t> order;
  if (raw->version < 1007) {
    SC_ASSIGN_OR_RETURN(order, MergeBySeq(raw));
    for (size_t i = 1; i < order.size(); ++i) {
      if (ev[order[i]].ts < ev[order[i - 1]].ts) return DataErrorAt(ev[order[i]].off, "time stamps out of order");
    }
  } else {
    for (Batch& b : raw->batches) {
      if (b.p == kProfileP) std::stable_sort(b.events.begin(), b.events.end(), by_ts);
    }
    SC_ASSIGN_OR_RETURN(order, Merger(raw).Run());
    for (size_t i = 1; i < order.size(); ++i) {
      if (ev[order[i]].ts < ev[order[i - 1]].ts) return DataErrorAt(ev[order[i]].off, "time stamps out of order");
    }
    // A syscall exit is written when the goroutine gets a P again; its real time is in args[2].
    FlatMap<int64_t> last_sys_block;
    bool moved = false;
    for (uint32_t i : order) {
      Event& e = ev[i];
      if (e.type == kEvGoSysBlock || e.type == kEvGoInSyscall) {
        last_sys_block[e.g] = e.ts;
      } else if (e.type == kEvGoSysExit) {
        const int64_t real = static_cast<int64_t>(e.args[2]);
        if (real == 0) continue;
        const int64_t block = last_sys_block.GetOr(e.g);
        if (block == 0) return DataErrorAt(e.off, "stray syscall exit");
        if (real < block) return DataErrorAt(e.off, "time stamps out of order (syscall exit before its block)");
        if (real != e.ts) moved = true;
        e.ts = real;
      }
    }
    if (moved) std::stable_sort(order.begin(), order.end(), by_ts);
  }

  const int64_t min_ticks = ev[order.front()].ts;
  const double ns_per_tick = 1e9 / static_cast<double>(raw->ticks_per_sec);
  for (uint32_t i : order) {
    Event& e = ev[i];
    e.ts = TicksToNs(e.ts, min_ticks, ns_per_tick);
    if (e.type == kEvGoUnblock && raw->timer_goroutines.Contains(e.g)) e.p = kTimerP;
    if (e.type == kEvGoSysExit) e.p = kSyscallP;
  }
  return order;
}

}  // namespace schedcast::gotrace::v1::internal
