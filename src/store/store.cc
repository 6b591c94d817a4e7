// store/store.cc — reads and writes of the schedcast store (see store.h).
#include "store/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "store/codec.h"
#include "store/schema.h"
#include "store/toolchain_std.h"

namespace schedcast::store {
namespace {

// The run columns; a version-1 store (read-only readers) has no perturb/goleak/leak_profile.
std::string RunColumns(int version) {
  return Cat("r.id, p.package, p.dir, p.name, p.kind, p.source_hash, c.go_version, c.gomaxprocs, c.race, "
             "r.seed, r.run_index, r.run_seed, r.outcome, r.exit_code, r.signal, r.wall_ms, r.trace_bytes, "
             "r.event_count, r.stdout_text, r.stderr_text, r.end_state, r.note, r.started_at, ",
             version >= 2 ? "r.perturb, r.perturb_seed, r.goleak, r.leak_profile "
                          : "0, NULL, NULL, NULL ",
             "FROM runs r JOIN programs p ON p.id = r.program_id JOIN configs c ON c.id = r.config_id");
}

StoredRun ReadRun(const Statement& st) {
  StoredRun r;
  r.id = st.Int(0);
  r.program = {st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5)};
  r.config = {st.Text(6), static_cast<int>(st.Int(7)), st.Int(8) != 0};
  r.seed = static_cast<uint64_t>(st.Int(9));
  r.run_index = static_cast<int>(st.Int(10));
  r.run_seed = static_cast<uint64_t>(st.Int(11));
  r.outcome = ParseOutcome(st.Text(12)).value_or(Outcome::kCrash);
  r.exit_code = st.OptInt(13);
  r.signal = st.OptInt(14);
  r.wall_ms = st.Double(15);
  r.trace_bytes = st.Int(16);
  r.event_count = st.OptInt(17);
  r.stdout_text = st.Text(18);
  r.stderr_text = st.Text(19);
  r.end_state = st.OptText(20);
  r.note = st.Text(21);
  r.started_at = st.Text(22);
  r.perturb = static_cast<uint64_t>(st.Int(23));
  if (auto ps = st.OptInt(24)) r.perturb_seed = static_cast<uint64_t>(*ps);
  r.goleak = st.OptText(25);
  r.leak_profile = st.OptText(26);
  return r;
}

}  // namespace

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  // A writer needs to write the file and its directory (SQLite creates FILE-wal and FILE-shm
  // beside it): say so with the path rather than SQLite's "unable to open database file".
  if (path.empty()) return absl::InvalidArgumentError("store path is empty");
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (access(dir.c_str(), F_OK) != 0)
    return absl::NotFoundError(Cat(path, ": cannot create store: directory ", dir, " does not exist"));
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return absl::PermissionDeniedError(Cat(path, ": permission denied: directory ", dir, " is not writable"));
  if (access(path.c_str(), F_OK) == 0 && access(path.c_str(), R_OK | W_OK) != 0)
    return absl::PermissionDeniedError(Cat(path, ": permission denied: the store file is not writable"));
  SC_ASSIGN_OR_RETURN(Database db, Database::Open(path, /*create=*/true));
  SC_RETURN_IF_ERROR(Initialise(db));
  SC_RETURN_IF_ERROR(RegisterStdPackageLists(db));
  return std::unique_ptr<Store>(new Store(std::move(db), kSchemaVersion));
}

absl::StatusOr<std::unique_ptr<Store>> Store::OpenExisting(const std::string& path) {
  struct stat sb;
  if (stat(path.c_str(), &sb) != 0) return absl::NotFoundError(Cat(path, ": no such store"));
  // Readers never write: read-only, so a store the user may not write (or in a directory they may
  // not write) can still be read. A WAL store whose -shm file cannot be created is opened immutable.
  absl::Status first;
  for (bool immutable : {false, true}) {
    SC_ASSIGN_OR_RETURN(Database db, Database::OpenReadOnly(path, immutable));
    if (sqlite3_busy_timeout(db.raw(), 10000) != SQLITE_OK) return db.Error("setting busy timeout");
    absl::StatusOr<int> v = ReadableVersion(db, "main", path);
    if (v.ok()) {
      SC_RETURN_IF_ERROR(RegisterStdPackageLists(db));
      return std::unique_ptr<Store>(new Store(std::move(db), *v));
    }
    if (first.ok()) first = v.status();
    if (immutable || access(path.c_str(), R_OK) != 0) break;
  }
  return first;
}

absl::StatusOr<int64_t> Store::UpsertProgram(const ProgramRecord& p) {
  SC_ASSIGN_OR_RETURN(Statement ins, db_.Prepare(
      "INSERT INTO programs(package, dir, name, kind, source_hash) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(package, name, source_hash) DO UPDATE SET dir = excluded.dir RETURNING id"));
  ins.Bind(1, p.package).Bind(2, p.dir).Bind(3, p.name).Bind(4, p.kind).Bind(5, p.source_hash);
  SC_ASSIGN_OR_RETURN(bool row, ins.Step());
  if (!row) return db_.Error(Cat("upserting program ", ProgramKey(p)));
  return ins.Int(0);
}

