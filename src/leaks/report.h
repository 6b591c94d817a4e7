// leaks/report.h — per-program leak reports across runs, and their evaluation against a manifest.
//
// LeakAggregator collects the analysis of each run (leaks/prove.h) and groups findings by program
// and blocking site ("file.go:line" of the innermost user frame). A site's manifestation rate is
// (runs in which some goroutine was found blocked there) / (runs analyzed), with a 95 % Wilson score
// interval. A site is "proved" when a proof held in at least one run (the rule of the first such
// run is reported), else "suspected". Runs whose analysis failed are counted and listed, never
// dropped silently. Evaluate() compares, per manifest test, the sites found with the expected
// block_sites, for our proofs, for every finding, for a goleak-style baseline (every user goroutine
// alive at the end is a leak) and for the Go runtime's own global-deadlock detection (runs whose
// outcome is "deadlock"). Not thread-safe (accumulating object); the functions are pure.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "leaks/prove.h"
#include "common/manifest.h"
#include "nlohmann/json.hpp"
#include "store/records.h"

namespace schedcast::leaks {

struct Interval {
  double lo = 0, hi = 0;
};
// Wilson score interval for k successes in n trials (z = 1.96 for 95 %); {0, 0} when n = 0.
Interval Wilson(size_t k, size_t n, double z = 1.96);

struct SiteReport {
  std::string site, func, wait;
  std::set<std::string> callers;  // the user frames that called `site`'s function, in any run ("file.go:12")
  size_t runs = 0;         // runs in which a goroutine was blocked here
  size_t proved_runs = 0;  // ... and proved permanent
  std::string rule;        // rule of the first proved run ("" if none)
  std::string why;         // the proof premise, or why it is only suspected (first run)
  std::vector<int64_t> examples;  // up to 3 run ids (proved ones first)
  bool proved() const { return proved_runs > 0; }
};

struct ProgramReport {
  std::string program;  // "import/path.TestName"
  std::string package, name;
  size_t runs = 0;           // runs with a trace
  size_t analyzed = 0;       // runs analyzed without error
  size_t runtime_deadlock = 0;  // runs whose outcome is "deadlock"
  size_t deadline = 0;          // runs stopped at the deadline
  size_t goleak_runs = 0;       // runs with at least one user goroutine alive at the end
  std::map<std::string, size_t> goleak_sites;  // site → runs
  std::set<std::string> goleak_callers;        // the user frames that called those sites' functions
  std::vector<std::string> hazards;            // program-wide hazards seen (union)
  std::vector<std::string> errors;             // "run 17: ..."
  std::vector<SiteReport> sites;               // sorted: proved first, then by runs
  bool proved() const;
};

class LeakAggregator {
 public:
  void Add(const store::StoredRun& run, const absl::StatusOr<RunAnalysis>& analysis);
  void AddUntraced(const store::StoredRun& run);  // counts the runtime's verdict only
  std::vector<ProgramReport> Finish();

 private:
  std::map<std::string, ProgramReport> programs_;
  std::map<std::string, std::map<std::string, SiteReport>> sites_;
  std::map<std::string, std::map<std::string, std::vector<int64_t>>> proved_examples_;
};

nlohmann::ordered_json ToJson(const ProgramReport& p);
std::string RenderText(const ProgramReport& p);

// The manifest's tests (common/manifest.h: the one loader and validation, shared with `dataset build`).
using schedcast::ManifestTest;

// Evaluation of the four detectors (proved, any finding, goleak, runtime) per bug class.
nlohmann::ordered_json Evaluate(const std::vector<ProgramReport>& reports, const std::vector<ManifestTest>& manifest);
std::string RenderEvaluation(const nlohmann::ordered_json& eval);

}  // namespace schedcast::leaks
