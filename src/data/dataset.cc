#include "common/json.h"
#include "data/dataset.h"
#include "store/source_index.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

namespace schedcast::data {

bool UsableRun(const store::StoredRun& r, bool include_failed) {
  if (r.outcome == store::Outcome::kBuildFailed || r.trace_bytes == 0) return false;
  return include_failed || r.outcome == store::Outcome::kOk;
}

std::string RunIdList(const std::vector<int64_t>& ids, size_t max) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < max; ++i) CatAppend(out, i ? ", " : "", ids[i]);
  if (ids.size() > max) CatAppend(out, " and ", ids.size() - max, " more");
  return out;
}

// The parsed source index of a program's package (nullopt: the store has none, or it failed; a
// stored index that cannot be parsed is reported in *errors).
std::optional<srcindex::Index> LoadSourceIndex(store::Store& st, const store::ProgramRecord& p, std::vector<std::string>* errors) {
  absl::StatusOr<std::optional<store::SourceIndexRecord>> rec = store::GetSourceIndex(st, p.package, p.source_hash);
  if (!rec.ok()) {
    errors->push_back(Cat(p.package, ": source index: ", std::string(rec.status().message())));
    return std::nullopt;
  }
  if (!rec->has_value() || !(*rec)->ok) return std::nullopt;
  absl::StatusOr<srcindex::Index> idx = srcindex::Index::Parse((*rec)->data, Cat(st.path(), ": ", p.package));
  if (!idx.ok()) {
    errors->push_back(std::string(idx.status().message()));
    return std::nullopt;
  }
  return std::move(*idx);
}

