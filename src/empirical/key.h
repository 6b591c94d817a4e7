// dist/key.h — what "the same situation" means when counting next tokens over runs.
//
//   prefix     the exact canonical token prefix (as in the source paper): a 64-bit rolling hash of
//              every token before the step, rendered as 16 hex digits
//   state      the abstract scheduler state before the step (sched::StateKey)
//   window:K   the last K tokens before the step, joined by " | "
// Keys are computed for every step of a tokenized run at once. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sched/token.h"

namespace schedcast::empirical {

struct KeySpec {
  enum class Kind { kPrefix, kState, kWindow } kind = Kind::kPrefix;
  int window = 0;  // K for kWindow
  std::string Name() const;  // "prefix", "state", "window:4"
};
absl::StatusOr<KeySpec> ParseKeySpec(std::string_view s);

// keys[i] is the key of steps[i] (the situation before steps[i]'s token).
std::vector<std::string> ComputeKeys(const std::vector<sched::Step>& steps, const KeySpec& spec);

}  // namespace schedcast::empirical
