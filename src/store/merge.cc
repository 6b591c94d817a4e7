// store/merge.cc — idempotent merge of stores via ATTACH and natural-key joins (see merge.h).
#include "store/merge.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "store/schema.h"
#include "store/toolchain_std.h"
#include "store/store.h"

namespace schedcast::store {
namespace {

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Maps a run of src to its program and config ids in main, by natural keys.
constexpr const char* kSrcRunsJoined =
    " FROM src.runs sr"
    " JOIN src.programs sp ON sp.id = sr.program_id"
    " JOIN src.configs sc ON sc.id = sr.config_id"
    " JOIN main.programs p ON p.package = sp.package AND p.name = sp.name AND p.source_hash = sp.source_hash"
    " JOIN main.configs c ON c.go_version = sc.go_version AND c.gomaxprocs = sc.gomaxprocs AND c.race = sc.race";

absl::Status MergeOne(Database& db, const std::string& in, MergeStats& stats) {
  {
    SC_ASSIGN_OR_RETURN(Statement att, db.Prepare("ATTACH DATABASE ?1 AS src"));
    att.Bind(1, in);
    SC_RETURN_IF_ERROR(WithContext(att.Run(), in));
  }
  absl::Status s = [&]() -> absl::Status {
    SC_ASSIGN_OR_RETURN(const int src_version, ReadableVersion(db, "src", in));
    SC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    SC_RETURN_IF_ERROR(db.Exec(
        "INSERT OR IGNORE INTO main.programs(package, dir, name, kind, source_hash) "
        "SELECT package, dir, name, kind, source_hash FROM src.programs ORDER BY id"));
    SC_RETURN_IF_ERROR(db.Exec(
        "INSERT OR IGNORE INTO main.configs(go_version, gomaxprocs, race) "
        "SELECT go_version, gomaxprocs, race FROM src.configs ORDER BY id"));
    // A successful build wins over a failed one of the same key.
    SC_RETURN_IF_ERROR(db.Exec(
        "INSERT INTO main.builds(package, source_hash, go_version, go_full_version, race, ok, output, built_at) "
        "SELECT package, source_hash, go_version, go_full_version, race, ok, output, built_at FROM src.builds "
        "WHERE true ORDER BY id "
        "ON CONFLICT(package, source_hash, go_version, race) DO UPDATE SET ok = excluded.ok, "
        "output = excluded.output, go_full_version = excluded.go_full_version, built_at = excluded.built_at "
        "WHERE excluded.ok > main.builds.ok"));
    // Source indexes (a store made before the table existed has none): a successful one wins.
    SC_ASSIGN_OR_RETURN(int64_t has_index,
                        db.QueryInt("SELECT count(*) FROM src.sqlite_schema WHERE name = 'source_index'"));
    if (has_index != 0)
      SC_RETURN_IF_ERROR(db.Exec(
          "INSERT INTO main.source_index(package, source_hash, ok, data, error, wall_ms, made_at) "
          "SELECT package, source_hash, ok, data, error, wall_ms, made_at FROM src.source_index WHERE true "
          "ON CONFLICT(package, source_hash) DO UPDATE SET ok = excluded.ok, data = excluded.data, "
          "error = excluded.error, wall_ms = excluded.wall_ms, made_at = excluded.made_at "
          "WHERE excluded.ok > main.source_index.ok"));
    SC_ASSIGN_OR_RETURN(int64_t src_runs, db.QueryInt("SELECT count(*) FROM src.runs"));
    SC_RETURN_IF_ERROR(db.Exec(Cat(
        "INSERT OR IGNORE INTO main.runs(program_id, config_id, seed, run_index, run_seed, outcome, exit_code, "
        "signal, wall_ms, trace_bytes, event_count, stdout_text, stderr_text, end_state, note, started_at, perturb, "
        "perturb_seed, goleak, leak_profile) "
        "SELECT p.id, c.id, sr.seed, sr.run_index, sr.run_seed, sr.outcome, sr.exit_code, sr.signal, sr.wall_ms, "
        "sr.trace_bytes, sr.event_count, sr.stdout_text, sr.stderr_text, sr.end_state, sr.note, sr.started_at, ",
        src_version >= 2 ? "sr.perturb, sr.perturb_seed, sr.goleak, sr.leak_profile" : "0, NULL, NULL, NULL",
        kSrcRunsJoined, " ORDER BY sr.id")));
    int64_t added = db.Changes();
    // Traces follow their runs; a run already present keeps its own trace.
    SC_RETURN_IF_ERROR(db.Exec(Cat(
        "INSERT OR IGNORE INTO main.traces(run_id, codec, raw_bytes, data) "
        "SELECT r.id, st.codec, st.raw_bytes, st.data",
        kSrcRunsJoined,
        " JOIN src.traces st ON st.run_id = sr.id"
        " JOIN main.runs r ON r.program_id = p.id AND r.config_id = c.id AND r.run_index = sr.run_index"
        " AND r.seed = sr.seed AND r.perturb = ", src_version >= 2 ? "sr.perturb" : "0")));
    SC_RETURN_IF_ERROR(txn.Commit());
    stats.runs_added += added;
    stats.runs_already_present += src_runs - added;
    ++stats.inputs;
    return absl::OkStatus();
  }();
  absl::Status detach = db.Exec("DETACH DATABASE src");
  SC_RETURN_IF_ERROR(WithContext(s, Cat("merging ", in)));
  return detach;
}

// Reads a whole input before anything is written: a store of this schema version that SQLite
// finds intact, every trace of which inflates to its recorded size.
absl::Status ValidateInput(const std::string& in) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Store> st, Store::OpenExisting(in));
  SC_ASSIGN_OR_RETURN(Statement check, st->db().Prepare("PRAGMA quick_check"));
  SC_ASSIGN_OR_RETURN(bool row, check.Step());
  if (!row || check.Text(0) != "ok")
    return absl::DataLossError(Cat(in, ": store is damaged (sqlite quick_check: ", row ? check.Text(0) : "no answer", ")"));
  SC_ASSIGN_OR_RETURN(Statement runs, st->db().Prepare("SELECT run_id FROM traces ORDER BY run_id"));
  while (true) {
    SC_ASSIGN_OR_RETURN(bool more, runs.Step());
    if (!more) break;
    SC_RETURN_IF_ERROR(st->LoadTrace(runs.Int(0)).status());
  }
  return absl::OkStatus();
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove(Cat(path, suffix).c_str());
}

}  // namespace

