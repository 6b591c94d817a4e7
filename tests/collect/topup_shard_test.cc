// tests/collect/topup_shard_test.cc — re-running tops up without duplicates; shards merged
// locally equal the unsharded collection (same set of runs); merging twice adds nothing.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "e2e_util.h"

namespace schedcast::collect::e2e {
namespace {

using RunKey = std::tuple<std::string, std::string, std::string, int, bool, int, uint64_t, uint64_t>;

std::set<RunKey> Keys(const std::string& db) {
  std::set<RunKey> out;
  for (const auto& r : Runs(db)) {
    bool fresh = out.insert({r.program.package, r.program.name, r.config.go_version, r.config.gomaxprocs,
                             r.config.race, r.run_index, r.seed, r.run_seed}).second;
    EXPECT_TRUE(fresh) << "duplicate run " << r.program.name << " #" << r.run_index;
  }
  return out;
}

std::vector<std::string> CollectArgs(const std::string& db, int runs, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> a{"collect", Fixture("ok"), Fixture("mainprog"), Fixture("dir with space $(x);'q'"),
                             "--store", db, "--runs", std::to_string(runs), "--gomaxprocs", "1,2", "--timeout", "3s",
                             "--jobs", "2", "--seed", "7", "--go", "1.23", "--progress", "lines"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

TEST(TopUp, AddsExactlyTheMissingRunIndices) {
  TempDir dir;
  std::string db = dir.path() + "/topup.db";
  auto r1 = Schedcast(CollectArgs(db, 1));
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs"), 5 * 2 * 1);  // 5 programs x 2 configs
  auto r3 = Schedcast(CollectArgs(db, 3));
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  EXPECT_NE(r3.err.find("20 runs to do, 10 already stored"), std::string::npos) << r3.err;
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs"), 5 * 2 * 3);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM (SELECT DISTINCT program_id, config_id, run_index FROM runs)"), 30);
  EXPECT_EQ(QueryInt(db, "SELECT max(run_index) FROM runs"), 2);
  auto again = Schedcast(CollectArgs(db, 3));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 runs to do"), std::string::npos) << again.err;
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs"), 30);
  EXPECT_EQ(IntegrityCheck(db), "ok");
}

TEST(Shard, ShardsMergedEqualTheUnshardedCollection) {
  TempDir dir;
  std::string all = dir.path() + "/all.db", s0 = dir.path() + "/s0.db", s1 = dir.path() + "/s1.db",
              merged = dir.path() + "/merged.db";
  ASSERT_EQ(Schedcast(CollectArgs(all, 2)).exit_code, 0);
  auto a = Schedcast(CollectArgs(s0, 2, {"--shard", "0/2"}));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = Schedcast(CollectArgs(s1, 2, {"--shard", "1/2"}));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::set<RunKey> k0 = Keys(s0), k1 = Keys(s1), kall = Keys(all);
  EXPECT_FALSE(k0.empty());
  EXPECT_FALSE(k1.empty());
  for (const auto& k : k0) EXPECT_FALSE(k1.count(k)) << "shards overlap";
  auto m = Schedcast({"merge", merged, s0, s1});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.err.find("20 runs added"), std::string::npos) << m.err;
  EXPECT_EQ(Keys(merged), kall);
  auto again = Schedcast({"merge", merged, s0, s1});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 runs added, 20 already present"), std::string::npos) << again.err;
  EXPECT_EQ(QueryInt(merged, "SELECT count(*) FROM traces"), QueryInt(all, "SELECT count(*) FROM traces"));
  // A merged store tops up like any other: nothing left to do.
  auto topup = Schedcast(CollectArgs(merged, 2));
  ASSERT_EQ(topup.exit_code, 0) << topup.err;
  EXPECT_NE(topup.err.find("0 runs to do"), std::string::npos) << topup.err;
}

TEST(Shard, BadArgumentsAreUsageErrors) {
  TempDir dir;
  auto r = Schedcast(CollectArgs(dir.path() + "/x.db", 1, {"--shard", "2/2"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--shard 2/2"), std::string::npos) << r.err;
  auto g = Schedcast({"collect", Fixture("ok"), "--store", dir.path() + "/x.db", "--runs", "1", "--go", "1.5"});
  EXPECT_EQ(g.exit_code, 3);
  EXPECT_NE(g.err.find("Go 1.5 not found"), std::string::npos) << g.err;
  auto p = Schedcast({"collect", Fixture("ok"), "--store", dir.path() + "/x.db", "--runs", "1", "--gomaxprocs", "0"});
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.err.find("--gomaxprocs 0"), std::string::npos) << p.err;
  auto v = Schedcast({"merge", dir.path() + "/out.db", dir.path() + "/missing.db"});
  EXPECT_EQ(v.exit_code, 3);
  EXPECT_NE(v.err.find("missing.db"), std::string::npos) << v.err;
}

}  // namespace
}  // namespace schedcast::collect::e2e
