// `schedcast export perfetto` — a run (stored or a trace file) as Chrome trace-event JSON for the
// Perfetto UI (export/perfetto.h).
#include <fstream>
#include <iostream>
#include <memory>

#include "common/json.h"
#include "cli/commands.h"
#include "export/perfetto.h"
#include "pipeline/run.h"
#include "store/store.h"

namespace schedcast::cli {
namespace {

struct Opts {
  std::string file, store, out;
  int64_t run = 0;
  bool user_only = false;
};

absl::Status Export(const Opts& o) {
  std::string data, what, title;
  if (!o.store.empty()) {
    SC_ASSIGN_OR_RETURN(auto st, store::Store::OpenExisting(o.store));
    SC_ASSIGN_OR_RETURN(data, st->LoadTrace(o.run));
    what = Cat(o.store, ": run ", o.run);
    title = what;
    SC_ASSIGN_OR_RETURN(store::StoredRun r, st->GetRun(o.run));
    title = Cat(store::ProgramKey(r.program), " run ", r.id, " (", store::ConfigName(r.config), ", ",
                store::OutcomeName(r.outcome), ")");
  } else if (!o.file.empty()) {
    SC_ASSIGN_OR_RETURN(data, ReadFileToString(o.file));
    what = title = o.file;
  } else {
    return absl::InvalidArgumentError("export perfetto: give FILE, or --store FILE.db --run ID");
  }
  absl::StatusOr<pipeline::ParsedRun> run = pipeline::Parse(data);
  if (!run.ok()) return WithContext(run.status(), what);
  exporter::PerfettoOptions po;
  po.title = title;
  po.include_runtime = !o.user_only;
  const std::string json = JsonText(exporter::ToChromeTrace(run->timeline, run->canon, po)) + "\n";
  if (o.out.empty() || o.out == "-") {
    std::cout << json;
    return absl::OkStatus();
  }
  SC_RETURN_IF_ERROR(WriteStringToFile(o.out, json));
  std::cerr << "wrote " << o.out << " (open it at https://ui.perfetto.dev or chrome://tracing)\n";
  return absl::OkStatus();
}

}  // namespace

void RegisterExport(CLI::App& app) {
  auto* ex = app.add_subcommand("export", "Export runs for other tools");
  ex->require_subcommand(1);
  auto o = std::make_shared<Opts>();
  auto* pf = ex->add_subcommand("perfetto",
                                "A run as Chrome trace-event JSON (a track per goroutine, flows for create/unblock) "
                                "for the Perfetto UI");
  auto* file_opt = pf->add_option("FILE", o->file, "trace file (or use --store/--run)");
  auto* store_opt = pf->add_option("--store", o->store, "store (FILE.db) holding the run");
  auto* run_opt = pf->add_option("--run", o->run, "run id in --store (see `schedcast runs`)");
  store_opt->excludes(file_opt)->needs(run_opt);
  run_opt->needs(store_opt);
  pf->add_option("--out,-o", o->out, "output file (default: standard output)");
  pf->add_flag("--user-only", o->user_only, "omit runtime and testing-framework goroutines");
  pf->callback([o] {
    if (absl::Status s = Export(*o); !s.ok()) Fail(s);
  });
}

}  // namespace schedcast::cli
