// store/merge.cc — idempotent merge of stores via ATTACH and natural-key joins (see merge.h).
#include "store/merge.h"

#include <sys/stat.h>

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
  struct stat sb;
  if (stat(in.c_str(), &sb) != 0) return absl::NotFoundError(Cat(in, ": no such store"));
  {
    SC_ASSIGN_OR_RETURN(Statement att, db.Prepare("ATTACH DATABASE ?1 AS src"));
    att.Bind(1, in);
    SC_RETURN_IF_ERROR(WithContext(att.Run(), in));
  }
  absl::Status s = [&]() -> absl::Status {
    SC_RETURN_IF_ERROR(CheckVersion(db, "src", in));
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
    SC_ASSIGN_OR_RETURN(int64_t src_runs, db.QueryInt("SELECT count(*) FROM src.runs"));
    SC_RETURN_IF_ERROR(db.Exec(Cat(
        "INSERT OR IGNORE INTO main.runs(program_id, config_id, seed, run_index, run_seed, outcome, exit_code, "
        "signal, wall_ms, trace_bytes, event_count, stdout_text, stderr_text, end_state, note, started_at) "
        "SELECT p.id, c.id, sr.seed, sr.run_index, sr.run_seed, sr.outcome, sr.exit_code, sr.signal, sr.wall_ms, "
        "sr.trace_bytes, sr.event_count, sr.stdout_text, sr.stderr_text, sr.end_state, sr.note, sr.started_at",
        kSrcRunsJoined, " ORDER BY sr.id")));
    int64_t added = db.Changes();
    // Traces follow their runs; a run already present keeps its own trace.
    SC_RETURN_IF_ERROR(db.Exec(Cat(
        "INSERT OR IGNORE INTO main.traces(run_id, codec, raw_bytes, data) "
        "SELECT r.id, st.codec, st.raw_bytes, st.data",
        kSrcRunsJoined,
        " JOIN src.traces st ON st.run_id = sr.id"
        " JOIN main.runs r ON r.program_id = p.id AND r.config_id = c.id AND r.run_index = sr.run_index"
        " AND r.seed = sr.seed")));
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

}  // namespace

absl::StatusOr<MergeStats> Merge(const std::string& out, const std::vector<std::string>& inputs) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(out));
  MergeStats stats;
  for (const std::string& in : inputs) {
    if (SameFile(in, out)) continue;
    SC_RETURN_IF_ERROR(MergeOne(store->db(), in, stats));
    // The toolchains' standard-library lists travel with the runs (store/toolchain_std.h).
    SC_ASSIGN_OR_RETURN(Database src, Database::Open(in, /*create=*/false));
    SC_ASSIGN_OR_RETURN(auto lists, GetStdPackageLists(src));
    for (const auto& [version, packages] : lists) SC_RETURN_IF_ERROR(PutStdPackageList(store->db(), version, packages));
  }
  return stats;
}

}  // namespace schedcast::store
