// v1::Dump / v1::ComputeStats (contract in dump.h): render a parsed Trace as `go tool trace -d`
// prints it — one line per event, "TS NAME p=P g=G off=OFF" then " arg=value" for each numeric and
// string argument — through a large output buffer, integers formatted with std::to_chars.
#include "gotrace/v1/dump.h"

#include <charconv>
#include <cstring>
#include <set>

#include "gotrace/v1/parser.h"

namespace schedcast::gotrace::v1 {
namespace {

class OutBuffer {
 public:
  explicit OutBuffer(std::ostream& out) : out_(out), buf_(new char[kSize]) {}
  ~OutBuffer() { Flush(); }

  void Put(std::string_view s) {
    if (s.empty()) return;  // (data() may be null; memcpy must not see it)
    if (s.size() > kSize - len_) {
      Flush();
      if (s.size() > kSize) {
        out_.write(s.data(), static_cast<std::streamsize>(s.size()));
        return;
      }
    }
    std::memcpy(buf_.get() + len_, s.data(), s.size());
    len_ += s.size();
  }
  template <typename T>
  void Num(T v) {
    if (kSize - len_ < 24) Flush();
    len_ = static_cast<size_t>(std::to_chars(buf_.get() + len_, buf_.get() + kSize, v).ptr - buf_.get());
  }
  void Char(char c) {
    if (len_ == kSize) Flush();
    buf_[len_++] = c;
  }
  void Flush() {
    if (len_) out_.write(buf_.get(), static_cast<std::streamsize>(len_));
    len_ = 0;
  }

 private:
  static constexpr size_t kSize = 1 << 20;
  std::ostream& out_;
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
};

}  // namespace

absl::Status Dump(std::string_view data, std::ostream& out) {
  SC_ASSIGN_OR_RETURN(Trace t, Parse(data));
  OutBuffer w(out);
  for (const Event& e : t.events()) {
    const EventDesc& d = Describe(e.type);
    w.Num(e.ts);
    w.Char(' ');
    w.Put(t.TypeName(e));
    w.Put(" p=");
    w.Num(e.p);
    w.Put(" g=");
    w.Num(e.g);
    w.Put(" off=");
    w.Num(e.off);
    for (int i = 0; i < d.num_args; ++i) {
      w.Char(' ');
      w.Put(d.arg_names[i]);
      w.Char('=');
      w.Num(t.Arg(e, i));
    }
    for (int i = 0; i < d.num_sargs; ++i) {
      w.Char(' ');
      w.Put(d.sarg_names[i]);
      w.Char('=');
      w.Put(t.SArg(e, i));
    }
    w.Char('\n');
  }
  w.Flush();
  if (!out) return absl::UnavailableError("writing the dump failed");
  return absl::OkStatus();
}

absl::StatusOr<TraceStats> ComputeStats(std::string_view data) {
  SC_ASSIGN_OR_RETURN(Trace t, Parse(data));
  TraceStats s;
  s.version = t.version();
  s.format = "v1";
  s.events = t.events().size();
  uint64_t by_type[kEvCount] = {};
  FlatMap<uint8_t> gs, ps;
  bool first = true;
  for (const Event& e : t.events()) {
    by_type[e.type]++;
    if (e.g != 0) gs[e.g] = 1;
    if (e.p >= 0 && e.p < kTimerP - 1) ps[static_cast<uint64_t>(e.p)] = 1;
    if (first || e.ts < s.min_ts) s.min_ts = e.ts;
    if (first || e.ts > s.max_ts) s.max_ts = e.ts;
    first = false;
  }
  for (int i = 0; i < kEvCount; ++i)
    if (by_type[i]) s.events_by_type[std::string(EventTypeName(static_cast<uint8_t>(i), t.version()))] = by_type[i];
  s.goroutines = gs.size();
  s.procs = ps.size();
  s.stacks = t.num_stacks();
  s.strings = t.num_strings();
  return s;
}

}  // namespace schedcast::gotrace::v1