absl::StatusOr<DatasetSummary> BuildDataset(store::Store& st, const DatasetOptions& opt, const std::string& out_dir,
                                            const std::function<void(size_t, size_t, const std::string&)>& progress) {
  if (!opt.only_split.empty() && opt.only_split != "train" && opt.only_split != "validation" && opt.only_split != "test")
    return absl::InvalidArgumentError(Cat("dataset: only_split '", opt.only_split, "' (want train, validation or test)"));
  Splitter splitter;
  std::optional<Manifest> manifest;
  if (!opt.manifest.empty()) {
    SC_ASSIGN_OR_RETURN(manifest, LoadManifest(opt.manifest));
    splitter.UseManifest(*manifest);
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return absl::PermissionDeniedError(Cat(out_dir, ": cannot create directory: ", ec.message()));

  SC_ASSIGN_OR_RETURN(std::vector<store::StoredRun> runs, st.ListRuns());
  // Group runs by (program, config), in a stable order.
  std::map<std::pair<std::string, std::string>, std::vector<const store::StoredRun*>> groups;
  std::map<std::string, ProgramMeta> programs;
  size_t sum_perturbed_left_out = 0;
  for (const auto& r : runs) {
    if (!UsableRun(r, opt.include_failed)) continue;
    if (r.perturbed() && !opt.include_perturbed) {
      ++sum_perturbed_left_out;
      continue;
    }
    const std::string program = store::ProgramKey(r.program);
    groups[{program, ConfigName(r.config) + store::PerturbSuffix(r.perturb)}].push_back(&r);
    ProgramMeta& pm = programs[program];
    pm.dir = r.program.dir;
    pm.name = r.program.name;
    pm.split = opt.only_split.empty() ? splitter.SplitOf(program) : opt.only_split;
  }

  if (manifest) AnnotateFromManifest(*manifest, &programs);

  std::map<std::string, std::ofstream> files;
  for (const char* split : {"train", "validation", "test"}) {
    const std::string path = Cat(out_dir, "/", split, ".jsonl");
    files[split].open(path, std::ios::trunc);
    if (!files[split]) return absl::PermissionDeniedError(Cat(path, ": cannot create"));
  }

  DatasetSummary sum;
  sum.perturbed_runs_left_out = sum_perturbed_left_out;
  sum.programs = programs.size();
  sum.configs = groups.size();
  std::map<std::string, size_t> examples_per_program, runs_per_program;
  std::map<std::pair<std::string, std::string>, std::optional<srcindex::Index>> indexes;
  size_t done = 0;
  for (const auto& [key, group] : groups) {
    const auto& [program, config] = key;
    pipeline::LoadedRuns loaded = pipeline::LoadInputs(st, group);
    for (const pipeline::LoadFailure& f : loaded.failures) {
      sum.errors.push_back(Cat(program, " ", config, " ", f.Describe()));
      sum.skipped_runs.push_back(f.run_id);
      if (opt.strict) return absl::DataLossError(Cat(st.path(), ": ", sum.errors.back(), " (--strict)"));
    }
    const std::vector<RunTrace>& traces = loaded.inputs;
    const std::string split = programs[program].split;
    std::optional<srcindex::Index> index;
    if (opt.build.program_facts) {
      const store::ProgramRecord& pr = group.front()->program;
      auto cached = indexes.find({pr.package, pr.source_hash});
      if (cached == indexes.end())
        cached = indexes.emplace(std::pair{pr.package, pr.source_hash}, LoadSourceIndex(st, pr, &sum.errors)).first;
      index = cached->second;
    }
    ProgramBuild pb = BuildProgram(program, config, split, traces, opt.build, index ? &*index : nullptr);
    sum.runs += pb.runs_used;
    sum.runs_skipped += group.size() - pb.runs_used;
    runs_per_program[program] += pb.runs_used;
    for (const auto& e : pb.errors) sum.errors.push_back(Cat(program, " ", config, " ", e));
    sum.skipped_runs.insert(sum.skipped_runs.end(), pb.skipped_runs.begin(), pb.skipped_runs.end());
    if (opt.strict && !pb.errors.empty())
      return absl::DataLossError(Cat(st.path(), ": ", program, " ", config, " ", pb.errors[0], " (--strict)"));
    std::ofstream& out = files[split];
    for (const Example& e : pb.examples) out << JsonText(ToJson(e)) << "\n";
    sum.examples_by_split[split] += pb.examples.size();
    examples_per_program[program] += pb.examples.size();
    if (progress) progress(++done, groups.size(), program);
  }
  for (auto& [split, f] : files) {
    f.close();
    if (!f) return absl::DataLossError(Cat(out_dir, "/", split, ".jsonl: write failed"));
  }

  nlohmann::ordered_json pj = nlohmann::ordered_json::object();
  for (const auto& [program, m] : programs) {
    pj[program] = {{"dir", m.dir}, {"name", m.name}, {"split", m.split},
                   {"runs", runs_per_program[program]}, {"examples", examples_per_program[program]}};
    if (!m.category.empty() || !m.bug.empty() || !m.primitives.empty()) {
      pj[program]["category"] = m.category;
      pj[program]["bug"] = m.bug;
      pj[program]["primitives"] = m.primitives;
    }
  }
  SC_RETURN_IF_ERROR(WriteStringToFile(Cat(out_dir, "/programs.json"), JsonText(pj, 2) + "\n"));
  nlohmann::ordered_json meta;
  meta["store"] = st.path();
  meta["level"] = std::string(sched::LevelName(opt.build.level));
  meta["key"] = opt.build.key.Name();
  meta["min_visits"] = opt.build.min_visits;
  meta["max_steps"] = opt.build.max_steps;
  meta["context_len"] = opt.build.context_len;
  meta["include_runtime"] = opt.build.include_runtime;
  meta["leak_proofs"] = opt.build.leak_proofs;
  meta["program_facts"] = opt.build.program_facts;
  meta["include_failed"] = opt.include_failed;
  meta["manifest"] = opt.manifest;
  meta["programs"] = sum.programs;
  meta["program_configs"] = sum.configs;
  meta["runs_used"] = sum.runs;
  meta["runs_skipped"] = sum.runs_skipped;
  meta["include_perturbed"] = opt.include_perturbed;
  meta["perturbed_runs_left_out"] = sum.perturbed_runs_left_out;
  meta["examples"] = sum.examples_by_split;
  meta["errors"] = sum.errors;
  meta["skipped_runs"] = sum.skipped_runs;
  SC_RETURN_IF_ERROR(WriteStringToFile(Cat(out_dir, "/meta.json"), JsonText(meta, 2) + "\n"));
  return sum;
}

absl::StatusOr<Example> ExampleAt(store::Store& st, int64_t run_id, uint64_t at, const BuildOptions& opt) {
  SC_ASSIGN_OR_RETURN(store::StoredRun run, st.GetRun(run_id));
  SC_ASSIGN_OR_RETURN(std::vector<store::StoredRun> runs, st.SiblingRuns(run_id));
  const std::string program = store::ProgramKey(run.program), config = store::ConfigName(run.config);
  std::vector<const store::StoredRun*> group;
  for (const auto& r : runs) group.push_back(&r);
  if (run.trace_bytes == 0) return absl::FailedPreconditionError(Cat(st.path(), ": run ", run_id, " has no trace"));
  const pipeline::LoadedRuns loaded = pipeline::LoadInputs(st, group);
  // The run asked for must be readable: say so, rather than "0 prediction steps".
  for (const pipeline::LoadFailure& f : loaded.failures)
    if (f.run_id == run_id) return WithContext(f.status, Cat(st.path(), ": run ", run_id, ": trace cannot be read"));
  const std::vector<RunTrace>& traces = loaded.inputs;
  std::vector<std::string> index_errors;
  std::optional<srcindex::Index> index;
  if (opt.program_facts) index = LoadSourceIndex(st, run.program, &index_errors);
  ProgramBuild pb = BuildProgram(program, config, "", traces, opt, index ? &*index : nullptr);
  uint64_t steps = 0;
  for (auto& e : pb.examples) {
    if (e.run_id != run_id) continue;
    steps = std::max(steps, e.position + 1);
    if (e.position == at) return std::move(e);
  }
  for (const auto& err : pb.errors)
    if (err.rfind(Cat("run ", run_id, ":"), 0) == 0) return absl::DataLossError(Cat(st.path(), ": ", err));
  return absl::OutOfRangeError(Cat(st.path(), ": run ", run_id, " (", program, " ", config, ") has ", steps,
                                   " prediction steps; --at ", at, " is past the end"));
}

absl::StatusOr<std::vector<Example>> LoadExamples(const std::string& dir, const std::string& split) {
  std::vector<std::string> splits;
  if (split == "all") splits = {"train", "validation", "test"};
  else if (split == "train" || split == "validation" || split == "test") splits = {split};
  else return absl::InvalidArgumentError(Cat("unknown split '", split, "' (want train, validation, test or all)"));
  std::vector<Example> out;
  for (const auto& s : splits) {
    const std::string path = Cat(dir, "/", s, ".jsonl");
    std::ifstream in(path);
    if (!in) return absl::NotFoundError(Cat(path, ": cannot open (is ", dir, " a dataset built by `schedcast dataset build`?)"));
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      if (line.empty()) continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) return absl::DataLossError(Cat(path, ":", n, ": not valid JSON"));
      absl::StatusOr<Example> e = FromJson(j);
      if (!e.ok()) return WithContext(e.status(), Cat(path, ":", n));
      out.push_back(std::move(*e));
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, ProgramMeta>> LoadPrograms(const std::string& dir) {
  const std::string path = Cat(dir, "/programs.json");
  SC_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError(Cat(path, ": not a JSON object"));
  std::map<std::string, ProgramMeta> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto& v = it.value();
    ProgramMeta m;
    m.dir = v.value("dir", "");
    m.name = v.value("name", "");
    m.split = v.value("split", "");
    if (v.contains("examples") && v["examples"].is_number_unsigned()) m.examples = v["examples"].get<uint64_t>();
    if (v.contains("category") && v["category"].is_string()) m.category = v["category"].get<std::string>();
    if (v.contains("bug") && v["bug"].is_string()) m.bug = v["bug"].get<std::string>();
    if (v.contains("primitives") && v["primitives"].is_array())
      for (const auto& p : v["primitives"])
        if (p.is_string()) m.primitives.push_back(p.get<std::string>());
    out[it.key()] = std::move(m);
  }
  return out;
}

absl::Status AnnotateFromManifest(const std::string& manifest, std::map<std::string, ProgramMeta>* programs) {
  SC_ASSIGN_OR_RETURN(Manifest m, LoadManifest(manifest));
  AnnotateFromManifest(m, programs);
  return absl::OkStatus();
}

void AnnotateFromManifest(const Manifest& manifest, std::map<std::string, ProgramMeta>* programs) {
  for (const ManifestTest& t : manifest.tests) {
    auto it = programs->find(t.Program());
    if (it == programs->end()) continue;
    ProgramMeta& m = it->second;
    m.category = t.category;
    m.bug = t.bug;
    m.primitives = t.primitives;
  }
}

}  // namespace schedcast::data
