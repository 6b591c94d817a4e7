// store/store.h — the schedcast store: one SQLite file (WAL) holding programs, builds,
// configurations, runs and their zstd-compressed traces.
//
// Contract:
//  - Open() creates the file and schema if missing; a file of another schema version is refused
//    with an error naming the file (see schema.h).
//  - Upsert* return the row id of the natural key, inserting it if new (idempotent).
//  - InsertRun() writes the run row and its trace in ONE transaction: after a crash (even kill -9)
//    a run is either fully present or absent. It returns false (and writes nothing) when a run with
//    the same (program, config, run_index) already exists — whatever its seed — so re-collecting,
//    even concurrently with another --seed, never duplicates a run index.
//  - RecordBuild() upserts the build row; when the build failed it also inserts one build_failed
//    run (index 0) per given (program, config); when it succeeded it deletes earlier build_failed
//    runs of those pairs. One transaction.
//
// Thread-safety: thread-compatible — a Store must be used by one thread at a time (the collector
// writes from its main thread only). Several processes may open the same file: SQLite's locking
// and the busy timeout serialise their writes.
#pragma once

#include <cstdint>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/records.h"
#include "store/sqlite.h"

namespace schedcast::store {

class Store {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path);
  // Opens an existing store only (for readers: `runs`, `trace dump --store`); a version-1 store
  // is read as it is (no perturbed runs, no goleak / leak-profile verdicts).
  static absl::StatusOr<std::unique_ptr<Store>> OpenExisting(const std::string& path);

  absl::StatusOr<int64_t> UpsertProgram(const ProgramRecord& p);
  absl::StatusOr<int64_t> UpsertConfig(const ConfigRecord& c);

  absl::Status RecordBuild(const BuildRecord& b, const std::vector<std::pair<int64_t, int64_t>>& program_configs,
                           uint64_t seed, const std::string& started_at);

  // Run indices already stored for (program, config, perturb), whatever their seed, with their outcome.
  absl::StatusOr<std::map<int, Outcome>> RunIndices(int64_t program_id, int64_t config_id, uint64_t perturb = 0);

  absl::StatusOr<bool> InsertRun(const RunRecord& r);

  absl::StatusOr<StoredRun> GetRun(int64_t run_id);
  // The decompressed trace of a run; NotFound if the run stored none.
  absl::StatusOr<std::string> LoadTrace(int64_t run_id);
  absl::StatusOr<std::vector<StoredRun>> ListRuns();

  // Runs matching every given field, in id order, through the store's indexes (programs' unique
  // key, runs_by_program_config, the runs' primary key).
  struct RunFilter {
    std::string package, name;           // the program ("" = any; name needs package)
    std::optional<ConfigRecord> config;  // the configuration (nullopt = any)
    int64_t min_id = 0, max_id = INT64_MAX;  // inclusive id range
  };
  absl::StatusOr<std::vector<StoredRun>> ListRuns(const RunFilter& f);
  // The runs of the same program (package and name) and configuration as run `run_id`, it included.
  absl::StatusOr<std::vector<StoredRun>> SiblingRuns(int64_t run_id);

  // A transaction over this store's connection: the Upsert*/Put* calls made before its Commit() land
  // together (InsertRun and RecordBuild open their own and must not be called inside one).
  absl::StatusOr<Transaction> Begin() { return Transaction::Begin(db_); }
  // The standard-library package list of each toolchain (store/toolchain_std.h).
  absl::StatusOr<std::map<std::string, std::string>> StdPackageLists();
  absl::Status PutStdPackageList(const std::string& go_full_version, const std::string& packages);

  // The raw connection, for the store's own modules (merge, source index, toolchain lists) and tests.
  Database& db() { return db_; }
  const std::string& path() const { return db_.path(); }

 private:
  Store(Database db, int version) : db_(std::move(db)), version_(version) {}
  Database db_;
  int version_;  // schema version of the file (1 only for read-only opens of old stores)
};

// Current UTC time as "2024-05-01T12:34:56.789Z".
std::string NowUtc();

}  // namespace schedcast::store
