// store/sqlite.h — a small RAII wrapper over the sqlite3 C API: a connection, a prepared
// statement, and a transaction guard.
//
// Contract: every failure is returned as an absl::Status whose message names the database file
// and quotes SQLite's own message; nothing throws. A Statement binds by 1-based index, steps
// with Step() (true while a row is available) and reads columns by 0-based index. A Transaction
// rolls back in its destructor unless Commit() succeeded, so an early return or a crash never
// leaves half of a change visible.
//
// Thread-safety: thread-compatible. A Database and its Statements must be used by one thread at a
// time (the connection is opened in SQLite's multi-thread mode, not serialised mode).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace schedcast::store {

class Statement;

class Database {
 public:
  // Opens (creating if `create`) the file at `path`.
  static absl::StatusOr<Database> Open(const std::string& path, bool create);
  // Opens an existing file for reading only: works on files and directories the user may not
  // write. `immutable` also tells SQLite that nobody writes the file meanwhile (no locking, no
  // -wal/-shm files: for a WAL store in a directory where those cannot be created).
  static absl::StatusOr<Database> OpenReadOnly(const std::string& path, bool immutable);

  Database() = default;
  Database(Database&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
  Database& operator=(Database&& o) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements that return no rows of interest.
  absl::Status Exec(std::string_view sql);
  absl::StatusOr<Statement> Prepare(std::string_view sql);
  // Runs a query whose first row's first column is an integer (e.g. a PRAGMA).
  absl::StatusOr<int64_t> QueryInt(std::string_view sql);

  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

  // "FILE: what: sqlite message" for the current error of this connection.
  absl::Status Error(std::string_view what) const;

 private:
  static absl::StatusOr<Database> Finish(Database db, int rc);
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& o) noexcept : st_(o.st_), db_(o.db_) { o.st_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view text);
  Statement& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  Statement& Bind(int i, const std::string& text) { return Bind(i, std::string_view(text)); }
  Statement& BindBlob(int i, std::string_view bytes);
  Statement& BindNull(int i);
  template <typename T>
  Statement& Bind(int i, const std::optional<T>& v) {
    return v ? Bind(i, *v) : BindNull(i);
  }

  // Advances to the next row: true if a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps a statement that returns no rows.
  absl::Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(st_, col); }
  double Double(int col) const { return sqlite3_column_double(st_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  std::string Text(int col) const;
  std::string Blob(int col) const;
  std::optional<int64_t> OptInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }
  std::optional<std::string> OptText(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<std::string>(Text(col));
  }

 private:
  friend class Database;
  Statement(sqlite3_stmt* st, const Database* db) : st_(st), db_(db) {}
  sqlite3_stmt* st_ = nullptr;
  const Database* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (so a concurrent writer waits on the busy timeout up front
// instead of failing mid-transaction); ROLLBACK in the destructor unless committed.
class Transaction {
 public:
  static absl::StatusOr<Transaction> Begin(Database& db);
  Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  absl::Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;
};

}  // namespace schedcast::store
