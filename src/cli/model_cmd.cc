// `schedcast train`, `schedcast predict` and `schedcast model info|eval` — the model/ stage's commands.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "common/json.h"
#include "cli/commands.h"
#include "data/builder.h"
#include "data/dataset.h"
#include "dist/key.h"
#include "model/io.h"
#include "model/metrics.h"
#include "model/train.h"
#include "store/store.h"

namespace schedcast::cli {

namespace {

std::string Bar(double p, int width) {
  const int n = static_cast<int>(p * width + 0.5);
  std::string s;
  for (int i = 0; i < width; ++i) s += i < n ? "#" : ".";
  return s;
}

std::string Pct(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%5.1f%%", 100 * p);
  return buf;
}

void PrintMetrics(const std::string& what, const model::Metrics& m) {
  std::printf("%s: n=%zu  acc %.4f  nll %.4f  kl %.4f  ece %.4f  (ceiling acc %.4f)\n", what.c_str(), m.n, m.accuracy,
              m.nll, m.kl, m.ece, m.ceiling);
}

// Rebuilds the example of `run_id` at step `at` from the store, as data::BuildProgram makes it.
absl::StatusOr<data::Example> ExampleFromStore(const std::string& store_path, int64_t run_id, uint64_t at,
                                               const data::BuildOptions& opt) {
  SC_ASSIGN_OR_RETURN(auto st, store::Store::OpenExisting(store_path));
  SC_ASSIGN_OR_RETURN(auto run, st->GetRun(run_id));
  SC_ASSIGN_OR_RETURN(auto runs, st->ListRuns());
  auto config_of = [](const store::ConfigRecord& c) {
    return Cat("go", c.go_version, "/p", c.gomaxprocs, c.race ? "/race" : "");
  };
  const std::string program = run.program.package + "." + run.program.name, config = config_of(run.config);
  std::vector<data::RunTrace> traces;
  for (const auto& r : runs) {
    if (r.trace_bytes == 0 || r.program.package != run.program.package || r.program.name != run.program.name ||
        config_of(r.config) != config)
      continue;
    auto t = st->LoadTrace(r.id);
    if (!t.ok() && r.id == run_id)
      return WithContext(t.status(), Cat(store_path, ": run ", run_id, ": trace cannot be read"));
    if (t.ok()) traces.push_back({r.id, std::move(*t), "", ""});  // no end state: no leak proofs here
  }
  if (run.trace_bytes == 0) return absl::FailedPreconditionError(Cat(store_path, ": run ", run_id, " has no trace"));
  data::ProgramBuild pb = data::BuildProgram(program, config, "", traces, opt);
  uint64_t steps = 0;
  for (auto& e : pb.examples) {
    if (e.run_id != run_id) continue;
    steps = std::max(steps, e.position + 1);
    if (e.position == at) return std::move(e);
  }
  for (const auto& err : pb.errors)
    if (err.rfind(Cat("run ", run_id, ":"), 0) == 0) return absl::DataLossError(Cat(store_path, ": ", err));
  return absl::OutOfRangeError(Cat(store_path, ": run ", run_id, " (", program, " ", config, ") has ", steps,
                                   " prediction steps; --at ", at, " is past the end"));
}

}  // namespace

void RegisterModel(CLI::App& app) {
  // train
  struct T {
    std::string data, out;
    model::TrainOptions opt;
  };
  auto t = std::make_shared<T>();
  auto* train = app.add_subcommand("train", "Fit a next-event model to a dataset's train split");
  train->add_option("--data", t->data, "dataset directory (from dataset build)")->required();
  train->add_option("--model", t->opt.model, "uniform, freq, ngram, structured or neural")
      ->check(CLI::IsMember({"uniform", "freq", "ngram", "structured", "neural"}))
      ->capture_default_str();
  train->add_option("--objective", t->opt.objective, "kl (target distribution) or ce (single label)")
      ->check(CLI::IsMember({"kl", "ce"}))
      ->capture_default_str();
  train->add_option("--out", t->out, "model file to write")->required();
  train->add_option("--seed", t->opt.seed, "shuffling seed (structured)")->capture_default_str();
  train->add_option("--epochs", t->opt.epochs, "maximum epochs (structured)")->capture_default_str();
  train->add_option("--patience", t->opt.patience, "early-stopping patience in epochs (structured)")->capture_default_str();
  train->add_option("--lr", t->opt.lr, "Adam step size (structured)")->capture_default_str();
  train->add_option("--l2", t->opt.l2, "L2 regularisation (structured)")->capture_default_str();
  train->add_option("--hash-bits", t->opt.hash_bits, "log2 of the feature table size (structured)")->capture_default_str();
  train->add_option("--order", t->opt.order, "tokens of context K (ngram)")->capture_default_str();
  train->add_option("--beta", t->opt.beta, "back-off strength (ngram)")->capture_default_str();
  train->add_flag("--temperature", t->opt.temperature, "fit a temperature on the validation split");
  train->add_option("--device", t->opt.device, "auto, cpu or cuda (neural; auto = cuda when available)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  train->add_option("--embed", t->opt.embed, "embedding size (neural)")->capture_default_str();
  train->add_option("--hidden", t->opt.hidden, "GRU state size (neural)")->capture_default_str();
  train->add_option("--context", t->opt.context, "context tokens read (neural)")->capture_default_str();
  train->add_option("--batch", t->opt.batch, "examples per Adam step (neural)")->capture_default_str();
  train->add_option("--threads", t->opt.threads, "libtorch threads (neural)")->capture_default_str();
  train->add_option("--epoch-examples", t->opt.epoch_examples, "at most this many training examples per epoch (neural)")
      ->capture_default_str();
  train->add_option("--vocab-bits", t->opt.vocab_bits, "log2 of the hashed token vocabulary (neural)")
      ->capture_default_str();
  train->add_option("--feature-bits", t->opt.feature_bits, "log2 of the hashed structured-feature table (neural)")
      ->capture_default_str();
  train->callback([t] {
    auto tr = data::LoadExamples(t->data, "train");
    if (!tr.ok()) return Fail(tr.status());
    auto va = data::LoadExamples(t->data, "validation");
    if (!va.ok()) return Fail(va.status());
    auto hash = model::HashTrainingData(t->data);
    if (!hash.ok()) return Fail(hash.status());
    std::cerr << "train: " << tr->size() << " train, " << va->size() << " validation examples from " << t->data << "\n";
    auto m = model::Train(*tr, *va, t->opt, &std::cerr);
    if (!m.ok()) return Fail(m.status());
    (*m)->meta().data_dir = t->data;
    (*m)->meta().data_hash = *hash;
    if (auto s = model::Save(**m, t->out); !s.ok()) return Fail(s);
    std::cout << "wrote " << t->out << " (" << (*m)->kind() << ", objective " << t->opt.objective << ")\n";
  });

  // predict
  struct P {
    std::string model, store, key;
    int64_t run = 0;
    uint64_t at = 0;
  };
  auto p = std::make_shared<P>();
  auto* pred = app.add_subcommand("predict", "A model's distribution over the candidates at one step of a stored run");
  pred->add_option("--model", p->model, "model file (from train)")->required();
  pred->add_option("--store", p->store, "store file")->required();
  pred->add_option("--run", p->run, "run id in the store")->required();
  pred->add_option("--at", p->at, "step index in the run's token stream")->required();
  pred->add_option("--key", p->key, "key for the empirical target: prefix, state, window:K (default: the model's)");
  pred->callback([p] {
    auto m = model::Load(p->model);
    if (!m.ok()) return Fail(m.status());
    data::BuildOptions opt;
    auto key = dist::ParseKeySpec(p->key.empty() ? ((*m)->meta().key.empty() ? "prefix" : (*m)->meta().key) : p->key);
    if (!key.ok()) return Fail(key.status());
    opt.key = *key;
    if (!(*m)->meta().level.empty()) {
      auto level = sched::ParseLevel((*m)->meta().level);
      if (!level.ok()) return Fail(level.status());
      opt.level = *level;
    }
    opt.min_visits = 0;  // show the step even where no other run visited its key
    auto ex = ExampleFromStore(p->store, p->run, p->at, opt);
    if (!ex.ok()) return Fail(ex.status());
    const std::vector<double> probs = (*m)->Predict(*ex);
    const std::vector<double> target = ex->target();
    std::cout << ex->program << " " << ex->config << " run " << ex->run_id << " step " << ex->position << "  (model "
              << (*m)->kind() << "/" << (*m)->meta().objective << ", key " << opt.key.Name() << ", "
              << ex->target_total() << " other-run visits)\n";
    const size_t from = ex->context.size() > 6 ? ex->context.size() - 6 : 0;
    std::cout << "context:";
    if (from > 0) std::cout << " …";
    for (size_t i = from; i < ex->context.size(); ++i) std::cout << (i > from ? " | " : " ") << ex->context[i];
    std::cout << "\nstate:   " << ex->state << "\n\n";
    std::printf("  %-22s %7s   %-22s %7s   %s\n", "model", "", "target", "", "candidate");
    for (size_t i = 0; i < ex->candidates.size(); ++i)
      std::printf("  %s %s   %s %s   %s%s\n", Bar(probs[i], 22).c_str(), Pct(probs[i]).c_str(),
                  Bar(target[i], 22).c_str(), ex->target_total() ? Pct(target[i]).c_str() : "    – ",
                  ex->candidates[i].c_str(), ex->candidates[i] == ex->label ? "   <- taken" : "");
  });

  // model info / eval
  auto* mg = app.add_subcommand("model", "Inspect and evaluate model files");
  mg->require_subcommand(1);
  auto info_file = std::make_shared<std::string>();
  auto* info = mg->add_subcommand("info", "Kind, objective, hyper-parameters, data and validation metrics of a model file");
  info->add_option("file", *info_file, "model file")->required();
  info->callback([info_file] {
    auto text = ReadFileToString(*info_file);
    if (!text.ok()) return Fail(text.status());
    auto m = model::Load(*info_file);
    if (!m.ok()) return Fail(m.status());
    nlohmann::json j = model::ToFileJson(**m);
    j.erase("params");
    std::cout << *info_file << ": " << text->size() << " bytes\n" << JsonText(j, 2) << "\n";
  });
  struct Ev {
    std::string file, data, split = "test";
  };
  auto ev = std::make_shared<Ev>();
  auto* eval = mg->add_subcommand("eval", "Accuracy, NLL, KL and ECE of a model on a dataset split");
  eval->add_option("file", ev->file, "model file")->required();
  eval->add_option("--data", ev->data, "dataset directory")->required();
  eval->add_option("--split", ev->split, "train, validation, test or all")->capture_default_str();
  eval->callback([ev] {
    auto m = model::Load(ev->file);
    if (!m.ok()) return Fail(m.status());
    auto xs = data::LoadExamples(ev->data, ev->split);
    if (!xs.ok()) return Fail(xs.status());
    auto obj = model::MakeObjective((*m)->meta().objective.empty() ? "kl" : (*m)->meta().objective);
    if (!obj.ok()) return Fail(obj.status());
    PrintMetrics(Cat(ev->file, " on ", ev->split), model::Evaluate(**m, *xs, **obj));
  });
}

}  // namespace schedcast::cli
