// store/source_index.cc — reads and writes the source_index table (see source_index.h).
#include "store/source_index.h"

namespace schedcast::store {

absl::Status PutSourceIndex(Store& st, const SourceIndexRecord& r) {
  SC_ASSIGN_OR_RETURN(Statement ins, st.db().Prepare(
      "INSERT INTO source_index(package, source_hash, ok, data, error, wall_ms, made_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(package, source_hash) DO UPDATE SET ok = excluded.ok, "
      "data = excluded.data, error = excluded.error, wall_ms = excluded.wall_ms, made_at = excluded.made_at "
      "WHERE excluded.ok >= source_index.ok"));
  ins.Bind(1, r.package).Bind(2, r.source_hash).Bind(3, r.ok ? 1 : 0).Bind(4, r.data).Bind(5, r.error)
      .Bind(6, r.wall_ms).Bind(7, NowUtc());
  return WithContext(ins.Run(), Cat("storing the source index of ", r.package));
}

absl::StatusOr<std::optional<SourceIndexRecord>> GetSourceIndex(Store& st, const std::string& package,
                                                                const std::string& source_hash) {
  SC_ASSIGN_OR_RETURN(int64_t has,
                      st.db().QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'source_index'"));
  if (has == 0) return std::optional<SourceIndexRecord>();
  SC_ASSIGN_OR_RETURN(Statement q, st.db().Prepare(
      "SELECT ok, data, error, wall_ms FROM source_index WHERE package = ?1 AND source_hash = ?2"));
  q.Bind(1, package).Bind(2, source_hash);
  SC_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<SourceIndexRecord>();
  SourceIndexRecord r;
  r.package = package;
  r.source_hash = source_hash;
  r.ok = q.Int(0) != 0;
  r.data = q.Text(1);
  r.error = q.Text(2);
  r.wall_ms = q.Double(3);
  return std::optional<SourceIndexRecord>(std::move(r));
}

}  // namespace schedcast::store
