// tests/cli/harden_util.cc — see harden_util.h.
#include "harden_util.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "common/status.h"
#include "store/codec.h"
#include "store/sqlite.h"

namespace schedcast::harden {
namespace fs = std::filesystem;

std::string HardenDb() { return SCHEDCAST_HARDEN_DB; }
std::string ProgsDir(const std::string& sub) { return std::string(SCHEDCAST_SOURCE_DIR) + "/tests/cli/harden_progs/" + sub; }

std::string CopyStore(const std::string& dir, const std::string& name) {
  const std::string out = dir + "/" + name;
  std::error_code ec;
  fs::copy_file(HardenDb(), out, fs::copy_options::overwrite_existing, ec);
  EXPECT_FALSE(ec) << ec.message();
  return out;
}

int64_t RunWithTrace(const std::string& db, const std::string& test) {
  auto d = store::Database::Open(db, false);
  EXPECT_TRUE(d.ok()) << d.status();
  auto q = d->Prepare(
      "SELECT r.id FROM runs r JOIN programs p ON p.id = r.program_id JOIN traces t ON t.run_id = r.id "
      "WHERE p.name = ?1 AND r.trace_bytes > 0 ORDER BY r.id LIMIT 1");
  EXPECT_TRUE(q.ok()) << q.status();
  q->Bind(1, test);
  auto row = q->Step();
  return row.ok() && *row ? q->Int(0) : -1;
}

std::string TraceOf(const std::string& db, int64_t id) {
  auto d = store::Database::Open(db, false);
  auto q = *d->Prepare("SELECT data FROM traces WHERE run_id = ?1");
  q.Bind(1, id);
  EXPECT_TRUE(*q.Step());
  auto raw = store::Decompress(q.Blob(0), "test");
  EXPECT_TRUE(raw.ok()) << raw.status();
  return raw.ok() ? *raw : "";
}

void SetBlob(const std::string& db, int64_t id, const std::string& blob, int64_t raw_bytes) {
  auto d = store::Database::Open(db, false);
  ASSERT_TRUE(d.ok()) << d.status();
  auto q = *d->Prepare(raw_bytes < 0 ? "UPDATE traces SET data = ?1 WHERE run_id = ?2"
                                     : "UPDATE traces SET data = ?1, raw_bytes = ?3 WHERE run_id = ?2");
  q.BindBlob(1, blob).Bind(2, id);
  if (raw_bytes >= 0) q.Bind(3, raw_bytes);
  ASSERT_TRUE(q.Run().ok());
  ASSERT_EQ(d->Changes(), 1);
}

void SetTrace(const std::string& db, int64_t id, const std::string& raw) {
  SetBlob(db, id, store::Compress(raw), static_cast<int64_t>(raw.size()));
  auto d = store::Database::Open(db, false);
  auto q = *d->Prepare("UPDATE runs SET trace_bytes = ?1 WHERE id = ?2");
  q.Bind(1, static_cast<int64_t>(raw.size())).Bind(2, id);
  ASSERT_TRUE(q.Run().ok());
}

bool IsRoot() { return geteuid() == 0; }

testutil::CommandResult SchedcastUnprivileged(const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (IsRoot()) argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  argv.push_back(SCHEDCAST_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  return testutil::RunCommand(argv, {"HOME=/nonexistent", "SCHEDCAST_GOCACHE=/tmp/schedcast-harden-nobody-gocache"});
}

void WriteFiles(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  fs::create_directories(dir);
  for (const auto& [name, text] : files) ASSERT_TRUE(WriteStringToFile(dir + "/" + name, text).ok());
}

}  // namespace schedcast::harden
