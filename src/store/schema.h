// store/schema.h — the store's tables and their version.
//
// Contract: Initialise() turns an empty database into a version-kSchemaVersion store (tables,
// indexes, PRAGMA user_version) and sets the connection's pragmas (WAL journal,
// synchronous=NORMAL, foreign keys, busy timeout). Opening a database whose user_version is
// another non-zero version fails with FailedPrecondition naming the file and both versions; a
// database without our tables but with other tables is refused too (it is not a schedcast store).
// Thread-safety: same as the Database passed in (one thread at a time).
#pragma once

#include "store/sqlite.h"

namespace schedcast::store {

inline constexpr int kSchemaVersion = 1;

// Applies connection pragmas, then creates or checks the schema.
absl::Status Initialise(Database& db);

// Checks only the version (used on ATTACHed merge inputs): `schema` is the attached name.
absl::Status CheckVersion(Database& db, std::string_view schema, const std::string& file);

}  // namespace schedcast::store
