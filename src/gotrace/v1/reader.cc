// Implementation of gotrace/v1/reader.h (see the contract there).
#include "gotrace/v1/reader.h"

#include <cstring>

namespace schedcast::gotrace::v1::internal {
namespace {

constexpr uint64_t kMaxStringLen = 1000000;  // Go's parser rejects longer strings
constexpr uint64_t kMaxStackFrames = 1000;   // and deeper stacks

// Cursor over the input. Varints follow Go's reader: at most 10 bytes, bits beyond 64 are dropped.
class Cursor {
 public:
  // Starts at byte `start` of `data`; offsets are absolute.
  Cursor(std::string_view data, size_t start)
      : base_(reinterpret_cast<const uint8_t*>(data.data())), p_(base_ + start), end_(base_ + data.size()) {}

  uint64_t offset() const { return static_cast<uint64_t>(p_ - base_); }
  uint64_t remaining() const { return static_cast<uint64_t>(end_ - p_); }
  bool done() const { return p_ >= end_; }
  void Skip(uint64_t n) { p_ += n; }  // caller checked remaining()
  uint8_t Byte() { return *p_++; }    // caller checked done()

  absl::Status Varint(uint64_t* v) {
    if (end_ - p_ >= 10) {  // fast path: no bounds checks inside
      uint64_t x = 0;
      for (int i = 0; i < 10; ++i) {
        const uint8_t b = p_[i];
        x |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
          p_ += i + 1;
          *v = x;
          return absl::OkStatus();
        }
      }
      return DataErrorAt(offset(), "varint longer than 10 bytes");
    }
    uint64_t x = 0;
    for (int i = 0; i < 10; ++i) {
      if (p_ + i >= end_) return DataErrorAt(offset(), "unexpected end of trace inside a varint");
      const uint8_t b = p_[i];
      x |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) {
        p_ += i + 1;
        *v = x;
        return absl::OkStatus();
      }
    }
    return DataErrorAt(offset(), "varint longer than 10 bytes");
  }

 private:
  const uint8_t* base_;
  const uint8_t* p_;
  const uint8_t* end_;
};

bool IsVersionSupported(int v) {
  switch (v) {
    case 1005: case 1007: case 1008: case 1009: case 1010: case 1011: case 1019: case 1021:
      return true;
    default:
      return false;
  }
}

// Number of wire arguments Go's parser expects for `type` in `version` (timestamp, sequence number
// and stack id included). Stack records have a variable count and are checked separately.
size_t ExpectedArgs(uint8_t type, int version) {
  const EventDesc& d = Describe(type);
  size_t n = d.num_args + (d.has_stack ? 1 : 0);
  if (type == kEvBatch || type == kEvFrequency || type == kEvTimerGoroutine) {
    return version < 1007 ? n + 1 : n;  // an unused argument before 1.7
  }
  n += 1;                    // timestamp delta
  if (version < 1007) n++;   // sequence number delta
  switch (type) {
    case kEvGCSweepDone:
      if (version < 1009) n -= 2;  // swept/reclaimed came in 1.9
      break;
    case kEvGCStart: case kEvGoStart: case kEvGoUnblock:
      if (version < 1007) n--;  // seq came in 1.7
      break;
    case kEvSTWStart:
      if (version < 1010) n--;  // kind came in 1.10
      break;
    default:
      break;
  }
  return n;
}

std::string TypeLabel(uint8_t type) { return std::string(Describe(type).name); }

