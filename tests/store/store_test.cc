// tests/store/store_test.cc — the SQLite store on real files: schema and version checks, pragmas,
// idempotent run inserts, build records, trace round trips, summaries, codec errors.
#include "store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "nlohmann/json.hpp"
#include "store/codec.h"
#include "store/schema.h"
#include "store/summary.h"
#include "store_testutil.h"

namespace schedcast::store {
namespace {

TEST(Store, CreatesSchemaWithWalAndVersion) {
  TempDir dir;
  std::string path = dir.path() + "/s.db";
  auto s = Store::Open(path);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*(*s)->db().QueryInt("PRAGMA user_version"), kSchemaVersion);
  auto mode = (*s)->db().Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
  EXPECT_EQ(*(*s)->db().QueryInt("PRAGMA synchronous"), 1);  // NORMAL
  s->reset();
  auto again = Store::Open(path);  // reopening an existing store works
  ASSERT_TRUE(again.ok()) << again.status();
}

TEST(Store, RefusesOtherSchemaVersionNamingTheFile) {
  TempDir dir;
  std::string path = dir.path() + "/old.db";
  {
    auto db = Database::Open(path, true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE x(y); PRAGMA user_version=7").ok());
  }
  auto s = Store::Open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  std::string msg(s.status().message());
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 7"), std::string::npos) << msg;
}

TEST(Store, RefusesForeignDatabase) {
  TempDir dir;
  std::string path = dir.path() + "/foreign.db";
  {
    auto db = Database::Open(path, true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE t(a)").ok());
  }
  auto s = Store::Open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.status().message()).find("not a schedcast store"), std::string::npos) << s.status();
}

TEST(Store, OpenExistingDoesNotCreate) {
  TempDir dir;
  auto s = Store::OpenExisting(dir.path() + "/missing.db");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.status().message()).find("missing.db"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/missing.db"));
}

TEST(Store, UpsertsAreIdempotent) {
  TempDir dir;
  auto s = *Store::Open(dir.path() + "/s.db");
  int64_t p1 = *s->UpsertProgram(SampleProgram("TestA"));
  int64_t p2 = *s->UpsertProgram(SampleProgram("TestA"));
  int64_t p3 = *s->UpsertProgram(SampleProgram("TestB"));
  EXPECT_EQ(p1, p2);
  EXPECT_NE(p1, p3);
  int64_t c1 = *s->UpsertConfig({"1.23", 2, false});
  EXPECT_EQ(c1, *s->UpsertConfig({"1.23", 2, false}));
  EXPECT_NE(c1, *s->UpsertConfig({"1.23", 2, true}));
}

TEST(Store, RunAndTraceRoundTripAndDuplicatesAreIgnored) {
  TempDir dir;
  auto s = *Store::Open(dir.path() + "/s.db");
  int64_t p = *s->UpsertProgram(SampleProgram("TestA"));
  int64_t c = *s->UpsertConfig({"1.21", 1, false});
  RunRecord r = SampleRun(p, c, 0, Outcome::kDeadline);
  r.trace = std::string("go 1.21 trace\0\0\0", 16) + std::string(100000, 'x');
  r.has_trace = true;
  r.end_state = "schedcast-end-state: deadline\n\ngoroutine 1 [chan send]:\n";
  auto first = s->InsertRun(r);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  auto dup = s->InsertRun(r);
  ASSERT_TRUE(dup.ok()) << dup.status();
  EXPECT_FALSE(*dup);
  auto runs = *s->ListRuns();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].outcome, Outcome::kDeadline);
  EXPECT_EQ(runs[0].trace_bytes, static_cast<int64_t>(r.trace.size()));
  EXPECT_EQ(runs[0].end_state, r.end_state);
  EXPECT_FALSE(runs[0].event_count.has_value());  // NULL when unknown
  EXPECT_EQ(runs[0].config.go_version, "1.21");
  auto trace = s->LoadTrace(runs[0].id);
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(*trace, r.trace);
  // Compressed on disk.
  EXPECT_LT(*s->db().QueryInt("SELECT length(data) FROM traces"), 10000);
  // Same index, other seed: still the same run index of (program, config), so ignored (a store
  // keeps one run per index, whatever the seed of the collection).
  r.seed = 99;
  EXPECT_FALSE(*s->InsertRun(r));
  EXPECT_EQ(s->ListRuns()->size(), 1u);
  auto idx = *s->RunIndices(p, c);
  EXPECT_EQ(idx.size(), 1u);
}

