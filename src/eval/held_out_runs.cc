#include "eval/held_out_runs.h"

#include <algorithm>
#include <map>

#include "data/builder.h"
#include "data/dataset.h"
#include "pipeline/run.h"
#include "store/store.h"

namespace schedcast::eval {

absl::Status ForEachHeldOutProgram(const std::vector<std::string>& programs, const HeldOutOptions& opt,
                                   std::vector<std::string>* notes,
                                   const std::function<absl::Status(size_t, const std::vector<HeldOutRun>&)>& visit) {
  data::BuildOptions bo;
  bo.min_visits = 0;
  bo.max_steps = opt.max_steps;
  const nlohmann::json& m = opt.meta;
  if (m.contains("level") && m["level"].is_string()) {
    SC_ASSIGN_OR_RETURN(bo.level, sched::ParseLevel(m["level"].get<std::string>()));
  }
  if (m.contains("key") && m["key"].is_string()) {
    SC_ASSIGN_OR_RETURN(bo.key, empirical::ParseKeySpec(m["key"].get<std::string>()));
  }
  if (m.contains("context_len") && m["context_len"].is_number_unsigned()) bo.context_len = m["context_len"].get<size_t>();
  if (m.contains("include_runtime") && m["include_runtime"].is_boolean()) bo.include_runtime = m["include_runtime"].get<bool>();
  if (m.contains("leak_proofs") && m["leak_proofs"].is_boolean()) bo.leak_proofs = m["leak_proofs"].get<bool>();
  if (m.contains("program_facts") && m["program_facts"].is_boolean()) bo.program_facts = m["program_facts"].get<bool>();
  // The dataset's run selection (data::UsableRun); datasets written before it was recorded kept failed runs.
  const bool include_failed = !m.contains("include_failed") || !m["include_failed"].is_boolean() ||
                              m["include_failed"].get<bool>();

  SC_ASSIGN_OR_RETURN(auto st, store::Store::OpenExisting(opt.store));
  SC_ASSIGN_OR_RETURN(std::vector<store::StoredRun> runs, st->ListRuns());
  std::map<std::string, size_t> wanted;
  for (size_t i = 0; i < programs.size(); ++i) wanted.emplace(programs[i], i);
  std::map<std::string, std::vector<const store::StoredRun*>> by_prog;
  for (const auto& r : runs) {
    // Perturbed runs (collect --perturb) sample another distribution: never pooled with plain runs.
    if (!data::UsableRun(r, include_failed) || r.perturbed()) continue;
    const std::string program = store::ProgramKey(r.program);
    if (wanted.count(program)) by_prog[program].push_back(&r);
  }
  for (auto& [program, list] : by_prog) {
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->id < b->id; });
    if (opt.max_runs_per_program > 0 && list.size() > opt.max_runs_per_program) list.resize(opt.max_runs_per_program);
    std::map<std::string, std::vector<const store::StoredRun*>> by_config;
    for (const store::StoredRun* r : list) by_config[store::ConfigName(r->config)].push_back(r);
    std::vector<HeldOutRun> prog_runs;
    for (const auto& [config, group] : by_config) {
      const pipeline::LoadedRuns loaded = pipeline::LoadInputs(*st, group);
      if (notes)
        for (const auto& f : loaded.failures) notes->push_back(Cat(program, " ", config, " ", f.Describe()));
      // Program facts as the dataset's examples carry them (BuildDataset: the group's first run's
      // package and source hash), so a model trained with facts is scored with them.
      std::vector<std::string> index_errors;
      const std::optional<srcindex::Index> index =
          bo.program_facts ? data::LoadSourceIndex(*st, group.front()->program, &index_errors) : std::nullopt;
      if (notes)
        for (const auto& e : index_errors) notes->push_back(Cat(program, " ", config, " ", e));
      data::ProgramBuild pb = data::BuildProgram(program, config, "test", loaded.inputs, bo, index ? &*index : nullptr);
      if (notes)
        for (const auto& e : pb.errors) notes->push_back(Cat(program, " ", config, " ", e));
      std::map<int64_t, size_t> at;
      for (auto& e : pb.examples) {
        auto [it, fresh] = at.try_emplace(e.run_id, prog_runs.size());
        if (fresh) prog_runs.push_back(HeldOutRun{program, config, e.run_id, {}});
        prog_runs[it->second].steps.push_back(std::move(e));
      }
    }
    std::sort(prog_runs.begin(), prog_runs.end(), [](const auto& a, const auto& b) { return a.run_id < b.run_id; });
    if (!prog_runs.empty()) SC_RETURN_IF_ERROR(visit(wanted.at(program), prog_runs));
  }
  return absl::OkStatus();
}

}  // namespace schedcast::eval
