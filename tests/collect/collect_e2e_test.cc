// tests/collect/collect_e2e_test.cc — `schedcast collect` on the real Go fixtures with Go 1.21
// and 1.23: every failure mode gets its outcome, the collection finishes, no process is left
// behind, stored traces and end states are usable, the CLI reads the store back.
#include <gtest/gtest.h>

#include <map>

#include "common/status.h"
#include "e2e_util.h"
#include "gotrace/dump.h"
#include "nlohmann/json.hpp"
#include "store/store.h"

namespace schedcast::collect::e2e {
namespace {

using store::Outcome;
using store::StoredRun;

class CollectFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { (void)FixturesStore(); }
  const std::string& db() { return FixturesStore().db; }
  // Runs of program `name`, of package `package` if given.
  std::vector<StoredRun> RunsOf(const std::string& name, const std::string& package = "") {
    std::vector<StoredRun> out;
    for (auto& r : Runs(db())) {
      if (r.program.name == name && (package.empty() || r.program.package == package)) out.push_back(r);
    }
    return out;
  }
  std::string Trace(int64_t run) {
    auto s = store::Store::OpenExisting(db());
    auto t = (*s)->LoadTrace(run);
    return t.ok() ? *t : "";
  }
};

TEST_F(CollectFixtures, EveryFixtureGetsItsOutcomeInEveryGoVersion) {
  // Keyed by "<last element of the package path>.<program>".
  const std::map<std::string, Outcome> want = {
      {"ok.TestPass", Outcome::kOk},
      {"ok.TestLeak", Outcome::kOk},
      {"ok.TestFails", Outcome::kFail},
      {"broken.TestNeverBuilds", Outcome::kBuildFailed},
      {"syscallhang.TestSyscallHang", Outcome::kDeadline},
      {"child.TestStartsChild", Outcome::kOk},
      {"child.TestStartsSessionLeader", Outcome::kOk},
      {"bigprint.TestPrintsOneGiB", Outcome::kOk},
      {"gopanic.TestPanicsInGoroutine", Outcome::kPanic},
      {"deadlock.TestGlobalDeadlock", Outcome::kDeadlock},
      {"mainprog.main", Outcome::kOk},
      {"mainexit.main", Outcome::kFail},
      {"testmain.TestSeesSetUp", Outcome::kOk},
      {"dir with space $(x);'q'.TestInOddDirectory", Outcome::kOk},
      {"slow.TestSlowA", Outcome::kOk},
      {"slow.TestSlowB", Outcome::kOk}};
  std::map<std::string, int> seen;
  for (const StoredRun& r : Runs(db())) {
    std::string key = Cat(r.program.package.substr(r.program.package.rfind('/') + 1), ".", r.program.name);
    ASSERT_TRUE(want.count(key)) << key;
    EXPECT_EQ(store::OutcomeName(r.outcome), store::OutcomeName(want.at(key)))
        << key << " go" << r.config.go_version << "\nstdout: " << r.stdout_text.substr(0, 2000)
        << "\nstderr: " << r.stderr_text.substr(0, 2000) << "\nnote: " << r.note;
    ++seen[key];
  }
  for (const auto& [name, o] : want) EXPECT_EQ(seen[name], 2) << name << ": one run per Go version";
}

TEST_F(CollectFixtures, NoProcessIsLeftBehind) {
  EXPECT_TRUE(LiveProcesses("sleep 987654").empty()) << "the child started by TestStartsChild outlived the run";
  EXPECT_TRUE(LiveProcesses("sleep 987655").empty()) << "the setsid child of TestStartsSessionLeader survived";
  auto log = ReadFileToString(FixturesStore().log);
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("killed 2 stray processes"), std::string::npos) << *log;
  // Test binaries of this fixture collection (other tests may be collecting in parallel under
  // ctest -j, so match the fixture tests' own names, not every pkg.test).
  for (const char* name : {"TestStartsChild", "TestStartsSessionLeader", "TestSyscallHang", "TestGlobalDeadlock",
                           "TestPrintsOneGiB", "TestPanicsInGoroutine"})
    EXPECT_TRUE(LiveProcesses(name).empty()) << name;
}

