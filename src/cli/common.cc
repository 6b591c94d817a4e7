#include <iostream>

#include "cli/commands.h"

namespace schedcast::cli {
namespace {
int g_exit_code = 0;
}

int ExitCodeFor(const absl::Status& s) {
  if (s.ok()) return kExitOk;
  // UsageError (common/status.h): the command line is wrong. Everything else — malformed input
  // (BadInputError), a missing file, a failed run — is a failure of the input or the system.
  return s.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

void Fail(const absl::Status& s) {
  std::cout.flush();
  std::cerr << "schedcast: " << s.message() << "\n";
  g_exit_code = ExitCodeFor(s);
}
void SetExitCode(int code) { g_exit_code = code; }
int ExitCode() { return g_exit_code; }

void RegisterAll(CLI::App& app) {
  RegisterTrace(app);
  RegisterTokens(app);
  RegisterCollect(app);
  RegisterDataset(app);
  RegisterDist(app);
  RegisterRun(app);
  RegisterModel(app);
  RegisterExport(app);
  RegisterReport(app);
  RegisterEval(app);
  RegisterLlm(app);
  RegisterLeaks(app);
}

}  // namespace schedcast::cli
