// leaks/compare.h — schedcast's leak verdicts beside the anchors measured on the same runs:
// goleak (go.uber.org/goleak's Find after the test), the runtime's goroutineleak profile (GC
// reachability, Go >= 1.26) and the runtime's global-deadlock criterion (outcome "deadlock").
//
// Per run (Verdicts): schedcast proved (a goroutine proved never to wake) / any finding (proved or
// suspected); goleak detected (nullopt: not checked — off, Go < 1.20, or the test hung, where goleak
// never runs); profile detected (nullopt: not taken); runtime (deadlock outcome). Every proved
// goroutine is also checked against what the anchors saw *after* schedcast's end state (the profile
// is taken after the trace stopped; goleak retries for ~0.5 s after that): a proved goroutine that
// is absent from a later goroutine list of the same process, or there in another wait state, woke —
// a contradiction (a bug in a proof rule). A proved goroutine the profile lists, still in the same
// wait, but not marked "(leaked)" is "unconfirmed": its primitive stayed reachable (the profile is
// sound, not complete). Both are listed with run ids.
// Per program and run set (plain / perturbed), per method: runs checked, runs detected, the
// manifestation rate with its 95 % Wilson interval, the expected runs to the first detection
// (1/rate, interval [1/hi, 1/lo], infinite when nothing was seen) and the observed first-detection
// run (1-based, in collection order = run id order). Program-level agreement between schedcast
// (proved), goleak and the profile: every one that checked the program detected it, or none did;
// else a disagreement naming who saw what (the runtime's verdict is reported beside, not voted: it
// can only see hung tests).
// Not thread-safe (accumulating object); the render functions are pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/manifest.h"
#include "common/status.h"
#include "leaks/prove.h"
#include "nlohmann/json.hpp"
#include "store/records.h"

namespace schedcast::leaks {

inline constexpr const char* kMethods[] = {"schedcast", "schedcast_any", "goleak", "leak_profile", "runtime"};
inline constexpr int kNumMethods = 5;

struct MethodStats {
  size_t checked = 0, detected = 0;
  size_t first = 0;  // 1-based ordinal (among checked runs) of the first detection; 0: none
};

struct RunSetComparison {  // the plain or the perturbed runs of one program
  size_t runs = 0;
  MethodStats m[kNumMethods];
  // Runs where schedcast proved but the anchor saw nothing, and the anchor saw a leak but schedcast
  // proved none (both checked), for goleak and the profile.
  size_t proved_not_goleak = 0, goleak_not_proved = 0, proved_not_profile = 0, profile_not_proved = 0;
  size_t proved_goroutines = 0, profile_confirmed = 0, profile_unconfirmed = 0, contradicted = 0;
};

struct ProgramComparison {
  std::string program, bug;  // bug: manifest class ("" without a manifest)
  RunSetComparison plain, perturbed;
  std::vector<std::string> contradictions;  // "run 17: goroutine 9 (file.go:12, R2a): ..."
  std::vector<std::string> unconfirmed;     // first few, same format
  std::vector<std::string> errors;
};

class Comparison {
 public:
  void Add(const store::StoredRun& run, const absl::StatusOr<RunAnalysis>& analysis);
  std::vector<ProgramComparison> Finish(const std::vector<ManifestTest>* manifest) const;

 private:
  std::map<std::string, ProgramComparison> programs_;
};

// Expected runs to the first detection from `detected` of `checked` runs: {point, lo, hi};
// infinity where the rate (or its bound) is 0.
struct RunsToDetect {
  double point, lo, hi;
};
RunsToDetect ExpectedRunsToDetect(size_t detected, size_t checked);

// Goroutine ids goleak's message lists ("Goroutine 7 in state chan send, ...").
std::vector<uint64_t> GoleakGoroutines(const std::string& message);

nlohmann::ordered_json CompareJson(const std::vector<ProgramComparison>& programs, size_t within);
std::string RenderComparison(const std::vector<ProgramComparison>& programs, size_t within);

}  // namespace schedcast::leaks
