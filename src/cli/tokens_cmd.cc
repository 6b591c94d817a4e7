// `schedcast trace tokens FILE` — the run as canonical scheduling tokens, with the legal-set size
// and abstract state before each step (what the dataset and the models see).
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "pipeline/run.h"

namespace schedcast::cli {

void RegisterTokens(CLI::App& app) {
  CLI::App* trace = app.get_subcommand("trace");
  struct Opts {
    std::string file;
    std::string level = "goroutine";
    bool include_runtime = false;
    bool states = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = trace->add_subcommand("tokens", "Print the run as canonical scheduling tokens (one per line)");
  cmd->add_option("FILE", o->file, "trace file")->required();
  cmd->add_option("--level", o->level, "token granularity: type, goroutine, site")->capture_default_str();
  cmd->add_flag("--include-runtime", o->include_runtime, "also print events of runtime/testing goroutines");
  cmd->add_flag("--states", o->states, "print the abstract scheduler state before each token");
  cmd->callback([o] {
    auto level = sched::ParseLevel(o->level);
    if (!level.ok()) return Fail(level.status());
    auto data = ReadFileToString(o->file);
    if (!data.ok()) return Fail(data.status());
    pipeline::TokenizeOptions opt;
    opt.level = *level;
    opt.include_runtime = o->include_runtime;
    opt.leak_proofs = false;  // a bare trace file has no end state or sources
    pipeline::RunInput in;
    in.trace = std::move(*data);
    auto run = pipeline::Tokenize(in, opt);
    if (!run.ok()) return Fail(WithContext(run.status(), o->file));
    const std::vector<sched::Step>* steps = &run->steps;
    for (size_t i = 0; i < steps->size(); ++i) {
      const sched::Step& s = (*steps)[i];
      if (o->states) std::cout << "   state: " << s.state_key << "\n";
      std::cout << i << "\t" << s.token << "\t(" << s.candidates.size() << " legal)\n";
    }
  });
}

}  // namespace schedcast::cli
