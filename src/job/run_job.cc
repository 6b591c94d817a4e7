#include "job/run_job.h"

#include <chrono>
#include <filesystem>

#include "common/json.h"
#include "data/dataset.h"
#include "eval/eval.h"
#include "job/realworld.h"
#include "model/registry.h"
#include "model/train.h"
#include "report/report.h"

namespace schedcast::job {

namespace {

// [3/5] Trains every requested model on the dataset in `ds_dir`; returns the model files written.
absl::StatusOr<std::vector<std::string>> TrainModels(const JobOptions& opt, const std::string& ds_dir,
                                                     const std::string& models_dir, nlohmann::ordered_json* trained,
                                                     std::ostream& log) {
  SC_ASSIGN_OR_RETURN(std::vector<data::Example> train, data::LoadExamples(ds_dir, "train"));
  SC_ASSIGN_OR_RETURN(std::vector<data::Example> val, data::LoadExamples(ds_dir, "validation"));
  std::error_code ec;
  std::filesystem::create_directories(models_dir, ec);
  if (ec) return absl::PermissionDeniedError(Cat(models_dir, ": cannot create: ", ec.message()));
  std::vector<std::string> files;
  *trained = nlohmann::ordered_json::array();
  for (const std::string& kind : opt.models) {
    absl::StatusOr<const model::ModelKind*> mk = model::FindKind(kind);
    if (!mk.ok()) return WithContext(mk.status(), Cat("train ", kind));
    const bool both = (*mk)->main_job_ce;
    for (const char* objective : {"kl", "ce"}) {
      if (!both && std::string(objective) == "ce") continue;
      model::TrainOptions to;
      to.model = kind;
      to.objective = objective;
      to.seed = opt.collect.seed;
      const std::string path = Cat(models_dir, "/", kind, "-", objective, ".json");
      log << "schedcast run: [3/5] train " << kind << " (" << objective << ") on " << train.size() << " examples\n";
      const auto t0 = std::chrono::steady_clock::now();
      auto m = model::TrainAndSave(ds_dir, train, val, to, path, &log);
      if (!m.ok()) {
        // A build without libtorch has no neural model: say so and go on with the others.
        if (kind == "neural" && (m.status().code() == absl::StatusCode::kUnimplemented ||
                                 m.status().code() == absl::StatusCode::kFailedPrecondition)) {
          log << "schedcast run: skipping neural: " << m.status().message() << "\n";
          break;
        }
        // Family-held-out calibration needs programs of two families or more (one corpus package is one).
        if (kind == "calibrated" && m.status().code() == absl::StatusCode::kFailedPrecondition) {
          log << "schedcast run: skipping calibrated: " << m.status().message() << "\n";
          break;
        }
        return WithContext(m.status(), Cat("train ", kind, " ", objective));
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      trained->push_back({{"kind", kind}, {"objective", objective}, {"file", path}, {"train_seconds", secs}});
      files.push_back(path);
    }
  }
  return files;
}

}  // namespace

JobOptions::JobOptions() {
  collect.paths = {"corpus"};
  collect.runs = 20;
  collect.go_versions = {};  // the newest installed toolchain
  collect.timeout = std::chrono::milliseconds(1000);
}

absl::StatusOr<JobResult> RunJob(const JobOptions& opt, std::ostream& log) {
  JobResult res;
  // Checked before an hour of collection, not after.
  if (!opt.protocol.empty() && opt.protocol != "paper")
    return absl::InvalidArgumentError(Cat("unknown --protocol '", opt.protocol, "' (want: paper, or \"\" for none)"));
  std::error_code ec;
  std::filesystem::create_directories(opt.out, ec);
  if (ec) return absl::PermissionDeniedError(Cat(opt.out, ": cannot create: ", ec.message()));

  // [1/5] collect
  collect::CollectOptions co = opt.collect;
  co.store_path = res.store = opt.out + "/store.db";
  log << "schedcast run: [1/5] collect " << co.runs << " runs per program and configuration\n";
  SC_ASSIGN_OR_RETURN(collect::CollectSummary cs, collect::Collect(co, log));
  if (cs.interrupted) {
    res.interrupted = true;
    return res;
  }
  SC_ASSIGN_OR_RETURN(RealworldState rw, CollectRealworld(opt, log));
  if (rw.interrupted) {
    res.interrupted = true;
    return res;
  }

  // [2/5] dataset
  log << "schedcast run: [2/5] dataset\n";
  SC_ASSIGN_OR_RETURN(auto st, store::Store::OpenExisting(co.store_path));
  data::DatasetOptions dopt;
  SC_ASSIGN_OR_RETURN(dopt.build.key, empirical::ParseKeySpec(opt.key));
  SC_ASSIGN_OR_RETURN(dopt.build.level, sched::ParseLevel(opt.level));
  for (const auto& p : co.paths)
    if (std::filesystem::exists(p + "/MANIFEST.json")) dopt.manifest = p + "/MANIFEST.json";
  res.dataset = opt.out + "/dataset";
  SC_ASSIGN_OR_RETURN(data::DatasetSummary sum, data::BuildDataset(*st, dopt, res.dataset, nullptr));
  res.programs = cs.programs;
  res.configs = cs.configs;
  res.dataset_runs = sum.runs;
  res.dataset_runs_skipped = sum.runs_skipped;

  nlohmann::ordered_json& j = res.summary;
  j["paths"] = co.paths;
  j["store"] = co.store_path;
  j["dataset"] = res.dataset;
  j["programs"] = cs.programs;
  j["configs"] = cs.configs;
  j["runs_stored_now"] = cs.runs_stored;
  j["runs_already_stored"] = cs.runs_already_stored;
  j["outcomes_now"] = cs.outcomes;
  j["dataset_runs"] = sum.runs;
  j["dataset_runs_skipped"] = sum.runs_skipped;
  for (const char* split : {"train", "validation", "test"}) {
    SC_ASSIGN_OR_RETURN(std::vector<data::Example> ex, data::LoadExamples(res.dataset, split));
    const data::SplitStats s = data::ComputeStats(ex);
    j["splits"][split] = {{"examples", s.examples},
                          {"mean_candidates", s.mean_candidates},
                          {"mean_target_entropy_nats", s.mean_entropy},
                          {"uncertain_fraction", s.uncertain_fraction},
                          {"uniform_accuracy", s.uniform_accuracy},
                          {"oracle_accuracy", s.oracle_accuracy}};
    res.splits.emplace_back(split, s);
  }

  // [3/5] train
  res.models_dir = opt.out + "/models";
  nlohmann::ordered_json trained;
  SC_ASSIGN_OR_RETURN(std::vector<std::string> model_files, TrainModels(opt, res.dataset, res.models_dir, &trained, log));
  j["models"] = trained;

  // [4/5] eval, [5/5] report
  eval::EvalOptions eo;
  eo.data_dir = res.dataset;
  eo.models = model_files;
  eo.store = co.store_path;
  eo.seed = co.seed;
  eo.every_step = opt.every_step;
  eo.protocol = opt.protocol;
  eo.family_by = opt.family_by;
  eo.command = opt.command;
  eo.log = &log;
  log << "schedcast run: [4/5] eval on the test split (held-out programs)\n";
  SC_ASSIGN_OR_RETURN(res.eval, eval::RunEval(eo));
  res.eval_path = opt.out + "/eval.json";
  SC_ASSIGN_OR_RETURN(res.realworld_eval, EvalRealworld(opt, model_files, &rw, log));
  res.realworld_note = rw.skipped_reason;
  if (!rw.skipped_reason.empty()) log << "schedcast run: real-world family not scored: " << rw.skipped_reason << "\n";
  j["realworld"] = RealworldSummary(rw, rw.dir + "/eval.json");
  const std::string report_dir = opt.out + "/report";
  SC_RETURN_IF_ERROR(WriteStringToFile(res.eval_path, JsonText(res.eval, 1) + "\n"));
  log << "schedcast run: [5/5] report\n";
  SC_RETURN_IF_ERROR(report::WriteReport(nlohmann::json::parse(JsonText(res.eval)), report_dir));
  res.report_index = report_dir + "/index.html";
  j["eval"] = res.eval_path;
  j["report"] = res.report_index;
  SC_RETURN_IF_ERROR(WriteStringToFile(opt.out + "/summary.json", JsonText(j, 2) + "\n"));
  return res;
}

}  // namespace schedcast::job