// Upper bound on the number of event records (all but Batch/Frequency/Stack/TimerGoroutine/String),
// from the record framing alone; stops quietly at the first malformed record (the real pass reports
// it).
size_t CountEventRecords(std::string_view data, int version) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data()) + 16;
  const uint8_t* end = reinterpret_cast<const uint8_t*>(data.data()) + data.size();
  const size_t extra = version < 1007 ? 1 : 0, inline_limit = version < 1007 ? 5 : 4;
  auto varint = [&](uint64_t* v) {
    uint64_t x = 0;
    for (int i = 0; i < 10 && p < end; ++i) {
      const uint8_t b = *p++;
      x |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) {
        *v = x;
        return true;
      }
    }
    return false;
  };
  size_t n = 0;
  uint64_t v = 0, len = 0;
  while (p < end) {
    const uint8_t head = *p++;
    const uint8_t type = head & 0x3f;
    if (type == kEvString) {
      if (!varint(&v) || !varint(&len) || len > static_cast<uint64_t>(end - p)) break;
      p += len;
      continue;
    }
    const size_t narg = (head >> 6) + 1 + extra;
    if (narg < inline_limit) {
      bool ok = true;
      for (size_t i = 0; i < narg && ok; ++i) ok = varint(&v);
      if (!ok) break;
    } else {
      if (!varint(&len) || len > static_cast<uint64_t>(end - p)) break;
      p += len;
    }
    if (type == kEvUserLog) {
      if (!varint(&len) || len > static_cast<uint64_t>(end - p)) break;
      p += len;
    }
    if (type != kEvBatch && type != kEvFrequency && type != kEvStack && type != kEvTimerGoroutine) ++n;
  }
  return n;
}

constexpr int64_t kMinP = -(int64_t{1} << 23), kMaxP = (int64_t{1} << 23) - 1;
bool FitsP(int64_t p) { return p >= kMinP && p <= kMaxP; }

}  // namespace

absl::StatusOr<int> ReadHeader(std::string_view data) {
  if (data.size() < 16) {
    return DataErrorAt(data.size(), Cat("file is ", data.size(), " bytes, shorter than the 16-byte trace header"));
  }
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const char* h = data.data();
  if (h[0] != 'g' || h[1] != 'o' || h[2] != ' ' || h[3] < '1' || h[3] > '9' || h[4] != '.' || h[5] < '1' ||
      h[5] > '9') {
    return DataErrorAt(0, "bad header: not a Go execution trace");
  }
  int minor = h[5] - '0';
  int i = 0;
  while (i < 2 && digit(h[6 + i])) minor = minor * 10 + (h[6 + i++] - '0');
  static constexpr char kTail[] = " trace\0\0\0\0";
  if (std::memcmp(h + 6 + i, kTail, 10 - i) != 0) return DataErrorAt(0, "bad header: not a Go execution trace");
  const int version = (h[3] - '0') * 1000 + minor;
  if (!IsVersionSupported(version)) {
    return absl::UnimplementedError(Cat("offset 0: unsupported trace version go ", version / 1000, ".",
                                        version % 1000, " for the old-format parser"));
  }
  return version;
}

