// collect/srcindex.h — indexing a package's source once per collection (tools/srcindex).
//
// Contract: IndexPackage runs the srcindex helper on the package's source directory (the
// original, not the temporary copy with the tracing shim) with a hard timeout and returns the
// store row: ok with the helper's JSON when it exited 0 and wrote a JSON object; otherwise ok =
// false with the reason (exit status, first lines of stderr). It never fails the collection.
// SrcIndexHelper() is the helper's path: $SCHEDCAST_SRCINDEX if set, else the binary the build
// made (tools/srcindex, SCHEDCAST_SRCINDEX_BIN at compile time); "" when neither exists.
// Thread-safety: thread-safe (independent processes).
#pragma once

#include <atomic>
#include <string>

#include "collect/discover.h"
#include "common/status.h"
#include "store/source_index.h"

namespace schedcast::collect {

std::string SrcIndexHelper();

store::SourceIndexRecord IndexPackage(const std::string& helper, const Package& pkg, const std::atomic<bool>* cancel);

// Source-level perturbation: `helper -inject copy_dir` rewrites the package's temporary copy (never
// the user's tree) so that a seeded delay runs before each synchronising statement, lines kept
// (tools/srcindex/inject.go). Returns the number of delay sites inserted. Errors (naming the
// directory, with the helper's stderr): the helper failed, timed out or printed no summary.
absl::StatusOr<int64_t> InjectDelays(const std::string& helper, const std::string& copy_dir,
                                     const std::atomic<bool>* cancel);

}  // namespace schedcast::collect
