// `schedcast trace dump|stats FILE` — Go-identical debug dump and summary of one trace file.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "gotrace/dump.h"

namespace schedcast::cli {

void RegisterTrace(CLI::App& app) {
  auto* trace = app.add_subcommand("trace", "Inspect Go execution trace files");
  trace->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto* dump = trace->add_subcommand(
      "dump", "Print the events exactly as Go's `go tool trace -d` (Go<=1.21) / `-d=1` (Go>=1.22) does");
  dump->add_option("FILE", *file, "trace file")->required();
  dump->callback([file] {
    absl::StatusOr<std::string> data = ReadFileToString(*file);
    if (!data.ok()) return Fail(data.status());
    absl::Status s = gotrace::Dump(*data, std::cout);
    std::cout.flush();
    if (!s.ok()) Fail(WithContext(s, *file));
  });

  auto sfile = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* stats = trace->add_subcommand("stats", "Summarise a trace: format version, events by type, goroutines, Ps, span");
  stats->add_option("FILE", *sfile, "trace file")->required();
  stats->add_flag("--json", *json, "print JSON instead of text");
  stats->callback([sfile, json] {
    absl::StatusOr<std::string> data = ReadFileToString(*sfile);
    if (!data.ok()) return Fail(data.status());
    absl::StatusOr<gotrace::TraceStats> st = gotrace::ComputeStats(*data);
    if (!st.ok()) return Fail(WithContext(st.status(), *sfile));
    std::cout << (*json ? gotrace::StatsToJson(*st) : gotrace::StatsToText(*st));
  });
}

}  // namespace schedcast::cli