absl::Status ReadTrace(std::string_view data, RawTrace* rt) {
  SC_ASSIGN_OR_RETURN(const int ver, ReadHeader(data));
  rt->version = ver;
  if (data.size() > UINT32_MAX) return DataErrorAt(UINT32_MAX, "traces of 4 GiB or more are not supported");
  rt->events.reserve(CountEventRecords(data, ver));
  const bool old = ver < 1007;
  const size_t inline_limit = old ? 5 : 4;  // this many args or more: length-prefixed record

  Cursor cur(data, 16);

  std::vector<uint64_t> args;
  args.reserve(64);
  FlatMap<uint32_t> batch_of_p;  // P -> batch index + 1
  int64_t cached_key = INT64_MIN;  // the P of the last event appended, and its batch index + 1
  uint32_t cached_slot = 0;
  FlatMap<uint64_t> last_g_of_p;
  int64_t last_p = 0;
  uint64_t last_g = 0, last_ts = 0, last_seq = 0;
  bool have_frequency = false;

  while (!cur.done()) {
    const uint64_t off0 = cur.offset();
    const uint8_t head = cur.Byte();
    const uint8_t type = head & 0x3f;
    const size_t narg = (head >> 6) + 1 + (old ? 1 : 0);
    if (type == kEvNone || type >= kEvCount || Describe(type).min_version > ver) {
      return DataErrorAt(off0, Cat("unknown event type ", static_cast<int>(type)));
    }
    uint64_t v = 0;
    absl::Status st;
#define SC_V1_VARINT(dst)    \
  do {                       \
    st = cur.Varint(&(dst)); \
    if (!st.ok()) return st; \
  } while (0)

    if (type == kEvString) {
      uint64_t id = 0, len = 0;
      SC_V1_VARINT(id);
      if (id == 0) return DataErrorAt(off0, "string has invalid id 0");
      if (rt->strings.Contains(id)) return DataErrorAt(off0, Cat("string has duplicate id ", id));
      SC_V1_VARINT(len);
      if (len == 0) return DataErrorAt(off0, "string has invalid length 0");
      if (len > kMaxStringLen) return DataErrorAt(off0, Cat("string has too large length ", len));
      if (len > cur.remaining()) {
        return DataErrorAt(cur.offset(), Cat("string of length ", len, " exceeds the ", cur.remaining(), " bytes left"));
      }
      rt->strings[id] = ByteSpan{cur.offset(), len};
      cur.Skip(len);
      continue;
    }

    args.clear();
    if (narg < inline_limit) {
      for (size_t i = 0; i < narg; ++i) {
        SC_V1_VARINT(v);
        args.push_back(v);
      }
    } else {
      uint64_t len = 0;
      SC_V1_VARINT(len);
      const uint64_t start = cur.offset();
      if (len > cur.remaining()) {
        return DataErrorAt(start, Cat(TypeLabel(type), " record length ", len, " exceeds the ", cur.remaining(), " bytes left"));
      }
      while (cur.offset() - start < len) {
        SC_V1_VARINT(v);
        args.push_back(v);
      }
      if (cur.offset() - start != len) {
        return DataErrorAt(off0, Cat(TypeLabel(type), " record has wrong length: want ", len, ", got ", cur.offset() - start));
      }
    }
    if (type == kEvUserLog) {
      uint64_t len = 0;
      SC_V1_VARINT(len);
      if (len > kMaxStringLen) return DataErrorAt(cur.offset(), Cat("log message too large (", len, " bytes)"));
      if (len > cur.remaining()) {
        return DataErrorAt(cur.offset(), Cat("log message of length ", len, " exceeds the ", cur.remaining(), " bytes left"));
      }
      rt->messages[off0] = ByteSpan{cur.offset(), len};
      cur.Skip(len);
    }
#undef SC_V1_VARINT

    // Interpret the record.
    if (type != kEvStack) {
      const size_t want = ExpectedArgs(type, ver);
      if (args.size() != want) {
        return DataErrorAt(off0, Cat(TypeLabel(type), " has wrong number of arguments: want ", want, ", got ", args.size()));
      }
    }
    switch (type) {
      case kEvBatch:
        last_g_of_p[static_cast<uint64_t>(last_p)] = last_g;
        last_p = static_cast<int64_t>(args[0]);
        if (!FitsP(last_p)) return DataErrorAt(off0, Cat("P id ", last_p, " out of range"));
        last_g = last_g_of_p.GetOr(static_cast<uint64_t>(last_p));
        if (old) {
          last_seq = args[1];
          last_ts = args[2];
        } else {
          last_ts = args[1];
        }
        continue;
      case kEvFrequency:
        rt->ticks_per_sec = static_cast<int64_t>(args[0]);
        if (rt->ticks_per_sec <= 0) return DataErrorAt(off0, "time stamps out of order (non-positive tick frequency)");
        have_frequency = true;
        continue;
      case kEvTimerGoroutine:
        rt->timer_goroutines[args[0]] = 1;
        continue;
      case kEvStack: {
        if (args.size() < 2) return DataErrorAt(off0, Cat("Stack has ", args.size(), " arguments, want at least 2"));
        const uint64_t id = args[0], n = args[1];
        if (n > kMaxStackFrames) return DataErrorAt(off0, Cat("Stack has bad number of frames: ", n));
        const uint64_t want = old ? 2 + n : 2 + 4 * n;
        if (args.size() != want) {
          return DataErrorAt(off0, Cat("Stack has wrong number of arguments: want ", want, ", got ", args.size()));
        }
        if (id != 0 && n > 0) {
          rt->stacks[id] = ByteSpan{rt->frames.size(), n};
          for (uint64_t i = 0; i < n; ++i) {
            if (old) {
              rt->frames.push_back(RawFrame{args[2 + i], 0, 0, 0});
            } else {
              rt->frames.push_back(RawFrame{args[2 + 4 * i], args[3 + 4 * i], args[4 + 4 * i], args[5 + 4 * i]});
            }
          }
        }
        continue;
      }
      default:
        break;
    }

    if (rt->events.size() >= kNoEvent - 1) return DataErrorAt(off0, "too many events");
    Event e;
    e.off = static_cast<uint32_t>(off0);
    e.type = type;
    e.p = static_cast<int32_t>(last_p);
    e.g = last_g;
    const EventDesc& d = Describe(type);
    size_t first = 1;
    if (old) {
      last_seq += args[0];
      rt->seqs.push_back(last_seq);
      last_ts += args[1];
      first = 2;
    } else {
      last_ts += args[0];
    }
    e.ts = static_cast<int64_t>(last_ts);
    const size_t n = args.size();
    uint64_t eargs[3] = {0, 0, 0};  // Go's Event.Args
    for (size_t i = first; i < n; ++i) {
      if (i == n - 1 && d.has_stack) {
        e.stack_id = args[i] < kUnrepresentableStack ? static_cast<uint32_t>(args[i]) : kUnrepresentableStack;
      } else {
        eargs[i - first] = args[i];
      }
    }
    e.args[0] = eargs[0];
    e.args[1] = eargs[1];
    switch (type) {
      case kEvGoStart: case kEvGoStartLocal: case kEvGoStartLabel:
        last_g = e.args[0];  // (e.args is filled above)
        e.g = last_g;
        break;
      case kEvSTWStart: {
        e.g = 0;
        std::string_view kind;
        if (!StwKindName(ver, eargs[0], &kind)) return DataErrorAt(off0, Cat("unknown STW kind ", e.args[0]));
        break;
      }
      case kEvGCStart: case kEvGCDone: case kEvSTWDone:
        e.g = 0;
        break;
      case kEvGoEnd: case kEvGoStop: case kEvGoSched: case kEvGoPreempt: case kEvGoSleep: case kEvGoBlock:
      case kEvGoBlockSend: case kEvGoBlockRecv: case kEvGoBlockSelect: case kEvGoBlockSync: case kEvGoBlockCond:
      case kEvGoBlockNet: case kEvGoSysBlock: case kEvGoBlockGC:
        last_g = 0;
        break;
      case kEvGoSysExit: case kEvGoWaiting: case kEvGoInSyscall:
        e.g = e.args[0];
        break;
      case kEvCPUSample:
        e.ts = static_cast<int64_t>(eargs[0]);
        if (!FitsP(static_cast<int64_t>(eargs[1]))) {
          return DataErrorAt(off0, Cat("CPU sample P id ", static_cast<int64_t>(eargs[1]), " out of range"));
        }
        e.p = static_cast<int32_t>(static_cast<int64_t>(eargs[1]));
        e.g = eargs[2];
        e.args[0] = 0;
        break;
      default:
        break;
    }
    const int64_t key = type == kEvCPUSample ? kProfileP : last_p;
    if (key != cached_key) {
      uint32_t& slot = batch_of_p[static_cast<uint64_t>(key)];
      if (slot == 0) {
        rt->batches.push_back(Batch{key});
        slot = static_cast<uint32_t>(rt->batches.size());
      }
      cached_key = key;
      cached_slot = slot;
    }
    const uint32_t slot = cached_slot;
    if (eargs[2] != 0) rt->arg2[off0] = eargs[2];
    const uint32_t idx = static_cast<uint32_t>(rt->events.size());
    Batch& batch = rt->batches[slot - 1];
    if (batch.tail == kNoEvent) {
      batch.head = idx;
    } else {
      rt->events[batch.tail].link = idx;
    }
    batch.tail = idx;
    batch.size++;
    rt->events.push_back(e);
  }
  if (rt->events.empty()) return DataErrorAt(data.size(), "trace is empty (no events)");
  if (!have_frequency) return DataErrorAt(data.size(), "no Frequency event in the trace");
  return absl::OkStatus();
}

}  // namespace schedcast::gotrace::v1::internal
