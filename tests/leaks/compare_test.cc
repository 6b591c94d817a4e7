// Leak verdicts on the same runs: tests/leaks/progs collected under Go 1.26 with goleak's check and
// the goroutineleak profile, plain and perturbed (make_compare_store.sh), into a real store; the
// comparison against schedcast's proofs, runs-to-detect, perturbed runs kept apart from datasets,
// and the store's migration from schema version 1.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "data/dataset.h"
#include "leaks/compare.h"
#include "nlohmann/json.hpp"
#include "pipeline/run.h"
#include "store/schema.h"
#include "store/store.h"
#include "testutil.h"

namespace schedcast::leaks {
namespace {

const char* kPkg = "schedcast.test/leakprogs";

// A fresh directory under the system temp dir, removed with everything in it when the test ends.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_((std::filesystem::temp_directory_path() / (name + "-XXXXXX")).string()) {
    EXPECT_NE(mkdtemp(path_.data()), nullptr);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  operator const std::string&() const { return path_; }  // NOLINT: reads as the path it is

 private:
  std::string path_;
};

// The runs of `test`: plain ones (mode nullopt) or the perturbed ones of one mode.
std::vector<store::StoredRun> Runs(const std::string& test, std::optional<store::PerturbMode> mode) {
  const bool perturbed = mode.has_value();
  auto st = store::Store::OpenExisting(SCHEDCAST_COMPARE_DB);
  EXPECT_TRUE(st.ok()) << st.status().message();
  if (!st.ok()) return {};
  auto runs = (*st)->ListRuns();
  EXPECT_TRUE(runs.ok());
  std::vector<store::StoredRun> out;
  for (const auto& r : *runs)
    if (r.program.package == kPkg && r.program.name == test && r.perturbed() == perturbed &&
        (!perturbed || r.perturb_mode() == *mode))
      out.push_back(r);
  EXPECT_EQ(out.size(), 2u) << test << (perturbed ? store::PerturbModeName(*mode) : " plain");
  return out;
}

// Plain runs and the perturbed runs of `mode` (a comparison never pools two modes).
std::vector<ProgramComparison> CompareAll(store::PerturbMode mode = store::PerturbMode::kRuntime) {
  auto st = store::Store::OpenExisting(SCHEDCAST_COMPARE_DB);
  EXPECT_TRUE(st.ok());
  if (!st.ok()) return {};
  auto runs = (*st)->ListRuns();
  EXPECT_TRUE(runs.ok());
  Comparison cmp;
  pipeline::SourceCache sources;
  for (const auto& r : *runs) {
    if (r.perturbed() && r.perturb_mode() != mode) continue;
    auto trace = (*st)->LoadTrace(r.id);
    EXPECT_TRUE(trace.ok()) << "run " << r.id;
    if (!trace.ok()) continue;
    const pipeline::RunInput in = pipeline::InputOf(r, std::move(*trace));
    auto parsed = pipeline::Parse(in.trace);
    EXPECT_TRUE(parsed.ok()) << "run " << r.id << ": " << parsed.status().message();
    if (!parsed.ok()) continue;
    auto a = pipeline::AnalyzeLeaks(*parsed, in, &sources);
    EXPECT_TRUE(a.ok()) << "run " << r.id;
    if (!a.ok()) continue;
    cmp.Add(r, std::move(a->analysis));
  }
  return cmp.Finish(nullptr);
}

const ProgramComparison* Find(const std::vector<ProgramComparison>& ps, const std::string& test) {
  for (const auto& p : ps)
    if (p.program == std::string(kPkg) + "." + test) return &p;
  ADD_FAILURE() << "no comparison for " << test;
  return nullptr;
}

TEST(LeakAnchors, GoleakAndProfileStoredOnTheSameRuns) {
  for (const auto& r : Runs("TestOrphanSend", std::nullopt)) {
    ASSERT_TRUE(r.goleak.has_value()) << "run " << r.id << ": goleak not checked";
    EXPECT_NE(r.goleak->find("found unexpected goroutines"), std::string::npos) << *r.goleak;
    EXPECT_NE(r.goleak->find("TestOrphanSend"), std::string::npos) << *r.goleak;
    ASSERT_TRUE(r.leak_profile.has_value()) << "run " << r.id << ": no leak profile";
    EXPECT_NE(r.leak_profile->find("[chan send (leaked)]"), std::string::npos) << *r.leak_profile;
    EXPECT_FALSE(GoleakGoroutines(*r.goleak).empty());
  }
  for (const auto& r : Runs("TestCorrectPipeline", std::nullopt)) {
    ASSERT_TRUE(r.goleak.has_value());
    EXPECT_EQ(*r.goleak, "") << "goleak flagged a correct pipeline";
    ASSERT_TRUE(r.leak_profile.has_value());
    EXPECT_EQ(r.leak_profile->find("(leaked)"), std::string::npos) << *r.leak_profile;
  }
  // A hung test: goleak never runs (the test does not return); the profile is taken at the deadline.
  for (const auto& r : Runs("TestTestGoroutineStuck", std::nullopt)) {
    EXPECT_TRUE(r.outcome == store::Outcome::kDeadline || r.outcome == store::Outcome::kDeadlock) << "run " << r.id;
    EXPECT_FALSE(r.goleak.has_value()) << "run " << r.id;
    ASSERT_TRUE(r.leak_profile.has_value());
    EXPECT_NE(r.leak_profile->find("(leaked)"), std::string::npos) << *r.leak_profile;
  }
}

TEST(LeakAnchors, ProofsAgreeWithGoleakAndTheProfileAndNoneIsContradicted) {
  const auto ps = CompareAll();
  size_t proved_goroutines = 0;
  for (const auto& p : ps) {
    for (const RunSetComparison* rs : {&p.plain, &p.perturbed}) {
      EXPECT_EQ(rs->contradicted, 0u) << p.program << ": " << (p.contradictions.empty() ? "" : p.contradictions[0]);
      proved_goroutines += rs->proved_goroutines;
    }
  }
  EXPECT_GT(proved_goroutines, 0u);
  enum { kProved, kAny, kGoleak, kProfile, kRuntime };
  for (const char* leak : {"TestOrphanSend", "TestSelectNoCases"}) {
    const ProgramComparison* p = Find(ps, leak);
    if (!p) continue;
    EXPECT_EQ(p->plain.m[kProved].detected, 2u) << leak;
    EXPECT_EQ(p->plain.m[kGoleak].detected, 2u) << leak;
    EXPECT_EQ(p->plain.m[kProfile].detected, 2u) << leak;
    EXPECT_EQ(p->plain.m[kProved].first, 1u) << leak;
    EXPECT_EQ(p->plain.m[kRuntime].detected, 0u) << leak << ": the test returned";
    EXPECT_EQ(p->plain.profile_confirmed, p->plain.proved_goroutines) << leak << ": orphaned goroutines are unreachable";
  }
  const ProgramComparison* ok = Find(ps, "TestCorrectPipeline");
  if (ok) {
    for (int m = 0; m < kNumMethods; ++m) EXPECT_EQ(ok->plain.m[m].detected, 0u) << kMethods[m];
    EXPECT_EQ(ok->perturbed.m[kProved].detected, 0u) << "a false proof on a perturbed run";
  }
  const ProgramComparison* hung = Find(ps, "TestTestGoroutineStuck");
  if (hung) {
    EXPECT_EQ(hung->plain.m[kGoleak].checked, 0u) << "goleak cannot run in a hung test";
    EXPECT_EQ(hung->plain.m[kProved].detected, 2u);
    EXPECT_EQ(hung->plain.m[kProfile].detected, 2u);
  }
  // Source-perturbed runs: no proof contradicted, no false proof on the correct program, and the
  // orphaned send still proved in every run (the delays change timing, not what the program does).
  const auto src = CompareAll(store::PerturbMode::kSource);
  for (const auto& p : src) {
    EXPECT_EQ(p.perturbed.runs, 2u) << p.program;
    EXPECT_EQ(p.perturbed.contradicted, 0u) << p.program;
  }
  if (const ProgramComparison* q = Find(src, "TestCorrectPipeline")) {
    for (int m = 0; m < kNumMethods; ++m) EXPECT_EQ(q->perturbed.m[m].detected, 0u) << kMethods[m];
  }
  if (const ProgramComparison* q = Find(src, "TestOrphanSend")) {
    EXPECT_EQ(q->perturbed.m[kProved].detected, 2u);
  }
}

TEST(LeakAnchors, CompareCommandJsonAndExitStatus) {
  // Two perturbation modes in one store: --compare wants one of them named.
  auto mixed = testutil::RunCommand({SCHEDCAST_BIN, "leaks", "--store", SCHEDCAST_COMPARE_DB, "--compare"});
  EXPECT_EQ(mixed.exit_code, 2) << mixed.out << mixed.err;
  EXPECT_NE(mixed.err.find("--perturb-mode"), std::string::npos) << mixed.err;
  auto r = testutil::RunCommand({SCHEDCAST_BIN, "leaks", "--store", SCHEDCAST_COMPARE_DB, "--compare", "--json",
                                 "--within", "2", "--perturb-mode", "runtime"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["summary"]["contradicted"], 0);
  EXPECT_EQ(j["summary"]["false_proofs"]["plain"], 0);
  EXPECT_EQ(j["programs"].size(), 5u);
  for (const auto& p : j["programs"]) {
    ASSERT_TRUE(p.contains("perturbed")) << p["program"];
    EXPECT_EQ(p["plain"]["runs"], 2);
    EXPECT_EQ(p["perturbed"]["runs"], 2);
  }
  auto text = testutil::RunCommand(
      {SCHEDCAST_BIN, "leaks", "--store", SCHEDCAST_COMPARE_DB, "--compare", "--perturb-mode", "source"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("Runs to detect"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("contradicted 0"), std::string::npos) << text.out;
}

TEST(LeakAnchors, PerturbedRunsAreRecordedAndKeptApart) {
  std::set<uint64_t> seeds;
  for (const char* test : {"TestOrphanSend", "TestCorrectPipeline"}) {
    for (const auto& r : Runs(test, store::PerturbMode::kRuntime)) {
      EXPECT_EQ(r.perturb, 7u) << "runtime mode: the key is the --perturb seed, as before the modes";
      ASSERT_TRUE(r.perturb_seed.has_value()) << "run " << r.id;
      EXPECT_TRUE(seeds.insert(*r.perturb_seed).second) << "a perturbation seed repeats";
    }
    for (const auto& r : Runs(test, std::nullopt)) {
      EXPECT_EQ(r.perturb, 0u);
      EXPECT_FALSE(r.perturb_seed.has_value());
    }
  }
  auto st = store::Store::OpenExisting(SCHEDCAST_COMPARE_DB);
  ASSERT_TRUE(st.ok());
  auto runs = (*st)->ListRuns();
  ASSERT_TRUE(runs.ok());
  size_t perturbed = 0;
  for (const auto& r : *runs) perturbed += r.perturbed() && r.trace_bytes > 0;
  ASSERT_GT(perturbed, 0u);
  const TempDir out_dir("perturb_ds");
  const std::string& out = out_dir;
  data::DatasetOptions opt;
  auto sum = data::BuildDataset(**st, opt, out, [](size_t, size_t, const std::string&) {});
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->perturbed_runs_left_out, perturbed);
  EXPECT_EQ(sum->configs, 5u) << "one configuration per program: perturbed runs not pooled";
  opt.include_perturbed = true;
  auto with = data::BuildDataset(**st, opt, out, [](size_t, size_t, const std::string&) {});
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->perturbed_runs_left_out, 0u);
  EXPECT_EQ(with->configs, 15u) << "perturbed runs form configurations of their own, one per mode";
}

// Sites (innermost user frames) of the scheduling events of a run's trace.
std::set<std::string> SiteFuncs(store::Store& st, const store::StoredRun& r) {
  std::set<std::string> out;
  auto trace = st.LoadTrace(r.id);
  EXPECT_TRUE(trace.ok()) << "run " << r.id;
  if (!trace.ok()) return out;
  auto parsed = pipeline::Parse(*trace);
  EXPECT_TRUE(parsed.ok()) << "run " << r.id;
  if (!parsed.ok()) return out;
  for (const auto& s : parsed->timeline.sites) out.insert(s.func);
  return out;
}

// --perturb-mode source: the runs executed a copy with delays before its synchronising statements
// (their traces show goroutines yielding or sleeping in the injected delay function; plain and
// runtime-perturbed runs never do), the user's tree was not touched, the correct program still
// passes, and each run's seed is recorded (distinct from the runtime mode's seeds).
TEST(LeakAnchors, SourcePerturbedRunsRunTheInjectedCopy) {
  auto st = store::Store::OpenExisting(SCHEDCAST_COMPARE_DB);
  ASSERT_TRUE(st.ok());
  const std::string delay = std::string(kPkg) + ".schedcastPerturbDelay";
  std::set<uint64_t> runtime_seeds;
  for (const auto& r : Runs("TestCorrectPipeline", store::PerturbMode::kRuntime)) runtime_seeds.insert(*r.perturb_seed);
  size_t delayed = 0;
  for (const char* test : {"TestCorrectPipeline", "TestOrphanSend", "TestLockOrderCycle"}) {
    for (const auto& r : Runs(test, store::PerturbMode::kSource)) {
      EXPECT_EQ(r.perturb, store::PerturbKey(7, store::PerturbMode::kSource));
      EXPECT_EQ(store::PerturbSeedOf(r.perturb), 7u);
      ASSERT_TRUE(r.perturb_seed.has_value()) << "run " << r.id;
      EXPECT_FALSE(runtime_seeds.count(*r.perturb_seed)) << "run " << r.id;
      if (std::string(test) == "TestCorrectPipeline") {
        EXPECT_EQ(r.outcome, store::Outcome::kOk) << r.stdout_text;
      }
      delayed += SiteFuncs(**st, r).count(delay);
    }
    for (const auto& r : Runs(test, store::PerturbMode::kRuntime)) EXPECT_EQ(SiteFuncs(**st, r).count(delay), 0u);
    for (const auto& r : Runs(test, std::nullopt)) EXPECT_EQ(SiteFuncs(**st, r).count(delay), 0u);
  }
  EXPECT_GE(delayed, 3u) << "of 6 source-perturbed runs, too few ran an injected delay";
  // The user's tree is never rewritten.
  for (const auto& e : std::filesystem::directory_iterator(std::string(SCHEDCAST_SOURCE_DIR) + "/tests/leaks/progs")) {
    EXPECT_EQ(e.path().filename().string().rfind("zz_schedcast", 0), std::string::npos) << e.path();
    if (e.path().extension() == ".go") {
      auto text = ReadFileToString(e.path().string());
      ASSERT_TRUE(text.ok());
      EXPECT_EQ(text->find("schedcastPerturbDelay"), std::string::npos) << e.path();
    }
  }
}

TEST(LeakAnchors, ExpectedRunsToDetect) {
  RunsToDetect half = ExpectedRunsToDetect(10, 20);
  EXPECT_DOUBLE_EQ(half.point, 2.0);
  EXPECT_LT(half.lo, 2.0);
  EXPECT_GT(half.hi, 2.0);
  RunsToDetect none = ExpectedRunsToDetect(0, 20);
  EXPECT_TRUE(std::isinf(none.point));
  EXPECT_TRUE(std::isinf(none.hi));
  EXPECT_GT(none.lo, 5.0);  // Wilson's upper bound for 0/20 is ~0.16
  EXPECT_DOUBLE_EQ(ExpectedRunsToDetect(20, 20).point, 1.0);
}

// A store written by schema version 1 (before perturbed runs and the leak anchors): readers open it
// as it is; a writer migrates it, keeping every run and trace.
TEST(StoreMigration, Version1StoreIsReadAndMigrated) {
  const TempDir tmp("migrate_v1");
  const std::string& dir = tmp;
  const std::string path = dir + "/v1.db";
  {
    auto db = store::Database::Open(path, /*create=*/true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec(R"sql(
      CREATE TABLE programs (id INTEGER PRIMARY KEY, package TEXT NOT NULL, dir TEXT NOT NULL, name TEXT NOT NULL,
        kind TEXT NOT NULL, source_hash TEXT NOT NULL, UNIQUE (package, name, source_hash));
      CREATE TABLE configs (id INTEGER PRIMARY KEY, go_version TEXT NOT NULL, gomaxprocs INTEGER NOT NULL,
        race INTEGER NOT NULL, UNIQUE (go_version, gomaxprocs, race));
      CREATE TABLE builds (id INTEGER PRIMARY KEY, package TEXT NOT NULL, source_hash TEXT NOT NULL,
        go_version TEXT NOT NULL, go_full_version TEXT NOT NULL, race INTEGER NOT NULL, ok INTEGER NOT NULL,
        output TEXT NOT NULL, built_at TEXT NOT NULL, UNIQUE (package, source_hash, go_version, race));
      CREATE TABLE runs (id INTEGER PRIMARY KEY, program_id INTEGER NOT NULL REFERENCES programs(id),
        config_id INTEGER NOT NULL REFERENCES configs(id), seed INTEGER NOT NULL, run_index INTEGER NOT NULL,
        run_seed INTEGER NOT NULL, outcome TEXT NOT NULL, exit_code INTEGER, signal INTEGER, wall_ms REAL NOT NULL,
        trace_bytes INTEGER NOT NULL, event_count INTEGER, stdout_text TEXT NOT NULL, stderr_text TEXT NOT NULL,
        end_state TEXT, note TEXT NOT NULL DEFAULT '', started_at TEXT NOT NULL,
        UNIQUE (program_id, config_id, run_index, seed));
      CREATE INDEX runs_by_program_config ON runs(program_id, config_id);
      CREATE UNIQUE INDEX runs_one_per_index ON runs(program_id, config_id, run_index);
      CREATE TABLE traces (run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        codec TEXT NOT NULL, raw_bytes INTEGER NOT NULL, data BLOB NOT NULL);
      INSERT INTO programs VALUES (1, 'p', '/d', 'TestX', 'test', 'h');
      INSERT INTO configs VALUES (1, '1.23', 2, 0);
      INSERT INTO runs VALUES (41, 1, 1, 5, 0, 99, 'ok', 0, NULL, 1.5, 3, NULL, 'out', '', 'schedcast-end-state: exit', '',
        '2026-01-01T00:00:00.000Z');
      INSERT INTO traces VALUES (41, 'zstd', 3, x'00');
      PRAGMA user_version=1;)sql").ok());
  }
  {
    auto ro = store::Store::OpenExisting(path);
    ASSERT_TRUE(ro.ok()) << ro.status().message();
    auto runs = (*ro)->ListRuns();
    ASSERT_TRUE(runs.ok()) << runs.status().message();
    ASSERT_EQ(runs->size(), 1u);
    EXPECT_EQ((*runs)[0].id, 41);
    EXPECT_FALSE((*runs)[0].perturbed());
    EXPECT_FALSE((*runs)[0].goleak.has_value());
  }
  auto st = store::Store::Open(path);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(*(*st)->db().QueryInt("PRAGMA user_version"), store::kSchemaVersion);
  EXPECT_EQ(*(*st)->db().QueryInt("SELECT count(*) FROM traces WHERE run_id = 41"), 1) << "the trace survived";
  auto run = (*st)->GetRun(41);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->stdout_text, "out");
  EXPECT_EQ(run->end_state.value_or(""), "schedcast-end-state: exit");
  // The same index again: refused unperturbed, accepted as a perturbed run.
  store::RunRecord rec;
  rec.program_id = 1;
  rec.config_id = 1;
  rec.seed = 5;
  rec.run_index = 0;
  rec.started_at = "2026-01-01T00:00:01.000Z";
  auto dup = (*st)->InsertRun(rec);
  ASSERT_TRUE(dup.ok());
  EXPECT_FALSE(*dup);
  rec.perturb = 3;
  rec.perturb_seed = 12345;
  rec.goleak = "";
  auto pert = (*st)->InsertRun(rec);
  ASSERT_TRUE(pert.ok()) << pert.status().message();
  EXPECT_TRUE(*pert);
  auto idx = (*st)->RunIndices(1, 1, 3);
  ASSERT_TRUE(idx.ok());
  EXPECT_EQ(idx->size(), 1u);
  auto all = (*st)->ListRuns();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].perturb_seed.value_or(0), 12345u);
  EXPECT_EQ((*all)[1].goleak.value_or("x"), "");
}

}  // namespace
}  // namespace schedcast::leaks
