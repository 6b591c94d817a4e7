#include "data/builder.h"

#include <algorithm>
#include <set>

#include "data/program_facts.h"
#include "data/runq.h"
#include "pipeline/run.h"

namespace schedcast::data {

std::string_view BaseOf(std::string_view token) {
  const size_t at = token.find(" @");
  return at == std::string_view::npos ? token : token.substr(0, at);
}

namespace {

struct TokenizedRun {
  int64_t run_id;
  std::vector<sched::Step> steps;
  std::vector<std::string> keys;
  empirical::RunCounts counts;
  // Per example step (the first max_steps), facts per goroutine-level candidate (program_facts.h).
  std::vector<std::vector<std::vector<std::string>>> facts;
};

std::vector<std::string> SiteCandidates(const sched::Step& step, const empirical::Distribution& target) {
  std::set<std::string> out;
  std::set<std::string_view> refined;
  std::set<std::string_view> base(step.candidates.begin(), step.candidates.end());
  auto add = [&](const std::string& tok) {
    if (!base.count(BaseOf(tok))) return;  // not legal here
    out.insert(tok);
  };
  add(step.token);
  for (const auto& [tok, n] : target.counts()) add(tok);
  for (const auto& tok : out) refined.insert(BaseOf(tok));
  for (const auto& c : step.candidates)
    if (!refined.count(c)) out.insert(c);
  return {out.begin(), out.end()};
}

}  // namespace

ProgramBuild BuildProgram(const std::string& program, const std::string& config, const std::string& split,
                          const std::vector<RunTrace>& runs, const BuildOptions& opt, const srcindex::Index* index) {
  ProgramBuild out;
  std::vector<TokenizedRun> tokenized;
  pipeline::TokenizeOptions topt;
  topt.level = opt.level;
  topt.include_runtime = opt.include_runtime;
  topt.leak_proofs = opt.leak_proofs;
  pipeline::SourceCache sources;
  std::vector<std::vector<std::vector<std::string>>> facts_of_run;
  for (const RunTrace& r : runs) {
    absl::StatusOr<pipeline::TokenizedRun> steps = pipeline::Tokenize(r, topt, &sources);
    if (!steps.ok()) {
      out.errors.push_back(Cat("run ", r.run_id, ": ", std::string(steps.status().message())));
      out.skipped_runs.push_back(r.run_id);
      continue;
    }
    if (opt.program_facts) {
      // The program's facts where the package has an index; the run queue's (data/runq.h) always.
      FactTracker facts(index, steps->parsed.timeline, steps->parsed.canon, r.name);
      RunQueue runq(steps->parsed.timeline, steps->parsed.canon);
      const size_t n = opt.max_steps == 0 ? steps->steps.size() : std::min(steps->steps.size(), opt.max_steps);
      for (size_t i = 0; i < n; ++i) {
        const sched::Step& step = steps->steps[i];
        facts.AdvanceTo(step.event_index);
        runq.AdvanceTo(step.event_index);
        std::vector<std::vector<std::string>> f = facts.Facts(step.candidates);
        f.resize(step.candidates.size());
        runq.Facts(step.candidates, &f);
        facts_of_run.push_back(std::move(f));
      }
    }
    TokenizedRun tr{r.run_id, std::move(steps->steps), {}, {}, std::move(facts_of_run)};
    facts_of_run.clear();
    tr.keys = empirical::ComputeKeys(tr.steps, opt.key);
    tr.counts = empirical::CountRun(tr.steps, tr.keys);
    out.table.AddRun(tr.counts);
    for (size_t i = 0; i < tr.steps.size(); ++i) {
      if (out.table.Described(tr.keys[i])) continue;
      std::string about = i == 0 ? "(start of run)" : "";
      for (size_t j = i > 3 ? i - 3 : 0; j < i; ++j) CatAppend(about, about.empty() ? "" : " | ", tr.steps[j].token);
      if (i > 3) about = "... | " + about;
      out.table.Describe(tr.keys[i], std::move(about));
    }
    out.steps += tr.steps.size();
    tokenized.push_back(std::move(tr));
  }
  out.runs_used = tokenized.size();

  for (const TokenizedRun& tr : tokenized) {
    const size_t n = opt.max_steps == 0 ? tr.steps.size() : std::min(tr.steps.size(), opt.max_steps);
    for (size_t i = 0; i < n; ++i) {
      const sched::Step& step = tr.steps[i];
      auto own = tr.counts.find(tr.keys[i]);
      const empirical::Distribution target =
          out.table.LeaveOneOut(tr.keys[i], own == tr.counts.end() ? nullptr : &own->second);
      Example e;
      e.candidates = opt.level == sched::Level::kSite ? SiteCandidates(step, target) : step.candidates;
      e.label = opt.level == sched::Level::kSite ? step.token : step.base_token;
      e.target_counts.reserve(e.candidates.size());
      for (const auto& c : e.candidates) e.target_counts.push_back(target.Count(c));
      if (e.target_total() < opt.min_visits || e.label_index() < 0) continue;
      e.program = program;
      e.config = config;
      e.run_id = tr.run_id;
      e.position = i;
      e.level = std::string(sched::LevelName(opt.level));
      e.key = opt.key.Name();
      e.split = split;
      e.context_total = i;
      const size_t from = i > opt.context_len ? i - opt.context_len : 0;
      for (size_t j = from; j < i; ++j) e.context.push_back(tr.steps[j].token);
      e.state = step.state_key;
      if (i < tr.facts.size()) {
        const auto& per = tr.facts[i];
        e.facts.resize(e.candidates.size());
        for (size_t k = 0; k < e.candidates.size(); ++k) {
          const std::string_view base = BaseOf(e.candidates[k]);
          for (size_t j = 0; j < step.candidates.size() && j < per.size(); ++j)
            if (step.candidates[j] == base) e.facts[k] = per[j];
        }
      }
      out.examples.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace schedcast::data
