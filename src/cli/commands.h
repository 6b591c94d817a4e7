// cli/commands.h — registration of every subcommand on the CLI11 app.
//
// Each Register* adds one command group and its callback; callbacks record the exit code through
// SetExitCode. Not thread-safe (process-global exit code; the CLI is single-threaded at this level).
#pragma once

#include <string_view>

#include "CLI/CLI.hpp"
#include "common/status.h"

namespace schedcast::cli {

inline constexpr const char* kVersion = "0.1.0";

void RegisterAll(CLI::App& app);
void RegisterTrace(CLI::App& app);
void RegisterTokens(CLI::App& app);   // trace tokens (cli/tokens_cmd.cc); after RegisterTrace
void RegisterCollect(CLI::App& app);
void RegisterDataset(CLI::App& app);  // dataset build/export (cli/dataset_cmd.cc)
void RegisterDist(CLI::App& app);
void RegisterRun(CLI::App& app);
void RegisterModel(CLI::App& app);
void RegisterEval(CLI::App& app);     // eval (cli/eval_cmd.cc)    // train, predict, model info|eval (cli/model_cmd.cc)      // run: the main job (cli/run_cmd.cc)     // dist show (cli/dataset_cmd.cc)  // collect, runs, merge (cli/collect_cmd.cc)

// Prints "schedcast: <message>" to stderr and records the exit code for a failed status.
void Fail(const absl::Status& s);
void SetExitCode(int code);
int ExitCode();

}  // namespace schedcast::cli
