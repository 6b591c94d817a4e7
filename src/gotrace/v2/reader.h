// gotrace/v2/reader.h — streaming reader of new-format (Go 1.22 - 1.27) execution traces.
//
// Yields the events of a trace in exactly the order, with exactly the contexts, arguments and
// timestamps, that Go's own reader (internal/trace of the Go version that wrote the trace) yields
// them; `go tool trace -d=1` prints that sequence. The reader works one generation at a time:
// it reads the generation's batches (tables, CPU samples, where each thread's event batches
// are), then merges the threads' events by timestamp under the scheduler model of
// gotrace/v2/order.h. Sync events follow the reader of the Go version that wrote the trace: for
// "go 1.22/1.23 trace" (Go 1.22-1.24) one Sync ends each generation; for "go 1.25/1.26 trace"
// (Go 1.25-1.27) one Sync begins each generation (numbered N=1,2,..., dated by the generation's
// earliest batch, carrying its clock snapshot: args[0] = N, args[1] = 1 if the snapshot of
// table() belongs to it) and one more ends the trace. Memory is bounded by one
// generation's tables plus one batch per thread (the input itself stays with the ByteSource).
//
// Usage:
//   SC_ASSIGN_OR_RETURN(auto r, v2::Reader::FromBytes(bytes));   // or Reader::Open(file source)
//   v2::Event ev;
//   while (true) {
//     SC_ASSIGN_OR_RETURN(bool more, r->Next(&ev));
//     if (!more) break;
//     const v2::Table& t = r->table();   // strings and stacks of ev's generation
//     ...
//   }
//
// Contract: Next returns true with an event, false at the clean end of the trace, or an error
// (absl::DataLossError "offset N: reason") for malformed or inconsistent input; after an error
// every further call returns the same error. table() is valid for the last event returned and
// until the next call to Next that moves to a new generation (right after a Sync event).
// Timestamps are strictly increasing (Go bumps equal or earlier ones by 1 ns).
// Not thread-safe; distinct readers are independent.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gotrace/v2/event.h"
#include "gotrace/v2/generation.h"
#include "gotrace/v2/order.h"
#include "gotrace/v2/source.h"
#include "gotrace/v2/table.h"

namespace schedcast::gotrace::v2 {

class Reader {
 public:
  // `data` is the whole trace file (header included); it must outlive the reader.
  static absl::StatusOr<std::unique_ptr<Reader>> FromBytes(std::string_view data);
  static absl::StatusOr<std::unique_ptr<Reader>> Open(std::unique_ptr<ByteSource> source);

  int version() const { return version_; }  // 1022, 1023, 1025 or 1026

  // Reads the next event; see the contract above.
  absl::StatusOr<bool> Next(Event* ev);

  // Reads the rest of the current generation into *events (cleared first): through its closing
  // Sync event for go 1.22/1.23 traces; from its opening Sync up to the next generation for
  // go >= 1.25 traces (whose final Sync comes as a generation of its own). Returns false, with
  // *events empty, at the end of the trace. table() describes them.
  absl::StatusOr<bool> NextGeneration(std::vector<Event>* events);

  const Table& table() const { return gen_.table; }
  uint64_t generation() const { return gen_.gen; }          // number of the current generation
  uint64_t generations_read() const { return gens_read_; }  // generations loaded so far

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader();

 private:
  struct Cursor {
    int64_t m = 0;
    const std::vector<BatchRef>* batches = nullptr;
    size_t idx = 0;         // current batch
    size_t off = 0;         // next byte in the current batch
    bool loaded = false;    // `data` holds the current batch
    int64_t last_ts = 0;
    std::string_view data;
    std::string scratch;
    Event ev;               // the next event of this thread
  };

  Reader(std::unique_ptr<ByteSource> source, int version);
  absl::StatusOr<bool> NextUnchecked(Event* ev);
  absl::StatusOr<bool> NextGenerationStart(Event* ev);
  bool AtGenerationEnd() const {
    return !order_.has_queued() && heap_.empty() && next_sample_ == gen_.samples.size();
  }  // go >= 1.25: between generations
  void MakeSync(Event* ev, int64_t time, bool snapshot);
  absl::Status InstallGeneration();
  absl::Status LoadGeneration();
  absl::StatusOr<bool> Refill(Cursor& c);  // reads the cursor's next event; false when exhausted
  absl::Status TryAdvance(size_t i, bool* advanced);
  absl::Status Fail(absl::Status s);
  absl::Status CheckIds(const Event& ev) const;

  // Binary min-heap of cursors by the time of their next event.
  void HeapPush(Cursor* c);
  void HeapFix(size_t i);
  void HeapRemove(size_t i);
  size_t SiftUp(size_t i);
  size_t SiftDown(size_t i);

  std::unique_ptr<ByteSource> source_;
  int version_;
  GenerationReader gens_;
  Generation gen_;
  Ordering order_;
  std::vector<std::unique_ptr<Cursor>> cursors_;
  std::vector<Cursor*> heap_;
  size_t next_sample_ = 0;
  bool loaded_any_ = false;
  bool emitted_sync_ = true;  // no Sync before the first generation
  absl::Status deferred_;     // Go 1.23: read error after the current generation
  absl::Status failed_;       // sticky error
  int64_t last_ts_ = 0;
  uint64_t gens_read_ = 0;
  // Go >= 1.25.
  int syncs_ = 0;
  bool done_ = false;           // the final Sync has been returned
  bool deferred_synced_ = false;  // the Sync before a deferred / read error has been returned
};

}  // namespace schedcast::gotrace::v2
