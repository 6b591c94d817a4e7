// job/realworld.cc — the held-out real-world family of the main job (see realworld.h).
#include "job/realworld.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/json.h"
#include "data/dataset.h"
#include "eval/eval.h"
#include "report/report.h"
#include "store/store.h"

namespace schedcast::job {
namespace fs = std::filesystem;

absl::StatusOr<std::vector<RealworldPackage>> LoadRealworldManifest(const std::string& path) {
  SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return BadInputError(Cat(path, ": not a JSON object"));
  if (j.value("version", 0) != 1) return BadInputError(Cat(path, ": \"version\" must be 1"));
  if (!j.contains("packages") || !j["packages"].is_array()) return BadInputError(Cat(path, ": no \"packages\" array"));
  std::vector<RealworldPackage> out;
  for (size_t i = 0; i < j["packages"].size(); ++i) {
    const nlohmann::json& e = j["packages"][i];
    if (!e.is_object()) return BadInputError(Cat(path, ": packages[", i, "]: not an object"));
    RealworldPackage p;
    for (auto [key, field, required] : {std::tuple{"debian", &p.debian, true}, std::tuple{"family", &p.family, true},
                                        std::tuple{"dir", &p.dir, true}, std::tuple{"run", &p.run, false},
                                        std::tuple{"skip", &p.skip, false}, std::tuple{"gopath", &p.gopath, false},
                                        std::tuple{"job_run", &p.job_run, false}}) {
      if (!e.contains(key)) {
        if (required) return BadInputError(Cat(path, ": packages[", i, "]: no \"", key, "\""));
        continue;
      }
      if (!e[key].is_string()) return BadInputError(Cat(path, ": packages[", i, "].", key, ": not a string"));
      *field = e[key].get<std::string>();
    }
    if (p.debian.empty() || p.family.empty() || p.dir.empty())
      return BadInputError(Cat(path, ": packages[", i, "]: empty debian, family or dir"));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<RealworldState> CollectRealworld(const JobOptions& opt, std::ostream& log) {
  RealworldState st;
  st.dir = opt.out + "/realworld";
  st.store = st.dir + "/store.db";
  if (opt.realworld_manifest.empty()) {
    st.skipped_reason = "turned off (--no-realworld)";
    return st;
  }
  std::error_code ec;
  if (!fs::exists(opt.realworld_manifest, ec)) {
    st.skipped_reason = Cat(opt.realworld_manifest, " not found (run from the repository root, or give --realworld)");
    return st;
  }
  SC_ASSIGN_OR_RETURN(std::vector<RealworldPackage> pkgs, LoadRealworldManifest(opt.realworld_manifest));
  std::vector<const RealworldPackage*> chosen;
  std::set<std::string> missing, selected;
  for (const RealworldPackage& p : pkgs) {
    if (p.job_run.empty()) continue;
    selected.insert(p.debian);
    if (fs::is_directory(p.dir, ec)) chosen.push_back(&p);
    else missing.insert(p.debian);
  }
  st.missing.assign(missing.begin(), missing.end());
  if (selected.empty()) {
    st.skipped_reason = Cat(opt.realworld_manifest, " selects no test for the job (no \"job_run\")");
    return st;
  }
  if (chosen.empty()) {
    st.skipped_reason = Cat("none of the ", selected.size(), " Debian packages it selects is installed (",
                            opt.realworld_manifest, "; scripts/install-realworld.sh installs them)");
    return st;
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) CatAppend(names, names.empty() ? "" : ", ", m);
    log << "schedcast run: real-world family: " << missing.size() << " package(s) not installed, left out: " << names
        << "\n";
  }
  fs::create_directories(st.dir, ec);
  if (ec) return absl::PermissionDeniedError(Cat(st.dir, ": cannot create: ", ec.message()));
  std::set<std::string> families;
  for (const RealworldPackage* p : chosen) {
    collect::CollectOptions co = opt.collect;
    co.paths = {p->dir};
    co.store_path = st.store;
    co.runs = opt.realworld_runs;
    co.timeout = std::max(opt.collect.timeout, opt.realworld_timeout);
    co.run_regex = p->job_run;
    co.skip_regex = p->skip;
    co.gopaths.clear();
    if (!p->gopath.empty()) co.gopaths.push_back(p->gopath);
    log << "schedcast run: [1/5] collect real-world " << p->family << " (" << p->dir << ", tests " << p->job_run
        << ", " << co.runs << " runs per configuration)\n";
    SC_ASSIGN_OR_RETURN(collect::CollectSummary cs, collect::Collect(co, log));
    if (cs.interrupted) {
      st.interrupted = true;
      return st;
    }
    st.packages.push_back(p->dir);
    families.insert(p->family);
    st.programs += cs.programs;
    st.builds_failed += cs.builds_failed;
    st.runs_stored += cs.runs_stored;
    for (const auto& [k, v] : cs.outcomes) st.outcomes[k] += v;
  }
  st.families.assign(families.begin(), families.end());
  return st;
}

absl::StatusOr<nlohmann::ordered_json> EvalRealworld(const JobOptions& opt, const std::vector<std::string>& model_files,
                                                     RealworldState* st, std::ostream& log) {
  if (!st->skipped_reason.empty()) return nlohmann::ordered_json();
  std::error_code ec;
  if (!fs::exists(st->store, ec)) {
    st->skipped_reason = "nothing was stored (every build failed?)";
    return nlohmann::ordered_json();
  }
  SC_ASSIGN_OR_RETURN(auto store, store::Store::OpenExisting(st->store));
  data::DatasetOptions dopt;
  SC_ASSIGN_OR_RETURN(dopt.build.key, empirical::ParseKeySpec(opt.key));
  SC_ASSIGN_OR_RETURN(dopt.build.level, sched::ParseLevel(opt.level));
  dopt.build.max_steps = opt.realworld_max_steps;  // a real suite's run can have ~10^6 events
  dopt.only_split = "test";  // held out entirely: no program of the family is trained or validated on
  const std::string ds = st->dir + "/dataset";
  SC_ASSIGN_OR_RETURN(data::DatasetSummary sum, data::BuildDataset(*store, dopt, ds, nullptr));
  const auto it = sum.examples_by_split.find("test");
  if (it == sum.examples_by_split.end() || it->second == 0) {
    st->skipped_reason = Cat("no examples from ", sum.runs, " stored runs (", sum.runs_skipped, " skipped)");
    return nlohmann::ordered_json();
  }
  eval::EvalOptions eo;
  eo.data_dir = ds;
  eo.models = model_files;
  eo.store = st->store;
  eo.seed = opt.collect.seed;
  eo.every_step = opt.every_step;
  eo.every_step_max_steps = opt.realworld_max_steps;
  eo.command = opt.command.empty() ? "" : Cat(opt.command, " [real-world family]");
  eo.log = &log;
  log << "schedcast run: [4/5] eval on the real-world family (" << st->families.size() << " upstream projects, held out of training)\n";
  SC_ASSIGN_OR_RETURN(nlohmann::ordered_json out, eval::RunEval(eo));
  SC_RETURN_IF_ERROR(WriteStringToFile(st->dir + "/eval.json", JsonText(out, 1) + "\n"));
  SC_RETURN_IF_ERROR(report::WriteReport(nlohmann::json::parse(JsonText(out)), st->dir + "/report"));
  return out;
}

nlohmann::ordered_json RealworldSummary(const RealworldState& st, const std::string& eval_path) {
  nlohmann::ordered_json j;
  j["status"] = st.skipped_reason.empty() ? "evaluated" : "skipped";
  if (!st.skipped_reason.empty()) j["reason"] = st.skipped_reason;
  j["families"] = st.families;
  j["packages"] = st.packages;
  j["not_installed"] = st.missing;
  j["programs"] = st.programs;
  j["builds_failed"] = st.builds_failed;
  j["runs_stored_now"] = st.runs_stored;
  j["outcomes_now"] = st.outcomes;
  if (st.skipped_reason.empty()) {
    j["store"] = st.store;
    j["eval"] = eval_path;
    j["report"] = st.dir + "/report/index.html";
  }
  return j;
}

}  // namespace schedcast::job
