#include "pipeline/run.h"

#include <optional>
#include <unordered_map>

#include "leaks/dump.h"

namespace schedcast::pipeline {

RunInput InputOf(const store::StoredRun& r, std::string trace) {
  return RunInput{r.id, std::move(trace), r.end_state.value_or(""), r.program.dir, r.program.name};
}

std::string LoadFailure::Describe() const { return Cat("run ", run_id, ": ", std::string(status.message())); }

LoadedRuns LoadInputs(store::Store& st, const std::vector<const store::StoredRun*>& runs) {
  LoadedRuns out;
  for (const store::StoredRun* r : runs) {
    if (r->trace_bytes == 0) continue;
    absl::StatusOr<std::string> t = st.LoadTrace(r->id);
    if (!t.ok()) {
      out.failures.push_back(LoadFailure{r->id, t.status()});
      continue;
    }
    out.inputs.push_back(InputOf(*r, std::move(*t)));
  }
  return out;
}

absl::StatusOr<ParsedRun> Parse(std::string_view trace) {
  SC_ASSIGN_OR_RETURN(sched::Timeline t, sched::BuildTimeline(trace));
  ParsedRun out;
  out.canon = sched::Canonicalize(t);
  out.timeline = std::move(t);
  return out;
}

leaks::ProgramSources* SourceCache::Get(const std::string& dir, const std::string& name) {
  if (dir.empty()) return nullptr;
  auto& s = sources_[{dir, name}];
  if (!s) s = std::make_unique<leaks::ProgramSources>(dir, name);
  return s.get();
}

absl::StatusOr<AnalysisResult> AnalyzeLeaks(const ParsedRun& run, const RunInput& in, SourceCache* sources) {
  AnalysisResult out;
  std::optional<leaks::EndState> es;
  if (!in.end_state.empty()) {
    absl::StatusOr<leaks::EndState> parsed = leaks::ParseEndState(in.end_state);
    if (parsed.ok()) es = std::move(*parsed);
    else out.notes.push_back(Cat(std::string(parsed.status().message()), " (trace-only rules used)"));
  }
  SourceCache local;
  if (sources == nullptr) sources = &local;
  SC_ASSIGN_OR_RETURN(out.analysis, leaks::AnalyzeRun(run.timeline, run.canon, es ? &*es : nullptr,
                                                      sources->Get(in.source_dir, in.name)));
  return out;
}

absl::StatusOr<TokenizedRun> Tokenize(const RunInput& in, const TokenizeOptions& opt, SourceCache* sources) {
  TokenizedRun out;
  SC_ASSIGN_OR_RETURN(out.parsed, Parse(in.trace));
  if (opt.leak_proofs) {
    absl::StatusOr<AnalysisResult> a = AnalyzeLeaks(out.parsed, in, sources);
    if (a.ok()) out.permanent = leaks::PermanentOf(a->analysis);
  }
  sched::TokenizeOptions topt;
  topt.level = opt.level;
  topt.include_runtime = opt.include_runtime;
  topt.permanent = out.permanent;
  SC_ASSIGN_OR_RETURN(out.steps, sched::Tokenize(out.parsed.timeline, out.parsed.canon, topt));
  return out;
}

absl::StatusOr<sched::State> StateBefore(const TokenizedRun& run, uint64_t event_index,
                                         std::unordered_map<uint64_t, int>* children) {
  const sched::Timeline& t = run.parsed.timeline;
  sched::State st;
  for (const auto& [gid, info] : t.goroutines)
    if (info.preexisting) st.AddInitial(gid, info.initial, info.initial_reason);
  for (uint64_t e = 0; e < event_index && e < t.events.size(); ++e) {
    SC_RETURN_IF_ERROR(st.Apply(t.events[e], e));
    if (t.events[e].kind == sched::Kind::kGoCreate) ++(*children)[t.events[e].g];
    for (const auto& [g, from] : run.permanent)
      if (e >= from) st.MarkPermanent(g);
  }
  return st;
}

}  // namespace schedcast::pipeline
