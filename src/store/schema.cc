// store/schema.cc — DDL of the store (see schema.h).
//
// Natural keys (UNIQUE constraints) make every insert idempotent: a program is (package, name,
// source_hash); a configuration is (go_version, gomaxprocs, race); a build is (package,
// source_hash, go_version, race); a run is (program, config, run_index, seed), and a store keeps at
// most one run per (program, config, run_index) (runs_one_per_index below).
#include "store/schema.h"

#include <chrono>
#include <thread>

namespace schedcast::store {
namespace {

// A store keeps one run per (program, configuration, run index), whatever the seed of the
// collection that made it: `--runs N` means N runs, also when two collections with different
// --seed top up one store at once (the later insert of an index is ignored). Stores made before
// this index existed get it when a writer opens them.
// Perturbed runs (collect --perturb) are a separate set of indices: `perturb` is part of the key.
#define kOneRunPerIndex \
  "CREATE UNIQUE INDEX IF NOT EXISTS runs_one_per_index ON runs(program_id, config_id, perturb, run_index)"

// The source index of each package (collect/ runs tools/srcindex once per package and source
// hash; src/srcindex/ reads the JSON). Added after version 1 shipped: stores made before it get the
// table when a writer opens them; readers of such stores find no index (srcindex features absent).
#define kSourceIndexTable                                                                     \
  "CREATE TABLE IF NOT EXISTS source_index (\n"                                               \
  "  package     TEXT NOT NULL,\n"                                                            \
  "  source_hash TEXT NOT NULL,\n"                                                            \
  "  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),\n"                                    \
  "  data        TEXT NOT NULL,  -- srcindex's JSON document ('' when ok = 0)\n"              \
  "  error       TEXT NOT NULL,  -- why indexing failed, or the helper's stderr\n"           \
  "  wall_ms     REAL NOT NULL,\n"                                                            \
  "  made_at     TEXT NOT NULL,\n"                                                            \
  "  UNIQUE (package, source_hash)\n"                                                         \
  ")"

constexpr const char* kDdl = R"sql(
CREATE TABLE programs (
  id          INTEGER PRIMARY KEY,
  package     TEXT NOT NULL,              -- Go import path ("_/abs/dir" outside any module)
  dir         TEXT NOT NULL,              -- absolute source directory at collection time
  name        TEXT NOT NULL,              -- TestXxx, or "main" for a package main program
  kind        TEXT NOT NULL CHECK (kind IN ('test', 'main')),
  source_hash TEXT NOT NULL,              -- fnv1a64 of the package's files and go.mod
  UNIQUE (package, name, source_hash)
);
CREATE TABLE configs (
  id          INTEGER PRIMARY KEY,
  go_version  TEXT NOT NULL,              -- "1.23"
  gomaxprocs  INTEGER NOT NULL,
  race        INTEGER NOT NULL CHECK (race IN (0, 1)),
  UNIQUE (go_version, gomaxprocs, race)
);
CREATE TABLE builds (
  id              INTEGER PRIMARY KEY,
  package         TEXT NOT NULL,
  source_hash     TEXT NOT NULL,
  go_version      TEXT NOT NULL,
  go_full_version TEXT NOT NULL,          -- `go env GOVERSION`, e.g. "go1.23.5"
  race            INTEGER NOT NULL CHECK (race IN (0, 1)),
  ok              INTEGER NOT NULL CHECK (ok IN (0, 1)),
  output          TEXT NOT NULL,          -- compiler output (capped)
  built_at        TEXT NOT NULL,
  UNIQUE (package, source_hash, go_version, race)
);
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  program_id   INTEGER NOT NULL REFERENCES programs(id),
  config_id    INTEGER NOT NULL REFERENCES configs(id),
  seed         INTEGER NOT NULL,          -- the collection's --seed
  run_index    INTEGER NOT NULL,          -- 0..N-1 within (program, config)
  run_seed     INTEGER NOT NULL,          -- derived from seed, program, config, run_index
  outcome      TEXT NOT NULL CHECK (outcome IN
                 ('ok','fail','skip','deadline','deadlock','panic','crash','race','build_failed')),
  exit_code    INTEGER,                   -- NULL when killed by a signal or never started
  signal       INTEGER,                   -- terminating signal, NULL if it exited
  wall_ms      REAL NOT NULL,
  trace_bytes  INTEGER NOT NULL,          -- uncompressed trace size (0: none written)
  event_count  INTEGER,                   -- NULL when the trace could not be parsed
  stdout_text  TEXT NOT NULL,             -- head and tail, capped
  stderr_text  TEXT NOT NULL,             -- head and tail, capped
  end_state    TEXT,                      -- goroutine stacks at the end (leaks) or at the deadline
  note         TEXT NOT NULL DEFAULT '',  -- collector remarks (hard kill, output cut, ...)
  started_at   TEXT NOT NULL,             -- UTC, ISO 8601
  perturb      INTEGER NOT NULL DEFAULT 0, -- the collection's --perturb seed; 0: an unperturbed run
  perturb_seed INTEGER,                   -- this run's perturbation seed (NULL: unperturbed)
  goleak       TEXT,                      -- goleak.Find() after the test: '' none found, else its
                                          -- message; NULL: not checked (off, hung test, no module)
  leak_profile TEXT,                      -- goroutineleak profile (debug=2 stacks) at the end;
                                          -- NULL: not taken (off, Go < 1.26 or experiment off)
  UNIQUE (program_id, config_id, perturb, run_index, seed)
);
CREATE INDEX runs_by_program_config ON runs(program_id, config_id);
)sql" kOneRunPerIndex ";\n" kSourceIndexTable R"sql(;
CREATE TABLE traces (
  run_id     INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  codec      TEXT NOT NULL CHECK (codec IN ('zstd')),
  raw_bytes  INTEGER NOT NULL,
  data       BLOB NOT NULL
);
)sql";

