// gotrace/v1/reader.h — first stage of the v1 parser: wire format -> per-P batches of raw events.
//
// ReadTrace decodes the header, the string and stack tables and every event record, checks each
// record's argument count against its type and version, and attributes events to Ps and goroutines
// the way the runtime's batch structure implies (a Batch record switches the current P; GoStart
// switches the current goroutine; blocking events clear it). Timestamps are left in ticks (absolute,
// delta-decoded). Nothing is ordered across Ps yet; see order.h.
// Contract: never reads past `data`; every allocation is bounded by the bytes actually consumed;
// errors start with "offset N: ". Not thread-safe per RawTrace; reentrant otherwise.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gotrace/v1/flat_map.h"
#include "gotrace/v1/parser.h"

namespace schedcast::gotrace::v1::internal {

struct ByteSpan {  // [pos, pos+len) of the input, or of a frame array
  uint64_t pos = 0;
  uint64_t len = 0;
};

struct RawFrame {
  uint64_t pc = 0;
  uint64_t func = 0;  // string ids (0: none)
  uint64_t file = 0;
  uint64_t line = 0;
};

// The events of one P, in file order, as a list threaded through Event::link (free until the
// merge has consumed it).
struct Batch {
  int64_t p = 0;              // P id the runtime wrote (kProfileP for CPU samples)
  uint32_t head = kNoEvent;   // first event (index into RawTrace::events)
  uint32_t tail = kNoEvent;
  uint32_t size = 0;
};

struct RawTrace {
  int version = 0;
  int64_t ticks_per_sec = 0;
  std::vector<Event> events;       // file order; ts in ticks; capacity exact (see ReadTrace)
  std::vector<uint64_t> seqs;      // version < 1007 only: per-event global sequence numbers
  std::vector<Batch> batches;      // in order of each P's first event
  FlatMap<uint8_t> timer_goroutines;
  FlatMap<ByteSpan> strings;       // string id -> bytes of the input
  FlatMap<ByteSpan> messages;      // UserLog values (bytes of the input), by the event's offset
  FlatMap<uint64_t> arg2;          // third numeric argument where non-zero, by the event's offset
  FlatMap<ByteSpan> stacks;        // stack id -> frames[pos, pos+len)
  std::vector<RawFrame> frames;
};

// Version (1000 + minor) from the 16-byte header, accepting one- and two-digit minors as Go does.
absl::StatusOr<int> ReadHeader(std::string_view data);

// Decodes the whole trace. A cheap framing pass first counts the event records so that `events`
// is allocated once, at its exact size.
absl::Status ReadTrace(std::string_view data, RawTrace* out);

}  // namespace schedcast::gotrace::v1::internal
