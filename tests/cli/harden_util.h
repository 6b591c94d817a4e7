// tests/cli/harden_util.h — helpers for the hardening end-to-end tests (issue 21): the store of
// tests/cli/harden_progs/basic collected once per build tree (ctest fixture harden_store, made by
// harden_make_store.sh), private copies of it, run lookup, trace blob surgery, and running the
// real schedcast binary as an unprivileged user (permission tests mean nothing as root).
// Test-only; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../collect/e2e_util.h"

namespace schedcast::harden {

using collect::e2e::Schedcast;
using collect::e2e::TempDir;

std::string HardenDb();                      // the shared store (read it, never write it)
std::string ProgsDir(const std::string& sub);  // tests/cli/harden_progs/<sub>
// Copies the shared store to DIR/NAME and returns the path.
std::string CopyStore(const std::string& dir, const std::string& name = "s.db");
// The id of the first run of program `test` (name, e.g. "TestX") that has a trace; -1 if none.
int64_t RunWithTrace(const std::string& db, const std::string& test);
// The decompressed trace of run `id`; replaces it (recompressed, raw size updated).
std::string TraceOf(const std::string& db, int64_t id);
void SetTrace(const std::string& db, int64_t id, const std::string& raw);
// Replaces the stored blob of run `id` as is (no compression), leaving raw_bytes alone.
void SetBlob(const std::string& db, int64_t id, const std::string& blob, int64_t raw_bytes = -1);
// schedcast ARGS as an unprivileged user (setpriv to nobody when we are root).
testutil::CommandResult SchedcastUnprivileged(const std::vector<std::string>& args);
bool IsRoot();
// Writes `files` (name → content) into DIR (created).
void WriteFiles(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace schedcast::harden