// Version 1 -> 2: the runs table gains perturb, perturb_seed, goleak and leak_profile, and perturb
// joins its natural key. SQLite cannot change a table's UNIQUE constraint in place, so the table is
// rebuilt (SQLite's documented procedure: foreign keys off, new table, copy, drop, rename), in one
// transaction; traces keep their run ids.
absl::Status MigrateV1(Database& db) {
  SC_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=OFF"));
  absl::Status s = [&]() -> absl::Status {
    SC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    SC_ASSIGN_OR_RETURN(int64_t again, db.QueryInt("PRAGMA user_version"));
    if (again != 1) return absl::OkStatus();  // another process migrated it meanwhile
    std::string ddl = kDdl;
    size_t from = ddl.find("CREATE TABLE runs (");
    size_t to = ddl.find(");", from);
    std::string runs = ddl.substr(from, to + 2 - from);
    runs.replace(0, std::string("CREATE TABLE runs (").size(), "CREATE TABLE runs_v2 (");
    SC_RETURN_IF_ERROR(db.Exec(runs));
    const char* cols = "id, program_id, config_id, seed, run_index, run_seed, outcome, exit_code, signal, wall_ms, "
                       "trace_bytes, event_count, stdout_text, stderr_text, end_state, note, started_at";
    SC_RETURN_IF_ERROR(db.Exec(Cat("INSERT INTO runs_v2(", cols, ") SELECT ", cols, " FROM runs ORDER BY id")));
    SC_RETURN_IF_ERROR(db.Exec("DROP TABLE runs"));
    SC_RETURN_IF_ERROR(db.Exec("ALTER TABLE runs_v2 RENAME TO runs"));
    SC_RETURN_IF_ERROR(db.Exec("CREATE INDEX runs_by_program_config ON runs(program_id, config_id)"));
    SC_RETURN_IF_ERROR(db.Exec(kOneRunPerIndex));
    SC_ASSIGN_OR_RETURN(int64_t dangling, db.QueryInt("SELECT count(*) FROM pragma_foreign_key_check"));
    if (dangling != 0)
      return absl::DataLossError(Cat(db.path(), ": migrating the store to version 2 left ", dangling,
                                     " rows without their parent; nothing was changed"));
    SC_RETURN_IF_ERROR(db.Exec(Cat("PRAGMA user_version=", kSchemaVersion)));
    return txn.Commit();
  }();
  absl::Status on = db.Exec("PRAGMA foreign_keys=ON");
  SC_RETURN_IF_ERROR(WithContext(s, Cat(db.path(), ": migrating the store from schema version 1 to 2")));
  return on;
}

}  // namespace

