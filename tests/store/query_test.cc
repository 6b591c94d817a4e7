// tests/store/query_test.cc — Store::ListRuns(filter) and SiblingRuns on a real SQLite file: every
// filter combination against a brute-force filter of ListRuns().
#include <gtest/gtest.h>

#include <vector>

#include "store/store.h"
#include "store_testutil.h"

namespace schedcast::store {
namespace {

std::vector<int64_t> Ids(const std::vector<StoredRun>& runs) {
  std::vector<int64_t> out;
  for (const auto& r : runs) out.push_back(r.id);
  return out;
}

TEST(StoreQuery, FiltersAgreeWithAFullScan) {
  TempDir dir;
  auto s = *Store::Open(dir.path() + "/s.db");
  // Two programs of one package, one of another, and a second source version of TestA.
  const std::vector<int64_t> progs = {*s->UpsertProgram(SampleProgram("TestA")), *s->UpsertProgram(SampleProgram("TestB")),
                                      *s->UpsertProgram(SampleProgram("TestA", "example.com/q"))};
  ProgramRecord a2 = SampleProgram("TestA");
  a2.source_hash = "def";
  const int64_t pa2 = *s->UpsertProgram(a2);
  const std::vector<ConfigRecord> cfgs = {{"1.23", 1, false}, {"1.23", 1, true}, {"1.22", 2, false}};
  std::vector<int64_t> cids;
  for (const auto& c : cfgs) cids.push_back(*s->UpsertConfig(c));
  for (int64_t p : {progs[0], progs[1], progs[2], pa2})
    for (int64_t c : cids)
      for (int i = 0; i < 2; ++i) ASSERT_TRUE(*s->InsertRun(SampleRun(p, c, i, Outcome::kOk)));
  const std::vector<StoredRun> all = *s->ListRuns();
  ASSERT_EQ(all.size(), 4u * 3 * 2);

  for (const std::string pkg : {"", "example.com/p", "example.com/q", "example.com/none"})
    for (const std::string name : {"", "TestA", "TestB"}) {
      if (pkg.empty() && !name.empty()) continue;
      for (int ci = -1; ci < 3; ++ci)
        for (auto [lo, hi] : std::vector<std::pair<int64_t, int64_t>>{{0, INT64_MAX}, {5, 17}, {30, 2}}) {
          Store::RunFilter f;
          f.package = pkg;
          f.name = name;
          if (ci >= 0) f.config = cfgs[ci];
          f.min_id = lo;
          f.max_id = hi;
          std::vector<int64_t> want;
          for (const auto& r : all)
            if ((pkg.empty() || r.program.package == pkg) && (name.empty() || r.program.name == name) &&
                (ci < 0 || ConfigName(r.config) == ConfigName(cfgs[ci])) && r.id >= lo && r.id <= hi)
              want.push_back(r.id);
          auto got = s->ListRuns(f);
          ASSERT_TRUE(got.ok()) << got.status();
          EXPECT_EQ(Ids(*got), want) << pkg << "." << name << " config " << ci << " ids " << lo << ".." << hi;
        }
    }
  Store::RunFilter bad;
  bad.name = "TestA";
  EXPECT_FALSE(s->ListRuns(bad).ok());

  // Siblings: same package, name (both source versions) and configuration.
  const StoredRun& r0 = all[0];
  auto sib = s->SiblingRuns(r0.id);
  ASSERT_TRUE(sib.ok()) << sib.status();
  std::vector<int64_t> want;
  for (const auto& r : all)
    if (ProgramKey(r.program) == ProgramKey(r0.program) && ConfigName(r.config) == ConfigName(r0.config)) want.push_back(r.id);
  EXPECT_EQ(Ids(*sib), want);
  EXPECT_EQ(want.size(), 4u);  // 2 runs x 2 source versions
  EXPECT_FALSE(s->SiblingRuns(100000).ok());
}

}  // namespace
}  // namespace schedcast::store
