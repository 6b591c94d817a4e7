// store/merge.h — merging stores (the scale-out half of `collect --shard I/N`).
//
// Contract: Merge(out, inputs) copies every program, configuration, build, run and trace of each
// input into `out` (created if missing), matching rows by their natural keys (see records.h), so
// merging the same input twice, or overlapping shards, adds nothing the second time. Every input is
// validated before anything is written (this schema version, SQLite's quick_check, every trace
// inflates to its recorded size; the error names the file); the merge is then written into a
// temporary file beside `out` (a copy of `out` when it exists) that replaces `out` by one rename:
// on any error `out` is as it was (or still absent). An input that is the output file itself is
// skipped. No other process may write `out` during a merge. Returns how many runs were added.
// Thread-safety: thread-compatible (opens its own connections; SQLite locks serialise writers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace schedcast::store {

struct MergeStats {
  int64_t inputs = 0;
  int64_t runs_added = 0;
  int64_t runs_already_present = 0;
};

absl::StatusOr<MergeStats> Merge(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace schedcast::store
