// gotrace/v2/generation.h — splits a new-format trace into generations (internal to gotrace/v2).
//
// A trace after its 16-byte header is a sequence of batches, each headed by
//   type byte (EventBatch; Go 1.23 also ExperimentalBatch + experiment byte),
//   uvarint generation, uvarint thread (M) id, uvarint base timestamp, uvarint size, size bytes.
// All batches of generation N come before those of N+1. A batch's body is a strings table, a
// stacks table, CPU samples, the timestamp frequency, experimental data (Go 1.23), or events of
// one thread. GenerationReader reads one generation at a time: it fills the Table, records where
// each thread's event batches are (in file order, without reading their bodies), and collects CPU
// samples; it stops at the first batch of the next generation and starts the next call there.
// Go 1.25 replaces the frequency batch by a sync batch (frequency + clock snapshot, both required);
// Go 1.26 ends each generation with a one-byte EndOfGeneration batch instead of the reader seeing
// the first batch of the next one.
// Errors are DataErrorAt(offset, reason). Go 1.23 and 1.25 tolerate an unreadable batch after at least one
// good one: the generation read so far is returned and the error is reported through `deferred`
// (the reader surfaces it once that generation's events are out), as Go's reader does.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "gotrace/v2/source.h"
#include "gotrace/v2/table.h"

namespace schedcast::gotrace::v2 {

struct BatchRef {
  uint64_t offset = 0;  // absolute offset of the body
  uint32_t size = 0;
  uint64_t base_time = 0;  // raw timestamp in ticks
};

struct ThreadBatches {
  int64_t m = 0;
  std::vector<BatchRef> batches;
};

struct CpuSample {
  int64_t time = 0;  // ns (converted once the frequency is known)
  int64_t m = 0, p = 0, g = 0;
  uint64_t stack = 0;
  uint64_t offset = 0;
};

struct Generation {
  uint64_t gen = 0;
  uint64_t offset = 0;     // offset of its first batch
  double ns_per_tick = 0;  // from the Frequency batch
  uint64_t min_ts = 0;     // smallest batch base timestamp (ticks); Go >= 1.25 dates its Sync by it
  Table table;
  std::vector<ThreadBatches> threads;  // in order of first appearance
  std::vector<CpuSample> samples;      // sorted by time (stable)
};

// Go's conversion of a raw timestamp to nanoseconds: int64(float64(t) * nsPerTick), with amd64's
// result (INT64_MIN) where the product does not fit.
int64_t TicksToNs(uint64_t ticks, double ns_per_tick);

class GenerationReader {
 public:
  GenerationReader(const ByteSource& src, int version, uint64_t start);

  // Reads the next generation into *g. *deferred (1.23 / 1.25) receives a tolerated read error.
  // Go >= 1.26 only: returns OK with g->gen == 0 at the clean end of the trace.
  absl::Status Next(Generation* g, absl::Status* deferred);
  // True if a batch of a further generation has been seen (so Next has more to read).
  bool has_more() const { return has_spill_; }

 private:
  struct Header {
    bool eof = false;  // clean end of the trace here
    bool end_of_generation = false;  // Go >= 1.26: the EndOfGeneration byte
    uint8_t type = 0;
    uint8_t experiment = 0;
    uint64_t gen = 0, m = 0, time = 0, size = 0;
    uint64_t at = 0;           // offset of the batch
    uint64_t body = 0;         // offset of the body
    int first_byte = -1;       // first byte of the body, -1 if empty
  };
  absl::StatusOr<Header> ReadHeader(uint64_t pos);
  absl::Status Process(Generation* g, const Header& h);
  absl::Status ProcessSync(Generation* g, const Header& h);
  absl::Status NextEnded(Generation* g);  // Go >= 1.26
  absl::Status Finish(Generation* g);

  const ByteSource& src_;
  int version_;
  uint64_t pos_;
  bool has_spill_ = false;
  Header spill_;
  std::string scratch_;
  std::unordered_map<int64_t, size_t> thread_index_;  // m -> index in Generation::threads
};

}  // namespace schedcast::gotrace::v2
