// `schedcast leaks` — goroutines left blocked at the end of stored runs, proofs that some can never
// wake (docs/LEAKS.md), manifestation rates with Wilson intervals, and the manifest evaluation.
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "absl/strings/str_join.h"
#include "common/json.h"
#include "cli/commands.h"
#include "leaks/compare.h"
#include "leaks/report.h"
#include "pipeline/run.h"
#include "store/store.h"

namespace schedcast::cli {

namespace {

struct LeaksFlags {
  std::string store, program, manifest, perturb_mode;  // perturb_mode "": every perturbed run
  bool json = false, compare = false, include_perturbed = false;
  size_t within = 20;
};

bool Matches(const std::string& program, const std::string& suffix) {
  return suffix.empty() ||
         (program.size() >= suffix.size() && program.compare(program.size() - suffix.size(), std::string::npos, suffix) == 0);
}

absl::StatusOr<leaks::RunAnalysis> AnalyzeStoredRun(store::Store& st, const store::StoredRun& r,
                                                    pipeline::SourceCache* sources) {
  SC_ASSIGN_OR_RETURN(std::string trace, st.LoadTrace(r.id));
  const pipeline::RunInput in = pipeline::InputOf(r, std::move(trace));
  absl::StatusOr<pipeline::ParsedRun> run = pipeline::Parse(in.trace);
  if (!run.ok()) return WithContext(run.status(), "trace");
  SC_ASSIGN_OR_RETURN(pipeline::AnalysisResult a, pipeline::AnalyzeLeaks(*run, in, sources));
  for (const auto& note : a.notes) std::cerr << "leaks: run " << r.id << ": " << note << "\n";
  return std::move(a.analysis);
}

void RunLeaks(const LeaksFlags& f) {
  auto st = store::Store::OpenExisting(f.store);
  if (!st.ok()) return Fail(st.status());
  auto runs = (*st)->ListRuns();
  if (!runs.ok()) return Fail(runs.status());
  std::vector<const store::StoredRun*> selected;
  for (const auto& r : *runs)
    if (Matches(store::ProgramKey(r.program), f.program) && (f.compare || f.include_perturbed || !r.perturbed()) &&
        (!r.perturbed() || f.perturb_mode.empty() || f.perturb_mode == store::PerturbModeName(r.perturb_mode())))
      selected.push_back(&r);
  if (selected.empty())
    return Fail(absl::NotFoundError(Cat("no runs", f.program.empty() ? "" : Cat(" of program '", f.program, "'"), " in ", f.store)));
  if (f.compare) {  // a comparison's perturbed run set never pools two perturbation modes
    std::set<std::string> modes;
    for (const auto* r : selected)
      if (r->perturbed()) modes.insert(store::PerturbModeName(r->perturb_mode()));
    if (modes.size() > 1)
      return Fail(absl::InvalidArgumentError(Cat(f.store, " has perturbed runs of modes ", absl::StrJoin(modes, " and "),
                                                 ": choose one with --perturb-mode")));
  }
  std::optional<std::vector<leaks::ManifestTest>> manifest;
  if (!f.manifest.empty()) {
    auto m = LoadManifest(f.manifest);
    if (!m.ok()) return Fail(m.status());
    manifest = std::move(m->tests);
  }

  leaks::LeakAggregator agg;
  leaks::Comparison cmp;
  pipeline::SourceCache sources;
  const bool tty = isatty(2);
  size_t done = 0;
  for (const store::StoredRun* r : selected) {
    ++done;
    if (tty && (done % 10 == 0 || done == selected.size()))
      std::cerr << "\r\033[Kleaks: " << done << "/" << selected.size() << " runs" << std::flush;
    else if (!tty && selected.size() >= 200 && (done % 200 == 0 || done == selected.size()))
      std::cerr << "leaks: " << done << "/" << selected.size() << " runs\n";
    if (f.compare) {
      cmp.Add(*r, r->trace_bytes == 0 ? absl::StatusOr<leaks::RunAnalysis>(absl::NotFoundError("no trace"))
                                      : AnalyzeStoredRun(**st, *r, &sources));
      continue;
    }
    if (r->trace_bytes == 0) {
      agg.AddUntraced(*r);
      continue;
    }
    agg.Add(*r, AnalyzeStoredRun(**st, *r, &sources));
  }
  if (tty) std::cerr << "\r\033[K";
  if (f.compare) {
    const std::vector<leaks::ProgramComparison> programs = cmp.Finish(manifest ? &*manifest : nullptr);
    size_t contradicted = 0;
    for (const auto& p : programs) contradicted += p.plain.contradicted + p.perturbed.contradicted;
    if (f.json) {
      nlohmann::ordered_json out = leaks::CompareJson(programs, f.within);
      out["store"] = f.store;
      std::cout << JsonText(out, 2) << "\n";
    } else {
      std::cout << leaks::RenderComparison(programs, f.within);
    }
    SetExitCode(contradicted > 0 ? 1 : 0);
    return;
  }
  const std::vector<leaks::ProgramReport> reports = agg.Finish();
  bool any_proved = false;
  for (const auto& p : reports) any_proved |= p.proved();
  std::optional<nlohmann::ordered_json> eval;
  if (manifest) eval = leaks::Evaluate(reports, *manifest);

  if (f.json) {
    nlohmann::ordered_json out;
    out["store"] = f.store;
    out["proved_leaks"] = any_proved;
    auto& ps = out["programs"] = nlohmann::ordered_json::array();
    for (const auto& p : reports) ps.push_back(leaks::ToJson(p));
    if (eval) out["evaluation"] = *eval;
    std::cout << JsonText(out, 2) << "\n";
  } else {
    size_t clean = 0, proved = 0;
    for (const auto& p : reports) {
      proved += p.proved();
      if (p.sites.empty() && p.errors.empty()) {
        ++clean;
        continue;
      }
      std::cout << leaks::RenderText(p);
    }
    std::cout << reports.size() << " programs: " << proved << " with a proved leak, "
              << reports.size() - clean - proved << " with suspected leaks only (or unanalyzed runs), " << clean
              << " with no goroutine blocked at the end\n";
    if (eval) std::cout << "\n" << leaks::RenderEvaluation(*eval);
  }
  SetExitCode(any_proved ? 1 : 0);
}

}  // namespace

void RegisterLeaks(CLI::App& app) {
  auto f = std::make_shared<LeaksFlags>();
  auto* cmd = app.add_subcommand("leaks", "Goroutines blocked at the end of runs: proved and suspected leaks");
  cmd->add_option("--store", f->store, "store file")->required();
  cmd->add_option("--program", f->program, "only this program: import/path.TestName (a suffix is enough)");
  cmd->add_flag("--json", f->json, "print JSON instead of text");
  cmd->add_option("--manifest", f->manifest,
                  "corpus manifest (corpus/MANIFEST.json): also evaluate against its bug labels and block_sites");
  cmd->add_flag("--compare", f->compare,
                "compare schedcast's verdicts with goleak, the goroutineleak profile and the runtime's on the same runs "
                "(collect --goleak --leak-profile), with runs to detect; plain and perturbed runs apart");
  cmd->add_option("--within", f->within, "with --compare: count the bugs exposed within this many runs")
      ->capture_default_str();
  cmd->add_flag("--include-perturbed", f->include_perturbed,
                "also count perturbed runs (collect --perturb) in the rates (default: unperturbed runs only)");
  cmd->add_option("--perturb-mode", f->perturb_mode,
                  "only the perturbed runs of this mode (collect --perturb-mode; default: all perturbed runs)")
      ->check(CLI::IsMember({"runtime", "source", "both"}));
  cmd->footer(
      "Per program: the sites (file:line of the innermost user frame) where goroutines were still blocked at the end "
      "of a run, the manifestation rate across runs with a 95% Wilson interval, and whether the leak is PROVED "
      "(rules R1, R2a, R2b of docs/LEAKS.md: the goroutine can never be unblocked) or only suspected.\n"
      "Exit status: 0 no proved leak; 1 at least one proved leak (use it to gate CI); 2 usage error; "
      "3 the store or manifest could not be read. With --compare: 1 when a later goroutine list of the same process "
      "contradicts a proof (the goroutine woke), else 0.");
  cmd->callback([f] { RunLeaks(*f); });
}

}  // namespace schedcast::cli
