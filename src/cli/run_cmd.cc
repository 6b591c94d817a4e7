// `schedcast run [PATH...] --out DIR` — the main job: collect → dataset → train → eval → report, with
// embedded defaults (SQLite store in DIR/store.db, CPU). Writes DIR/store.db, DIR/dataset/,
// DIR/models/*.json, DIR/eval.json, DIR/report/index.html and DIR/summary.json.
// Re-running tops up the store (collect is idempotent) and redoes the later stages.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include "common/json.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "collect/collector.h"
#include "collect/plan.h"
#include "data/dataset.h"
#include "eval/eval.h"
#include "model/io.h"
#include "model/train.h"
#include "nlohmann/json.hpp"
#include "report/report.h"

namespace schedcast::cli {

namespace {

struct DatasetStats {
  size_t examples = 0;
  double mean_candidates = 0, mean_entropy = 0, oracle_acc = 0, uniform_acc = 0, multi = 0;
};

// Statistics of one split: the empirical target's own accuracy (the ceiling of any predictor
// against the observed label), the uniform predictor's expected accuracy, and the target entropy.
DatasetStats Stats(const std::vector<data::Example>& ex) {
  DatasetStats s;
  for (const auto& e : ex) {
    const auto p = e.target();
    size_t best = 0, support = 0;
    double h = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] > p[best]) best = i;
      if (p[i] > 0) h -= p[i] * std::log(p[i]), ++support;
    }
    s.oracle_acc += static_cast<int>(best) == e.label_index();
    s.uniform_acc += 1.0 / static_cast<double>(e.candidates.size());
    s.mean_candidates += static_cast<double>(e.candidates.size());
    s.mean_entropy += h;
    s.multi += support > 1;
  }
  s.examples = ex.size();
  if (!ex.empty()) {
    const double n = static_cast<double>(ex.size());
    s.oracle_acc /= n, s.uniform_acc /= n, s.mean_candidates /= n, s.mean_entropy /= n, s.multi /= n;
  }
  return s;
}

}  // namespace

