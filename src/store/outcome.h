// store/outcome.h — how one run of one program ended: the closed set of outcomes the store keeps.
//
// The names are the strings stored in runs.outcome and printed by `schedcast runs`; they never
// change meaning (later stages filter on them). Thread-safe (constants and pure functions).
#pragma once

#include <optional>
#include <string_view>

namespace schedcast::store {

enum class Outcome {
  kOk,           // the test passed / the program exited 0
  kFail,         // the test failed (or a main program exited non-zero) without crashing
  kSkip,         // the test called t.Skip
  kDeadline,     // still running at the deadline: end state (all goroutine stacks) kept
  kDeadlock,     // every goroutine blocked on a synchronisation primitive (global deadlock)
  kPanic,        // a Go panic that was not recovered; stderr tail kept, partial trace kept
  kCrash,        // a fatal runtime error or a signal (SIGSEGV, ...); stderr tail kept
  kRace,         // the race detector reported a data race (race builds only)
  kBuildFailed,  // the package did not build in this configuration; compiler output in builds
};

inline constexpr Outcome kAllOutcomes[] = {Outcome::kOk,       Outcome::kFail,  Outcome::kSkip,
                                           Outcome::kDeadline, Outcome::kDeadlock, Outcome::kPanic,
                                           Outcome::kCrash,    Outcome::kRace,  Outcome::kBuildFailed};

std::string_view OutcomeName(Outcome o);
std::optional<Outcome> ParseOutcome(std::string_view name);
// True for every outcome except ok and skip (used for progress "failures" counts).
bool IsFailure(Outcome o);

}  // namespace schedcast::store
