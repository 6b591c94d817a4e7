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
  if (id == kUnrepresentableStack) return {};
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
      return i == 0 ? String(Arg(e, 2)) : std::string_view();
    case kEvSTWStart: {
      std::string_view kind;
      return i == 0 && StwKindName(version_, e.args[0], &kind) ? kind : std::string_view();
    }
    case kEvUserLog:
      if (i == 0) return String(e.args[1]);
      if (i == 1) {
        const Span* m = messages_.Find(e.off);
        return m ? ArenaView(*m) : std::string_view();
      }
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
    SC_RETURN_IF_ERROR(internal::OrderEvents(&raw));
    internal::RemoveFutileWakeups(raw.events);

    Trace t;
    t.version_ = raw.version;
    t.ticks_per_sec_ = raw.ticks_per_sec;
    CopyStrings(data, raw, t);
    t.arg2_ = std::move(raw.arg2);
    t.events_ = std::move(raw.events);
    raw = internal::RawTrace();  // release the reader's tables before the last stage
    SC_RETURN_IF_ERROR(internal::LinkAndCheck(t.version_, t.events_, [&t](const Event& e) { return t.SArg(e, 0); }));
    return t;
  }

 private:
  // Copies string-table entries and log messages out of the input, then resolves stack frames.
  static void CopyStrings(std::string_view data, const internal::RawTrace& raw, Trace& t) {
    uint64_t total = 0;
    raw.strings.ForEach([&](uint64_t, const internal::ByteSpan& s) { total += s.len; });
    raw.messages.ForEach([&](uint64_t, const internal::ByteSpan& s) { total += s.len; });
    t.arena_.reserve(total);
    auto copy = [&](const internal::ByteSpan& s) {
      Trace::Span out{t.arena_.size(), s.len};
      t.arena_.insert(t.arena_.end(), data.data() + s.pos, data.data() + s.pos + s.len);
      return out;
    };
    raw.strings.ForEach([&](uint64_t id, const internal::ByteSpan& s) { t.strings_[id] = copy(s); });
    raw.messages.ForEach([&](uint64_t off, const internal::ByteSpan& s) { t.messages_[off] = copy(s); });

    raw.stacks.ForEach([&](uint64_t id, const internal::ByteSpan& s) {
      t.stacks_[id] = Trace::Span{t.frames_.size(), s.len};
      for (uint64_t k = 0; k < s.len; ++k) {
        const internal::RawFrame& f = raw.frames[s.pos + k];
        t.frames_.push_back(Frame{f.pc, t.String(f.func), t.String(f.file), static_cast<int64_t>(f.line)});
      }
    });
  }
};

absl::StatusOr<Trace> Parse(std::string_view data) { return TraceBuilder::Build(data); }

}  // namespace schedcast::gotrace::v1
