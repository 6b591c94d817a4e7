// `schedcast run [PATH...] --out DIR` — the main job: collect → dataset → train → eval → report, with
// embedded defaults (SQLite store in DIR/store.db, CPU). Writes DIR/store.db, DIR/dataset/,
// DIR/models/*.json, DIR/eval.json, DIR/report/index.html and DIR/summary.json.
// Re-running tops up the store (collect is idempotent) and redoes the later stages. The job itself
// is job::RunJob (job/run_job.h); this file parses flags and prints the result.
#include <filesystem>
#include <iostream>
#include <memory>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/json.h"
#include "cli/commands.h"
#include "report/text.h"
#include "job/run_job.h"

namespace schedcast::cli {

void RegisterRun(CLI::App& app) {
  struct Flags {
    std::vector<std::string> paths;
    std::string out, gomaxprocs = "1,2,4", go = "newest", timeout = "1s", key = "prefix", level = "goroutine";
    std::string models = absl::StrJoin(job::JobOptions().models, ",");
    int runs = 20, jobs = 0;
    uint64_t seed = 1;
    bool every_step = true;
    std::string protocol = "paper", family_by = "dir";
    std::string realworld = "realworld/MANIFEST.json";
    bool no_realworld = false;
    int realworld_runs = 3;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("run", "The main job: collect the programs under PATH (default: corpus), build the dataset, "
                                      "train the models (KL and CE), evaluate them and write the HTML report");
  c->add_option("PATH", f->paths, "directories of Go packages (default: corpus)");
  c->add_option("--out", f->out, "output directory (store.db, dataset/, models/, eval.json, report/, summary.json)")->required();
  c->add_option("--models", f->models, "models to train: freq, ngram, calibrated (KL), structured, neural (KL and CE each); "
                                       "\"\" for none")->capture_default_str();
  c->add_option("--runs", f->runs, "runs per program and configuration")->capture_default_str();
  c->add_option("--gomaxprocs", f->gomaxprocs, "GOMAXPROCS values")->capture_default_str();
  c->add_option("--go", f->go, "Go versions, comma-separated")->capture_default_str();
  c->add_option("--timeout", f->timeout, "per-run deadline")->capture_default_str();
  c->add_option("--jobs,-j", f->jobs, "parallel runs (default: number of cores)")->check(CLI::Range(1, 4096));
  c->add_option("--seed", f->seed, "seed of the run plan")->capture_default_str();
  c->add_option("--key", f->key, "dataset key: prefix, state, window:K")->capture_default_str();
  c->add_option("--level", f->level, "token level: type, goroutine, site")->capture_default_str();
  c->add_flag("--every-step,!--no-every-step", f->every_step,
              "score every step of every held-out run in the eval (default on)")->capture_default_str();
  c->add_option("--protocol", f->protocol, "extra eval protocol: paper (the source paper's: event types, cuts, "
                                           "majority baseline) or \"\" for none")->capture_default_str();
  c->add_option("--family-by", f->family_by, "families breakdown of the eval: dir, a manifest field, or \"\"")
      ->capture_default_str();
  c->add_option("--realworld", f->realworld,
                "manifest of the real-world family (third-party suites; held out of training, scored beside the test "
                "split; skipped with a line saying why when its Debian packages are not installed)")
      ->capture_default_str();
  c->add_flag("--no-realworld", f->no_realworld, "leave out the real-world family");
  c->add_option("--realworld-runs", f->realworld_runs,
                "runs per real-world program and configuration (at least 3: an example's leave-one-run-out target "
                "needs 2 other runs)")
      ->check(CLI::Range(3, 1000))
      ->capture_default_str();
  c->callback([f] {
    job::JobOptions o;
    o.realworld_manifest = f->no_realworld ? "" : f->realworld;
    o.realworld_runs = f->realworld_runs;
    if (!f->paths.empty()) o.collect.paths = f->paths;
    o.out = f->out;
    if (absl::Status s = collect::ApplyPlanFlags(f->gomaxprocs, f->go, f->timeout, &o.collect); !s.ok()) return Fail(s);
    o.collect.runs = f->runs;
    o.collect.jobs = f->jobs;
    o.collect.seed = f->seed;
    o.key = f->key;
    o.level = f->level;
    o.every_step = f->every_step;
    o.protocol = f->protocol;
    o.family_by = f->family_by;
    o.models.clear();
    for (absl::string_view kind : absl::StrSplit(f->models, ',', absl::SkipEmpty())) o.models.emplace_back(kind);
    o.command = Cat("schedcast run --out ", f->out, " (", f->runs, " runs, GOMAXPROCS ", f->gomaxprocs, ", go ", f->go,
                    ", key ", f->key, ", level ", f->level, ")");
    auto r = job::RunJob(o, std::cerr);
    if (!r.ok()) return Fail(r.status());
    if (r->interrupted) return SetExitCode(130);

    std::cout << "\nschedcast run: " << r->programs << " programs, " << r->configs << " configurations; "
              << r->dataset_runs << " runs in the dataset (" << r->dataset_runs_skipped << " skipped)\n\n";
    char line[256];
    std::snprintf(line, sizeof line, "%-11s %9s %10s %12s %10s %10s %10s\n", "split", "examples", "mean |C|",
                  "H(target)", "uncertain", "uniform", "ceiling");
    std::cout << line;
    for (const auto& [split, s] : r->splits) {
      std::snprintf(line, sizeof line, "%-11s %9zu %10.2f %9.3f nat %9.1f%% %9.1f%% %9.1f%%\n", split.c_str(), s.examples,
                    s.mean_candidates, s.mean_entropy, 100 * s.uncertain_fraction, 100 * s.uniform_accuracy,
                    100 * s.oracle_accuracy);
      std::cout << line;
    }
    std::cout << "\n(uncertain: examples whose empirical target has more than one outcome; ceiling: accuracy of the\n"
                 " empirical distribution's mode against the observed next event)\n\n";
    std::cout << "\n";
    report::WriteEvalTables(r->eval);
    // WriteEvalTables writes with fprintf to stdout: these lines do too, so that they stay in order.
    std::cout.flush();
    if (!r->realworld_note.empty()) {
      std::printf("\nreal-world family: not scored: %s\n", r->realworld_note.c_str());
    } else if (!r->realworld_eval.is_null()) {
      std::printf("\nreal-world family (third-party suites, held out of training entirely; %s/realworld/):\n",
                  f->out.c_str());
      report::WriteEvalTables(r->realworld_eval);
    }
    std::fflush(stdout);
    std::cout << "\nreport: " << std::filesystem::absolute(r->report_index).string() << "\nresults: " << r->eval_path
              << ", " << f->out << "/summary.json; models: " << r->models_dir << "/; dataset: " << r->dataset
              << "/; store: " << r->store << "\n";
  });
}

}  // namespace schedcast::cli
