// `schedcast trace dump|stats FILE` — Go-identical debug dump and summary of one trace file.
// `schedcast trace dump --store FILE.db --run ID` dumps a run stored by `schedcast collect`.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "gotrace/dump.h"
#include "store/store.h"

namespace schedcast::cli {

void RegisterTrace(CLI::App& app) {
  auto* trace = app.add_subcommand("trace", "Inspect Go execution trace files");
  trace->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto store_path = std::make_shared<std::string>();
  auto run_id = std::make_shared<int64_t>(0);
  auto* dump = trace->add_subcommand(
      "dump", "Print the events exactly as Go's `go tool trace -d` (Go<=1.21) / `-d=1` (Go>=1.22) does");
  auto* file_opt = dump->add_option("FILE", *file, "trace file");
  auto* store_opt = dump->add_option("--store", *store_path, "read the trace of a stored run from this store (FILE.db)");
  auto* run_opt = dump->add_option("--run", *run_id, "run id in --store (see `schedcast runs`)");
  store_opt->excludes(file_opt)->needs(run_opt);
  run_opt->needs(store_opt);
  dump->callback([file, store_path, run_id, file_opt] {
    absl::StatusOr<std::string> data;
    std::string what = *file;
    if (!store_path->empty()) {
      auto st = store::Store::OpenExisting(*store_path);
      if (!st.ok()) return Fail(st.status());
      data = (*st)->LoadTrace(*run_id);
      what = Cat(*store_path, ": run ", *run_id);
    } else if (file_opt->count() == 0) {
      return Fail(absl::InvalidArgumentError("trace dump: give FILE, or --store FILE.db --run ID"));
    } else {
      absl::Status s = gotrace::DumpFile(*file, std::cout);
      std::cout.flush();
      if (!s.ok()) Fail(s);
      return;
    }
    if (!data.ok()) return Fail(data.status());
    absl::Status s = gotrace::Dump(*data, std::cout);
    std::cout.flush();
    if (!s.ok()) Fail(WithContext(s, what));
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
