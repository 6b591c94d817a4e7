#include "gotrace/v2/reader.h"

#include <algorithm>
#include <limits>

#include "gotrace/format.h"

namespace schedcast::gotrace::v2 {
namespace {

// Decodes an unsigned LEB128 varint of at most 10 bytes that fits in 64 bits.
inline bool DecodeUvarint(const uint8_t*& p, const uint8_t* end, uint64_t* out) {
  uint64_t x = 0;
  unsigned shift = 0;
  for (int i = 0; i < 10; ++i) {
    if (p == end) return false;
    const uint8_t b = *p++;
    if (b < 0x80) {
      if (i == 9 && b > 1) return false;
      *out = x | static_cast<uint64_t>(b) << shift;
      return true;
    }
    x |= static_cast<uint64_t>(b & 0x7f) << shift;
    shift += 7;
  }
  return false;
}

inline int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

}  // namespace

Reader::Reader(std::unique_ptr<ByteSource> source, int version)
    : source_(std::move(source)), version_(version), gens_(*source_, version, kHeaderSize), order_(version) {
  gen_.table = Table(version);
}

Reader::~Reader() = default;

absl::StatusOr<std::unique_ptr<Reader>> Reader::FromBytes(std::string_view data) {
  return Open(MemorySource(data));
}

absl::StatusOr<std::unique_ptr<Reader>> Reader::Open(std::unique_ptr<ByteSource> source) {
  std::string scratch;
  const uint64_t n = std::min<uint64_t>(kHeaderSize, source->size());
  SC_ASSIGN_OR_RETURN(std::string_view head, source->ReadAt(0, n, scratch));
  SC_ASSIGN_OR_RETURN(Header h, ParseHeader(head));
  if (h.format != Format::kV2)
    return BadInputError(Cat("offset 0: trace version go 1.", h.version - 1000,
                                          " is in the old format; the v2 reader handles go 1.22 and later"));
  return std::unique_ptr<Reader>(new Reader(std::move(source), h.version));
}

absl::Status Reader::Fail(absl::Status s) {
  failed_ = s;
  return s;
}

absl::StatusOr<bool> Reader::Next(Event* ev) {
  if (!failed_.ok()) return failed_;
  absl::StatusOr<bool> more = NextUnchecked(ev);
  if (!more.ok()) return Fail(more.status());
  if (!*more) return false;
  absl::Status ids = CheckIds(*ev);
  if (!ids.ok()) return Fail(ids);
  if (ev->time <= last_ts_) ev->time = WrapAdd(last_ts_, 1);
  last_ts_ = ev->time;
  return true;
}

absl::StatusOr<bool> Reader::NextGeneration(std::vector<Event>* events) {
  events->clear();
  Event ev;
  for (;;) {
    SC_ASSIGN_OR_RETURN(bool more, Next(&ev));
    if (!more) return !events->empty();
    events->push_back(ev);
    if (ev.type == kEvSync && version_ < 1025) return true;
    if (version_ >= 1025 && AtGenerationEnd()) return true;
  }
}

absl::Status Reader::CheckIds(const Event& ev) const {
  if (ev.type == kEvSync) return absl::OkStatus();
  const Table& t = gen_.table;
  auto missing_stack = [&](uint64_t id) {
    return DataErrorAt(ev.offset, Cat(TypeName(ev.type), " event refers to stack id ", id,
                                      ", which is not in the stack table of generation ", gen_.gen));
  };
  if (ev.type == kEvCPUSample) {
    if (!t.has_stack(ev.args[0])) return missing_stack(ev.args[0]);
    return absl::OkStatus();
  }
  const Spec& s = SpecOf(ev.type);
  if (s.stack >= 0 && !t.has_stack(ev.args[s.stack])) return missing_stack(ev.args[s.stack]);
  if (s.new_stack >= 0 && !t.has_stack(ev.args[s.new_stack])) return missing_stack(ev.args[s.new_stack]);
  for (int8_t i : s.str) {
    if (i >= 0 && !t.has_string(ev.args[i]))
      return DataErrorAt(ev.offset, Cat(TypeName(ev.type), " event refers to string id ", ev.args[i],
                                        ", which is not in the string table of generation ", gen_.gen));
  }
  return absl::OkStatus();
}

absl::Status Reader::LoadGeneration() {
  SC_RETURN_IF_ERROR(gens_.Next(&gen_, &deferred_));
  return InstallGeneration();
}

absl::Status Reader::InstallGeneration() {
  loaded_any_ = true;
  ++gens_read_;
  next_sample_ = 0;
  heap_.clear();
  cursors_.clear();
  for (const ThreadBatches& tb : gen_.threads) {
    auto c = std::make_unique<Cursor>();
    c->m = tb.m;
    c->batches = &tb.batches;
    SC_ASSIGN_OR_RETURN(bool any, Refill(*c));
    if (!any) continue;
    HeapPush(c.get());
    cursors_.push_back(std::move(c));
  }
  emitted_sync_ = false;
  return absl::OkStatus();
}

absl::StatusOr<bool> Reader::Refill(Cursor& c) {
  const std::vector<BatchRef>& bs = *c.batches;
  while (c.idx < bs.size() && c.off == bs[c.idx].size) {
    ++c.idx;
    c.off = 0;
    c.last_ts = 0;
    c.loaded = false;
  }
  if (c.idx == bs.size()) return false;
  const BatchRef& b = bs[c.idx];
  if (!c.loaded) {
    SC_ASSIGN_OR_RETURN(c.data, source_->ReadAt(b.offset, b.size, c.scratch));
    c.loaded = true;
  }
  if (c.last_ts == 0) c.last_ts = TicksToNs(b.base_time, gen_.ns_per_tick);

  const uint64_t at = b.offset + c.off;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(c.data.data()) + c.off;
  const uint8_t* end = reinterpret_cast<const uint8_t*>(c.data.data()) + c.data.size();
  const uint8_t type = *p++;
  const Spec& spec = SpecOf(type, version_);
  if (spec.name == nullptr && type >= NumTypes(version_))
    return DataErrorAt(at, Cat("invalid event type ", int{type}, " for a go 1.", version_ - 1000, " trace"));
  if (!spec.timed)
    return DataErrorAt(at, Cat("event type ", TypeName(type), " has no timestamp and cannot appear in an event batch"));
  uint64_t delta;
  if (!DecodeUvarint(p, end, &delta))
    return DataErrorAt(at, Cat("bad or truncated timestamp varint in ", spec.name, " event"));
  Event& ev = c.ev;
  for (int i = 0; i < spec.nargs; ++i) {
    if (!DecodeUvarint(p, end, &ev.args[i]))
      return DataErrorAt(at, Cat("bad or truncated varint for argument ", i + 1, " of ", spec.name, " event"));
  }
  for (int i = spec.nargs; i < kMaxArgs; ++i) ev.args[i] = 0;
  ev.type = type;
  ev.offset = at;
  ev.time = WrapAdd(TicksToNs(delta, gen_.ns_per_tick), c.last_ts);
  c.last_ts = ev.time;
  c.off = static_cast<size_t>(p - reinterpret_cast<const uint8_t*>(c.data.data()));
  return true;
}

absl::Status Reader::TryAdvance(size_t i, bool* advanced) {
  Cursor* c = heap_[i];
  SC_RETURN_IF_ERROR(order_.Advance(c->ev, gen_.table, c->m, gen_.gen, advanced));
  if (!*advanced) return absl::OkStatus();
  SC_ASSIGN_OR_RETURN(bool more, Refill(*c));
  if (more) {
    HeapFix(i);
  } else {
    HeapRemove(i);
  }
  return absl::OkStatus();
}

void Reader::MakeSync(Event* ev, int64_t time, bool snapshot) {
  *ev = Event{};
  ev->type = kEvSync;
  ev->kind = EventKind::kSync;
  ev->time = time;
  ev->offset = gen_.offset;
  ev->args[0] = static_cast<uint64_t>(++syncs_);
  ev->args[1] = snapshot ? 1 : 0;
}

// Go >= 1.25: what comes between two generations — the Sync that opens the next one, the final
// Sync, or (after a Sync) the error that stopped the reading.
absl::StatusOr<bool> Reader::NextGenerationStart(Event* ev) {
  if (!deferred_.ok()) {
    if (deferred_synced_) return deferred_;
    deferred_synced_ = true;
    MakeSync(ev, last_ts_, false);
    return true;
  }
  if (done_) return false;
  if (version_ < 1026 && loaded_any_ && !gens_.has_more()) {
    done_ = true;
    MakeSync(ev, last_ts_, false);
    return true;
  }
  absl::Status s = gens_.Next(&gen_, &deferred_);
  if (!s.ok()) {
    deferred_ = s;
    deferred_synced_ = true;
    MakeSync(ev, last_ts_, false);
    return true;
  }
  if (version_ >= 1026 && gen_.gen == 0) {  // clean end
    done_ = true;
    MakeSync(ev, last_ts_, false);
    return true;
  }
  SC_RETURN_IF_ERROR(InstallGeneration());
  emitted_sync_ = true;
  MakeSync(ev, TicksToNs(gen_.min_ts, gen_.ns_per_tick), gen_.table.has_clock_snapshot());
  return true;
}

absl::StatusOr<bool> Reader::NextUnchecked(Event* ev) {
  if (order_.Pop(ev)) return true;
  if (version_ >= 1025 && heap_.empty() && next_sample_ == gen_.samples.size()) return NextGenerationStart(ev);
  if (heap_.empty() && next_sample_ == gen_.samples.size()) {
    if (!emitted_sync_) {
      emitted_sync_ = true;
      *ev = Event{};
      ev->type = kEvSync;
      ev->kind = EventKind::kSync;
      ev->time = last_ts_;
      ev->offset = gen_.offset;
      return true;
    }
    if (!deferred_.ok()) return deferred_;
    if (loaded_any_ && !gens_.has_more()) return false;
    SC_RETURN_IF_ERROR(LoadGeneration());
  }
  if (next_sample_ < gen_.samples.size() &&
      (heap_.empty() || gen_.samples[next_sample_].time < heap_[0]->ev.time)) {
    const CpuSample& s = gen_.samples[next_sample_++];
    *ev = Event{};
    ev->type = kEvCPUSample;
    ev->kind = EventKind::kStackSample;
    ev->time = s.time;
    ev->m = s.m;
    ev->p = s.p;
    ev->g = s.g;
    ev->args[0] = s.stack;
    ev->offset = s.offset;
    return true;
  }
  if (heap_.empty())
    return DataErrorAt(gen_.offset, Cat("generation ", gen_.gen, " has no events to order"));
  bool advanced = false;
  SC_RETURN_IF_ERROR(TryAdvance(0, &advanced));
  if (!advanced) {
    // Rare: the earliest event must wait for another thread. Try the others in time order.
    std::stable_sort(heap_.begin(), heap_.end(), [](const Cursor* a, const Cursor* b) { return a->ev.time < b->ev.time; });
    for (size_t i = 1; i < heap_.size() && !advanced; ++i) SC_RETURN_IF_ERROR(TryAdvance(i, &advanced));
    if (!advanced) {
      const Cursor* c = heap_[0];
      return DataErrorAt(c->ev.offset, Cat("broken trace: no thread's next event can happen in generation ", gen_.gen,
                                           " (earliest: ", TypeName(c->ev.type), " on M ", c->m, " at ", c->ev.time,
                                           " ns; ", heap_.size(), " threads waiting; ", order_.Describe(), ")"));
    }
  }
  if (!order_.Pop(ev)) return absl::InternalError("v2 reader: advanced an event but none was queued");
  return true;
}

void Reader::HeapPush(Cursor* c) {
  heap_.push_back(c);
  SiftUp(heap_.size() - 1);
}

void Reader::HeapFix(size_t i) {
  if (SiftUp(i) != i) return;
  SiftDown(i);
}

void Reader::HeapRemove(size_t i) {
  while (i > 0) {
    std::swap(heap_[(i - 1) / 2], heap_[i]);
    i = (i - 1) / 2;
  }
  std::swap(heap_[0], heap_.back());
  heap_.pop_back();
  SiftDown(0);
}

size_t Reader::SiftUp(size_t i) {
  while (i > 0 && heap_[(i - 1) / 2]->ev.time > heap_[i]->ev.time) {
    std::swap(heap_[(i - 1) / 2], heap_[i]);
    i = (i - 1) / 2;
  }
  return i;
}

size_t Reader::SiftDown(size_t i) {
  const size_t n = heap_.size();
  for (;;) {
    size_t m = i;
    int64_t t = i < n ? heap_[i]->ev.time : std::numeric_limits<int64_t>::max();
    const size_t l = 2 * i + 1, r = 2 * i + 2;
    if (l < n && heap_[l]->ev.time < t) {
      t = heap_[l]->ev.time;
      m = l;
    }
    if (r < n && heap_[r]->ev.time < t) m = r;
    if (m == i) break;
    std::swap(heap_[i], heap_[m]);
    i = m;
  }
  return i;
}

}  // namespace schedcast::gotrace::v2
