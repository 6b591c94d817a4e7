// tests/collect/e2e_util.h — helpers for end-to-end collector tests that run the real schedcast
// binary on the Go fixtures in tests/collect/fixtures and inspect the real SQLite store.
//
// FixturesStore() collects every fixture once per build of schedcast (Go 1.21 and 1.23, one run
// each, GOMAXPROCS=2, --timeout 3s) into a store shared by the tests of all processes (ctest
// runs each test in its own process): a file lock serialises the first collection and a stamp
// (binary and fixture files: mtime and size) invalidates it when either changes. Test-only; not thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "store/records.h"
#include "testutil.h"

namespace schedcast::collect::e2e {

std::string Bin();
std::string Fixture(const std::string& name);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

testutil::CommandResult Schedcast(const std::vector<std::string>& args);
// Starts schedcast asynchronously with stdout+stderr to `log`; returns its pid.
pid_t SpawnSchedcast(const std::vector<std::string>& args, const std::string& log);

std::vector<store::StoredRun> Runs(const std::string& db);
int64_t QueryInt(const std::string& db, const std::string& sql);  // -1 if the store is not readable yet
std::string IntegrityCheck(const std::string& db);

// Live (not zombie) processes whose command line (NULs as spaces) contains `needle`.
std::vector<pid_t> LiveProcesses(const std::string& needle);

// The shared store of all fixtures, and the stderr of the collection that made it.
struct FixtureCollection {
  std::string db;
  std::string log;
};
const FixtureCollection& FixturesStore();

}  // namespace schedcast::collect::e2e
