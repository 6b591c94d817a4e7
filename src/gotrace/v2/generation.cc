#include "gotrace/v2/generation.h"

#include <algorithm>
#include <limits>

#include "gotrace/bytes.h"
#include "gotrace/v2/spec.h"

namespace schedcast::gotrace::v2 {

int64_t TicksToNs(uint64_t ticks, double ns_per_tick) {
  const double prod = static_cast<double>(ticks) * ns_per_tick;
  if (!(prod >= -9223372036854775808.0 && prod < 9223372036854775808.0)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(prod);
}

GenerationReader::GenerationReader(const ByteSource& src, int version, uint64_t start)
    : src_(src), version_(version), pos_(start) {}

absl::StatusOr<GenerationReader::Header> GenerationReader::ReadHeader(uint64_t pos) {
  Header h;
  h.at = pos;
  if (pos >= src_.size()) {
    h.eof = true;
    return h;
  }
  // A header is at most 2 bytes + 4 varints of <= 10 bytes, plus one byte of the body we peek at.
  constexpr uint64_t kWindow = 48;
  const uint64_t n = std::min<uint64_t>(kWindow, src_.size() - pos);
  std::string window_scratch;
  SC_ASSIGN_OR_RETURN(std::string_view window, src_.ReadAt(pos, n, window_scratch));
  ByteReader r(window, pos);
  SC_ASSIGN_OR_RETURN(h.type, r.Byte());
  if (version_ >= 1026 && h.type == kEvEndOfGeneration) {
    h.end_of_generation = true;
    h.body = pos + 1;
    return h;
  }
  const bool experimental = version_ >= 1023 && h.type == kEvExperimentalBatch;
  if (h.type != kEvEventBatch && !experimental)
    return DataErrorAt(pos, Cat("expected a batch header (type ", int{kEvEventBatch}, "), got ", TypeName(h.type)));
  if (experimental) {
    if (r.done()) {  // Go's reader takes a trace ending right here as a clean end
      h.eof = true;
      return h;
    }
    SC_ASSIGN_OR_RETURN(h.experiment, r.Byte());
  }
  auto field = [&](const char* what, uint64_t* out) -> absl::Status {
    absl::StatusOr<uint64_t> v = r.Uvarint();
    if (!v.ok()) return absl::Status(v.status().code(), Cat(std::string(v.status().message()), " (batch ", what, ")"));
    *out = *v;
    return absl::OkStatus();
  };
  SC_RETURN_IF_ERROR(field("generation", &h.gen));
  SC_RETURN_IF_ERROR(field("thread id", &h.m));
  SC_RETURN_IF_ERROR(field("timestamp", &h.time));
  const uint64_t size_at = r.offset();
  SC_RETURN_IF_ERROR(field("size", &h.size));
  if (h.size > kMaxBatchSize)
    return DataErrorAt(size_at, Cat("batch size ", h.size, " exceeds the maximum ", kMaxBatchSize));
  h.body = r.offset();
  const uint64_t left = src_.size() - h.body;
  if (h.size > left)
    return DataErrorAt(h.body, Cat("batch of ", h.size, " bytes is cut short: only ", left, " bytes left in the trace"));
  if (h.size > 0) {
    if (!r.done()) {
      h.first_byte = static_cast<uint8_t>(window[r.pos()]);
    } else {
      SC_ASSIGN_OR_RETURN(std::string_view b, src_.ReadAt(h.body, 1, window_scratch));
      h.first_byte = static_cast<uint8_t>(b[0]);
    }
  }
  return h;
}

absl::Status GenerationReader::Process(Generation* g, const Header& h) {
  if (h.experiment != 0) {
    SC_ASSIGN_OR_RETURN(std::string_view body, src_.ReadAt(h.body, h.size, scratch_));
    g->table.AddExperimental(h.experiment, static_cast<int64_t>(h.m), body);
    return absl::OkStatus();
  }
  switch (h.first_byte) {
    case kEvStrings: {
      SC_ASSIGN_OR_RETURN(std::string_view body, src_.ReadAt(h.body, h.size, scratch_));
      return g->table.AddStrings(body.substr(1), h.body + 1);
    }
    case kEvStacks: {
      SC_ASSIGN_OR_RETURN(std::string_view body, src_.ReadAt(h.body, h.size, scratch_));
      return g->table.AddStacks(body.substr(1), h.body + 1);
    }
    case kEvCPUSamples: {
      SC_ASSIGN_OR_RETURN(std::string_view body, src_.ReadAt(h.body, h.size, scratch_));
      ByteReader r(body.substr(1), h.body + 1);
      while (!r.done()) {
        const uint64_t at = r.offset();
        SC_ASSIGN_OR_RETURN(uint8_t t, r.Byte());
        if (t != kEvCPUSample)
          return DataErrorAt(at, Cat("expected a CPU sample record (type ", int{kEvCPUSample},
                                     ") in a CPU samples batch, got type ", int{t}));
        CpuSample s;
        s.offset = at;
        uint64_t v;
        SC_ASSIGN_OR_RETURN(v, r.Uvarint());
        s.time = static_cast<int64_t>(v);  // raw ticks until the frequency is known
        SC_ASSIGN_OR_RETURN(v, r.Uvarint());
        s.m = static_cast<int64_t>(v);
        SC_ASSIGN_OR_RETURN(v, r.Uvarint());
        s.p = static_cast<int64_t>(v);
        SC_ASSIGN_OR_RETURN(v, r.Uvarint());
        s.g = v == 0 ? -1 : static_cast<int64_t>(v);
        SC_ASSIGN_OR_RETURN(s.stack, r.Uvarint());
        g->samples.push_back(s);
      }
      return absl::OkStatus();
    }
    case kEvSyncBatch:
      if (version_ < 1025) break;
      return ProcessSync(g, h);
    case kEvEndOfGeneration:
      if (version_ < 1026) break;
      return DataErrorAt(h.body, "event batch begins with an EndOfGeneration byte");
    case kEvFrequency: {
      if (version_ >= 1025) break;  // an event batch (whose first event will be invalid)
      SC_ASSIGN_OR_RETURN(std::string_view body, src_.ReadAt(h.body, h.size, scratch_));
      ByteReader r(body.substr(1), h.body + 1);
      SC_ASSIGN_OR_RETURN(uint64_t f, r.Uvarint());
      if (g->ns_per_tick != 0) return DataErrorAt(h.at, Cat("second frequency batch in generation ", g->gen));
      g->ns_per_tick = 1.0 / (static_cast<double>(f) / 1e9);
      return absl::OkStatus();
    }
    default: break;
  }
  const int64_t m = static_cast<int64_t>(h.m);
  auto [it, added] = thread_index_.emplace(m, g->threads.size());
  if (added) g->threads.push_back(ThreadBatches{m, {}});
  g->threads[it->second].batches.push_back(BatchRef{h.body, static_cast<uint32_t>(h.size), h.time});
  return absl::OkStatus();
}

absl::Status GenerationReader::ProcessSync(Generation* g, const Header& h) {
  SC_ASSIGN_OR_RETURN(std::string_view body, src_.ReadAt(h.body, h.size, scratch_));
  ByteReader r(body.substr(1), h.body + 1);
  uint64_t last = h.time;
  while (!r.done()) {
    const uint64_t at = r.offset();
    SC_ASSIGN_OR_RETURN(uint8_t t, r.Byte());
    if (t == kEvFrequency) {
      if (g->ns_per_tick != 0) return DataErrorAt(at, Cat("second frequency event in generation ", g->gen));
      SC_ASSIGN_OR_RETURN(uint64_t f, r.Uvarint());
      g->ns_per_tick = 1.0 / (static_cast<double>(f) / 1e9);
    } else if (t == kEvClockSnapshot) {
      if (g->table.has_clock_snapshot())
        return DataErrorAt(at, Cat("second clock snapshot event in generation ", g->gen));
      ClockSnapshot c;
      SC_ASSIGN_OR_RETURN(uint64_t d, r.Uvarint());
      last += d;
      c.trace = static_cast<int64_t>(last);  // ticks until the frequency is known
      SC_ASSIGN_OR_RETURN(c.mono, r.Uvarint());
      SC_ASSIGN_OR_RETURN(c.sec, r.Uvarint());
      SC_ASSIGN_OR_RETURN(c.nsec, r.Uvarint());
      g->table.SetClockSnapshot(c);
    } else {
      return DataErrorAt(at, Cat("expected a frequency or clock snapshot event in a sync batch, got type ", int{t}));
    }
  }
  return absl::OkStatus();
}

absl::Status GenerationReader::Next(Generation* g, absl::Status* deferred) {
  g->gen = 0;
  g->ns_per_tick = 0;
  g->min_ts = 0;
  if (version_ >= 1026) return NextEnded(g);
  g->threads.clear();
  thread_index_.clear();
  g->samples.clear();
  g->table.Reset(0);
  g->offset = has_spill_ ? spill_.at : pos_;
  if (has_spill_) {
    has_spill_ = false;
    g->gen = spill_.gen;
    g->table.Reset(g->gen);
    g->min_ts = spill_.time;
    SC_RETURN_IF_ERROR(Process(g, spill_));
  }
  for (;;) {
    absl::StatusOr<Header> h = ReadHeader(pos_);
    if (!h.ok()) {
      if (g->gen != 0 && version_ >= 1023) {
        *deferred = h.status();
        break;
      }
      return h.status();
    }
    if (h->eof) break;
    if (h->gen == 0) return DataErrorAt(h->at, "batch of generation 0 (never written by the runtime)");
    if (g->gen == 0) {
      g->gen = h->gen;
      g->table.Reset(g->gen);
    }
    pos_ = h->body + h->size;
    if (h->gen == g->gen + 1) {
      spill_ = *h;
      has_spill_ = true;
      break;
    }
    if (h->gen != g->gen)
      return DataErrorAt(h->at, Cat("generations out of order: batch of generation ", h->gen, " while reading generation ",
                                    g->gen));
    if (g->min_ts == 0 || h->time < g->min_ts) g->min_ts = h->time;
    SC_RETURN_IF_ERROR(Process(g, *h));
  }
  return Finish(g);
}

absl::Status GenerationReader::NextEnded(Generation* g) {
  g->threads.clear();
  thread_index_.clear();
  g->samples.clear();
  g->table.Reset(0);
  g->offset = pos_;
  bool started = false;
  for (;;) {
    SC_ASSIGN_OR_RETURN(Header h, ReadHeader(pos_));
    if (h.eof) {
      if (!g->threads.empty())
        return DataErrorAt(pos_, Cat("generation ", g->gen, " is incomplete (no EndOfGeneration): trace likely truncated"));
      g->gen = 0;  // clean end
      return absl::OkStatus();
    }
    pos_ = h.body + h.size;
    if (!started) {
      started = true;
      g->gen = h.gen;
      g->table.Reset(g->gen);
    }
    if (h.end_of_generation) break;
    if (h.gen == 0) return DataErrorAt(h.at, "batch of generation 0 (never written by the runtime)");
    if (h.gen != g->gen)
      return DataErrorAt(h.at, Cat("batch of generation ", h.gen, " while reading generation ", g->gen,
                                   ": missing EndOfGeneration, or generations are interleaved"));
    if (g->min_ts == 0 || h.time < g->min_ts) g->min_ts = h.time;
    SC_RETURN_IF_ERROR(Process(g, h));
  }
  return Finish(g);
}

absl::Status GenerationReader::Finish(Generation* g) {
  if (g->ns_per_tick == 0) return DataErrorAt(g->offset, Cat("generation ", g->gen, " has no frequency batch"));
  if (version_ >= 1025 && !g->table.has_clock_snapshot())
    return DataErrorAt(g->offset, Cat("generation ", g->gen, " has no clock snapshot (required since go 1.25)"));
  SC_RETURN_IF_ERROR(g->table.Finish(g->offset));
  if (g->table.has_clock_snapshot()) {
    ClockSnapshot c = g->table.clock_snapshot();
    c.trace = TicksToNs(static_cast<uint64_t>(c.trace), g->ns_per_tick);
    g->table.SetClockSnapshot(c);
  }
  for (CpuSample& s : g->samples) s.time = TicksToNs(static_cast<uint64_t>(s.time), g->ns_per_tick);
  std::stable_sort(g->samples.begin(), g->samples.end(),
                   [](const CpuSample& a, const CpuSample& b) { return a.time < b.time; });
  return absl::OkStatus();
}

}  // namespace schedcast::gotrace::v2
