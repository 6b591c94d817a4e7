// tests/collect/interrupt_test.cc — kill -9 of a running `schedcast collect` loses at most the
// runs in flight and never corrupts the store; Ctrl-C (SIGINT) stops cleanly; a re-run tops up;
// no test process survives its collector.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/status.h"
#include "e2e_util.h"

namespace schedcast::collect::e2e {
namespace {

// 2 programs x 2 configurations x 6 runs of ~0.4 s each.
std::vector<std::string> SlowArgs(const std::string& db) {
  return {"collect", Fixture("slow"), "--store", db, "--runs", "6", "--gomaxprocs", "1,2", "--timeout", "3s",
          "--jobs", "2", "--go", "1.23", "--progress", "lines"};
}
constexpr int kTotal = 24;

// Waits until the store holds at least `n` runs (or 60 s pass).
bool WaitForRuns(const std::string& db, int n) {
  for (int i = 0; i < 600; ++i) {
    if (QueryInt(db, "SELECT count(*) FROM runs") >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool WorkspaceGone(pid_t pid) {
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
    if (e.path().filename().string().rfind(Cat("schedcast-", pid, "-"), 0) == 0) return false;
  }
  return true;
}

void ExpectNoProcessOf(pid_t collector) {
  std::string needle = Cat("/schedcast-", collector, "-");
  for (int i = 0; i < 50 && !LiveProcesses(needle).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(LiveProcesses(needle).empty()) << "a test process of collector " << collector << " survived it";
}

TEST(Interrupt, KillNineLosesOnlyRunsInFlightAndReRunTopsUp) {
  TempDir dir;
  std::string db = dir.path() + "/k9.db";
  pid_t pid = SpawnSchedcast(SlowArgs(db), dir.path() + "/log");
  ASSERT_TRUE(WaitForRuns(db, 3));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int st;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(IntegrityCheck(db), "ok");
  int64_t stored = QueryInt(db, "SELECT count(*) FROM runs");
  EXPECT_GE(stored, 3);
  EXPECT_LT(stored, kTotal);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs WHERE outcome != 'ok'"), 0) << "only complete runs are stored";
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs r LEFT JOIN traces t ON t.run_id = r.id WHERE t.run_id IS NULL"), 0);
  ExpectNoProcessOf(pid);

  auto again = Schedcast(SlowArgs(db));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find(Cat(kTotal - stored, " runs to do, ", stored, " already stored")), std::string::npos)
      << again.err;
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs"), kTotal);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM (SELECT DISTINCT program_id, config_id, run_index FROM runs)"), kTotal);
  EXPECT_EQ(IntegrityCheck(db), "ok");
  EXPECT_TRUE(WorkspaceGone(pid)) << "the re-run removes the dead collector's temporary directory";
}

TEST(Interrupt, SigintStopsCleanly) {
  TempDir dir;
  std::string db = dir.path() + "/int.db";
  std::string log = dir.path() + "/log";
  pid_t pid = SpawnSchedcast(SlowArgs(db), log);
  ASSERT_TRUE(WaitForRuns(db, 2));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int st;
  waitpid(pid, &st, 0);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 130);
  EXPECT_LT(secs, 3.0) << "in-flight runs are killed, not waited for";
  auto out = ReadFileToString(log);
  EXPECT_NE(out->find("interrupted"), std::string::npos) << *out;
  EXPECT_EQ(IntegrityCheck(db), "ok");
  int64_t stored = QueryInt(db, "SELECT count(*) FROM runs");
  EXPECT_LT(stored, kTotal);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs WHERE outcome != 'ok'"), 0);
  ExpectNoProcessOf(pid);
  EXPECT_TRUE(WorkspaceGone(pid)) << "an interrupted collector removes its temporary directory";
  auto again = Schedcast(SlowArgs(db));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM runs"), kTotal);
}

}  // namespace
}  // namespace schedcast::collect::e2e
