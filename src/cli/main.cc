// cli/main.cc — `schedcast <command>`: parses flags, calls the stages, prints, maps errors to exit codes.
//
// Thin by design: every command's logic lives in a stage library; this file only wires flags to it.
// Exit codes: 0 ok, 1 a finding that should fail CI (e.g. a proved leak), 2 usage error, 3 bad input / failure.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "cli/commands.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  CLI::App app{"schedcast — distribution-aware execution modelling of concurrent Go programs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("schedcast ") + schedcast::cli::kVersion);
  app.footer(schedcast::cli::kExitCodeHelp);
  schedcast::cli::RegisterAll(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? schedcast::cli::kExitOk : schedcast::cli::kExitUsage;
  } catch (const std::exception& e) {
    // Library code reports errors as statuses; an exception here is a bug, but it must not abort.
    std::cout.flush();
    std::cerr << "schedcast: internal error: " << e.what() << "\n";
    return schedcast::cli::kExitFailure;
  } catch (...) {
    std::cout.flush();
    std::cerr << "schedcast: internal error: unknown exception\n";
    return schedcast::cli::kExitFailure;
  }
  return schedcast::cli::ExitCode();
}
