// Implementation of gotrace/v1/order.h (see the contract there).
#include "gotrace/v1/order.h"

#include <algorithm>
#include <bit>

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
  explicit Merger(RawTrace* raw) : raw_(raw), ev_(raw->events), batches_(raw->batches.size()) {
    for (size_t b = 0; b < batches_.size(); ++b) batches_[b].head = raw->batches[b].head;
  }

  // Merges all batches; returns the first event of the merged chain (linked through Event::link).
  absl::StatusOr<uint32_t> Run() {
    size_t total = 0;
    for (const Batch& b : raw_->batches) total += b.size;
    for (uint32_t b = 0; b < batches_.size(); ++b) Consider(b);
    std::vector<Candidate> cands;
    bool heap = false;
    auto later = [](const Candidate& a, const Candidate& b) {
      return a.ts != b.ts ? a.ts > b.ts : a.admitted > b.admitted;
    };
    uint64_t admitted = 0;
    uint32_t first = kNoEvent, last = kNoEvent;
    for (size_t merged = 0; merged < total; ++merged) {
      // Admit the newly ready batch heads in batch order.
      if (ready_.size() > 1) std::sort(ready_.begin(), ready_.end());
      for (uint32_t b : ready_) {
        BatchState& bs = batches_[b];
        const uint32_t idx = bs.head;
        bs.head = ev_[idx].link;  // the event's link is free from here on
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
      if (last == kNoEvent) {
        first = c.ev;
      } else {
        ev_[last].link = c.ev;
      }
      last = c.ev;
      ev_[last].link = kNoEvent;
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
    return first;
  }

 private:
  struct BatchState {
    uint32_t head = kNoEvent;  // next event not yet admitted
    bool selected = false;     // its previous head is a candidate
    uint32_t next_waiter = 0;  // singly linked list of batches waiting under one key (index + 1)
  };

  // Queues batch b if its head may be merged now, else parks it until its goroutine changes state.
  void Consider(uint32_t b) {
    BatchState& bs = batches_[b];
    if (bs.selected || bs.head == kNoEvent) return;
    const Transition t = TransitionOf(ev_[bs.head]);
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
    WakeKey(WaitKey(g, now.status, now.seq));
    if (now.seq != kNoSeq) WakeKey(WaitKey(g, now.status, kNoSeq));
  }
  void WakeKey(uint64_t key) {
    uint32_t* list = waiters_.Find(key);
    if (!list) return;
    uint32_t keep = 0;  // hash collisions stay parked
    for (uint32_t cur = *list; cur != 0;) {
      const uint32_t b = cur - 1;
      BatchState& bs = batches_[b];
      cur = bs.next_waiter;
      const Transition t = TransitionOf(ev_[bs.head]);
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
    for (const BatchState& bs : batches_)
      if (bs.head != kNoEvent) best = std::min<uint64_t>(best, ev_[bs.head].off);
    return best == UINT64_MAX ? 0 : best;
  }

  RawTrace* raw_;
  std::vector<Event>& ev_;
  std::vector<BatchState> batches_;
  std::vector<uint32_t> ready_;
  FlatMap<GState> gs_;
  FlatMap<uint32_t> waiters_;
};

// Collects a batch's events (in list order).
std::vector<uint32_t> BatchEvents(const std::vector<Event>& ev, const Batch& b) {
  std::vector<uint32_t> out;
  out.reserve(b.size);
  for (uint32_t i = b.head; i != kNoEvent; i = ev[i].link) out.push_back(i);
  return out;
}

// Threads `order` through Event::link; returns its first element.
uint32_t Chain(std::vector<Event>& ev, const std::vector<uint32_t>& order) {
  for (size_t k = 0; k + 1 < order.size(); ++k) ev[order[k]].link = order[k + 1];
  ev[order.back()].link = kNoEvent;
  return order.front();
}

// Go 1.5 traces carry a global sequence number per event instead. (Old traces only: the O(events)
// index vector here is acceptable.)
uint32_t MergeBySeq(RawTrace* raw) {
  std::vector<uint32_t> all;
  all.reserve(raw->events.size());
  for (const Batch& b : raw->batches) {
    std::vector<uint32_t> part = BatchEvents(raw->events, b);
    all.insert(all.end(), part.begin(), part.end());
  }
  for (uint32_t i : all) {
    Event& e = raw->events[i];
    if (e.type == kEvGoSysExit) {  // emitted late: take its real sequence number and time
      raw->seqs[i] = e.args[1];
      if (const uint64_t real = raw->arg2.GetOr(e.off); real != 0) e.ts = static_cast<int64_t>(real);
    }
  }
  std::stable_sort(all.begin(), all.end(), [&](uint32_t a, uint32_t b) { return raw->seqs[a] < raw->seqs[b]; });
  return Chain(raw->events, all);
}

// Moves every event to position ev[i].link (a permutation), in place.
//
// Merged order interleaves the per-P runs of the file, so most events land near where they were
// read (within a few runtime buffers' worth of events). One streaming pass moves those through a
// ring of R events (sequential memory access); the few that travel further than R/2 (e.g. a P's
// batch flushed long after its events happened) are set aside first and dropped in at their
// positions. R is the power of two that minimises ring + set-aside memory. If even that would
// exceed max(16 MiB, a quarter of the events' size), cycles of the permutation are followed with
// swaps instead: also O(n) and no extra memory, but with random memory access.
//
// by_bits[b] counts the events whose travel distance |ev[i].link - i| has bit length b.
void PermuteToLinks(std::vector<Event>& ev, const size_t (&by_bits)[65]) {
  const size_t n = ev.size();
  auto distance = [&](size_t i) -> size_t {
    const size_t d = ev[i].link;
    return d > i ? d - i : i - d;
  };
  size_t best_bits = 0, best_cost = SIZE_MAX, n_far = 0;
  for (size_t bits = 12; bits <= 40; ++bits) {  // ring of 2^bits events; travel >= 2^(bits-1) is far
    size_t far_count = 0;
    for (size_t b = bits; b <= 64; ++b) far_count += by_bits[b];
    const size_t cost = (size_t{1} << bits) + far_count;
    if (cost < best_cost) {
      best_cost = cost;
      best_bits = bits;
      n_far = far_count;
    }
  }
  const size_t budget = std::max<size_t>(size_t{16} << 20, n * sizeof(Event) / 4) / sizeof(Event);
  if (best_cost > budget) {
    for (uint32_t i = 0; i < n; ++i) {
      while (ev[i].link != i) std::swap(ev[i], ev[ev[i].link]);
    }
    return;
  }
  constexpr uint32_t kHole = UINT32_MAX;  // (never a position: there are < 2^32 - 1 events)
  const size_t half = (size_t{1} << (best_bits - 1)) - 1;
  auto far = [&](size_t i) { return distance(i) > half; };
  std::vector<Event> set_aside;
  set_aside.reserve(n_far);
  for (size_t i = 0; i < n; ++i) {
    if (far(i)) {
      set_aside.push_back(ev[i]);
      ev[i].link = kHole;
    }
  }
  std::sort(set_aside.begin(), set_aside.end(), [](const Event& a, const Event& b) { return a.link < b.link; });
  // Invariant: positions below `out` hold their final events; the ring holds events read (from
  // positions <= in) but not yet written, at slot destination % ring size. Their destinations lie in
  // [in - half, in + half], so slots never collide. Position `out` is written only once read.
  std::vector<Event> ring(size_t{1} << best_bits);
  std::vector<uint8_t> full(ring.size());
  const size_t mask = ring.size() - 1;
  size_t out = 0, next_aside = 0;
  auto drain = [&](size_t limit) {
    while (out <= limit && out < n) {
      if (next_aside < set_aside.size() && set_aside[next_aside].link == out) {
        ev[out++] = set_aside[next_aside++];
      } else if (full[out & mask]) {
        full[out & mask] = 0;
        ev[out] = ring[out & mask];
        ++out;
      } else {
        break;
      }
    }
  };
  for (size_t in = 0; in < n; ++in) {
    if (ev[in].link != kHole) {
      const size_t slot = ev[in].link & mask;
      ring[slot] = ev[in];
      full[slot] = 1;
    }
    drain(in);
  }
  drain(n);
}

// ev is sorted by ts except at the positions in `moved` (ascending), whose ts changed; each event's
// link holds its position. Re-sorts stably by ts (ties keep position order) with O(|moved|) memory.
void MergeMoved(std::vector<Event>& ev, const std::vector<uint32_t>& moved) {
  std::vector<Event> m;
  m.reserve(moved.size());
  for (uint32_t pos : moved) m.push_back(ev[pos]);
  std::stable_sort(m.begin(), m.end(), [](const Event& a, const Event& b) { return a.ts < b.ts; });
  // Slide the unmoved events to the end, keeping their order.
  size_t w = ev.size(), k = moved.size();
  for (size_t i = ev.size(); i-- > 0;) {
    if (k > 0 && moved[k - 1] == i) {
      --k;
      continue;
    }
    ev[--w] = ev[i];
  }
  size_t out = 0, r = w, j = 0;
  while (j < m.size()) {
    if (r < ev.size() && (ev[r].ts < m[j].ts || (ev[r].ts == m[j].ts && ev[r].link < m[j].link))) {
      ev[out++] = ev[r++];
    } else {
      ev[out++] = m[j++];
    }
  }
}

int64_t TicksToNs(int64_t ticks, int64_t min_ticks, double ns_per_tick) {
  const int64_t delta = static_cast<int64_t>(static_cast<uint64_t>(ticks) - static_cast<uint64_t>(min_ticks));
  const double ns = static_cast<double>(delta) * ns_per_tick;
  // Go converts with CVTTSD2SQ on amd64: out-of-range values become INT64_MIN.
  if (ns >= -9223372036854775808.0 && ns < 9223372036854775808.0) return static_cast<int64_t>(ns);
  return INT64_MIN;
}

}  // namespace

absl::Status OrderEvents(RawTrace* raw) {
  std::vector<Event>& ev = raw->events;
  uint32_t first;
  if (raw->version < 1007) {
    first = MergeBySeq(raw);
  } else {
    for (Batch& b : raw->batches) {
      if (b.p != kProfileP) continue;
      std::vector<uint32_t> samples = BatchEvents(ev, b);
      std::stable_sort(samples.begin(), samples.end(), [&](uint32_t x, uint32_t y) { return ev[x].ts < ev[y].ts; });
      b.head = Chain(ev, samples);
      b.tail = samples.back();
    }
    SC_ASSIGN_OR_RETURN(first, Merger(raw).Run());
  }
  // One walk along the merged chain: the stream must already be in timestamp order; a syscall
  // exit (written when its goroutine gets a P again) takes its real time from args[2]; and the
  // chain turns into positions. Go checks the order before fixing exits, so an order error wins.
  FlatMap<int64_t> last_sys_block;
  std::vector<uint32_t> moved;
  absl::Status exit_error;
  int64_t prev_ts = INT64_MIN;
  uint32_t pos = 0;
  size_t by_bits[65] = {};  // travel distances, for PermuteToLinks
  for (uint32_t i = first; i != kNoEvent; ++pos) {
    Event& e = ev[i];
    by_bits[std::bit_width(static_cast<size_t>(i > pos ? i - pos : pos - i))]++;
    if (e.ts < prev_ts) return DataErrorAt(e.off, "time stamps out of order");
    prev_ts = e.ts;
    if (raw->version >= 1007 && exit_error.ok()) {
      if (e.type == kEvGoSysBlock || e.type == kEvGoInSyscall) {
        last_sys_block[e.g] = e.ts;
      } else if (e.type == kEvGoSysExit) {
        if (const uint64_t* real_ts = raw->arg2.Find(e.off)) {  // absent: 0, "not known"
          const int64_t real = static_cast<int64_t>(*real_ts);
          const int64_t block = last_sys_block.GetOr(e.g);
          if (block == 0) {
            exit_error = DataErrorAt(e.off, "stray syscall exit");
          } else if (real < block) {
            exit_error = DataErrorAt(e.off, "time stamps out of order (syscall exit before its block)");
          } else {
            if (real != e.ts) moved.push_back(pos);
            e.ts = real;
          }
        }
      }
    }
    i = e.link;
    e.link = pos;
  }
  SC_RETURN_IF_ERROR(exit_error);
  PermuteToLinks(ev, by_bits);
  if (!moved.empty()) MergeMoved(ev, moved);

  const int64_t min_ticks = ev.front().ts;
  const double ns_per_tick = 1e9 / static_cast<double>(raw->ticks_per_sec);
  for (Event& e : ev) {
    e.ts = TicksToNs(e.ts, min_ticks, ns_per_tick);
    if (e.type == kEvGoUnblock && raw->timer_goroutines.Contains(e.g)) e.p = static_cast<int32_t>(kTimerP);
    if (e.type == kEvGoSysExit) e.p = static_cast<int32_t>(kSyscallP);
  }
  return absl::OkStatus();
}

}  // namespace schedcast::gotrace::v1::internal