TEST(Store, RunWithoutTraceHasNoTraceRow) {
  TempDir dir;
  auto s = *Store::Open(dir.path() + "/s.db");
  int64_t p = *s->UpsertProgram(SampleProgram("TestA"));
  int64_t c = *s->UpsertConfig({"1.21", 1, false});
  ASSERT_TRUE(*s->InsertRun(SampleRun(p, c, 3, Outcome::kPanic)));
  auto runs = *s->ListRuns();
  auto t = s->LoadTrace(runs[0].id);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(t.status().message()).find("has no stored trace"), std::string::npos);
  EXPECT_EQ(s->GetRun(12345).status().code(), absl::StatusCode::kNotFound);
}

TEST(Store, BuildFailureRecordsOneBuildFailedRunPerProgramConfig) {
  TempDir dir;
  auto s = *Store::Open(dir.path() + "/s.db");
  int64_t p = *s->UpsertProgram(SampleProgram("TestA"));
  int64_t c1 = *s->UpsertConfig({"1.23", 1, false});
  int64_t c2 = *s->UpsertConfig({"1.23", 2, false});
  BuildRecord b{"example.com/p", "abc", "1.23", "go1.23.5", false, false, "./x.go:3: syntax error"};
  ASSERT_TRUE(s->RecordBuild(b, {{p, c1}, {p, c2}}, 1, NowUtc()).ok());
  ASSERT_TRUE(s->RecordBuild(b, {{p, c1}, {p, c2}}, 1, NowUtc()).ok());  // idempotent
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM runs WHERE outcome='build_failed'"), 2);
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM builds WHERE ok=0"), 1);
  b.ok = true;
  ASSERT_TRUE(s->RecordBuild(b, {{p, c1}, {p, c2}}, 1, NowUtc()).ok());
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM runs"), 0);
  EXPECT_EQ(*s->db().QueryInt("SELECT ok FROM builds"), 1);
}

TEST(Store, SummaryCountsByProgramConfigAndOutcome) {
  TempDir dir;
  auto s = *Store::Open(dir.path() + "/s.db");
  int64_t p = *s->UpsertProgram(SampleProgram("TestA"));
  int64_t q = *s->UpsertProgram(SampleProgram("TestB"));
  int64_t c1 = *s->UpsertConfig({"1.23", 1, false});
  int64_t c2 = *s->UpsertConfig({"1.23", 4, true});
  ASSERT_TRUE(*s->InsertRun(SampleRun(p, c1, 0, Outcome::kOk)));
  ASSERT_TRUE(*s->InsertRun(SampleRun(p, c1, 1, Outcome::kDeadlock)));
  ASSERT_TRUE(*s->InsertRun(SampleRun(p, c2, 0, Outcome::kOk)));
  (void)q;
  auto sum = Summarise(*s);
  ASSERT_TRUE(sum.ok()) << sum.status();
  ASSERT_EQ(sum->programs.size(), 2u);
  EXPECT_EQ(sum->runs, 3);
  EXPECT_EQ(sum->programs[0].total, 3);
  ASSERT_EQ(sum->programs[0].configs.size(), 2u);
  EXPECT_EQ(sum->programs[0].configs[0].outcomes.at("deadlock"), 1);
  EXPECT_TRUE(sum->programs[1].configs.empty());
  std::string text = ToText(*sum);
  EXPECT_NE(text.find("go1.23/p4/race"), std::string::npos) << text;
  EXPECT_NE(text.find("(no runs)"), std::string::npos) << text;
  auto j = nlohmann::json::parse(ToJson(*sum));
  EXPECT_EQ(j["runs"], 3);
  EXPECT_EQ(j["programs"][0]["configs"][1]["race"], true);
  EXPECT_EQ(j["programs"][0]["configs"][0]["outcomes"]["ok"], 1);
}

TEST(Codec, RoundTripAndErrors) {
  std::string raw(1 << 20, 'a');
  for (size_t i = 0; i < raw.size(); i += 7) raw[i] = static_cast<char>(i);
  std::string z = Compress(raw);
  EXPECT_LT(z.size(), raw.size());
  auto back = Decompress(z, "run 1");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, raw);
  EXPECT_EQ(*Decompress(Compress(""), "run 2"), "");
  auto bad = Decompress("definitely not zstd", "run 3");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("run 3"), std::string::npos);
  std::string cut = z.substr(0, z.size() / 2);
  EXPECT_FALSE(Decompress(cut, "run 4").ok());
}

TEST(Outcome, NamesRoundTrip) {
  for (Outcome o : kAllOutcomes) EXPECT_EQ(ParseOutcome(OutcomeName(o)), o);
  EXPECT_FALSE(ParseOutcome("nope").has_value());
}

}  // namespace
}  // namespace schedcast::store