TEST_F(CollectFixtures, HungAndDeadlockedRunsKeepEndStateAndCompleteTrace) {
  for (const char* name : {"TestSyscallHang", "TestGlobalDeadlock"}) {
    for (const StoredRun& r : RunsOf(name)) {
      SCOPED_TRACE(Cat(name, " go", r.config.go_version));
      ASSERT_TRUE(r.end_state.has_value());
      EXPECT_EQ(r.end_state->rfind("schedcast-end-state: deadline\n", 0), 0u);
      EXPECT_EQ(r.exit_code, 97);
      EXPECT_GE(r.wall_ms, 2900);
      EXPECT_LT(r.wall_ms, 5000);
      if (std::string(name) == "TestSyscallHang") {
        EXPECT_NE(r.end_state->find("[syscall"), std::string::npos) << *r.end_state;
        EXPECT_NE(r.end_state->find("schedcast.test/syscallhang/hang_test.go:15"), std::string::npos) << *r.end_state;
      } else {
        EXPECT_NE(r.end_state->find("[sync.Mutex.Lock"), std::string::npos) << *r.end_state;
      }
      std::string trace = Trace(r.id);
      ASSERT_GT(trace.size(), 16u);
      EXPECT_EQ(static_cast<int64_t>(trace.size()), r.trace_bytes);
      // The shim flushed it: the whole trace parses (where this build has a parser for the format).
      auto st = gotrace::ComputeStats(trace);
      if (st.status().code() == absl::StatusCode::kUnimplemented) continue;
      ASSERT_TRUE(st.ok()) << st.status();
      EXPECT_GT(st->events, 0u);
      EXPECT_EQ(r.event_count, static_cast<int64_t>(st->events));
    }
  }
}

TEST_F(CollectFixtures, StoredTracesHaveTheRightHeaderAndParse) {
  int parsed = 0;
  for (const StoredRun& r : Runs(db())) {
    if (r.outcome != Outcome::kOk) continue;
    SCOPED_TRACE(Cat(r.program.name, " go", r.config.go_version));
    std::string trace = Trace(r.id);
    ASSERT_GE(trace.size(), 16u);
    EXPECT_EQ(trace.substr(0, 13), Cat("go ", r.config.go_version, " trace"));
    auto st = gotrace::ComputeStats(trace);
    if (st.status().code() == absl::StatusCode::kUnimplemented) continue;
    ASSERT_TRUE(st.ok()) << st.status();
    EXPECT_GT(st->events, 0u);
    EXPECT_GT(st->goroutines, 0u);
    ++parsed;
  }
  EXPECT_GT(parsed, 0) << "no trace format of Go 1.21/1.23 could be parsed";
}

TEST_F(CollectFixtures, PanicKeepsStderrTailAndPartialTrace) {
  for (const StoredRun& r : RunsOf("TestPanicsInGoroutine")) {
    EXPECT_NE(r.stderr_text.find("panic: assignment to entry in nil map"), std::string::npos) << r.stderr_text;
    EXPECT_NE(r.stderr_text.find("schedcast.test/gopanic/panic_test.go:12"), std::string::npos) << r.stderr_text;
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_LT(r.wall_ms, 1500) << "the panic ends the run at once";
    // Whatever trace was written is kept (possibly nothing: the process can die before the
    // tracer's reader goroutine wrote even the header).
    EXPECT_EQ(QueryInt(db(), Cat("SELECT count(*) FROM traces WHERE run_id = ", r.id)), 1);
    std::string t = Trace(r.id);
    EXPECT_EQ(static_cast<int64_t>(t.size()), r.trace_bytes);
    if (!t.empty()) {
      EXPECT_EQ(t.substr(0, 3), "go ");
    }
  }
}

TEST_F(CollectFixtures, HugeOutputIsCutNotStored) {
  for (const StoredRun& r : RunsOf("TestPrintsOneGiB")) {
    EXPECT_LT(r.stdout_text.size(), 70000u);
    EXPECT_NE(r.note.find("stdout cut (1073741"), std::string::npos) << r.note;
    EXPECT_NE(r.stdout_text.find("bytes omitted]"), std::string::npos);
    EXPECT_NE(r.stdout_text.find("--- PASS: TestPrintsOneGiB"), std::string::npos) << "the tail is kept";
  }
}

TEST_F(CollectFixtures, BuildFailureIsRecordedWithCompilerOutput) {
  auto s = *store::Store::OpenExisting(db());
  auto q = *s->db().Prepare("SELECT go_version, ok, output FROM builds WHERE package = 'schedcast.test/broken'");
  int n = 0;
  while (*q.Step()) {
    ++n;
    EXPECT_EQ(q.Int(1), 0);
    EXPECT_NE(q.Text(2).find("cannot use \"not an int\""), std::string::npos) << q.Text(2);
    EXPECT_NE(q.Text(2).find("broken_test.go:7"), std::string::npos) << q.Text(2);
  }
  EXPECT_EQ(n, 2);
  EXPECT_EQ(*s->db().QueryInt("SELECT count(*) FROM builds WHERE ok = 1"), 2 * 11);
  auto log = ReadFileToString(FixturesStore().log);
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("build failed: schedcast.test/broken"), std::string::npos) << *log;
}

