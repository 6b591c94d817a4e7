// store/source_index.h — the stored source index of a package (one row per package and source hash).
//
// Contract: PutSourceIndex upserts the row of (package, source_hash) — a successful index is never
// replaced by a failed one. GetSourceIndex returns the row, or nullopt when the store has none for
// that key or predates the source_index table (old stores opened read-only): callers then work
// without program features. The JSON in `data` is tools/srcindex's document (docs/SRCINDEX.md);
// src/srcindex/ parses it. Errors name the store file and the package.
// Thread-safety: as the Store passed in (one thread at a time).
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace schedcast::store {

struct SourceIndexRecord {
  std::string package;      // Go import path (programs.package)
  std::string source_hash;  // programs.source_hash
  bool ok = false;
  std::string data;         // JSON ("" when !ok)
  std::string error;        // why indexing failed ("" when ok)
  double wall_ms = 0;       // time the helper took
};

absl::Status PutSourceIndex(Store& st, const SourceIndexRecord& r);
absl::StatusOr<std::optional<SourceIndexRecord>> GetSourceIndex(Store& st, const std::string& package,
                                                                const std::string& source_hash);

}  // namespace schedcast::store
