// store/sqlite.cc — implementation of the RAII sqlite3 wrapper (see sqlite.h).
#include "store/sqlite.h"

#include <cstdio>

namespace schedcast::store {

// The result of sqlite3_open_v2 on db (whose path_ is set): the open database, or an error naming the path.
absl::StatusOr<Database> Database::Finish(Database db, int rc) {
  if (rc != SQLITE_OK) {
    std::string msg = db.db_ ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc);
    return rc == SQLITE_CANTOPEN ? absl::NotFoundError(Cat(db.path_, ": cannot open database: ", msg))
                                 : absl::UnavailableError(Cat(db.path_, ": cannot open database: ", msg));
  }
  sqlite3_extended_result_codes(db.db_, 1);
  return db;
}

absl::StatusOr<Database> Database::Open(const std::string& path, bool create) {
  Database db;
  db.path_ = path;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  return Finish(std::move(db), rc);
}

absl::StatusOr<Database> Database::OpenReadOnly(const std::string& path, bool immutable) {
  Database db;
  db.path_ = path;
  // A URI, so that query parameters can be given; characters special in URIs are %-escaped.
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      uri += buf;
    } else {
      uri += static_cast<char>(c);
    }
  }
  uri += immutable ? "?mode=ro&immutable=1" : "?mode=ro";
  const int rc = sqlite3_open_v2(uri.c_str(), &db.db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr);
  return Finish(std::move(db), rc);
}

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    path_ = std::move(o.path_);
    o.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

absl::Status Database::Error(std::string_view what) const {
  int rc = sqlite3_errcode(db_);
  std::string msg = Cat(path_, ": ", what, ": ", sqlite3_errmsg(db_));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return absl::UnavailableError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return absl::DataLossError(msg);
    case SQLITE_CONSTRAINT: return absl::AlreadyExistsError(msg);
    default: return absl::InternalError(msg);
  }
}

absl::Status Database::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    absl::Status st = Error(Cat("executing `", s.substr(0, 60), s.size() > 60 ? "...`" : "`"));
    sqlite3_free(err);
    return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK) {
    return Error(Cat("preparing `", sql.substr(0, 60), sql.size() > 60 ? "...`" : "`"));
  }
  return Statement(st, this);
}

absl::StatusOr<int64_t> Database::QueryInt(std::string_view sql) {
  SC_ASSIGN_OR_RETURN(Statement st, Prepare(sql));
  SC_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(Cat(path_, ": no row for `", sql, "`"));
  return st.Int(0);
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (st_) sqlite3_finalize(st_);
    st_ = o.st_;
    db_ = o.db_;
    o.st_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (st_) sqlite3_finalize(st_);
}

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(st_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view text) {
  sqlite3_bind_text64(st_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob64(st_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(Cat("running `", std::string_view(sqlite3_sql(st_)).substr(0, 60), "...`"));
}

absl::Status Statement::Run() {
  SC_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;
  sqlite3_reset(st_);
  return absl::OkStatus();
}

void Statement::Reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st_, col)) : std::string();
}

std::string Statement::Blob(int col) const {
  const void* p = sqlite3_column_blob(st_, col);
  return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(st_, col)) : std::string();
}

absl::StatusOr<Transaction> Transaction::Begin(Database& db) {
  SC_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->Exec("ROLLBACK");
}

absl::Status Transaction::Commit() {
  Database* db = db_;
  absl::Status s = db->Exec("COMMIT");
  if (s.ok()) db_ = nullptr;  // otherwise the destructor rolls back
  return s;
}

}  // namespace schedcast::store
