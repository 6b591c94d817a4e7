// cli/collect_cmd.cc — `schedcast collect`, `schedcast runs`, `schedcast merge`: flag parsing and
// printing only; the work is in collect/ and store/.
//
// Exit codes (see cli/main.cc): 0 ok; 2 usage error; 3 failure (store, toolchain, a run that
// could not be started); 130/143 interrupted by SIGINT/SIGTERM (finished runs are kept).
// Not thread-safe (CLI level).
#include <iostream>
#include <memory>

#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "collect/collector.h"
#include "store/merge.h"
#include "store/summary.h"

namespace schedcast::cli {
namespace {

void RegisterCollectCommand(CLI::App& app) {
  struct Flags {
    std::vector<std::string> paths;
    std::string store, gomaxprocs = "1,2,4", go, timeout = "5s", shard, progress = "auto", run, skip, gopath;
    std::string perturb_mode = "source";
    int runs = 0, jobs = 0;
    bool race = false, goleak = false, leak_profile = false, no_index = false;
    uint64_t seed = 1, perturb = 0;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("collect", "Build Go tests/programs with a tracing shim and run them many times into a store");
  c->add_option("PATH", f->paths, "directories of Go packages (walked recursively)")->required();
  c->add_option("--store", f->store, "SQLite store to create or top up (FILE.db)")->required();
  c->add_option("--runs", f->runs, "runs per program and configuration (tops up: existing runs count)")->required();
  c->add_option("--jobs,-j", f->jobs, "parallel runs (default: number of cores)")->check(CLI::Range(1, 4096));
  c->add_option("--gomaxprocs", f->gomaxprocs, "comma-separated GOMAXPROCS values, one configuration each")
      ->capture_default_str();
  c->add_flag("--race", f->race, "also collect -race builds (doubles the configurations)");
  c->add_option("--go", f->go, "Go versions, comma-separated, e.g. 1.23,1.26,1.27 (any installed 1.19-1.27; default or \"newest\": newest installed)");
  c->add_option("--timeout", f->timeout, "per-run deadline (e.g. 5s, 1500ms); the end state is taken then")
      ->capture_default_str();
  c->add_option("--seed", f->seed, "seed of the run plan (per-run seeds, order)")->capture_default_str();
  c->add_option("--shard", f->shard, "I/N: collect only the programs of shard I of N (stable hash of the name)");
  c->add_option("--progress", f->progress, "auto | bar | lines")
      ->check(CLI::IsMember({"auto", "bar", "lines"}))
      ->capture_default_str();
  c->add_option("--run", f->run, "collect only the tests whose name matches this regular expression (like go test -run)");
  c->add_option("--skip", f->skip, "leave out the tests whose name matches this regular expression");
  c->add_flag("--goleak", f->goleak,
              "also run go.uber.org/goleak's check after each test (Go >= 1.20; the module comes from the module "
              "proxy and is required by the temporary copy only)");
  c->add_flag("--leak-profile", f->leak_profile,
              "also write the runtime's goroutineleak profile at each run's end (Go >= 1.26; built with "
              "GOEXPERIMENT=goroutineleakprofile on 1.26)");
  c->add_option("--perturb", f->perturb,
                "perturbed runs with this seed (non-zero): a seeded perturber disturbs the scheduler in every run; "
                "they are a run set of their own and datasets leave them out unless asked");
  CLI::Option* perturb_mode = c->add_option("--perturb-mode", f->perturb_mode,
                "with --perturb: source (seeded delays injected before every synchronising statement of the "
                "package's temporary copy; exposes the most rare leaks, docs/LEAKS.md), runtime (a perturber goroutine "
                "in the shim), or both; each mode is a run set of its own")
      ->check(CLI::IsMember({"runtime", "source", "both"}))
      ->capture_default_str();
  c->add_option("--gopath", f->gopath,
                "GOPATH roots (ROOT[:ROOT...]): packages under ROOT/src build in GOPATH mode (GO111MODULE=off), "
                "their imports resolved in ROOT/src, e.g. Debian's /usr/share/gocode");
  c->add_flag("--no-index", f->no_index, "do not index the packages' sources (tools/srcindex; program features)");
  c->callback([f, perturb_mode] {
    if (perturb_mode->count() > 0 && f->perturb == 0)
      return Fail(absl::InvalidArgumentError("--perturb-mode: needs --perturb SEED (non-zero)"));
    collect::CollectOptions o;
    o.paths = f->paths;
    o.store_path = f->store;
    o.runs = f->runs;
    o.jobs = f->jobs;
    o.race = f->race;
    o.seed = f->seed;
    o.run_regex = f->run;
    o.skip_regex = f->skip;
    o.goleak = f->goleak;
    o.leak_profile = f->leak_profile;
    o.perturb = f->perturb;
    o.perturb_mode = f->perturb_mode == "source" ? store::PerturbMode::kSource
                     : f->perturb_mode == "both" ? store::PerturbMode::kBoth
                                                 : store::PerturbMode::kRuntime;
    for (absl::string_view g : absl::StrSplit(f->gopath, ':', absl::SkipEmpty())) o.gopaths.emplace_back(g);
    o.source_index = !f->no_index;
    o.tty = f->progress == "bar" ? 1 : f->progress == "lines" ? 0 : -1;
    if (absl::Status s = collect::ApplyPlanFlags(f->gomaxprocs, f->go, f->timeout, &o); !s.ok()) return Fail(s);
    if (!f->shard.empty()) {
      auto shard = collect::ParseShard(f->shard);
      if (!shard.ok()) return Fail(shard.status());
      o.shard = *shard;
    }
    absl::StatusOr<collect::CollectSummary> s = collect::Collect(o, std::cerr);
    if (!s.ok()) return Fail(s.status());
    std::string outcomes;
    for (const auto& [name, n] : s->outcomes) CatAppend(outcomes, " ", name, "=", n);
    std::cerr << "schedcast: stored " << s->runs_stored << " runs in " << f->store << " (" << s->runs_already_stored
              << " were already there);" << (outcomes.empty() ? " no new runs" : outcomes) << "; builds "
              << s->builds << " (" << s->builds_failed << " failed)";
    if (s->indexes_made)
      std::cerr << "; source indexes " << s->indexes_made << " (" << s->indexes_failed << " failed, "
                << s->index_seconds << " s)";
    std::cerr << "; " << s->seconds << " s in all";
    if (s->runs_discarded) std::cerr << "; " << s->runs_discarded << " runs discarded (stored meanwhile by another collection)";
    if (s->strays_killed) std::cerr << "; killed " << s->strays_killed << " stray processes";
    std::cerr << "\n";
    if (s->interrupted) {
      std::cerr << "schedcast: interrupted; runs in flight were discarded. Re-run the same command to top up.\n";
      return SetExitCode(128 + (s->signal ? s->signal : 2));
    }
    if (s->run_errors) {
      return Fail(absl::InternalError(Cat(s->run_errors, " runs could not be started; first: ", s->first_run_error)));
    }
  });
}

void RegisterRunsCommand(CLI::App& app) {
  auto store = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("runs", "Per program: runs by configuration and outcome");
  c->add_option("--store", *store, "SQLite store (FILE.db)")->required();
  c->add_flag("--json", *json, "print JSON");
  c->callback([store, json] {
    auto s = store::Store::OpenExisting(*store);
    if (!s.ok()) return Fail(s.status());
    auto sum = store::Summarise(**s);
    if (!sum.ok()) return Fail(sum.status());
    std::cout << (*json ? store::ToJson(*sum) : store::ToText(*sum));
  });
}

void RegisterMergeCommand(CLI::App& app) {
  auto out = std::make_shared<std::string>();
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto* c = app.add_subcommand("merge", "Merge stores (e.g. shards) into OUT.db; idempotent");
  c->add_option("OUT", *out, "output store (created if missing)")->required();
  c->add_option("IN", *inputs, "input stores")->required();
  c->callback([out, inputs] {
    auto s = store::Merge(*out, *inputs);
    if (!s.ok()) return Fail(s.status());
    std::cerr << "schedcast: merged " << s->inputs << " stores into " << *out << ": " << s->runs_added
              << " runs added, " << s->runs_already_present << " already present\n";
  });
}

}  // namespace

void RegisterCollect(CLI::App& app) {
  RegisterCollectCommand(app);
  RegisterRunsCommand(app);
  RegisterMergeCommand(app);
}

}  // namespace schedcast::cli
