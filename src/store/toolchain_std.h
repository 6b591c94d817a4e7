// store/toolchain_std.h — the standard-library package list of each Go toolchain a store's
// programs were built with (`go list std`), kept beside the builds so that a store read elsewhere
// still tells standard-library frames from user frames (see sched/stdlib.h).
//
// Contract: one row per full toolchain version ("go1.23.5"): the import paths, newline-separated.
// The table is additive (CREATE TABLE IF NOT EXISTS on first write), so stores written before it
// existed open unchanged and simply hold no list (GetStdPackageLists returns an empty map).
// PutStdPackageList replaces the row of that version. RegisterStdPackageLists adds every list the
// store keeps to the process-wide set (common/std_packages.h); Store::Open/OpenExisting call it, so
// whatever reads a store classifies its frames by the toolchains that built it.
// Thread-safety: as Store (one thread per connection).
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "store/sqlite.h"

namespace schedcast::store {

absl::Status PutStdPackageList(Database& db, const std::string& go_full_version, const std::string& packages);
// go_full_version → newline-separated import paths.
absl::StatusOr<std::map<std::string, std::string>> GetStdPackageLists(Database& db);
absl::Status RegisterStdPackageLists(Database& db);

}  // namespace schedcast::store
