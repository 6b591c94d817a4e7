// sched/token.h — scheduling events rendered as prediction tokens at three granularities.
//
//   type       event kind + reason                      "GoBlock(recv)"
//   goroutine  + canonical goroutine and peer          "GoBlock(recv) T.1", "GoCreate T>T.2", "GoUnblock T.1"
//   site       + file:line of the innermost user frame  "GoBlock(recv) T.1 @x_test.go:34"
// Tokens of one program are comparable across its runs because goroutines are canonical (canon.h).
// A GoUnblock token names its target only (who wakes a goroutine is not a prediction target).
// Candidates (state.h) render with the same function, so a label is always one of the candidates
// at the type and goroutine levels. At the site level the candidate set is the goroutine-level one
// (where an event will happen is only known once it happens); Step::base_token maps a site token to
// its candidate. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sched/canon.h"
#include "sched/state.h"
#include "sched/timeline.h"

namespace schedcast::sched {

enum class Level { kType, kGoroutine, kSite };
absl::StatusOr<Level> ParseLevel(std::string_view s);  // "type" | "goroutine" | "site"
std::string_view LevelName(Level l);

// Renders a candidate (or the candidate of an observed event) at `level`. `new_child` is the
// canonical path a GoCreate would give its child; `site` is used at Level::kSite only.
std::string RenderToken(const Candidate& c, Level level, const Canonicalization& canon,
                        std::string_view new_child, std::string_view site);

// One step of a run: the state before it, the observed event, its token and the legal candidates.
struct Step {
  uint64_t event_index = 0;              // index in Timeline::events
  std::string token;                     // observed token at the requested level
  std::string base_token;                // observed token at min(level, goroutine): one of `candidates`
  std::vector<std::string> candidates;   // legal next tokens at min(level, goroutine), sorted, unique
  std::string state_key;                 // abstract scheduler state (see StateKey)
};

struct TokenizeOptions {
  Level level = Level::kGoroutine;
  bool include_runtime = false;  // keep events of runtime/testing-framework goroutines as targets
  // Goroutines of this run proved permanently blocked (leaks/prove.h): raw id → index of the event
  // from which the proof holds. Once that event has been applied and the goroutine is blocked, it is
  // marked permanent (State::MarkPermanent), so its GoUnblock is never a candidate again.
  std::map<uint64_t, uint64_t> permanent;
};

// Replays the timeline through the state machine; returns one Step per target event. Fails, naming
// the event index and the state, if an event is not legal (the invariant tests assert never happens).
absl::StatusOr<std::vector<Step>> Tokenize(const Timeline& t, const Canonicalization& canon,
                                           const TokenizeOptions& opt);

// The abstract scheduler state: sorted canonical user goroutines with their state and block reason,
// e.g. "T:run T.0:blk(recv) T.1:rdy". Runtime goroutines are omitted.
std::string StateKey(const State& s, const Canonicalization& canon);

}  // namespace schedcast::sched