absl::StatusOr<int64_t> Store::UpsertConfig(const ConfigRecord& c) {
  SC_ASSIGN_OR_RETURN(Statement ins, db_.Prepare(
      "INSERT INTO configs(go_version, gomaxprocs, race) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(go_version, gomaxprocs, race) DO UPDATE SET race = excluded.race RETURNING id"));
  ins.Bind(1, c.go_version).Bind(2, c.gomaxprocs).Bind(3, c.race ? 1 : 0);
  SC_ASSIGN_OR_RETURN(bool row, ins.Step());
  if (!row) return db_.Error("upserting config");
  return ins.Int(0);
}

absl::Status Store::RecordBuild(const BuildRecord& b, const std::vector<std::pair<int64_t, int64_t>>& program_configs,
                                uint64_t seed, const std::string& started_at) {
  SC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_));
  SC_ASSIGN_OR_RETURN(Statement ins, db_.Prepare(
      "INSERT INTO builds(package, source_hash, go_version, go_full_version, race, ok, output, built_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(package, source_hash, go_version, race) DO UPDATE SET "
      "go_full_version = excluded.go_full_version, ok = excluded.ok, output = excluded.output, "
      "built_at = excluded.built_at"));
  ins.Bind(1, b.package).Bind(2, b.source_hash).Bind(3, b.go_version).Bind(4, b.go_full_version)
      .Bind(5, b.race ? 1 : 0).Bind(6, b.ok ? 1 : 0).Bind(7, b.output).Bind(8, started_at);
  SC_RETURN_IF_ERROR(ins.Run());
  if (b.ok) {
    SC_ASSIGN_OR_RETURN(Statement del, db_.Prepare(
        "DELETE FROM runs WHERE program_id = ?1 AND config_id = ?2 AND outcome = 'build_failed'"));
    for (auto [pid, cid] : program_configs) {
      del.Reset();
      del.Bind(1, pid).Bind(2, cid);
      SC_RETURN_IF_ERROR(del.Run());
    }
  } else {
    SC_ASSIGN_OR_RETURN(Statement run, db_.Prepare(
        "INSERT OR IGNORE INTO runs(program_id, config_id, seed, run_index, run_seed, outcome, wall_ms, "
        "trace_bytes, stdout_text, stderr_text, note, started_at) "
        "VALUES (?1, ?2, ?3, 0, 0, 'build_failed', 0, 0, '', ?4, 'see builds.output', ?5)"));
    std::string tail = b.output.size() > 4096 ? b.output.substr(b.output.size() - 4096) : b.output;
    for (auto [pid, cid] : program_configs) {
      run.Reset();
      run.Bind(1, pid).Bind(2, cid).Bind(3, static_cast<int64_t>(seed)).Bind(4, tail).Bind(5, started_at);
      SC_RETURN_IF_ERROR(run.Run());
    }
  }
  return WithContext(txn.Commit(), Cat("recording build of ", b.package));
}

absl::StatusOr<std::map<int, Outcome>> Store::RunIndices(int64_t program_id, int64_t config_id, uint64_t perturb) {
  // A failed build stops the unperturbed and the perturbed runs alike (its run is stored unperturbed).
  SC_ASSIGN_OR_RETURN(Statement q, db_.Prepare(
      "SELECT run_index, outcome FROM runs WHERE program_id = ?1 AND config_id = ?2 "
      "AND (perturb = ?3 OR outcome = 'build_failed') ORDER BY id"));
  q.Bind(1, program_id).Bind(2, config_id).Bind(3, static_cast<int64_t>(perturb));
  std::map<int, Outcome> out;
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out[static_cast<int>(q.Int(0))] = ParseOutcome(q.Text(1)).value_or(Outcome::kCrash);
  }
  return out;
}

