// tests/cli/harden_process_test.cc — issue 21 items 10 and 11: a test that calls os.Exit(0) gets a
// failure with its reason; a `select {}` leak shows its site; after kill -9 of the collector, the
// next collection kills the children its runs left in other sessions and removes Go's go-build*
// directories of interrupted builds.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "common/status.h"
#include "harden_util.h"
#include "nlohmann/json.hpp"

namespace schedcast::harden {
namespace {
namespace fs = std::filesystem;
using collect::e2e::LiveProcesses;

TEST(HardenOutcome, OsExitZeroInATestIsAFailureWithItsReason) {
  int n = 0;
  for (const auto& r : collect::e2e::Runs(HardenDb())) {
    if (r.program.name != "TestExitZero") continue;
    ++n;
    EXPECT_EQ(store::OutcomeName(r.outcome), "fail") << "was ok, with an empty trace and no PASS line";
    EXPECT_NE(r.note.find("os.Exit"), std::string::npos) << r.note;
  }
  EXPECT_EQ(n, 2);
  for (const auto& r : collect::e2e::Runs(HardenDb()))
    if (r.program.name == "TestX") {
      EXPECT_EQ(store::OutcomeName(r.outcome), "ok");
    }
}

TEST(HardenOutcome, SelectWithNoCasesShowsItsSite) {
  auto r = Schedcast({"leaks", "--store", HardenDb(), "--program", "TestSelectForever", "--json"});
  ASSERT_LE(r.exit_code, 1) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  const std::string text = j.dump();
  EXPECT_NE(text.find("basic_test.go:30"), std::string::npos) << "the `select {}` line\n" << j.dump(1);
  EXPECT_EQ(text.find("\"?\""), std::string::npos) << j.dump(1);
}

bool HasGoBuildDir(const std::string& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory(ec) && it->path().filename().string().rfind("go-build", 0) == 0) return true;
  }
  return false;
}

// Waits up to `s` seconds for pred().
template <typename F>
bool WaitFor(double s, F pred) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

TEST(HardenProcess, NextCollectionReapsWhatAKilledOneLeft) {
  TempDir dir;
  const std::string tmp = dir.path() + "/tmp", cache = dir.path() + "/gocache";
  fs::create_directories(tmp);
  const std::string sleep_arg = std::to_string(3000 + getpid() % 1000) + ".25";
  // The collector's environment: a private TMPDIR and a cold Go cache (so that builds take a while).
  setenv("TMPDIR", tmp.c_str(), 1);
  setenv("SCHEDCAST_GOCACHE", cache.c_str(), 1);
  setenv("HARDEN_SLEEP", sleep_arg.c_str(), 1);
  auto collect = [&](const std::string& db, const std::string& log) {
    return collect::e2e::SpawnSchedcast({"collect", ProgsDir("setsid"), "--store", db, "--runs", "1", "--go", "1.23",
                                         "--gomaxprocs", "1", "--timeout", "60s", "--progress", "lines"},
                                        log);
  };
  auto kill9 = [](pid_t pid) {
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
  };

  // 1. Killed while `go test -c` builds: Go's go-build* work directory is left behind.
  pid_t a = collect(dir.path() + "/a.db", dir.path() + "/a.log");
  const bool building = WaitFor(60, [&] { return HasGoBuildDir(tmp); });
  kill9(a);
  EXPECT_TRUE(building) << "no go-build* directory appeared during the build";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the go command dies with its parent

  // 2. The next collection removes it; killed while its run's setsid child sleeps.
  pid_t b = collect(dir.path() + "/b.db", dir.path() + "/b.log");
  const bool started = WaitFor(120, [&] { return !LiveProcesses("sleep " + sleep_arg).empty(); });
  EXPECT_TRUE(started) << *ReadFileToString(dir.path() + "/b.log");
  EXPECT_FALSE(HasGoBuildDir(tmp)) << "go-build* of the killed build are gone (within its workspace)";
  kill9(b);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(LiveProcesses("sleep " + sleep_arg).empty()) << "the setsid child outlives the collector";

  // 3. The next collection (any paths, any store) kills it and says so.
  auto c = Schedcast({"collect", ProgsDir("basic") + "/basic_test.go", "--store", dir.path() + "/c.db", "--runs", "1",
                      "--go", "1.23", "--gomaxprocs", "2", "--progress", "lines"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.err.find("left running by an interrupted collection"), std::string::npos) << c.err;
  EXPECT_TRUE(WaitFor(5, [&] { return LiveProcesses("sleep " + sleep_arg).empty(); }))
      << "the setsid child of the killed collection is still running";
  for (pid_t p : LiveProcesses("sleep " + sleep_arg)) kill(p, SIGKILL);
  EXPECT_FALSE(HasGoBuildDir(tmp));
  unsetenv("TMPDIR");
  unsetenv("SCHEDCAST_GOCACHE");
  unsetenv("HARDEN_SLEEP");
}

}  // namespace
}  // namespace schedcast::harden
