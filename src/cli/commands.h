// cli/commands.h — registration of every subcommand on the CLI11 app.
//
// Each Register* adds one command group and its callback; callbacks record the exit code through
// SetExitCode. Not thread-safe (process-global exit code; the CLI is single-threaded at this level).
#pragma once

#include <string_view>

#include "CLI/CLI.hpp"
#include "common/status.h"
#include "nlohmann/json.hpp"

namespace schedcast::cli {

inline constexpr const char* kVersion = "0.1.0";

void RegisterAll(CLI::App& app);
void RegisterTrace(CLI::App& app);    // trace dump|stats (cli/trace_cmd.cc)
void RegisterTokens(CLI::App& app);   // trace tokens (cli/tokens_cmd.cc); after RegisterTrace
void RegisterCollect(CLI::App& app);  // collect, runs, merge (cli/collect_cmd.cc)
void RegisterDataset(CLI::App& app);  // dataset build/export (cli/dataset_cmd.cc)
void RegisterDist(CLI::App& app);     // dist show (cli/dataset_cmd.cc)
void RegisterRun(CLI::App& app);      // run: the main job (cli/run_cmd.cc)
void RegisterModel(CLI::App& app);    // train, predict, model info|eval (cli/model_cmd.cc)
void RegisterExport(CLI::App& app);   // export perfetto (cli/export_cmd.cc)
void RegisterReport(CLI::App& app);   // report: static HTML report of an eval JSON (cli/report_cmd.cc)
void RegisterEval(CLI::App& app);     // eval (cli/eval_cmd.cc)
void RegisterLlm(CLI::App& app);      // llm predict: LLM baselines via an OpenAI-compatible server (cli/llm_cmd.cc)
void RegisterLeaks(CLI::App& app);    // leaks: proved and suspected goroutine leaks (cli/leaks_cmd.cc)

// Exit codes, one rule for every command (also in `schedcast --help` and README.md):
inline constexpr int kExitOk = 0;       // success
inline constexpr int kExitFinding = 1;  // a finding that should fail CI (e.g. `leaks` proved a leak)
inline constexpr int kExitUsage = 2;    // usage error: bad flag, bad flag value, missing argument
inline constexpr int kExitFailure = 3;  // bad input (malformed file/store content) or a failure
inline constexpr const char* kExitCodeHelp =
    "Exit codes: 0 ok; 1 a finding (e.g. a proved leak); 2 usage error (bad flag or argument);\n"
    "3 bad input (malformed file, store or trace) or failure; 130/143 interrupted.";

// The exit code of a failed status, by its kind alone (see UsageError/BadInputError in
// common/status.h): InvalidArgument → 2, any other error → 3, OK → 0.
int ExitCodeFor(const absl::Status& s);

// Prints "schedcast: <message>" to stderr and records the exit code for a failed status.
void Fail(const absl::Status& s);
void SetExitCode(int code);
int ExitCode();

}  // namespace schedcast::cli