absl::StatusOr<bool> Store::InsertRun(const RunRecord& r) {
  // Compress before taking the write lock: other writers wait less.
  std::string compressed = !r.has_trace ? std::string() : !r.trace_zstd.empty() ? r.trace_zstd : Compress(r.trace);
  SC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_));
  SC_ASSIGN_OR_RETURN(Statement ins, db_.Prepare(
      "INSERT OR IGNORE INTO runs(program_id, config_id, seed, run_index, run_seed, outcome, exit_code, signal, "
      "wall_ms, trace_bytes, event_count, stdout_text, stderr_text, end_state, note, started_at, perturb, perturb_seed, "
      "goleak, leak_profile) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"));
  ins.Bind(1, r.program_id).Bind(2, r.config_id).Bind(3, static_cast<int64_t>(r.seed)).Bind(4, r.run_index)
      .Bind(5, static_cast<int64_t>(r.run_seed)).Bind(6, OutcomeName(r.outcome)).Bind(7, r.exit_code)
      .Bind(8, r.signal).Bind(9, r.wall_ms).Bind(10, static_cast<int64_t>(r.trace.size()))
      .Bind(11, r.event_count).Bind(12, r.stdout_text).Bind(13, r.stderr_text).Bind(14, r.end_state)
      .Bind(15, r.note).Bind(16, r.started_at).Bind(17, static_cast<int64_t>(r.perturb))
      .Bind(18, r.perturb_seed ? std::optional<int64_t>(static_cast<int64_t>(*r.perturb_seed)) : std::nullopt)
      .Bind(19, r.goleak).Bind(20, r.leak_profile);
  SC_RETURN_IF_ERROR(ins.Run());
  if (db_.Changes() == 0) return false;  // already stored: the transaction rolls back (nothing written)
  int64_t run_id = db_.LastInsertRowId();
  if (r.has_trace) {
    SC_ASSIGN_OR_RETURN(Statement tr, db_.Prepare(
        "INSERT INTO traces(run_id, codec, raw_bytes, data) VALUES (?1, 'zstd', ?2, ?3)"));
    tr.Bind(1, run_id).Bind(2, static_cast<int64_t>(r.trace.size())).BindBlob(3, compressed);
    SC_RETURN_IF_ERROR(tr.Run());
  }
  SC_RETURN_IF_ERROR(txn.Commit());
  return true;
}

absl::StatusOr<StoredRun> Store::GetRun(int64_t run_id) {
  SC_ASSIGN_OR_RETURN(Statement q, db_.Prepare(Cat("SELECT ", RunColumns(version_), " WHERE r.id = ?1")));
  q.Bind(1, run_id);
  SC_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return absl::NotFoundError(Cat(path(), ": no run ", run_id));
  return ReadRun(q);
}

absl::StatusOr<std::vector<StoredRun>> Store::ListRuns() { return ListRuns(RunFilter{}); }

absl::StatusOr<std::vector<StoredRun>> Store::ListRuns(const RunFilter& f) {
  if (f.package.empty() && !f.name.empty())
    return absl::InvalidArgumentError(Cat(path(), ": a run filter by program name needs the package"));
  std::string where = " WHERE r.id BETWEEN ?1 AND ?2";
  if (!f.package.empty()) where += " AND p.package = ?3";
  if (!f.name.empty()) where += " AND p.name = ?4";
  if (f.config) where += " AND c.go_version = ?5 AND c.gomaxprocs = ?6 AND c.race = ?7";
  SC_ASSIGN_OR_RETURN(Statement q, db_.Prepare(Cat("SELECT ", RunColumns(version_), where, " ORDER BY r.id")));
  q.Bind(1, f.min_id).Bind(2, f.max_id);
  if (!f.package.empty()) q.Bind(3, f.package);
  if (!f.name.empty()) q.Bind(4, f.name);
  if (f.config) q.Bind(5, f.config->go_version).Bind(6, f.config->gomaxprocs).Bind(7, f.config->race ? 1 : 0);
  std::vector<StoredRun> out;
  while (true) {
    SC_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(ReadRun(q));
  }
  return out;
}

absl::StatusOr<std::vector<StoredRun>> Store::SiblingRuns(int64_t run_id) {
  SC_ASSIGN_OR_RETURN(StoredRun run, GetRun(run_id));
  RunFilter f;
  f.package = run.program.package;
  f.name = run.program.name;
  f.config = run.config;
  return ListRuns(f);
}

absl::StatusOr<std::string> Store::LoadTrace(int64_t run_id) {
  SC_ASSIGN_OR_RETURN(Statement q, db_.Prepare("SELECT codec, data, raw_bytes FROM traces WHERE run_id = ?1"));
  q.Bind(1, run_id);
  SC_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) {
    SC_ASSIGN_OR_RETURN(StoredRun r, GetRun(run_id));
    return absl::NotFoundError(Cat(path(), ": run ", run_id, " (", ProgramKey(r.program), ", ",
                                   OutcomeName(r.outcome), ") has no stored trace"));
  }
  // raw_bytes is the size recorded when the run was stored: the blob must inflate to exactly that.
  return Decompress(q.Blob(1), Cat(path(), ": run ", run_id), kMaxTraceSize, static_cast<uint64_t>(q.Int(2)));
}

absl::StatusOr<std::map<std::string, std::string>> Store::StdPackageLists() { return GetStdPackageLists(db_); }

absl::Status Store::PutStdPackageList(const std::string& go_full_version, const std::string& packages) {
  return store::PutStdPackageList(db_, go_full_version, packages);
}

}  // namespace schedcast::store