absl::StatusOr<MergeStats> Merge(const std::string& out, const std::vector<std::string>& inputs) {
  // 1. Validate every input first: nothing is written when one of them is bad.
  std::vector<std::string> todo;
  for (const std::string& in : inputs) {
    if (SameFile(in, out)) continue;
    struct stat sb;
    if (stat(in.c_str(), &sb) != 0) return absl::NotFoundError(Cat(in, ": no such store"));
    SC_RETURN_IF_ERROR(WithContext(ValidateInput(in), "merge"));
    todo.push_back(in);
  }
  // 2. Merge into a temporary file beside OUT (a copy of OUT when it exists) ...
  const std::string tmp = Cat(out, ".merge-", getpid(), ".tmp");
  RemoveDb(tmp);
  MergeStats stats;
  absl::Status s = [&]() -> absl::Status {
    struct stat sb;
    if (stat(out.c_str(), &sb) == 0) {
      SC_ASSIGN_OR_RETURN(std::unique_ptr<Store> cur, Store::Open(out));
      SC_RETURN_IF_ERROR(cur->db().Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
      SC_ASSIGN_OR_RETURN(Statement vac, cur->db().Prepare("VACUUM INTO ?1"));
      vac.Bind(1, tmp);
      SC_RETURN_IF_ERROR(WithContext(vac.Run(), Cat("copying ", out)));
    }
    SC_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(tmp));
    for (const std::string& in : todo) {
      SC_RETURN_IF_ERROR(MergeOne(store->db(), in, stats));
      // The toolchains' standard-library lists travel with the runs (store/toolchain_std.h).
      SC_ASSIGN_OR_RETURN(Database src, Database::Open(in, /*create=*/false));
      SC_ASSIGN_OR_RETURN(auto lists, GetStdPackageLists(src));
      for (const auto& [version, packages] : lists) SC_RETURN_IF_ERROR(PutStdPackageList(store->db(), version, packages));
    }
    // One file, no WAL beside it, before it takes OUT's place.
    SC_RETURN_IF_ERROR(store->db().Exec("PRAGMA journal_mode=DELETE"));
    return absl::OkStatus();
  }();
  if (!s.ok()) {
    RemoveDb(tmp);
    return s;
  }
  // 3. ... which replaces OUT in one rename: OUT is either as it was or fully merged.
  if (std::rename(tmp.c_str(), out.c_str()) != 0) {
    const int e = errno;
    RemoveDb(tmp);
    return absl::PermissionDeniedError(Cat(out, ": cannot replace with the merged store: ", std::strerror(e)));
  }
  for (const char* suffix : {"-wal", "-shm"}) std::remove(Cat(out, suffix).c_str());
  return stats;
}

}  // namespace schedcast::store
