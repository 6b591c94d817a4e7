// `schedcast train`, `schedcast predict` and `schedcast model info|eval` — the model/ stage's commands.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "common/json.h"
#include "cli/commands.h"
#include "data/builder.h"
#include "data/dataset.h"
#include "empirical/key.h"
#include "model/io.h"
#include "model/metrics.h"
#include "model/registry.h"
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

}  // namespace

void RegisterModel(CLI::App& app) {
  // train: --model, --objective, --seed, --temperature, and every kind's own options (registry.h)
  struct T {
    std::string data, out;
    model::TrainOptions opt;
    std::map<std::string, std::string> values;    // option name → flag text
    std::map<std::string, CLI::Option*> flags;    // option name → its flag
  };
  auto t = std::make_shared<T>();
  auto* train = app.add_subcommand("train", "Fit a next-event model to a dataset's train split");
  train->add_option("--data", t->data, "dataset directory (from dataset build)")->required();
  std::vector<std::string> kinds;
  for (const auto& k : model::Kinds()) kinds.push_back(k.name);
  train->add_option("--model", t->opt.model, model::KindList())->check(CLI::IsMember(kinds))->capture_default_str();
  train->add_option("--objective", t->opt.objective, "kl (target distribution) or ce (single label)")
      ->check(CLI::IsMember({"kl", "ce"}))
      ->capture_default_str();
  train->add_option("--out", t->out, "model file to write")->required();
  train->add_option("--seed", t->opt.seed, "shuffling seed (kinds with a seed option)")->capture_default_str();
  train->add_flag("--temperature", t->opt.temperature, "fit a temperature on the validation split");
  train->add_flag("--top-map", t->opt.top_map,
                  "then fit a monotone map of the top-1 confidence on the validation split (isotonic, every program "
                  "weighing 1; model/topmap.h)");
  std::map<std::string, std::vector<std::string>> users;  // option → kinds declaring it
  for (const auto& k : model::Kinds())
    for (const auto& o : k.options) users[o.name].push_back(k.name);
  for (const auto& k : model::Kinds())
    for (const auto& o : k.options) {
      if (o.name == "seed" || t->flags.count(o.name)) continue;
      std::string flag = "--" + o.name, who;
      std::replace(flag.begin(), flag.end(), '_', '-');
      for (const auto& u : users[o.name]) who += (who.empty() ? "" : ", ") + u;
      auto* opt = train->add_option(flag, t->values[o.name], Cat(o.help, " (", who, ")"))
                      ->default_str(o.value.is_string() ? o.value.get<std::string>() : JsonText(o.value));
      if (!o.choices.empty()) opt->check(CLI::IsMember(o.choices));
      t->flags[o.name] = opt;
    }
  train->callback([t] {
    auto kind = model::FindKind(t->opt.model);
    if (!kind.ok()) return Fail(kind.status());
    for (const auto& [name, flag] : t->flags) {
      if (flag->count() == 0) continue;
      const model::OptionSpec* spec = nullptr;
      for (const auto& o : (*kind)->options)
        if (o.name == name) spec = &o;
      if (spec == nullptr)
        return Fail(absl::InvalidArgumentError(Cat("--model ", t->opt.model, " has no option ", flag->get_name())));
      auto v = model::ParseOptionValue(*spec, t->values[name]);
      if (!v.ok()) return Fail(v.status());
      t->opt.options[name] = *v;
    }
    auto tr = data::LoadExamples(t->data, "train");
    if (!tr.ok()) return Fail(tr.status());
    auto va = data::LoadExamples(t->data, "validation");
    if (!va.ok()) return Fail(va.status());
    std::cerr << "train: " << tr->size() << " train, " << va->size() << " validation examples from " << t->data << "\n";
    auto m = model::TrainAndSave(t->data, *tr, *va, t->opt, t->out, &std::cerr);
    if (!m.ok()) return Fail(m.status());
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
    auto key = empirical::ParseKeySpec(p->key.empty() ? ((*m)->meta().key.empty() ? "prefix" : (*m)->meta().key) : p->key);
    if (!key.ok()) return Fail(key.status());
    opt.key = *key;
    if (!(*m)->meta().level.empty()) {
      auto level = sched::ParseLevel((*m)->meta().level);
      if (!level.ok()) return Fail(level.status());
      opt.level = *level;
    }
    opt.min_visits = 0;  // show the step even where no other run visited its key
    auto st = store::Store::OpenExisting(p->store);
    if (!st.ok()) return Fail(st.status());
    auto ex = data::ExampleAt(**st, p->run, p->at, opt);
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
