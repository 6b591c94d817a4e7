// gotrace/v2/table.h — the per-generation string and stack tables of a new-format trace.
//
// Every generation of a Go >= 1.22 trace carries its own dictionary: strings (ids -> text, each at
// most 1 KiB) and stacks (ids -> frames; a frame is pc, function and file string ids and a line).
// Ids are only meaningful within their generation; id 0 always means "none" (the empty string,
// the empty stack). A Table owns copies of its strings, so it stays valid after the input bytes
// are gone; it is filled by the generation reader and handed out by Reader::table() for the
// events of that generation. Lookups of unknown ids return "" / an empty stack; has_string() and
// has_stack() say whether an id exists (the reader has already checked every id an event uses).
//
// Go 1.23 keys frames by pc within a generation (the first description of a pc wins); Go 1.22 keeps
// each stack's frames as written. The table follows the version it was built for.
// Extra strings hold names the ordering carries across generations (task types at TaskEnd).
// Not thread-safe for writers; concurrent const use is fine.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"

namespace schedcast::gotrace::v2 {

struct Frame {
  uint64_t pc = 0;
  uint64_t func = 0;  // string id
  uint64_t file = 0;  // string id
  uint64_t line = 0;
};

struct ResolvedFrame {
  uint64_t pc = 0;
  std::string_view func;
  std::string_view file;
  uint64_t line = 0;
};

// Go >= 1.25: a near-simultaneous reading of the trace clock (converted to ns), the monotonic
// clock and the wall clock (Unix seconds + nanoseconds), from the generation's sync batch.
struct ClockSnapshot {
  int64_t trace = 0;
  uint64_t mono = 0;
  uint64_t sec = 0, nsec = 0;
};

// Raw data of one experimental batch (Go 1.23), kept for consumers that understand it.
struct ExperimentalBatch {
  uint8_t experiment = 0;
  int64_t thread = 0;
  std::string data;
};

// Maps sparse 64-bit ids to dense indices; dense array lookup when the ids are compact.
class IdIndex {
 public:
  // False if `id` is already present.
  bool Insert(uint64_t id, uint32_t index);
  // Switches to array lookup if the ids are compact enough (at most ~2x wasted slots).
  void Finalize();
  // Index of `id`, or -1.
  int64_t Find(uint64_t id) const {
    if (id < dense_.size()) return static_cast<int64_t>(dense_[id]) - 1;
    if (sparse_.empty()) return -1;
    auto it = sparse_.find(id);
    return it == sparse_.end() ? -1 : static_cast<int64_t>(it->second);
  }
  void Clear();

 private:
  std::vector<uint32_t> dense_;  // index + 1; 0 = absent
  std::unordered_map<uint64_t, uint32_t> sparse_;
  uint64_t max_id_ = 0;
};

class Table {
 public:
  explicit Table(int version = 1023) : version_(version) {}

  int version() const { return version_; }
  uint64_t gen() const { return gen_; }

  // Strings. Id 0 is the empty string.
  bool has_string(uint64_t id) const { return id == 0 || strings_.Find(id) >= 0; }
  std::string_view string(uint64_t id) const;
  size_t num_strings() const { return string_spans_.size(); }
  // Dense index (0 .. num_strings()-1) of a string id, -1 for 0 and unknown ids (for caches).
  int64_t string_index(uint64_t id) const { return id == 0 ? -1 : strings_.Find(id); }

  // Stacks: frame indices, outermost last (as in the trace). Id 0 is the empty stack.
  bool has_stack(uint64_t id) const { return id == 0 || stacks_.Find(id) >= 0; }
  std::span<const uint32_t> stack(uint64_t id) const;
  size_t num_stacks() const { return stack_spans_.size(); }
  // Dense index (0 .. num_stacks()-1) of a stack id, -1 for 0 and unknown ids (for caches).
  int64_t stack_index(uint64_t id) const { return id == 0 ? -1 : stacks_.Find(id); }
  const Frame& frame(uint32_t index) const { return frames_[index]; }
  ResolvedFrame resolve(uint32_t index) const;
  size_t num_frames() const { return frames_.size(); }

  // Strings made up while ordering (task type names); id 0 is "".
  std::string_view extra_string(uint64_t id) const;
  uint64_t AddExtraString(std::string_view s);

  const std::vector<ExperimentalBatch>& experimental() const { return experimental_; }

  // Go >= 1.25: the generation's clock snapshot (has_clock_snapshot() is false before 1.25).
  bool has_clock_snapshot() const { return has_snapshot_; }
  const ClockSnapshot& clock_snapshot() const { return snapshot_; }
  void SetClockSnapshot(const ClockSnapshot& s) {
    snapshot_ = s;
    has_snapshot_ = true;
  }

  // --- Building (used by the generation reader). ---
  void Reset(uint64_t gen);
  // Parse one strings / stacks batch body (`body` excludes the leading batch-kind byte; `base`
  // is its absolute offset). Errors name offsets.
  absl::Status AddStrings(std::string_view body, uint64_t base);
  absl::Status AddStacks(std::string_view body, uint64_t base);
  void AddExperimental(uint8_t experiment, int64_t thread, std::string_view data);
  // Compacts lookups and checks that every frame's strings exist. `offset` names the generation.
  absl::Status Finish(uint64_t offset);

 private:
  int version_;
  uint64_t gen_ = 0;
  IdIndex strings_;
  std::string string_bytes_;
  std::vector<std::pair<uint32_t, uint32_t>> string_spans_;  // (offset, length) in string_bytes_
  IdIndex stacks_;
  std::vector<uint32_t> stack_frames_;
  std::vector<std::pair<uint32_t, uint32_t>> stack_spans_;  // (offset, count) in stack_frames_
  std::vector<uint64_t> stack_ids_;                         // id of each stack (for messages)
  std::vector<uint64_t> stack_offsets_;                     // file offset of each stack
  std::vector<Frame> frames_;
  std::unordered_map<uint64_t, uint32_t> frame_by_pc_;
  std::vector<std::string> extra_strings_;
  std::unordered_map<std::string, uint64_t> extra_ids_;
  std::vector<ExperimentalBatch> experimental_;
  bool has_snapshot_ = false;
  ClockSnapshot snapshot_;
};

}  // namespace schedcast::gotrace::v2
