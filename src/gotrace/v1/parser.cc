// Parse(): runs the stages (reader -> order -> futile -> postprocess) and builds the Trace.
#include "gotrace/v1/parser.h"

#include <algorithm>
#include <cstring>

#include "gotrace/v1/futile.h"
#include "gotrace/v1/order.h"
#include "gotrace/v1/postprocess.h"
#include "gotrace/v1/reader.h"

namespace schedcast::gotrace::v1 {

std::string_view Trace::String(uint64_t id) const {
  const Span* s = strings_.Find(id);
  return s ? ArenaView(*s) : std::string_view();
}

std::span<const Frame> Trace::Stack(uint64_t id) const {
  const Span* s = stacks_.Find(id);
  if (!s) return {};
  return std::span<const Frame>(frames_.data() + s->pos, s->len);
}

std::vector<uint64_t> Trace::StackIds() const {
  std::vector<uint64_t> ids;
  ids.reserve(stacks_.size());
  stacks_.ForEach([&](uint64_t id, const Span&) { ids.push_back(id); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string_view Trace::SArg(const Event& e, int i) const {
  switch (e.type) {
    case kEvGoStartLabel: case kEvUserTaskCreate: case kEvUserRegion:
      return i == 0 ? String(e.args[2]) : std::string_view();
    case kEvSTWStart: {
      std::string_view kind;
      return i == 0 && StwKindName(version_, e.args[0], &kind) ? kind : std::string_view();
    }
    case kEvUserLog:
      if (i == 0) return String(e.args[1]);
      if (i == 1 && e.message < messages_.size()) return ArenaView(messages_[e.message]);
      return {};
    default:
      return {};
  }
}

class TraceBuilder {
 public:
  static absl::StatusOr<Trace> Build(std::string_view data) {
    internal::RawTrace raw;
    SC_RETURN_IF_ERROR(internal::ReadTrace(data, &raw));
    SC_ASSIGN_OR_RETURN(std::vector<uint32_t> order, internal::OrderEvents(&raw));
    order = internal::RemoveFutileWakeups(raw.events, std::move(order));

    Trace t;
    t.version_ = raw.version;
    t.ticks_per_sec_ = raw.ticks_per_sec;
    CopyStrings(data, raw, t);
    t.events_ = Permute(std::move(raw.events), order);
    raw = internal::RawTrace();  // release the reader's tables before the last stage
    SC_RETURN_IF_ERROR(internal::LinkAndCheck(t.version_, t.events_, [&t](uint64_t id) { return t.String(id); }));
    return t;
  }

 private:
  // Copies string-table entries and log messages out of the input, then resolves stack frames.
  static void CopyStrings(std::string_view data, const internal::RawTrace& raw, Trace& t) {
    uint64_t total = 0;
    raw.strings.ForEach([&](uint64_t, const internal::ByteSpan& s) { total += s.len; });
    for (const internal::ByteSpan& m : raw.messages) total += m.len;
    t.arena_.reserve(total);
    auto copy = [&](const internal::ByteSpan& s) {
      Trace::Span out{t.arena_.size(), s.len};
      t.arena_.insert(t.arena_.end(), data.data() + s.pos, data.data() + s.pos + s.len);
      return out;
    };
    raw.strings.ForEach([&](uint64_t id, const internal::ByteSpan& s) { t.strings_[id] = copy(s); });
    t.messages_.reserve(raw.messages.size());
    for (const internal::ByteSpan& m : raw.messages) t.messages_.push_back(copy(m));

    raw.stacks.ForEach([&](uint64_t id, const internal::ByteSpan& s) {
      t.stacks_[id] = Trace::Span{t.frames_.size(), s.len};
      for (uint64_t k = 0; k < s.len; ++k) {
        const internal::RawFrame& f = raw.frames[s.pos + k];
        t.frames_.push_back(Frame{f.pc, t.String(f.func), t.String(f.file), static_cast<int64_t>(f.line)});
      }
    });
  }

  // Rearranges `events` in place into `order` (which may omit some); drops the omitted ones.
  static std::vector<Event> Permute(std::vector<Event> events, const std::vector<uint32_t>& order) {
    const size_t n = events.size(), kept = order.size();
    // src[k]: which event goes to position k. Dropped events fill the tail.
    std::vector<uint32_t> src(n);
    std::copy(order.begin(), order.end(), src.begin());
    if (kept < n) {
      std::vector<uint8_t> used(n);
      for (uint32_t i : order) used[i] = 1;
      size_t k = kept;
      for (uint32_t i = 0; i < n; ++i)
        if (!used[i]) src[k++] = i;
    }
    for (size_t start = 0; start < n; ++start) {  // follow each cycle once
      if (src[start] == start) continue;
      Event tmp = events[start];
      size_t j = start;
      while (true) {
        const size_t from = src[j];
        src[j] = static_cast<uint32_t>(j);
        if (from == start) {
          events[j] = tmp;
          break;
        }
        events[j] = events[from];
        j = from;
      }
    }
    events.resize(kept);
    return events;
  }
};

absl::StatusOr<Trace> Parse(std::string_view data) { return TraceBuilder::Build(data); }

}  // namespace schedcast::gotrace::v1
