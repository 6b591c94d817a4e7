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
#include "store/source_index.h"

namespace schedcast::collect {

std::string SrcIndexHelper();

store::SourceIndexRecord IndexPackage(const std::string& helper, const Package& pkg, const std::atomic<bool>* cancel);

}  // namespace schedcast::collect