void RegisterRun(CLI::App& app) {
  struct Flags {
    std::vector<std::string> paths;
    std::string out, gomaxprocs = "1,2,4", go = "1.23", timeout = "1s", key = "prefix", level = "goroutine";
    std::string models = "freq,ngram,structured,neural";
    int runs = 20, jobs = 0;
    uint64_t seed = 1;
  };
  auto f = std::make_shared<Flags>();
  auto* c = app.add_subcommand("run", "The main job: collect the programs under PATH (default: corpus), build the dataset, "
                                      "train the models (KL and CE), evaluate them and write the HTML report");
  c->add_option("PATH", f->paths, "directories of Go packages (default: corpus)");
  c->add_option("--out", f->out, "output directory (store.db, dataset/, models/, eval.json, report/, summary.json)")->required();
  c->add_option("--models", f->models, "models to train: freq, ngram (KL), structured, neural (KL and CE each); "
                                       "\"\" for none")->capture_default_str();
  c->add_option("--runs", f->runs, "runs per program and configuration")->capture_default_str();
  c->add_option("--gomaxprocs", f->gomaxprocs, "GOMAXPROCS values")->capture_default_str();
  c->add_option("--go", f->go, "Go versions, comma-separated")->capture_default_str();
  c->add_option("--timeout", f->timeout, "per-run deadline")->capture_default_str();
  c->add_option("--jobs,-j", f->jobs, "parallel runs (default: number of cores)")->check(CLI::Range(1, 4096));
  c->add_option("--seed", f->seed, "seed of the run plan")->capture_default_str();
  c->add_option("--key", f->key, "dataset key: prefix, state, window:K")->capture_default_str();
  c->add_option("--level", f->level, "token level: type, goroutine, site")->capture_default_str();
  c->callback([f] {
    if (f->paths.empty()) f->paths = {"corpus"};
    std::error_code ec;
    std::filesystem::create_directories(f->out, ec);
    if (ec) return Fail(absl::PermissionDeniedError(Cat(f->out, ": cannot create: ", ec.message())));

    collect::CollectOptions co;
    co.paths = f->paths;
    co.store_path = f->out + "/store.db";
    co.runs = f->runs;
    co.jobs = f->jobs;
    co.seed = f->seed;
    auto procs = collect::ParseIntList(f->gomaxprocs, "--gomaxprocs");
    if (!procs.ok()) return Fail(procs.status());
    co.gomaxprocs = *procs;
    auto go = collect::ParseGoVersions(f->go);
    if (!go.ok()) return Fail(go.status());
    co.go_versions = *go;
    auto timeout = collect::ParseDuration(f->timeout, "--timeout");
    if (!timeout.ok()) return Fail(timeout.status());
    co.timeout = *timeout;
    std::cerr << "schedcast run: [1/5] collect " << f->runs << " runs per program and configuration\n";
    auto cs = collect::Collect(co, std::cerr);
    if (!cs.ok()) return Fail(cs.status());
    if (cs->interrupted) return SetExitCode(130);

    std::cerr << "schedcast run: [2/5] dataset\n";
    auto st = store::Store::OpenExisting(co.store_path);
    if (!st.ok()) return Fail(st.status());
    data::DatasetOptions dopt;
    auto key = dist::ParseKeySpec(f->key);
    if (!key.ok()) return Fail(key.status());
    auto level = sched::ParseLevel(f->level);
    if (!level.ok()) return Fail(level.status());
    dopt.build.key = *key;
    dopt.build.level = *level;
    for (const auto& p : f->paths)
      if (std::filesystem::exists(p + "/MANIFEST.json")) dopt.manifest = p + "/MANIFEST.json";
    const std::string ds_dir = f->out + "/dataset";
    auto sum = data::BuildDataset(**st, dopt, ds_dir, nullptr);
    if (!sum.ok()) return Fail(sum.status());

    nlohmann::ordered_json j;
    j["paths"] = f->paths;
    j["store"] = co.store_path;
    j["dataset"] = ds_dir;
    j["programs"] = cs->programs;
    j["configs"] = cs->configs;
    j["runs_stored_now"] = cs->runs_stored;
    j["runs_already_stored"] = cs->runs_already_stored;
    j["outcomes_now"] = cs->outcomes;
    j["dataset_runs"] = sum->runs;
    j["dataset_runs_skipped"] = sum->runs_skipped;
    std::cout << "\nschedcast run: " << cs->programs << " programs, " << cs->configs << " configurations; " << sum->runs << " runs in the dataset (" << sum->runs_skipped << " skipped)\n\n";
    char line[256];
    std::snprintf(line, sizeof line, "%-11s %9s %10s %12s %10s %10s %10s\n", "split", "examples", "mean |C|",
                  "H(target)", "uncertain", "uniform", "ceiling");
    std::cout << line;
    for (const char* split : {"train", "validation", "test"}) {
      auto ex = data::LoadExamples(ds_dir, split);
      if (!ex.ok()) return Fail(ex.status());
      const DatasetStats s = Stats(*ex);
      std::snprintf(line, sizeof line, "%-11s %9zu %10.2f %9.3f nat %9.1f%% %9.1f%% %9.1f%%\n", split, s.examples,
                    s.mean_candidates, s.mean_entropy, 100 * s.multi, 100 * s.uniform_acc, 100 * s.oracle_acc);
      std::cout << line;
      j["splits"][split] = {{"examples", s.examples}, {"mean_candidates", s.mean_candidates},
                            {"mean_target_entropy_nats", s.mean_entropy}, {"uncertain_fraction", s.multi},
                            {"uniform_accuracy", s.uniform_acc}, {"oracle_accuracy", s.oracle_acc}};
    }
    std::cout << "\n(uncertain: examples whose empirical target has more than one outcome; ceiling: accuracy of the\n"
                 " empirical distribution's mode against the observed next event)\n\n";

    // [3/5] train
    auto train = data::LoadExamples(ds_dir, "train");
    if (!train.ok()) return Fail(train.status());
    auto val = data::LoadExamples(ds_dir, "validation");
    if (!val.ok()) return Fail(val.status());
    const std::string models_dir = f->out + "/models";
    std::filesystem::create_directories(models_dir, ec);
    std::vector<std::string> model_files;
    nlohmann::ordered_json trained = nlohmann::ordered_json::array();
    for (absl::string_view kind_view : absl::StrSplit(f->models, ',', absl::SkipEmpty())) {
      const std::string kind(kind_view);
      const bool both = kind == "structured" || kind == "neural";
      for (const char* objective : {"kl", "ce"}) {
        if (!both && std::string(objective) == "ce") continue;
        model::TrainOptions to;
        to.model = kind;
        to.objective = objective;
        to.seed = f->seed;
        const std::string path = Cat(models_dir, "/", kind, "-", objective, ".json");
        std::cerr << "schedcast run: [3/5] train " << kind << " (" << objective << ") on " << train->size()
                  << " examples\n";
        const auto t0 = std::chrono::steady_clock::now();
        auto m = model::Train(*train, *val, to, &std::cerr);
        if (!m.ok()) {
          // A build without libtorch has no neural model: say so and go on with the others.
          if (kind == "neural" && (m.status().code() == absl::StatusCode::kUnimplemented ||
                                   m.status().code() == absl::StatusCode::kFailedPrecondition)) {
            std::cerr << "schedcast run: skipping neural: " << m.status().message() << "\n";
            break;
          }
          return Fail(WithContext(m.status(), Cat("train ", kind, " ", objective)));
        }
        (*m)->meta().data_dir = ds_dir;
        if (auto h = model::HashTrainingData(ds_dir); h.ok()) (*m)->meta().data_hash = *h;
        if (auto w = model::Save(**m, path); !w.ok()) return Fail(w);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        trained.push_back({{"kind", kind}, {"objective", objective}, {"file", path}, {"train_seconds", secs}});
        model_files.push_back(path);
      }
    }
    j["models"] = trained;

    // [4/5] eval, [5/5] report
    eval::EvalOptions eo;
    eo.data_dir = ds_dir;
    eo.models = model_files;
    eo.store = co.store_path;
    eo.seed = f->seed;
    eo.command = Cat("schedcast run --out ", f->out, " (", f->runs, " runs, GOMAXPROCS ", f->gomaxprocs, ", go ", f->go,
                     ", key ", f->key, ", level ", f->level, ")");
    eo.log = &std::cerr;
    std::cerr << "schedcast run: [4/5] eval on the test split (held-out programs)\n";
    auto ev = eval::RunEval(eo);
    if (!ev.ok()) return Fail(ev.status());
    const std::string eval_path = f->out + "/eval.json", report_dir = f->out + "/report";
    if (auto w = WriteStringToFile(eval_path, JsonText(*ev, 1) + "\n"); !w.ok()) return Fail(w);
    std::cerr << "schedcast run: [5/5] report\n";
    if (auto w = report::WriteReport(nlohmann::json::parse(JsonText(*ev)), report_dir); !w.ok()) return Fail(w);
    std::cout << "\n";
    PrintEvalTables(*ev);
    j["eval"] = eval_path;
    j["report"] = report_dir + "/index.html";
    auto w = WriteStringToFile(f->out + "/summary.json", JsonText(j, 2) + "\n");
    if (!w.ok()) return Fail(w);
    std::cout << "\nreport: " << std::filesystem::absolute(report_dir + "/index.html").string() << "\nresults: "
              << eval_path << ", " << f->out << "/summary.json; models: " << models_dir << "/; dataset: " << ds_dir
              << "/; store: " << co.store_path << "\n";
  });
}

}  // namespace schedcast::cli
