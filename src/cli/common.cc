#include <iostream>

#include "cli/commands.h"

namespace schedcast::cli {
namespace {
int g_exit_code = 0;
}

void Fail(const absl::Status& s) {
  std::cout.flush();
  std::cerr << "schedcast: " << s.message() << "\n";
  g_exit_code = s.code() == absl::StatusCode::kInvalidArgument ? 2 : 3;
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
