// `schedcast dataset build|export` and `schedcast dist show` — from stored runs to examples.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <set>

#include "common/json.h"
#include "cli/commands.h"
#include "data/dataset.h"
#include "data/prompt.h"
#include "empirical/key.h"
#include "pipeline/run.h"
#include "sched/token.h"

namespace schedcast::cli {

namespace {

struct BuildFlags {
  std::string key = "prefix";
  std::string level = "goroutine";
  uint64_t min_visits = 2;
  size_t max_steps = 1000;
  size_t context = 32;
  bool include_runtime = false;
  bool no_leak_proofs = false;
};

void AddBuildFlags(CLI::App* cmd, BuildFlags& f) {
  cmd->add_option("--key", f.key, "what counts as the same situation: prefix, state, window:K")->capture_default_str();
  cmd->add_option("--level", f.level, "token granularity: type, goroutine, site")->capture_default_str();
  cmd->add_option("--min-visits", f.min_visits, "drop keys seen fewer times in the other runs")->capture_default_str();
  cmd->add_option("--max-steps", f.max_steps, "examples from the first N steps of each run only (0: all)")->capture_default_str();
  cmd->add_option("--context", f.context, "tokens of context kept per example")->capture_default_str();
  cmd->add_flag("--include-runtime", f.include_runtime, "keep runtime/testing goroutines' events as targets");
  cmd->add_flag("--no-leak-proofs", f.no_leak_proofs,
                "do not use leak proofs (docs/LEAKS.md) to drop GoUnblock candidates of proved-permanent goroutines");
}

absl::StatusOr<data::BuildOptions> ToOptions(const BuildFlags& f) {
  data::BuildOptions o;
  SC_ASSIGN_OR_RETURN(o.key, empirical::ParseKeySpec(f.key));
  SC_ASSIGN_OR_RETURN(o.level, sched::ParseLevel(f.level));
  o.min_visits = f.min_visits;
  o.context_len = f.context;
  o.max_steps = f.max_steps;
  o.include_runtime = f.include_runtime;
  o.leak_proofs = !f.no_leak_proofs;
  return o;
}

std::string Bar(double p, int width) {
  const int n = static_cast<int>(p * width + 0.5);
  std::string s;
  for (int i = 0; i < width; ++i) s += i < n ? "#" : ".";
  return s;
}

}  // namespace

void RegisterDataset(CLI::App& app) {
  auto* ds = app.add_subcommand("dataset", "Build and export next-event prediction datasets");
  ds->require_subcommand(1);

  struct B {
    std::string store, out, manifest;
    bool strict = false, include_perturbed = false;
    BuildFlags f;
  };
  auto b = std::make_shared<B>();
  auto* build = ds->add_subcommand("build", "One example per (run, position) with a leave-one-run-out target");
  build->add_option("--store", b->store, "store file")->required();
  build->add_option("--out", b->out, "output directory")->required();
  build->add_option("--manifest", b->manifest, "corpus manifest giving train/validation/test splits");
  build->add_flag("--strict", b->strict, "fail (exit 3) if any run's trace cannot be read or replayed, instead of skipping it");
  build->add_flag("--include-perturbed", b->include_perturbed,
                  "also use perturbed runs (collect --perturb), as configurations of their own (<config>/perturbed)");
  AddBuildFlags(build, b->f);
  build->callback([b] {
    auto opt = ToOptions(b->f);
    if (!opt.ok()) return Fail(opt.status());
    auto st = store::Store::OpenExisting(b->store);
    if (!st.ok()) return Fail(st.status());
    data::DatasetOptions dopt;
    dopt.build = *opt;
    dopt.manifest = b->manifest;
    dopt.strict = b->strict;
    dopt.include_perturbed = b->include_perturbed;
    const bool tty = isatty(2);
    auto sum = data::BuildDataset(**st, dopt, b->out, [tty](size_t done, size_t total, const std::string& p) {
      if (tty) std::cerr << "\r\033[K[" << done << "/" << total << "] " << p << std::flush;
      else if (done % 25 == 0 || done == total) std::cerr << "dataset: " << done << "/" << total << " program configs\n";
    });
    if (tty) std::cerr << "\r\033[K";
    if (!sum.ok()) return Fail(sum.status());
    std::cout << "dataset: " << sum->programs << " programs, " << sum->configs << " program configs, " << sum->runs
              << " runs (" << sum->runs_skipped << " skipped"
              << (sum->perturbed_runs_left_out ? Cat(", ", sum->perturbed_runs_left_out, " perturbed left out") : "")
              << ")\n";
    for (const auto& [split, n] : sum->examples_by_split) std::cout << "  " << split << ": " << n << " examples\n";
    if (!sum->errors.empty()) {
      std::cout.flush();
      std::cerr << "schedcast: dataset build: " << sum->skipped_runs.size() << " run(s) skipped, trace unreadable"
                << " or not replayable (runs " << data::RunIdList(sum->skipped_runs, 10) << "; all in " << b->out
                << "/meta.json; --strict fails instead)\n";
      for (size_t i = 0; i < sum->errors.size() && i < 5; ++i) std::cerr << "  skipped: " << sum->errors[i] << "\n";
    }
    std::cout << "wrote " << b->out << "/{train,validation,test}.jsonl\n";
  });

  struct E {
    std::string data, format = "jsonl", split = "all", out;
  };
  auto e = std::make_shared<E>();
  auto* exp = ds->add_subcommand("export", "Write examples as JSONL (docs/DATASET.md) or LLM prompts");
  exp->add_option("--data", e->data, "dataset directory (from dataset build)")->required();
  exp->add_option("--format", e->format, "jsonl or prompt")->check(CLI::IsMember({"jsonl", "prompt"}))->capture_default_str();
  exp->add_option("--split", e->split, "train, validation, test or all")->capture_default_str();
  exp->add_option("--out", e->out, "output file (default: stdout)");
  exp->callback([e] {
    auto examples = data::LoadExamples(e->data, e->split);
    if (!examples.ok()) return Fail(examples.status());
    std::map<std::string, data::ProgramMeta> programs;
    if (e->format == "prompt") {
      auto p = data::LoadPrograms(e->data);
      if (!p.ok()) return Fail(p.status());
      programs = std::move(*p);
    }
    std::ofstream file;
    if (!e->out.empty()) {
      file.open(e->out, std::ios::trunc);
      if (!file) return Fail(absl::PermissionDeniedError(Cat(e->out, ": cannot create")));
    }
    std::ostream& out = e->out.empty() ? std::cout : file;
    std::map<std::string, std::string> sources;
    for (const auto& ex : *examples) {
      if (e->format == "jsonl") {
        out << JsonText(data::ToJson(ex)) << "\n";
        continue;
      }
      auto it = sources.find(ex.program);
      if (it == sources.end()) {
        const auto& m = programs[ex.program];
        it = sources.emplace(ex.program, m.dir.empty() ? "" : data::TestSource(m.dir, m.name)).first;
      }
      out << JsonText(data::RenderPrompt(ex, it->second)) << "\n";
    }
    if (!e->out.empty()) std::cerr << "wrote " << examples->size() << " examples to " << e->out << "\n";
  });
}

void RegisterDist(CLI::App& app) {
  auto* d = app.add_subcommand("dist", "Inspect empirical next-event distributions");
  d->require_subcommand(1);
  struct S {
    std::string store, program, config;
    BuildFlags f;
    size_t top = 10;
  };
  auto s = std::make_shared<S>();
  auto* show = d->add_subcommand("show", "The most visited keys of a program with their next-event distributions");
  show->add_option("--store", s->store, "store file")->required();
  show->add_option("--program", s->program, "program: import/path.TestName (a unique suffix is enough)")->required();
  show->add_option("--config", s->config, "configuration, e.g. go1.23/p2 (default: every configuration)");
  show->add_option("--top", s->top, "keys to show")->capture_default_str();
  AddBuildFlags(show, s->f);
  show->callback([s] {
    auto opt = ToOptions(s->f);
    if (!opt.ok()) return Fail(opt.status());
    auto st = store::Store::OpenExisting(s->store);
    if (!st.ok()) return Fail(st.status());
    auto runs = (*st)->ListRuns();
    if (!runs.ok()) return Fail(runs.status());
    std::map<std::string, std::vector<const store::StoredRun*>> by_config;
    std::set<std::string> matched;
    for (const auto& r : *runs) {
      const std::string program = store::ProgramKey(r.program);
      if (program.size() < s->program.size() || program.compare(program.size() - s->program.size(), std::string::npos, s->program) != 0)
        continue;
      const std::string config = data::ConfigName(r.config);
      if (!s->config.empty() && config != s->config) continue;
      if (r.trace_bytes == 0) continue;
      matched.insert(program);
      by_config[config].push_back(&r);
    }
    if (matched.empty()) return Fail(absl::NotFoundError(Cat("no runs with traces for program '", s->program, "' in ", s->store)));
    if (matched.size() > 1) {
      std::string names;
      for (const auto& m : matched) names += "\n  " + m;
      return Fail(absl::InvalidArgumentError(Cat("'", s->program, "' matches several programs:", names)));
    }
    for (const auto& [config, group] : by_config) {
      const pipeline::LoadedRuns loaded = pipeline::LoadInputs(**st, group);
      data::ProgramBuild pb = data::BuildProgram(*matched.begin(), config, "", loaded.inputs, *opt);
      for (auto f = loaded.failures.rbegin(); f != loaded.failures.rend(); ++f) pb.errors.insert(pb.errors.begin(), f->Describe());
      std::cout << *matched.begin() << " " << config << ": " << pb.runs_used << " runs, " << pb.table.keys()
                << " keys (key=" << opt->key.Name() << ", level=" << s->f.level << ")\n";
      for (const auto& err : pb.errors) std::cout << "  skipped " << err << "\n";
      for (const auto& [key, dist] : pb.table.MostVisited(s->top, s->f.min_visits)) {
        std::cout << "\nkey " << (key.size() > 100 ? key.substr(0, 97) + "..." : key) << "  visits=" << dist->total()
                  << " support=" << dist->support() << " entropy=" << dist->Entropy() << " nats\n";
        if (opt->key.kind != empirical::KeySpec::Kind::kWindow) std::cout << "  after: " << pb.table.About(key) << "\n";
        for (const auto& [tok, n] : dist->Sorted()) {
          const double p = static_cast<double>(n) / dist->total();
          char pct[16];
          std::snprintf(pct, sizeof pct, "%5.1f%%", 100 * p);
          std::cout << "  " << Bar(p, 30) << " " << pct << "  " << tok << "\n";
        }
      }
    }
  });
}

}  // namespace schedcast::cli