absl::StatusOr<int> ReadableVersion(Database& db, std::string_view schema, const std::string& file) {
  SC_ASSIGN_OR_RETURN(int64_t v, db.QueryInt(Cat("PRAGMA ", schema, ".user_version")));
  if (v == 1 || v == kSchemaVersion) return static_cast<int>(v);
  SC_RETURN_IF_ERROR(CheckVersion(db, schema, file));
  return static_cast<int>(v);
}

absl::Status CheckVersion(Database& db, std::string_view schema, const std::string& file) {
  SC_ASSIGN_OR_RETURN(int64_t v, db.QueryInt(Cat("PRAGMA ", schema, ".user_version")));
  if (v != kSchemaVersion) {
    return absl::FailedPreconditionError(
        Cat(file, ": store schema version ", v, ", but this schedcast reads version ", kSchemaVersion,
            v == 0 ? " (not a schedcast store?)" : ""));
  }
  return absl::OkStatus();
}

absl::Status Initialise(Database& db) {
  SC_RETURN_IF_ERROR(WithContext(sqlite3_busy_timeout(db.raw(), 10000) == SQLITE_OK
                                     ? absl::OkStatus()
                                     : db.Error("setting busy timeout"),
                                 "store"));
  // journal_mode returns a row; run it through QueryInt's statement machinery via Exec. Switching a
  // new store to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once — without the
  // busy handler, which could deadlock there — while another process opening the same new store
  // holds its shared one: retry for as long as the busy timeout would have waited.
  for (int waited_ms = 0;; waited_ms += 20) {
    absl::Status wal = db.Exec("PRAGMA journal_mode=WAL");
    if (wal.ok()) break;
    if (wal.code() != absl::StatusCode::kUnavailable || waited_ms >= 10000) return wal;  // not busy/locked
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  SC_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"));
  SC_ASSIGN_OR_RETURN(int64_t v, db.QueryInt("PRAGMA user_version"));
  if (v == kSchemaVersion) {
    absl::Status idx = db.Exec(kOneRunPerIndex);
    if (idx.ok()) return db.Exec(kSourceIndexTable);
    if (idx.code() != absl::StatusCode::kAlreadyExists) return idx;
    return absl::FailedPreconditionError(
        Cat(db.path(), ": the store holds two runs with the same (program, configuration, run index), from "
                       "concurrent collections of an older schedcast; `schedcast merge NEW.db OLD.db` keeps one of each"));
  }
  if (v == 1) {
    SC_RETURN_IF_ERROR(MigrateV1(db));
    return Initialise(db);
  }
  if (v != 0) return CheckVersion(db, "main", db.path());
  SC_ASSIGN_OR_RETURN(int64_t tables, db.QueryInt("SELECT count(*) FROM sqlite_schema"));
  if (tables != 0) {
    return absl::FailedPreconditionError(
        Cat(db.path(), ": not a schedcast store (it has tables but store schema version 0)"));
  }
  SC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
  // Another process may have created the schema between our check and BEGIN IMMEDIATE.
  SC_ASSIGN_OR_RETURN(int64_t again, db.QueryInt("PRAGMA user_version"));
  if (again != 0) return CheckVersion(db, "main", db.path());
  SC_RETURN_IF_ERROR(db.Exec(kDdl));
  SC_RETURN_IF_ERROR(db.Exec(Cat("PRAGMA user_version=", kSchemaVersion)));
  return txn.Commit();
}

}  // namespace schedcast::store
