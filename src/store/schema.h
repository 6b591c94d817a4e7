// store/schema.h — the store's tables and their version.
//
// Contract: Initialise() turns an empty database into a version-kSchemaVersion store (tables,
// indexes, PRAGMA user_version) and sets the connection's pragmas (WAL journal,
// synchronous=NORMAL, foreign keys, busy timeout). Opening a database whose user_version is
// another non-zero version fails with FailedPrecondition naming the file and both versions; a
// database without our tables but with other tables is refused too (it is not a schedcast store).
// A version-1 store (before perturbed runs, goleak and the goroutineleak profile) is migrated by
// Initialise (writers); readers and merge inputs accept it as it is (ReadableVersion), reading the
// new run columns as their defaults (unperturbed, not checked).
// Thread-safety: same as the Database passed in (one thread at a time).
#pragma once

#include "store/sqlite.h"

namespace schedcast::store {

inline constexpr int kSchemaVersion = 2;

// Applies connection pragmas, then creates or checks the schema.
absl::Status Initialise(Database& db);

// The version of a store readers accept (1 or kSchemaVersion); an error naming `file` otherwise.
absl::StatusOr<int> ReadableVersion(Database& db, std::string_view schema, const std::string& file);

// Checks only the version (used on ATTACHed merge inputs): `schema` is the attached name.
absl::Status CheckVersion(Database& db, std::string_view schema, const std::string& file);

}  // namespace schedcast::store
