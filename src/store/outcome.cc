// store/outcome.cc — names of run outcomes (see outcome.h).
#include "store/outcome.h"

namespace schedcast::store {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kFail: return "fail";
    case Outcome::kSkip: return "skip";
    case Outcome::kDeadline: return "deadline";
    case Outcome::kDeadlock: return "deadlock";
    case Outcome::kPanic: return "panic";
    case Outcome::kCrash: return "crash";
    case Outcome::kRace: return "race";
    case Outcome::kBuildFailed: return "build_failed";
  }
  return "?";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome o : kAllOutcomes) {
    if (OutcomeName(o) == name) return o;
  }
  return std::nullopt;
}

bool IsFailure(Outcome o) { return o != Outcome::kOk && o != Outcome::kSkip; }

}  // namespace schedcast::store
