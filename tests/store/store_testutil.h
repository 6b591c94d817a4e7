// tests/store/store_testutil.h — helpers for store tests: a self-removing temporary directory and
// sample rows. Test-only; not thread-safe.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/records.h"

namespace schedcast::store {

class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "schedcast-test-XXXXXX").string();
    path_ = mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline ProgramRecord SampleProgram(const std::string& name, const std::string& pkg = "example.com/p") {
  return {pkg, "/src/p", name, "test", "abc"};
}

inline RunRecord SampleRun(int64_t program, int64_t config, int index, Outcome outcome) {
  RunRecord r;
  r.program_id = program;
  r.config_id = config;
  r.seed = 1;
  r.run_index = index;
  r.run_seed = 1000 + index;
  r.outcome = outcome;
  r.exit_code = 0;
  r.wall_ms = 12.5;
  r.stdout_text = "=== RUN   TestA\n--- PASS: TestA (0.00s)\n";
  r.started_at = "2024-01-01T00:00:00.000Z";
  return r;
}

}  // namespace schedcast::store
