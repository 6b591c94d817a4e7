#include "store/toolchain_std.h"

#include "common/std_packages.h"

namespace schedcast::store {

absl::Status PutStdPackageList(Database& db, const std::string& go_full_version, const std::string& packages) {
  SC_RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS toolchain_std (\n"
      "  go_full_version TEXT PRIMARY KEY,  -- \"go1.23.5\"\n"
      "  packages        TEXT NOT NULL      -- `go list std`, one import path a line\n"
      ")"));
  SC_ASSIGN_OR_RETURN(Statement st, db.Prepare(
      "INSERT INTO toolchain_std(go_full_version, packages) VALUES (?1, ?2) "
      "ON CONFLICT(go_full_version) DO UPDATE SET packages = excluded.packages"));
  st.Bind(1, go_full_version).Bind(2, packages);
  SC_RETURN_IF_ERROR(WithContext(st.Run(), Cat(db.path(), ": recording the std package list of ", go_full_version)));
  RegisterStdPackages(StdPackages::Parse(packages));
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::string>> GetStdPackageLists(Database& db) {
  std::map<std::string, std::string> out;
  SC_ASSIGN_OR_RETURN(int64_t has,
                      db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'toolchain_std'"));
  if (has == 0) return out;
  SC_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT go_full_version, packages FROM toolchain_std"));
  for (;;) {
    SC_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out[st.Text(0)] = st.Text(1);
  }
  return out;
}

absl::Status RegisterStdPackageLists(Database& db) {
  SC_ASSIGN_OR_RETURN(auto lists, GetStdPackageLists(db));
  for (const auto& [version, packages] : lists) RegisterStdPackages(StdPackages::Parse(packages));
  return absl::OkStatus();
}

}  // namespace schedcast::store