TEST_F(CollectFixtures, LeakedGoroutineIsInTheEndState) {
  for (const StoredRun& r : RunsOf("TestLeak")) {
    ASSERT_TRUE(r.end_state.has_value());
    EXPECT_EQ(r.end_state->rfind("schedcast-end-state: exit\n", 0), 0u);
    EXPECT_NE(r.end_state->find("[chan send]"), std::string::npos) << *r.end_state;
    EXPECT_NE(r.end_state->find("schedcast.test/ok/ok_test.go:17"), std::string::npos) << *r.end_state;
  }
  for (const StoredRun& r : RunsOf("TestPass")) {
    ASSERT_TRUE(r.end_state.has_value());
    EXPECT_EQ(*r.end_state, "schedcast-end-state: exit\n\n") << "no goroutine outlives TestPass";
  }
}

TEST_F(CollectFixtures, OddDirectoryAndMainProgramRun) {
  auto odd = RunsOf("TestInOddDirectory");
  ASSERT_EQ(odd.size(), 2u);
  EXPECT_EQ(odd[0].program.dir, Fixture("dir with space $(x);'q'"));
  EXPECT_EQ(odd[0].program.package, "_" + Fixture("dir with space $(x);'q'"));
  for (const StoredRun& r : RunsOf("main", "schedcast.test/mainprog")) {
    EXPECT_EQ(r.program.kind, "main");
    EXPECT_NE(r.stdout_text.find("sum 328350"), std::string::npos) << r.stdout_text;
    EXPECT_GT(r.trace_bytes, 16);
  }
}

TEST_F(CollectFixtures, OwnTestMainAndOsExitStillFlushTheTrace) {
  auto tm = RunsOf("TestSeesSetUp");
  auto me = RunsOf("main", "schedcast.test/mainexit");
  ASSERT_EQ(tm.size(), 2u);
  ASSERT_EQ(me.size(), 2u);
  for (const StoredRun& r : tm) EXPECT_NE(r.stdout_text.find("teardown"), std::string::npos) << r.stdout_text;
  for (const StoredRun& r : me) EXPECT_EQ(r.exit_code, 3);
  tm.insert(tm.end(), me.begin(), me.end());
  for (const StoredRun& r : tm) {
    SCOPED_TRACE(Cat(r.program.package, " go", r.config.go_version));
    ASSERT_TRUE(r.end_state.has_value()) << "the shim's finish ran";
    EXPECT_EQ(r.end_state->rfind("schedcast-end-state: exit\n", 0), 0u);
    auto st = gotrace::ComputeStats(Trace(r.id));
    ASSERT_TRUE(st.ok()) << st.status();
    EXPECT_GT(st->events, 0u);
  }
}

TEST_F(CollectFixtures, SameArgumentsAgainAddNothing) {
  int64_t before = QueryInt(db(), "SELECT count(*) FROM runs");
  auto r = Schedcast({"collect", Fixture(""), "--store", db(), "--runs", "1", "--gomaxprocs", "2", "--timeout", "3s",
                      "--jobs", "2", "--go", "1.21,1.23", "--progress", "lines"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("0 runs to do"), std::string::npos) << r.err;
  EXPECT_EQ(QueryInt(db(), "SELECT count(*) FROM runs"), before);
}

TEST_F(CollectFixtures, TraceDumpReadsAStoredRun) {
  for (const StoredRun& r : RunsOf("TestPass")) {
    auto d = Schedcast({"trace", "dump", "--store", db(), "--run", std::to_string(r.id)});
    if (d.err.find("not implemented") != std::string::npos || d.err.find("Unimplemented") != std::string::npos) continue;
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_GT(d.out.size(), 100u);
  }
  auto missing = Schedcast({"trace", "dump", "--store", db(), "--run", "999999"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("no run 999999"), std::string::npos) << missing.err;
  auto no_trace = RunsOf("TestNeverBuilds");
  ASSERT_FALSE(no_trace.empty());
  auto nt = Schedcast({"trace", "dump", "--store", db(), "--run", std::to_string(no_trace[0].id)});
  EXPECT_EQ(nt.exit_code, 3);
  EXPECT_NE(nt.err.find("has no stored trace"), std::string::npos) << nt.err;
}

TEST_F(CollectFixtures, RunsCommandSummarises) {
  auto text = Schedcast({"runs", "--store", db()});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("schedcast.test/syscallhang.TestSyscallHang"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("deadline=1"), std::string::npos) << text.out;
  auto js = Schedcast({"runs", "--store", db(), "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["programs"].size(), 16u);
  EXPECT_EQ(j["runs"], 32);
  for (const auto& p : j["programs"]) EXPECT_EQ(p["configs"].size(), 2u) << p["name"];
  EXPECT_EQ(j["outcomes"]["deadlock"], 2);
}

}  // namespace
}  // namespace schedcast::collect::e2e
