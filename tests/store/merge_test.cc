// tests/store/merge_test.cc — merging real store files: idempotence, traces follow their runs,
// overlapping inputs, schema version errors, the output as an input.
#include "store/merge.h"

#include <gtest/gtest.h>

#include "store/schema.h"
#include "store/store.h"
#include "store_testutil.h"

namespace schedcast::store {
namespace {

// A store with `n` runs of TestA (indices from `first`), each with a small trace.
void Fill(const std::string& path, const std::string& test, int first, int n) {
  auto s = *Store::Open(path);
  int64_t p = *s->UpsertProgram(SampleProgram(test));
  int64_t c = *s->UpsertConfig({"1.23", 2, false});
  for (int i = first; i < first + n; ++i) {
    RunRecord r = SampleRun(p, c, i, Outcome::kOk);
    r.trace = "trace of " + test + " #" + std::to_string(i);
    r.has_trace = true;
    ASSERT_TRUE(*s->InsertRun(r));
  }
  ASSERT_TRUE(s->RecordBuild({"example.com/p", "abc", "1.23", "go1.23.5", false, true, "ok"}, {}, 1, NowUtc()).ok());
}

TEST(Merge, IsIdempotentAndCarriesTraces) {
  TempDir dir;
  std::string a = dir.path() + "/a.db", b = dir.path() + "/b.db", out = dir.path() + "/out.db";
  Fill(a, "TestA", 0, 3);
  Fill(b, "TestB", 0, 2);
  auto m1 = Merge(out, {a, b});
  ASSERT_TRUE(m1.ok()) << m1.status();
  EXPECT_EQ(m1->runs_added, 5);
  auto m2 = Merge(out, {a, b});
  ASSERT_TRUE(m2.ok()) << m2.status();
  EXPECT_EQ(m2->runs_added, 0);
  EXPECT_EQ(m2->runs_already_present, 5);
  auto s = *Store::Open(out);
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM runs"), 5);
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM traces"), 5);
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM programs"), 2);
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM configs"), 1);
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM builds"), 1);
  std::vector<StoredRun> runs = *s->ListRuns();
  ASSERT_EQ(runs.size(), 5u);
  for (const StoredRun& r : runs) {
    EXPECT_EQ(*s->LoadTrace(r.id), "trace of " + r.program.name + " #" + std::to_string(r.run_index));
  }
}

TEST(Merge, OverlappingInputsAddOnlyNewRuns) {
  TempDir dir;
  std::string a = dir.path() + "/a.db", b = dir.path() + "/b.db", out = dir.path() + "/out.db";
  Fill(a, "TestA", 0, 3);
  Fill(b, "TestA", 2, 3);  // index 2 in both
  auto m = Merge(out, {a, b});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->runs_added, 5);
  EXPECT_EQ(m->runs_already_present, 1);
  // Merging the output into itself is a no-op.
  auto self = Merge(out, {out});
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_EQ(self->inputs, 0);
}

TEST(Merge, RefusesOtherVersionNamingTheFile) {
  TempDir dir;
  std::string bad = dir.path() + "/v9.db", out = dir.path() + "/out.db";
  {
    auto db = Database::Open(bad, true);
    ASSERT_TRUE(db->Exec("CREATE TABLE x(y); PRAGMA user_version=9").ok());
  }
  auto m = Merge(out, {bad});
  ASSERT_FALSE(m.ok());
  std::string msg(m.status().message());
  EXPECT_NE(msg.find(bad), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 9"), std::string::npos) << msg;
  auto missing = Merge(out, {dir.path() + "/nope.db"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("nope.db"), std::string::npos);
}

}  // namespace
}  // namespace schedcast::store
